"""Figures of the regularisation lab: capacity curves, test accuracy per regulariser, decision boundaries in small
multiples, train / validation curves, weight histograms, and what augmentation does to a digit."""
from __future__ import annotations

import math

import numpy as np

from nnlab.labs.regularize.experiments import mean_std, weights_of
from nnlab.viz._style import BLUE, EXTRA, RED, legend_outside, new_figure, region_cmap, scatter_classes

__all__ = ["plot_capacity", "plot_accuracy", "plot_boundaries", "plot_curves", "plot_weights", "plot_shifts"]


def _spread(runs, key: str) -> tuple[float, float, float]:
    """(mean, min, max) of a metric over seeds: a range stays positive on a log axis, where mean - std may not."""
    values = [r.metrics[key] for r in runs]
    return mean_std(runs, key)[0], min(values), max(values)


def _band(ax, x, runs_per_x, key: str, color: str, name: str, style: str = "o-") -> None:
    stats = np.array([_spread(runs, key) for runs in runs_per_x])
    ax.plot(x, stats[:, 0], style, color=color, ms=4, label=name)
    ax.fill_between(x, stats[:, 1], stats[:, 2], color=color, alpha=0.18, lw=0)


def plot_capacity(task_name: str, capacity: dict, settings, epochs: int):
    """Rows: two hidden layers of growing width; hidden layers of ``depth_width`` of growing number. Columns:
    accuracy and loss, train (blue) and test (red), mean over seeds, the band from the lowest to the highest."""
    rows = [("width (two hidden layers)", [(w, (w, w)) for w in settings.widths], True),
            (f"depth (hidden layers of {settings.depth_width})",
             [(k, (settings.depth_width,) * k) for k in settings.depths], False)]
    fig = new_figure(10, 7)
    axes = fig.subplots(2, 2, squeeze=False)
    for i, (xlabel, points, log) in enumerate(rows):
        x = [p for p, _ in points]
        runs = [capacity[h] for _, h in points]
        for j, metric in enumerate(("accuracy", "loss")):
            ax = axes[i, j]
            _band(ax, x, runs, f"train_{metric}", BLUE, "training set")
            _band(ax, x, runs, f"test_{metric}", RED, "test set")
            if log:
                ax.set_xscale("log", base=2)
            if metric == "loss":
                ax.set_yscale("log")
            ax.set_xticks(x, [str(v) for v in x])
            ax.set_xlabel(xlabel)
            ax.set_ylabel("accuracy" if metric == "accuracy" else "cross-entropy loss (log)")
            ax.grid(alpha=0.3)
    legend_outside(axes[0, 1], "right")
    seeds = len(next(iter(capacity.values())))
    fig.suptitle(f"{task_name}: unregularised networks by size, {epochs} full-batch Adam epochs\nfinished model in "
                 f"eval mode; mean, band from the lowest to the highest of {seeds} seeds", fontsize=11)
    return fig


