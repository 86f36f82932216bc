"""Grids of trials through the sweeps machinery: a spec, ``run_sweep`` into a run store, the trials read back.

Every trial is a run in the store (``OUT/runs``), so ``nnlab runs list --store OUT/runs`` shows them and a second
run of a study skips the trials it finished before (the sweep's resume). What a study needs from a trial is read
back from the store: its swept values, per-epoch loss and test accuracy, and final metrics.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Trial", "run_grid", "diverged", "epochs_to_target", "mean_std"]


@dataclass(frozen=True)
class Trial:
    """One finished trial as the store holds it."""
    params: dict                 # the swept values, e.g. {"train.lr": 0.1, "train.batch_size": 4, "train.seed": 0}
    config: dict                 # its full RunConfig as JSON
    run_id: int
    loss: np.ndarray             # (epochs_run,) training loss per epoch, mean over the epoch's batches; NaN/inf
                                 # where it blew up
    test_loss: np.ndarray        # (epochs_run,)
    test_accuracy: np.ndarray    # (epochs_run,)
    final: dict                  # the finished network on the whole sets: train_loss, train_accuracy, test_loss,
                                 # test_accuracy; epochs_run, ...

    @property
    def seed(self) -> int:
        return self.config["train"]["seed"]


def diverged(trial: Trial, limit: float) -> bool:
    """True when the training loss, of some epoch or of the final weights, was not finite or above ``limit``."""
    final = trial.final.get("train_loss")
    losses = np.append(trial.loss, np.nan if final is None else final) if "train_loss" in trial.final else trial.loss
    return bool(losses.size and (not np.all(np.isfinite(losses)) or np.max(losses) > limit))


def epochs_to_target(trial: Trial, target: float) -> int | None:
    """The first epoch (1-based) whose test accuracy is >= ``target``; None if none is."""
    hits = np.flatnonzero(np.nan_to_num(trial.test_accuracy, nan=0.0) >= target)
    return int(hits[0]) + 1 if hits.size else None


class _Counter:
    """A SweepObserver that turns trial events into 'name: k/n trials' progress lines."""

    def __init__(self, name: str, progress):
        from nnlab.sweeps.events import FINAL_STATES
        self.name, self.progress, self.final = name, progress, FINAL_STATES
        self.done: set[int] = set()
        self.total = 0

    def on_start(self, plan) -> None:
        self.total = len(plan.trials)
        self.progress(f"{self.name}: {len(plan.finished)}/{self.total} trials done before, training the rest")

    def on_trial(self, event) -> None:
        if event.status in self.final and event.trial not in self.done:
            self.done.add(event.trial)
            self.progress(f"{self.name}: {len(self.done)}/{self.total} trials")

    def on_note(self, text: str) -> None: ...
    def on_end(self, result) -> None: ...


def run_grid(spec: dict, store_dir: str | Path, progress=lambda message: None) -> list[Trial]:
    """Run the sweep ``spec`` (a mapping as ``parse_spec`` reads it) on the vectorized executor, its trials
    recorded in the store at ``store_dir``; return every trial of the spec, in spec order.

    Ctrl-C raises KeyboardInterrupt after the store has recorded what ran; a trial that failed raises
    RuntimeError with its error.
    """
    from nnlab.runs import RunStore
    from nnlab.sweeps import expand, parse_spec, run_sweep
    from nnlab.sweeps.runner import finished_runs

    parsed = parse_spec(spec)
    trials = expand(parsed)
    # workers=1: a trial the vectorized executor hands to the process executor runs in one worker, not one per
    # core, so the sweep never needs more than the one thread the study runs on
    result = run_sweep(parsed, store=store_dir, executor="vectorized", workers=1,
                       observer=_Counter(parsed.name, progress))
    if result.interrupted:
        raise KeyboardInterrupt
    with RunStore(store_dir) as store:
        runs = finished_runs(store, parsed.name)
        missing = [t for t in trials if t.key not in runs]
        if missing:
            errors = {e.error for e in result.events.values() if e.error}
            raise RuntimeError(f"{len(missing)} trial(s) of {parsed.name} did not finish: "
                               f"{'; '.join(sorted(errors)) or 'no error recorded'}")
        out = []
        for t in trials:
            run = runs[t.key]
            metrics = store.metrics(run.id)

            def series(name: str) -> np.ndarray:
                return np.array([v for _, v in metrics.get(name, [])], dtype=float)   # noqa: B023 - called at once
            out.append(Trial(dict(t.params), run.config, run.id, series("loss"), series("test_loss"),
                             series("test_accuracy"), dict(run.final)))
    return out


def mean_std(values) -> tuple[float, float]:
    """Mean and (population) standard deviation of the finite values; NaN, NaN when there are none."""
    v = np.asarray([x for x in values if x is not None and math.isfinite(x)], dtype=float)
    return (float(v.mean()), float(v.std())) if v.size else (math.nan, math.nan)
