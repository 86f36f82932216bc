"""Training: the one loop (``fit``), its registries (OPTIMIZERS, LOSSES) and its observers.

The registries import without torch; ``fit``, ``evaluate`` and ``train`` import torch only when the torch engine
runs (the fast engine trains small MLPs with compiled NumPy kernels).
"""
from nnlab.training.engines import ENGINES
from nnlab.training.losses import LOSSES, Loss, output_size_for
from nnlab.training.optimizers import OPTIMIZERS, Optimizer

__all__ = ["ENGINES", "LOSSES", "Loss", "OPTIMIZERS", "Optimizer", "output_size_for", "fit", "evaluate", "History",
           "train", "TrainedRun", "Observer", "GradientCapture", "ProgressBar"]

_LAZY = {"fit": "loop", "evaluate": "loop", "History": "loop", "train": "run", "TrainedRun": "run",
         "Observer": "observers", "GradientCapture": "observers", "ProgressBar": "observers"}


def __getattr__(name):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f"nnlab.training.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'nnlab.training' has no attribute {name!r}")
