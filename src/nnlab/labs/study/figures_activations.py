"""Figures of the activations study: loss curves with their spread over seeds, final accuracy and epochs to
target per seed, and the decision boundaries as small multiples (activations x seeds)."""
from __future__ import annotations

import math

import numpy as np

from nnlab.labs.study.figures_one_layer import REGIONS, draw_regions
from nnlab.viz._style import BLUE, RED, new_figure, scatter_classes

__all__ = ["plot_activation_curves", "plot_activation_outcomes", "plot_activation_boundaries"]


def _pm(pair, percent: bool = False) -> str:
    """As the report writes it (``report.pm``)."""
    from nnlab.labs.study.report import pm
    return pm(pair, percent)


def _curves(trials, name: str) -> np.ndarray:
    """(seeds, epochs) training loss (mean over each epoch's batches) of one activation, NaN-padded where a run
    stopped early."""
    runs = [t.loss for t in trials if t.params["model.activation"] == name]
    width = max(len(r) for r in runs)
    out = np.full((len(runs), width), np.nan)
    for i, r in enumerate(runs):
        out[i, :len(r)] = r
    return out


def plot_activation_curves(trials, summary: dict, s):
    """One panel per activation: each seed's training loss (thin), their median (bold) and min-max band; the
    other activations' medians in grey behind, for comparison. Shared log axes. (The median, not the mean: on a
    log axis one stuck seed would pull a mean curve far from every seed.)"""
    names = list(summary)
    cols = 3
    rows = math.ceil(len(names) / cols)
    fig = new_figure(4.2 * cols, 2.9 * rows)
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    medians = {n: np.nanmedian(_curves(trials, n), axis=0) for n in names}
    for ax, name in zip(axes.flat, names):
        c = _curves(trials, name)
        x = np.arange(1, c.shape[1] + 1)
        for other, m in medians.items():
            if other != name:
                ax.plot(np.arange(1, len(m) + 1), m, color="grey", lw=0.8, alpha=0.35)
        ax.fill_between(x, np.nanmin(c, axis=0), np.nanmax(c, axis=0), color=BLUE, alpha=0.18, lw=0)
        for row in c:
            ax.plot(x, row, color=BLUE, lw=0.7, alpha=0.6)
        ax.plot(x, medians[name], color=RED, lw=2.0)
        info = summary[name]
        ax.set_title(f"{name}: test acc {_pm(info['test_accuracy'], True)}", fontsize=10)
        ax.set_yscale("log")
        ax.grid(alpha=0.3, which="both")
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("epoch")
    for ax in axes[:, 0]:
        ax.set_ylabel("training loss\n(mean over the epoch's batches)")
    fig.suptitle(f"Training loss per activation over {s.seeds} seeds (thin: each seed; band: min-max; red: median; "
                 f"grey: the other activations' medians)\n2 -> {s.hidden} -> 2 on {s.dataset}, SGD lr {s.lr:g}, "
                 f"batch {s.batch_size}", fontsize=11)
    return fig


def plot_activation_outcomes(summary: dict, s):
    """Left: final test accuracy of every seed (dots) with mean ± std, activations sorted by mean. Right: epochs
    to the target test accuracy per seed; 'never' at the right edge."""
    names = sorted(summary, key=lambda n: summary[n]["test_accuracy"][0])
    fig = new_figure(12, 0.45 * len(names) + 1.8)
    left, right = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(names))
    never_x = s.epochs * 1.6
    for i, name in enumerate(names):
        info = summary[name]
        accs = np.asarray(info["test_accuracy_per_seed"], dtype=float)
        jitter = np.linspace(-0.15, 0.15, len(accs)) if len(accs) > 1 else np.zeros(1)
        left.scatter(accs, i + jitter, s=16, color=BLUE, alpha=0.7, zorder=3)
        m, sd = info["test_accuracy"]
        left.errorbar(m, i, xerr=sd, fmt="D", color=RED, ms=5, capsize=3, zorder=4)
        reach = info["epochs_to_target_per_seed"]
        xs = np.array([never_x if r is None else r for r in reach], dtype=float)
        right.scatter(xs, i + jitter, s=16, color=[BLUE if r is not None else "grey" for r in reach],
                      marker="o", alpha=0.8, zorder=3)
        med = info["epochs_to_target_median"]
        right.text(never_x * 1.25, i, "median " + ("never" if med is None else f"{med:g}"), va="center", fontsize=8)
    left.axvline(0.5, color="grey", ls=":", lw=1)
    left.set_yticks(y, [f"{n}\n{_pm(summary[n]['test_accuracy'], True)}" for n in names], fontsize=8)
    left.set_ylabel("activation (mean ± std test accuracy)")
    left.set_xlim(min(0.4, left.get_xlim()[0]), 1.02)
    left.set_xlabel("final test accuracy (dots: seeds; red: mean ± std; dotted: chance)")
    left.grid(alpha=0.3, axis="x")
    right.set_xscale("log")
    right.axvline(s.epochs * 1.25, color="grey", lw=0.8)
    right.set_xlim(0.8, never_x * 2.6)
    ticks = [t for t in (1, 10, 100, 1000) if t <= s.epochs] + [never_x]
    right.set_xticks(ticks, [str(t) for t in ticks[:-1]] + ["never"])
    right.set_xlabel(f"epochs to {s.target:.0%} test accuracy (grey: never within {s.epochs} epochs)")
    right.grid(alpha=0.3, axis="x")
    fig.suptitle(f"Activations on {s.dataset}: {len(summary[names[0]]['test_accuracy_per_seed'])} seeds each",
                 fontsize=12)
    return fig


def plot_activation_boundaries(result: dict, s):
    """Small multiples: a column per activation, a row per seed; decision regions with the training points."""
    summary, grids, axis, data = result["summary"], result["grids"], result["grid_axis"], result["data"]
    names = list(summary)
    seeds = summary[names[0]]["seeds"]
    r = len(axis)
    fig = new_figure(1.75 * len(names) + 0.4, 1.95 * len(seeds) + 1.1)
    axes = fig.subplots(len(seeds), len(names), squeeze=False)
    for j, name in enumerate(names):
        accs = dict(zip(summary[name]["seeds"], summary[name]["test_accuracy_per_seed"]))
        for i, seed in enumerate(seeds):
            ax = axes[i, j]
            draw_regions(ax, axis, grids[(name, seed)].reshape(r, r), alpha=0.4)
            scatter_classes(ax, data.X_train, data.y_train, size=1.5, edge="none")
            ax.set_xlabel(f"test {accs[seed]:.1%}", fontsize=8, labelpad=2)      # under the panel, off the data
            ax.set_xlim(-data.domain, data.domain)
            ax.set_ylim(-data.domain, data.domain)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(name, fontsize=10)
            if j == 0:
                ax.set_ylabel(f"seed {seed}", fontsize=9)
    fig.suptitle(f"Decision boundaries after {s.epochs} epochs, a column per activation, a row per seed\n"
                 f"({REGIONS}; under each panel: its final test accuracy)", fontsize=11)
    return fig
