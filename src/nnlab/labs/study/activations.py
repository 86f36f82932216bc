"""Activations compared: the single-hidden-layer network with every activation, on the same data and seeds.

The trials are one sweep (``model.activation`` x seeds) on the vectorized executor, recorded in the run store.
The store keeps metrics, not weights, so the networks whose decision boundaries are drawn are trained again
from their stored configs with ``nnlab.training.run.train``; ``retrain_max_abs_diff`` says how closely those
reruns reproduce the stored final accuracies.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from nnlab.labs.study.grid import Trial, diverged, epochs_to_target, mean_std, run_grid
from nnlab.labs.study.settings import Settings

__all__ = ["SWEEP_NAME", "activation_spec", "summarize_activations", "boundaries", "run_activations"]

SWEEP_NAME = "study-activations"


def activation_spec(s: Settings) -> dict:
    """The sweep: the base network with each activation, times ``s.seeds`` seeds."""
    return {"name": SWEEP_NAME, "base": s.base_config().to_dict(),
            "grid": {"model.activation": list(s.activations)}, "seeds": s.seeds}


def summarize_activations(trials: list[Trial], s: Settings) -> dict:
    """Per activation: final test accuracy and training loss (mean, std over seeds), each seed's accuracy,
    epochs to the target accuracy per seed (None: never), and how many runs diverged."""
    out = {}
    for name in s.activations:
        runs = [t for t in trials if t.params["model.activation"] == name]
        acc = [t.final.get("test_accuracy") for t in runs]
        loss = [t.final.get("train_loss") for t in runs]
        reach = [None if diverged(t, s.blow_up_loss) else epochs_to_target(t, s.target) for t in runs]
        finite = sorted(r for r in reach if r is not None)
        out[name] = {"test_accuracy": mean_std(acc), "train_loss": mean_std(loss),
                     "test_accuracy_per_seed": acc, "epochs_to_target_per_seed": reach,
                     "epochs_to_target_median": _median(reach),
                     "reached_target": len(finite), "diverged": sum(diverged(t, s.blow_up_loss) for t in runs),
                     "seeds": [t.seed for t in runs]}
    return out


def _median(reach: list) -> float | None:
    """Median epochs to target, a run that never got there counting as infinitely many; None if that is inf."""
    m = float(np.median([np.inf if r is None else r for r in reach])) if reach else np.inf
    return None if not np.isfinite(m) else m


def boundaries(trials: list[Trial], domain: float, resolution: int = 80) -> tuple[np.ndarray, dict, float]:
    """Retrain every trial from its stored config; return the grid axis, {(activation, seed): (r, r) classes}
    and the largest |test accuracy of the rerun - stored test accuracy|."""
    from nnlab.config import RunConfig
    from nnlab.training.losses import LOSSES
    from nnlab.training.run import train
    from nnlab.viz import predict_grid

    grids, worst, axis = {}, 0.0, None
    for t in trials:
        run = train(RunConfig.from_dict(t.config))
        axis, grids[(t.params["model.activation"], t.seed)] = predict_grid(
            run.model, LOSSES[run.config.train.loss], domain, resolution)
        worst = max(worst, abs(run.history.final["test_accuracy"] - t.final["test_accuracy"]))
    return axis, grids, worst


def run_activations(s: Settings, out: Path, progress=lambda message: None) -> dict:
    """Run the sweep into ``out/runs``; summary numbers, curves and boundaries for the figures and report."""
    from nnlab.data.prepare import prepare
    trials = run_grid(activation_spec(s), out / "runs", progress)
    data = prepare(s.base_config().data)
    progress("activations: retraining for the decision boundaries")
    axis, grids, worst = boundaries(trials, data.domain)
    return {"trials": trials, "summary": summarize_activations(trials, s), "data": data, "grid_axis": axis,
            "grids": grids, "retrain_max_abs_diff": worst}
