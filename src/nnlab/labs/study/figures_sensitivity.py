"""Figures of the sensitivity study: heatmaps over learning rate x batch size of the final loss and of the epochs
to a target accuracy (diverged cells hatched, 'never' in grey), and the loss curves behind them."""
from __future__ import annotations

import math

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.patches import Rectangle

from nnlab.labs.study.sensitivity import batch_label
from nnlab.viz._style import new_figure

__all__ = ["plot_sensitivity_heatmaps", "plot_sensitivity_curves", "blow_up_epoch"]

_DIVERGED = "#b0b0b0"
_NEVER = "#e6e6e6"


def _text_color(cmap, norm, value: float) -> str:
    r, g, b, _ = cmap(norm(value))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


def _heatmap(ax, fig, cells, s, n_train, value, text, label: str, cmap_name: str, best, special):
    """Draw one lr (rows, growing upward) x batch size (columns) heatmap. ``value(cell)`` is the colour (None:
    not coloured), ``text(cell)`` the annotation, ``special(cell)`` None or (face colour, hatch) for cells drawn
    as patches instead."""
    import matplotlib
    lrs, bss = list(s.lrs), list(s.batch_sizes)
    grid = np.full((len(lrs), len(bss)), np.nan)
    for c in cells:
        v = value(c)
        if v is not None and special(c) is None:
            grid[lrs.index(c["lr"]), bss.index(c["batch_size"])] = v
    finite = grid[np.isfinite(grid)]
    lo, hi = (finite.min(), finite.max()) if finite.size else (1e-3, 1.0)
    norm = LogNorm(vmin=max(lo, 1e-12), vmax=max(hi, lo * 1.01, 1e-12))
    cmap = matplotlib.colormaps[cmap_name]
    image = ax.imshow(np.ma.masked_invalid(grid), origin="lower", cmap=cmap, norm=norm, aspect="auto")
    for c in cells:
        i, j = lrs.index(c["lr"]), bss.index(c["batch_size"])
        look = special(c)
        if look is not None:
            face, hatch = look
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=face, hatch=hatch, edgecolor="white", lw=0))
            colour = "black"
        else:
            colour = _text_color(cmap, norm, grid[i, j]) if math.isfinite(grid[i, j]) else "black"
        ax.text(j, i, text(c), ha="center", va="center", fontsize=8, color=colour)
        if best is not None and c is best:
            ax.add_patch(Rectangle((j - 0.47, i - 0.47), 0.94, 0.94, fill=False, edgecolor="#ff2d95", lw=2.5))
    ax.set_xticks(range(len(bss)), [batch_label(b, n_train) for b in bss])
    ax.set_yticks(range(len(lrs)), [f"{lr:g}" for lr in lrs])
    ax.set_xlabel("batch size")
    ax.set_ylabel("learning rate (SGD)")
    ax.set_xlim(-0.5, len(bss) - 0.5)
    ax.set_ylim(-0.5, len(lrs) - 0.5)
    bar = fig.colorbar(image, ax=ax, label=label, shrink=0.85)
    from matplotlib.ticker import FormatStrFormatter, LogFormatter
    # plain numbers (0.01, 0.1; 6, 8, 10), not 1e-02 or 6 x 10^0; minor ticks labelled only over a short range
    bar.ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    bar.ax.yaxis.set_minor_formatter(LogFormatter(labelOnlyBase=False))


def plot_sensitivity_heatmaps(result: dict, s):
    """Left: mean ± std final training loss over the seeds that did not diverge. Right: median epochs to the
    target test accuracy over all seeds, and how many reached it. Hatched: every seed diverged; grey: never."""
    cells, best, n_train = result["cells"], result["best"], result["n_train"]
    fig = new_figure(15, 0.62 * len(s.lrs) + 2.6)
    left, right = fig.subplots(1, 2)

    def div_note(c):
        return f"\n{c['diverged']}/{c['seeds']} div." if 0 < c["diverged"] < c["seeds"] else ""

    def all_diverged(c):
        return (_DIVERGED, "xxx") if c["diverged"] == c["seeds"] else None

    def loss_text(c):
        if c["diverged"] == c["seeds"]:
            return "diverged"
        m, sd = c["train_loss"]
        return f"{m:.3g}\n± {sd:.2g}{div_note(c)}"          # the digits of the report's table

    _heatmap(left, fig, cells, s, n_train, lambda c: c["train_loss"][0], loss_text,
             "final training loss (log)", "viridis", best["lowest_loss"], all_diverged)
    left.set_title(f"Final training loss after {s.grid_epochs} epochs, mean ± std over seeds\n"
                   "(hatched: every seed diverged; 'k/n div.': k seeds diverged, left out of the mean)", fontsize=10)

    def epochs_look(c):
        if c["diverged"] == c["seeds"]:
            return _DIVERGED, "xxx"
        if c["epochs_to_target_median"] is None:
            return _NEVER, None
        return None

    def epochs_text(c):
        if c["diverged"] == c["seeds"]:
            return "diverged"
        med = c["epochs_to_target_median"]
        head = "never" if med is None else f"{med:g}"
        return f"{head}\n{c['reached_target']}/{c['seeds']} reach{div_note(c)}"

    _heatmap(right, fig, cells, s, n_train, lambda c: c["epochs_to_target_median"], epochs_text,
             "median epochs to target (log)", "magma", best["fastest"], epochs_look)
    right.set_title(f"Epochs until the test accuracy first reaches {s.target:.0%}: median over seeds\n"
                    f"(light grey 'never': the median seed did not within {s.grid_epochs} epochs; "
                    "a diverged seed counts as never)", fontsize=10)
    fig.suptitle(f"Sensitivity of 2 -> {s.hidden} {s.activation} -> 2 on {s.dataset} to learning rate and batch size "
                 f"({s.seeds} seeds per cell; pink frame: each panel's best cell among those where no seed diverged)",
                 fontsize=12)
    return fig


