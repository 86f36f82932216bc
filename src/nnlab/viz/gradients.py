"""gradient_heatmap.png: per-layer gradient norms over epochs, and the seed's flattened |grad| line."""
from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm

from nnlab.viz._style import RED, new_figure

__all__ = ["plot_gradient_heatmap"]


def plot_gradient_heatmap(capture, param_sizes: list[tuple[str, int]] | None = None):
    """Main panel: layers x epochs heatmap of gradient L2 norms on a log colour scale.
    Lower panel: |grad| of every parameter after the final step, flattened, as the seed plots it.

    ``capture`` is a ``GradientCapture`` after ``fit``; ``param_sizes`` (name, count) marks parameter tensors
    on the lower panel.
    """
    norms = capture.norms                                             # (layers, epochs)
    fig = new_figure(12, 8)
    top, bottom = fig.subplots(2, 1, height_ratios=[3, 1.4])
    positive = norms[norms > 0]
    lo, hi = (positive.min(), positive.max()) if positive.size else (1e-8, 1.0)
    image = top.imshow(np.where(norms > 0, norms, lo), aspect="auto", cmap="magma", origin="upper",
                       norm=LogNorm(vmin=lo, vmax=max(hi, lo * 10)), interpolation="nearest",
                       extent=(0.5, norms.shape[1] + 0.5, norms.shape[0] - 0.5, -0.5))
    top.set_yticks(range(len(capture.layer_names)), capture.layer_names)
    top.set_xlabel("epoch")
    top.set_ylabel("layer (input at top)")
    top.set_title("Gradient Heatmap: L2 norm of each layer's gradient per epoch (log colour)", fontsize=13)
    fig.colorbar(image, ax=top, label="||grad|| (log scale)")

    flat = capture.last_flat
    bottom.plot(np.arange(len(flat)), flat, color=RED, lw=1)
    if param_sizes:
        edge = 0
        for name, count in param_sizes:
            edge += count
            bottom.axvline(edge - 0.5, color="grey", lw=0.5, alpha=0.6)
    bottom.set_xlim(0, max(len(flat) - 1, 1))
    bottom.set_xlabel("parameter index (all parameters flattened, layer by layer)")
    bottom.set_ylabel("|grad|")
    bottom.set_title("The seed's view: |gradient| of every parameter after the final step", fontsize=11)
    bottom.grid(alpha=0.3)
    return fig
