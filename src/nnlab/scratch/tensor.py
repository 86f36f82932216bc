"""A small NumPy tensor with reverse-mode autograd, float64, broadcasting included.

Every operation follows the same three steps: 1) compute the output array; 2) define ``grad_fn``, which maps
the output's gradient g to one gradient per input (the vector-Jacobian products); 3) attach the inputs and
``grad_fn`` to the output. ``backward()`` walks the graph in reverse topological order
(``nnlab.scratch.graph``) and adds each input's share into ``input.grad``.

Broadcasting: when an input of shape (3, 1) or (4,) was stretched to the output's (2, 3, 4), each of its
entries was used many times, so its gradient is g summed over the stretched axes (``unbroadcast``).
Operands that are plain numbers or arrays become constant leaves.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from nnlab.scratch import graph
from nnlab.scratch.activations import SCRATCH_ACTIVATIONS

__all__ = ["Tensor", "unbroadcast", "cross_entropy"]

GradFn = Callable[[np.ndarray], Sequence[np.ndarray]]


def unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` (the output's shape) down to ``shape``, the shape of an input that broadcasting stretched.

    1) leading axes the input did not have are summed away; 2) axes where the input had size 1 are summed
    with keepdims.
    """
    while g.ndim > len(shape):                                          # 1)
        g = g.sum(axis=0)
    axes = tuple(i for i, size in enumerate(shape) if size == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g              # 2)


def _axes(axis, ndim: int) -> tuple[int, ...]:
    """``axis`` (None, an int or a tuple of ints, negatives allowed) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axis = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(sorted(a % ndim for a in axis))


class Tensor:
    """A float64 array node. ``data``: the array; ``grad``: same shape, d(output of backward) / d(this)."""

    __slots__ = ("data", "grad", "_prev", "_grad_fn", "_op")
    __array_priority__ = 100          # array (op) Tensor calls Tensor's reflected operator, not NumPy's

    def __init__(self, data, _prev: tuple = (), _grad_fn: GradFn | None = None, _op: str = ""):
        self.data = np.asarray(data, dtype=np.float64)    # no copy for a float64 array: optimizers update it
        self.grad = np.zeros_like(self.data)
        self._prev = _prev
        self._grad_fn = _grad_fn
        self._op = _op

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    # -- the graph machinery (see nnlab.scratch.graph) ----------------------------------------------------
    def _propagate(self) -> None:
        for child, g in zip(self._prev, self._grad_fn(self.grad)):
            child.grad += g

    def _zero(self) -> np.ndarray:
        return np.zeros_like(self.data)

    def backward(self, grad: np.ndarray | None = None) -> None:
        """Gradients of this tensor (weighted by ``grad``, default 1 for a single value) into every node below."""
        if grad is None:
            if self.data.size != 1:
                raise ValueError(f"backward() without a gradient needs a single value. Got shape {self.shape}; "
                                 "pass grad=, an array of that shape.")
            grad = np.ones_like(self.data)
        graph.backward(self, np.asarray(grad, dtype=np.float64))

    def zero_grad(self) -> None:
        """Set the gradient of every node in this graph, leaves included, to zeros."""
        graph.zero_grad(self)

    # -- elementwise binary operations (broadcasting) -----------------------------------------------------
    def __add__(self, other) -> Tensor:
        other = _lift(other)
        a, b = self.shape, other.shape
        return Tensor(self.data + other.data, (self, other),
                      lambda g: (unbroadcast(g, a), unbroadcast(g, b)), "+")

    def __sub__(self, other) -> Tensor:
        other = _lift(other)
        a, b = self.shape, other.shape
        return Tensor(self.data - other.data, (self, other),
                      lambda g: (unbroadcast(g, a), unbroadcast(-g, b)), "-")

    def __mul__(self, other) -> Tensor:
        other = _lift(other)
        a, b = self.data, other.data
        return Tensor(a * b, (self, other),
                      lambda g: (unbroadcast(g * b, a.shape), unbroadcast(g * a, b.shape)), "*")

    def __truediv__(self, other) -> Tensor:
        other = _lift(other)
        a, b = self.data, other.data
        # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        return Tensor(a / b, (self, other),
                      lambda g: (unbroadcast(g / b, a.shape), unbroadcast(-g * a / (b * b), b.shape)), "/")

    def __radd__(self, other) -> Tensor:
        return _lift(other) + self

    def __rsub__(self, other) -> Tensor:
        return _lift(other) - self

    def __rmul__(self, other) -> Tensor:
        return _lift(other) * self

    def __rtruediv__(self, other) -> Tensor:
        return _lift(other) / self

    def __pow__(self, exponent: float) -> Tensor:
        if not isinstance(exponent, (int, float)) or isinstance(exponent, bool):
            raise TypeError(f"Tensor ** exponent needs an int or float exponent. Got {exponent!r} instead.")
        x = self.data
        return Tensor(x ** exponent, (self,), lambda g: (g * exponent * x ** (exponent - 1),), f"**{exponent}")

    def __matmul__(self, other) -> Tensor:
        """Matrix product of the last two axes (leading axes broadcast): (..., n, k) @ (..., k, m) -> (..., n, m).

        dA = g @ B^T (n, k), dB = A^T @ g (k, m), each summed over broadcast leading axes.
        """
        other = _lift(other)
        a, b = self.data, other.data
        if a.ndim < 2 or b.ndim < 2:
            raise ValueError(f"Tensor @ needs operands with at least 2 axes. Got shapes {a.shape} and {b.shape}.")
        return Tensor(a @ b, (self, other),
                      lambda g: (unbroadcast(g @ np.swapaxes(b, -1, -2), a.shape),
                                 unbroadcast(np.swapaxes(a, -1, -2) @ g, b.shape)), "@")

    # -- elementwise unary operations ---------------------------------------------------------------------
    def __neg__(self) -> Tensor:
        return Tensor(-self.data, (self,), lambda g: (-g,), "neg")

    def exp(self) -> Tensor:
        e = np.exp(self.data)
        return Tensor(e, (self,), lambda g: (g * e,), "exp")

    def log(self) -> Tensor:
        x = self.data
        return Tensor(np.log(x), (self,), lambda g: (g / x,), "log")

    def activation(self, name: str) -> Tensor:
        """``SCRATCH_ACTIVATIONS[name]`` elementwise; the backward pass uses the same entry's derivative."""
        act = SCRATCH_ACTIVATIONS[name]
        x = self.data
        y = act.forward(x)
        return Tensor(y, (self,), lambda g: (g * act.derivative(x, y),), name)

    def relu(self) -> Tensor:
        return self.activation("relu")

    def tanh(self) -> Tensor:
        return self.activation("tanh")

    def sigmoid(self) -> Tensor:
        return self.activation("sigmoid")

    # -- reductions and shape -----------------------------------------------------------------------------
    def sum(self, axis=None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis``; each input entry gets the gradient of the sum it went into."""
        shape = self.shape
        axes = _axes(axis, self.data.ndim)

        def grad_fn(g):
            g = g if keepdims else np.expand_dims(g, axes)           # put the summed axes back, size 1
            return (np.broadcast_to(g, shape),)
        return Tensor(self.data.sum(axis=axes, keepdims=keepdims), (self,), grad_fn, "sum")

    def mean(self, axis=None, keepdims: bool = False) -> Tensor:
        count = int(np.prod([self.shape[a] for a in _axes(axis, self.data.ndim)]))
        return self.sum(axis, keepdims) / count

    def reshape(self, *shape) -> Tensor:
        old = self.shape
        return Tensor(self.data.reshape(*shape), (self,), lambda g: (g.reshape(old),), "reshape")

    @property
    def T(self) -> Tensor:
        """All axes reversed (the transpose of a matrix); the gradient is transposed back."""
        return Tensor(self.data.T, (self,), lambda g: (g.T,), "T")

    def log_softmax(self, axis: int = -1) -> Tensor:
        """log softmax along ``axis``: y = x - m - log sum exp(x - m), with m = max x (no overflow).

        Backward: dx = g - softmax(x) * sum(g) along ``axis``.
        """
        x = self.data
        shifted = x - x.max(axis=axis, keepdims=True)
        y = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        return Tensor(y, (self,), lambda g: (g - np.exp(y) * g.sum(axis=axis, keepdims=True),), "log_softmax")

    def __repr__(self) -> str:
        return f"Tensor(shape={self.shape}, op={self._op or 'leaf'!r})"


def _lift(x) -> Tensor:
    """A Tensor as it is; a number or array as a constant leaf."""
    return x if isinstance(x, Tensor) else Tensor(x)


def cross_entropy(logits: Tensor, targets: np.ndarray) -> Tensor:
    """Mean softmax cross-entropy: -(1/n) sum_i log softmax(z_i)[y_i]. ``logits`` (n, K), ``targets`` (n,) ints."""
    targets = np.asarray(targets)
    n, k = logits.shape
    one_hot = np.zeros((n, k))
    one_hot[np.arange(n), targets] = 1.0                                 # (n, K) picks log p_i[y_i]
    return -(logits.log_softmax(axis=1) * one_hot).sum() / n
