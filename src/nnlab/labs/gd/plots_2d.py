"""Figures on the 2-D functions: optimizer paths on log-level contours, lifted paths on 3-D surfaces, and the
Himmelblau basins. Start is a black dot, minima are green stars, each run's end a diamond in its colour; a
diverged run ends in a red cross at its last finite point and its label says so."""
from __future__ import annotations

import math

import numpy as np
from matplotlib.colors import ListedColormap, LogNorm

from nnlab.labs.gd.basins import DIVERGED, Basins, share_text
from nnlab.labs.gd.functions import TestFunction
from nnlab.labs.gd.paths import PATH_OPTIMIZERS
from nnlab.viz._style import new_figure

__all__ = ["contour", "draw_path", "run_label", "plot_paths", "plot_surface", "plot_basins"]

CMAP = "YlGnBu_r"
MINIMUM = "#00c000"


def _grid(fn: TestFunction, points: int):
    (x0, x1), (y0, y1) = fn.domain
    gx, gy = np.meshgrid(np.linspace(x0, x1, points), np.linspace(y0, y1, points))
    return gx, gy, fn.gap(np.stack([gx, gy], axis=-1))                       # (points, points) each


def _log_shift(z: np.ndarray, relative: float = 1e-6) -> float:
    """A small positive offset so that log levels of z + offset exist (z >= 0, 0 at f*)."""
    return max(float(np.max(z)) * relative, 1e-12)


def contour(ax, fn: TestFunction, points: int = 240, levels: int = 25, shift: float | None = None):
    """f - f* over ``fn.domain`` as a colour image with contour lines: both on log-spaced levels where f* exists
    (the valleys of Rosenbrock and Beale vanish on linear levels), linear for the saddle; start and minima
    marked. (An image under contour lines draws the same map as filled contours, several times faster.)

    ``shift`` is the offset added to f - f* before the log (default: 1e-6 of its largest value on the grid), so
    that a figure can draw its contour map on the same scale as its surface.

    Returns the image, for ``colorbar``; its ``nnlab_label`` says what its colours are."""
    gx, gy, z = _grid(fn, points)
    extent = (*fn.domain[0], *fn.domain[1])
    if fn.log_levels:
        shift = _log_shift(z) if shift is None else shift
        zz = np.maximum(z, 0) + shift
        lv = np.geomspace(zz.min(), zz.max(), levels)
        norm = LogNorm(lv[0], lv[-1])
        image = ax.imshow(zz, origin="lower", extent=extent, norm=norm, cmap=CMAP, aspect="auto",
                          interpolation="bilinear")
        ax.contour(gx, gy, zz, levels=lv, colors="white", linewidths=0.4, alpha=0.6)
        image.nnlab_label = f"f - f* + {shift:.0e} (log scale)"
    else:
        image = ax.imshow(z, origin="lower", extent=extent, cmap=CMAP, aspect="auto", interpolation="bilinear")
        ax.contour(gx, gy, z, levels=levels, colors="white", linewidths=0.4, alpha=0.6)
        image.nnlab_label = "f"
    for m in fn.minima:
        ax.plot(*m, "*", color=MINIMUM, ms=13, mec="black", mew=0.6, zorder=6)
    ax.plot(*fn.start, "o", color="black", ms=6, mec="white", zorder=7)
    ax.set_xlim(*fn.domain[0])
    ax.set_ylim(*fn.domain[1])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return image


def colorbar(fig, image, axes, **kwargs):
    """One colour bar for the contour maps ``axes`` (all drawn by ``contour`` on the same function)."""
    kwargs.setdefault("shrink", 0.9)
    return fig.colorbar(image, ax=axes, label=image.nnlab_label, **kwargs)


def markers_legend(fig, handles: list, labels: list, fn: TestFunction, sweeps: dict, ncol: int | None = None):
    """The figure's legend under its panels: the paths' colours, then the markers drawn (start, minima, ends of
    runs, and a red cross where a drawn run diverged)."""
    from matplotlib.lines import Line2D
    handles, labels = list(handles), list(labels)
    handles.append(Line2D([], [], ls="", marker="o", color="black", mec="white", ms=6))
    labels.append("start")
    if len(fn.minima):
        handles.append(Line2D([], [], ls="", marker="*", color=MINIMUM, mec="black", ms=11))
        labels.append("minimum" if len(fn.minima) == 1 else "minima")
    handles.append(Line2D([], [], ls="", marker="D", color="#999999", mec="black", ms=5))
    labels.append("end of a run")
    if any(s.paths.diverged[s.best] for s in sweeps.values()):
        handles.append(Line2D([], [], ls="", marker="X", color="red", mec="black", ms=8))
        labels.append("diverged here")
    fig.legend(handles, labels, loc="outside lower center", ncol=ncol or min(len(labels), 11), fontsize=8)


