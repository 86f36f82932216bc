"""Figures of a benchmark run: the scaling plot (pure Python to BLAS, log-log) and the batched comparison."""
from __future__ import annotations

from matplotlib.figure import Figure

from nnlab.scratch.matmul.machine import peak_gflops
from nnlab.scratch.matmul.operands import DTYPES
from nnlab.scratch.matmul.variants import VARIANTS
from nnlab.viz._style import new_figure

__all__ = ["plot_scaling", "plot_batched"]

COLORS = {"python-ijk": "#8c564b", "python-ikj": "#c49c94", "numba-ijk": "#9467bd", "numba-ikj": "#2ca02c",
          "numba-tiled": "#d62728", "numba-tiled-parallel": "#ff7f0e", "numpy": "#1f5fbf", "torch": "#17becf",
          "torch-cuda": "#000000", "numba-cuda-naive": "#bcbd22", "numba-cuda-shared": "#e6550d", "triton": "#e377c2"}


def _square(rows, device="cpu"):
    return [r for r in rows if r["status"] == "ok" and len(set(r["shape"])) == 1 and len(r["shape"]) == 3
            and VARIANTS[r["variant"]].device == device]


def _lines(ax, rows, col: int) -> None:
    """One line per (variant, threads) through the powers of two; awkward sizes as crosses."""
    for (name, t) in dict.fromkeys((r["variant"], r["threads"]) for r in rows):
        pts = sorted((r["shape"][0], r["gflops"], r["median_s"]) for r in rows
                     if (r["variant"], r["threads"]) == (name, t))
        line = [p for p in pts if p[0] & (p[0] - 1) == 0]
        odd = [p for p in pts if p[0] & (p[0] - 1)]
        color, label = COLORS.get(name, "grey"), name + (f" ({t} threads)" if t > 1 else "")
        if line:
            ax.plot([p[0] for p in line], [p[col] for p in line], color=color, marker="o", ms=3.5, label=label)
        if odd:
            ax.plot([p[0] for p in odd], [p[col] for p in odd], color=color, ls="none", marker="x", ms=6,
                    label=None if line else label)


def plot_scaling(result) -> Figure:
    """Square N x N on log-log axes: GFLOP/s on one thread (the ladder from pure Python to BLAS), GFLOP/s on
    all threads, and seconds per call on one thread with an N^3 guide. Grey lines mark the computed peaks;
    o marks powers of two, x the awkward sizes (127, 1000, 1023, 1025)."""
    rows = _square(result.rows)
    dtype = result.config.dtype
    many = max(result.config.threads)
    one = [r for r in rows if r["threads"] == 1]
    multi = [r for r in rows if r["threads"] == many and many > 1]
    fig = new_figure(18, 5.4)
    ax_one, ax_many, ax_time = fig.subplots(1, 3)
    _lines(ax_one, one, 1)
    _lines(ax_many, multi, 1)
    _lines(ax_time, one, 2)
    for ax, t in ((ax_one, 1), (ax_many, many)):
        peak, _ = peak_gflops(t, DTYPES[dtype].itemsize)
        if peak:
            ax.axhline(peak, color="grey", lw=0.8)
            ax.annotate(f"computed peak, {t} thread{'s' * (t > 1)}", (0.01, peak), va="bottom", fontsize=8,
                        color="grey", xycoords=("axes fraction", "data"))
    if one:   # time grows as N^3 where the rate is constant
        n0, n1 = min(r["shape"][0] for r in one), max(r["shape"][0] for r in one)
        t0 = min(r["median_s"] for r in one if r["shape"][0] == n0)
        ax_time.plot([n0, n1], [t0, t0 * (n1 / n0) ** 3], color="grey", lw=0.8, ls=":", label="slope N^3")
    for ax in (ax_one, ax_many, ax_time):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("N (C = A @ B, all N x N)")
        ax.grid(True, which="both", alpha=0.25)
    for ax in (ax_one, ax_many):
        ax.set_ylabel(f"GFLOP/s = 2N^3 / median time ({dtype})")
    ladder = any(r["variant"].startswith("python") for r in one)
    ax_one.set_title("1 thread" + (": pure Python to BLAS" if ladder else ""))
    ax_many.set_title(f"{many} threads" if multi else "all threads (not measured)")
    ax_time.set_ylabel("median seconds per call")
    ax_time.set_title("Time per call, 1 thread")
    ax_time.legend(fontsize=7.5, loc="upper left", title="o: powers of two, x: awkward sizes", title_fontsize=7.5)
    if multi:
        ax_many.legend(fontsize=7.5, loc="lower right")
    return fig


def plot_batched(result, shape=(1024, 32, 32, 32)) -> Figure:
    """Milliseconds for L matrices: a Python loop of 2-D calls against one batched call, per library."""
    rows = {r["variant"]: r for r in result.rows if r["status"] == "ok" and tuple(r["shape"]) == tuple(shape)
            and VARIANTS[r["variant"]].device == "cpu" and r["threads"] == 1}
    pairs = [("NumPy", "numpy-loop", "numpy-batched"), ("PyTorch", "torch-loop", "torch-bmm"),
             ("numba (from scratch)", "numba-loop", "numba-batched")]
    fig = new_figure(8, 4.2)
    ax = fig.subplots()
    for i, (_label, loop, batched) in enumerate(pairs):
        for j, (name, color) in enumerate(((loop, "#7f7f7f"), (batched, "#1f5fbf"))):
            if name not in rows:
                continue
            ms = 1e3 * rows[name]["median_s"]
            ax.bar(i + (j - 0.5) * 0.38, ms, width=0.36, color=color, label=("Python loop" if j == 0 else
                   "one batched call") if i == 0 else None)
            ax.annotate(f"{ms:.2f} ms", (i + (j - 0.5) * 0.38, ms), ha="center", va="bottom", fontsize=8)
        if loop in rows and batched in rows:
            ax.annotate(f"{rows[loop]['median_s'] / rows[batched]['median_s']:.1f}x", (i, 0), xytext=(0, -28),
                        textcoords="offset points", ha="center", fontsize=9, fontweight="bold")
    ax.set_xticks(range(len(pairs)), [p[0] for p in pairs])
    ax.set_ylabel("median ms for the whole batch")
    ax.set_title(f"{shape[0]} matrices of {shape[1]} x {shape[3]}, one thread ({result.config.dtype})")
    ax.legend()
    ax.margins(y=0.15)
    return fig
