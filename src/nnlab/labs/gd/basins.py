"""Which minimum a run reaches: the basins of attraction of each optimizer on a function with several minima.

A run "reaches" minimum j when its last position is within ``radius`` of minima[j]. Codes: j >= 0 that minimum,
``NONE`` (-1) no minimum within the radius after the budget, ``DIVERGED`` (-2) a non-finite value stopped it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlab.labs.gd.functions import TestFunction
from nnlab.labs.gd.paths import Paths, run_paths

__all__ = ["NONE", "DIVERGED", "minimum_reached", "Basins", "basins", "share_text"]

NONE, DIVERGED = -1, -2


def share_text(share: float) -> str:
    """A share of the starts as the page's table, its claims and the basin figure all print it: whole percent from
    10 % up, two significant digits below ('51%', '2.1%', '0.89%'), and '0%' only for none at all."""
    pct = 100 * share
    return "0%" if share == 0 else f"{pct:.0f}%" if pct >= 9.95 else f"{pct:.2g}%"


def minimum_reached(fn: TestFunction, paths: Paths, radius: float = 1e-3) -> np.ndarray:
    """(k,) code per run of ``paths``: the index of the minimum it ended within ``radius`` of, NONE or DIVERGED."""
    final = paths.final                                                             # (k, 2)
    if len(fn.minima) == 0:
        codes = np.full(len(final), NONE)
    else:
        dist = np.linalg.norm(final[:, None, :] - fn.minima[None, :, :], axis=2)     # (k, m)
        codes = np.where(dist.min(axis=1) < radius, dist.argmin(axis=1), NONE)
    return np.where(paths.diverged, DIVERGED, codes)


@dataclass(frozen=True)
class Basins:
    """``codes`` (points, points) indexed [iy, ix] over the grid ``xs`` x ``ys`` of starts."""
    function: str
    optimizer: str
    lr: float
    xs: np.ndarray
    ys: np.ndarray
    codes: np.ndarray

    def shares(self, n_minima: int) -> dict:
        """Fraction of starts ending at each minimum (keys "0".."m-1"), "none" and "diverged"."""
        total = self.codes.size
        out = {str(j): float(np.sum(self.codes == j)) / total for j in range(n_minima)}
        out["none"] = float(np.sum(self.codes == NONE)) / total
        out["diverged"] = float(np.sum(self.codes == DIVERGED)) / total
        return out


def basins(fn: TestFunction, optimizer: str, lr: float, points: int = 61, steps: int = 500,
           radius: float = 1e-3) -> Basins:
    """Run ``optimizer`` at ``lr`` from every start of a points x points grid over ``fn.domain`` (one batched
    run) and classify where each ends."""
    (x0, x1), (y0, y1) = fn.domain
    xs, ys = np.linspace(x0, x1, points), np.linspace(y0, y1, points)
    gx, gy = np.meshgrid(xs, ys)                                                    # (points, points) [iy, ix]
    starts = np.stack([gx.ravel(), gy.ravel()], axis=1)                             # (points^2, 2)
    paths = run_paths(fn, optimizer, np.full(len(starts), lr), starts, steps)
    codes = minimum_reached(fn, paths, radius).reshape(points, points)
    return Basins(fn.name, optimizer, lr, xs, ys, codes)