def plot_accuracy(task_name: str, trials: dict, chosen: dict):
    """Test accuracy and test loss per trial (mean, bar from lowest to highest seed); chosen strengths in red."""
    labels = list(trials)
    picked = {f"{n} {s:g}" if n != "batch-norm" else n for n, s in chosen.items()}
    fig = new_figure(11, 0.28 * len(labels) + 1.6)
    axes = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(labels))[::-1]
    for ax, key in zip(axes, ("test_accuracy", "test_loss")):
        stats = np.array([_spread(trials[k][1], key) for k in labels])
        colors = [RED if k in picked else ("black" if k == "none" else BLUE) for k in labels]
        base = mean_std(trials["none"][1], key)[0]
        # accuracy: settings that collapse (far below no regulariser) are marked at the edge, not drawn to scale
        edge = min(lo for m, lo, _ in stats if m >= base - 0.25) - 0.02 if key == "test_accuracy" else -np.inf
        for yi, (m, lo, hi), c in zip(y, stats, colors):
            if m < edge:
                ax.plot(edge, yi, "<", color=c, ms=6)
                ax.annotate(f"{m:.1%}", (edge, yi), xytext=(8, -3), textcoords="offset points", fontsize=7, color=c)
                continue
            ax.errorbar(m, yi, xerr=[[m - max(lo, edge)], [hi - m]], fmt="o", color=c, ms=4, capsize=2)
        ax.axvline(base, color="black", lw=0.8, ls=":")
        ax.set_xlabel(key.replace("_", " ") + (" (log)" if key == "test_loss" else ""))
        if key == "test_loss":
            from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator
            low, high = stats[:, 1].min(), stats[:, 2].max()
            ax.set_xscale("log")
            marks = (0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1, 2, 3, 5, 10, 20)
            ax.xaxis.set_major_locator(FixedLocator([v for v in marks if low / 1.2 <= v <= high * 1.2]))
            ax.xaxis.set_major_formatter(lambda v, _: f"{v:g}")
            ax.xaxis.set_minor_locator(NullLocator())
            ax.xaxis.set_minor_formatter(NullFormatter())
        else:
            ax.set_xlim(left=edge - 0.005 if np.isfinite(edge) else None)
        ax.grid(alpha=0.3, axis="x")
    axes[0].set_yticks(y, labels, fontsize=7)
    axes[0].set_ylabel("regulariser and strength")
    fig.suptitle(f"{task_name}: each regulariser alone and combined; mean, bar from lowest to highest seed\nblack: no "
                 "regulariser (dotted line); red: the strength the validation set chose; blue: other strengths and "
                 "combinations", fontsize=10)
    return fig


def plot_boundaries(panels: list[tuple[str, object]], split, domain: float, title: str, columns: int = 4):
    """Small multiples: each panel a network's decision regions, its training points (white edge) and its train
    and test accuracy. ``panels``: (title, trained torch model)."""
    from nnlab.training import evaluate
    from nnlab.training.losses import LOSSES
    from nnlab.viz.boundary import predict_grid
    columns = min(columns, len(panels))          # no empty canvas beside a short row
    rows = math.ceil(len(panels) / columns)
    fig = new_figure(2.6 * columns, 2.75 * rows + 0.3)
    axes = fig.subplots(rows, columns, squeeze=False)
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    for ax, (name, model) in zip(axes.ravel(), panels):
        axis, grid = predict_grid(model, LOSSES["cross-entropy"], domain, resolution=120)
        step = axis[1] - axis[0]
        extent = (axis[0] - step / 2, axis[-1] + step / 2, axis[0] - step / 2, axis[-1] + step / 2)
        ax.imshow(grid.T, origin="lower", extent=extent, cmap=region_cmap(2), vmin=-0.5, vmax=1.5, alpha=0.3,
                  interpolation="nearest")
        scatter_classes(ax, split.X_train, split.y_train, size=7)
        train = evaluate(model, split.X_train, split.y_train)["accuracy"]
        test = evaluate(model, split.X_test, split.y_test)["accuracy"]
        ax.set_title(f"{name}\ntrain {train:.0%}, test {test:.1%}", fontsize=8)
        ax.set_xlim(-domain, domain)
        ax.set_ylim(-domain, domain)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax._nnlab_no_colorbar = True      # two shades, the two predicted classes (named in the title), not a scale
    fig.suptitle(f"{title}\nshading: the class the network predicts; points: its training set; panel titles: its "
                 "train and test accuracy", fontsize=10)
    return fig


