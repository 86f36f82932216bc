"""Exercise 1.1 as three studies of one single-hidden-layer network on a 2-D binary task.

- ``one-layer``: forward, loss and backward written out (``nnlab.scratch.HandMLP``) and checked against the torch
  run; decision boundary snapshots and loss curves.
- ``activations``: every activation of ``nnlab.nn.ACTIVATIONS`` on the same data and seeds.
- ``sensitivity``: a learning rate x batch size grid of plain SGD, diverged runs marked.

``run_study(name, out)`` writes the study's figures and its page (``summary.json``, ``claims.json``,
``report.md``, ``report.html``, through ``nnlab.labpage.write_lab``) into ``out``; ``all`` writes one page for the
three studies into ``out``, each study's figures and run store in ``out/<study>``. The grids run through
``nnlab.sweeps`` into the run store ``runs/``, so a second run skips the trials it already finished. Every study
runs on one thread (torch, BLAS and OpenMP): the networks are tiny, so extra threads only add synchronisation, and
on a loaded machine they make the run many times slower.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from nnlab._validation import check_choice
from nnlab.labs.study.settings import FULL, QUICK, STUDIES, Settings, binary_datasets

__all__ = ["run_study", "Settings", "FULL", "QUICK", "STUDIES", "CHOICES", "binary_datasets"]

CHOICES = (*STUDIES, "all")


def _one_layer(out: Path, s: Settings, progress) -> dict:
    from nnlab.labs.study.figures_one_layer import plot_boundary_with_units, plot_training
    from nnlab.labs.study.one_layer import run_one_layer
    from nnlab.viz import save
    progress("one-layer: training by hand and with nnlab.fit")
    r = run_one_layer(s)
    files = save(plot_training(r), out / "one_layer_training.png")
    files += save(plot_boundary_with_units(r), out / "one_layer_boundary.png")
    h = r["torch"].history
    first = r["torch"].model.linear_layers()[0]
    W, b = first.weight.detach().numpy(), first.bias.detach().numpy()
    distance = np.abs(b) / np.maximum(np.linalg.norm(W, axis=1), 1e-12)      # of each unit's line from 0
    return {"study": "one-layer", "config": r["config"].to_dict(), "final": h.final,
            "hand_test_accuracy": r["hand_test_accuracy"], "hand_final": r["hand_final"],
            "gradient_check": r["gradient_check"],
            "loss_max_abs_diff": r["loss_max_abs_diff"], "param_max_abs_diff": r["param_max_abs_diff"],
            "loss": h.loss, "test_loss": h.test_loss, "test_accuracy": h.test_accuracy, "hand_loss": r["hand"].loss,
            "hand_test_accuracy_per_epoch": r["hand"].test_accuracy,
            "hidden_unit_line_distance": [float(x) for x in distance], "domain": float(r["data"].domain),
            "files": [f.name for f in files]}


def _activations(out: Path, s: Settings, progress) -> dict:
    from nnlab.labs.study.activations import run_activations
    from nnlab.labs.study.figures_activations import (
        plot_activation_boundaries,
        plot_activation_curves,
        plot_activation_outcomes,
    )
    from nnlab.viz import save
    r = run_activations(s, out, progress)
    files = save(plot_activation_curves(r["trials"], r["summary"], s), out / "activations_loss.png")
    files += save(plot_activation_outcomes(r["summary"], s), out / "activations_accuracy.png")
    files += save(plot_activation_boundaries(r, s), out / "activations_boundaries.png")
    return {"study": "activations", "base_config": s.base_config().to_dict(), "target": s.target,
            "activations": r["summary"], "retrain_max_abs_diff": r["retrain_max_abs_diff"],
            "run_ids": [t.run_id for t in r["trials"]], "files": [f.name for f in files]}


def _sensitivity(out: Path, s: Settings, progress) -> dict:
    from nnlab.labs.study.figures_sensitivity import plot_sensitivity_curves, plot_sensitivity_heatmaps
    from nnlab.labs.study.sensitivity import run_sensitivity
    from nnlab.viz import save
    r = run_sensitivity(s, out, progress)
    files = save(plot_sensitivity_heatmaps(r, s), out / "sensitivity_heatmaps.png")
    files += save(plot_sensitivity_curves(r, s), out / "sensitivity_curves.png")
    return {"study": "sensitivity", "epochs": s.grid_epochs, "target": s.target, "blow_up_loss": s.blow_up_loss,
            "lrs": list(s.lrs), "batch_sizes": list(s.batch_sizes), "n_train": r["n_train"], "cells": r["cells"],
            "best": r["best"], "per_batch_size": r["per_batch_size"], "files": [f.name for f in files]}


_RUNNERS = {"one-layer": _one_layer, "activations": _activations, "sensitivity": _sensitivity}


def run_study(name: str, out: str | Path, settings: Settings = FULL, progress=lambda message: None,
              quick: bool | None = None) -> dict:
    """Run study ``name`` (one of ``CHOICES``) into ``out`` and write its page; return its summary (``all``:
    {study: summary}, each study's figures in ``out/<study>``).

    quick : whether the page calls this a quick run (default: ``settings == QUICK``)

    Each study's summary holds ``wall_time_s``; the returned summary also holds the page's ``run`` record.
    """
    from nnlab.labpage import write_lab
    from nnlab.labs.study.findings import make_claims
    from nnlab.labs.study.report import report
    check_choice("study", name, CHOICES, "run_study")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    quick = settings == QUICK if quick is None else bool(quick)
    start = time.perf_counter()
    studies = list(STUDIES) if name == "all" else [name]
    parts = {}
    from nnlab.labs._threads import one_thread
    with one_thread():
        for study in studies:
            where = out / study if name == "all" else out
            where.mkdir(exist_ok=True)
            began = time.perf_counter()
            parts[study] = _RUNNERS[study](where, settings, progress)
            parts[study]["wall_time_s"] = time.perf_counter() - began
        if name == "all":
            for study, summary in parts.items():   # the page lies in out: its figures are in the study's folder
                summary["files"] = [f"{study}/{f}" for f in summary["files"]]
        seconds = time.perf_counter() - start
        summary = {**parts, "wall_time_s": seconds} if name == "all" else parts[name]
        # inside the block: the page's versions record the one torch thread the numbers were computed on
        result = write_lab(out, report(parts, settings), make_claims(parts, settings, quick), summary, lab="study",
                           quick=quick, seconds=seconds)
    return result.summary
