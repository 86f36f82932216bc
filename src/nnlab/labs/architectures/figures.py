"""Figures of the cost lab: cost against year, cost against sequence length, where CNNs spend, CPU speed.

Each function takes the numbers (dicts as the lab computes them) and returns a matplotlib Figure.
Point labels are placed by ``label_points``: for each point in turn, the first of the positions around it
(eight directions, three distances) whose rendered box clears every label and marker placed so far.
"""
from __future__ import annotations

import numpy as np

from nnlab.viz._style import BLUE, EXTRA, RED, legend_outside, new_figure

__all__ = ["plot_cost_by_year", "plot_sequence_scaling", "plot_cnn_shares", "plot_timing", "label_points"]

_NEAR = [(6, 4), (6, -11), (-6, 4), (-6, -11), (0, 8), (0, -15), (10, -3), (-10, -3)]      # points
_OFFSETS = [(dx * r, dy * r) for r in (1, 2.5, 4) for dx, dy in _NEAR]    # farther ones get a leader line


def label_points(fig, ax, xs, ys, texts, fontsize: float = 8, color: str = "#222") -> list:
    """Annotate (x, y) points with ``texts`` so that no two labels (or a label and a marker) overlap; labels
    that cannot sit next to their point move farther out, joined to it by a thin line.

    The figure is laid out first and its layout then frozen, so that the pixel positions the labels were
    placed by stay true in the saved figure.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    fig.set_layout_engine("none")
    renderer = canvas.get_renderer()
    taken = [ax.transData.transform((x, y)) for x, y in zip(xs, ys)]
    taken = [(px - 3, py - 3, px + 3, py + 3) for px, py in taken]          # marker boxes, in pixels
    for text in ax.texts:                                                   # texts already there
        box = text.get_window_extent(renderer)
        taken.append((box.x0, box.y0, box.x1, box.y1))
    labels = []
    for x, y, text in zip(xs, ys, texts):
        for dx, dy in _OFFSETS:
            ha = "left" if dx > 0 else "right" if dx < 0 else "center"
            far = abs(dx) + abs(dy) > 20
            label = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha,
                                fontsize=fontsize, color=color,
                                arrowprops={"arrowstyle": "-", "color": "#999", "lw": 0.6} if far else None)
            box = label.get_window_extent(renderer)
            inside = ax.get_window_extent(renderer)
            clear = all(box.x1 < a or box.x0 > c or box.y1 < b or box.y0 > d for a, b, c, d in taken)
            if clear and inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1:
                taken.append((box.x0, box.y0, box.x1, box.y1))
                labels.append(label)
                break
            label.remove()
        else:                                   # nowhere clear: keep the first position
            labels.append(ax.annotate(text, (x, y), xytext=_OFFSETS[0], textcoords="offset points",
                                      fontsize=fontsize, color=color))
    return labels


def plot_cost_by_year(entries: list[dict]):
    """Parameters (left) and compute (right, forward FLOPs per example and total training FLOPs) against year,
    both on log axes. ``entries``: dicts with title, year, params, macs and optionally train_flops and
    train_flops_source (how the training figure was obtained, written beside its label)."""
    fig = new_figure(12, 5.2)
    fig.set_layout_engine("constrained")
    ax_p, ax_c = fig.subplots(1, 2)
    years = [e["year"] for e in entries]
    for ax in (ax_p, ax_c):
        ax.set_yscale("log")
        ax.set_xlim(min(years) - 6, max(years) + 8)
        ax.grid(alpha=0.3, which="major")
        ax.set_xlabel("year of publication")
    ax_p.scatter(years, [e["params"] for e in entries], color=BLUE, zorder=3)
    ax_p.set_ylim(1, 1e13)
    ax_p.set_ylabel("trainable parameters")
    ax_p.set_title("Parameters, counted from the modules")
    fwd = [2 * e["macs"] for e in entries]
    ax_c.scatter(years, fwd, color=BLUE, zorder=3, label="forward FLOPs per example (2 x MACs)")
    trained = [e for e in entries if e.get("train_flops")]
    ax_c.scatter([e["year"] for e in trained], [e["train_flops"] for e in trained], marker="s", color=RED,
                 zorder=3, label="total training FLOPs")
    ax_c.set_ylim(1, 1e26)
    ax_c.set_ylabel("FLOPs")
    ax_c.set_title("Compute: one forward pass, and a whole training run")
    ax_c.legend(loc="upper left", fontsize=8)
    label_points(fig, ax_p, years, [e["params"] for e in entries], [e["title"] for e in entries])
    label_points(fig, ax_c, years + [e["year"] for e in trained], fwd + [e["train_flops"] for e in trained],
                 [e["title"] for e in entries]
                 + [f"{e['title']} (training{', ' + e['train_flops_source'] if e.get('train_flops_source') else ''})"
                    for e in trained])
    return fig


def plot_sequence_scaling(rows: list[dict]):
    """BERT-base against an MLP on the flattened input, as the sequence grows: multiply-adds (split into the
    attention products and the rest), activation memory, and parameters; log-log axes."""
    n = np.array([r["n"] for r in rows])
    fig = new_figure(13, 5.4)
    fig.set_layout_engine("constrained")
    ax_m, ax_a, ax_p = fig.subplots(1, 3)
    ax_m.plot(n, [r["macs"] for r in rows], "o-", color=BLUE, label="BERT-base, total")
    ax_m.plot(n, [r["other_macs"] for r in rows], "--", color=BLUE, label="projections + FFN (theory: ~ n)")
    ax_m.plot(n, [r["attention_macs"] for r in rows], ":", color=RED, lw=2,
              label="attention QK^T, PV (theory: ~ n^2)")
    ax_m.plot(n, [r["mlp_macs"] for r in rows], "s-", color=EXTRA[0], label="MLP on flattened input (theory: ~ n)")
    ax_m.set_ylabel("multiply-adds per sequence")
    ax_m.set_title("Compute")
    ax_a.plot(n, [r["activation_bytes"] / 1e6 for r in rows], "o-", color=BLUE, label="BERT-base, total")
    ax_a.plot(n, [r.get("attention_matrix_bytes", r["attention_activation_bytes"]) / 1e6 for r in rows], ":",
              color=RED, lw=2, label="attention score + probability matrices (h x n x n per layer, twice)")
    ax_a.set_ylabel("activation memory per sequence, MB (fp32)")
    ax_a.set_title("Activation memory")
    ax_p.plot(n, [r["bert_params"] for r in rows], "o-", color=BLUE, label="BERT-base")
    ax_p.plot(n, [r["mlp_params"] for r in rows], "s-", color=EXTRA[0], label="MLP on flattened input")
    ax_p.set_ylabel("parameters")
    ax_p.set_title("Parameters")
    for ax in (ax_m, ax_a, ax_p):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("sequence length n (tokens of 768 features)")
        ax.grid(alpha=0.3, which="major")
        legend_outside(ax, "below", fontsize=7.5)
    return fig


def plot_cnn_shares(cases: list[dict]):
    """Per CNN: the share of parameters and of multiply-adds in convolutional vs fully connected layers."""
    fig = new_figure(8, 4.6)
    fig.set_layout_engine("constrained")
    ax = fig.subplots()
    x = np.arange(len(cases))
    conv_p = [100 * c["conv_params"] / c["params"] for c in cases]
    conv_m = [100 * c["conv_macs"] / c["macs"] for c in cases]
    bars_p = ax.bar(x - 0.18, conv_p, 0.36, color=BLUE, label="share of parameters in convolutions")
    bars_m = ax.bar(x + 0.18, conv_m, 0.36, color=RED, label="share of multiply-adds in convolutions")
    ax.bar_label(bars_p, fmt="%.1f%%", fontsize=8)
    ax.bar_label(bars_m, fmt="%.1f%%", fontsize=8)
    # a title that already names its year ("AlexNet (2012 paper)") is not followed by the year again
    ax.set_xticks(x, [c["title"] if str(c["year"]) in c["title"] else f"{c['title']} ({c['year']})" for c in cases])
    ax.set_xlabel("model (year)")
    ax.set_ylim(0, 108)
    ax.set_ylabel("% of the model's total")
    ax.set_title("Share of each CNN's parameters and multiply-adds in its convolutional layers")
    legend_outside(ax, "below", ncol=2)
    return fig


def plot_timing(timing: dict):
    """Measured forward time per example against counted multiply-adds (log-log), with lines of constant
    achieved GFLOP/s; one marker per batch size."""
    rows = timing["rows"]
    fig = new_figure(8.5, 5.6)
    ax = fig.subplots()
    macs = np.array([r["macs_per_example"] for r in rows], dtype=float)
    ms = np.array([r["ms_per_example"] for r in rows], dtype=float)
    lo, hi = max(macs.min() / 3, 1), macs.max() * 3
    bottom, top = ms.min() / 10, ms.max() * 10
    grid = np.geomspace(lo, hi, 50)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(bottom, top)
    y_label = bottom * (top / bottom) ** 0.04                       # rate labels run along a low band
    (x0, y0), (x1, y1) = ax.transData.transform([(lo, bottom), (hi, bottom * hi / lo)])
    angle = np.degrees(np.arctan2(y1 - y0, x1 - x0))                 # on screen, lines of slope 1
    for rate in (1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100, 1000):
        ax.plot(grid, 2 * grid / (rate * 1e9) * 1e3, color="#bbb", lw=0.8, zorder=1)   # ms per example
        x_label = y_label * rate * 1e9 / 2e3
        if lo < x_label < hi / 30:
            ax.text(x_label, y_label, f" {rate:g} GFLOP/s", fontsize=6.5, color="#888", ha="left",
                    va="bottom", rotation=angle, rotation_mode="anchor")
    for batch, marker, color in zip(sorted({r["batch"] for r in rows}), "os^", (BLUE, RED, EXTRA[0])):
        sel = [r for r in rows if r["batch"] == batch]
        ax.scatter([r["macs_per_example"] for r in sel], [r["ms_per_example"] for r in sel], marker=marker,
                   color=color, zorder=3, label=f"batch {batch}")
    ax.set_xlabel("multiply-adds per example (counted)")
    ax.set_ylabel("forward time per example, ms (measured)")
    ax.set_title(f"Forward pass on this CPU ({timing['threads']} thread{'s' if timing['threads'] > 1 else ''})")
    ax.grid(alpha=0.3, which="major")
    ax.legend(loc="upper left", fontsize=8)
    first = [r for r in rows if r["batch"] == min(x["batch"] for x in rows)]
    label_points(fig, ax, [r["macs_per_example"] for r in first], [r["ms_per_example"] for r in first],
                 [r["title"] for r in first], fontsize=7.5)
    return fig
