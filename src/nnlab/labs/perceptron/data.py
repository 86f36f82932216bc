"""The pocket section's data: a two-class set of nnlab.data with an exact share of its labels flipped."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["NoisyData", "noisy_data", "flip_exactly"]


@dataclass(frozen=True)
class NoisyData:
    X: np.ndarray             # (n, 2) training points
    y: np.ndarray             # (n,) -1/+1, with the flipped labels
    X_test: np.ndarray
    y_test: np.ndarray
    flipped: np.ndarray       # (n,) bool: training labels that were flipped
    flipped_count: int
    flipped_test: int


def flip_exactly(y: np.ndarray, percent: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Flip round(percent / 100 * n) labels, chosen at random without repeats: (new labels, mask of flipped)."""
    k = int(round(percent / 100 * len(y)))
    mask = np.zeros(len(y), bool)
    mask[rng.choice(len(y), size=k, replace=False)] = True
    return np.where(mask, -y, y), mask


def noisy_data(dataset: str, n: int, n_test: int, noise: float, seed: int) -> NoisyData:
    """``n`` training points of ``dataset`` drawn with ``seed`` and ``n_test`` held-out points drawn with the next
    seed (each with the data set's own generator noise, labels as -1/+1: the higher class is +1, each part shuffled
    once, so the training points do not depend on ``n_test``); then exactly ``noise`` % of each part's labels
    flipped."""
    from nnlab._validation import MAX_SEED
    from nnlab.data import make_dataset

    def part(size: int, part_seed: int, stream: int):
        X, y = make_dataset(dataset, n=size, seed=part_seed)
        y = np.where(y == y.max(), 1, -1).astype(np.int64)
        rng = np.random.default_rng([seed, stream])
        order = rng.permutation(len(y))
        y, flipped = flip_exactly(y[order], noise, rng)
        return X[order], y, flipped

    X, y, flipped = part(n, seed, 20)
    X_test, y_test, flipped_test = part(n_test, (seed + 1) % (MAX_SEED + 1), 21)
    return NoisyData(X, y, X_test, y_test, flipped, int(flipped.sum()), int(flipped_test.sum()))
