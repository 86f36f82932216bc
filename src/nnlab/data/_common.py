"""Helpers shared by the generators: argument checks and label noise."""
from __future__ import annotations

import numpy as np

from nnlab._validation import check_fraction, check_int, check_seed

__all__ = ["check_args", "flip_labels"]


def check_args(name: str, n, noise, seed, max_noise: float = 1.0, min_n: int = 1) -> None:
    owner = f"make_{name.replace('-', '_')}"
    check_int("n", n, owner, minimum=min_n)
    check_fraction("noise", noise, owner, high=max_noise, closed_high=True)
    check_seed("seed", seed, owner)


def flip_labels(y: np.ndarray, prob: float, rng: np.random.Generator, classes: tuple[int, int]) -> np.ndarray:
    """Swap each label between the two ``classes`` with probability ``prob`` (draws nothing if prob == 0)."""
    if prob == 0:
        return y
    flip = rng.random(y.shape[0]) < prob
    a, b = classes
    return np.where(flip, np.where(y == a, b, a), y).astype(y.dtype)
