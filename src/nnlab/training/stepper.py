"""The one interface every engine trains through (``Stepper``), and what each driver asks of it.

A stepper holds one model's training state on one engine: its data in the engine's layout, its optimizer state,
its batch order. ``fit`` (through ``nnlab.training.driver``) and the playground's ``Trainer`` drive the same
steppers, so one seed means one run whichever driver asks for the epochs. Built as
``Stepper(model, X, y, config, task[, reshuffle])``; the implementations are ``TorchStepper``
(``engines/torch_stepper.py``), ``FastStepper`` (``engines/fast_fit.py``) and ``PlaygroundStepper``
(``engines/playground_stepper.py``, TensorFlow Playground's rules). The sweeps' batched engine has the K-model
form of it, ``BatchedStepper`` (``sweeps/batched_stepper.py``: one value per trial, metrics kept in tensors until
read), driven with the same pieces (``driver.TrialBook``). This module imports neither torch nor numba.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

import numpy as np

__all__ = ["Stepper", "Interrupted"]


class Stepper(Protocol):
    """One model's training on one engine, an epoch or a run of epochs at a time.

    Attributes: ``model`` (what observers see), ``info`` (History fields the engine fills: ``engine``,
    ``device``, ``precision``, ``compile_time_s``, ``kernels``).
    """

    model: Any
    info: dict

    def run(self, epochs: int) -> list[tuple[float, float]]:
        """Train up to ``epochs`` epochs; per epoch (mean training loss, accuracy; 0 for regression), stopping
        after the first non-finite loss. The torch stepper syncs with the host once per call, so it may have
        trained the call's later epochs on already non-finite weights. Ctrl-C raises KeyboardInterrupt with the
        finished epochs' metrics in its ``epochs`` attribute (see ``Interrupted``)."""
        ...

    def evaluate(self, X, y) -> dict:
        """{"loss", "accuracy" (classification)} of the model now on X (n, d), y (n,), in eval mode."""
        ...

    def running(self) -> AbstractContextManager:
        """The context a driver holds around many ``run`` and ``evaluate`` calls (the torch stepper's thread
        count, set once instead of twice per call); a null context on the other engines."""
        ...

    def weights(self) -> Any:
        """A copy of everything the model holds (for early stopping's best epoch); ``load_weights`` takes it."""
        ...

    def load_weights(self, weights: Any) -> None: ...

    def parameters(self) -> np.ndarray:
        """Every parameter, flat float32 in torch's order (W1, b1, W2, ...): live on the fast and playground
        engines, a copy on torch."""
        ...

    def load_parameters(self, theta: np.ndarray) -> None: ...

    def set_lr(self, lr: float) -> None:
        """The learning rate from the next update on (optimizer state kept)."""
        ...

    def set_penalties(self, l1: float, l2: float) -> None:
        """The L1/L2 rates from the next update on."""
        ...

    def set_inputs(self, X: np.ndarray) -> None:
        """The next epochs' training inputs (n, d) float32: an augmented variant of X."""
        ...


class Interrupted:
    """How a stepper hands over the epochs it finished before Ctrl-C: ``Interrupted.attach(error, epochs)`` sets
    them on the KeyboardInterrupt it re-raises, ``Interrupted.epochs(error)`` reads them ([] if none)."""

    @staticmethod
    def attach(error: BaseException, epochs: list[tuple[float, float]]) -> None:
        error.epochs = epochs          # type: ignore[attr-defined]

    @staticmethod
    def epochs(error: BaseException) -> list[tuple[float, float]]:
        return list(getattr(error, "epochs", []))
