"""A resumable trainer: ``fit``'s epochs a few at a time, with the learning rate and penalties changeable between.

``Trainer(model, X, y, config).step(n)`` trains n epochs and returns their metrics; calling ``step(N)`` then
``step(M)`` is the same run as ``fit`` for N + M epochs (same seed: same batch order, same updates). It drives
``fit``'s own steppers (``nnlab.training.stepper``) with ``fit``'s own epoch start (``driver.EpochStart``: the
scheduled rate, augmented inputs), on the engine the capability table picks (``engines/capabilities.py``),
which also words its refusals. Unlike ``fit`` it has no early stopping (the caller decides when to stop:
``config.early_stopping`` is ignored), no observers and no test set.

``semantics="playground"`` trains as TensorFlow Playground does instead (``engines/classic_kernels.py``):
squared loss 0.5 (out - y)^2 on a tanh output (classification, labels -1/+1) or a linear one (regression),
plain SGD, samples in stored order, per-update regularisation with the L1 zero rule. ``config.l1`` or
``config.l2`` gives the penalty kind and rate (not both).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnlab._validation import InvalidArgument, check_nonneg, check_positive
from nnlab.config import TrainConfig
from nnlab.training.driver import EpochStart
from nnlab.training.stepper import Stepper

__all__ = ["Trainer", "TrainerState"]


@dataclass(frozen=True)
class TrainerState:
    epoch: int          # epochs trained so far
    lr: float
    l1: float
    l2: float
    engine: str         # "torch", "fast" or "playground"
    diverged: bool      # a training loss was not finite


class Trainer:
    """Train ``model`` on ``X`` (n, d), ``y`` (n,) a few epochs at a time.

    Parameters
    ----------
    model : a torch MLP or a FastMLP (``semantics="playground"`` needs a FastMLP)
    config : TrainConfig; ``early_stopping`` is ignored (the caller decides when to stop); a learning-rate
        schedule runs over ``epochs`` epochs as in ``fit`` (stepping on past them keeps its last rate),
        augmentation draws a fresh variant of the inputs every epoch, the same as ``fit``'s, and ``precision``
        bf16 (fp16 on CUDA) trains under autocast on the torch engine, as ``fit`` does
        (``semantics="playground"``: none of these, as TensorFlow Playground has none)
    task : "classification" (class indices 0..K-1, or -1/+1 labels for the playground semantics) or "regression"
    reshuffle : a fresh seeded batch order every epoch (``fit``'s behaviour); False keeps the stored order
    semantics : "nnlab" (``fit``'s meaning, on ``config.engine``) or "playground" (TensorFlow Playground's)
    """

    def __init__(self, model, X, y, config: TrainConfig = TrainConfig(), *, task: str = "classification",
                 reshuffle: bool = True, semantics: str = "nnlab"):
        from nnlab.training.engines import choose_engine
        from nnlab.training.engines.capabilities import argument_of, supports
        if semantics not in ("nnlab", "playground"):
            raise InvalidArgument(f"The 'semantics' parameter of Trainer must be one of ['nnlab', 'playground']. "
                                  f"Got {semantics!r} instead.", "semantics")
        self.config, self.task, self.semantics = config, task, semantics
        self.epoch_, self.diverged_ = 0, False
        self._lr, self._l1, self._l2 = config.lr, config.l1, config.l2
        # 1) the engine, from the capability table, and its stepper
        if semantics == "playground":
            self.engine = "playground"
            problem = supports("playground", config, driver="trainer", model=model, data=(X,))
            if problem is not None:
                raise InvalidArgument(f"TensorFlow Playground's training rules cannot train this run: {problem}; "
                                      "use the nnlab semantics.", argument_of(problem))
        else:
            self.engine = choose_engine(config.engine, config, model=model, data=(X,), driver="trainer").engine
        self._impl: Stepper = _stepper(self.engine)(model, X, y, config, task, reshuffle)
        self.model = model
        # 2) fit's epoch start: the scheduled rate and fresh augmented inputs, before every epoch
        self._start = EpochStart(self._impl, config, X)

    def step(self, epochs: int = 1) -> dict:
        """Train ``epochs`` more epochs; stop early at the first non-finite training loss.

        Returns {"epoch": epochs so far, "loss": [per-epoch mean training loss], "train_accuracy": [...]
        (classification), "diverged": bool}. The losses are those of the training forward passes (``History.loss``).
        """
        n = max(int(epochs), 0)
        if not self._start.needed:
            results = self._impl.run(n) if n else []
        else:                                   # epoch by epoch: a scheduled rate, fresh augmented inputs
            results = []
            for _ in range(n):
                self._start(self.epoch_ + len(results) + 1)
                results += self._impl.run(1)
                if not math.isfinite(results[-1][0]):
                    break
        self.epoch_ += len(results)
        if results and not math.isfinite(results[-1][0]):
            self.diverged_ = True
        metrics = {"epoch": self.epoch_, "loss": [r[0] for r in results], "diverged": self.diverged_}
        if self.task == "classification":
            metrics["train_accuracy"] = [r[1] for r in results]
        return metrics

    def evaluate(self, X, y) -> dict:
        """Loss (and accuracy) of the model now on X, y, in eval mode; {} for no points."""
        if len(y) == 0:
            return {}
        return self._impl.evaluate(X, y)

    def set_lr(self, lr: float) -> None:
        """Change the learning rate from the next update on (optimizer state is kept); with a schedule, its base
        rate, from the next epoch on."""
        self._lr = self._start.lr = check_positive("lr", lr, "Trainer")
        if self.config.lr_schedule == "constant":
            self._impl.set_lr(lr)

    def set_regularization(self, l1: float = 0.0, l2: float = 0.0) -> None:
        """Change the L1/L2 rates from the next update on."""
        self._l1, self._l2 = check_nonneg("l1", l1, "Trainer"), check_nonneg("l2", l2, "Trainer")
        self._impl.set_penalties(l1, l2)

    def parameters(self) -> np.ndarray:
        """Every parameter, flat float32 in torch's order (W1, b1, W2, ...): the live vector on the fast and
        playground engines, a copy on torch (write it back with ``load_parameters``)."""
        return self._impl.parameters()

    def load_parameters(self, theta) -> None:
        """Overwrite every parameter with ``theta`` (flat, torch's order); optimizer state is kept."""
        self._impl.load_parameters(theta)

    @property
    def dead_links(self) -> np.ndarray | None:
        """Playground semantics: a 0/1 flag per parameter (theta order), 1 where L1 killed the link."""
        return getattr(self._impl, "dead", None)

    @property
    def state(self) -> TrainerState:
        return TrainerState(self.epoch_, self._lr, self._l1, self._l2, self.engine, self.diverged_)

    def __repr__(self) -> str:
        return f"Trainer({self.engine}, epoch {self.epoch_}, lr {self._lr})"


def _stepper(engine: str):
    """The Stepper class of ``engine`` (imported on first use: torch, numba)."""
    if engine == "torch":
        from nnlab.training.engines.torch_stepper import TorchStepper
        return TorchStepper
    if engine == "fast":
        from nnlab.training.engines.fast_fit import FastStepper
        return FastStepper
    from nnlab.training.engines.playground_stepper import PlaygroundStepper
    return PlaygroundStepper
