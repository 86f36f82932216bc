"""gradient_heatmap.png: per-layer gradient norms over epochs, and the seed's flattened |grad| line.

``log_norm`` and ``log_heatmap`` draw any layers x epochs array of norms on a log colour scale without lying about
the values a log scale cannot show: a zero norm (underflow) takes the lowest colour, an inf or NaN one the colour
``NON_FINITE`` (never a number's colour).
"""
from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.patches import Patch

from nnlab.viz._style import RED, new_figure

__all__ = ["plot_gradient_heatmap", "log_norm", "log_heatmap", "NON_FINITE"]

NON_FINITE = "#00d5ff"              # cells whose norm is inf or NaN


def log_norm(arrays) -> LogNorm:
    """One log colour scale spanning the positive finite values of all ``arrays``."""
    values = np.concatenate([np.asarray(a)[np.isfinite(a) & (np.asarray(a) > 0)].ravel() for a in arrays]
                            or [np.ones(1)])
    lo, hi = (values.min(), values.max()) if values.size else (1e-8, 1.0)
    return LogNorm(vmin=lo, vmax=max(hi, lo * 10))


def log_heatmap(ax, norms: np.ndarray, norm: LogNorm):
    """``norms`` (layers, epochs) as an image, input layer at the top; returns the image for a colour bar."""
    import matplotlib
    cmap = matplotlib.colormaps["magma"].with_extremes(bad=NON_FINITE)
    shown = np.where(norms == 0, norm.vmin, norms)
    shown = np.ma.masked_where(~np.isfinite(shown), shown)
    return ax.imshow(shown, aspect="auto", cmap=cmap, norm=norm, interpolation="nearest", origin="upper",
                     extent=(0.5, norms.shape[1] + 0.5, norms.shape[0] - 0.5, -0.5))


def plot_gradient_heatmap(capture, param_sizes: list[tuple[str, int]] | None = None):
    """Main panel: layers x epochs heatmap of gradient L2 norms on a log colour scale.
    Lower panel: |grad| of every parameter after the final step, flattened, as the seed plots it.

    ``capture`` is a ``GradientCapture`` after ``fit``; ``param_sizes`` (name, count) marks parameter tensors
    on the lower panel.
    """
    norms = capture.norms                                             # (layers, epochs)
    fig = new_figure(12, 8)
    top, bottom = fig.subplots(2, 1, height_ratios=[3, 1.4])
    image = log_heatmap(top, norms, log_norm([norms]))
    if not np.isfinite(norms).all():
        top.legend(handles=[Patch(color=NON_FINITE, label="inf or NaN")], fontsize=8, loc="lower right")
    top.set_yticks(range(len(capture.layer_names)), capture.layer_names)
    top.set_xlabel("epoch")
    top.set_ylabel("layer (input at top)")
    top.set_title("Gradient Heatmap: L2 norm of each layer's gradient per epoch (log colour)", fontsize=13)
    fig.colorbar(image, ax=top, label="||grad|| (log scale)")

    flat = capture.last_flat
    bottom.plot(np.arange(len(flat)), flat, color=RED, lw=1)
    if param_sizes:
        edge = 0
        for _name, count in param_sizes:
            edge += count
            bottom.axvline(edge - 0.5, color="grey", lw=0.5, alpha=0.6)
    bottom.set_xlim(0, max(len(flat) - 1, 1))
    bottom.set_xlabel("parameter index (all parameters flattened, layer by layer)")
    bottom.set_ylabel("|grad|")
    bottom.set_title("The seed's view: |gradient| of every parameter after the final step", fontsize=11)
    bottom.grid(alpha=0.3)
    return fig
