"""Figures of the tensor lab: every array of a demo as an annotated heatmap, NumPy left and PyTorch right; and
the matmul comparison (rate and time per call against N).

Each demo panel shows the values (a 1-D array as one row, a 0-d one as a single cell), the code that made it, its
shape, strides in elements (NumPy's byte strides beside them), whether it is contiguous, and whether it is a
view of an earlier array or has memory of its own: all read from the arrays of this run.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from nnlab.viz._style import legend_outside, new_figure

__all__ = ["plot_demo", "draw_panel", "plot_matmul", "verdict"]

CMAP = "RdBu_r"


def _fmt(v) -> str:
    v = float(v)
    return f"{v:.0f}" if v == int(v) else f"{v:.2f}".rstrip("0")


def draw_panel(ax, panel, library: str) -> None:
    """One array as a heatmap with its values written in, titled with its code and memory layout."""
    grid = np.asarray(panel.value, dtype=float)
    grid = grid.reshape(1, -1) if grid.ndim < 2 else grid   # () -> (1, 1), (n,) -> (1, n)
    lim = max(float(np.abs(grid).max(initial=0)), 1.0)
    ax.imshow(grid, cmap=CMAP, vmin=-lim, vmax=lim, aspect="equal")
    for (i, j), v in np.ndenumerate(grid):
        ax.text(j, i, _fmt(v), ha="center", va="center", fontsize=9,
                color="white" if abs(v) > 0.6 * lim else "black")
    # every value is written in its cell; the colour only repeats it (each panel on its own scale), so no colour bar
    ax._nnlab_no_colorbar = True
    ax.set_xticks(range(grid.shape[1]))
    ax.set_yticks(range(grid.shape[0]))
    ax.tick_params(labelsize=7, length=0)
    if library == "NumPy":
        strides = f".strides {panel.byte_strides} B = {panel.strides} el"
    else:
        strides = f".stride() {panel.strides} el"
    memory = f"view of {panel.view_of}" if panel.view_of else "own memory"
    layout = "contiguous" if panel.contiguous else "not contiguous"
    sep = "\n" if len(memory) + len(layout) > 30 else ", "   # a long line would run past the panel
    ax.set_title(f"{panel.label}\nshape {panel.shape}\n{strides}\n{memory}{sep}{layout}", fontsize=8,
                 family="monospace")


def verdict(result: dict) -> str:
    """The line the figure and the page share, built from the comparison of this run."""
    n = len(result["numpy"])
    if result["equal"]:
        return (f"NumPy and PyTorch agree on values, dtype, shape, strides, contiguity and view or copy in all "
                f"{n} arrays")
    return f"NumPy and PyTorch differ in {len(result['mismatches'])} of {n} arrays: " + "; ".join(result["mismatches"])


# The demo figures' geometry, in inches: fixed, so that drawing a figure needs no layout engine (35 annotated
# panels per run made the constrained layout the larger part of the lab's quick run).
PANEL_W, PANEL_H = 2.7, 2.25        # one panel's cell
TITLE_H = 0.78                      # a panel's title: code, shape, strides, memory (up to 5 lines of 8 pt)
TICKS_H = 0.25                      # tick labels under a panel
HEAD_H = 0.62                       # the figure's 3 lines of title
LIBRARY_H = 0.35                    # the library's name


def plot_demo(result: dict) -> Figure:
    """The figure of one ``run_demo`` result: title, what is computed and the comparison's outcome on top,
    NumPy | PyTorch below."""
    demo, panels = result["demo"], result["numpy"]
    cols = max(1, math.ceil(len(panels) / 2))   # two rows of panels per library
    rows = math.ceil(len(panels) / cols)
    width = 2 * cols * PANEL_W + 0.6
    body = LIBRARY_H + rows * (TITLE_H + PANEL_H + TICKS_H)
    fig = Figure(figsize=(width, HEAD_H + body), dpi=100)
    head, lower = fig.subfigures(2, 1, height_ratios=[HEAD_H, body])
    head.suptitle(f"{demo.title}\n{demo.setup}\n{verdict(result)}", fontsize=10, y=0.5, va="center")
    gap = (TITLE_H + TICKS_H) / PANEL_H
    for sub, library, items in zip(lower.subfigures(1, 2, wspace=0.02), ("NumPy", "PyTorch"),
                                   (result["numpy"], result["torch"])):
        sub.set_facecolor("#f4f6fa" if library == "NumPy" else "#fbf4f2")
        sub.suptitle(library, fontsize=12, fontweight="bold", y=1 - 0.06 / body, va="top")
        axes = sub.subplots(rows, cols, squeeze=False, gridspec_kw=dict(
            left=0.3 / (width / 2), right=1 - 0.05 / (width / 2), bottom=TICKS_H / body,
            top=1 - (LIBRARY_H + TITLE_H) / body, hspace=gap, wspace=0.12)).ravel()
        for ax, panel in zip(axes, items):
            draw_panel(ax, panel, library)
        for ax in axes[len(items):]:
            ax.set_visible(False)
    return fig


COLORS = {"python-ijk": "#8c564b", "python-ikj": "#c49c94", "numba-ijk": "#9467bd", "numba-ikj": "#2ca02c",
          "numba-tiled": "#d62728", "numpy": "#1f5fbf", "torch": "#17becf"}


def plot_matmul(m: dict) -> Figure:
    """The matmul comparison of ``matmul.compare``: GFLOP/s and median seconds per call (bars: first to
    third quartile) against N, log-log, one line per kernel; the time panel also draws the theory's N^3 (a
    constant rate) through the BLAS kernel's smallest size."""
    cfg = m["config"]
    fig = new_figure(12.5, 4.6)
    ax_rate, ax_time = fig.subplots(1, 2)
    for name in cfg["variants"]:
        pts = sorted((r["shape"][0], r) for r in m["rows"] if r["variant"] == name and r["status"] == "ok")
        if not pts:
            continue
        n = [p[0] for p in pts]
        color = COLORS.get(name, "grey")
        ax_rate.plot(n, [r["gflops"] for _, r in pts], color=color, marker="o", ms=4)
        med = np.array([r["median_s"] for _, r in pts])
        err = np.array([[r["median_s"] - r["q1_s"] for _, r in pts], [r["q3_s"] - r["median_s"] for _, r in pts]])
        ax_time.errorbar(n, med, yerr=err, color=color, marker="o", ms=4, capsize=2, label=name)
    blas = sorted((r["shape"][0], r["median_s"]) for r in m["rows"] if r["variant"] == "numpy" and r["status"] == "ok")
    if blas:
        (n0, t0), n1 = blas[0], max(cfg["sizes"])
        ax_time.plot([n0, n1], [t0, t0 * (n1 / n0) ** 3], color="grey", lw=0.9, ls=":",
                     label=f"theory: time ~ N^3 (through numpy at N = {n0})")
    for ax in (ax_rate, ax_time):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("N (A, B and C all N x N)")
        ax.grid(True, which="both", alpha=0.25)
        ax.set_xticks(cfg["sizes"], [str(s) for s in cfg["sizes"]])
    ax_rate.set_ylabel(f"GFLOP/s = 2 N^3 / median time ({cfg['dtype']})")
    ax_rate.set_title("Rate of each kernel, one thread")
    ax_time.set_ylabel("seconds per call (median; bars: quartiles)")
    ax_time.set_title("Time per call, one thread")
    legend_outside(ax_time, "right", title="kernel", title_fontsize=8)
    fig.suptitle(f"C = A @ B in {cfg['dtype']}: every kernel at every N it was timed at", fontsize=11)
    return fig
