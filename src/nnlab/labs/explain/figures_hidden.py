"""Figures of part 1: neuron maps over the input plane (TensorFlow Playground's thumbnails), their evolution over
training, and each layer's representation projected to 2-D with its linear probe's accuracy."""
from __future__ import annotations

import numpy as np

from nnlab.labs.explain.hidden import HiddenResult, hidden_activations, neuron_maps, pca_2d
from nnlab.labs.explain.mosaic import mosaic, show_mosaic
from nnlab.viz._style import legend_outside, new_figure, region_cmap, scatter_classes

__all__ = ["plot_neuron_maps", "plot_neuron_evolution", "plot_hidden_spaces"]

UNIT_CMAP = "RdBu_r"          # negative blue, positive red; tanh units share the scale [-1, 1]


def _domain(task: str) -> float:
    from nnlab.data import DATASETS
    return DATASETS[task].domain


def _thumbnail(ax, image: np.ndarray, domain: float, vmin: float, vmax: float, cmap=UNIT_CMAP,
               alpha: float = 1.0):
    shown = ax.imshow(image, origin="lower", extent=(-domain, domain, -domain, domain), cmap=cmap, vmin=vmin,
                      vmax=vmax, interpolation="bilinear" if alpha == 1.0 else "nearest", alpha=alpha)
    ax.set_xticks([])
    ax.set_yticks([])
    return shown


def output_image(probs: np.ndarray):
    """What the output map shows: P(class 1) for two classes (blue 0 to red 1), else the most probable class in
    the class colours. Returns ``(image (r, r), cmap, vmin, vmax, label)``."""
    if len(probs) == 2:
        return probs[1], UNIT_CMAP, 0.0, 1.0, "P(class 1)"
    k = len(probs)
    return probs.argmax(axis=0).astype(float), region_cmap(k), -0.5, k - 0.5, "predicted class"


def _raw(trained, X: np.ndarray) -> np.ndarray:
    """Standardised points back in the data's own coordinates."""
    return X * trained.scaler.scale_ + trained.scaler.mean_


def _centers(array_width: int, cols: int, pad: int = 1) -> np.ndarray:
    cell = (array_width + pad) / cols
    return cell * (np.arange(cols) + 0.5) - pad / 2


