"""The learning-rate protocol: per optimizer and function, a log grid of lrs, a fixed step budget, and the score
final f - f* (a diverged run scores inf). Every other hyperparameter keeps its registry default.

Ties at the floating-point floor (f - f* <= 1e-30, e.g. gd reaching the quadratic's minimum exactly) are broken
by the mean of log10(f - f*) along the path: the faster run wins. The runs are deterministic, so one run per lr
is the whole story; no seeds are involved. A function without f* (the saddle) is not tuned: every optimizer
gets ``untuned_lr``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlab._validation import check_int
from nnlab.labs.gd.functions import TestFunction
from nnlab.labs.gd.paths import Paths, run_paths

__all__ = ["log_grid", "Sweep", "sweep", "tune", "FLOOR"]

FLOOR = 1e-30


def log_grid(low: float = 1e-5, high: float = 1.0, n: int = 25) -> np.ndarray:
    """``n`` learning rates spaced evenly in log10 from ``low`` to ``high``."""
    check_int("n", n)
    return np.logspace(np.log10(low), np.log10(high), n)


@dataclass(frozen=True)
class Sweep:
    """One optimizer on one function over ``lrs`` (k,): ``scores`` (k,) final f - f*; ``best`` the chosen index;
    ``paths`` the k runs (their ``gap`` gives f - f* against step)."""
    function: str
    optimizer: str
    lrs: np.ndarray
    scores: np.ndarray
    best: int
    paths: Paths
    tuned: bool = True

    @property
    def best_lr(self) -> float:
        return float(self.lrs[self.best])

    @property
    def best_score(self) -> float:
        return float(self.scores[self.best])

    def __repr__(self) -> str:
        return (f"Sweep({self.optimizer} on {self.function}: best lr {self.best_lr:.3g}, "
                f"final f - f* {self.best_score:.3g})")


def _choose(scores: np.ndarray, paths: Paths) -> int:
    floor = np.maximum(scores, FLOOR)
    candidates = np.flatnonzero(floor == floor.min())
    if len(candidates) == 1:
        return int(candidates[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = [np.nanmean(np.log10(np.maximum(paths.gap[:, i], FLOOR))) for i in candidates]
    return int(candidates[int(np.argmin(speed))])


def sweep(fn: TestFunction, optimizer: str, lrs, steps: int = 500, untuned_lr: float = 0.01) -> Sweep:
    """Run ``optimizer`` on ``fn`` from its main start at every lr in ``lrs`` for ``steps`` steps; pick the best."""
    check_int("steps", steps)
    lrs = np.asarray(lrs, dtype=float)
    if fn.f_star is None:                       # nothing to score against: one run at the fixed lr
        paths = run_paths(fn, optimizer, [untuned_lr], steps=steps)
        return Sweep(fn.name, optimizer, np.array([untuned_lr]), paths.final_gap, 0, paths, tuned=False)
    paths = run_paths(fn, optimizer, lrs, steps=steps)
    scores = paths.final_gap
    return Sweep(fn.name, optimizer, lrs, scores, _choose(scores, paths), paths)


def tune(functions, optimizers, lrs, steps: int = 500, untuned_lr: float = 0.01) -> dict[str, dict[str, Sweep]]:
    """``sweep`` for every function and optimizer: result[function][optimizer]."""
    return {fn.name: {opt: sweep(fn, opt, lrs, steps, untuned_lr) for opt in optimizers} for fn in functions}
