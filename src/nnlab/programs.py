"""The seed chapter's three programs, each a function that trains, draws the seed's figures and returns numbers.

1. ``perceptron_program``: the perceptron on the seed's linear data (and, beside it, its failure on XOR).
2. ``classification_program``: the circle-data MLP after 500 epochs of Adam: decision regions on a 200 x 200 grid.
3. ``diagnostics_program``: the same MLP for 2000 epochs: loss curve and gradient heatmap.

The seed's comments say "6 hidden layers"; its code builds five hidden Linear(.., 8) + ReLU layers
(2->8, then four 8->8) before the 8->2 output: 330 parameters. nnlab follows the code.
"""
from __future__ import annotations

import time
from pathlib import Path

from nnlab.config import PRESETS, RunConfig
from nnlab.data import make_seed_linear, make_xor4

__all__ = ["perceptron_program", "classification_program", "diagnostics_program", "write_run_figures"]


def perceptron_program(out: Path, seed: int = 0, lr: float = 0.1, max_epochs: int = 1000) -> dict:
    """Train the perceptron on seed-linear (200 points) and on the four XOR points; write the figure."""
    from nnlab.perceptron import Perceptron
    from nnlab.viz import plot_perceptron, save

    start = time.perf_counter()
    X, y = make_seed_linear(200, seed=seed)
    linear = Perceptron(lr=lr, max_epochs=max_epochs).fit(X, y)
    X_xor, y_xor = make_xor4()
    xor = Perceptron(lr=lr, max_epochs=max_epochs).fit(X_xor, y_xor)
    seconds = time.perf_counter() - start
    files = save(plot_perceptron(linear, X, y, xor, X_xor, y_xor), Path(out) / "perceptron_visualization.png")
    return {
        "linear": {"converged": linear.converged_, "epochs": linear.n_iter_, "accuracy": linear.score(X, y),
                   "weights": linear.coef_.tolist(), "bias": linear.intercept_, "errors_per_epoch": linear.errors_},
        "xor": {"converged": xor.converged_, "epochs": xor.n_iter_, "accuracy": xor.score(X_xor, y_xor),
                "weights": xor.coef_.tolist(), "bias": xor.intercept_, "errors_last_10": xor.errors_[-10:]},
        "wall_time_s": seconds,
        "files": [f.name for f in files],
    }


def _seed_config(seed: int, epochs: int) -> RunConfig:
    """The seed's circle MLP on the torch engine, as ``nnlab train`` runs it by default (with its figures), so the
    same seed and epochs give the same numbers in the tour and from ``nnlab train``."""
    return PRESETS["seed-circle"].replace(data={"seed": seed}, train={"seed": seed, "epochs": epochs,
                                                                      "engine": "torch"})


def _run_summary(run, files) -> dict:
    """The run's numbers; final loss and accuracy are the finished model's in eval mode (``History.final``)."""
    h = run.history
    return {"epochs": h.epochs_run, "final_loss": h.final.get("train_loss"),
            "train_accuracy": h.final.get("train_accuracy"), "engine": h.engine, "wall_time_s": h.wall_time_s,
            "ms_per_epoch": 1000 * h.wall_time_s / max(h.epochs_run, 1), "interrupted": h.interrupted,
            "files": [f.name for f in files]}


def classification_program(out: Path, seed: int = 0, epochs: int = 500, observers=()) -> dict:
    """The seed's classification program: train, then draw classification_visualization.png."""
    from nnlab.training import train
    run = train(_seed_config(seed, epochs), observers=observers)
    files = write_run_figures(run, None, out, boundary_name="classification_visualization.png", loss_name=None)
    return _run_summary(run, files)


def diagnostics_program(out: Path, seed: int = 0, epochs: int = 2000, observers=()) -> dict:
    """The seed's loss-curve program: train 2000 epochs, draw loss_curve.png and gradient_heatmap.png."""
    from nnlab.training import GradientCapture, train
    capture = GradientCapture()
    run = train(_seed_config(seed, epochs), observers=[capture, *observers])
    files = write_run_figures(run, capture, out, boundary_name=None)
    summary = _run_summary(run, files)
    summary["gradient_norm_first_last"] = {name: [float(row[0]), float(row[-1])]
                                           for name, row in zip(capture.layer_names, capture.norms)}
    return summary


def write_run_figures(run, capture, out: Path, boundary_name: str | None = "decision_boundary.png",
                      loss_name: str | None = "loss_curve.png",
                      gradient_name: str | None = "gradient_heatmap.png",
                      title: str = "MLP Classification and Predictions") -> list[Path]:
    """Write a finished run's figures into ``out``: decision regions (2-D classification only), the loss curve,
    and the gradient heatmap when a GradientCapture was attached. Returns the files written."""
    from nnlab.training.losses import LOSSES
    from nnlab.viz import plot_decision_boundary, plot_gradient_heatmap, plot_loss_curve, save

    out = Path(out)
    files: list[Path] = []
    data, history = run.data, run.history
    if boundary_name and data.task == "classification" and data.n_features == 2:
        fig = plot_decision_boundary(run.model, data.X_train, data.y_train, LOSSES[run.config.train.loss],
                                     domain=data.domain, accuracy=history.final.get("train_accuracy"),
                                     labels=[str(c) for c in data.classes], X_test=data.X_test,
                                     y_test=data.y_test, title=title,
                                     test_accuracy=history.final.get("test_accuracy"))
        files += save(fig, out / boundary_name)
    if loss_name and history.loss:
        files += save(plot_loss_curve(history, final=history.final), out / loss_name)
    if gradient_name and capture is not None and capture.norms.size:
        sizes = [(name, p.numel()) for name, p in run.model.named_parameters()]
        files += save(plot_gradient_heatmap(capture, sizes), out / gradient_name)
    return files
