"""Training engines: what runs ``fit``'s epochs. The ENGINES registry and the choice "auto" makes.

- ``torch``: PyTorch eager, for any model on any device; fused optimizers where torch has them, one host sync
  per epoch only when a metric is needed then.
- ``fast``: compiled kernels (numba) for small MLPs on the CPU: each epoch's forward, backward and optimizer
  steps in one call, with no per-operation Python overhead. Limits in ``support.py``.
- ``auto`` (the default): ``fast`` where it supports the model, loss, optimizer and observers, ``torch``
  everywhere else.

What each engine can run is one table, ``capabilities.py`` (``supports(engine, config, ...)``); the playground's
Trainer has a third engine there, "playground" (TensorFlow Playground's rules).

Both engines give a run the same meaning: the same initial weights for the same seed, the same batch order,
the same optimizer formulas (float32 rounding aside). Importing this package loads neither torch nor numba.
"""
from __future__ import annotations

from dataclasses import dataclass

from nnlab._validation import InvalidArgument
from nnlab.training.engines.capabilities import CAPABILITIES, supports
from nnlab.training.engines.registry import ENGINES, Engine

__all__ = ["Engine", "ENGINES", "Choice", "choose_engine", "CAPABILITIES", "supports"]


@dataclass(frozen=True)
class Choice:
    """The engine that runs, and why (shown by ``nnlab train``)."""
    engine: str      # "torch" or "fast"
    reason: str

    def __str__(self) -> str:
        return f"engine {self.engine} ({self.reason})"


def choose_engine(requested: str, train_config, *, model=None, model_config=None, observers=(),
                  data=(), driver: str = "fit") -> Choice:
    """Which engine trains: ``requested`` ("auto", "torch" or "fast") for ``model`` (a torch module or a
    FastMLP) or, before a model exists, the MLP of ``model_config``; ``data`` are the arrays or tensors;
    ``driver`` "fit" or "trainer". Decided by the capability table (``capabilities.supports``).

    Raises InvalidArgument when "fast" is asked for and cannot serve, and when a FastMLP meets "torch".
    """
    context = {"driver": driver, "model": model, "model_config": model_config, "observers": observers,
               "data": data}
    if requested == "torch":
        if supports("torch", train_config, **context) is not None:
            raise InvalidArgument("The 'engine' parameter 'torch' cannot train a FastMLP; pass "
                                  "model.to_torch(), or use engine 'fast' or 'auto'.", "engine")
        return Choice("torch", "asked for")
    problem = supports("fast", train_config, **context)
    if problem is None:
        return Choice("fast", "small MLP on the CPU" if requested == "auto" else "asked for")
    if requested == "fast" or supports("torch", train_config, **context) is not None:
        raise InvalidArgument(f"The fast engine cannot train this run: {problem}. Use engine 'auto' or "
                              "'torch'.", "engine")
    return Choice("torch", problem)
