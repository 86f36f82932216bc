"""Figures of the fair comparison: lr-sensitivity curves beside each optimizer's tuned path, the measured linear
rates on the kappa = 100 quadratic, and the network's loss curves."""
from __future__ import annotations

import numpy as np

from nnlab.labs.gd._axes import log_axis
from nnlab.labs.gd.functions import TestFunction, quadratic
from nnlab.labs.gd.paths import PATH_OPTIMIZERS, run_paths
from nnlab.labs.gd.plots_2d import colorbar, contour, draw_path, markers_legend
from nnlab.labs.gd.tuning import FLOOR
from nnlab.training.optimizers import OPTIMIZERS
from nnlab.viz._style import legend_outside, new_figure

__all__ = ["plot_sensitivity", "plot_rates", "plot_network"]

CEILING = 1e30          # finite scores above this (runs that grew huge without overflowing) are drawn at it


def plot_sensitivity(fn: TestFunction, sweeps: dict, points: int = 160):
    """Left: every optimizer's tuned path. Middle: its lr-sensitivity curve, final f - f* against lr (log-log;
    red crosses on the top edge where it diverged; a star at the lr chosen). Right: f - f* against step of the
    tuned runs. ``sweeps``: optimizer -> tuning.Sweep."""
    fig = new_figure(18, 5.6)
    left, middle, right = fig.subplots(1, 3, width_ratios=[1, 1.15, 1.15])
    image = contour(left, fn, points)
    finite = np.concatenate([s.scores[np.isfinite(s.scores)] for s in sweeps.values()])
    top = min(float(np.max(finite)), CEILING) * 30 if len(finite) else 1.0
    bottom = max(float(np.min(finite)) / 30, FLOOR / 3) if len(finite) else FLOOR
    for row, (name, s) in enumerate(sweeps.items()):
        color, dashed = PATH_OPTIMIZERS[name].color, name == "sgd"
        draw_path(left, s.paths, s.best, color, name, dashed=dashed)
        ok = np.isfinite(s.scores)
        middle.plot(s.lrs[ok], np.clip(s.scores[ok], FLOOR, CEILING), "--o" if dashed else "-o", color=color,
                    ms=3, lw=1.2, label=f"{name}: lr {s.best_lr:.2g} chosen")
        middle.plot(s.lrs[~ok], np.full((~ok).sum(), top * 10 ** (0.4 * row)), "x", color=color, ms=6, mew=1.8)
        middle.plot(s.best_lr, np.clip(s.best_score, FLOOR, CEILING), "*", color=color, ms=14, mec="black",
                    zorder=5)
        gap = np.clip(s.paths.gap[:, s.best], FLOOR, CEILING)
        right.plot(np.arange(len(gap)), gap, "--" if dashed else "-", color=color, lw=1.3, label=name)
    left.set_title("the tuned paths", fontsize=10)
    colorbar(fig, image, left, location="left")
    log_axis(middle, x=True)
    middle.set_ylim(bottom, top * 10 ** (0.4 * len(sweeps) + 0.2))
    middle.set_xlabel("learning rate")
    middle.set_ylabel(f"final f - f* after {next(iter(sweeps.values())).paths.steps} steps")
    middle.set_title(f"star = lr chosen, x = diverged; clipped to [{FLOOR:.0e}, {CEILING:.0e}]", fontsize=10)
    log_axis(right)
    right.set_xlabel("step")
    right.set_ylabel("f - f* at the tuned lr")
    right.set_title("f - f* against step", fontsize=10)
    for ax in (middle, right):
        ax.grid(alpha=0.3)
    handles, labels = middle.get_legend_handles_labels()
    markers_legend(fig, handles, labels, fn, sweeps, ncol=6)
    s0 = next(iter(sweeps.values()))
    fig.suptitle(f"{fn.name}: learning-rate sweep per optimizer ({len(s0.lrs)} lrs {s0.lrs[0]:.0e} .. "
                 f"{s0.lrs[-1]:.0e}, {s0.paths.steps} steps each, scored by final f - f*)", fontsize=11)
    return fig


