"""Figures of the trained nets: gradient-norm heatmaps (layers x epochs, log colour), loss and accuracy curves,
SGD against Adam, and where an exploding run blew up. Non-finite values are drawn as what they are (a marked
cell, a marker on the curve), never as numbers."""
from __future__ import annotations

import math

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from nnlab.viz._style import BLUE, RED, legend_outside, new_figure
from nnlab.viz.gradients import NON_FINITE, log_heatmap, log_norm

__all__ = ["plot_heatmaps", "plot_curves", "plot_adam", "plot_explode"]

_NET_COLOURS = [RED, BLUE, "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
def _heatmap(ax, norms: np.ndarray, names: list[str], norm: LogNorm, first: dict | None = None):
    """Layers x epochs (``nnlab.viz.gradients.log_heatmap``), with layer names and the first non-finite cell."""
    image = log_heatmap(ax, norms, norm)
    step = max(1, len(names) // 12)
    ax.set_yticks(range(0, len(names), step), names[::step], fontsize=7)
    ax.set_xlabel("epoch")
    if first is not None:
        ax.plot(first["epoch"], first["layer"] - 1, marker="*", ms=16, color="white", mec="black", mew=1.2)
    return image


def _ratio_text(x) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.2g}"


def plot_heatmaps(runs, learned_accuracy: float):
    """One heatmap per run, one shared log colour scale, so vanishing and healthy nets compare directly."""
    cols = 2 if len(runs) > 1 else 1
    rows = math.ceil(len(runs) / cols)
    fig = new_figure(6.2 * cols, 3.6 * rows + 0.5)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False).ravel())
    norm = log_norm([r.grad_norms for r in runs])
    image = None
    for ax, run in zip(axes, runs):
        image = _heatmap(ax, run.grad_norms, run.layer_names, norm, run.non_finite)
        s = run.summary(learned_accuracy)
        verdict = "learned" if s["learned"] else "did not learn"
        ax.set_title(f"{run.name} ({run.optimizer}, lr {run.lr:g}): {verdict}, test acc {s['test_accuracy']:.3f}\n"
                     f"||grad L1|| / ||grad head||: epoch 1 {_ratio_text(s['grad_ratio_first_last_epoch1'])}, "
                     f"last {_ratio_text(s['grad_ratio_first_last_final'])}", fontsize=9)
    for ax in axes[len(runs):]:
        ax.set_visible(False)
    fig.colorbar(image, ax=list(axes[:len(runs)]), label="||grad|| of the layer (log scale)", shrink=0.9)
    fig.suptitle("Gradient norm of every Linear layer per epoch (input layer at the top; shared log colour)",
                 fontsize=12)
    return fig


def plot_curves(runs):
    """Training loss (log axis) and test accuracy against the epoch, one colour per run."""
    fig = new_figure(12, 4.8)
    left, right = fig.subplots(1, 2)
    for run, colour in zip(runs, _NET_COLOURS):
        h = run.history
        epochs = np.arange(1, len(h.loss) + 1)
        left.semilogy(epochs, h.loss, color=colour, lw=1.4, label=run.name)
        right.plot(np.arange(1, len(h.test_accuracy) + 1), h.test_accuracy, color=colour, lw=1.4,
                   label=f"{run.name}: {h.final.get('test_accuracy', float('nan')):.3f}")
    left.axhline(math.log(2), color="grey", ls=":", lw=1, label="ln 2: guessing")
    right.axhline(0.5, color="grey", ls=":", lw=1, label="chance")
    left.set(xlabel="epoch", ylabel="training loss (mean over the epoch's batches)", title="loss")
    right.set(xlabel="epoch", ylabel="test accuracy", title="test accuracy (eval mode, after each epoch)",
              ylim=(0.4, 1.01))
    for ax in (left, right):
        ax.grid(alpha=0.3, which="both")
    legend_outside(left, "below", ncol=2)
    legend_outside(right, "below", ncol=2)
    fig.suptitle("The same depth and width, plain SGD at one learning rate", fontsize=12)
    return fig


