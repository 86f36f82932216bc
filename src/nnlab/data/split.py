"""Train/test split, standardisation, and mapping labels to class indices."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlab._validation import NotFittedError, check_fraction, check_seed

__all__ = ["train_test_split", "split_fraction", "Standardizer", "to_class_indices"]


def train_test_split(X: np.ndarray, y: np.ndarray, test_fraction: float = 0.5, seed: int = 0):
    """Shuffle once (seeded), then split: the first ``floor(n * (1 - test_fraction))`` points train.

    This is TensorFlow Playground's split (shuffle, then cut at floor(N * ratio)). Returns
    ``X_train, X_test, y_train, y_test``; with ``test_fraction == 0`` the test arrays are empty.
    """
    check_fraction("test_fraction", test_fraction, "train_test_split")
    check_seed("seed", seed, "train_test_split")
    order = np.random.default_rng(seed).permutation(len(X))
    cut = int(np.floor(len(X) * (1.0 - test_fraction)))
    train, test = order[:cut], order[cut:]
    return X[train], X[test], y[train], y[test]


def split_fraction(n: int, percent_train: int) -> float:
    """The ``test_fraction`` for which ``train_test_split`` keeps floor(n * percent_train / 100) of n points to
    train, TensorFlow Playground's cut (1 - p/100 alone can round one point the wrong way, e.g. n = 500, p = 10)."""
    want = n * percent_train // 100
    fraction = (100 - percent_train) / 100
    for _ in range(64):
        cut = int(np.floor(n * (1.0 - fraction)))
        if cut == want:
            return fraction
        fraction = float(np.nextafter(fraction, 0.0 if cut < want else 1.0))
    return fraction


@dataclass
class Standardizer:
    """Rescale each feature to zero mean and unit variance, with statistics from the training data only."""
    mean_: np.ndarray | None = None    # (d,)
    scale_: np.ndarray | None = None   # (d,); features with zero spread keep scale 1

    def fit(self, X: np.ndarray) -> Standardizer:
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if self.mean_ is None:
            raise NotFittedError("This Standardizer is not fitted yet; call fit(X_train) first.")
        return (X - self.mean_) / self.scale_

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        return self.fit(X).transform(X)


def to_class_indices(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map labels to 0..K-1 in sorted order (-1/+1 -> 0/1). Returns ``(indices, classes)``."""
    classes, indices = np.unique(y, return_inverse=True)
    return indices.astype(np.int64), classes
