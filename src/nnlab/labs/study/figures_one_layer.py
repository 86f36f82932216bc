"""Figures of the one-layer study: the final decision boundary with each hidden unit's line, and training as
boundary snapshots above the loss curves of the torch run and the hand-written one."""
from __future__ import annotations

import numpy as np

from nnlab.viz._style import BLUE, RED, legend_outside, new_figure, region_cmap, scatter_classes

__all__ = ["plot_boundary_with_units", "plot_training", "draw_regions"]


REGIONS = "regions: predicted class; points: training data; blue -1, red 1"


def draw_regions(ax, axis: np.ndarray, classes: np.ndarray, alpha: float = 0.3) -> None:
    """Predicted classes (r, r), indexed [x, y] on ``axis`` (r,), as faint regions (the figure's title says what
    the two colours are: ``REGIONS``)."""
    step = axis[1] - axis[0]
    extent = (axis[0] - step / 2, axis[-1] + step / 2, axis[0] - step / 2, axis[-1] + step / 2)
    ax.imshow(classes.T, origin="lower", extent=extent, cmap=region_cmap(2), vmin=-0.5, vmax=1.5, alpha=alpha,
              interpolation="nearest")
    ax._nnlab_no_colorbar = True     # two colours for two classes, named in the figure's title, not a scale


def _title(cfg) -> str:
    b = "full batch" if cfg.train.batch_size is None else f"batch {cfg.train.batch_size}"
    return (f"2 -> {cfg.model.hidden_sizes[0]} {cfg.model.activation} -> 2 on {cfg.data.dataset}: "
            f"SGD lr {cfg.train.lr:g}, {b}, {cfg.train.epochs} epochs, seed {cfg.train.seed}")


def plot_boundary_with_units(result: dict):
    """The torch run's decision regions, training points (test points outlined) and, dashed, the line
    w . x + b = 0 of every hidden unit."""
    from nnlab.training.losses import LOSSES
    from nnlab.viz import plot_decision_boundary
    run, data, cfg = result["torch"], result["data"], result["config"]
    final = run.history.final
    fig = plot_decision_boundary(run.model, data.X_train, data.y_train, LOSSES[cfg.train.loss], domain=data.domain,
                                 title=_title(cfg), labels=[str(c) for c in data.classes],
                                 X_test=data.X_test, y_test=data.y_test)
    ax = fig.axes[0]
    first = run.model.linear_layers()[0]
    W, b = first.weight.detach().numpy(), first.bias.detach().numpy()           # (h, 2), (h,)
    d = data.domain
    t = np.linspace(-4 * d, 4 * d, 2)
    for i, (w, c) in enumerate(zip(W, b)):
        # the points with w . x + c = 0: x = p + t * (-w2, w1), p the foot of the perpendicular from 0
        norm2 = float(w @ w) or 1.0
        p = -c * w / norm2
        direction = np.array([-w[1], w[0]]) / np.sqrt(norm2)
        xs, ys = p[0] + t * direction[0], p[1] + t * direction[1]
        ax.plot(xs, ys, "--", color="black", lw=0.9, alpha=0.6, label="hidden unit: w.x + b = 0" if i == 0 else None)
    ax.set_xlim(-d, d)
    ax.set_ylim(-d, d)
    # one legend under the panel (with the units' lines) and the accuracies with the report's digits (the
    # finished network on the whole sets), whichever legend and title plot_decision_boundary drew
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    for legend in list(fig.legends):
        legend.remove()
    ax.set_title("")
    handles, names = ax.get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncol=3, fontsize=9,
               title="points: true class (test points outlined); regions: predicted class")
    fig.suptitle(f"{_title(cfg)}\nfinished network: training accuracy {final['train_accuracy']:.1%}, "
                 f"test accuracy {final['test_accuracy']:.1%}", fontsize=12)
    return fig


def plot_training(result: dict):
    """Top: the decision regions at the snapshot epochs (from the hand-written run). Bottom: training and test
    loss per epoch of the torch run, the hand-written run's training loss on top of it, the snapshots marked."""
    hand, run, data, cfg = result["hand"], result["torch"], result["data"], result["config"]
    epochs = sorted(hand.snapshots)
    axis = result["grid_axis"]
    r = len(axis)
    fig = new_figure(max(2.6 * len(epochs), 12.0), 7.4)     # wide enough for the legend under the curves
    grid = fig.add_gridspec(2, len(epochs), height_ratios=[1.0, 1.05])
    for j, e in enumerate(epochs):
        ax = fig.add_subplot(grid[0, j])
        draw_regions(ax, axis, hand.snapshots[e].reshape(r, r), alpha=0.35)
        scatter_classes(ax, data.X_train, data.y_train, size=4, edge="none")
        acc = "" if e == 0 else f"\ntest acc {hand.test_accuracy[e - 1]:.1%}"
        ax.set_title(f"epoch {e}{acc}" if e else "epoch 0 (initial)", fontsize=9)
        ax.set_xlim(-data.domain, data.domain)
        ax.set_ylim(-data.domain, data.domain)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    ax = fig.add_subplot(grid[1, :])
    x = np.arange(1, len(run.history.loss) + 1)
    ax.plot(x, run.history.loss, color=BLUE, lw=2.2, alpha=0.8,
            label="training loss (mean over the epoch's batches), torch (nnlab.fit)")
    ax.plot(x[:len(run.history.test_loss)], run.history.test_loss, color=RED, lw=1.3,
            label="test loss (whole test set, end of epoch), torch")
    ax.plot(np.arange(1, len(hand.loss) + 1), hand.loss, ":", color="black", lw=1.4,
            label=f"training loss (mean over the epoch's batches), hand-written backward (NumPy float64); "
                  f"largest |difference| {result['loss_max_abs_diff']:.1e}")
    for e in epochs:
        if e:
            ax.axvline(e, color="grey", lw=0.8, ls="--", alpha=0.6)
    ax.set_yscale("log")
    ax.set_xscale("log")
    ax.set_xlim(1, len(x))
    ax.set_xlabel("epoch (log; dashed: the snapshots above)")
    ax.set_ylabel("cross-entropy (log)")
    ax.grid(alpha=0.3, which="both")
    legend_outside(ax, "below", ncol=2)
    fig.suptitle(f"Training: {_title(cfg)}\n(snapshots of the hand-written run; {REGIONS})", fontsize=12)
    return fig
