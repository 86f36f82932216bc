"""Learning-rate schedules: the rate each epoch trains with, one registry (``LR_SCHEDULES``).

- ``constant``: ``lr`` every epoch (the default, and the seed's).
- ``cosine``: ``lr * (1 + cos(pi * (e - 1) / E)) / 2`` for epoch e of E: ``lr`` at the first epoch, falling
  smoothly towards 0 at the last (Loshchilov and Hutter's SGDR without restarts). Large steps early, small steps
  late: Adam and SGD settle into a minimum instead of rattling around it at a fixed step size.

Both engines set the rate at the start of every epoch, so every update of an epoch uses the same rate.
"""
from __future__ import annotations

import math

from nnlab.names import LR_SCHEDULE_NAMES, check_registry

__all__ = ["LR_SCHEDULES", "lr_at", "set_optimizer_lr"]

LR_SCHEDULES = {
    "constant": "lr every epoch",
    "cosine": "lr (1 + cos(pi (e - 1) / E)) / 2 for epoch e of E: from lr down towards 0",
}


def lr_at(schedule: str, lr: float, epoch: int, epochs: int) -> float:
    """The rate of epoch ``epoch`` (1-based) of ``epochs``."""
    if schedule == "constant":
        return lr
    if schedule == "cosine":
        return lr * 0.5 * (1.0 + math.cos(math.pi * (epoch - 1) / epochs))
    raise ValueError(f"unknown learning-rate schedule {schedule!r}; known: {list(LR_SCHEDULES)}")


def set_optimizer_lr(optimizer, lr: float) -> None:
    """Set the rate of a torch optimizer (every parameter group) or of nnlab's FusedAdam."""
    if hasattr(optimizer, "param_groups"):
        for group in optimizer.param_groups:
            group["lr"] = lr
    else:
        optimizer.lr = lr

check_registry("nnlab.training.schedules.LR_SCHEDULES", LR_SCHEDULES, LR_SCHEDULE_NAMES)