def plot_neuron_maps(result: HiddenResult, resolution: int = 80):
    """One column per hidden layer, one small map per unit (its tanh output over the plane, -1 blue to +1 red), and
    the output (see ``output_image``) with the test points on the right; a colour bar for each, the points' legend
    below the output."""
    trained = result.trained
    domain = _domain(result.task)
    axis, layers, output = neuron_maps(trained, trained.model, domain, resolution)
    rows, cols = max(len(a) for a in layers), len(layers)
    # row-major cells: unit r of layer c at (r, c); maps flipped so that y grows upwards
    cells = [np.flipud(layers[c][r]) if r < len(layers[c]) else None for r in range(rows) for c in range(cols)]
    pad = max(2, resolution // 12)
    fig = new_figure(1.2 * cols + 6.4, max(1.05 * rows + 1.2, 5.8))
    left, right = fig.subplots(1, 2, width_ratios=[1.2 * cols, 5.0])
    tiles = mosaic(cells, rows, cols, pad)
    units = show_mosaic(left, tiles, UNIT_CMAP, -1.0, 1.0, interpolation="bilinear")
    left.set_xticks(_centers(tiles.shape[1], cols, pad), [f"layer {c + 1}\n({len(m)} units)"
                                                           for c, m in enumerate(layers)], fontsize=9)
    left.xaxis.tick_top()
    fig.colorbar(units, ax=left, location="bottom", shrink=0.9, pad=0.02, label="unit output (tanh)")
    image, cmap, vmin, vmax, label = output_image(output)
    shown = _thumbnail(right, image, domain, vmin, vmax, cmap, alpha=1.0 if len(output) == 2 else 0.35)
    scatter_classes(right, _raw(trained, trained.X_test), trained.y_test, labels=trained.class_names, size=16,
                    edge="white")
    right.set_xticks([-domain, 0, domain])
    right.set_yticks([-domain, 0, domain])
    right.set_xlabel("x1")
    right.set_ylabel("x2")
    right.set_title(f"output: {label}, test points\ntest accuracy {trained.test_accuracy:.1%}", fontsize=10)
    if len(output) == 2:
        fig.colorbar(shown, ax=right, shrink=0.8, label=label)
    else:
        right._nnlab_no_colorbar = True        # the classes' colours are named by the legend
    legend_outside(right, "below", ncol=2, fontsize=8)
    fig.suptitle(f"{result.task}: every hidden unit over the input plane (tanh output, blue -1 to red +1)",
                 fontsize=11)
    return fig


def plot_neuron_evolution(result: HiddenResult, resolution: int = 40):
    """Rows: the snapshot epochs; columns: every hidden unit, layer by layer, then the output."""
    trained = result.trained
    domain = _domain(result.task)
    epochs = sorted(result.snapshots)
    maps = {e: neuron_maps(trained, result.snapshots[e], domain, resolution) for e in epochs}
    widths = [len(a) for a in maps[epochs[0]][1]]
    units = sum(widths)
    pad = max(2, resolution // 10)
    cells = [np.flipud(image) for e in epochs for layer in maps[e][1] for image in layer]
    starts = list(np.cumsum([0] + widths[:-1]))
    tiles = mosaic(cells, len(epochs), units, pad, col_gaps=starts[1:])
    shown = [output_image(maps[e][2]) for e in epochs]
    outputs = mosaic([np.flipud(image) for image, *_ in shown], len(epochs), 1, pad)
    _, cmap, vmin, vmax, label = shown[0]
    fig = new_figure(0.5 * units + 3.2, 0.55 * len(epochs) + 1.9)
    left, right = fig.subplots(1, 2, width_ratios=[tiles.shape[1], outputs.shape[1]])
    unit_image = show_mosaic(left, tiles, UNIT_CMAP, -1.0, 1.0, interpolation="bilinear")
    two = len(maps[epochs[0]][2]) == 2
    out_image = show_mosaic(right, outputs, cmap, vmin, vmax, interpolation="bilinear" if two else "nearest")
    # both colour bars take their room from both panels, so the rows of units and outputs stay aligned
    fig.colorbar(unit_image, ax=[left, right], location="bottom", shrink=0.4, pad=0.03, aspect=40,
                 label="unit output (tanh)")
    if two:
        bar = fig.colorbar(out_image, ax=[left, right], location="right", shrink=0.7, aspect=12, ticks=[0, 0.5, 1])
        bar.set_label(label, fontsize=8)
        bar.ax.tick_params(labelsize=7)
    else:
        right._nnlab_no_colorbar = True        # classes: the colours of the class legend of the neuron maps
    rows_at = _centers(tiles.shape[0], len(epochs), pad)
    left.set_yticks(rows_at, [f"epoch {e}" for e in epochs], fontsize=8)
    cell = resolution + pad
    left.set_xticks([s * cell + 3 * pad * i + w * cell / 2 for i, (s, w) in enumerate(zip(starts, widths))],
                    [f"layer {i + 1} ({w} units)" for i, w in enumerate(widths)], fontsize=8)
    left.xaxis.tick_top()
    right.set_title(label.replace("P(class 1)", "P(1)").replace("predicted class", "class"), fontsize=8)
    fig.suptitle(f"{result.task}: hidden units and output over training (snapshots of one run; tanh output, blue -1 "
                 "to red +1)", fontsize=10)
    return fig


def plot_hidden_spaces(results: list[HiddenResult]):
    """Rows: tasks; columns: the input and each hidden layer, all points projected on the layer's first two
    principal axes and coloured by class; titles give the linear probe's test accuracy."""
    cols = max(len(r.probes) for r in results)
    fig = new_figure(2.5 * cols, 2.5 * len(results) + 0.4)
    grid = fig.subplots(len(results), cols, squeeze=False)
    for row, result in zip(grid, results):
        tr = result.trained
        X = np.concatenate([tr.X_train, tr.X_test])
        y = np.concatenate([tr.y_train, tr.y_test])
        spaces = [X, *hidden_activations(tr.model, X)]
        for c, ax in enumerate(row):
            if c >= len(spaces):
                ax.set_axis_off()
                continue
            proj, share = pca_2d(spaces[c])
            scatter_classes(ax, proj, y, labels=tr.class_names, size=5, edge="none")
            name = "input" if c == 0 else f"layer {c} ({spaces[c].shape[1]} units)"
            ax.set_title(f"{name}\nprobe {result.probes[c]:.1%}, PCA keeps {share:.0%}", fontsize=8)
            ax.set_xticks([])
            ax.set_yticks([])
        row[0].set_ylabel(f"{result.task}\n(net {tr.test_accuracy:.1%})", fontsize=9)
        row[-1].legend(*row[0].get_legend_handles_labels(), loc="upper left", bbox_to_anchor=(1.02, 1.0),
                       fontsize=7, title="class (points)", title_fontsize=7)
    fig.suptitle("Each layer's representation (its first two principal components) and a linear probe's test "
                 "accuracy", fontsize=11)
    return fig