def run_label(fn: TestFunction, name: str, lr: float, paths, i: int = 0) -> str:
    """'adam lr 0.1: f - f* 3.2e-05', 'gd lr 2: diverged at step 4', or on the saddle 'adam lr 0.01: |y| > 1
    at step 120' (when the run leaves the saddle's neighbourhood)."""
    if paths.diverged[i]:
        return f"{name} lr {lr:.3g}: diverged at step {paths.diverged_at[i]}"
    if fn.f_star is None:
        out = np.flatnonzero(np.abs(paths.xy[:, i, 1]) > 1)
        return f"{name} lr {lr:.3g}: " + (f"|y| > 1 at step {out[0]}" if len(out) else "|y| <= 1 throughout")
    end = paths.final[i]
    (x0, x1), (y0, y1) = fn.domain
    off = "" if x0 <= end[0] <= x1 and y0 <= end[1] <= y1 else f",\nends off the plot at ({end[0]:.3g}, {end[1]:.3g})"
    return f"{name} lr {lr:.3g}: f - f* {paths.final_gap[i]:.2g}{off}"


def draw_path(ax, paths, i: int, color: str, label: str, lw: float = 1.4, dashed: bool = False) -> None:
    """Run i of ``paths``: its line, a diamond at its end (a red cross if it diverged there)."""
    xy = paths.path(i)
    ax.plot(xy[:, 0], xy[:, 1], "--" if dashed else "-", color=color, lw=lw, label=label, zorder=4)
    if paths.diverged[i]:
        ax.plot(*xy[-1], "X", color="red", ms=10, mec="black", zorder=8)
    else:
        ax.plot(*xy[-1], "D", color=color, ms=6, mec="black", mew=0.6, zorder=8)


def plot_paths(fn: TestFunction, sweeps: dict, points: int = 240, same_as_gd: bool | None = None):
    """All tuned paths on one panel, then one small panel per optimizer (shared axes).

    ``sweeps`` maps optimizer -> tuning.Sweep; each optimizer's path is the one at its chosen lr. ``same_as_gd``:
    whether the sgd path drawn is gd's, point for point (the first panel's title says so only then).
    """
    names = list(sweeps)
    cols = min(4, len(names) + 1)
    rows = math.ceil((len(names) + 1) / cols)
    (x0, x1), (y0, y1) = fn.domain
    fig = new_figure(4.3 * cols, (4.0 * (y1 - y0) / (x1 - x0) + 0.5) * rows + 0.6)     # panels keep x:y = 1:1
    axes = np.atleast_1d(fig.subplots(rows, cols, sharex=True, sharey=True)).ravel()
    image = contour(axes[0], fn, points)
    for name in names:
        s = sweeps[name]
        draw_path(axes[0], s.paths, s.best, PATH_OPTIMIZERS[name].color, name, dashed=name == "sgd")
    tuned = next(iter(sweeps.values())).tuned
    sgd = ""
    if "sgd" in names:
        sgd = "; sgd dashed: the same path as gd" if same_as_gd else "; sgd dashed"
    axes[0].set_title(("all at their tuned lr" if tuned else "all at the same lr") + sgd, fontsize=9)
    for ax, name in zip(axes[1:], names):
        s = sweeps[name]
        contour(ax, fn, points)
        draw_path(ax, s.paths, s.best, PATH_OPTIMIZERS[name].color, name)
        ax.set_title(run_label(fn, PATH_OPTIMIZERS[name].label, s.best_lr, s.paths, s.best), fontsize=8)
    for ax in axes[len(names) + 1:]:
        ax.remove()                                                         # no empty panels
    used = list(axes[:len(names) + 1])
    for ax in used:
        ax.label_outer()
    colorbar(fig, image, used, shrink=0.8)
    handles, labels = axes[0].get_legend_handles_labels()
    markers_legend(fig, handles, labels, fn, sweeps)
    s0 = next(iter(sweeps.values()))
    how = (f"lr tuned on a log grid of {len(s0.lrs)} values, {s0.paths.steps} steps, scored by final f - f*"
           if s0.tuned else f"every optimizer at lr {s0.best_lr:g} (no f* to tune against), {s0.paths.steps} steps")
    grad = float(np.linalg.norm(fn.grad(fn.start)))
    fig.suptitle(f"{fn.name}: f = {fn.formula} ({fn.note}); start ({fn.start[0]:g}, {fn.start[1]:g}), "
                 f"|grad f| there {grad:.2g}\n{how}", fontsize=11)
    return fig


