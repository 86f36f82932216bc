"""Figures of Parts A and B (one variable): iteration counts against the formula, iterates on the parabola,
SGD and mini-batch convergence against steps, examples and wall time, and the noise floor."""
from __future__ import annotations

import numpy as np

from nnlab.labs.gd import scalar
from nnlab.labs.gd._axes import log_axis
from nnlab.viz._style import BLUE, EXTRA, RED, legend_outside, new_figure

__all__ = ["plot_iteration_counts", "plot_scalar_paths", "plot_minibatch", "plot_noise_floor"]

_STATUS_STYLE = {"converged": (BLUE, "o"), "oscillating": ("#ff7f0e", "s"), "diverging": (RED, "^"),
                 "diverged": (RED, "x"), "not converged": ("#7f7f7f", "v")}


def plot_iteration_counts(rows: list[dict], runs: list, tol: float, x0: float):
    """Left: iterations against lr, measured (markers by status) and closed form (line). Right: |x_t + 2|
    against t for a few runs (``runs``: ScalarRun list), with the theory |1 - 2 lr|^t |x_0 + 2| dashed."""
    fig = new_figure(14, 5.5)
    left, right = fig.subplots(1, 2)
    lrs = np.array([r["lr"] for r in rows])
    predicted = np.array([r["predicted"] if r["lr"] < 1 else np.nan for r in rows], dtype=float)
    left.plot(lrs, predicted, color="#444444", lw=1.2, drawstyle="steps-mid", label="theory: closed form (lr < 1)")
    for status, (color, marker) in _STATUS_STYLE.items():
        sel = [r for r in rows if r["status"] == status]
        if sel:
            left.scatter([r["lr"] for r in sel], [r["iterations"] for r in sel], s=22, color=color, marker=marker,
                         zorder=3, label=f"measured: {status} ({len(sel)})")
    half = next((r for r in rows if r["lr"] == 0.5), None)
    if half:
        n = half["iterations"]
        left.annotate(f"lr = 0.5: {n} update{'' if n == 1 else 's'}", (0.5, max(n, 1)), (0.55, 2.5),
                      arrowprops={"arrowstyle": "->"}, fontsize=10)
    if lrs.max() >= 1:
        left.axvspan(1.0, lrs.max() + 0.01, color=RED, alpha=0.07, label="theory: no convergence, |1 - 2 lr| >= 1")
    log_axis(left)
    left.set_xlabel("learning rate")
    left.set_ylabel("updates until the stopping rule (log)")
    left.set_title(f"f(x) = x^2 + 4x + 4 from x0 = {x0:g}, tol = {tol:g}\n"
                   "stop when |f'(x)| < tol, |x_t+1 - x_t| < tol, a non-finite value, or max_iter", fontsize=11)
    left.grid(alpha=0.3)
    legend_outside(left, "below", ncol=2)
    colors = [BLUE, "#2ca02c", "#9467bd", "#ff7f0e", RED, "#8c564b"]
    for run, color in zip(runs, colors):
        err = np.abs(run.xs + 2.0)
        t = np.arange(len(err))
        shown = err > 0
        label = f"lr {run.lr:g}: {run.status} ({run.reason}, {_updates(run.iterations)})"
        if not shown.all():                                     # an exact 0 has no place on a log axis
            label += f"; x = -2 exactly after {_updates(int(np.argmin(shown)))}"
        drawn = shown & (err < 1e7)                             # the panel shows up to 1e6; huge values overflow
        right.plot(t[drawn], err[drawn], "o", ms=2.5, color=color, label=label)
        with np.errstate(over="ignore"):
            theory = np.abs(1 - 2 * run.lr) ** t * abs(run.x0 + 2)
        keep = theory < 1e7                                     # the panel shows up to 1e6
        right.plot(t[keep], theory[keep], "--", lw=1, color=color)
    log_axis(right)
    right.set_xscale("symlog", linthresh=10)
    right.set_ylim(1e-9, 1e6)
    right.set_xlim(0, max(len(run.xs) for run in runs))
    right.set_xlabel("step t (symlog)")
    right.set_ylabel("|x_t + 2| (log)")
    right.set_title("error against step: dots measured, dashed theory |1 - 2 lr|^t |x0 + 2|", fontsize=11)
    right.grid(alpha=0.3)
    legend_outside(right, "below", ncol=2)
    return fig


def _updates(n: int) -> str:
    return f"{n} update" if n == 1 else f"{n} updates"


