"""The convolution lab's figures: each takes the lab's numbers and returns a matplotlib Figure; titles say what
is drawn, never what was found."""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from nnlab.viz._style import BLUE, RED, legend_outside, new_figure

__all__ = ["plot_examples", "plot_training", "plot_shift", "plot_filters", "plot_orientation", "plot_feature_maps",
           "plot_receptive_fields"]

COLORS = {"cnn": RED, "mlp": BLUE}


def _image(ax, img, title=None, cmap="gray", vmin=0.0, vmax=1.0, fontsize=8):
    im = ax.imshow(img, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=fontsize)
    return im


def plot_examples(pairs: dict):
    """One test image per class of every image set."""
    cols = max(len(p["classes"]) for p in pairs.values())
    fig = new_figure(1.1 * cols + 1.0, 1.35 * len(pairs) + 0.3)
    grid = fig.subplots(len(pairs), cols, squeeze=False)
    im = None
    for row, (name, p) in zip(grid, pairs.items()):
        X, y = p["data"]["X_test"], p["data"]["y_test"]
        for k, ax in enumerate(row):
            if k >= len(p["examples"]):
                ax.set_visible(False)
                continue
            i = p["examples"][k]
            im = _image(ax, X[i, 0], f"{name}: {p['classes'][y[i]]}")
    fig.colorbar(im, ax=grid.ravel().tolist(), shrink=0.8, label="pixel value")
    fig.suptitle("A test image of every class", fontsize=10)
    return fig


def plot_training(pairs: dict):
    """Test accuracy after each epoch, CNN and MLP, per image set."""
    fig = new_figure(4.2 * len(pairs) + 1.4, 3.2)
    axes = fig.subplots(1, len(pairs), squeeze=False)[0]
    for ax, (name, p) in zip(axes, pairs.items()):
        for key in ("cnn", "mlp"):
            acc = p[key]["test_accuracy_per_epoch"]
            ax.plot(np.arange(1, len(acc) + 1), acc, "-o", ms=3, color=COLORS[key],
                    label=f"{key.upper()} ({p[key]['params']:,} parameters)")
        ax.axhline(p["chance"], color="grey", ls=":", lw=1, label="chance")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("test accuracy")
        ax.set_ylim(0, 1.02)
        ax.set_title(f"{name} ({p['size']} x {p['size']})", fontsize=10)
        legend_outside(ax, "below", ncol=1)
    return fig


def plot_shift(pairs: dict, max_shift: int):
    """Accuracy on the test images moved 0..max_shift pixels (mean of right, left, down, up)."""
    fig = new_figure(4.2 * len(pairs) + 1.4, 3.4)
    axes = fig.subplots(1, len(pairs), squeeze=False)[0]
    shifts = np.arange(max_shift + 1)
    for ax, (name, p) in zip(axes, pairs.items()):
        for key in ("cnn", "mlp"):
            acc = [p[key]["shift_accuracy"][s] for s in shifts]
            ax.plot(shifts, acc, "-o", color=COLORS[key], label=f"{key.upper()} ({p[key]['params']:,} parameters)")
            for s, a in zip(shifts, acc):
                ax.annotate(f"{a:.2f}", (s, a), textcoords="offset points", xytext=(0, 6 if key == "cnn" else -12),
                            ha="center", fontsize=7, color=COLORS[key])
        ax.axhline(p["chance"], color="grey", ls=":", lw=1, label="chance")
        ax.set_xticks(shifts)
        ax.set_xlabel("shift of the test images (pixels)")
        ax.set_ylabel("test accuracy")
        ax.set_ylim(0, 1.08)
        ax.set_title(f"{name} ({p['size']} x {p['size']})", fontsize=10)
        legend_outside(ax, "below", ncol=1)
    return fig


def plot_filters(w_init, w_trained, tune_init, tune_trained, dataset: str):
    """The first layer's filters at initialisation and after training, each with its orientation selectivity."""
    n = w_init.shape[0]
    fig = new_figure(1.15 * n + 1.2, 3.3)
    grid = fig.subplots(2, n, squeeze=False)
    for row, w, t, label in ((grid[0], w_init, tune_init, "init"), (grid[1], w_trained, tune_trained, "trained")):
        scale = float(np.abs(w).max())
        for i, ax in enumerate(row):
            im = _image(ax, w[i, 0], f"{label} {i + 1}\nOSI {t.osi[i]:.2f}", cmap="RdBu_r", vmin=-scale, vmax=scale,
                        fontsize=7)
        fig.colorbar(im, ax=row.tolist(), shrink=0.9, label=f"weight ({label})")
    fig.suptitle(f"First-layer filters ({w_init.shape[-1]} x {w_init.shape[-1]}, {dataset}): at initialisation "
                 "and after training", fontsize=10)
    return fig