def plot_surface(fn: TestFunction, sweeps: dict, points: int = 120, lift: float = 0.03):
    """The surface (log10(f - f* + shift) where f* exists, else f) with every tuned path drawn on it, lifted by
    ``lift`` of the z range so that it stays visible (mplot3d has no depth buffer), beside the same paths on
    the contour map."""
    fig = new_figure(15, 6.5)
    ax3 = fig.add_subplot(1, 2, 1, projection="3d")
    ax2 = fig.add_subplot(1, 2, 2)
    gx, gy, z = _grid(fn, points)
    # shallower wells than the paths figures' contour maps (1e-6); this figure's own map uses the same shift
    shift = _log_shift(z, 1e-4) if fn.log_levels else 0.0

    def height(values):
        return np.log10(np.maximum(values, 0) + shift) if fn.log_levels else values

    zs = height(z)
    ax3.plot_surface(gx, gy, zs, cmap=CMAP, alpha=0.55, linewidth=0, antialiased=True, rcount=60, ccount=60)
    up = lift * float(zs.max() - zs.min())
    (x0, x1), (y0, y1) = fn.domain
    image = contour(ax2, fn, points, shift=shift if fn.log_levels else None)   # one scale: z label = colour bar
    for name, s in sweeps.items():
        color = PATH_OPTIMIZERS[name].color
        xy = s.paths.path(s.best)
        inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        xy_in = xy[:np.argmin(inside)] if not inside.all() else xy      # up to where it leaves the box
        if len(xy_in):
            h = height(fn.gap(xy_in)) + up
            ax3.plot(xy_in[:, 0], xy_in[:, 1], h, "--" if name == "sgd" else "-", color=color, lw=1.8,
                     zorder=10)
            ax3.scatter(*xy_in[-1], h[-1], color="red" if s.paths.diverged[s.best] else color, marker="D", s=30,
                        edgecolor="black", zorder=11)
        draw_path(ax2, s.paths, s.best, color, name, dashed=name == "sgd")
    for m in fn.minima:
        ax3.scatter(m[0], m[1], height(fn.gap(m)) + up, marker="*", s=160, color=MINIMUM, edgecolor="black")
    ax3.scatter(*fn.start, height(fn.gap(fn.start)) + up, marker="o", s=40, color="black")
    ax3.set_xlabel("x")
    ax3.set_ylabel("y")
    ax3.set_zlabel(f"log10(f - f* + {shift:.0e})" if fn.log_levels else "f")
    ax3.view_init(elev=38, azim=-125)
    ax3.set_title(f"surface with paths lifted by {lift:.0%} of the z range", fontsize=10)
    colorbar(fig, image, ax2)
    ax2.set_title("the same paths on the contour map (log levels)" if fn.log_levels else "the same paths",
                  fontsize=10)
    handles, labels = ax2.get_legend_handles_labels()
    markers_legend(fig, handles, labels, fn, sweeps)
    fig.suptitle(f"{fn.name}: f = {fn.formula}", fontsize=12)
    return fig


def plot_basins(fn: TestFunction, results: list[Basins]):
    """Per optimizer, the minimum reached from every start of a grid (colour), grey where none is reached within
    the budget, black where the run diverged; the minima are stars in their colours."""
    colors = ["#e41a1c", "#377eb8", "#4daf4a", "#984ea3"]
    cmap = ListedColormap(["black", "#bbbbbb", *colors[:len(fn.minima)]])        # codes -2, -1, 0..m-1
    cols = 4
    rows = math.ceil(len(results) / cols)
    fig = new_figure(4.2 * cols, 4.4 * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax, b in zip(axes, results):
        dx, dy = b.xs[1] - b.xs[0], b.ys[1] - b.ys[0]
        extent = (b.xs[0] - dx / 2, b.xs[-1] + dx / 2, b.ys[0] - dy / 2, b.ys[-1] + dy / 2)
        ax.imshow(b.codes, origin="lower", extent=extent, cmap=cmap, vmin=DIVERGED - 0.5,
                  vmax=len(fn.minima) - 0.5, interpolation="nearest")
        for j, m in enumerate(fn.minima):
            ax.plot(*m, "*", color=colors[j], ms=14, mec="black", mew=0.8)
        shares = b.shares(len(fn.minima))
        text = " ".join(share_text(shares[str(j)]) for j in range(len(fn.minima)))
        ax.set_title(f"{b.optimizer} lr {b.lr:.3g}: minima 1-4 {text}\nnear none {share_text(shares['none'])}, "
                     f"diverged {share_text(shares['diverged'])}", fontsize=9)
        ax.set_xlabel("x0")
        ax.set_ylabel("y0")
        ax._nnlab_no_colorbar = True          # categories, not values: the figure's legend names every colour
    for ax in axes[len(results):]:
        ax.remove()                                                         # no empty panels
    from matplotlib.patches import Patch
    handles = [Patch(color=colors[j], label=f"minimum {j + 1} ({m[0]:.2f}, {m[1]:.2f})")
               for j, m in enumerate(fn.minima)]
    handles += [Patch(color="#bbbbbb", label="near none (no minimum within 1e-3)"),
                Patch(color="black", label="diverged")]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=9)
    names = ", ".join(f"{j + 1}: ({m[0]:.2f}, {m[1]:.2f})" for j, m in enumerate(fn.minima))
    fig.suptitle(f"{fn.name}: which minimum each start reaches (minima {names}); grey = near none (no "
                 f"minimum within 1e-3 after the budget), black = diverged", fontsize=11)
    return fig