def plot_scalar_paths(runs: list, steps_shown: int = 12):
    """One panel per run: the parabola and the first ``steps_shown`` iterates (x_t, f(x_t)) joined in order."""
    cols = min(3, len(runs))
    rows = -(-len(runs) // cols)
    fig = new_figure(4.6 * cols, 3.9 * rows + 0.4)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax in axes[len(runs):]:
        ax.remove()                                             # no empty panels
    for ax, run in zip(axes, runs):
        xs = run.xs[:steps_shown + 1]
        span = max(14.0, float(np.max(np.abs(xs + 2))) * 1.1)
        grid = np.linspace(-2 - span, -2 + span, 400)
        ax.plot(grid, scalar.f(grid), color="#999999", lw=1)
        ax.plot(xs, scalar.f(xs), "-o", color=BLUE, ms=3.5, lw=0.8)
        ax.plot(xs[0], scalar.f(xs[0]), "o", color="black", ms=6, label="start")
        ax.plot(-2, 0, "*", color="#2ca02c", ms=12, label="minimum (-2, 0)")
        ax.plot(xs[-1], scalar.f(xs[-1]), "D", color=RED, ms=5, label=f"x_{len(xs) - 1}")
        ax.set_title(f"lr {run.lr:g}: {run.status} ({run.reason}, {_updates(run.iterations)})", fontsize=10)
        ax.set_xlabel("x")
        ax.grid(alpha=0.3)
        ax.set_ylabel("f(x)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=9)
    fig.suptitle(f"the first {steps_shown} iterates of x <- x - lr (2x + 4) on f(x) = x^2 + 4x + 4", fontsize=12)
    return fig


def _band(ax, x, runs_y, color, label):
    """Median over seeds (line) and min-max (band) of curves ``runs_y`` (list of (T,) arrays, may be ragged),
    from the first step on (x > 0, for a log axis)."""
    length = min(len(y) for y in runs_y)
    stack = np.stack([y[1:length] for y in runs_y])                     # (seeds, T - 1)
    x = x[1:length]
    ax.plot(x, np.median(stack, axis=0), color=color, lw=1.0, label=label)
    ax.fill_between(x, stack.min(axis=0), stack.max(axis=0), color=color, alpha=0.15, lw=0)


def plot_minibatch(rows: list[dict], lr: float, sigma2: float):
    """Error (x + 2)^2 against steps, examples seen and wall time at one lr, one line per batch size:
    the median over seeds with the min-max band."""
    fig = new_figure(16, 5)
    axes = fig.subplots(1, 3, sharey=True)
    colors = [BLUE, "#2ca02c", "#ff7f0e", RED, "#9467bd", "#8c564b"] + EXTRA
    sel = [r for r in rows if r["lr"] == lr]
    full = max(r["batch_size"] for r in sel)
    for row, color in zip(sel, colors):
        runs, b = row["runs"], row["batch_size"]
        # log axes overflow near 1e308: a diverging curve ends at 1e200 instead (it never levels off there)
        errors = [np.where(r.error > 1e200, np.nan, np.maximum(r.error, 1e-32)) for r in runs]
        label = f"b = {b}" + (" (sgd)" if b == 1 else "") + (" (full batch = gd)" if b == full == 64 else "")
        label += f", {sum(r.diverged_at is not None for r in runs)} diverged" if any(
            r.diverged_at is not None for r in runs) else ""
        _band(axes[0], np.arange(len(runs[0].x)), errors, color, label)
        _band(axes[1], runs[0].examples, errors, color, label)
        length = min(len(r.seconds) for r in runs)
        seconds = np.median(np.stack([r.seconds[:length] for r in runs]), axis=0)
        _band(axes[2], seconds * 1e3, errors, color, label)
        if lr < 1 and b < full:                    # theory with replacement; b = n here has no noise at all
            axes[1].axhline(lr * sigma2 / (b * (1 - lr)), color=color, ls=":", lw=1)
    for ax, xlabel in zip(axes, ["step", "examples seen (terms evaluated)", "wall time (ms, median over seeds)"]):
        log_axis(ax, x=True)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("f(x) - f* = (x + 2)^2 (log)")
    handles, labels = axes[0].get_legend_handles_labels()
    if lr < 1:
        from matplotlib.lines import Line2D
        handles.append(Line2D([], [], color="#444444", ls=":", lw=1))
        labels.append("dotted: theory noise floor lr s^2 / (b (1 - lr)), with replacement")
    fig.legend(handles, labels, loc="outside lower center", ncol=min(5, len(labels)), fontsize=9)
    axes[0].set_title("against steps", fontsize=10)
    axes[1].set_title("against examples seen (the budget every b shares)", fontsize=10)
    axes[2].set_title("against wall time", fontsize=10)
    fig.suptitle(f"SGD and mini-batch on f = (1/n) sum (x - a_i)^2 - c = x^2 + 4x + 4, lr {lr:g}; "
                 f"line = median, band = min..max over {len(sel[0]['runs'])} seeds", fontsize=12)
    return fig


def plot_noise_floor(floors: list[dict]):
    """Measured stationary Var(x + 2) against lr s^2 / (b (1 - lr)), log-log, with the line y = x."""
    fig = new_figure(6.5, 6)
    ax = fig.subplots()
    theory = np.array([r["theory"] for r in floors])
    measured = np.array([r["measured"] for r in floors])
    lrs = sorted({r["lr"] for r in floors})
    colors = [BLUE, "#2ca02c", "#ff7f0e", RED, "#9467bd"]
    for lr, color in zip(lrs, colors):
        sel = [r for r in floors if r["lr"] == lr]
        ax.scatter([r["theory"] for r in sel], [r["measured"] for r in sel], color=color, s=36, zorder=3,
                   label=f"lr {lr:g} (b = {', '.join(str(r['batch_size']) for r in sel)})")
    lim = [min(theory.min(), measured.min()) / 2, max(theory.max(), measured.max()) * 2]
    ax.plot(lim, lim, color="#444444", lw=1, label="measured = theory")
    ax.fill_between(lim, [v * 0.9 for v in lim], [v * 1.1 for v in lim], color="#444444", alpha=0.1,
                    label="+-10 %")
    log_axis(ax, x=True)
    ax.set_xlabel("theory lr s^2 / (b (1 - lr))")
    ax.set_ylabel("measured Var(x_t + 2), stationary")
    worst = max(abs(r["measured"] / r["theory"] - 1) for r in floors)
    ax.set_title(f"noise floor of constant-lr SGD (with replacement)\nworst relative error {worst:.1%}",
                 fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig
