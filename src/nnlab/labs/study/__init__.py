"""Exercise 1.1 as three studies of one single-hidden-layer network on a 2-D binary task.

- ``one-layer``: forward, loss and backward written out (``nnlab.scratch.HandMLP``) and checked against the torch
  run; decision boundary snapshots and loss curves.
- ``activations``: every activation of ``nnlab.nn.ACTIVATIONS`` on the same data and seeds.
- ``sensitivity``: a learning rate x batch size grid of plain SGD, diverged runs marked.

``run_study(name, out)`` writes each study's figures, ``report.md`` and ``summary.json`` into ``out`` (``all``:
into ``out/<study>``, plus an index ``out/report.md``). The grids run through ``nnlab.sweeps`` into the run store
``out/runs``, so a second run skips the trials it already finished.
"""
from __future__ import annotations

import json
import math
import time
from pathlib import Path

from nnlab._validation import check_choice
from nnlab.labs.study.settings import FULL, QUICK, STUDIES, Settings, binary_datasets

__all__ = ["run_study", "Settings", "FULL", "QUICK", "STUDIES", "CHOICES", "binary_datasets"]

CHOICES = (*STUDIES, "all")


def _clean(value):
    """JSON-safe: tuples to lists, NaN and inf to None."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _one_layer(out: Path, s: Settings, progress) -> tuple[dict, str]:
    from nnlab.labs.study.figures_one_layer import plot_boundary_with_units, plot_training
    from nnlab.labs.study.one_layer import run_one_layer
    from nnlab.labs.study.report import one_layer_report
    from nnlab.viz import save
    progress("one-layer: training by hand and with nnlab.fit")
    r = run_one_layer(s)
    files = save(plot_training(r), out / "one_layer_training.png")
    files += save(plot_boundary_with_units(r), out / "one_layer_boundary.png")
    h = r["torch"].history
    summary = {"study": "one-layer", "config": r["config"].to_dict(), "final": h.final,
               "hand_test_accuracy": r["hand_test_accuracy"], "gradient_check": r["gradient_check"],
               "loss_max_abs_diff": r["loss_max_abs_diff"], "param_max_abs_diff": r["param_max_abs_diff"],
               "loss": h.loss, "hand_loss": r["hand"].loss, "files": [f.name for f in files]}
    return summary, one_layer_report(r, s)


def _activations(out: Path, s: Settings, progress) -> tuple[dict, str]:
    from nnlab.labs.study.activations import run_activations
    from nnlab.labs.study.figures_activations import (plot_activation_boundaries, plot_activation_curves,
                                                      plot_activation_outcomes)
    from nnlab.labs.study.report import activations_report
    from nnlab.viz import save
    r = run_activations(s, out, progress)
    files = save(plot_activation_curves(r["trials"], r["summary"], s), out / "activations_loss.png")
    files += save(plot_activation_outcomes(r["summary"], s), out / "activations_accuracy.png")
    files += save(plot_activation_boundaries(r, s), out / "activations_boundaries.png")
    summary = {"study": "activations", "base_config": s.base_config().to_dict(), "target": s.target,
               "activations": r["summary"], "retrain_max_abs_diff": r["retrain_max_abs_diff"],
               "run_ids": [t.run_id for t in r["trials"]], "files": [f.name for f in files]}
    return summary, activations_report(r, s)


def _sensitivity(out: Path, s: Settings, progress) -> tuple[dict, str]:
    from nnlab.labs.study.figures_sensitivity import plot_sensitivity_curves, plot_sensitivity_heatmaps
    from nnlab.labs.study.report import sensitivity_report
    from nnlab.labs.study.sensitivity import run_sensitivity
    from nnlab.viz import save
    r = run_sensitivity(s, out, progress)
    files = save(plot_sensitivity_heatmaps(r, s), out / "sensitivity_heatmaps.png")
    files += save(plot_sensitivity_curves(r, s), out / "sensitivity_curves.png")
    summary = {"study": "sensitivity", "epochs": s.grid_epochs, "target": s.target, "blow_up_loss": s.blow_up_loss,
               "n_train": r["n_train"], "cells": r["cells"], "best": r["best"], "per_batch_size": r["per_batch_size"],
               "files": [f.name for f in files]}
    return summary, sensitivity_report(r, s)


_RUNNERS = {"one-layer": _one_layer, "activations": _activations, "sensitivity": _sensitivity}


def _headline(name: str, summary: dict) -> str:
    """One line of key numbers per study, for the index report and the CLI."""
    from nnlab.labs.study.report import pm
    from nnlab.labs.study.sensitivity import batch_label
    if name == "one-layer":
        f = summary["final"]
        return (f"test accuracy {f['test_accuracy']:.1%}; hand-written backward vs autograd "
                f"{summary['gradient_check']['vs_autograd']:.0e}, loss curves agree to "
                f"{summary['loss_max_abs_diff']:.0e}")
    if name == "activations":
        acts = summary["activations"]
        return "test accuracy " + ", ".join(f"{a} {pm(v['test_accuracy'], True)}" for a, v in acts.items())
    best = summary["best"]["lowest_loss"]
    div = sum(1 for c in summary["cells"] if c["diverged"])
    where = "none" if best is None else f"lr {best['lr']:g} x batch {batch_label(best['batch_size'])} " \
                                         f"(loss {pm(best['train_loss'])})"
    return f"lowest final loss at {where}; {div} of {len(summary['cells'])} cells with diverged seeds"


def run_study(name: str, out: str | Path, settings: Settings = FULL, progress=lambda message: None) -> dict:
    """Run study ``name`` (one of ``CHOICES``) into ``out``; return its summary (``all``: {study: summary}).

    Each summary also holds ``wall_time_s`` and ``headline``, a line of its key numbers.
    """
    check_choice("study", name, CHOICES, "run_study")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if name != "all":
        start = time.perf_counter()
        summary, report = _RUNNERS[name](out, settings, progress)
        summary["wall_time_s"] = time.perf_counter() - start
        summary["headline"] = _headline(name, summary)
        (out / "summary.json").write_text(json.dumps(_clean(summary), indent=2))
        (out / "report.md").write_text(report)
        return summary
    from nnlab.labs.study.report import index_report
    parts = {}
    for study in STUDIES:
        (out / study).mkdir(exist_ok=True)
        parts[study] = run_study(study, out / study, settings, progress)
    (out / "report.md").write_text(index_report({k: v["headline"] for k, v in parts.items()}))
    (out / "summary.json").write_text(json.dumps(_clean({k: {"headline": v["headline"], "wall_time_s": v["wall_time_s"]}
                                                         for k, v in parts.items()}), indent=2))
    return parts