def plot_adam(runs):
    """SGD against Adam on the plain sigmoid net: test accuracy per epoch, mean gradient norm per layer and mean
    relative weight change per layer. Adam's per-parameter scaling makes early layers move although their
    gradients are tiny; below its eps (1e-8) the gradients are too small even for Adam."""
    fig = new_figure(15, 5.0)
    acc, grads, moves = fig.subplots(1, 3)
    for run, colour in zip(runs, _NET_COLOURS):
        label = f"{run.optimizer}, depth {run.depth}"
        style = "-" if run.optimizer == "adam" else "--"
        acc.plot(np.arange(1, len(run.history.test_accuracy) + 1), run.history.test_accuracy, style, color=colour,
                 label=f"{label}: {run.history.final.get('test_accuracy', float('nan')):.3f}")
        layers = np.arange(1, run.grad_norms.shape[0] + 1)
        grads.semilogy(layers, _finite_mean(run.grad_norms), style + "o", color=colour, ms=3, label=label)
        moves.semilogy(layers, _finite_mean(run.update_sizes), style + "o", color=colour, ms=3, label=label)
    acc.axhline(0.5, color="grey", ls=":", lw=1)
    acc.set(xlabel="epoch", ylabel="test accuracy", title="test accuracy", ylim=(0.4, 1.01))
    grads.set(xlabel="Linear layer (1 = input)", ylabel="mean ||grad|| over epochs", title="gradient norm per layer")
    moves.set(xlabel="Linear layer (1 = input)", ylabel="mean ||dW|| / ||W|| per epoch",
              title="weight change per epoch (gap: none in float32)")
    for ax in (acc, grads, moves):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3, which="both")
        legend_outside(ax, "below", ncol=2, fontsize=7)
    fig.suptitle("The plain sigmoid net under SGD (dashed) and Adam (solid): test accuracy, gradient norm and weight "
                 "change per layer", fontsize=11)
    return fig


def _finite_mean(a: np.ndarray) -> np.ndarray:
    """Row means over finite entries; rows with none, and zero means, become gaps on a log axis."""
    with np.errstate(invalid="ignore"):
        m = np.array([row[np.isfinite(row)].mean() if np.isfinite(row).any() else np.nan for row in a])
    return np.where(m > 0, m, np.nan)


def plot_explode(runs):
    """Per exploding run: its gradient heatmap (non-finite cells in cyan, the first non-finite value starred) and its
    loss curve up to the last finite value, with the epoch where it became non-finite marked."""
    fig = new_figure(13, 4.6 * len(runs))
    axes = fig.subplots(len(runs), 2, squeeze=False, width_ratios=[1.4, 1])
    for (heat, curve), run in zip(axes, runs):
        norm = log_norm([run.grad_norms])
        image = _heatmap(heat, run.grad_norms, run.layer_names, norm, run.non_finite)
        fig.colorbar(image, ax=heat, label="||grad|| (log)")
        legend_outside(heat, "below", handles=[Patch(color=NON_FINITE, label="inf or NaN")])
        f = run.non_finite
        where = (f"first non-finite value: epoch {f['epoch']}, step {f['step']}, {f['layer_name']} "
                 f"({f['where']}, {f['value']})") if f else "no non-finite value"
        heat.set_title(f"{run.name} (lr {run.lr:g}): {where}", fontsize=9)
        loss = np.asarray(run.history.loss, dtype=np.float64)
        epochs = np.arange(1, len(loss) + 1)
        ok = np.isfinite(loss)
        curve.semilogy(epochs[ok], loss[ok], "o-", color=BLUE, ms=4, label="training loss")
        if not ok.all():
            bad = int(epochs[~ok][0])
            curve.axvline(bad, color=RED, lw=1.2, ls="--")
            top = loss[ok].max() if ok.any() else 1.0
            curve.plot([bad], [top], "X", color=RED, ms=12, label=f"non-finite loss at epoch {bad}")
        curve.set(xlabel="epoch", ylabel="training loss (mean over the epoch's batches, log)",
                  xlim=(0.5, max(len(loss), 2) + 0.5))
        for ax in (heat, curve):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        curve.grid(alpha=0.3, which="both")
        legend_outside(curve, "below", ncol=2)
    fig.suptitle("Exploding: full-batch SGD on relu nets, stopped at the first non-finite loss", fontsize=12)
    return fig
