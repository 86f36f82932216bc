"""Checks a figure for what a teacher would not put on a slide, from the renderer's own boxes.

``figure_problems(fig)`` lists, one sentence each:
- a legend over data: a legend box inside an axes that covers a plotted point, a marker or an image;
- an empty panel: a visible axes with nothing drawn in it (no line, point, bar, image or text);
- an empty canvas: a figure whose axes are all empty or hidden;
- an unlabelled axis: an axes with data and a tick-labelled x or y axis but no axis label (images excepted);
- a legend over text: a legend box that covers a title, an axis label or a tick label;
- an image without a colour bar: values shown as colours (a colormapped image or mesh) with no colour bar in the
  figure, unless the axes says why (its legend names what the colours mean, or ``ax._nnlab_no_colorbar`` is set).

``save`` (``nnlab.viz._style``) runs the checks on every figure it writes and keeps what it finds in
``PROBLEMS`` (path -> list), so a lab's page and its tests can show and assert them.
"""
from __future__ import annotations

import numpy as np

__all__ = ["figure_problems", "PROBLEMS"]

PROBLEMS: dict[str, list[str]] = {}


def figure_problems(fig) -> list[str]:
    """Every problem found in ``fig``, as sentences naming the panel by its title."""
    from matplotlib.collections import PathCollection, QuadMesh
    from matplotlib.image import AxesImage

    fig.draw_without_rendering()           # final layout: legends and axes have their places
    renderer = fig._get_renderer()
    problems = []
    axes = [ax for ax in fig.axes if ax.get_visible() and not _is_colorbar(ax)]
    empty = [ax for ax in axes if not _has_content(ax)]
    if axes and len(empty) == len(axes):
        problems.append("empty canvas: no panel draws anything")
    else:
        problems += [f"empty panel: {_name(ax)}" for ax in empty]
    colorbars = [ax for ax in fig.axes if _is_colorbar(ax)]
    problems += _legends_over_text(fig, renderer)
    for ax in axes:
        if ax in empty:
            continue
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            box = legend.get_window_extent(renderer)
            if _inside(box, ax.get_window_extent(renderer)) and _covers_data(ax, box):
                problems.append(f"legend over data: {_name(ax)}")
        mapped = [a for a in ax.get_children() if isinstance(a, (AxesImage, QuadMesh))
                  or (isinstance(a, PathCollection) and a.get_array() is not None)]
        if (mapped and not colorbars and not getattr(ax, "_nnlab_no_colorbar", False) and legend is None
                and not fig.legends):               # a legend names what the colours mean
            problems.append(f"colours encode values without a colour bar: {_name(ax)}")
        images = any(isinstance(a, (AxesImage, QuadMesh)) for a in ax.get_children())
        if not images and ax.axison:
            for axis, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())):
                ticks = [t for t in getattr(ax, f"get_{axis}ticklabels")() if t.get_text()]
                if (ticks and not label.strip() and not getattr(ax, f"_nnlab_no_{axis}label", False)
                        and not _labelled_neighbour(ax, axes, axis)):
                    problems.append(f"{axis} axis without a label: {_name(ax)}")
    return problems


def _legends_over_text(fig, renderer) -> list[str]:
    """Legends (of axes and of the figure) whose box covers a title, an axis label or a tick label."""
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    texts = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
        for axis in (ax.xaxis, ax.yaxis):          # the tick labels drawn: inside the view, not every tick's
            texts += [label for tick in axis._update_ticks() for label in (tick.label1, tick.label2)]
    if fig._suptitle is not None:
        texts.append(fig._suptitle)
    found = []
    for legend in legends:
        if not legend.get_visible():
            continue
        box = legend.get_window_extent(renderer)
        for text in texts:
            if not text.get_visible() or not text.get_text().strip():
                continue
            extent = text.get_window_extent(renderer)
            if extent.width > 0 and box.overlaps(extent):
                found.append(f"legend over text: {text.get_text()[:40]!r}")
                break
    return found


def _labelled_neighbour(ax, axes, axis: str) -> bool:
    """A panel in the same row (for y) or column (for x) labels the axis: shared labels are read across."""
    here = ax.get_position()
    for other in axes:
        if other is ax or not getattr(other, f"get_{axis}label")().strip():
            continue
        there = other.get_position()
        if axis == "y" and min(here.y1, there.y1) - max(here.y0, there.y0) > 0.5 * here.height:
            return True
        if axis == "x" and min(here.x1, there.x1) - max(here.x0, there.x0) > 0.5 * here.width:
            return True
    return False


def _name(ax) -> str:
    title = ax.get_title() or ax.get_title("left") or ax.figure._suptitle and ax.figure._suptitle.get_text() or ""
    return repr(title[:70]) if title else f"panel {ax.figure.axes.index(ax) + 1}"


def _is_colorbar(ax) -> bool:
    return hasattr(ax, "_colorbar") or ax.get_label() == "<colorbar>"


def _has_content(ax) -> bool:
    return bool(ax.lines or ax.collections or ax.patches or ax.images or ax.texts or ax.tables or ax.artists)


def _inside(inner, outer) -> bool:
    return (inner.x0 >= outer.x0 - 1 and inner.x1 <= outer.x1 + 1 and inner.y0 >= outer.y0 - 1
            and inner.y1 <= outer.y1 + 1)


def _covers_data(ax, box) -> bool:
    """Whether a point of a line or a marker, or an image, lies under the legend's box (in display pixels)."""
    from matplotlib.collections import PathCollection, QuadMesh
    from matplotlib.image import AxesImage

    points = []
    for line in ax.lines:
        xy = np.asarray(line.get_xydata(), dtype=float)
        if len(xy):
            points.append(line.get_transform().transform(xy))
    for collection in ax.collections:
        if isinstance(collection, PathCollection):
            offsets = np.asarray(collection.get_offsets(), dtype=float)
            if len(offsets):
                points.append(collection.get_offset_transform().transform(offsets))
    for artist in ax.get_children():
        if isinstance(artist, (AxesImage, QuadMesh)):
            extent = artist.get_window_extent()
            if extent.overlaps(box):
                return True
    for patch in ax.patches:                   # bars
        extent = patch.get_window_extent()
        if extent.width > 0 and extent.height > 0 and extent.overlaps(box):
            return True
    for xy in points:
        xy = xy[np.isfinite(xy).all(axis=1)]
        inside = ((xy[:, 0] > box.x0) & (xy[:, 0] < box.x1) & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1))
        if inside.any():
            return True
    return False
