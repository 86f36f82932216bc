"""The attention lab's figures: token accuracy with and without positions (and the equivariant ceiling), training
loss, the attention maps of every head for a few held-out inputs, and the token embeddings by PCA."""
from __future__ import annotations

import numpy as np

from nnlab.viz._style import BLUE, EXTRA, RED, legend_outside, new_figure

__all__ = ["plot_accuracy", "plot_maps", "plot_embeddings"]

_TASK_COLOURS = [BLUE, RED, EXTRA[0], EXTRA[1], EXTRA[2]]


def _smooth(values, window: int) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    window = max(1, min(window, len(values)))
    return np.convolve(values, np.ones(window) / window, mode="valid")


def plot_accuracy(summary: dict):
    """Bars: held-out token accuracy per task with and without positional encoding, the equivariant ceiling
    marked over the bars without; lines: the training loss per step (moving average)."""
    acc, ceiling, losses = summary["token_accuracy"], summary["equivariant_ceiling"], summary["loss_curves"]
    tasks = list(acc)
    fig = new_figure(13, 4.8)
    bars, curves = fig.subplots(1, 2, width_ratios=[1, 1.3])
    x = np.arange(len(tasks))
    for offset, key, colour, label in ((-0.2, "pe", BLUE, "with positional encoding"),
                                       (0.2, "no_pe", RED, "without positional encoding")):
        values = [acc[t][key] for t in tasks]
        bars.bar(x + offset, values, width=0.38, color=colour, label=label)
        for xi, v, t in zip(x + offset, values, tasks):
            top = max(v, ceiling[t]) if key == "no_pe" else v          # above the ceiling's mark
            bars.text(xi, top + 0.02, f"{v:.3f}", ha="center", va="bottom", fontsize=8)
    bars.hlines([ceiling[t] for t in tasks], x + 0.01, x + 0.39, color="black", lw=2.5, zorder=3,
                label="best any permutation-equivariant model can expect")
    bars.set(xticks=x, xticklabels=tasks, ylim=(0, 1.12), xlabel="task",
             ylabel="held-out token accuracy", title=f"token accuracy on {summary['test_size']} held-out sequences")
    legend_outside(bars, "below", fontsize=8)
    window = max(1, len(next(iter(losses.values()))["pe"]) // 30)
    for (task, curve), colour in zip(losses.items(), _TASK_COLOURS):
        for key, style, words in (("pe", "-", "with"), ("no_pe", "--", "without")):
            y = _smooth(curve[key], window)
            curves.semilogy(np.arange(len(y)) + window, y, style, color=colour, lw=1.4,
                            label=f"{task}, {words} positions")
    curves.set(xlabel="Adam step", ylabel="training cross-entropy",
               title=f"training loss (moving average over {window} steps)")
    curves.grid(alpha=0.3, which="both")
    legend_outside(curves, "right")
    fig.suptitle("The same encoder with and without positional encoding", fontsize=12)
    return fig


def plot_maps(maps: np.ndarray, tokens: np.ndarray, lengths, title: str):
    """Every head of every layer (columns) for each input (rows): maps is layers x inputs x heads x query x key,
    tokens the inputs (PAD shown as '_'). One colour scale, 0 to 1."""
    layers, inputs, heads = maps.shape[:3]
    width, height = 1.9 * layers * heads + 2.2, 1.9 * inputs + 1.1
    fig = new_figure(width, height)
    fig.set_layout_engine("none")          # a fixed grid: constrained layout is slow with this many panels
    axes = fig.subplots(inputs, layers * heads, squeeze=False,
                        gridspec_kw={"left": 1.3 / width, "right": 1 - 1.0 / width, "bottom": 0.75 / height,
                                     "top": 1 - 0.65 / height, "wspace": 0.12, "hspace": 0.45})
    image = None
    for r in range(inputs):
        labels = ["_" if t >= 10 else str(t) for t in tokens[r]]
        for layer in range(layers):
            for head in range(heads):
                ax = axes[r, layer * heads + head]
                image = ax.imshow(maps[layer, r, head], cmap="viridis", vmin=0, vmax=1)
                if layer == head == 0:          # the row's tokens, once (every panel of a row shows one input)
                    ax.set_xticks(range(len(labels)), labels, fontsize=7)
                    ax.set_yticks(range(len(labels)), labels, fontsize=7)
                else:
                    ax.set_xticks([])
                    ax.set_yticks([])
                if r == 0:
                    ax.set_title(f"layer {layer + 1}, head {head + 1}", fontsize=9)
                if layer == head == 0:
                    ax.set_xlabel("key (token)", fontsize=8)
                    ax.set_ylabel(f"input {r + 1}, n = {lengths[r]}\nquery (token)", fontsize=8)
    bar = fig.add_axes((1 - 0.8 / width, 0.75 / height, 0.15 / width, 1 - 1.4 / height))
    fig.colorbar(image, cax=bar, label="attention weight")
    fig.suptitle(title, fontsize=11)
    return fig


def plot_embeddings(pca: dict, names: list[str]):
    """The token embeddings of each task's model (with positions) on their first two principal components."""
    fig = new_figure(4.3 * len(pca) + 0.4, 4.4)
    axes = np.atleast_1d(fig.subplots(1, len(pca)))
    for ax, (task, p) in zip(axes, pca.items()):
        xy = np.asarray(p["points"])
        ax.scatter(xy[:, 0], xy[:, 1], s=260, color="#dde6f5", edgecolors=BLUE, zorder=2)
        for (a, b), name in zip(xy, names):
            ax.text(a, b, name, ha="center", va="center", fontsize=8 if len(name) > 1 else 10, zorder=3)
        span = np.ptp(xy, axis=0).max() * 0.12 + 1e-9
        ax.set_xlim(xy[:, 0].min() - span, xy[:, 0].max() + span)
        ax.set_ylim(xy[:, 1].min() - span, xy[:, 1].max() + span)
        share = p["explained"]
        ax.set(xlabel=f"PC 1 ({share[0]:.0%} of the variance)", ylabel=f"PC 2 ({share[1]:.0%})", title=task)
        ax.grid(alpha=0.3)
    fig.suptitle("Token embeddings of the trained encoders (with positions), projected by PCA", fontsize=12)
    return fig
