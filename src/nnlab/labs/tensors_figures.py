"""Figures of the tensor lab: every array of a demo as an annotated heatmap, NumPy left and PyTorch right.

Each panel shows the values (a 1-D array as one row, a 0-d one as a single cell), the code that made it, its
shape, strides in elements (NumPy's byte strides beside them), whether it is contiguous, and whether it is a
view of an earlier array or has memory of its own.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from nnlab.viz._style import new_figure

__all__ = ["plot_demo", "draw_panel"]

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
    ax.set_xticks(range(grid.shape[1]))
    ax.set_yticks(range(grid.shape[0]))
    ax.tick_params(labelsize=7, length=0)
    if library == "NumPy":
        strides = f".strides {panel.byte_strides} B = {panel.strides} el"
    else:
        strides = f".stride() {panel.strides} el"
    memory = f"view of {panel.view_of}" if panel.view_of else "own memory"
    layout = "contiguous" if panel.contiguous else "not contiguous"
    ax.set_title(f"{panel.label}\nshape {panel.shape}\n{strides}\n{memory}, {layout}", fontsize=8,
                 family="monospace")


def plot_demo(result: dict) -> Figure:
    """The figure of one ``run_demo`` result: title and explanation on top, NumPy | PyTorch below."""
    demo, panels = result["demo"], result["numpy"]
    cols = max(1, math.ceil(len(panels) / 2))   # two rows of panels per library
    rows = math.ceil(len(panels) / cols)
    fig = new_figure(2 * cols * 2.7 + 0.4, rows * 3.1 + 1.1)
    verdict = "NumPy and PyTorch agree on every value, shape and stride" if result["equal"] else \
        "MISMATCH: " + "; ".join(result["mismatches"])
    fig.suptitle(f"{demo.title}\n{demo.explanation}\n{verdict}", fontsize=10, wrap=True)
    left, right = fig.subfigures(1, 2, wspace=0.04)
    for sub, library, items in ((left, "NumPy", result["numpy"]), (right, "PyTorch", result["torch"])):
        sub.set_facecolor("#f4f6fa" if library == "NumPy" else "#fbf4f2")
        sub.suptitle(library, fontsize=12, fontweight="bold")
        axes = sub.subplots(rows, cols, squeeze=False).ravel()
        for ax, panel in zip(axes, items):
            draw_panel(ax, panel, library)
        for ax in axes[len(items):]:
            ax.set_visible(False)
    return fig
