"""How samples are scored against held-out data: modes covered on the ring (nearest-centre counts within a stated
radius, a stated minimum count per mode) and the maximum mean discrepancy with a Gaussian kernel of stated
bandwidth."""
from __future__ import annotations

import numpy as np

__all__ = ["mode_counts", "modes_covered", "near_fraction", "mmd"]


def mode_counts(samples: np.ndarray, centres: np.ndarray, radius: float) -> np.ndarray:
    """How many samples have centre j as their nearest centre and lie within ``radius`` of it, for each j.
    Non-finite samples count for no centre."""
    samples = np.asarray(samples, dtype=np.float64)
    d = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=2)
    d = np.where(np.isfinite(d), d, np.inf)
    nearest = d.argmin(axis=1)
    near = d[np.arange(len(samples)), nearest] <= radius
    return np.bincount(nearest[near], minlength=len(centres))


def modes_covered(samples, centres, radius: float, min_count: int) -> int:
    """The number of centres holding at least ``min_count`` samples (``mode_counts``)."""
    return int((mode_counts(samples, centres, radius) >= min_count).sum())


def near_fraction(samples, centres, radius: float) -> float:
    """The share of samples within ``radius`` of some centre (the rest lie between or beyond the modes)."""
    return float(mode_counts(samples, centres, radius).sum() / len(samples))


def mmd(x: np.ndarray, y: np.ndarray, bandwidth: float) -> float:
    """The maximum mean discrepancy between the samples x and y with the Gaussian kernel
    k(a, b) = exp(-|a - b|^2 / (2 bandwidth^2)): sqrt of the biased (V-statistic) estimate
    mean k(x, x') + mean k(y, y') - 2 mean k(x, y). Zero only for equal samples; two samples of one distribution
    give a small positive value (the noise floor). Non-finite samples give inf."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        return float("inf")

    def k(a, b):
        sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
        return np.exp(-np.maximum(sq, 0.0) / (2 * bandwidth ** 2)).mean()

    return float(np.sqrt(max(k(x, x) + k(y, y) - 2 * k(x, y), 0.0)))
