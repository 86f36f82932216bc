"""Overfitting, underfitting and regularisation, measured on small noisy data: a capacity sweep, six regularisers
alone and combined over seeds, and what L1 does to weights that L2 does not. Every network trains through
``nnlab.fit``. ``run_regularize`` writes the figures, ``summary.json``, ``claims.json``, ``report.md`` and
``report.html``."""
from __future__ import annotations

import time
from pathlib import Path

from nnlab.labs.regularize.experiments import (
    best_by_validation,
    capacity_sweep,
    early_stopping_detail,
    mean_std,
    regularizer_study,
    weight_study,
)
from nnlab.labs.regularize.regularizers import REGULARIZERS, label
from nnlab.labs.regularize.settings import FULL, QUICK, Settings
from nnlab.labs.regularize.tasks import TASKS

__all__ = ["run_regularize", "Settings", "QUICK", "FULL", "TASKS", "REGULARIZERS"]

_METRICS = ("train_accuracy", "train_loss", "val_accuracy", "val_loss", "test_accuracy", "test_loss")


def _stats(runs) -> dict:
    out = {k: mean_std(runs, k) for k in _METRICS}
    best = [r.best_epoch for r in runs if r.best_epoch is not None]
    out.update(near_zero=mean_std(runs, "near_zero"), epochs_run=mean_std(runs, "epochs_run")[0],
               best_epoch=sum(best) / len(best) if best else None, params=runs[0].params,
               per_seed_test_accuracy=[r.metrics["test_accuracy"] for r in runs],
               per_seed_train_accuracy=[r.metrics["train_accuracy"] for r in runs],
               per_seed_near_zero=[r.near_zero for r in runs])
    return out


def run_regularize(out: str | Path, settings: Settings = FULL, progress=lambda message: None,
                   quick: bool | None = None) -> dict:
    """Run the capacity sweep, the regulariser study and the weight study on every data set of ``settings``;
    write the figures, ``summary.json``, ``claims.json``, ``report.md`` and ``report.html`` into ``out``. Returns
    the summary. ``quick`` says whether this is a quick run (the page says so, and a claim a quick run cannot show
    is marked not shown); by default, whether ``settings`` are QUICK's grids."""
    from nnlab.labs._threads import one_thread
    with one_thread():                # networks this small spend their time in per-op overhead, not arithmetic
        return _run(Path(out), settings, progress, _is_quick(settings) if quick is None else quick)


def _run(out: Path, settings: Settings, progress, quick: bool) -> dict:
    from nnlab.labpage import write_lab
    from nnlab.labs.regularize import figures
    from nnlab.labs.regularize.report import make_claims, report
    from nnlab.viz import save

    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    summary = {"settings": {k: v for k, v in vars(settings).items()}, "tasks": {}, "files": []}
    files = []
    weight_rows = []
    for name in settings.datasets:
        task = TASKS[name]
        epochs = settings.epochs_for(task)
        splits = [task.split(seed) for seed in range(settings.seeds)]
        capacity = capacity_sweep(task, splits, settings, progress)
        trials, chosen = regularizer_study(task, splits, settings, progress)
        weights = weight_study(task, splits, settings, progress)
        by_val = best_by_validation(capacity)
        by_test = max(capacity, key=lambda h: mean_std(capacity[h], "test_accuracy")[0])
        stopping = {k: early_stopping_detail(trials["none"][1], runs) for k, (trial, runs) in trials.items()
                    if len(trial) == 1 and trial[0][0] == "early-stopping"}
        summary["tasks"][name] = {
            "description": task.description, "network": list(task.hidden), "epochs": epochs,
            "sgd_epochs": 3 * epochs, "sgd_lr": task.sgd_lr, "lr": task.lr,
            "sizes": {p: len(getattr(splits[0], f"y_{p}")) for p in ("train", "val", "test")},
            "capacity": [{"hidden": list(h), **_stats(runs)} for h, runs in capacity.items()],
            "capacity_best": {"by_validation": list(by_val), "by_test_accuracy": list(by_test)},
            "trials": [{"label": k, "components": [list(c) for c in trial], **_stats(runs)}
                       for k, (trial, runs) in trials.items()],
            "chosen": chosen,
            "early_stopping": stopping,
            "weights_sgd": [{"label": k, **_stats(runs)} for k, runs in weights.items()],
        }
        # figures
        progress(f"{name} figures")
        files += save(figures.plot_capacity(name, capacity, settings, epochs), out / f"regularize_{name}_capacity.png")
        files += save(figures.plot_accuracy(name, trials, chosen), out / f"regularize_{name}_accuracy.png")
        kept = {k: runs[0] for k, (_, runs) in trials.items()}
        singles = ["none"] + [label(((n, s),)) for n, s in chosen.items()]
        combos = [k for k, (trial, _) in trials.items() if len(trial) > 1]
        files += save(figures.plot_curves(name, [(k, kept[k].history) for k in singles + combos]),
                      out / f"regularize_{name}_curves.png")
        if task.domain is not None:
            widths = [((w, w), f"width {w}") for w in settings.widths]
            files += save(figures.plot_boundaries([(t, capacity[h][0].model) for h, t in widths], splits[0],
                                                  task.domain, f"{name}: two hidden layers of growing width, "
                                                  "unregularised (seed 0)"),
                          out / f"regularize_{name}_boundaries_capacity.png")
            files += save(figures.plot_boundaries([(k, kept[k].model) for k in singles + combos], splits[0],
                                                  task.domain, f"{name}: {'x'.join(map(str, task.hidden))} network, "
                                                  "each regulariser at its chosen strength, and combined (seed 0)"),
                          out / f"regularize_{name}_boundaries.png")
        if task.image_side is not None:
            files += save(figures.plot_shifts(splits[0], task.image_side, settings.shift),
                          out / f"regularize_{name}_shifts.png")
        lam = label((("l2", settings.weight_lambdas[0]),)), label((("l1", settings.weight_lambdas[0]),))
        weight_rows.append((name, f"plain SGD, {3 * epochs} epochs",
                            [(k, [r.model for r in weights[k]]) for k in ("none", *lam)]))
        if "l1" in chosen and "l2" in chosen:
            adam = ("none", label((("l2", chosen["l2"]),)), label((("l1", chosen["l1"]),)))
            weight_rows.append((name, "Adam, strengths chosen on validation",
                                [(k, [r.model for r in trials[k][1]]) for k in adam]))
    files += save(figures.plot_weights(weight_rows, settings.near_zero), out / "regularize_weights.png")
    summary["files"] = [f.name for f in files]
    summary["wall_time_s"] = time.perf_counter() - start
    write_lab(out, report(summary, settings), make_claims(summary, settings, quick), summary, lab="regularize",
              quick=quick, seconds=summary["wall_time_s"])
    return summary


def _is_quick(settings: Settings) -> bool:
    """A run on QUICK's grids (the CLI's --quick, perhaps with data sets or regularisers left out)."""
    from dataclasses import replace
    return replace(settings, datasets=QUICK.datasets, regularizers=QUICK.regularizers) == QUICK
