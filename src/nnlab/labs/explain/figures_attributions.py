"""Figures of part 2: global importance by every method with their rank agreement, per-class attribution images
of the digits, and the randomisation sanity check."""
from __future__ import annotations

import numpy as np

from nnlab.labs.explain.attribution_study import AttributionResult
from nnlab.labs.explain.mosaic import mosaic, show_mosaic
from nnlab.labs.explain.sanity import SANITY_THRESHOLD, SanityResult
from nnlab.viz._style import EXTRA, legend_outside, new_figure

__all__ = ["plot_importances", "plot_class_maps", "plot_sanity"]

METHOD_COLORS = dict(zip(("saliency", "gradient-x-input", "integrated-gradients", "shap", "permutation"),
                         ["#1f5fbf", "#17becf", "#d62728", EXTRA[2], "#7f7f7f"]))


def plot_importances(result: AttributionResult, top: int = 10):
    """Left: the ``top`` features by mean rank over the methods, each method's importance scaled to its own
    maximum. Right: Spearman rank correlation between the methods' importance vectors."""
    methods = list(result.importance)
    ranks = np.mean([np.argsort(np.argsort(-result.importance[m])) for m in methods], axis=0)
    order = np.argsort(ranks, kind="stable")[:top]
    fig = new_figure(13, 0.42 * top + 3.0)
    left, right = fig.subplots(1, 2, width_ratios=[1.7, 1])
    height = 0.8 / len(methods)
    for i, m in enumerate(methods):
        values = result.importance[m]
        scaled = values[order] / (np.abs(values).max() or 1.0)
        left.barh(np.arange(len(order)) + (i - (len(methods) - 1) / 2) * height, scaled, height=height,
                  color=METHOD_COLORS.get(m), label=m)
    left.set_yticks(np.arange(len(order)), [result.trained.feature_names[j] for j in order], fontsize=8)
    left.invert_yaxis()
    left.set_ylabel("feature")
    left.set_xlabel("importance / the method's largest (mean |attribution|; permutation: rise in log loss)")
    legend_outside(left, "below", ncol=len(methods), fontsize=8)
    left.set_title(f"{result.name}: top {len(order)} features by mean rank over {len(methods)} methods", fontsize=10)
    if result.agreement is not None:
        image = right.imshow(result.agreement, cmap="RdBu_r", vmin=-1, vmax=1)
        for (i, j), v in np.ndenumerate(result.agreement):
            right.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8,
                       color="white" if abs(v) > 0.6 else "black")
        short = [m.replace("integrated-gradients", "IG").replace("gradient-x-input", "grad x input") for m in methods]
        right.set_xticks(range(len(methods)), short, rotation=30, ha="right", fontsize=8)
        right.set_yticks(range(len(methods)), short, fontsize=8)
        right.set_title("Spearman rank agreement of the importances", fontsize=10)
        fig.colorbar(image, ax=right, shrink=0.8, label="Spearman rank correlation")
    else:
        right.set_axis_off()
    return fig


def _scaled(values: np.ndarray, shape) -> np.ndarray:
    """An attribution map reshaped to the image and divided by its largest |value| (each map on its own scale)."""
    return values.reshape(shape) / (np.abs(values).max() or 1.0)


def _row(ax, images, cmap: str, vmin: float, vmax: float, labels=None, pad: int = 1):
    """One row of images as a mosaic on ``ax``; returns the AxesImage (for a colour bar)."""
    tiles = mosaic(images, 1, len(images), pad)
    image = show_mosaic(ax, tiles, cmap, vmin, vmax)
    if labels is not None:
        cell = tiles.shape[1] / len(images)
        keep = [i for i, label in enumerate(labels) if label]
        ax.set_xticks(cell * (np.asarray(keep) + 0.5), [labels[i] for i in keep], fontsize=8)
        ax.xaxis.tick_top()
    return image


