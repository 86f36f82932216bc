"""Figures of the universal-approximation lab."""
from __future__ import annotations

import numpy as np

from nnlab.labs.approx.experiments import loglog_slope, relu_kinks
from nnlab.labs.approx.targets import INTERVAL, TARGETS, sample
from nnlab.viz._style import BLUE, RED, new_figure

__all__ = ["plot_fits", "plot_error_vs_width", "plot_sawtooth"]

_COLOURS = {"relu": RED, "tanh": BLUE}


def plot_fits(fits, widths: list[int]):
    """Rows: targets; columns: chosen widths. The target in black, each activation's fit in colour; the relu
    net's kinks (where a hidden unit switches on) as ticks along the bottom."""
    import torch
    targets = list(dict.fromkeys(f.target for f in fits))
    fig = new_figure(3.0 * len(widths), 2.3 * len(targets))
    axes = fig.subplots(len(targets), len(widths), squeeze=False)
    x, _ = sample(targets[0], 801)
    for i, target in enumerate(targets):
        for j, width in enumerate(widths):
            ax = axes[i, j]
            ax.plot(x[:, 0], TARGETS[target].f(x[:, 0]), color="black", lw=2.2, alpha=0.35, label="target")
            for f in fits:
                if f.target != target or f.width != width:
                    continue
                with torch.no_grad():
                    pred = f.model(torch.as_tensor(x, dtype=torch.float32)).numpy()[:, 0]
                ax.plot(x[:, 0], pred, color=_COLOURS.get(f.activation), lw=1.2,
                        label=f"{f.activation} (rms {f.rms:.2g})")
                if f.activation == "relu":
                    kinks = relu_kinks(f.model)
                    lo = ax.get_ylim()[0]
                    ax.plot(kinks, np.full_like(kinks, lo), "|", color=RED, ms=8)
            if i == 0:
                ax.set_title(f"width {width}")
            if j == 0:
                ax.set_ylabel(TARGETS[target].formula if len(TARGETS[target].formula) < 12 else target)
            ax.legend(fontsize=6, loc="best")
            ax.tick_params(labelsize=7)
    fig.suptitle("One hidden layer of growing width (ticks: where the relu net's units switch on)", fontsize=12)
    return fig


def plot_error_vs_width(fits):
    """Per target: RMS (solid) and max (dashed) error against width on log-log axes, with fitted slopes."""
    targets = list(dict.fromkeys(f.target for f in fits))
    fig = new_figure(3.6 * len(targets), 3.6)
    axes = fig.subplots(1, len(targets), squeeze=False)[0]
    for ax, target in zip(axes, targets):
        for activation in dict.fromkeys(f.activation for f in fits):
            rows = sorted((f.width, f.rms, f.max) for f in fits if f.target == target and f.activation == activation)
            w, rms, mx = map(np.array, zip(*rows))
            slope = loglog_slope(w, rms)
            c = _COLOURS.get(activation)
            ax.loglog(w, rms, "o-", color=c, label=f"{activation} rms (slope {slope:.2f})")
            ax.loglog(w, mx, "s--", color=c, alpha=0.6, ms=3, label=f"{activation} max")
        ax.set_title(f"{target}: {'smooth' if TARGETS[target].smooth else 'not smooth'}", fontsize=10)
        ax.set_xlabel("hidden width")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("error on a dense grid")
    fig.suptitle("Error against width (log-log)", fontsize=12)
    return fig


def plot_sawtooth(rows):
    """Per k: the sawtooth, the exact deep width-2 net, and a trained shallow net with the same parameter count."""
    fig = new_figure(3.4 * len(rows), 3.4)
    axes = fig.subplots(1, len(rows), squeeze=False)[0]
    for ax, r in zip(axes, rows):
        ax.plot(r["x"], r["target"], color="black", lw=3, alpha=0.3, label="sawtooth")
        ax.plot(r["x"], r["deep_pred"], color=RED, lw=1.2, label=f"deep, {r['deep_params']} params (exact)")
        ax.plot(r["x"], r["shallow_pred"], color=BLUE, lw=1.2,
                label=f"shallow, {r['shallow_equal_budget_params']} params (trained)")
        ax.set_title(f"k = {r['k']}: {r['teeth']} teeth\nshallow exact needs {r['shallow_exact_params']} params",
                     fontsize=9)
        ax.legend(fontsize=6, loc="lower right")
        ax.set_ylim(-0.15, 1.25)
    fig.suptitle("Depth against width at equal parameter count", fontsize=12)
    return fig
