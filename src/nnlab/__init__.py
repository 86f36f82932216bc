"""nnlab: a lab for the foundations of deep learning.

Public API (heavy modules load on first use, so ``import nnlab`` is fast)::

    nnlab.DATASETS, nnlab.make_dataset, nnlab.load_csv       data
    nnlab.Perceptron                                         the perceptron learning algorithm
    nnlab.ModelConfig, nnlab.build_mlp, nnlab.ACTIVATIONS    models
    nnlab.TrainConfig, nnlab.fit, nnlab.train, nnlab.OPTIMIZERS, nnlab.LOSSES
    nnlab.RunConfig, nnlab.DataConfig, nnlab.PRESETS
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "DATASETS": "nnlab.data", "make_dataset": "nnlab.data", "load_csv": "nnlab.data",
    "train_test_split": "nnlab.data",
    "Perceptron": "nnlab.perceptron",
    "ACTIVATIONS": "nnlab.nn", "INITS": "nnlab.nn", "build_mlp": "nnlab.nn", "MLP": "nnlab.nn",
    "count_parameters": "nnlab.nn",
    "OPTIMIZERS": "nnlab.training", "LOSSES": "nnlab.training", "ENGINES": "nnlab.training", "fit": "nnlab.training",
    "evaluate": "nnlab.training", "train": "nnlab.training", "History": "nnlab.training",
    "GradientCapture": "nnlab.training", "ProgressBar": "nnlab.training", "Observer": "nnlab.training",
    "DataConfig": "nnlab.config", "ModelConfig": "nnlab.config", "TrainConfig": "nnlab.config",
    "RunConfig": "nnlab.config", "PRESETS": "nnlab.config",
    "InvalidArgument": "nnlab._validation", "NotFittedError": "nnlab._validation",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'nnlab' has no attribute {name!r}")


def __dir__():
    return __all__