def plot_rates(check: dict, points: int = 200):
    """Left: gd and heavy ball at Goh's optimal parameters on the kappa quadratic. Right: ||w_t - w*|| against
    step, measured, with the theoretical rates r^t ||w_0|| dashed."""
    fn = quadratic(check["kappa"])
    fig = new_figure(15, 5.8)
    left, right = fig.subplots(1, 2)
    image = contour(left, fn, points)
    gd = run_paths(fn, "gd", [check["gd_lr"]], steps=check["steps"])
    hb = run_paths(fn, "momentum", [check["hb_lr"]], steps=check["steps"],
                   overrides={"momentum": check["hb_momentum"]})
    draw_path(left, gd, 0, "#000000", f"gd, lr {check['gd_lr']:.4g}")
    draw_path(left, hb, 0, "#d62728", f"heavy ball, lr {check['hb_lr']:.4g}, momentum {check['hb_momentum']:.4g}")
    legend_outside(left, "below")
    colorbar(fig, image, left)
    left.set_title(f"{fn.name}: f = {fn.formula}, Goh's optimal parameters", fontsize=10)
    for name, color, key in (("gd", "#000000", "gd"), ("heavy ball", "#d62728", "heavy_ball")):
        dist = check["curves"][key]
        t = np.arange(len(dist))
        shown = dist > 0
        theory = check["gd_rate" if key == "gd" else "hb_rate"]
        right.plot(t[shown], dist[shown], color=color, lw=1.6,
                   label=f"{name}: measured rate {check[f'{key}_measured']:.4f}, "
                         f"{check[f'{key}_steps_to_1e-6']} steps to 1e-6")
        right.plot(t, dist[0] * theory ** t, "--", color=color, lw=1,
                   label=f"{name}: theory {theory:.4f} ({check[f'{key}_relative_error']:.2%} off)")
    log_axis(right)
    right.set_ylim(1e-16, 10)
    right.set_xlim(0, min(len(check["curves"]["gd"]), 1000))
    right.set_xlabel("step")
    right.set_ylabel("||w_t - w*|| (log)")
    right.set_title("dashed: theory rates, gd (kappa - 1)/(kappa + 1), heavy ball (sqrt kappa - 1)/(sqrt kappa + 1)",
                    fontsize=10)
    right.grid(alpha=0.3)
    legend_outside(right, "below")
    return fig


def plot_network(runs: list, target: float = 0.97):
    """Training loss (log) and accuracy against epoch for every optimizer at its tuned lr, on one figure."""
    fig = new_figure(15, 5.5)
    left, right = fig.subplots(1, 2)
    colors = {name: PATH_OPTIMIZERS[name].color if name in PATH_OPTIMIZERS else "#8c564b" for name in OPTIMIZERS}
    for run in runs:
        color = colors.get(run.optimizer, "#17becf")
        epochs = np.arange(1, len(run.loss) + 1)
        label = f"{run.optimizer} lr {run.lr:g}" + (" (diverged)" if run.diverged else "")
        left.plot(epochs, run.loss, color=color, lw=1.3, label=label)
        right.plot(epochs, run.accuracy, color=color, lw=1.3)
    log_axis(left)
    left.set_ylabel("training loss (mean over the epoch's batches; log)")
    right.axhline(target, color="#444444", ls="--", lw=1)
    left.plot([], [], color="#444444", ls="--", lw=1, label=f"target {target:.0%} (right)")
    right.set_ylim(0.4, 1.005)
    right.set_ylabel("training accuracy (the epoch's batches, before each step)")
    for ax in (left, right):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(8, len(labels)), fontsize=9)
    fig.suptitle("the seed's MLP (2-8x5-2 ReLU, 330 parameters) on seed-circle, full batch, each optimizer at the "
                 "lr its short sweep chose", fontsize=12)
    return fig
