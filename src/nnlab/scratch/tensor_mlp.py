"""The MLP of ``nnlab.nn`` on the from-scratch tensor engine: the forward pass only, autograd does the rest.

Same architecture and parameter layout as ``HandMLP`` (``nnlab.scratch.params``): layer l computes
``z_l = a_{l-1} @ W_l.T + b_l`` (n, d_l), then the activation, except after the last layer (logits).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnlab.scratch.params import check_architecture, check_params, init_params, params_from_torch, params_to_torch
from nnlab.scratch.tensor import Tensor, cross_entropy

__all__ = ["TensorMLP"]


class TensorMLP:
    """Fully connected net on ``Tensor``; ``sizes`` (input, hidden..., output), ``activation`` from ACTIVATIONS."""

    def __init__(self, sizes: Sequence[int], activation: str = "relu", seed: int = 0,
                 params: Sequence[np.ndarray] | None = None):
        self.sizes = check_architecture(sizes, activation, "TensorMLP")
        self.activation = activation
        source = init_params(self.sizes, seed) if params is None else params
        self.params = [Tensor(p) for p in check_params(self.sizes, source, "TensorMLP")]   # leaves W1, b1, ...

    @classmethod
    def from_torch(cls, model) -> TensorMLP:
        """A TensorMLP holding float64 copies of an ``nnlab.nn.MLP``'s parameters."""
        sizes, activation, params = params_from_torch(model)
        return cls(sizes, activation, params=params)

    def to_torch(self, dtype=None):
        """A new ``nnlab.nn.MLP`` (float64 by default) with this net's parameters."""
        return params_to_torch(self.sizes, self.activation, [p.data for p in self.params], dtype)

    def param_arrays(self) -> list[np.ndarray]:
        """The parameters' arrays themselves (an optimizer updates them in place)."""
        return [p.data for p in self.params]

    def __call__(self, X) -> Tensor:
        """Logits (n, d_L) for inputs ``X`` (n, d_0), as a Tensor at the end of a fresh graph."""
        a = X if isinstance(X, Tensor) else Tensor(X)                 # (n, d_0)
        n_layers = len(self.params) // 2
        for l in range(n_layers):
            W, b = self.params[2 * l], self.params[2 * l + 1]         # (d_l, d_{l-1}), (d_l,)
            z = a @ W.T + b                                           # (n, d_l); b broadcast over rows
            a = z if l == n_layers - 1 else z.activation(self.activation)
        return a

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """1) forward; 2) mean cross-entropy; 3) zero the parameters' grads; 4) backward. Grads in param order."""
        loss = cross_entropy(self(X), y)
        for p in self.params:
            p.grad = np.zeros_like(p.data)
        loss.backward()
        return float(loss.data), [p.grad for p in self.params]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted class indices (n,)."""
        return self(X).data.argmax(axis=1)

    def __repr__(self) -> str:
        return f"TensorMLP(sizes={self.sizes}, activation={self.activation!r})"
