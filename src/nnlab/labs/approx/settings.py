"""The approximation lab's settings: the widths, activations and targets it fits, how long, and the sawtooth
study's sizes. ``QUICK`` (seconds, for ``--quick`` and the tour) and ``FULL``."""
from __future__ import annotations

from dataclasses import dataclass

from nnlab._validation import check_choice, check_int, check_sizes
from nnlab.labs.approx.targets import TARGETS

__all__ = ["Settings", "QUICK", "FULL"]


@dataclass(frozen=True)
class Settings:
    widths: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128, 256)
    activations: tuple[str, ...] = ("relu", "tanh")
    targets: tuple[str, ...] = tuple(TARGETS)
    epochs: int = 12000         # full-batch Adam epochs per fit (at 3000, wide tanh nets stopped short)
    lr: float = 0.01
    lr_schedule: str = "cosine"  # from lr down to 0: wide tanh nets fit x^2 ten times better than at a constant lr
    restarts: int = 2           # seeds per fit; the best training fit is kept
    n_train: int = 512          # evenly spaced training points on the interval
    n_test: int = 2001          # denser grid the errors are measured on
    sawtooth_ks: tuple[int, ...] = (2, 3, 4, 5, 6)
    sawtooth_seeds: int = 8     # trained shallow nets per k (seconds each): how many leave the mean, and the best

    def __post_init__(self):
        object.__setattr__(self, "widths", check_sizes("widths", self.widths, "approx"))
        for a in self.activations:
            from nnlab.nn.activations import ACTIVATIONS
            check_choice("activations", a, ACTIVATIONS, "approx")
        for t in self.targets:
            check_choice("target", t, TARGETS, "approx")
        check_int("epochs", self.epochs, "approx")
        check_int("restarts", self.restarts, "approx")
        check_int("sawtooth_seeds", self.sawtooth_seeds, "approx")
        from nnlab.training.schedules import LR_SCHEDULES
        check_choice("lr_schedule", self.lr_schedule, LR_SCHEDULES, "approx")


# Quick: width 2 kept (the criterion against width 2 and the two-tanh-units comparison need it; it costs little)
QUICK = Settings(widths=(1, 2, 4, 32, 128), epochs=300, lr=0.02, restarts=1, sawtooth_ks=(2, 3, 4), sawtooth_seeds=2)
FULL = Settings()
