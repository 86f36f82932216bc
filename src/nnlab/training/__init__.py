"""Training: the one loop (``fit``), its registries (OPTIMIZERS, LOSSES) and its observers.

The registries import without torch; ``fit``, ``evaluate``, ``History`` and ``train`` load torch on first use.
"""
from nnlab.training.losses import LOSSES, Loss, output_size_for
from nnlab.training.optimizers import OPTIMIZERS, Optimizer

__all__ = ["LOSSES", "Loss", "OPTIMIZERS", "Optimizer", "output_size_for", "fit", "evaluate", "History",
           "train", "TrainedRun", "Observer", "GradientCapture", "ProgressBar"]

_LAZY = {"fit": "loop", "evaluate": "loop", "History": "loop", "train": "run", "TrainedRun": "run",
         "Observer": "observers", "GradientCapture": "observers", "ProgressBar": "observers"}


def __getattr__(name):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f"nnlab.training.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'nnlab.training' has no attribute {name!r}")
