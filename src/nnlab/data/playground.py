"""TensorFlow Playground's six data sets, with its sizes, formulas and noise semantics.

``noise`` is the generator's own value in [0, 0.5] (the Playground's slider 0-50 divided by 100). Points come
in generation order, as the Playground makes them; ``train_test_split`` shuffles before splitting, as it does.
Classification labels are -1/+1; regression targets lie in [-1, 1]. The plot domain is [-6, 6]^2.
"""
from __future__ import annotations

import numpy as np

from nnlab.data._common import check_args

__all__ = ["make_circle", "make_xor", "make_gauss", "make_spiral", "make_reg_plane", "make_reg_gauss"]

MAX_NOISE = 0.5


def _uniform(rng: np.random.Generator, a: float, b: float, size) -> np.ndarray:
    # The Playground's randUniform(a, b) = Math.random() * (b - a) + a.
    return rng.random(size) * (b - a) + a


def make_circle(n: int = 500, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Half the points at r ~ U(0, 2.5), half at r ~ U(3.5, 5); label +1 if |p + delta| < 2.5 else -1.

    Noise delta ~ U(-5, 5) * noise per axis is added only to decide the label (it flips labels near the
    boundary; the points do not move). Returns X (n, 2) float64, y (n,) int64 in {-1, +1}.
    """
    check_args("circle", n, noise, seed, MAX_NOISE, min_n=2)
    rng = np.random.default_rng(seed)
    radius = 5.0
    half = n // 2
    parts = []
    for count, (r_lo, r_hi) in ((half, (0.0, radius * 0.5)), (n - half, (radius * 0.7, radius))):
        u = rng.random((count, 4))                        # per point: r, angle, noise x, noise y
        r = u[:, 0] * (r_hi - r_lo) + r_lo
        angle = u[:, 1] * 2 * np.pi
        xy = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
        delta = (u[:, 2:] * 2 * radius - radius) * noise
        label = np.where(np.hypot(*(xy + delta).T) < radius * 0.5, 1, -1)
        parts.append((xy, label))
    X = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts]).astype(np.int64)
    return X, y


def make_xor(n: int = 500, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """x, y ~ U(-5, 5), each pushed 0.3 away from its axis; label +1 if (x + dx)(y + dy) >= 0 else -1.

    Noise d ~ U(-5, 5) * noise flips labels near the axes; points do not move.
    """
    check_args("xor", n, noise, seed, MAX_NOISE)
    rng = np.random.default_rng(seed)
    u = rng.random((n, 4))                                # per point: x, y, noise x, noise y
    xy = u[:, :2] * 10 - 5
    xy = xy + np.where(xy > 0, 0.3, -0.3)                 # padding away from the axes
    delta = (u[:, 2:] * 10 - 5) * noise
    p = xy + delta
    y = np.where(p[:, 0] * p[:, 1] >= 0, 1, -1).astype(np.int64)
    return xy, y


def _normal(rng: np.random.Generator, mean: float, variance: float, count: int) -> np.ndarray:
    """Marsaglia's polar method, as the Playground samples (one of each accepted pair is used)."""
    out = np.empty(0)
    while out.size < count:
        v = rng.random((2 * (count - out.size) + 8, 2)) * 2 - 1
        s = (v ** 2).sum(axis=1)
        keep = (s <= 1) & (s > 0)
        v1, s = v[keep, 0], s[keep]
        out = np.concatenate([out, np.sqrt(-2 * np.log(s) / s) * v1])
    return mean + np.sqrt(variance) * out[:count]


def make_gauss(n: int = 500, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs: n/2 points around (2, 2) labelled +1, n/2 around (-2, -2) labelled -1.

    Noise widens both: variance = 0.5 + 7 * noise (the Playground's linear map [0, 0.5] -> [0.5, 4]).
    """
    check_args("gauss", n, noise, seed, MAX_NOISE, min_n=2)
    rng = np.random.default_rng(seed)
    variance = 0.5 + (4.0 - 0.5) * noise / 0.5
    half = n // 2
    parts = []
    for count, (c, label) in ((half, (2.0, 1)), (n - half, (-2.0, -1))):
        # The Playground draws x then y for each point; two columns of draws keep that per-axis independence.
        xs = _normal(rng, c, variance, 2 * count).reshape(count, 2)
        parts.append((xs, np.full(count, label, dtype=np.int64)))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def make_spiral(n: int = 500, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals: for i < n/2, r = 5 i/(n/2), t = 1.75 (i/(n/2)) 2 pi + delta_t,
    point (r sin t, r cos t); delta_t = 0 for +1 and pi for -1. Noise U(-1, 1) * noise moves the points.
    """
    check_args("spiral", n, noise, seed, MAX_NOISE, min_n=2)
    rng = np.random.default_rng(seed)
    half = n // 2
    parts = []
    for count, (dt, label) in ((half, (0.0, 1)), (n - half, (np.pi, -1))):
        i = np.arange(count)
        r = i / count * 5
        t = 1.75 * i / count * 2 * np.pi + dt
        jitter = (rng.random((count, 2)) * 2 - 1) * noise
        xy = np.stack([r * np.sin(t), r * np.cos(t)], axis=1) + jitter
        parts.append((xy, np.full(count, label, dtype=np.int64)))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _regression_points(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """x, y ~ U(-6, 6) and the noisy position the label is computed at (noise U(-6, 6) * noise)."""
    u = rng.random((n, 4)) * 12 - 6                       # per point: x, y, noise x, noise y
    return u[:, :2], u[:, :2] + u[:, 2:] * noise


def make_reg_plane(n: int = 1200, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Regression: target (x + y) / 10 at the noisy position (a linear map of [-10, 10] to [-1, 1])."""
    check_args("reg-plane", n, noise, seed, MAX_NOISE)
    X, P = _regression_points(n, noise, np.random.default_rng(seed))
    return X, (P[:, 0] + P[:, 1]) / 10.0


# (centre x, centre y, sign) of the six bumps of "Multi gaussian".
_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]])


def make_reg_gauss(n: int = 1200, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Regression: six bumps of alternating sign; target sign * clamp(1 - d/2, 0, 1) of the bump with the
    largest absolute value, d the distance from the noisy position to its centre."""
    check_args("reg-gauss", n, noise, seed, MAX_NOISE)
    X, P = _regression_points(n, noise, np.random.default_rng(seed))
    d = np.hypot(P[:, None, 0] - _BUMPS[None, :, 0], P[:, None, 1] - _BUMPS[None, :, 1])   # (n, 6)
    values = _BUMPS[None, :, 2] * np.clip(1 - d / 2, 0, 1)                                  # (n, 6)
    # The Playground keeps the first bump whose |value| is strictly largest (0 if all are 0).
    pick = np.argmax(np.abs(values), axis=1)
    return X, values[np.arange(n), pick]
