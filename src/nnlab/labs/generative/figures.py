"""The lab's figures: samples over the data, the MMD per model beside the noise floor, the VAE's ELBO and its two
terms, the VAE's latent grid mapped into the plane, and the GAN's samples over training. Every number in a title
is this run's."""
from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from nnlab.labs.generative.data import EXTENT, ring_centres
from nnlab.viz._style import BLUE, RED, legend_outside, new_figure

__all__ = ["plot_samples", "plot_mmd", "plot_vae_elbo", "plot_vae_latent", "plot_gan_training"]

GREY = "#9a9a9a"
COLOURS = {"gmm": "#2ca02c", "vae": BLUE, "gan": RED, "data": "#444444"}
NAMES = {"gmm": "GMM", "vae": "VAE", "gan": "GAN", "data": "held-out data"}


def _plane(ax, X_test, ring: bool, s=None):
    ax.scatter(X_test[:, 0], X_test[:, 1], s=4, c=GREY, alpha=0.5, linewidths=0, zorder=1)
    if ring:
        for cx, cy in ring_centres():
            ax.add_patch(_circle((cx, cy), s.mode_radius if s is not None else 0.3))
    ax.set_xlim(-EXTENT, EXTENT)
    ax.set_ylim(-EXTENT, EXTENT)
    ax.set_aspect("equal")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")


def _circle(xy, r):
    from matplotlib.patches import Circle
    return Circle(xy, r, fill=False, ec="black", lw=0.6, ls="--", zorder=4)


def _finite(x):
    return x[np.isfinite(x).all(axis=1)]


def plot_samples(fits, s):
    """Rows: data sets; columns: a second data sample (the noise floor), then each model's samples over the
    held-out data (grey). On the ring, dashed circles mark the radius within which a sample counts for a mode."""
    rows = len(fits)
    fig = new_figure(15, 3.3 * rows + 0.4)
    axes = fig.subplots(rows, 4, squeeze=False)
    for r, f in enumerate(fits):
        ring = f["name"] == "ring"
        for c, m in enumerate(("data", "gmm", "vae", "gan")):
            ax = axes[r, c]
            _plane(ax, f["X_test"], ring, s)
            x = f["X_floor"] if m == "data" else _finite(f["samples"][m])
            ax.scatter(x[:, 0], x[:, 1], s=4, c=COLOURS[m], alpha=0.6, linewidths=0, zorder=2)
            value = f["noise_floor"] if m == "data" else f["mmd"][m]
            modes = f" | {f['modes'][m]}/8 modes" if ring else ""
            what = "another data sample" if m == "data" else NAMES[m]
            ax.set_title(f"{f['name']}: {what}\nMMD {value:.3f}{modes}", fontsize=9)
    handles = [Line2D([], [], ls="", marker="o", color=GREY, label="held-out data (scored against)")]
    handles += [Line2D([], [], ls="", marker="o", color=COLOURS[m],
                       label="a second data sample" if m == "data" else f"samples: {NAMES[m]}")
                for m in ("data", "gmm", "vae", "gan")]
    if any(f["name"] == "ring" for f in fits):
        handles.append(Line2D([], [], ls="--", color="black", lw=0.8, label=f"mode radius {s.mode_radius:g}"))
    legend_outside(axes[0, -1], "right", handles=handles)
    fig.suptitle(f"Samples over the held-out data ({s.n_test} each; MMD with a Gaussian kernel of bandwidth "
                 f"{s.mmd_bandwidth:g})", fontsize=11)
    return fig


def plot_mmd(fits, s):
    """MMD to the held-out data per model and data set, on a log axis, with the noise floor as a dashed line."""
    fig = new_figure(max(7.0, 4.6 + 1.6 * len(fits)), 3.8)
    ax = fig.subplots()
    width = 0.25
    for i, f in enumerate(fits):
        for j, m in enumerate(("gmm", "vae", "gan")):
            v = f["mmd"][m]
            if np.isfinite(v):
                ax.bar(i + (j - 1) * width, v, width * 0.9, color=COLOURS[m], label=NAMES[m] if i == 0 else None)
        ax.plot([i - 1.6 * width, i + 1.6 * width], [f["noise_floor"]] * 2, ls="--", color="black",
                label="noise floor (a second data sample)" if i == 0 else None)
    ax.set_xticks(range(len(fits)), [f["name"] for f in fits])
    ax.set_yscale("log")
    ax.set_ylim(bottom=0.7 * min(f["noise_floor"] for f in fits))
    ax.set_xlabel("data set")
    ax.set_ylabel(f"MMD to held-out data (bandwidth {s.mmd_bandwidth:g})")
    legend_outside(ax, "right")
    ax.set_title("MMD of each model's samples", fontsize=10)
    return fig


