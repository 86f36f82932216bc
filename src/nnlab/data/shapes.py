"""Small classic shapes: the four XOR points, two moons, and K interleaved spirals."""
from __future__ import annotations

import numpy as np

from nnlab._validation import InvalidArgument, check_int
from nnlab.data._common import check_args

__all__ = ["make_xor4", "make_moons", "make_spirals"]


def make_xor4(n: int = 4, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The four boolean points (0,0)->-1, (0,1)->+1, (1,0)->+1, (1,1)->-1, repeated n/4 times.

    ``noise`` is the standard deviation of Gaussian jitter on the points (0 = exactly the four corners).
    ``n`` must be a multiple of 4. Returns X (n, 2) float64, y (n,) int64 in {-1, +1}.
    """
    check_args("xor4", n, noise, seed, max_noise=1.0, min_n=4)
    if n % 4:
        raise InvalidArgument(f"The 'n' parameter of make_xor4 must be a multiple of 4. Got {n!r} instead.", "n",
                              owner="make_xor4", allowed="a multiple of 4", value=n)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    labels = np.array([-1, 1, 1, -1], dtype=np.int64)
    X = np.tile(corners, (n // 4, 1))
    if noise > 0:
        X = X + np.random.default_rng(seed).normal(0.0, noise, X.shape)
    return X, np.tile(labels, n // 4)


def make_moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's ``make_moons`` formula, unshuffled).

    The upper moon (label 0) is (cos t, sin t) for t in linspace(0, pi, ceil(n/2)); the lower (label 1)
    is (1 - cos t, 0.5 - sin t). ``noise`` is the std of Gaussian noise added to every coordinate.
    """
    check_args("moons", n, noise, seed, max_noise=1.0, min_n=2)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),
                        np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], 1)])
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    if noise > 0:
        X = X + np.random.default_rng(seed).normal(0.0, noise, X.shape)
    return X, y


def make_spirals(n: int = 300, noise: float = 0.2, seed: int = 0, classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """K interleaved spiral arms, one per class (labels 0..K-1), n // K points each (the remainder spread over the
    first arms).

    Arm k: r = linspace(0, 1), t = linspace(4k, 4(k+1)) + N(0, noise), point (r sin t, r cos t).
    """
    check_args("spirals", n, noise, seed, max_noise=1.0)
    check_int("classes", classes, "make_spirals", minimum=2)
    if n < classes:
        raise InvalidArgument(f"The 'n' parameter of make_spirals must be >= classes ({classes}). "
                              f"Got {n!r} instead.", "n", owner="make_spirals",
                              allowed=f"an integer >= the number of classes ({classes})", value=n)
    rng = np.random.default_rng(seed)
    counts = [n // classes + (1 if k < n % classes else 0) for k in range(classes)]
    Xs, ys = [], []
    for k, count in enumerate(counts):
        r = np.linspace(0.0, 1.0, count)
        t = np.linspace(4.0 * k, 4.0 * (k + 1), count) + rng.normal(0.0, 1.0, count) * noise
        Xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(count, k, dtype=np.int64))
    return np.concatenate(Xs), np.concatenate(ys)
