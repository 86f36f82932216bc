"""A multi-layer perceptron whose backward pass is written out by hand, in plain NumPy (no autograd at all).

The architecture is that of ``nnlab.nn.MLP`` without dropout or batch norm: sizes (d0, d1, ..., dL),
layer l computes ``z_l = a_{l-1} @ W_l.T + b_l`` and ``a_l = act(z_l)``, except the last layer, whose
``z_L`` are the logits. Parameters are [W1, b1, ..., WL, bL] in torch's layout (``nnlab.scratch.params``),
so a net can be copied from and to a torch ``nnlab.nn.MLP`` and checked against it.

Backward, from the loss gradient dz_L = dLoss/dlogits (n, d_L), for l = L, ..., 1:

    dW_l = dz_l.T @ a_{l-1}           (d_l, d_{l-1})
    db_l = sum over samples of dz_l   (d_l,)
    da_{l-1} = dz_l @ W_l             (n, d_{l-1})
    dz_{l-1} = da_{l-1} * act'(z_{l-1})   (n, d_{l-1}), elementwise
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnlab._validation import NotFittedError
from nnlab.scratch.activations import SCRATCH_ACTIVATIONS
from nnlab.scratch.params import check_architecture, check_params, init_params, params_from_torch, params_to_torch

__all__ = ["HandMLP", "softmax_cross_entropy"]


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy and its gradient with respect to the logits.

    ``logits`` (n, K), ``y`` (n,) class indices. loss = -(1/n) sum_i log p_i[y_i] with p = softmax(logits),
    computed as log p = z - m - log sum exp(z - m), m = max z (no overflow). dLoss/dz = (p - onehot(y)) / n.
    """
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)                       # (n, K)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))       # (n, K)
    rows = np.arange(n)
    loss = -log_p[rows, y].mean()
    dlogits = np.exp(log_p)                                                     # (n, K) p
    dlogits[rows, y] -= 1.0                                                     # p - onehot
    return float(loss), dlogits / n


class HandMLP:
    """Fully connected net with a hand-written backward pass.

    ``sizes``: (input, hidden..., output); ``activation``: a key of ``nnlab.nn.ACTIVATIONS``; initial
    parameters from ``init_params(sizes, seed)`` (PyTorch's default scheme) unless ``params`` are given.
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", seed: int = 0,
                 params: Sequence[np.ndarray] | None = None):
        self.sizes = check_architecture(sizes, activation, "HandMLP")
        self.activation = activation
        source = init_params(self.sizes, seed) if params is None else params
        self.params = check_params(self.sizes, source, "HandMLP")     # own copies, updated in place
        self._cache: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None

    @classmethod
    def from_torch(cls, model) -> HandMLP:
        """A HandMLP holding float64 copies of an ``nnlab.nn.MLP``'s parameters."""
        sizes, activation, params = params_from_torch(model)
        return cls(sizes, activation, params=params)

    def to_torch(self, dtype=None):
        """A new ``nnlab.nn.MLP`` (float64 by default) with this net's parameters."""
        return params_to_torch(self.sizes, self.activation, self.params, dtype)

    def param_arrays(self) -> list[np.ndarray]:
        """The parameter arrays themselves (an optimizer updates them in place): [W1, b1, ..., WL, bL]."""
        return self.params

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Logits (n, d_L) for inputs ``X`` (n, d_0); keeps what ``backward`` needs."""
        act = SCRATCH_ACTIVATIONS[self.activation]
        a = np.asarray(X, dtype=np.float64)                          # (n, d_0)
        cache = []
        n_layers = len(self.params) // 2
        for l in range(n_layers):
            W, b = self.params[2 * l], self.params[2 * l + 1]        # (d_l, d_{l-1}), (d_l,)
            z = a @ W.T + b                                          # (n, d_l)
            out = z if l == n_layers - 1 else act.forward(z)         # (n, d_l); the logits stay linear
            cache.append((a, z, out))
            a = out
        self._cache = cache
        return a

    def backward(self, dlogits: np.ndarray) -> list[np.ndarray]:
        """Gradients [dW1, db1, ..., dWL, dbL] of the loss whose gradient w.r.t. the last logits is ``dlogits``."""
        if self._cache is None:
            raise NotFittedError("HandMLP.backward needs a forward pass first.")
        act = SCRATCH_ACTIVATIONS[self.activation]
        grads: list[np.ndarray] = [np.empty(0)] * len(self.params)
        dz = np.asarray(dlogits, dtype=np.float64)                   # (n, d_L)
        for l in reversed(range(len(self._cache))):
            a_prev, _, _ = self._cache[l]                            # (n, d_{l-1})
            W = self.params[2 * l]                                   # (d_l, d_{l-1})
            grads[2 * l] = dz.T @ a_prev                             # (d_l, d_{l-1})
            grads[2 * l + 1] = dz.sum(axis=0)                        # (d_l,)
            if l > 0:
                da = dz @ W                                          # (n, d_{l-1})
                _, z_prev, out_prev = self._cache[l - 1]
                dz = da * act.derivative(z_prev, out_prev)           # (n, d_{l-1})
        return grads

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """1) forward; 2) mean softmax cross-entropy and dLoss/dlogits; 3) backward. ``y``: (n,) class indices."""
        logits = self.forward(X)
        loss, dlogits = softmax_cross_entropy(logits, np.asarray(y))
        return loss, self.backward(dlogits)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted class indices (n,)."""
        return self.forward(X).argmax(axis=1)

    def __repr__(self) -> str:
        return f"HandMLP(sizes={self.sizes}, activation={self.activation!r})"
