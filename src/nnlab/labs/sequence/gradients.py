"""How far the loss's gradient reaches back in time: ||dL/dh_t|| for t = 1 .. T, measured by unrolling the trained
torch module one step at a time (in float64, so a gradient of 1e-40 is still a number) and asking autograd for the
gradient at every state h_t, everything that reaches it from the later steps included."""
from __future__ import annotations

import numpy as np
import torch

__all__ = ["grad_norms", "geometric_fit"]


def grad_norms(net, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """Mean over the sequences of ||dL_i/dh_t|| (L_i the squared error of sequence i), t = 1 .. T. For the LSTM
    h_t is its output state (the cell state c_t is carried beside it)."""
    import copy
    net = copy.deepcopy(net).double()
    x, y = x.double(), y.double()
    state, states = None, []
    for t in range(x.shape[1]):
        _, state = net.rnn(x[:, t:t + 1], state)
        h = state[0] if isinstance(state, tuple) else state
        h.retain_grad()
        states.append(h)
    out = net.head(states[-1][0])
    ((out - y) ** 2).sum().backward()
    return np.array([float(h.grad[0].norm(dim=1).mean()) for h in states])


def geometric_fit(norms: np.ndarray) -> dict:
    """A straight line through log10 ||dL/dh_t|| against t. ``factor``: what one step back in time multiplies the
    gradient by, ||dL/dh_{t-1}|| ~ factor x ||dL/dh_t|| (10^-slope; below 1 it vanishes geometrically, above 1 it
    explodes); ``r2``: how straight the line is (1: exactly geometric); ``ratio`` = ||dL/dh_1|| / ||dL/dh_T||.
    Zeros are left out of the fit."""
    norms = np.asarray(norms, dtype=np.float64)
    t = np.arange(1, len(norms) + 1)
    ok = norms > 0
    ratio = float(norms[0] / norms[-1]) if norms[-1] > 0 else float("nan")
    if ok.sum() < 3:
        return {"factor": float("nan"), "r2": float("nan"), "ratio": ratio}
    logs = np.log10(norms[ok])
    slope, intercept = np.polyfit(t[ok], logs, 1)
    residual = logs - (slope * t[ok] + intercept)
    total = ((logs - logs.mean()) ** 2).sum()
    r2 = float(1 - (residual ** 2).sum() / total) if total > 0 else 1.0
    return {"factor": float(10 ** -slope), "r2": r2, "ratio": ratio}
