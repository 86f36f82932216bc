"""The precision lab's figure: loss curves per workload and the time per epoch of every run."""
from __future__ import annotations

import numpy as np

__all__ = ["plot_precision"]

_COLOURS = {"fp32": "tab:blue", "bf16": "tab:orange", "fp16": "tab:green"}


def plot_precision(rows, workloads):
    """One loss-curve panel per workload (every device and precision overlaid) and a time-per-epoch panel."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from nnlab.viz._style import legend_outside, new_figure
    panels = len(workloads) + 1
    columns = 2
    fig = new_figure(12.5, 3.6 * ((panels + 1) // columns) + 0.5)
    axes = fig.subplots((panels + 1) // columns, columns, squeeze=False).ravel()
    for ax in axes[panels:]:
        ax.set_visible(False)
    for ax, w in zip(axes, workloads):
        for r in (r for r in rows if r.workload == w.name):
            style = "-" if r.device == "cpu" else "--"
            epochs = np.arange(1, len(r.loss_curve) + 1)
            ax.plot(epochs, r.loss_curve, style, color=_COLOURS[r.precision], lw=1.4, marker="o" if len(epochs) < 10
                    else None, ms=3, label=f"{r.device} {r.precision}: train acc {r.train_accuracy:.4f}")
        losses = [v for r in rows if r.workload == w.name for v in r.loss_curve if v > 0]
        log = bool(losses) and max(losses) > 3 * min(losses)     # a log axis only where the loss spans a factor 3
        if log:
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.yaxis.set_minor_formatter(FuncFormatter(_minor_label))
            ax.tick_params(axis="y", which="minor", labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss (mean over\nthe epoch's batches" + (", log)" if log else ")"))
        ax.set_title(f"{w.name}: {'-'.join(map(str, w.hidden))} hidden", fontsize=10)
        legend_outside(ax, "right", fontsize=7)
    ax = axes[len(workloads)]
    labels = [f"{r.workload}\n{r.device} {r.precision}" for r in rows]
    values = [r.ms_per_epoch for r in rows]
    bars = ax.barh(range(len(rows)), values, color=[_COLOURS[r.precision] for r in rows])
    for bar, r in zip(bars, rows):
        if r.precision != "fp32":
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {r.speedup_vs_fp32:.2f}x",
                    va="center", fontsize=7)
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(right=max(values) * 3)          # room for the speed-up labels
    ax.set_xlabel("ms per epoch (log); label: speed-up against fp32")
    ax.set_ylabel("workload, device, precision")
    ax.set_title("time per epoch, one thread", fontsize=10)
    fig.suptitle("fp32 against mixed precision: the same runs from the same initial weights and batch order",
                 fontsize=11)
    return fig


def _minor_label(value, _position) -> str:
    """Plain labels at 2, 3 and 5 times a power of ten on a log axis, none elsewhere."""
    if value <= 0:
        return ""
    mantissa = value / 10 ** np.floor(np.log10(value))
    return f"{value:g}" if any(abs(mantissa - m) < 1e-6 for m in (2, 3, 5)) else ""
