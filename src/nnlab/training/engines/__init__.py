"""Training engines: what runs ``fit``'s epochs. The ENGINES registry and the choice "auto" makes.

- ``torch``: PyTorch eager, for any model on any device; fused optimizers where torch has them, one host sync
  per epoch only when a metric is needed then.
- ``fast``: compiled kernels (numba) for small MLPs on the CPU: each epoch's forward, backward and optimizer
  steps in one call, with no per-operation Python overhead. Limits in ``support.py``.
- ``auto`` (the default): ``fast`` where it supports the model, loss, optimizer and observers, ``torch``
  everywhere else.

Both engines give a run the same meaning: the same initial weights for the same seed, the same batch order,
the same optimizer formulas (float32 rounding aside). Importing this package loads neither torch nor numba.
"""
from __future__ import annotations

from dataclasses import dataclass

from nnlab._validation import InvalidArgument
from nnlab.training.engines import support
from nnlab.training.engines.registry import ENGINES, Engine

__all__ = ["Engine", "ENGINES", "Choice", "choose_engine"]


@dataclass(frozen=True)
class Choice:
    """The engine that runs, and why (shown by ``nnlab train``)."""
    engine: str      # "torch" or "fast"
    reason: str

    def __str__(self) -> str:
        return f"engine {self.engine} ({self.reason})"


def _device_problem(*arrays) -> str | None:
    for a in arrays:
        device = getattr(a, "device", None)
        if device is not None and getattr(device, "type", "cpu") != "cpu":
            return f"data on {device}"
    return None


def choose_engine(requested: str, train_config, *, model=None, model_config=None, observers=(),
                  data=()) -> Choice:
    """Which engine trains: ``requested`` ("auto", "torch" or "fast") for ``model`` (a torch module or a
    FastMLP) or, before a model exists, the MLP of ``model_config``; ``data`` are the arrays or tensors.

    Raises InvalidArgument when "fast" is asked for and cannot serve, and when a FastMLP meets "torch".
    """
    from nnlab.training.engines.fast_model import FastMLP, model_problem
    if requested == "torch":
        if isinstance(model, FastMLP):
            raise InvalidArgument("The 'engine' parameter 'torch' cannot train a FastMLP; pass "
                                  "model.to_torch(), or use engine 'fast' or 'auto'.", "engine")
        return Choice("torch", "asked for")
    problem = (support.observer_problem(observers) or support.train_problem(train_config)
               or _device_problem(*data)
               or (model_problem(model) if model is not None
                   else support.config_problem(model_config, train_config)))
    if problem is None:
        return Choice("fast", "small MLP on the CPU" if requested == "auto" else "asked for")
    if requested == "fast" or isinstance(model, FastMLP):
        raise InvalidArgument(f"The fast engine cannot train this run: {problem}. Use engine 'auto' or "
                              "'torch'.", "engine")
    return Choice("torch", problem)