def blow_up_epoch(loss, limit: float) -> int | None:
    """The 0-based epoch at which a run's training loss first stopped being finite or rose above ``limit``; None
    when no epoch's did (a run can still count as diverged by the loss of its final weights alone)."""
    loss = np.asarray(loss, dtype=float)
    bad = np.flatnonzero(~np.isfinite(loss) | (np.nan_to_num(loss, nan=np.inf) > limit))
    return int(bad[0]) if bad.size else None


def plot_sensitivity_curves(result: dict, s):
    """One panel per batch size, a colour per learning rate: every seed's training loss per epoch (mean over the
    epoch's batches; thin) and the median over the seeds that did not diverge (bold; no median where every seed
    diverged). A diverged run is drawn as it went until the epoch its loss first passed the divergence threshold
    (or stopped being finite), and at the cap (3 x the threshold) from that epoch on, whatever its loss did after;
    a run that diverged only by its final weights' loss is drawn at the cap in its last epoch."""
    import matplotlib
    from matplotlib.lines import Line2D

    from nnlab.labs.study.grid import diverged
    trials, n_train = result["trials"], result["n_train"]
    limit = s.blow_up_loss
    ceiling = limit * 3
    cmap = matplotlib.colormaps["plasma"]
    fig = new_figure(3.3 * len(s.batch_sizes) + 2.4, 4.6)
    axes = fig.subplots(1, len(s.batch_sizes), squeeze=False, sharey=True)[0]
    x = np.arange(1, s.grid_epochs + 1)
    colours = {lr: cmap(0.1 + 0.8 * k / max(1, len(s.lrs) - 1)) for k, lr in enumerate(s.lrs)}
    for ax, b in zip(axes, s.batch_sizes):
        lost = []                                                  # 'lr 3: 2/2' per lr with a diverged seed
        for lr in s.lrs:
            runs = [t for t in trials if t.params["train.batch_size"] == b and t.params["train.lr"] == lr]
            colour = colours[lr]
            kept = []
            for t in runs:
                curve = np.full(s.grid_epochs, ceiling)            # a stopped (diverged) run stays at the cap
                r = np.asarray(t.loss, dtype=float)[:s.grid_epochs]
                curve[:len(r)] = np.where(np.isfinite(r), np.minimum(r, ceiling), ceiling)
                if diverged(t, limit):
                    k = blow_up_epoch(r, limit)
                    curve[len(r) - 1 if k is None else k:] = ceiling
                    ax.plot(x, curve, lw=0.9, alpha=0.7, color=colour)    # visible where no median is drawn
                else:
                    kept.append(curve)
                    ax.plot(x, curve, lw=0.6, alpha=0.3, color=colour)
            if kept:                                               # no median of seeds that all diverged
                ax.plot(x, np.median(kept, axis=0), lw=1.8, color=colour)
            if len(kept) < len(runs):
                lost.append(f"lr {lr:g} {len(runs) - len(kept)}/{len(runs)}")
        ax.axhline(limit, color="black", ls="--", lw=0.9)
        ax.set_yscale("log")
        ax.set_xscale("log")
        ax.set_title(f"batch {batch_label(b, n_train)}\ndiverged: {', '.join(lost) or 'none'}", fontsize=9)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("training loss\n(mean over the epoch's batches)")
    handles = [Line2D([], [], color=colours[lr], lw=1.8, label=f"lr {lr:g}") for lr in s.lrs]
    handles.append(Line2D([], [], color="black", ls="--", lw=0.9,
                          label=f"divergence threshold ({s.blow_up:g} x log 2)"))
    fig.legend(handles=handles, loc="outside right center", fontsize=8,
               title=f"SGD; thin: each of {s.seeds} seeds\n(darker: one that diverged);\nbold: median of the "
                     "seeds\nthat did not diverge (none\nwhere every seed diverged)")
    fig.suptitle(f"Loss curves behind the heatmaps (a diverged run is drawn at the cap, {ceiling:.3g} = 3 x the "
                 "threshold, from the epoch its loss first passed the threshold)", fontsize=11)
    return fig
