"""Sensitivity to learning rate and batch size: plain SGD over an lr x batch-size grid, ``s.seeds`` seeds per cell.

A run *diverged* when its training loss (of an epoch, or of the final weights) stopped being finite or rose
above ``s.blow_up`` x log 2 (the logits blew up; log 2 is the loss of a 50/50 guess). A cell's final loss is
the mean (and std) over the seeds that did not diverge; its epochs to target is the median over all seeds, a
seed that never reached the target accuracy, or diverged, counting as never.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from nnlab.labs.study.grid import Trial, diverged, epochs_to_target, mean_std, run_grid
from nnlab.labs.study.settings import Settings

__all__ = ["SWEEP_NAME", "sensitivity_spec", "summarize_cells", "best_cells", "run_sensitivity", "batch_label"]

SWEEP_NAME = "study-sensitivity"


def batch_label(batch_size: int | None, n_train: int | None = None) -> str:
    if batch_size is None:
        return "full" if n_train is None else f"full ({n_train})"
    return str(batch_size)


def sensitivity_spec(s: Settings) -> dict:
    """The sweep: every batch size x learning rate of ``s``, times ``s.seeds`` seeds, ``s.grid_epochs`` epochs."""
    base = s.base_config().to_dict()
    base["train"]["epochs"] = s.grid_epochs
    return {"name": SWEEP_NAME, "base": base,
            "grid": {"train.batch_size": list(s.batch_sizes), "train.lr": list(s.lrs)}, "seeds": s.seeds}


def summarize_cells(trials: list[Trial], s: Settings) -> list[dict]:
    """One record per (lr, batch size) cell, lr fastest within a batch size."""
    cells = []
    for b in s.batch_sizes:
        for lr in s.lrs:
            runs = [t for t in trials if t.params["train.batch_size"] == b and t.params["train.lr"] == lr]
            bad = [diverged(t, s.blow_up_loss) for t in runs]
            kept = [t for t, d in zip(runs, bad) if not d]
            reach = [None if d else epochs_to_target(t, s.target) for t, d in zip(runs, bad)]
            median = float(np.median([math.inf if r is None else r for r in reach]))
            cells.append({"lr": lr, "batch_size": b, "seeds": len(runs), "diverged": sum(bad),
                          "seed_ids": [t.seed for t in runs], "diverged_per_seed": bad,
                          "train_loss": mean_std(t.final.get("train_loss") for t in kept),
                          "test_accuracy": mean_std(t.final.get("test_accuracy") for t in kept),
                          "epochs_to_target_per_seed": reach,
                          "epochs_to_target_median": median if math.isfinite(median) else None,
                          "reached_target": sum(r is not None for r in reach),
                          "diverged_reached_target": sum(d and (t.final.get("test_accuracy") or 0.0) >= s.target
                                                         for t, d in zip(runs, bad))})
    return cells


def best_cells(cells: list[dict]) -> dict:
    """Among cells where no seed diverged: the lowest mean final loss, and the fewest median epochs to target
    (ties broken by the loss). None where no cell qualifies."""
    stable = [c for c in cells if c["diverged"] == 0 and math.isfinite(c["train_loss"][0])]
    fastest = [c for c in stable if c["epochs_to_target_median"] is not None]
    return {"lowest_loss": min(stable, key=lambda c: c["train_loss"][0], default=None),
            "fastest": min(fastest, key=lambda c: (c["epochs_to_target_median"], c["train_loss"][0]), default=None)}


def per_batch_size(cells: list[dict], s: Settings) -> list[dict]:
    """Per batch size: the lr with the lowest mean final loss among stable cells, and the largest lr with no
    diverged seed."""
    rows = []
    for b in s.batch_sizes:
        mine = [c for c in cells if c["batch_size"] == b]
        stable = [c for c in mine if c["diverged"] == 0]
        best = min(stable, key=lambda c: c["train_loss"][0], default=None)
        rows.append({"batch_size": b, "best_lr": best["lr"] if best else None,
                     "best_loss": best["train_loss"] if best else None,
                     "largest_stable_lr": max((c["lr"] for c in stable), default=None),
                     "smallest_diverging_lr": min((c["lr"] for c in mine if c["diverged"]), default=None)})
    return rows


def run_sensitivity(s: Settings, out: Path, progress=lambda message: None) -> dict:
    """Run the grid into ``out/runs``; the cells, the best ones and the per-batch-size rows."""
    from nnlab.data.prepare import prepare
    trials = run_grid(sensitivity_spec(s), out / "runs", progress)
    cells = summarize_cells(trials, s)
    n_train = len(prepare(s.base_config().data).X_train)
    return {"trials": trials, "cells": cells, "best": best_cells(cells), "per_batch_size": per_batch_size(cells, s),
            "n_train": n_train}
