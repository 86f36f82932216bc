"""FUNCTIONS: the 2-D test functions of the lab, each with its gradient, plotting domain, starts and minima.

Every ``f`` takes points ``X`` (..., 2) and returns values (...); every ``grad`` returns (..., 2). Both work on
NumPy arrays in float64. Starts follow the anchors: Rosenbrock (-2, 2) as in pytorch-optimizer's
visualisations, Beale (3, 4) as in L. Tiao's notes, Rastrigin (-2, 3.5), the saddle (-1, 1e-3).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nnlab._validation import check_choice

__all__ = ["TestFunction", "FUNCTIONS", "quadratic", "get_function", "HIMMELBLAU_MINIMA"]


@dataclass(frozen=True)
class TestFunction:
    """A 2-D function to minimise: f, its gradient, where to draw it, where to start, and its minima.

    ``f_star`` is the minimum value, or None when the function is unbounded below (the saddle). ``minima``
    (m, 2) lists the global minimisers (empty for the saddle). ``log_levels`` says whether contours use
    log-spaced levels of f - f* (they do wherever f* exists).
    """
    name: str
    formula: str
    f: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    domain: tuple[tuple[float, float], tuple[float, float]]     # ((x_min, x_max), (y_min, y_max))
    starts: tuple[tuple[float, float], ...]                     # the first is the main one
    minima: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    f_star: float | None = 0.0
    note: str = ""

    @property
    def start(self) -> np.ndarray:
        return np.array(self.starts[0], dtype=float)

    @property
    def log_levels(self) -> bool:
        return self.f_star is not None

    def gap(self, X) -> np.ndarray:
        """f(X) - f*, the score of a point (f itself when there is no f*)."""
        value = self.f(np.asarray(X, dtype=float))
        return value if self.f_star is None else value - self.f_star

    def __repr__(self) -> str:
        return f"TestFunction({self.name!r}: {self.formula})"


def _split(X):
    X = np.asarray(X, dtype=float)
    return X[..., 0], X[..., 1]


def quadratic(kappa: float) -> TestFunction:
    """f = (x^2 + kappa y^2) / 2: Hessian diag(1, kappa), condition number kappa, minimum 0 at the origin."""
    def f(X):
        x, y = _split(X)
        return 0.5 * (x * x + kappa * y * y)

    def grad(X):
        x, y = _split(X)
        return np.stack([x, kappa * y], axis=-1)

    return TestFunction(f"quadratic-k{kappa:g}", f"(x^2 + {kappa:g} y^2) / 2", f, grad, ((-5.0, 5.0), (-3.0, 3.0)),
                        ((-4.5, 2.0),), np.zeros((1, 2)), 0.0, f"condition number {kappa:g}")


def _rosenbrock(X):
    x, y = _split(X)
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _rosenbrock_grad(X):
    x, y = _split(X)
    return np.stack([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], axis=-1)


def _beale_terms(X):
    x, y = _split(X)
    return x, y, 1.5 - x + x * y, 2.25 - x + x * y ** 2, 2.625 - x + x * y ** 3


def _beale(X):
    _, _, t1, t2, t3 = _beale_terms(X)
    return t1 ** 2 + t2 ** 2 + t3 ** 2


def _beale_grad(X):
    x, y, t1, t2, t3 = _beale_terms(X)
    dx = 2 * t1 * (y - 1) + 2 * t2 * (y ** 2 - 1) + 2 * t3 * (y ** 3 - 1)
    dy = 2 * t1 * x + 4 * t2 * x * y + 6 * t3 * x * y ** 2
    return np.stack([dx, dy], axis=-1)


def _himmelblau(X):
    x, y = _split(X)
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def _himmelblau_grad(X):
    x, y = _split(X)
    u, v = x * x + y - 11, x + y * y - 7
    return np.stack([4 * x * u + 2 * v, 2 * u + 4 * y * v], axis=-1)


# Himmelblau's four minima (f = 0), to 6 decimals.
HIMMELBLAU_MINIMA = np.array([[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]])


def _rastrigin(X):
    x, y = _split(X)
    return 20 + x * x - 10 * np.cos(2 * np.pi * x) + y * y - 10 * np.cos(2 * np.pi * y)


def _rastrigin_grad(X):
    x, y = _split(X)
    return np.stack([2 * x + 20 * np.pi * np.sin(2 * np.pi * x), 2 * y + 20 * np.pi * np.sin(2 * np.pi * y)],
                    axis=-1)


def _saddle(X):
    x, y = _split(X)
    return x * x - y * y


def _saddle_grad(X):
    x, y = _split(X)
    return np.stack([2 * x, -2 * y], axis=-1)


FUNCTIONS: dict[str, TestFunction] = {fn.name: fn for fn in [
    quadratic(1), quadratic(10), quadratic(100),
    TestFunction("rosenbrock", "(1 - x)^2 + 100 (y - x^2)^2", _rosenbrock, _rosenbrock_grad,
                 ((-2.0, 2.0), (-1.0, 3.0)), ((-2.0, 2.0), (-1.2, 1.0)), np.array([[1.0, 1.0]]), 0.0,
                 "a curved, flat-bottomed valley"),
    TestFunction("beale", "(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2", _beale, _beale_grad,
                 ((-4.5, 4.5), (-4.5, 4.5)), ((3.0, 4.0),), np.array([[3.0, 0.5]]), 0.0,
                 "steep walls and flat plateaus"),
    TestFunction("himmelblau", "(x^2 + y - 11)^2 + (x + y^2 - 7)^2", _himmelblau, _himmelblau_grad,
                 ((-5.0, 5.0), (-5.0, 5.0)), ((0.0, 0.0), (-1.0, -1.0)), HIMMELBLAU_MINIMA, 0.0,
                 "four global minima, all with f = 0"),
    TestFunction("rastrigin", "20 + x^2 - 10 cos(2 pi x) + y^2 - 10 cos(2 pi y)", _rastrigin, _rastrigin_grad,
                 ((-4.5, 4.5), (-4.5, 4.5)), ((-2.0, 3.5),), np.zeros((1, 2)), 0.0,
                 "a lattice of local minima around the global one"),
    TestFunction("saddle", "x^2 - y^2", _saddle, _saddle_grad, ((-1.5, 1.5), (-1.5, 1.5)), ((-1.0, 1e-3),),
                 np.zeros((0, 2)), None, "unbounded below; (0, 0) is a saddle point, not a minimum"),
]}


def get_function(name: str) -> TestFunction:
    """``FUNCTIONS[name]``, or an InvalidArgument listing the names."""
    return FUNCTIONS[check_choice("function", name, FUNCTIONS)]
