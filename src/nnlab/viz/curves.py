"""loss_curve.png: training (and test) loss per epoch."""
from __future__ import annotations

import numpy as np

from nnlab.numbers import loss_text
from nnlab.viz._style import BLUE, RED, legend_outside, new_figure

__all__ = ["plot_loss_curve"]


def plot_loss_curve(history, title: str = "Training Loss Curve", log: bool = True, final: dict | None = None):
    """Loss per epoch: linear axis (as the seed draws it) and, beside it, a log axis that shows the tail. The
    curve is the mean over each epoch's batches; the title gives the finished model's final loss (eval mode,
    ``history.final``), the number every other place shows."""
    epochs = np.arange(1, len(history.loss) + 1)
    fig = new_figure(12, 4.8) if log else new_figure(8, 6)
    axes = fig.subplots(1, 2 if log else 1, squeeze=False)[0]
    for ax, scale in zip(axes, ["linear", "log"]):
        ax.plot(epochs, history.loss, color=BLUE, lw=1.5, label="training loss (mean over the epoch's batches)")
        if history.test_loss:
            ax.plot(epochs[:len(history.test_loss)], history.test_loss, color=RED, lw=1.2,
                    label="test loss (after the epoch)")
        ax.set_yscale(scale)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss" + (" (log scale)" if scale == "log" else ""))
        ax.grid(alpha=0.3, which="both")
    legend_outside(axes[-1], "below", ncol=2)
    if len(epochs):
        axes[0].set_ylim(0, max(max(history.loss), max(history.test_loss, default=0)) * 1.05)
    final = final if final is not None else getattr(history, "final", {})
    if len(epochs) and final.get("train_loss") is not None:
        caption = (f"{len(epochs)} epochs; final training loss {loss_text(final['train_loss'])} "
                   "(finished model, eval mode)")
    else:
        caption = f"{len(epochs)} epochs" if len(epochs) else "no epochs"
    fig.suptitle(f"{title}\n{caption}", fontsize=13)
    return fig


def plot_loss_comparison(curves: dict[str, list[tuple[int, float]]], title: str = "Loss curves"):
    """Several runs' loss against epoch on one log-scale axis; ``curves`` maps a label to (epoch, loss) pairs."""
    fig = new_figure(9, 5.5)
    ax = fig.subplots()
    for label, rows in curves.items():
        if rows:
            epochs, values = zip(*rows)
            ax.plot(epochs, values, lw=1.5, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (log scale)")
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=9)
    return fig
