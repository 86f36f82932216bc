"""The seed chapter's two data sets, drawn exactly as its Rust programs draw them.

The seed uses ``rand::thread_rng()`` (unseeded); here a seeded ``np.random.default_rng`` takes its place.
Draws happen in the seed's order: per point, first x1 then x2 (linear), first r then theta (circle).
"""
from __future__ import annotations

import numpy as np

from nnlab.data._common import check_args, flip_labels

__all__ = ["make_seed_linear", "make_seed_circle"]


def make_seed_linear(n: int = 200, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The perceptron program's data: x1, x2 ~ U[-1, 1), label +1 if x1 + x2 > 0 else -1.

    Parameters
    ----------
    n : int, default 200 (the seed's ``n_samples``)
    noise : float in [0, 1), default 0. Probability of flipping each label (0 = exactly the seed).
    seed : int, default 0

    Returns
    -------
    X : (n, 2) float64;  y : (n,) int64 in {-1, +1}
    """
    check_args("seed-linear", n, noise, seed, max_noise=1.0)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))              # (n, 2): row i is (x1, x2), drawn in that order
    y = np.where(X[:, 0] + X[:, 1] > 0.0, 1, -1).astype(np.int64)
    return X, flip_labels(y, noise, rng, classes=(-1, 1))


def make_seed_circle(n: int = 1000, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The MLP programs' data: r ~ U[0, 2), theta ~ U[0, 2 pi), point (r cos theta, r sin theta).

    The label is 0 if r < 1.0 else 1, as the seed's code writes it (``if r < 1.0 { 0 } else { 1 }``).

    Parameters
    ----------
    n : int, default 1000 (the seed's ``n_samples``)
    noise : float in [0, 1), default 0. Probability of flipping each label (0 = exactly the seed).
    seed : int, default 0

    Returns
    -------
    X : (n, 2) float64;  y : (n,) int64 in {0, 1}
    """
    check_args("seed-circle", n, noise, seed, max_noise=1.0)
    rng = np.random.default_rng(seed)
    draws = rng.random((n, 2))                            # (n, 2): per point r first, then theta
    r = 2.0 * draws[:, 0]
    theta = 2.0 * np.pi * draws[:, 1]
    X = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    y = np.where(r < 1.0, 0, 1).astype(np.int64)
    return X, flip_labels(y, noise, rng, classes=(0, 1))
