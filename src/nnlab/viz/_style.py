"""Shared colours and helpers: the seed draws class 0 / -1 in blue and class 1 / +1 in red."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

BLUE = "#1f5fbf"
RED = "#d62728"
EXTRA = ["#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]


def class_colors(k: int) -> list[str]:
    """Colours for k classes: blue, red, then distinct others."""
    return ([BLUE, RED] + EXTRA)[:k] if k <= 10 else [f"C{i % 10}" for i in range(k)]


def region_cmap(k: int) -> ListedColormap:
    return ListedColormap(class_colors(k))


def scatter_classes(ax, X: np.ndarray, y: np.ndarray, labels=None, size: float = 12, edge: str = "white") -> None:
    """Points coloured by class index ``y`` (0..K-1); ``labels`` names each class in the legend."""
    k = max(int(y.max()) + 1 if y.size else 0, len(labels or []))
    labels = labels if labels is not None else [str(i) for i in range(k)]
    for c, color in enumerate(class_colors(k)):
        pts = X[y == c]
        if len(pts) == 0:
            continue
        ax.scatter(pts[:, 0], pts[:, 1], s=size, c=color, edgecolors=edge, linewidths=0.4,
                   label=f"class {labels[c]} ({len(pts)})", zorder=3)


def legend_outside(ax, where: str = "right", **kwargs):
    """A legend beside the axes (``where`` "right") or under it ("below"), never over the data; the figure's
    constrained layout makes room for it."""
    kwargs.setdefault("fontsize", 8)
    if where == "right":
        return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, **kwargs)
    if where == "below":                  # half an inch under the axes: below its tick labels and x label
        from matplotlib.transforms import ScaledTranslation
        under = ax.transAxes + ScaledTranslation(0, -0.5, ax.figure.dpi_scale_trans)
        return ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=under, borderaxespad=0.0,
                         **kwargs)
    raise ValueError(f"The 'where' parameter of legend_outside must be 'right' or 'below'. Got {where!r} instead.")


def new_figure(width: float, height: float) -> Figure:
    """A pyplot-free figure (no global state, works headless); in Jupyter it is drawn inline when returned."""
    _show_in_jupyter()
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _show_in_jupyter() -> None:
    """Have a running IPython kernel draw returned Figures as PNG (pyplot's inline backend is not in use)."""
    import sys
    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython
    shell = get_ipython()
    if shell is None:
        return
    from IPython.core.pylabtools import print_figure
    shell.display_formatter.formatters["image/png"].for_type(Figure, lambda fig: print_figure(fig, "png"))


def save(fig: Figure, path: str | Path, formats: tuple[str, ...] = ("png",)) -> list[Path]:
    """Write ``fig`` to ``path`` (its suffix replaced by each format); returns the files written. The figure is
    checked for legends over data, empty panels and unlabelled axes (``nnlab.viz.lint``); what is found is kept in
    ``nnlab.viz.lint.PROBLEMS`` for the page that shows the figure."""
    path = Path(path)
    written = []
    for fmt in formats:
        target = path.with_suffix(f".{fmt}")
        fig.savefig(target, format=fmt, dpi=100)
        written.append(target)
        if fmt == "png":
            from nnlab.viz.lint import PROBLEMS, figure_problems
            PROBLEMS[str(target.resolve())] = figure_problems(fig)
    return written
