"""perceptron_visualization.png: the learned line on the seed's data, the XOR failure beside it."""
from __future__ import annotations

import numpy as np

from nnlab.data.split import to_class_indices
from nnlab.viz._style import legend_outside, new_figure, region_cmap, scatter_classes

__all__ = ["plot_perceptron_line", "plot_perceptron"]


def plot_perceptron_line(ax, model, X: np.ndarray, y: np.ndarray, title: str,
                         lim: tuple[float, float] = (-1.5, 1.5), size: float = 28) -> None:
    """Points by class and the line w . x + b = 0 on ``ax`` (the seed's chart spans [-1.5, 1.5]^2).

    The half-plane the perceptron calls +1 is shaded red, the other blue.
    """
    idx, classes = to_class_indices(y)
    axis = np.linspace(lim[0], lim[1], 300)
    gx, gy = np.meshgrid(axis, axis)
    side = model.decision_function(np.stack([gx.ravel(), gy.ravel()], 1)).reshape(gx.shape) > 0
    ax.imshow(side, origin="lower", extent=(lim[0], lim[1], lim[0], lim[1]), cmap=region_cmap(2),
              alpha=0.12, vmin=0, vmax=1, interpolation="nearest")
    scatter_classes(ax, X, idx, labels=[f"{c:+d}" for c in classes], size=size)
    (w1, w2), b = model.coef_, model.intercept_
    xs = np.array(lim)
    if w2 != 0:                                 # the seed's line: x2 = (-b - w1 x1) / w2
        ax.plot(xs, (-b - w1 * xs) / w2, color="black", lw=2, label="w.x + b = 0")
    elif w1 != 0:                               # vertical line x1 = -b / w1
        ax.axvline(-b / w1, color="black", lw=2, label="w.x + b = 0")
    status = f"converged in {model.n_iter_} epochs" if model.converged_ else \
        f"no convergence after {model.n_iter_} epochs"
    ax.set_title(f"{title}\n{status}, accuracy {model.score(X, y):.0%}\n"
                 f"w = ({w1:.3g}, {w2:.3g}), b = {b:.3g}", fontsize=10)
    ax.set_xlim(*lim)
    ax.set_ylim(*lim)
    ax.set_aspect("equal")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.grid(alpha=0.3)
    legend_outside(ax, "below", ncol=3)


def _ends(model) -> str:
    """How a run's mistakes ended, from its own counts."""
    if model.errors_ and model.errors_[-1] == 0:
        return f"reaches 0 in epoch {len(model.errors_)}"
    return f"still {model.errors_[-1]} in epoch {len(model.errors_)}" if model.errors_ else "no epoch run"


def plot_perceptron(linear, X, y, xor, X_xor, y_xor):
    """Three panels: the seed's separable data with its line, XOR with the last line tried, mistakes per epoch."""
    fig = new_figure(15, 6.0)
    axes = fig.subplots(1, 3)
    fig.suptitle("Perceptron Learning Algorithm", fontsize=15)
    plot_perceptron_line(axes[0], linear, X, y, "Linearly separable data (the seed's program)")
    plot_perceptron_line(axes[1], xor, X_xor, y_xor, "XOR (theory: no line separates the classes)\nthe last line tried",
                         lim=(-0.5, 1.5), size=160)
    ax = axes[2]
    ax.plot(np.arange(1, linear.n_iter_ + 1), linear.errors_, "o-", ms=3, label="separable data")
    ax.plot(np.arange(1, xor.n_iter_ + 1), xor.errors_, lw=1, label="XOR")
    ax.set_xscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mistakes in the epoch")
    ax.set_title(f"Mistakes per epoch: separable data {_ends(linear)},\nXOR {_ends(xor)}", fontsize=10)
    ax.grid(alpha=0.3)
    legend_outside(ax, "below", ncol=2)
    return fig
