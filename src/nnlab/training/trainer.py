"""A resumable trainer: ``fit``'s epochs a few at a time, with the learning rate and penalties changeable between.

``Trainer(model, X, y, config).step(n)`` trains n epochs and returns their metrics; calling ``step(N)`` then
``step(M)`` is the same run as ``fit`` for N + M epochs (same seed: same batch order, same updates). The pieces
are ``fit``'s own: the LOSSES specs, ``penalty``, ``make_torch_optimizer`` and ``evaluate`` on the torch engine;
the fast engine's ``_State`` and ``kernels.run_epoch``.

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
from nnlab.training.steppers import FastStepper, PlaygroundStepper, TorchStepper

__all__ = ["Trainer", "TrainerState"]


@dataclass(frozen=True)
class TrainerState:
    epoch: int          # epochs trained so far
    lr: float
    l1: float
    l2: float
    engine: str         # "torch", "fast" or "playground"
    diverged: bool      # a training loss was not finite


# TrainConfig fields (and their defaults) that only ``fit`` implements; the Trainer refuses other values.
# TrainConfig fields a driver cannot do, with their defaults: the Trainer steps fp32 training on the CPU, and
# TensorFlow Playground's rules know no schedule or augmentation.
_NOT_STEPPED = {"precision": "fp32"}
_NOT_PLAYGROUND = {"augment_jitter": 0.0, "augment_shift": 0.0, "lr_schedule": "constant"}


class Trainer:
    """Train ``model`` on ``X`` (n, d), ``y`` (n,) a few epochs at a time.

    Parameters
    ----------
    model : a torch MLP or a FastMLP (``semantics="playground"`` needs a FastMLP)
    config : TrainConfig; ``early_stopping`` is ignored (the caller decides when to stop); a learning-rate
        schedule runs over ``epochs`` epochs as in ``fit`` (stepping on past them keeps its last rate), and
        augmentation draws a fresh variant of the inputs every epoch, the same as ``fit``'s
        (``semantics="playground"``: neither, as TensorFlow Playground has neither)
    task : "classification" (class indices 0..K-1, or -1/+1 labels for the playground semantics) or "regression"
    reshuffle : a fresh seeded batch order every epoch (``fit``'s behaviour); False keeps the stored order
    semantics : "nnlab" (``fit``'s meaning, on ``config.engine``) or "playground" (TensorFlow Playground's)
    """

    def __init__(self, model, X, y, config: TrainConfig = TrainConfig(), *, task: str = "classification",
                 reshuffle: bool = True, semantics: str = "nnlab"):
        if semantics not in ("nnlab", "playground"):
            raise InvalidArgument(f"The 'semantics' parameter of Trainer must be one of ['nnlab', 'playground']. "
                                  f"Got {semantics!r} instead.", "semantics")
        unsupported = [name for name, default in _NOT_STEPPED.items() if getattr(config, name, default) != default]
        if unsupported:
            raise InvalidArgument(f"The Trainer steps fp32 training on the CPU; {unsupported} of TrainConfig "
                                  "need nnlab.fit.", unsupported[0])
        unsupported = [name for name, default in _NOT_PLAYGROUND.items() if getattr(config, name, default) != default]
        if semantics == "playground" and unsupported:
            raise InvalidArgument(f"TensorFlow Playground's training rules have no {unsupported} (TrainConfig); "
                                  "use the nnlab semantics.", unsupported[0])
        self.config, self.task, self.semantics = config, task, semantics
        self.epoch_, self.diverged_ = 0, False
        self._lr, self._l1, self._l2 = config.lr, config.l1, config.l2
        self._impl: PlaygroundStepper | FastStepper | TorchStepper
        if semantics == "playground":
            self._impl, self.engine = PlaygroundStepper(model, X, y, config, task), "playground"
        else:
            from nnlab.training.engines import choose_engine
            self.engine = choose_engine(config.engine, config, model=model, data=(X,)).engine
            cls = FastStepper if self.engine == "fast" else TorchStepper
            self._impl = cls(model, X, y, config, task, reshuffle)
        self.model = model
        self._augment = (config.augment_jitter, config.augment_shift)
        self._per_epoch = config.lr_schedule != "constant" or any(self._augment)
        if any(self._augment):
            from nnlab.training.augment import augmentation_rng
            self._plain = np.ascontiguousarray(np.asarray(X.detach().cpu() if hasattr(X, "detach") else X,
                                                          dtype=np.float32))
            self._aug_rng = augmentation_rng(config.seed)

    def _start_epoch(self, epoch: int) -> None:
        """What ``fit`` does before epoch ``epoch`` (1-based): its scheduled rate, its augmented inputs."""
        c = self.config
        if c.lr_schedule != "constant":
            from nnlab.training.schedules import lr_at
            self._impl.set_lr(lr_at(c.lr_schedule, self._lr, min(epoch, c.epochs), c.epochs))
        if any(self._augment):
            from nnlab.training.augment import augment_inputs
            assert not isinstance(self._impl, PlaygroundStepper)
            self._impl.set_inputs(augment_inputs(self._plain, *self._augment, self._aug_rng))

    def step(self, epochs: int = 1) -> dict:
        """Train ``epochs`` more epochs; stop early at the first non-finite training loss.

        Returns {"epoch": epochs so far, "loss": [per-epoch mean training loss], "train_accuracy": [...]
        (classification), "diverged": bool}. The losses are those of the training forward passes (``History.loss``).
        """
        n = max(int(epochs), 0)
        if not self._per_epoch:
            results = self._impl.run(n) if n else []
        else:                                   # epoch by epoch: a scheduled rate, fresh augmented inputs
            results = []
            for _ in range(n):
                self._start_epoch(self.epoch_ + len(results) + 1)
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
        if isinstance(self._impl, PlaygroundStepper):
            return self._impl.evaluate(X, y)
        from nnlab.training.loop import evaluate
        return evaluate(self.model, X, y, self.config.loss, self.task)

    def set_lr(self, lr: float) -> None:
        """Change the learning rate from the next update on (optimizer state is kept); with a schedule, its base
        rate, from the next epoch on."""
        self._lr = check_positive("lr", lr, "Trainer")
        if self.config.lr_schedule == "constant":
            self._impl.set_lr(lr)

    def set_regularization(self, l1: float = 0.0, l2: float = 0.0) -> None:
        """Change the L1/L2 rates from the next update on."""
        self._l1, self._l2 = check_nonneg("l1", l1, "Trainer"), check_nonneg("l2", l2, "Trainer")
        if isinstance(self._impl, TorchStepper):
            self._impl.l1, self._impl.l2 = l1, l2
        else:
            self._impl.set_penalties(l1, l2)

    def parameters(self) -> np.ndarray:
        """Every parameter, flat float32 in torch's order (W1, b1, W2, ...): the live vector on the fast and
        playground engines, a copy on torch (write it back with ``load_parameters``)."""
        net = getattr(self._impl, "net", None)
        if net is not None:
            return net.theta
        import torch
        return torch.nn.utils.parameters_to_vector(self.model.parameters()).detach().numpy().copy()

    def load_parameters(self, theta) -> None:
        """Overwrite every parameter with ``theta`` (flat, torch's order); optimizer state is kept."""
        net = getattr(self._impl, "net", None)
        if net is not None:
            net.theta[:] = np.asarray(theta, np.float32)
            return
        import torch
        with torch.no_grad():
            torch.nn.utils.vector_to_parameters(torch.as_tensor(np.asarray(theta, np.float32)),
                                                self.model.parameters())

    @property
    def dead_links(self) -> np.ndarray | None:
        """Playground semantics: a 0/1 flag per parameter (theta order), 1 where L1 killed the link."""
        return getattr(self._impl, "dead", None)

    @property
    def state(self) -> TrainerState:
        return TrainerState(self.epoch_, self._lr, self._l1, self._l2, self.engine, self.diverged_)

    def __repr__(self) -> str:
        return f"Trainer({self.engine}, epoch {self.epoch_}, lr {self._lr})"
