"""Figures of the universal-approximation lab. Titles say what is plotted; every number in a figure is one the
report's tables show."""
from __future__ import annotations

import numpy as np

from nnlab.labs.approx.targets import TARGETS, sample
from nnlab.viz._style import BLUE, RED, new_figure

__all__ = ["plot_fits", "plot_error_vs_width", "plot_sawtooth", "target_label"]

_COLOURS = {"relu": RED, "tanh": BLUE}
_EXTRA = ["#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def _colour(activation: str, order: list[str]) -> str:
    return _COLOURS.get(activation) or _EXTRA[order.index(activation) % len(_EXTRA)]


def target_label(target: str) -> str:
    """The target's formula where it is short, else its name."""
    formula = TARGETS[target].formula
    return formula if len(formula) < 12 else target


def plot_fits(fits, widths: list[int]):
    """Rows: targets; columns: chosen widths. The target in grey, each activation's fit in colour, the RMS errors
    in the panel's title; the relu net's kinks (where a hidden unit switches on) as ticks along the bottom."""
    import torch
    from matplotlib.lines import Line2D

    from nnlab.labs.approx.experiments import relu_kinks

    targets = list(dict.fromkeys(f.target for f in fits))
    activations = list(dict.fromkeys(f.activation for f in fits))
    fig = new_figure(3.0 * len(widths), 2.35 * len(targets) + 0.5)
    axes = fig.subplots(len(targets), len(widths), squeeze=False)
    x, _ = sample(targets[0], 801)
    for i, target in enumerate(targets):
        for j, width in enumerate(widths):
            ax = axes[i, j]
            ax.plot(x[:, 0], TARGETS[target].f(x[:, 0]), color="black", lw=2.2, alpha=0.35)
            errors = []
            for f in fits:
                if f.target != target or f.width != width:
                    continue
                with torch.no_grad():
                    pred = f.model(torch.as_tensor(x, dtype=torch.float32)).numpy()[:, 0]
                ax.plot(x[:, 0], pred, color=_colour(f.activation, activations), lw=1.2)
                errors.append(f"{f.activation} {f.rms:.3g}")
                if f.activation == "relu":
                    kinks = relu_kinks(f.model)
                    lo = ax.get_ylim()[0]
                    ax.plot(kinks, np.full_like(kinks, lo), "|", color=RED, ms=8)
            ax.set_title(f"{target_label(target)}, width {width}\nRMS: {', '.join(errors)}", fontsize=8)
            if j == 0:
                ax.set_ylabel("y")
            if i == len(targets) - 1:
                ax.set_xlabel("x")
            ax.tick_params(labelsize=7)
    handles = [Line2D([], [], color="black", lw=2.2, alpha=0.35, label="target")]
    handles += [Line2D([], [], color=_colour(a, activations), lw=1.2, label=f"{a} net") for a in activations]
    if "relu" in activations:
        handles.append(Line2D([], [], color=RED, marker="|", ls="none", ms=8,
                              label="where a relu unit switches on (kink)"))
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=9)
    fig.suptitle("One hidden layer of growing width: the fits on the dense grid", fontsize=12)
    return fig


def plot_error_vs_width(fits):
    """Per target: RMS (solid) and max (dashed) error on the dense grid against width, on log-log axes."""
    from matplotlib.lines import Line2D

    targets = list(dict.fromkeys(f.target for f in fits))
    activations = list(dict.fromkeys(f.activation for f in fits))
    fig = new_figure(3.3 * len(targets), 3.9)
    axes = fig.subplots(1, len(targets), squeeze=False)[0]
    for ax, target in zip(axes, targets):
        for activation in activations:
            rows = sorted((f.width, f.rms, f.max) for f in fits if f.target == target and f.activation == activation)
            w, rms, mx = map(np.array, zip(*rows))
            c = _colour(activation, activations)
            ax.loglog(w, rms, "o-", color=c)
            ax.loglog(w, mx, "s--", color=c, alpha=0.6, ms=3)
        ax.set_title(f"{target_label(target)}: {'smooth' if TARGETS[target].smooth else 'not smooth'}", fontsize=10)
        ax.set_xlabel("hidden width")
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("error on the dense grid")
    handles = []
    for activation in activations:
        c = _colour(activation, activations)
        handles += [Line2D([], [], color=c, marker="o", label=f"{activation}: RMS error"),
                    Line2D([], [], color=c, marker="s", ls="--", alpha=0.6, ms=3, label=f"{activation}: max error")]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=9)
    fig.suptitle("RMS and max error against hidden width (log-log)", fontsize=12)
    return fig


def plot_sawtooth(rows):
    """Per k: the sawtooth, the deep width-2 net with set weights, and the best trained shallow net with the same
    parameter count; the panel's title gives both nets' errors."""
    from matplotlib.lines import Line2D

    fig = new_figure(3.4 * len(rows), 3.9)
    axes = fig.subplots(1, len(rows), squeeze=False)[0]
    for ax, r in zip(axes, rows):
        ax.plot(r["x"], r["target"], color="black", lw=3, alpha=0.3)
        ax.plot(r["x"], r["deep_pred"], color=RED, lw=1.2)
        ax.plot(r["x"], r["shallow_pred"], color=BLUE, lw=1.2)
        ax.set_title(f"k = {r['k']}: {r['teeth']} teeth, {r['deep_params']} params each\n"
                     f"deep max error {r['deep_max_error']:.1e}, shallow RMS {r['shallow_equal_budget_rms']:.3f}",
                     fontsize=9)
        ax.set_xlabel("x")
        ax.set_ylim(-0.15, 1.25)
    axes[0].set_ylabel("y")
    seeds = rows[0]["shallow_seeds"] if rows else 0
    handles = [Line2D([], [], color="black", lw=3, alpha=0.3, label="sawtooth (target)"),
               Line2D([], [], color=RED, lw=1.2, label="deep width-2 relu net, weights set (6k + 1 params)"),
               Line2D([], [], color=BLUE, lw=1.2, label=f"one hidden layer, same params, trained (best of {seeds})")]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=8)
    fig.suptitle("Depth against width at equal parameter count", fontsize=12)
    return fig
