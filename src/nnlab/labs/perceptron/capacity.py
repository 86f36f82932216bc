"""The capacity of a line: every labelling of a point set, separable or not (a linear program), and whether the
perceptron found a separating line within its epoch budget."""
from __future__ import annotations

import numpy as np

__all__ = ["THREE", "SQUARE", "shatter", "random_points", "cover_study"]

THREE = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])                 # three points in general position
SQUARE = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])    # the four XOR points (nnlab.data.make_xor4)
XOR = (-1, 1, 1, -1)                                                    # XOR's labels on SQUARE


def shatter(X: np.ndarray, lr: float, max_epochs: int) -> list[dict]:
    """For every labelling of ``X``: LP separability, and the perceptron's run (converged, epochs, w, b)."""
    from nnlab.labs.perceptron.separability import labellings, separable
    from nnlab.perceptron import Perceptron
    rows = []
    for labels in labellings(len(X)):
        y = np.array(labels)
        p = Perceptron(lr=lr, max_epochs=max_epochs).fit(X, y)
        rows.append({"labels": list(labels), "separable": separable(X, y), "converged": bool(p.converged_),
                     "epochs": int(p.n_iter_), "mistakes_last_epoch": int(p.errors_[-1]),
                     "min_mistakes": int(min(p.errors_)),
                     "w": [float(v) for v in p.coef_], "b": float(p.intercept_),
                     "accuracy": float(np.mean(np.where(X @ p.coef_ + p.intercept_ > 0, 1, -1) == y))})
    return rows


def random_points(n: int, seed: int) -> np.ndarray:
    """n points U[-1, 1]^2 in general position (redrawn until no two coincide and no three are on a line)."""
    from nnlab.labs.perceptron.separability import general_position
    rng = np.random.default_rng([seed, n])
    while True:
        X = rng.uniform(-1.0, 1.0, (n, 2))
        if general_position(X, tol=1e-6):
            return X


def summarize(rows: list[dict]) -> dict:
    sep = [r for r in rows if r["separable"]]
    return {"labellings": len(rows), "separable": len(sep), "converged": sum(r["converged"] for r in rows),
            "converged_separable": sum(r["converged"] for r in sep),
            "converged_not_separable": sum(r["converged"] for r in rows if not r["separable"]),
            "max_epochs_separable": max((r["epochs"] for r in sep if r["converged"]), default=0),
            "not_separable": [r["labels"] for r in rows if not r["separable"]],
            "agree": all(r["separable"] == r["converged"] for r in rows)}


def cover_study(sizes, seed: int, lr: float, max_epochs: int) -> list[dict]:
    """For each size N: N random points in general position, every labelling; LP count against Cover's count."""
    from nnlab.labs.perceptron.separability import cover_count, novikoff
    out = []
    for n in sizes:
        X = random_points(n, seed)
        rows = shatter(X, lr, max_epochs)
        missed = [r for r in rows if r["separable"] and not r["converged"]]
        bounds = [novikoff(X, np.array(r["labels"]))["bound"] for r in missed]
        out.append({"n": n, "points": X.tolist(), "cover": cover_count(n), **summarize(rows),
                    "missed": [r["labels"] for r in missed], "missed_bounds": bounds,
                    "budget_updates": max_epochs * n})
    return out