def plot_class_maps(result: AttributionResult):
    """Rows: the mean test image of each class, its mean saliency |d f_c / dx| and mean integrated gradients of the
    class's own logit (red adds to f_c, blue takes away); columns: the classes. Each map on its own scale."""
    tr = result.trained
    methods = [m for m in ("saliency", "integrated-gradients") if m in result.class_maps]
    K = len(tr.class_names)
    fig = new_figure(1.0 * K + 2.4, 1.15 * (len(methods) + 1) + 0.7)
    axes = fig.subplots(len(methods) + 1, 1)
    raw = tr.scaler.mean_ + tr.X_test * tr.scaler.scale_
    means = [raw[tr.y_test == c].mean(axis=0).reshape(tr.image) for c in range(K)]
    image = _row(axes[0], means, "gray_r", 0.0, 16.0, labels=tr.class_names)
    axes[0].set_ylabel("mean image", fontsize=9)
    fig.colorbar(image, ax=axes[0], shrink=0.9, pad=0.01, label="pixel value")
    for ax, method in zip(axes[1:], methods):
        maps = [_scaled(result.class_maps[method][c], tr.image) for c in range(K)]
        if method == "saliency":
            image = _row(ax, maps, "magma", 0.0, 1.0)
            label = "|df/dx| / its max"
        else:
            image = _row(ax, maps, "RdBu_r", -1.0, 1.0)
            label = "IG / its max |IG|"
        fig.colorbar(image, ax=ax, shrink=0.9, pad=0.01, label=label)
        ax.set_ylabel(method.replace("integrated-gradients", "integrated\ngradients"), fontsize=9)
    fig.suptitle(f"{tr.name}: mean test image of each class, and the mean attribution maps of the class's own logit",
                 fontsize=11)
    return fig


def plot_sanity(sanity: SanityResult, trained, examples: int = 3):
    """Left: for a few examples, each method's |map| of the trained model beside the fully randomised model's.
    Right: the rank correlation as layers are re-initialised from the output down."""
    shape = trained.image or (1, -1)
    methods = sanity.methods
    fig = new_figure(1.9 * examples + 6.0, 1.3 * (len(methods) + 1) + 1.4)
    left, right = fig.subfigures(1, 2, width_ratios=[1.9 * examples + 1.0, 5.0])
    axes = left.subplots(len(methods) + 1, 1)
    raw = trained.scaler.mean_ + trained.X_test[:examples] * trained.scaler.scale_
    inputs = [im for e in range(examples) for im in (raw[e].reshape(shape), None)]
    image = _row(axes[0], inputs, "gray_r", 0.0, float(raw.max()), labels=["input", None] * examples)
    left.colorbar(image, ax=axes[0], shrink=0.9, pad=0.01, label="pixel value")
    for ax, m in zip(axes[1:], methods):
        maps = [_scaled(np.abs(maps[e]), shape) for e in range(examples)
                for maps in (sanity.trained_maps[m], sanity.random_maps[m])]
        image = _row(ax, maps, "magma", 0.0, 1.0, labels=["trained", "random"] * examples)
        left.colorbar(image, ax=ax, shrink=0.9, pad=0.01, label="|map| / its max")
        ax.set_ylabel(m.replace("integrated-gradients", "IG").replace("gradient-x-input", "grad x input"),
                      fontsize=9)
    ax = right.subplots()
    for m in methods:
        ax.plot(sanity.layers, sanity.correlation[m], "o-", color=METHOD_COLORS.get(m), label=m)
    ax.axhline(SANITY_THRESHOLD, color="black", ls="--", lw=1, label=f"the check's threshold ({SANITY_THRESHOLD})")
    ax.set_xlabel("layers re-initialised (from the output down)")
    ax.set_ylabel("Spearman corr. of |map| with the trained model's")
    ax.set_xticks(sanity.layers)
    ax.set_ylim(-0.2, 1.05)
    legend_outside(ax, "below", ncol=2, fontsize=8)
    ax.set_title("Cascading randomisation (Adebayo et al. 2018)", fontsize=10)
    left.suptitle(f"{sanity.dataset}: |attribution| maps, trained vs randomised weights", fontsize=10)
    return fig
