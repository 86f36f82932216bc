"""The two small-data tasks of the regularisation lab and their seeded train / validation / test splits.

- ``spiral``: TF Playground's two spirals, 500 points at noise 25 (0.25 here), 20 % (100 points) to train, as
  the Playground's "ratio of training data" 20 % does; of the rest, 100 points validate and 300 test.
- ``digits``: scikit-learn's bundled 8 x 8 digits (1797 images, nothing downloaded), pixels scaled to [0, 1];
  10 images per class to train, 10 per class to validate, the other 1597 to test.

Seed ``s`` draws the data (spiral) and the split, so five seeds see five samples. The validation set decides
early stopping and which strength of each regulariser is kept; the test set only reports.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Split", "Task", "TASKS"]


@dataclass(frozen=True)
class Split:
    X_train: np.ndarray       # (n_train, d) float32
    y_train: np.ndarray       # (n_train,) class indices
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    def __repr__(self) -> str:
        return f"Split(train={len(self.y_train)}, val={len(self.y_val)}, test={len(self.y_test)})"


@dataclass(frozen=True)
class Task:
    """A data set with its split, the network the regularisers are tried on, and how it trains."""
    name: str
    description: str
    split: Callable[[int], Split]        # seed -> Split
    input_size: int
    classes: int
    hidden: tuple[int, ...]              # the over-sized network of the regulariser study
    epochs: int                          # full-batch Adam epochs
    lr: float
    augment: str                         # "jitter" (input noise) or "shift" (image shifts)
    sgd_lr: float                        # plain SGD, for the L1/L2 weight study
    image_side: int | None = None        # 8 for digits
    domain: float | None = None          # plot range of a 2-D task
    class_names: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        return f"Task({self.name!r}: {self.description})"


def _spiral(seed: int) -> Split:
    from nnlab.data import make_spiral, to_class_indices
    X, y = make_spiral(500, noise=0.25, seed=seed)
    y, _ = to_class_indices(y)                                     # -1/+1 -> 0/1
    order = np.random.default_rng([seed, 2]).permutation(len(X))
    train, val, test = order[:100], order[100:200], order[200:]
    X = X.astype(np.float32)
    return Split(X[train], y[train], X[val], y[val], X[test], y[test])


def _digits(seed: int) -> Split:
    from sklearn.datasets import load_digits
    data = load_digits()
    X, y = (data.data / 16.0).astype(np.float32), data.target.astype(np.int64)
    rng = np.random.default_rng([seed, 3])
    parts = [[], [], []]
    for c in range(10):                                            # stratified: 10 + 10 per class, the rest test
        idx = rng.permutation(np.flatnonzero(y == c))
        for part, chosen in zip(parts, (idx[:10], idx[10:20], idx[20:])):
            part.append(chosen)
    train, val, test = (np.concatenate(p) for p in parts)
    return Split(X[train], y[train], X[val], y[val], X[test], y[test])


TASKS: dict[str, Task] = {t.name: t for t in [
    Task("spiral", "TF Playground spiral, noise 25, 100 train / 100 validation / 300 test points", _spiral,
         input_size=2, classes=2, hidden=(64, 64), epochs=1000, lr=0.01, augment="jitter", sgd_lr=0.1,
         domain=6.0, class_names=("-1", "+1")),
    Task("digits", "scikit-learn 8x8 digits, 10 train / 10 validation images per class, 1597 test", _digits,
         input_size=64, classes=10, hidden=(64, 64), epochs=300, lr=0.01, augment="shift", sgd_lr=0.1,
         image_side=8, class_names=tuple(str(i) for i in range(10))),
]}
