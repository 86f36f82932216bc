"""The precision lab's figure and its Markdown report, generated from the measured rows."""
from __future__ import annotations

import numpy as np

__all__ = ["plot_precision", "report"]

_COLOURS = {"fp32": "tab:blue", "bf16": "tab:orange", "fp16": "tab:green"}


def plot_precision(rows, workloads):
    """One loss-curve panel per workload (every device and precision overlaid) and a time-per-epoch panel."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(workloads) + 1, figsize=(4.2 * (len(workloads) + 1), 3.8))
    for ax, w in zip(axes, workloads):
        for r in (r for r in rows if r.workload == w.name):
            style = "-" if r.device == "cpu" else "--"
            epochs = np.arange(1, len(r.loss_curve) + 1)
            ax.plot(epochs, r.loss_curve, style, color=_COLOURS[r.precision], lw=1.4,
                    label=f"{r.device} {r.precision}: acc {r.train_accuracy:.3f}")
        ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss")
        ax.set_title(w.name, fontsize=10)
        ax.legend(fontsize=7)
    ax = axes[-1]
    labels = [f"{r.workload}\n{r.device} {r.precision}" for r in rows]
    values = [r.ms_per_epoch for r in rows]
    bars = ax.barh(range(len(rows)), values, color=[_COLOURS[r.precision] for r in rows])
    for bar, r in zip(bars, rows):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {r.speedup_vs_fp32:.2f}x",
                va="center", fontsize=7)
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("ms per epoch (log); label: speed-up vs fp32")
    ax.set_title("time per epoch, one thread", fontsize=10)
    fig.suptitle("fp32 vs mixed precision: the same runs from the same initial weights", fontsize=11)
    fig.tight_layout()
    return fig


def report(summary: dict) -> str:
    rows = summary["rows"]
    lines = ["# Mixed precision on this machine", "",
             f"torch {summary['torch']}, one thread; CPU bfloat16 instructions: "
             f"{', '.join(summary['cpu_bf16_flags']) or 'none'}; CUDA: {summary['cuda'] or 'none'}"
             + (" (quick mode: few epochs)" if summary["quick"] else ""), "",
             "Every run starts from the same initial weights and batch order; only the arithmetic precision "
             "differs. Weights and optimizer state stay float32 (autocast), so the runs part only through "
             "rounding in the forward and backward passes.", "",
             "| workload | device | precision | ms/epoch | speed-up vs fp32 | final loss | train acc | test acc "
             "| max rel. loss diff vs fp32 |", "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        test = "" if r["test_accuracy"] is None else f"{r['test_accuracy']:.4f}"
        lines.append(f"| {r['workload']} | {r['device']} | {r['precision']} | {r['ms_per_epoch']:.3f} | "
                     f"{r['speedup_vs_fp32']:.2f}x | {r['final_loss']:.4f} | {r['train_accuracy']:.4f} | {test} | "
                     f"{r['max_rel_loss_diff_vs_fp32']:.2g} |")
    lines += ["", "## What the numbers show", ""]
    for name, description in summary["workloads"].items():
        fp32 = next(r for r in rows if r["workload"] == name and r["device"] == "cpu" and r["precision"] == "fp32")
        bf16 = next(r for r in rows if r["workload"] == name and r["device"] == "cpu" and r["precision"] == "bf16")
        verdict = ("pays off" if bf16["speedup_vs_fp32"] > 1.1 else
                   "costs time" if bf16["speedup_vs_fp32"] < 0.9 else "makes no real difference in time")
        lines.append(f"- **{name}** ({description}): bf16 on the CPU {verdict} "
                     f"({bf16['ms_per_epoch']:.3f} vs {fp32['ms_per_epoch']:.3f} ms an epoch, "
                     f"{bf16['speedup_vs_fp32']:.2f}x); final training accuracy {bf16['train_accuracy']:.4f} vs "
                     f"{fp32['train_accuracy']:.4f}; the loss curves part by up to "
                     f"{100 * bf16['max_rel_loss_diff_vs_fp32']:.2g} %.")
    lines += ["", "Autocast adds a cast before and after every matrix product. For a small network the time goes "
              "to per-operation overhead, so the casts only add to it; only where the matrix products are large "
              "enough to dominate, and the CPU has bfloat16 instructions, can bf16 win. bfloat16 keeps about 3 "
              "significant digits, so losses part from the fp32 run at the 1e-3 level at once and by more where "
              "training is chaotic; accuracy is the number to compare.",
              "fp16 needs a CUDA device (and a gradient scaler); on this machine it is "
              + ("measured above." if summary["cuda"] else "not run."), ""]
    return "\n".join(lines)
