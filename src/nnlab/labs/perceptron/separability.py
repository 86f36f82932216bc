"""Exact answers about lines: is a labelling separable (a linear program), and what is the best accuracy any line
reaches on a set of points in general position (every line through two of them)."""
from __future__ import annotations

from itertools import product
from math import comb

import numpy as np

__all__ = ["separable", "best_line", "labellings", "cover_count", "general_position"]


def separable(X: np.ndarray, y: np.ndarray) -> bool:
    """Whether some (w, b) puts every point strictly on its side: the linear program "find w, b with
    y_i (w . x_i + b) >= 1 for all i" (zero objective) is feasible. Any strict separator can be scaled to meet
    the 1, so feasible <=> linearly separable. A single class is separable (w = 0, b = +-1)."""
    from scipy.optimize import linprog
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    A = -y[:, None] * np.hstack([X, np.ones((len(X), 1))])
    res = linprog(np.zeros(X.shape[1] + 1), A_ub=A, b_ub=-np.ones(len(X)), bounds=[(None, None)] * (X.shape[1] + 1),
                  method="highs")
    if res.status not in (0, 2):
        raise RuntimeError(f"linprog could not decide separability: {res.message}")
    return res.status == 0


def general_position(X: np.ndarray, tol: float = 1e-9) -> bool:
    """No two points equal and no three on one line (2-D)."""
    n = len(X)
    for i in range(n):
        d = X - X[i]
        for j in range(i + 1, n):
            cross = d[:, 0] * d[j, 1] - d[:, 1] * d[j, 0]
            cross[[i, j]] = np.inf
            if np.linalg.norm(d[j]) <= tol or np.any(np.abs(cross) <= tol * max(1.0, np.abs(d).max() ** 2)):
                return False
    return True


def best_line(X: np.ndarray, y: np.ndarray) -> tuple[int, bool]:
    """The most points any line classifies right (points exactly on it may go to either side), and whether that
    number is exact.

    Some best line can be moved, without any point changing sides, until it passes through two points; those two
    can then be put on either side by turning or shifting the line a little. So with the points in general
    position the best count is the maximum over every pair (i, j) and both orientations of the line through them of
    (points right among the other n - 2) + 2; and a constant classifier (all one class) is a candidate too. When
    three points lie on one candidate line the answer is flagged as not exact."""
    X = np.asarray(X, float)
    y = np.asarray(y)
    n = len(X)
    pos = y > 0
    best = int(max(pos.sum(), n - pos.sum()))
    exact = True
    scale = max(1.0, float(np.abs(X).max()) ** 2)
    for i in range(n - 1):
        d = X[i + 1:] - X[i]                           # (m, 2) directions to every later point
        s = (X - X[i]) @ np.stack([-d[:, 1], d[:, 0]])  # (n, m): which side of line (i, j) each point lies on
        on = np.abs(s) <= 1e-12 * scale
        on[i, :] = False
        on[np.arange(i + 1, n), np.arange(n - i - 1)] = False
        if on.any():
            exact = False
        right = ((s > 0) == pos[:, None]) & ~on
        right[i, :] = False
        right[np.arange(i + 1, n), np.arange(n - i - 1)] = False
        c = right.sum(0)
        wrong_side = ((s < 0) == pos[:, None]) & ~on
        wrong_side[i, :] = False
        wrong_side[np.arange(i + 1, n), np.arange(n - i - 1)] = False
        best = max(best, int(np.max(np.maximum(c, wrong_side.sum(0)))) + 2)
    return min(best, n), exact


def labellings(n: int) -> list[tuple[int, ...]]:
    """Every -1/+1 labelling of n points, in binary order (-1 is 0)."""
    return list(product((-1, 1), repeat=n))


def cover_count(n: int, d: int = 2) -> int:
    """Cover's function counting theorem (1965): n points in general position in R^d have
    C(n, d + 1) = 2 * sum_{k=0}^{d} binom(n - 1, k) labellings a hyperplane (with a bias) separates."""
    return 2 * sum(comb(n - 1, k) for k in range(d + 1))


def novikoff(X: np.ndarray, y: np.ndarray) -> dict | None:
    """Novikoff's bound for the perceptron started at w = 0, b = 0 (any learning rate): at most (R / gamma)^2
    updates, with z_i = (x_i, 1), R = max |z_i| and gamma = max over unit u of min_i y_i u . z_i (the widest margin
    in the augmented space: the hard-margin SVM without a separate bias, solved here as min |u|^2 subject to
    y_i u . z_i >= 1, so gamma = 1 / |u*|). None when the labels are not separable."""
    from scipy.optimize import linprog, minimize
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    Z = np.hstack([X, np.ones((len(X), 1))])
    A = y[:, None] * Z
    lp = linprog(np.zeros(3), A_ub=-A, b_ub=-np.ones(len(X)), bounds=[(None, None)] * 3, method="highs")
    if lp.status != 0:
        return None
    res = minimize(lambda u: u @ u, lp.x, jac=lambda u: 2 * u, method="SLSQP",
                   constraints=[{"type": "ineq", "fun": lambda u: A @ u - 1, "jac": lambda u: A}],
                   options={"ftol": 1e-14, "maxiter": 500})
    u = res.x if res.success and np.all(A @ res.x >= 1 - 1e-7) else lp.x
    u = u / np.min(A @ u)                     # exactly feasible: the smallest y_i u . z_i is 1
    gamma = 1.0 / float(np.linalg.norm(u))
    R = float(np.linalg.norm(Z, axis=1).max())
    return {"R": R, "gamma": gamma, "bound": (R / gamma) ** 2}
