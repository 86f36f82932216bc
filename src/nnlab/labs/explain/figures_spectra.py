"""Figures of part 3: singular values against the Marchenko-Pastur law, effective rank over training, and
sharpness over gradient descent with the 2 / lr line."""
from __future__ import annotations

import numpy as np

from nnlab.labs.explain.sharpness import SharpnessRun
from nnlab.labs.explain.spectra import SpectrumTracker, default_init_variance, effective_rank, mp_density, mp_edges
from nnlab.viz._style import BLUE, EXTRA, RED, new_figure

__all__ = ["plot_spectra", "plot_effective_rank", "plot_sharpness"]


def plot_spectra(tracker: SpectrumTracker, title: str = ""):
    """One panel per weight matrix: histograms of its singular values at initialisation and after training, the
    Marchenko-Pastur density of the init law (sigma^2 = 1 / (3 fan_in)) and its support edges."""
    L = len(tracker.shapes_)
    fig = new_figure(4.2 * L, 4.1)
    axes = np.atleast_1d(fig.subplots(1, L))
    for i, (ax, (m, n), values) in enumerate(zip(axes, tracker.shapes_, tracker.values_)):
        sigma2 = default_init_variance(n)
        lo, hi = mp_edges(m, n, sigma2)
        init, final = values[0], values[-1]
        bins = np.linspace(0, max(final.max(), hi) * 1.05, 40)
        ax.hist(init, bins=bins, density=True, color="0.6", alpha=0.7, label="at init")
        ax.hist(final, bins=bins, density=True, histtype="step", lw=1.8, color=RED,
                label=f"after {tracker.epochs_[-1]} epochs")
        s = np.linspace(lo, hi, 400)
        ax.plot(s, mp_density(s, m, n, sigma2), color=BLUE, lw=1.8,
                label="Marchenko-Pastur density of the init law (theory)")
        for k, edge in enumerate((lo, hi)):
            ax.axvline(edge, color=BLUE, ls=":", lw=1, label="its support's edges (theory)" if k == 0 else None)
        ax.set_title(f"layer {i + 1}: W {m} x {n}\ninit erank {effective_rank(init):.1f}, "
                     f"trained {effective_rank(final):.1f}, top s {final.max():.2f} (edge {hi:.2f})", fontsize=9)
        ax.set_xlabel("singular value")
    axes[0].set_ylabel("density")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=4, fontsize=8)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def plot_effective_rank(tracker: SpectrumTracker, title: str = ""):
    """Left: each layer's effective rank over training, as a share of min(m, n). Right: its largest singular value
    over the Marchenko-Pastur upper edge of its init."""
    fig = new_figure(11, 4.2)
    left, right = fig.subplots(1, 2)
    colors = [BLUE, RED] + EXTRA
    for i, ((m, n), values) in enumerate(zip(tracker.shapes_, tracker.values_)):
        label = f"layer {i + 1} ({m} x {n})"
        er = [effective_rank(v) / min(m, n) for v in values]
        left.plot(tracker.epochs_, er, color=colors[i % len(colors)], label=label)
        right.plot(tracker.epochs_, values[:, 0] / mp_edges(m, n, default_init_variance(n))[1],
                   color=colors[i % len(colors)], label=label)
    left.set_ylabel("effective rank / min(m, n)")
    right.set_ylabel("largest singular value / MP upper edge")
    right.axhline(1.0, color="black", ls=":", lw=1, label="MP upper edge of the init law (theory)")
    for ax in (left, right):
        ax.set_xlabel("epoch")
    handles, labels = right.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), fontsize=8)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def plot_sharpness(runs: list[SharpnessRun], control: SharpnessRun | None = None):
    """Top row: sharpness (top Hessian eigenvalue) over full-batch gradient descent, one panel per learning rate
    (the control first, where given), with the 2 / lr line (theory) and the control's peak (measured), on one scale.
    Bottom row: the training loss (log)."""
    columns = ([control] if control is not None else []) + list(runs)
    fig = new_figure(3.7 * len(columns), 6.9)
    grid = fig.subplots(2, len(columns), squeeze=False, sharex="col")
    # one sharpness scale for every panel, so the levels compare across learning rates; it shows the control's
    # 2 / lr and every stable run's sharpness (a diverged run's leaves the top)
    stable = [max(r.sharpness, default=0.0) for r in columns if not r.diverged]
    top_of = 1.12 * max([r.edge for r in columns if r.edge <= 2.5 * max(stable, default=0.0)] + stable + [1.0])
    peak = max(control.sharpness) if control is not None and control.sharpness and not control.diverged else None
    for c, run in enumerate(columns):
        top, bottom = grid[0, c], grid[1, c]
        top.plot(run.epochs, run.sharpness, color=BLUE, lw=1.6, label="sharpness (power iteration)")
        top.axhline(run.edge, color=RED, ls="--", lw=1.4, label="2 / lr (theory: gradient descent's stability limit)")
        if peak is not None:
            top.axhline(peak, color="0.45", ls=":", lw=1.4,
                        label=f"the control's peak sharpness P = {peak:.2f} (measured, lr {control.lr:g})")
        top.set_ylim(0, top_of)
        name = "control: " if run is control else ""
        top.set_title(f"{name}lr {run.lr:g}, 2 / lr = {run.edge:g}" + (" (diverged)" if run.diverged else ""),
                      fontsize=10)
        bottom.semilogy(np.arange(1, len(run.loss) + 1), run.loss, color="0.3", lw=1)
        bottom.set_xlabel("epoch")
    grid[0, 0].set_ylabel("top eigenvalue of the loss Hessian")
    grid[1, 0].set_ylabel("training loss (MSE; mean over the\nepoch's batches: its one full batch)")
    fig.legend(*grid[0, 0].get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize=8)
    fig.suptitle("Sharpness over full-batch gradient descent (tanh MLP, MSE) against 2 / lr"
                 + (f", with a control lr ({control.lr:g})" if control is not None else ""), fontsize=11)
    return fig
