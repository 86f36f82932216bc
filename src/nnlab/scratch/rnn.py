"""A vanilla (Elman) RNN layer in NumPy float64, with backpropagation through time written by hand.

The cell is the one ``torch.nn.RNN`` computes (nonlinearity tanh, one layer, ``batch_first=True``)::

    a_t = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh
    h_t = tanh(a_t)                                     t = 1 .. T, h_0 given

Backpropagation through time walks the sequence backwards, carrying dL/dh_t: the gradient that arrives from the
outputs at step t plus the one handed back from step t + 1::

    g_t    = dL/dh_t = grad_out_t + da_{t+1} W_hh
    da_t   = g_t * (1 - h_t^2)                          (tanh' = 1 - tanh^2)
    dW_ih += da_t^T x_t,  dW_hh += da_t^T h_{t-1},  db_ih += sum_batch da_t,  db_hh = db_ih
    dx_t   = da_t W_ih,   dL/dh_0 = da_1 W_hh

``rnn_forward`` returns the states and a cache; ``rnn_backward`` the gradients of every parameter, the inputs and
h_0, and the norm of dL/dh_t at every step (what the sequence lab plots). ``compare_with_torch`` runs both on the
same numbers and returns the largest relative error (``nnlab.scratch.gradcheck.relative_error``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["RNNParams", "init_params", "rnn_forward", "rnn_backward", "compare_with_torch"]


@dataclass
class RNNParams:
    """Weights of one layer in torch's names and shapes: W_ih (H, D), W_hh (H, H), b_ih (H,), b_hh (H,)."""
    W_ih: np.ndarray
    W_hh: np.ndarray
    b_ih: np.ndarray
    b_hh: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray]:
        return {"W_ih": self.W_ih, "W_hh": self.W_hh, "b_ih": self.b_ih, "b_hh": self.b_hh}


def init_params(input_size: int, hidden_size: int, seed: int = 0) -> RNNParams:
    """torch's default: every weight and bias uniform in [-1/sqrt(H), 1/sqrt(H)], float64."""
    rng = np.random.default_rng(seed)
    k = 1.0 / np.sqrt(hidden_size)
    u = lambda *shape: rng.uniform(-k, k, size=shape)
    return RNNParams(u(hidden_size, input_size), u(hidden_size, hidden_size), u(hidden_size), u(hidden_size))


def rnn_forward(x: np.ndarray, h0: np.ndarray, p: RNNParams) -> tuple[np.ndarray, dict]:
    """States h_1 .. h_T, shape (B, T, H), for inputs ``x`` (B, T, D) and initial state ``h0`` (B, H)."""
    x = np.asarray(x, dtype=np.float64)
    B, T, _ = x.shape
    hs = np.empty((B, T + 1, p.W_hh.shape[0]))
    hs[:, 0] = h0
    for t in range(T):
        hs[:, t + 1] = np.tanh(x[:, t] @ p.W_ih.T + p.b_ih + hs[:, t] @ p.W_hh.T + p.b_hh)
    return hs[:, 1:], {"x": x, "hs": hs, "p": p}


def rnn_backward(grad_out: np.ndarray, cache: dict) -> dict[str, np.ndarray]:
    """Gradients of a loss L given dL/dh_t from the outputs, ``grad_out`` (B, T, H) (zero where L does not read
    h_t directly). Returns dW_ih, dW_hh, db_ih, db_hh, dx (B, T, D), dh0 (B, H) and ``grad_h_norm`` (T,): the
    mean over the batch of ||dL/dh_t||, everything that reaches h_t from the steps after it included."""
    x, hs, p = cache["x"], cache["hs"], cache["p"]
    B, T, _ = x.shape
    g = {k: np.zeros_like(v) for k, v in p.as_dict().items()}
    dx = np.empty_like(x)
    norms = np.empty(T)
    carry = np.zeros((B, p.W_hh.shape[0]))          # dL/dh_t handed back from step t + 1
    for t in range(T - 1, -1, -1):
        dh = grad_out[:, t] + carry
        norms[t] = np.linalg.norm(dh, axis=1).mean()
        da = dh * (1.0 - hs[:, t + 1] ** 2)
        g["W_ih"] += da.T @ x[:, t]
        g["W_hh"] += da.T @ hs[:, t]
        g["b_ih"] += da.sum(axis=0)
        dx[:, t] = da @ p.W_ih
        carry = da @ p.W_hh
    g["b_hh"] = g["b_ih"].copy()
    return {"dW_ih": g["W_ih"], "dW_hh": g["W_hh"], "db_ih": g["b_ih"], "db_hh": g["b_hh"], "dx": dx, "dh0": carry,
            "grad_h_norm": norms}


def compare_with_torch(batch: int = 4, length: int = 12, input_size: int = 3, hidden_size: int = 5,
                       seed: int = 0) -> dict[str, float]:
    """Run the NumPy layer and ``torch.nn.RNN`` (float64) on the same weights, inputs and h_0; the loss reads every
    h_t through random weights, L = sum_t,b,j c_tbj h_tbj. Returns the relative error of every output and gradient,
    and ``max`` over them."""
    import torch

    from nnlab.scratch.gradcheck import relative_error
    rng = np.random.default_rng(seed)
    p = init_params(input_size, hidden_size, seed)
    x = rng.normal(size=(batch, length, input_size))
    h0 = rng.normal(scale=0.5, size=(batch, hidden_size))
    c = rng.normal(size=(batch, length, hidden_size))

    hs, cache = rnn_forward(x, h0, p)
    ours = rnn_backward(c, cache)

    rnn = torch.nn.RNN(input_size, hidden_size, batch_first=True).double()
    with torch.no_grad():
        for name, value in (("weight_ih_l0", p.W_ih), ("weight_hh_l0", p.W_hh), ("bias_ih_l0", p.b_ih),
                            ("bias_hh_l0", p.b_hh)):
            getattr(rnn, name).copy_(torch.from_numpy(value))
    xt = torch.from_numpy(x).requires_grad_(True)
    h0t = torch.from_numpy(h0).unsqueeze(0).requires_grad_(True)
    out, _ = rnn(xt, h0t)
    (out * torch.from_numpy(c)).sum().backward()
    theirs = {"h": out.detach().numpy(), "dW_ih": rnn.weight_ih_l0.grad.numpy(), "dW_hh": rnn.weight_hh_l0.grad.numpy(),
              "db_ih": rnn.bias_ih_l0.grad.numpy(), "db_hh": rnn.bias_hh_l0.grad.numpy(), "dx": xt.grad.numpy(),
              "dh0": h0t.grad[0].numpy()}
    mine = {"h": hs, **{k: ours[k] for k in theirs if k != "h"}}
    errors = {k: relative_error(mine[k], theirs[k]) for k in theirs}
    errors["max"] = max(errors.values())
    return errors
