"""The seed's Figure 4 as nnlab computes it: the perceptron rule on the seed's 200 points, the line after every
update, and how many points each line classifies right."""
from __future__ import annotations

import numpy as np

__all__ = ["figure4", "pick_snapshots"]


def pick_snapshots(n_updates: int, k: int) -> list[int]:
    """``k`` update numbers from 1 to ``n_updates`` for the strip: the first few, then spaced geometrically, and
    always the last (every update when there are at most ``k``)."""
    if n_updates <= k:
        return list(range(1, n_updates + 1))
    picked = []
    for v in np.geomspace(1, n_updates, k):
        u = int(round(v))
        u = max(u, picked[-1] + 1 if picked else 1)
        picked.append(u)
    # pushed past the end by the bumps: pull the tail back so the last is the last update
    for i in range(k - 1, -1, -1):
        picked[i] = min(picked[i], n_updates - (k - 1 - i))
    return picked


def figure4(X: np.ndarray, y: np.ndarray, lr: float, max_epochs: int) -> dict:
    """Train and trace; returns the trace and per-update numbers: ``right[k]`` = points right after update k
    (k = 0: the start, w = 0 and b = 0, which calls every point -1)."""
    from nnlab.perceptron import Perceptron, trace_updates
    trace = trace_updates(X, y, lr=lr, max_epochs=max_epochs)
    target = np.where(y > 0, 1, -1)
    right = np.array([int(np.count_nonzero(np.where(X @ w + b > 0, 1, -1) == target))
                      for w, b in zip(trace.weights, trace.bias)])
    fitted = Perceptron(lr=lr, max_epochs=max_epochs).fit(X, y)
    same = bool(np.array_equal(fitted.coef_, trace.weights[-1]) and fitted.intercept_ == trace.bias[-1])
    change = np.diff(right)
    return {"trace": trace, "right": right, "same_as_fit": same, "n": len(y),
            "worse": int(np.count_nonzero(change < 0)), "better": int(np.count_nonzero(change > 0)),
            "largest_drop": int(-change.min()) if len(change) and change.min() < 0 else 0}
