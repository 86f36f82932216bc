"""On a network: the seed's MLP on ``seed-circle`` trained with every optimizer of ``OPTIMIZERS``.

Each optimizer first gets its learning rate from a short sweep (``tune_epochs`` epochs per lr on the same log
grid for all, scored by the final training loss, a diverged run scoring inf), then trains for ``epochs`` epochs
at that lr. All training goes through ``nnlab.training.run.train`` (and so ``nnlab.fit``) with
``PRESETS["seed-circle"].replace(train={"optimizer": name, "lr": lr, ...})``: the seed's data, the 330-parameter
network, full batch, cross-entropy. Full batch means "sgd" here is plain gradient descent.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["NetworkRun", "tune_network_lr", "network_comparison", "first_epoch_at"]


@dataclass
class NetworkRun:
    """One optimizer's tuned run: per-epoch training ``loss`` and ``accuracy``, the training wall time and the
    engine ``fit`` used."""
    optimizer: str
    lr: float
    sweep: dict                      # lr -> final training loss of the tuning run (inf if diverged)
    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    wall_time_s: float = 0.0
    engine: str = "torch"
    diverged: bool = False
    final: dict = field(default_factory=dict)

    def seconds_to(self, epoch: int | None) -> float | None:
        """Wall time to the end of ``epoch``: full batch makes every epoch the same work, so the training time
        scales with the epochs run (``fit`` reports the total, not per-epoch times)."""
        if epoch is None or not self.loss:
            return None
        return self.wall_time_s * epoch / len(self.loss)


def first_epoch_at(accuracy, target: float) -> int | None:
    """The first epoch (1-based) whose training accuracy is >= ``target``, or None."""
    hits = np.flatnonzero(np.asarray(accuracy) >= target)
    return int(hits[0]) + 1 if len(hits) else None


def _config(name: str, lr: float, epochs: int, seed: int):
    from nnlab.config import PRESETS
    return PRESETS["seed-circle"].replace(data={"seed": seed}, train={"optimizer": name, "lr": float(lr),
                                                                      "epochs": epochs, "seed": seed})


def tune_network_lr(name: str, lrs, epochs: int, data, seed: int = 0) -> tuple[float, dict]:
    """The lr of ``lrs`` with the lowest final training loss after ``epochs`` epochs; returns (lr, lr -> loss)."""
    from nnlab.training.run import train
    scores = {}
    for lr in lrs:
        history = train(_config(name, lr, epochs, seed), data=data).history
        loss = history.final.get("train_loss", math.inf)
        scores[float(lr)] = math.inf if history.diverged or not math.isfinite(loss) else float(loss)
    best = min(scores, key=lambda lr: (scores[lr], lr))
    return best, scores


def network_comparison(optimizers, lrs, tune_epochs: int = 300, epochs: int = 2000, seed: int = 0,
                       on_run=lambda name: None) -> list[NetworkRun]:
    """Tune, then train, every optimizer in ``optimizers`` (keys of OPTIMIZERS); ``on_run(name)`` is called
    before each (for progress reporting)."""
    from nnlab.data.prepare import prepare
    from nnlab.training.run import train
    data = prepare(_config("adam", 1e-3, 1, seed).data)
    runs = []
    for name in optimizers:
        on_run(name)
        lr, scores = tune_network_lr(name, lrs, tune_epochs, data, seed)
        history = train(_config(name, lr, epochs, seed), data=data).history
        runs.append(NetworkRun(name, lr, scores, list(history.loss), list(history.train_accuracy),
                               history.wall_time_s, getattr(history, "engine", "torch"), history.diverged,
                               dict(history.final)))
    return runs
