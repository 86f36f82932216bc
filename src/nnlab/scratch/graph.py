"""Walking a computation graph without recursion: topological order, backward pass, zero_grad.

Both engines (the scalar ``Value`` and the NumPy ``Tensor``) give every node ``_prev`` (the nodes it was
computed from, a tuple; empty for a leaf), ``grad``, ``_propagate()`` (add this node's gradient, times its local
derivatives, into the gradients of ``_prev``) and ``_zero()`` (a zero gradient of the node's shape). This
module holds what the two share:

- ``topological_order(root)``: every node reachable from ``root``, inputs before outputs. An explicit stack
  replaces recursion, so a chain of 100,000 nodes does not hit Python's recursion limit.
- ``backward(root, seed)``: the chain rule in reverse topological order. Gradients of *interior* nodes are
  reset before each pass, so running backward twice adds the same amount to the leaves each time (as in
  PyTorch: leaves accumulate, intermediate buffers do not).
- ``zero_grad(root)``: set every gradient in the graph, leaves included, back to zero.
"""
from __future__ import annotations

from typing import Any

__all__ = ["topological_order", "backward", "zero_grad"]


def topological_order(root) -> list:
    """Nodes reachable from ``root``, each after all of its inputs (``root`` last).

    Iterative depth-first search: the stack holds (node, iterator over its inputs); a node is emitted when
    its iterator is exhausted, i.e. after all of its inputs have been emitted. A leaf is emitted as soon as
    it is found. Each node is visited once, whatever the number of paths to it (nodes hash by identity).
    """
    order: list = []
    visited = {root}
    stack = [(root, iter(root._prev))]
    while stack:
        node, inputs = stack[-1]
        for child in inputs:
            if child not in visited:
                visited.add(child)
                if child._prev:
                    stack.append((child, iter(child._prev)))
                    break
                order.append(child)                     # a leaf: nothing to wait for
        else:
            stack.pop()
            order.append(node)
    return order


def backward(root, seed_grad: Any) -> list:
    """Run the chain rule from ``root`` (whose gradient starts at ``seed_grad``) back to the leaves.

    1) order the graph; 2) reset every interior node's gradient (a leaf keeps what it has, so repeated passes
    accumulate there, as in PyTorch); 3) seed ``root``; 4) visit nodes outputs-first, each adding its gradient
    into its inputs' gradients. Every node is complete when visited: all of its consumers come later in the
    order, so they were visited before it. Returns the order, inputs first.
    """
    order = topological_order(root)                     # 1)
    for node in order:                                  # 2)
        if node._prev:
            node.grad = node._zero()
    root.grad = root.grad + seed_grad                   # 3) root is interior (reset above) or a bare leaf
    for node in reversed(order):                        # 4)
        if node._prev:
            node._propagate()
    return order


def zero_grad(root) -> None:
    """Set the gradient of every node reachable from ``root`` to zero."""
    for node in topological_order(root):
        node.grad = node._zero()
