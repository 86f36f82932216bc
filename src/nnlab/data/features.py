"""TensorFlow Playground's seven input features: what each input node feeds the network, from a 2-D point.

Keys are the Playground's URL keys. Features are not normalised: the raw coordinates go in, as there.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Feature", "FEATURES", "feature_matrix"]


@dataclass(frozen=True)
class Feature:
    key: str                                   # URL key
    label: str                                 # shown on the node
    of: Callable[[np.ndarray, np.ndarray], np.ndarray]


FEATURES: dict[str, Feature] = {f.key: f for f in [
    Feature("x", "X1", lambda x, y: x),
    Feature("y", "X2", lambda x, y: y),
    Feature("xSquared", "X1²", lambda x, y: x * x),
    Feature("ySquared", "X2²", lambda x, y: y * y),
    Feature("xTimesY", "X1X2", lambda x, y: x * y),
    Feature("sinX", "sin(X1)", lambda x, y: np.sin(x)),
    Feature("sinY", "sin(X2)", lambda x, y: np.sin(y)),
]}


def feature_matrix(X: np.ndarray, keys) -> np.ndarray:
    """The network's inputs (n, len(keys)) float32 for 2-D points X (n, 2)."""
    X = np.asarray(X, np.float64)
    return np.stack([FEATURES[k].of(X[:, 0], X[:, 1]) for k in keys], axis=1).astype(np.float32)