def plot_vae_elbo(fits):
    """Per data set: the held-out ELBO and its two terms (reconstruction E_q[log p(x|z)] and -KL) over training."""
    fig = new_figure(4.2 * len(fits) + 1.8, 3.6)
    axes = np.atleast_1d(fig.subplots(1, len(fits)))
    for ax, f in zip(axes, fits):
        v = f["vae"]
        ax.plot(v.steps, v.elbo, color="black", lw=1.8, label="ELBO = reconstruction - KL")
        ax.plot(v.steps, v.reconstruction, color=BLUE, label="reconstruction E_q[log p(x|z)]")
        ax.plot(v.steps, -np.asarray(v.kl), color=RED, label="-KL(q(z|x) || N(0, I))")
        ax.set_xlabel("training step")
        ax.set_ylabel("nats per point (held-out)")
        ax.set_title(f"{f['name']}: final ELBO {v.elbo[-1]:.2f}, KL {v.kl[-1]:.2f}", fontsize=10)
        ax.grid(alpha=0.3)
    legend_outside(axes[-1], "right")
    return fig


def plot_vae_latent(fits, n_lines: int = 15, span: float = 2.5):
    """The decoder's mean over a grid of latent points z in [-span, span]^2 (the prior N(0, I) puts 99 % of its
    mass inside it): lines of constant z1 and of constant z2, mapped into the data's plane over the data."""
    fig = new_figure(4.0 * len(fits) + 2.0, 4.2)
    axes = np.atleast_1d(fig.subplots(1, len(fits)))
    grid = np.linspace(-span, span, n_lines)
    fine = np.linspace(-span, span, 120)
    for ax, f in zip(axes, fits):
        _plane(ax, f["X_test"], False)
        vae = f["vae"]
        for g in grid:
            a = vae.decode(np.stack([np.full_like(fine, g), fine], 1))
            b = vae.decode(np.stack([fine, np.full_like(fine, g)], 1))
            ax.plot(a[:, 0], a[:, 1], color=BLUE, lw=0.7, zorder=3)
            ax.plot(b[:, 0], b[:, 1], color=RED, lw=0.7, zorder=3)
        ax.set_title(f"{f['name']}: decoder mean over the latent grid", fontsize=10)
    handles = [Line2D([], [], color=BLUE, label=f"z1 fixed, z2 from {-span:g} to {span:g}"),
               Line2D([], [], color=RED, label=f"z2 fixed, z1 from {-span:g} to {span:g}"),
               Line2D([], [], ls="", marker="o", color=GREY, label="held-out data")]
    legend_outside(axes[-1], "right", handles=handles)
    return fig


def plot_gan_training(fits, s):
    """Rows: data sets; columns: the GAN's samples of one fixed noise batch at evenly spaced steps. On the ring each
    title counts the modes covered; elsewhere it gives the MMD to the held-out data."""
    rows, cols = len(fits), max(len(f["gan"].snapshots) for f in fits)
    fig = new_figure(2.6 * cols + 0.4, 2.8 * rows + 0.7)
    axes = fig.subplots(rows, cols, squeeze=False)
    for r, f in enumerate(fits):
        ring = f["name"] == "ring"
        score = dict(f["snapshot_modes"]) if ring else dict(f["snapshot_mmd"])
        for c in range(cols):
            ax = axes[r, c]
            if c >= len(f["gan"].snapshots):
                ax.set_visible(False)
                continue
            step, x = f["gan"].snapshots[c]
            _plane(ax, f["X_test"], ring, s)
            x = _finite(x)
            ax.scatter(x[:, 0], x[:, 1], s=3, c=COLOURS["gan"], alpha=0.6, linewidths=0, zorder=2)
            what = f"{score[step]}/8 modes" if ring else f"MMD {score[step]:.3f}"
            ax.set_title(f"{f['name']}, step {step}: {what}", fontsize=9)
            if c:
                ax.set_ylabel("")
            if r < rows - 1:
                ax.set_xlabel("")
    stopped = [f for f in fits if f["gan"].non_finite]
    note = "" if not stopped else "; stopped at a non-finite value: " + ", ".join(
        f"{f['name']} at step {f['gan'].non_finite['step']}" for f in stopped)
    fig.suptitle(f"The GAN's samples (red) over training, the same noise batch in every panel{note}", fontsize=11)
    return fig
