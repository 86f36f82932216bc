"""A scalar with reverse-mode autograd (in the spirit of micrograd's ``Value``), in float64.

Every operation follows the same three steps:

1) compute the output value (a Python float, i.e. float64);
2) compute the local derivatives d out / d input, one per input;
3) attach the inputs and the local derivatives to the output node.

``backward()`` then applies the chain rule, ``input.grad += local * out.grad``, over the graph in reverse
topological order (``nnlab.scratch.graph``). The sum ``+=`` is what makes a reused node right: in ``b = a + a``
the node ``a`` appears twice among ``b``'s inputs and receives both contributions (db/da = 2).

Compared with micrograd: the topological sort is iterative (no recursion limit), interior gradients are reset
at the start of every ``backward()`` (so a second pass after ``zero_grad()`` gives the same gradients),
``exp``, ``log``, ``tanh``, ``sigmoid`` and a true division are operations of their own, ``Value.sum`` adds
n terms in one node, and a plain number operand is a constant rather than a node.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

from nnlab.scratch import graph

__all__ = ["Value"]

Number = int | float


class Value:
    """One float64 scalar node of a computation graph.

    ``data``: the value; ``grad``: d(output of the last backward) / d(this node), accumulated on leaves.
    """

    __slots__ = ("data", "grad", "_prev", "_local", "_op")

    def __init__(self, data: Number, _prev: tuple = (), _local: tuple = (), _op: str = ""):
        self.data = float(data)
        self.grad = 0.0
        self._prev = _prev      # input nodes (a tuple; a node may appear twice, as in a + a)
        self._local = _local    # d self / d input, one float per entry of _prev
        self._op = _op          # the operation that made this node ("" for a leaf)

    # -- the graph machinery (see nnlab.scratch.graph) ----------------------------------------------------
    def _propagate(self) -> None:
        g = self.grad
        for child, local in zip(self._prev, self._local):
            child.grad += local * g

    def _zero(self) -> float:
        return 0.0

    def backward(self) -> None:
        """d self / d node for every node below, added into ``node.grad`` (leaves accumulate across calls)."""
        graph.backward(self, 1.0)

    def zero_grad(self) -> None:
        """Set the gradient of every node in this graph, leaves included, to 0."""
        graph.zero_grad(self)

    # -- binary operations (a plain number operand is a constant: it gets no node and no gradient) --------
    def __add__(self, other: Value | Number) -> Value:
        if not isinstance(other, Value):
            return Value(self.data + other, (self,), (1.0,), "+")
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __sub__(self, other: Value | Number) -> Value:
        if not isinstance(other, Value):
            return Value(self.data - other, (self,), (1.0,), "-")
        return Value(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __mul__(self, other: Value | Number) -> Value:
        if not isinstance(other, Value):
            return Value(self.data * other, (self,), (float(other),), "*")
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __truediv__(self, other: Value | Number) -> Value:
        # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        if not isinstance(other, Value):
            return Value(self.data / other, (self,), (1.0 / other,), "/")
        a, b = self.data, other.data
        return Value(a / b, (self, other), (1.0 / b, -a / (b * b)), "/")

    def __pow__(self, exponent: Number) -> Value:
        if not isinstance(exponent, (int, float)) or isinstance(exponent, bool):
            raise TypeError(f"Value ** exponent needs an int or float exponent. Got {exponent!r} instead.")
        # d(x^k)/dx = k x^(k-1)
        return Value(self.data ** exponent, (self,), (exponent * self.data ** (exponent - 1),), f"**{exponent}")

    __radd__ = __add__
    __rmul__ = __mul__

    @staticmethod
    def sum(terms: Iterable[Value | Number]) -> Value:
        """sum_i t_i as one node with n inputs (d sum / d t_i = 1), instead of a chain of n - 1 additions.

        Plain numbers among the terms are constants: they are added to the value and get no gradient.
        """
        nodes, constant = [], 0.0
        for t in terms:
            if isinstance(t, Value):
                nodes.append(t)
            else:
                constant += t
        return Value(constant + sum(t.data for t in nodes), tuple(nodes), (1.0,) * len(nodes), "sum")

    def __rsub__(self, other: Number) -> Value:       # other - self
        return Value(other - self.data, (self,), (-1.0,), "-")

    def __rtruediv__(self, other: Number) -> Value:   # other / self; derivative -other / self^2
        return Value(other / self.data, (self,), (-other / (self.data * self.data),), "/")

    # -- unary operations ---------------------------------------------------------------------------------
    def __neg__(self) -> Value:
        return Value(-self.data, (self,), (-1.0,), "neg")

    def exp(self) -> Value:
        e = math.exp(self.data)
        return Value(e, (self,), (e,), "exp")

    def log(self) -> Value:
        """Natural logarithm; d log x / dx = 1/x. Needs x > 0."""
        if self.data <= 0:
            raise ValueError(f"Value.log needs a positive value. Got {self.data!r} instead.")
        return Value(math.log(self.data), (self,), (1.0 / self.data,), "log")

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return Value(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> Value:
        """1 / (1 + exp(-x)), computed without overflow for large |x|; derivative s (1 - s)."""
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return Value(s, (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self) -> Value:
        """max(0, x); derivative 1 for x > 0, else 0 (PyTorch's choice at the kink x = 0)."""
        x = self.data
        return Value(x if x > 0 else 0.0, (self,), (1.0 if x > 0 else 0.0,), "relu")

    def __repr__(self) -> str:
        return f"Value(data={self.data!r}, grad={self.grad!r})"
