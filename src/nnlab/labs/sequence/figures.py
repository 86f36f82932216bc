"""The sequence lab's figures: one adding-problem sequence, held-out MSE against steps per length, ||dL/dh_t|| against
t for every model on one log axis, and the exploding net with and without clipping. Titles state settings and the
run's own numbers, never a fixed verdict."""
from __future__ import annotations

import numpy as np
import torch

from nnlab.labs.sequence.data import BASELINE_MSE, adding_problem
from nnlab.labs.sequence.settings import MODELS
from nnlab.viz._style import BLUE, RED, legend_outside, new_figure

__all__ = ["plot_task", "plot_curves", "plot_gradients", "plot_explode", "COLOURS"]

COLOURS = {"rnn": RED, "lstm": BLUE, "gru": "#2ca02c"}


def plot_task(s):
    """One sequence of the shortest length: its values as bars, the two marked ones in red, and its target."""
    length = min(s.lengths)
    x, y = adding_problem(1, length, torch.Generator().manual_seed(s.seed + 3))
    values, markers = x[0, :, 0].numpy(), x[0, :, 1].numpy()
    t = np.arange(1, length + 1)
    fig = new_figure(9, 3.2)
    ax = fig.subplots()
    marked = markers > 0
    ax.bar(t[~marked], values[~marked], color="#bbbbbb", label="value (marker 0)")
    ax.bar(t[marked], values[marked], color=RED, label="value (marker 1)")
    for ti, v in zip(t[marked], values[marked]):
        ax.annotate(f"{v:.2f}", (ti, v), ha="center", va="bottom", fontsize=9)
    ax.axvline(length / 2 + 0.5, color="black", lw=0.8, ls=":", label="halves (one marker in each)")
    ax.set_xlabel("time step t")
    ax.set_ylabel("value")
    ax.set_ylim(0, 1.15)
    a, b = values[marked]
    ax.set_title(f"One adding-problem sequence, T = {length}: target = {a:.2f} + {b:.2f} = {float(y):.2f}",
                 fontsize=11)
    legend_outside(ax, "right")
    return fig


def plot_curves(runs, s):
    """Held-out MSE (log axis) against Adam steps, one panel per length, one colour per model, the baseline."""
    fig = new_figure(4.2 * len(s.lengths) + 1.8, 3.9)
    axes = np.atleast_1d(fig.subplots(1, len(s.lengths), sharey=True))
    for ax, T in zip(axes, s.lengths):
        for m in s.models:
            r = runs[(m, T)]
            ax.plot(r.steps, r.test_mse, color=COLOURS[m], label=f"{MODELS[m]}", lw=1.6)
        ax.axhline(BASELINE_MSE, color="black", ls="--", lw=1, label="predict the mean (1/6)")
        ax.axhline(0.01, color="gray", ls=":", lw=1, label="MSE 0.01")
        ax.set_yscale("log")
        ax.set_xlabel("Adam step")
        finals = ", ".join(f"{MODELS[m]} {runs[(m, T)].final_mse:.3g}" for m in s.models)
        ax.set_title(f"T = {T}\nfinal: {finals}", fontsize=9)
    axes[0].set_ylabel("held-out MSE (log scale)")
    legend_outside(axes[-1], "right")
    fig.suptitle(f"The adding problem: held-out MSE while training (hidden {s.hidden}, batch {s.batch}, "
                 f"lr {s.lr:g})", fontsize=11)
    return fig


def plot_gradients(trained: dict, initial: dict, length: int):
    """||dL/dh_t|| against t on one log axis: every model after training (solid) and at initialisation (dashed)."""
    fig = new_figure(9.5, 4.4)
    ax = fig.subplots()
    t = np.arange(1, length + 1)
    for m, norms in trained.items():
        ax.plot(t, np.where(norms > 0, norms, np.nan), color=COLOURS[m], lw=2, label=f"{MODELS[m]}, trained")
    for m, norms in initial.items():
        ax.plot(t, np.where(norms > 0, norms, np.nan), color=COLOURS[m], lw=1, ls="--",
                label=f"{MODELS[m]}, at initialisation")
    ax.set_yscale("log")
    ax.set_xlabel("time step t (the loss reads h_T)")
    ax.set_ylabel("mean ||dL/dh_t|| (log scale)")
    ax.set_title(f"Backpropagation through time at T = {length}: how much of the loss's gradient reaches step t",
                 fontsize=11)
    legend_outside(ax, "right")
    return fig


def plot_explode(explode: dict, s):
    """Left: ||dL/dh_t|| of the exploding net at initialisation; right: its SGD loss per step, with and without
    clipping, and where the first non-finite value was caught."""
    from nnlab.labs.sequence.gradients import geometric_fit
    fig = new_figure(12.5, 4.2)
    left, right = fig.subplots(1, 2)
    norms = explode["grad_norms"]
    t = np.arange(1, len(norms) + 1)
    fit = geometric_fit(norms)
    left.plot(t, norms, color=RED, lw=2, label="measured")
    left.plot(t, norms[-2] * s.explode_scale ** (len(norms) - 1 - t), color="black", ls=":", lw=1.2,
              label=f"theory: {s.explode_scale:g}^(T - 1 - t) x ||dL/dh_(T-1)||")
    left.set_yscale("log")
    left.set_xlabel("time step t")
    left.set_ylabel("mean ||dL/dh_t|| (log scale)")
    left.set_title(f"relu RNN, W_hh = {s.explode_scale:g} I, T = {s.explode_length}, at initialisation\n"
                   f"measured factor per step back: {fit['factor']:.3f}", fontsize=9)
    legend_outside(left, "below", ncol=2)
    colours = {None: RED, s.explode_clip: BLUE}
    for run in explode["runs"]:
        steps = np.arange(1, len(run.loss) + 1)
        label = run.name + ("" if run.clip is None else f" (norm <= {run.clip:g})")
        right.plot(steps, run.loss, color=colours[run.clip], lw=1.4, marker="o" if len(steps) < 5 else None,
                   label=label)
        if run.non_finite:
            right.axvline(run.non_finite["step"], color=colours[run.clip], ls="--", lw=1.2,
                          label=f"{run.name}: first non-finite value, step {run.non_finite['step']}")
    right.axhline(BASELINE_MSE, color="black", ls=":", lw=1, label="predict the mean (1/6)")
    right.set_yscale("log")
    right.set_xscale("log")
    right.set_xlabel("SGD step (log scale)")
    right.set_ylabel("training loss (MSE, log scale)")
    right.set_title(f"SGD, lr {s.explode_lr:g}, without and with gradient clipping", fontsize=9)
    legend_outside(right, "below", ncol=2)
    fig.suptitle("Exploding gradients: a recurrent weight scale above 1", fontsize=11)
    return fig
