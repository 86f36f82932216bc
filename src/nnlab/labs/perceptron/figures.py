"""The perceptron lab's figures: Figure 4 as a strip and a GIF, the plain rule against the pocket, and the capacity
grid. Blue is -1 and red +1, as in the seed."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from nnlab.viz._style import BLUE, RED, legend_outside, new_figure

__all__ = ["plot_strip", "write_gif", "plot_pocket", "plot_capacity"]

LIM = (-1.5, 1.5)          # the seed's chart


def _shade(ax, w, b, lim, alpha=0.10):
    """The half-plane the line calls +1, light red; the other light blue."""
    from matplotlib.colors import ListedColormap
    axis = np.linspace(lim[0], lim[1], 200)
    gx, gy = np.meshgrid(axis, axis)
    side = (w[0] * gx + w[1] * gy + b) > 0
    ax.imshow(side, origin="lower", extent=(lim[0], lim[1], lim[0], lim[1]), cmap=ListedColormap([BLUE, RED]),
              alpha=alpha, vmin=0, vmax=1, interpolation="nearest", aspect="auto")


def _line(ax, w, b, lim, **kw):
    """w . x + b = 0 across the box; nothing when w = 0 (every point on one side)."""
    xs = np.array(lim, float)
    if w[1] != 0:
        return ax.plot(xs, (-b - w[0] * xs) / w[1], **kw)
    if w[0] != 0:
        return [ax.axvline(-b / w[0], **kw)]
    return ax.plot([], [], **kw)


def _points(ax, X, y, size=10):
    ax.scatter(*X[y > 0].T, s=size, c=RED, edgecolors="white", linewidths=0.3, zorder=3, label="class +1")
    ax.scatter(*X[y <= 0].T, s=size, c=BLUE, edgecolors="white", linewidths=0.3, zorder=3, label="class -1")


def _box(ax, lim, labels=True):
    ax.set_xlim(*lim)
    ax.set_ylim(*lim)
    ax.set_aspect("equal")
    if labels:
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")


def _update_panel(ax, X, y, f4, k, lim=LIM, size=10):
    """The line after update k (black), the line before it (grey, dashed), the point it was made on (ringed)."""
    t = f4["trace"]
    w, b = t.weights[k], t.bias[k]
    _shade(ax, w, b, lim)
    _points(ax, X, y, size)
    if k > 0:
        _line(ax, t.weights[k - 1], t.bias[k - 1], lim, color="0.45", lw=1.2, ls="--", label="line before the update")
        i = t.index[k - 1]
        ax.scatter(*X[i], s=140, facecolors="none", edgecolors="black", linewidths=1.6, zorder=4,
                   label="the point it was wrong on")
    _line(ax, w, b, lim, color="black", lw=2, label="line after the update")
    _box(ax, lim)
    right, n = f4["right"][k], f4["n"]
    if k == 0:
        ax.set_title(f"start: w = 0, b = 0\n{right} of {n} right", fontsize=9)
    else:
        ax.set_title(f"update {k} of {t.n_updates} (epoch {t.epoch[k - 1]})\n{right} of {n} right", fontsize=9)


def plot_strip(X, y, f4, picks: list[int]):
    """Figure 4 as a strip: the line after the picked updates."""
    cols = min(4, len(picks))
    rows = -(-len(picks) // cols)
    fig = new_figure(3.2 * cols, 3.3 * rows + 0.9)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax, k in zip(axes, picks):
        _update_panel(ax, X, y, f4, k)
    for ax in axes[len(picks):]:
        ax.set_visible(False)
    t = f4["trace"]
    fig.suptitle(f"The perceptron rule on the seed's {f4['n']} points: the line after each update "
                 f"({t.n_updates} updates in {len(t.errors)} epochs; {len(picks)} shown)", fontsize=12)
    handles, labels = axes[-1 if len(picks) == len(axes) else len(picks) - 1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=5, fontsize=8,
               title="shading: the side the line calls +1 (red) or -1 (blue)", title_fontsize=8)
    return fig


class _BlitWriter:
    """matplotlib's PillowWriter, grabbing frames by blitting: the still parts (axes, ticks, points, labels) are
    drawn once, and each frame redraws only the artists that move. (A full redraw per frame is mostly tick
    labels: 0.1 to 0.2 s a frame.)"""

    def __new__(cls, moving, fps):
        from matplotlib.animation import PillowWriter

        class Writer(PillowWriter):
            def setup(self, fig, outfile, dpi=None):
                from matplotlib.backends.backend_agg import FigureCanvasAgg
                super().setup(fig, outfile, dpi=dpi)
                self._canvas = FigureCanvasAgg(fig)
                for artist in moving:
                    artist.set_animated(True)
                self._canvas.draw()
                self._background = self._canvas.copy_from_bbox(fig.bbox)

            def grab_frame(self, **savefig_kwargs):
                from PIL import Image
                canvas = self._canvas
                canvas.restore_region(self._background)
                for artist in moving:
                    artist.axes.draw_artist(artist)
                width, height = canvas.get_width_height()
                self._frames.append(Image.frombuffer("RGBA", (width, height), bytes(canvas.buffer_rgba()), "raw",
                                                     "RGBA", 0, 1).convert("RGB"))

        return Writer(fps=fps)


def write_gif(X, y, f4, path: Path, max_frames: int, fps: int = 6) -> dict:
    """Figure 4 animated with matplotlib's PillowWriter: one frame per update (evenly thinned to ``max_frames``, the
    first and last kept), the line on the left and the number of points right after each update on the right.
    The artists are drawn once and moved from frame to frame. Returns frame facts."""
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    t = f4["trace"]
    frames = list(range(t.n_updates + 1))
    if len(frames) > max_frames:
        frames = sorted(set(np.round(np.linspace(0, t.n_updates, max_frames)).astype(int).tolist()))
    dpi = 72
    fig = Figure(figsize=(8.4, 4.0), dpi=dpi)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.84, wspace=0.3)
    ax, ax2 = fig.subplots(1, 2)
    axis = np.linspace(LIM[0], LIM[1], 120)
    gx, gy = np.meshgrid(axis, axis)
    shade = ax.imshow(np.zeros_like(gx, bool), origin="lower", extent=(*LIM, *LIM),
                      cmap=ListedColormap([BLUE, RED]), alpha=0.10, vmin=0, vmax=1, interpolation="nearest",
                      aspect="auto")
    _points(ax, X, y, 10)
    before, = ax.plot([], [], color="0.45", lw=1.2, ls="--")
    after, = ax.plot([], [], color="black", lw=2)
    ring = ax.scatter([np.nan], [np.nan], s=140, facecolors="none", edgecolors="black", linewidths=1.6, zorder=4)
    _box(ax, LIM)
    title = ax.set_title("", fontsize=9)
    ax2.plot(np.arange(t.n_updates + 1), f4["right"], color="0.6", lw=1)
    done, = ax2.plot([], [], color="black", lw=1.5)
    dot, = ax2.plot([], [], "o", color="black")
    ax2.axhline(f4["n"], color="green", ls=":", lw=1)
    ax2.set_xlabel("update")
    ax2.set_ylabel(f"points right (of {f4['n']})")
    ax2.set_title("points the line classifies right (green: all)", fontsize=9)
    ax2.set_ylim(0, f4["n"] * 1.05)
    fig.suptitle("Figure 4, as nnlab draws it: the line after each update (grey dashed: before it; ringed: the "
                 "point it was wrong on)", fontsize=10)

    def ends(w, b):
        xs = np.array(LIM, float)
        if w[1] != 0:
            return xs, (-b - w[0] * xs) / w[1]
        if w[0] != 0:
            return np.full(2, -b / w[0]), xs
        return [], []

    moving = [shade, before, after, ring, title, done, dot]
    writer = _BlitWriter(moving, fps=fps)
    with writer.saving(fig, str(path), dpi=dpi):
        for k in frames:
            w, b = t.weights[k], t.bias[k]
            shade.set_data((w[0] * gx + w[1] * gy + b) > 0)
            after.set_data(*ends(w, b))
            if k > 0:
                before.set_data(*ends(t.weights[k - 1], t.bias[k - 1]))
                ring.set_offsets([X[t.index[k - 1]]])
                title.set_text(f"update {k} of {t.n_updates} (epoch {t.epoch[k - 1]}): "
                               f"{f4['right'][k]} of {f4['n']} right")
            else:
                before.set_data([], [])
                ring.set_offsets([[np.nan, np.nan]])
                title.set_text(f"start: w = 0, b = 0: {f4['right'][0]} of {f4['n']} right")
            done.set_data(np.arange(k + 1), f4["right"][:k + 1])
            dot.set_data([k], [f4["right"][k]])
            writer.grab_frame()
    return {"frames": len(frames), "fps": fps, "every_update": len(frames) == t.n_updates + 1}


def plot_pocket(data, p: dict, dataset: str, noise: float):
    """Left: the noisy training points with the plain rule's last line, the pocket's line. Middle: training accuracy
    per epoch. Right: the scores, training and held-out."""
    fig = new_figure(16, 5.6)
    ax, ax2, ax3 = fig.subplots(1, 3, width_ratios=[1.1, 1.2, 1.2])
    X, y = data.X, data.y
    pad = 0.1 * (X.max() - X.min())
    lim = (float(X.min() - pad), float(X.max() + pad))
    _points(ax, X, y, 14)
    ax.scatter(*X[data.flipped].T, s=60, facecolors="none", edgecolors="black", linewidths=0.9, zorder=4,
               label=f"label flipped ({data.flipped_count})")
    pw, pb = p["plain_weights"][:2], p["plain_weights"][2]
    kw, kb = p["pocket_weights"][:2], p["pocket_weights"][2]
    _line(ax, pw, pb, lim, color="0.4", lw=1.6, ls="--", label=f"plain rule, last ({p['plain_train']:.1%})")
    _line(ax, kw, kb, lim, color="black", lw=2.2, label=f"pocket ({p['pocket_train']:.1%})")
    _box(ax, lim)
    ax.set_title(f"{dataset}, {noise:g}% of labels flipped: {p['n']} training points", fontsize=10)
    legend_outside(ax, "below", ncol=2)

    epochs = np.arange(1, p["epochs"] + 1)
    ax2.plot(epochs, p["plain_train_per_epoch"], color="0.45", lw=1, label="plain rule (end of each epoch)")
    ax2.plot(epochs, p["pocket_train_per_epoch"], color="black", lw=2, drawstyle="steps-post",
             label="pocket (best seen)")
    ax2.axhline(p["best_line_train"], color="green", ls=":", lw=1.5,
                label=f"best any line does ({p['best_line_train']:.1%}{'' if p['best_line_exact'] else ', approx.'})")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("training accuracy (labels as flipped)")
    ax2.set_title(f"Training accuracy over {p['epochs']} epochs (fewest mistakes in an epoch: "
                  f"{p['min_mistakes']})", fontsize=10)
    legend_outside(ax2, "below", ncol=2)

    half = p["epochs"] - p["epochs"] // 2
    names = ["plain rule,\nlast", f"plain rule,\nepoch ends\n(mean of last {half})", "pocket", "best line"]
    train = [p["plain_train"], p["plain_second_half_mean"], p["pocket_train"], p["best_line_train"]]
    test = [p["plain_test"], p["plain_test_second_half_mean"], p["pocket_test"]]
    xs = np.arange(4)
    ax3.bar(xs - 0.2, train, 0.4, color="0.55", label="training")
    ax3.bar(xs[:3] + 0.2, test, 0.4, color="#2ca02c", label=f"held-out ({p['n_test']} points)")
    for x, v in [*zip(xs - 0.2, train), *zip(xs[:3] + 0.2, test)]:
        ax3.text(x, v + 0.01, f"{v:.1%}", ha="center", fontsize=7)
    ax3.set_xticks(xs, names)
    ax3.set_ylim(0, 1.08)
    ax3.set_ylabel("accuracy")
    ax3.set_xlabel("weights")
    ax3.set_title(f"Accuracy: training (grey) and held-out, {p['n_test']} points (green)", fontsize=10)
    return fig


def plot_capacity(three: list[dict], square: list[dict], max_epochs: int):
    """Every labelling of three points (left) and of the four XOR points (right): the perceptron's line where it
    converged, and the LP's verdict on each."""
    fig = new_figure(15, 10.5)
    left, right = fig.subfigures(1, 2, width_ratios=[1.0, 2.0])
    for sub, rows, X, cols, name in ((left, three, np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), 2,
                                      "3 points: all 8 labellings"),
                                     (right, square, np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), 4,
                                      "the 4 XOR points: all 16 labellings")):
        sep = sum(r["separable"] for r in rows)
        conv = sum(r["converged"] for r in rows)
        sub.suptitle(f"{name}\n{sep} separable (linear program); the perceptron converged on {conv}", fontsize=11)
        axes = sub.subplots(len(rows) // cols, cols).ravel()
        for ax, r in zip(axes, rows):
            y = np.array(r["labels"])
            lim = (-0.5, 1.5)
            if r["converged"]:
                _shade(ax, r["w"], r["b"], lim, alpha=0.14)
                _line(ax, r["w"], r["b"], lim, color="black", lw=2)
            else:
                _line(ax, r["w"], r["b"], lim, color="0.5", lw=1.2, ls="--")
            ax.scatter(*X[y > 0].T, s=70, c=RED, edgecolors="black", linewidths=0.5, zorder=3)
            ax.scatter(*X[y <= 0].T, s=70, c=BLUE, edgecolors="black", linewidths=0.5, zorder=3)
            _box(ax, lim, labels=False)
            ax.set_xticks([])
            ax.set_yticks([])
            verdict = "separable" if r["separable"] else "NOT separable"
            run = (f"converged, epoch {r['epochs']}" if r["converged"]
                   else f"no line in {r['epochs']} epochs")
            ax.set_title(f"{verdict}\n{run}", fontsize=8, color="black" if r["separable"] == r["converged"]
                         else RED)
            if not r["separable"]:
                for s in ax.spines.values():
                    s.set_color(RED)
                    s.set_linewidth(2)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    handles = [Line2D([], [], marker="o", ls="", color=RED, label="label +1"),
               Line2D([], [], marker="o", ls="", color=BLUE, label="label -1"),
               Line2D([], [], color="black", lw=2,
                      label="the perceptron's line (converged; a point on it counts as -1)"),
               Line2D([], [], color="0.5", ls="--", label=f"its last line after {max_epochs} epochs (not converged)"),
               Patch(facecolor=RED, alpha=0.2, label="side it calls +1"),
               Patch(facecolor=BLUE, alpha=0.2, label="side it calls -1")]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=9)
    return fig
