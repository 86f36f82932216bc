"""Checking gradients: central differences and the relative error used to compare two gradients.

Central difference, one coordinate at a time: df/dp_i ~ (f(p + h e_i) - f(p - h e_i)) / (2 h). Its error is
O(h^2) from truncation plus about eps_machine |f| / h from rounding; with h = 1e-6 in float64 both are
around 1e-10, which is why the check must run in float64 (in float32 rounding alone is ~1e-1).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["central_differences", "relative_error"]


def central_differences(loss: Callable[[], float], params: Sequence[np.ndarray], h: float = 1e-6) -> list[np.ndarray]:
    """Numerical gradients of ``loss()`` with respect to every entry of every array in ``params``.

    ``loss`` reads the arrays in ``params`` when called; each entry is moved to p + h and p - h in place and
    restored afterwards. Returns one array per parameter, of its shape. Costs 2 calls per scalar parameter.
    """
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            up = loss()
            p[i] = old - h
            down = loss()
            p[i] = old
            g[i] = (up - down) / (2.0 * h)
        grads.append(g)
    return grads


def relative_error(actual, expected) -> float:
    """max |actual - expected| / max(max |actual|, max |expected|): the error relative to the array's scale.

    One number per array, so an entry that is tiny (or zero) by cancellation cannot blow it up; 0 when both
    arrays are all zeros.
    """
    a = np.asarray(actual, dtype=np.float64)
    b = np.asarray(expected, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs arrays of one shape. Got {a.shape} and {b.shape}.")
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    return 0.0 if scale == 0 else float(np.abs(a - b).max() / scale)
