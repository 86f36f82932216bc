"""Figures of the variances at initialisation: measured means (solid) beside the theory's lines (dashed)."""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from nnlab.viz._style import BLUE, EXTRA, RED, legend_outside, new_figure

__all__ = ["plot_init_variance", "plot_architectures", "plot_width_spread"]

_INIT_COLOURS = {"pytorch": "#7f7f7f", "xavier": "#2ca02c", "he": RED, "lecun": BLUE, "normal": "#ff7f0e",
                 "orthogonal": "#9467bd", "playground": "#8c564b"}


def _positive(v) -> np.ndarray:
    """Values a log axis can show; zeros (underflow) and non-finite values become gaps, never numbers."""
    v = np.asarray(v, dtype=np.float64)
    return np.where(np.isfinite(v) & (v > 0), v, np.nan)


_INIT_MARKERS = {"pytorch": "o", "xavier": "s", "he": "^", "lecun": "v", "normal": "D", "orthogonal": "x",
                 "playground": "P"}


def _factor_text(summary: dict, which: str) -> str:
    """'x0.986/layer' where the curve is geometric; 'not geometric' where no one factor describes it."""
    if not summary[f"{which}_geometric"]:
        return "not geometric"
    return f"x{summary[f'{which}_ratio']:.3g}/layer"


def _draw(ax, layers, measured, theory, colour, label, marker="o"):
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.semilogy(layers, _positive(measured), "-", marker=marker, color=colour, ms=4, lw=1.3, label=label,
                mfc="none" if marker not in ("o", "x") else colour)
    if theory is not None:
        ax.semilogy(layers, _positive(theory), "--", color=colour, lw=1.1, alpha=0.8)


def plot_init_variance(profiles: dict):
    """Rows: activations; left: Var(z_l) forward, right: Var(dL/dz_l) backward, against the layer. ``profiles``
    maps (activation, init) to a ``Profile``; each init a colour, measured solid, theory dashed."""
    activations = list(dict.fromkeys(a for a, _ in profiles))
    fig = new_figure(14, 3.0 * len(activations) + 0.6)
    axes = fig.subplots(len(activations), 2, squeeze=False)
    for row, activation in enumerate(activations):
        for (a, init), p in profiles.items():
            if a != activation:
                continue
            layers = np.arange(1, p.forward.shape[1] + 1)
            s = p.summary()
            colour = _INIT_COLOURS.get(init, EXTRA[-1])
            name = (f"normal({p.std:g})" if init == "normal"
                    else "xavier (with the activation's gain)" if init == "xavier" else init)
            marker = _INIT_MARKERS.get(init, "o")
            _draw(axes[row, 0], layers, p.forward.mean(0), p.theory_forward, colour,
                  f"{name}: {_factor_text(s, 'forward')}", marker)
            _draw(axes[row, 1], layers, p.backward.mean(0), p.theory_backward, colour,
                  f"{name}: {_factor_text(s, 'backward')}", marker)
        axes[row, 0].set_ylabel(f"{activation}\nvariance")
        for col, what in enumerate(("forward: Var(z_l), what layer l's activation receives",
                                    "backward: Var(dL/dz_l), input layer at the left")):
            ax = axes[row, col]
            ax.set_title(f"{activation}: {what}", fontsize=9)
            ax.grid(alpha=0.3, which="both")
            legend_outside(ax, "right", fontsize=6.5)
            ax.set_xlabel("hidden layer l")
    p = next(iter(profiles.values()))
    fig.suptitle(f"Variance against depth at initialisation: width {p.width}, mean of {p.forward.shape[0]} seeds "
                 "(solid) and the infinite-width theory (dashed); x = fitted factor per layer", fontsize=11)
    return fig


def plot_architectures(profiles: list):
    """The trained nets at initialisation (at the measuring width): forward and backward variance per layer."""
    fig = new_figure(11, 4.8)
    left, right = fig.subplots(1, 2)
    colours = [RED, BLUE, "#2ca02c", "#9467bd", "#ff7f0e"]
    for p, colour in zip(profiles, colours):
        layers = np.arange(1, p.forward.shape[1] + 1)
        s = p.summary()
        _draw(left, layers, p.forward.mean(0), p.theory_forward, colour, f"{p.label}: {_factor_text(s, 'forward')}")
        _draw(right, layers, p.backward.mean(0), p.theory_backward, colour,
              f"{p.label}: {_factor_text(s, 'backward')}")
    left.set_title("forward: Var(z_l)", fontsize=10)
    right.set_title("backward: Var(dL/dz_l) (batch norm: no theory line)", fontsize=10)
    for ax in (left, right):
        ax.set_xlabel("hidden layer l")
        ax.grid(alpha=0.3, which="both")
        legend_outside(ax, "below", fontsize=7)
    left.set_ylabel("variance")
    p = profiles[0]
    fig.suptitle(f"The trained nets' architectures at initialisation (width {p.width}, {p.forward.shape[0]} seeds; "
                 "dashed: theory)", fontsize=11)
    return fig


def plot_width_spread(spread: dict):
    """Per width: every seed's Var(z_l) (thin), their mean (thick) and the theory (dashed), relu with He and LeCun.
    ``spread`` maps width to a list of Profiles. The mean follows the theory; single nets wander more when narrow."""
    widths = list(spread)
    fig = new_figure(4.6 * len(widths), 4.6)
    axes = fig.subplots(1, len(widths), squeeze=False)[0]
    for ax, width in zip(axes, widths):
        for p in spread[width]:
            colour = _INIT_COLOURS.get(p.init, EXTRA[-1])
            layers = np.arange(1, p.forward.shape[1] + 1)
            for row in p.forward:
                ax.semilogy(layers, _positive(row), color=colour, lw=0.5, alpha=0.3)
            _draw(ax, layers, p.forward.mean(0), p.theory_forward, colour,
                  f"{p.label}: mean, {_factor_text(p.summary(), 'forward')}")
        ax.set_title(f"width {width}", fontsize=10)
        ax.set_xlabel("hidden layer l")
        ax.grid(alpha=0.3, which="both")
        legend_outside(ax, "below", fontsize=7)
    axes[0].set_ylabel("Var(z_l)")
    fig.suptitle("relu with He and LeCun init: every initialisation (thin), their mean (thick) and the "
                 "infinite-width theory (dashed)", fontsize=11)
    return fig