def plot_curves(task_name: str, entries: list[tuple[str, object]], columns: int = 4):
    """Small multiples of training (blue) and validation (red) loss per epoch, log scale, seed 0. The training
    loss is History.loss, the mean over the epoch's batches (one batch here, full batch) of the training-mode
    forward passes (with dropout, on augmented inputs); the validation loss is measured in eval mode after each
    epoch. A dotted line marks the epoch whose weights early stopping kept."""
    columns = min(columns, len(entries))
    rows = math.ceil(len(entries) / columns)
    fig = new_figure(3.0 * columns, 2.5 * rows + 0.6)
    axes = fig.subplots(rows, columns, squeeze=False, sharey=True)
    for ax in axes.ravel()[len(entries):]:
        ax.set_visible(False)
    kept = False
    for ax, (name, history) in zip(axes.ravel(), entries):
        epochs = np.arange(1, len(history.loss) + 1)
        ax.plot(epochs, history.loss, color=BLUE, lw=1, label="training loss (mean over the epoch's batches, "
                                                                 "training mode)")
        ax.plot(epochs, history.test_loss, color=RED, lw=1, label="validation loss (eval mode)")
        if history.best_epoch is not None:
            kept = True
            ax.axvline(history.best_epoch, color="black", ls=":", lw=1, label="epoch whose weights early "
                                                                                 "stopping kept")
            ax.set_title(f"{name} (kept: epoch {history.best_epoch})", fontsize=9)
        else:
            ax.set_title(name, fontsize=9)
        ax.set_yscale("log")
        ax.set_xlabel("epoch", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_ylabel("cross-entropy loss (log)", fontsize=8)
    handles, labels = [], []
    for ax in axes.ravel()[:len(entries)]:
        for handle, text in zip(*ax.get_legend_handles_labels()):
            if text not in labels:
                handles.append(handle)
                labels.append(text)
    fig.legend(handles, labels, loc="outside lower center", ncol=3 if kept else 2, fontsize=8, frameon=False)
    fig.suptitle(f"{task_name}: training and validation loss per epoch (seed 0)", fontsize=11)
    return fig


def plot_weights(rows: list[tuple[str, str, list[tuple[str, list]]]], threshold: float):
    """Histograms of log10 |w| over every weight-matrix entry of every seed's network (seeds pooled), one panel per
    (task, optimizer), one colour per regulariser; the legend gives the fraction below ``threshold`` (dashed
    line): pooled over seeds of equal size, it is the mean over seeds that the report's tables give."""
    fig = new_figure(13.0, 3.0 * math.ceil(len(rows) / 2) + 0.4)
    axes = fig.subplots(math.ceil(len(rows) / 2), 2, squeeze=False)
    for ax in axes.ravel()[len(rows):]:
        ax.set_visible(False)
    bins = np.linspace(-9, 1.5, 64)
    for ax, (task_name, optimizer, entries) in zip(axes.ravel(), rows):
        for (name, models), color in zip(entries, ["black", BLUE, RED, *EXTRA]):
            w = np.abs(np.concatenate([weights_of(m) for m in models]))
            ax.hist(np.log10(np.maximum(w, 1e-9)), bins=bins, histtype="step", color=color, lw=1.3,
                    label=f"{name}: {np.mean(w < threshold):.1%} below {threshold:g}")
        ax.axvline(math.log10(threshold), color="grey", ls="--", lw=1)
        ax.set_title(f"{task_name}, {optimizer}", fontsize=10)
        ax.set_xlabel("log10 |w|  (|w| < 1e-9 counted at -9)")
        ax.set_ylabel(f"weights ({len(entries[0][1])} seeds pooled)")
        legend_outside(ax, "right", fontsize=7)
    fig.suptitle(f"Weight-matrix entries by magnitude, without a penalty, with L2 and with L1 (dashed: "
                 f"{threshold:g})", fontsize=12)
    return fig


def plot_shifts(split, side: int, shifts: tuple[float, ...], seed: int = 0, count: int = 8):
    """Training digits as given (top row) and one random shifted variant per row for each largest shift."""
    from nnlab.training.loop import augment_inputs, augmentation_rng
    images = split.X_train[::max(1, len(split.X_train) // count)][:count]
    fig = new_figure(1.2 * count, 1.3 * (1 + len(shifts)))
    axes = fig.subplots(1 + len(shifts), count, squeeze=False)
    rng = augmentation_rng(seed)
    for i, shift in enumerate((0.0, *shifts)):
        variants = images if shift == 0 else augment_inputs(images, 0.0, shift, rng)
        for j in range(count):
            ax = axes[i, j]
            ax.imshow(variants[j].reshape(side, side), cmap="gray_r", vmin=0, vmax=1)
            ax._nnlab_no_colorbar = True      # a picture of a digit (ink), not a measured quantity read off a scale
            ax.set_xticks([])
            ax.set_yticks([])
        axes[i, 0].set_ylabel("as given" if shift == 0 else f"shift <= {shift:g}", fontsize=8)
    fig.suptitle("Augmentation on digits: a fresh random shift of every training image each epoch", fontsize=10)
    return fig
