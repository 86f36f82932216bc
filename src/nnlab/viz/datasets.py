"""A picture of one data set (``nnlab datasets show``)."""
from __future__ import annotations

import numpy as np

from nnlab.viz._style import new_figure, scatter_classes

__all__ = ["plot_dataset"]


def plot_dataset(X: np.ndarray, y: np.ndarray, title: str, task: str = "classification",
                 domain: float | None = None, classes=None):
    """Scatter of the points; classes coloured (``y`` as class indices), regression targets on a colour scale."""
    fig = new_figure(6.5, 6)
    ax = fig.subplots()
    if task == "classification":
        scatter_classes(ax, X, y, labels=None if classes is None else [str(c) for c in classes], size=14)
        ax.legend(loc="upper right", fontsize=8)
    else:
        points = ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm_r", s=12, vmin=-1, vmax=1)
        fig.colorbar(points, ax=ax, label="target")
    if domain is not None:
        ax.set_xlim(-domain, domain)
        ax.set_ylim(-domain, domain)
    ax.set_aspect("equal")
    ax.set_title(f"{title}\n{len(X)} points", fontsize=12)
    ax.grid(alpha=0.3)
    return fig
