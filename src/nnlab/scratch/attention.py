"""Scaled dot-product attention in float64 NumPy, forward and backward written by hand.

Forward, for queries Q (... x n x d), keys K (... x m x d) and values V (... x m x e)::

    S = scale * Q K^T          (scale = 1 / sqrt(d) unless given)
    S[i, j] = -inf where the causal mask hides key j from query i (j > i)
    P = softmax(S) along the keys
    O = P V

Backward, from dL/dO (here dO)::

    dV = P^T dO
    dP = dO V^T
    dS = P * (dP - rowsum(dP * P))        (the softmax's Jacobian-vector product; zero where P is zero)
    dQ = scale * dS K
    dK = scale * dS^T Q

It matches ``torch.nn.functional.scaled_dot_product_attention`` (``is_causal``: the lower-triangular mask that
keeps key j <= query i) and its autograd gradients to rounding in float64; ``check_against_torch`` measures it.
Importing this module does not import torch.
"""
from __future__ import annotations

import numpy as np

__all__ = ["attention_forward", "attention_backward", "causal_mask", "check_against_torch"]


def causal_mask(n: int, m: int) -> np.ndarray:
    """True where query i may see key j: j <= i (torch's ``is_causal``, aligned at the top left)."""
    return np.tril(np.ones((n, m), dtype=bool))


def _scale(d: int, scale: float | None) -> float:
    return 1.0 / np.sqrt(d) if scale is None else float(scale)


def attention_forward(q, k, v, causal: bool = False, scale: float | None = None):
    """``(out, cache)``: the attention output (... x n x e) and what the backward pass needs."""
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    s = _scale(q.shape[-1], scale) * (q @ np.swapaxes(k, -1, -2))                 # ... x n x m
    if causal:
        s = np.where(causal_mask(q.shape[-2], k.shape[-2]), s, -np.inf)
    shifted = s - s.max(axis=-1, keepdims=True)          # stable softmax (key 0 is never masked: no row is empty)
    e = np.exp(shifted)
    p = e / e.sum(axis=-1, keepdims=True)
    return p @ v, (q, k, v, p, _scale(q.shape[-1], scale))


def attention_backward(grad_out, cache):
    """``(dq, dk, dv)`` given dL/d(out) and the forward's cache."""
    q, k, v, p, scale = cache
    grad_out = np.asarray(grad_out, dtype=np.float64)
    dv = np.swapaxes(p, -1, -2) @ grad_out
    dp = grad_out @ np.swapaxes(v, -1, -2)
    ds = p * (dp - (dp * p).sum(axis=-1, keepdims=True))
    dq = scale * (ds @ k)
    dk = scale * (np.swapaxes(ds, -1, -2) @ q)
    return dq, dk, dv


def check_against_torch(seed: int = 0, shapes=((2, 3, 7, 5, 5, 4), (1, 2, 6, 9, 8, 3), (4, 1, 10, 10, 16, 16)),
                        ) -> dict:
    """The largest relative error (``nnlab.scratch.relative_error``: max |a - b| / max |b|, per array) between
    this module and torch's ``scaled_dot_product_attention`` in float64, output and the three gradients, with and
    without the causal mask, over ``shapes`` (batch, heads, n queries, m keys, d, e). Returns the maximum and
    each case's errors."""
    import torch
    import torch.nn.functional as F

    from nnlab.scratch.gradcheck import relative_error

    rng = np.random.default_rng(seed)
    cases = []
    for b, h, n, m, d, e in shapes:
        for causal in (False, True):
            q, k = rng.standard_normal((b, h, n, d)), rng.standard_normal((b, h, m, d))
            v, g = rng.standard_normal((b, h, m, e)), rng.standard_normal((b, h, n, e))
            out, cache = attention_forward(q, k, v, causal=causal)
            dq, dk, dv = attention_backward(g, cache)
            tq, tk, tv = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (q, k, v))
            tout = F.scaled_dot_product_attention(tq, tk, tv, is_causal=causal)
            tout.backward(torch.tensor(g))
            errors = {"out": relative_error(out, tout.detach().numpy()), "dq": relative_error(dq, tq.grad.numpy()),
                      "dk": relative_error(dk, tk.grad.numpy()), "dv": relative_error(dv, tv.grad.numpy())}
            cases.append({"shape": [b, h, n, m, d, e], "causal": causal, "errors": errors})
    return {"max_rel_error": max(max(c["errors"].values()) for c in cases), "cases": cases}
