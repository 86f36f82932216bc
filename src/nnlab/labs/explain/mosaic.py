"""Many small images drawn as one: a mosaic array with NaN gaps, shown by a single ``imshow``.

A grid of hundreds of thumbnails as separate Axes costs seconds to lay out; one image of the same pixels costs
milliseconds, and looks the same.
"""
from __future__ import annotations

import numpy as np

__all__ = ["mosaic", "show_mosaic"]


def mosaic(images, rows: int, cols: int, pad: int = 1, col_gaps=()) -> np.ndarray:
    """Tile ``images`` (a list, row-major, of (h, w) arrays or None for an empty cell) into a (rows, cols) grid
    separated by ``pad`` NaN pixels; ``col_gaps`` lists column indices before which ``3 * pad`` more pixels go.
    Returns the mosaic (H, W), NaN in the gaps."""
    first = next(im for im in images if im is not None)
    h, w = first.shape
    lefts, x = [], 0
    for c in range(cols):
        x += 3 * pad if c in col_gaps else 0
        lefts.append(x)
        x += w + pad
    out = np.full((rows * (h + pad) - pad, x - pad), np.nan)
    for k, image in enumerate(images):
        if image is not None:
            r, c = divmod(k, cols)
            out[r * (h + pad): r * (h + pad) + h, lefts[c]: lefts[c] + w] = image
    return out


def show_mosaic(ax, array: np.ndarray, cmap, vmin: float, vmax: float, interpolation: str = "nearest"):
    """Draw a mosaic on ``ax`` with the gaps white and no frame or ticks; returns the AxesImage."""
    import matplotlib
    colormap = (matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap).with_extremes(bad="white")
    image = ax.imshow(array, cmap=colormap, vmin=vmin, vmax=vmax, interpolation=interpolation)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return image
