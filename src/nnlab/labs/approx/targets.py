"""1-D target functions for the universal-approximation lab, in one registry (``TARGETS``)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Target", "TARGETS", "sample"]


@dataclass(frozen=True)
class Target:
    name: str
    f: Callable[[np.ndarray], np.ndarray]
    formula: str
    smooth: bool           # infinitely differentiable on the interval (the error must fall fast with width)


def _gaussians(x):
    # A sum of three bumps of different widths and signs.
    return (np.exp(-((x + 1.0) / 0.3) ** 2) - 0.7 * np.exp(-((x - 0.3) / 0.2) ** 2)
            + 0.5 * np.exp(-((x - 1.3) / 0.4) ** 2))


TARGETS: dict[str, Target] = {t.name: t for t in [
    Target("sin", lambda x: np.sin(3 * x), "sin(3x)", True),
    Target("abs", np.abs, "|x|", False),
    Target("step", lambda x: np.where(x >= 0, 1.0, 0.0), "1 if x >= 0 else 0", False),
    Target("square", lambda x: x ** 2, "x^2", True),
    Target("gaussians", _gaussians, "e^-((x+1)/0.3)^2 - 0.7 e^-((x-0.3)/0.2)^2 + 0.5 e^-((x-1.3)/0.4)^2", True),
]}

INTERVAL = (-2.0, 2.0)


def sample(name: str, n: int, interval: tuple[float, float] = INTERVAL) -> tuple[np.ndarray, np.ndarray]:
    """``n`` evenly spaced points on ``interval`` and the target there: X (n, 1), y (n,)."""
    x = np.linspace(interval[0], interval[1], n)
    return x[:, None], TARGETS[name].f(x).astype(np.float64)