def plot_orientation(tune_init, tune_trained, spread: np.ndarray):
    """Orientation energy per filter (normalised to its maximum) at initialisation and after training, and the
    mean OSI of this network against fresh default initialisations."""
    fig = new_figure(12.5, 3.4)
    axes = fig.subplots(1, 3)
    for ax, t, label in ((axes[0], tune_init, "at initialisation"), (axes[1], tune_trained, "after training")):
        e = t.energy / t.energy.max(1, keepdims=True)
        for i, curve in enumerate(e):
            ax.plot(np.r_[t.angles, 180.0], np.r_[curve, curve[0]], color=f"C{i % 10}", lw=1.2,
                    label=f"filter {i + 1}: OSI {tune_init.osi[i]:.2f} -> {tune_trained.osi[i]:.2f}")
        ax.set_xticks([0, 45, 90, 135, 180], ["0 (—)", "45 (/)", "90 (|)", "135 (\\)", "180 (—)"])
        ax.set_xlabel("grating orientation (degrees)")
        ax.set_ylabel("orientation energy / filter's max")
        ax.set_ylim(0, 1.05)
        ax.set_title(f"Grating responses {label}", fontsize=10)
    legend_outside(axes[1], "right")
    ax = axes[2]
    ax.hist(spread, bins=12, color="#bbbbbb", edgecolor="white", label=f"{len(spread)} fresh default inits")
    ax.axvline(tune_init.osi.mean(), color=BLUE, lw=2, label=f"this net at init ({tune_init.osi.mean():.3f})")
    ax.axvline(tune_trained.osi.mean(), color=RED, lw=2, label=f"this net trained ({tune_trained.osi.mean():.3f})")
    ax.set_xlabel("mean OSI of the first layer's filters")
    ax.set_ylabel("initialisations")
    ax.set_title("Mean orientation selectivity", fontsize=10)
    legend_outside(ax, "below")
    return fig


def plot_feature_maps(X: np.ndarray, labels: list[str], maps: dict, channels: int = 3):
    """For a few test images: the first ``channels`` maps of every stage after its relu and after each pool,
    each stage scaled to its largest value for that image."""
    stages = ["relu 1", "pool 1", "relu 2", "pool 2"]
    cols = 1 + channels * len(stages)
    fig = new_figure(0.95 * cols + 1.2, 1.25 * len(X) + 0.6)
    grid = fig.subplots(len(X), cols, squeeze=False)
    im = None
    for r, row in enumerate(grid):
        _image(row[0], X[r, 0], f"input: {labels[r]}", fontsize=7)
        for s, stage in enumerate(stages):
            m = maps[stage][r]
            top = float(m.max()) or 1.0
            for c in range(channels):
                ax = row[1 + s * channels + c]
                name = stage.replace("relu", "conv") + (" + relu" if stage.startswith("relu") else "")
                im = _image(ax, m[c] / top, f"{name}\nch {c + 1}, {m.shape[-1]}x{m.shape[-2]}", cmap="magma",
                            fontsize=6)
    fig.colorbar(im, ax=grid.ravel().tolist(), shrink=0.8, label="activation / stage's max for this image")
    fig.suptitle("Feature maps of every stage (first channels)", fontsize=10)
    return fig


def plot_receptive_fields(fields: list[dict], measured: dict, size: int):
    """Where the gradient of one unit near the centre of each stage is not zero (over random inputs), with the
    computed receptive field drawn as a square around it."""
    from matplotlib.patches import Rectangle
    fig = new_figure(3.0 * len(fields) + 1.0, 3.4)
    axes = fig.subplots(1, len(fields), squeeze=False)[0]
    im = None
    for ax, f in zip(axes, fields):
        m = measured[f["stage"]]
        im = ax.imshow(m["support"], cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
        rows, cols = np.nonzero(m["support"])
        if rows.size:
            r0 = (rows.min() + rows.max()) / 2 - f["field"] / 2
            c0 = (cols.min() + cols.max()) / 2 - f["field"] / 2
            ax.add_patch(Rectangle((c0, r0), f["field"], f["field"], fill=False, ec="white", lw=1.5, ls="--"))
        ax.set_title(f"{f['stage']}: computed {f['field']} px,\nmeasured {f['measured']} px", fontsize=9)
        ax.set_xlabel("input column")
        ax.set_ylabel("input row")
    fig.colorbar(im, ax=axes.tolist(), shrink=0.85, label="share of inputs with gradient ≠ 0")
    fig.suptitle(f"Receptive field of one unit per stage on the {size} x {size} input (dashed: computed)",
                 fontsize=10)
    return fig
