"""Axis helpers shared by the lab's figures."""
from __future__ import annotations

from matplotlib.ticker import LogLocator, NullLocator

__all__ = ["log_axis"]


def log_axis(ax, x: bool = False, y: bool = True, ticks: int = 6) -> None:
    """Log scale on the chosen axes with at most ``ticks`` labelled decades and no minor ticks: axes spanning
    30 decades otherwise draw hundreds of tick marks and grid lines, which costs seconds per figure."""
    for on, axis, setter in ((x, ax.xaxis, ax.set_xscale), (y, ax.yaxis, ax.set_yscale)):
        if on:
            setter("log")
            axis.set_major_locator(LogLocator(base=10, numticks=ticks))
            axis.set_minor_locator(NullLocator())
