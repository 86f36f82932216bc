"""TensorFlow Playground's seven input features, as the page names them. The registry lives with the data
(``nnlab.data.features``), where ``prepare`` turns points into the network's inputs; the split that keeps the
Playground's share of points to train is ``nnlab.data.split.split_fraction``."""
from __future__ import annotations

from nnlab.data.features import FEATURES, Feature, feature_matrix
from nnlab.data.split import split_fraction

__all__ = ["Feature", "FEATURES", "feature_matrix", "split_fraction"]
