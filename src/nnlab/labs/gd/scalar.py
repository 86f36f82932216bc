"""Part A: gradient descent on the seed's f(x) = x^2 + 4x + 4 = (x + 2)^2, with a stopping rule.

The update is x_{t+1} = x_t - lr f'(x_t) with f'(x) = 2x + 4, so the error e_t = x_t + 2 obeys

    e_{t+1} = (1 - 2 lr) e_t,   hence   e_t = r^t e_0  with  r = 1 - 2 lr.

It converges iff |r| < 1, i.e. 0 < lr < 1; lr = 0.5 gives r = 0 (the minimum in one step); lr = 1 gives r = -1
(x jumps between x_0 and -4 - x_0 for ever); lr > 1 gives |r| > 1 (the error grows until it overflows).

Stopping rule, checked in this order at step t = 0, 1, ...:
  1) x_t or f'(x_t) is not finite                -> reason "non-finite"  (stop at the first such value)
  2) |f'(x_t)| < tol                              -> reason "gradient",   t updates done
  3) update; |x_{t+1} - x_t| = lr |f'(x_t)| < tol -> reason "step",       t + 1 updates done
  4) max_iter updates done                        -> reason "max_iter"
``predicted_iterations`` gives the same count in closed form from e_t = r^t e_0.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnlab._validation import InvalidArgument, check_int, check_positive

__all__ = ["f", "df", "X_STAR", "ScalarRun", "gradient_descent", "predicted_iterations", "lr_grid",
           "count_table"]

X_STAR = -2.0                      # the minimiser; f(X_STAR) = 0


def f(x: float) -> float:
    """The seed's quadratic x^2 + 4x + 4."""
    return x * x + 4.0 * x + 4.0


def df(x: float) -> float:
    """Its derivative 2x + 4."""
    return 2.0 * x + 4.0


@dataclass(frozen=True)
class ScalarRun:
    """One run of ``gradient_descent``.

    ``xs`` (iterations + 1,) holds x_0 .. x_T, all finite; ``reason`` says which stopping condition fired;
    ``status`` is what that means: "converged" (gradient or step rule), "diverged" (a non-finite value),
    "diverging" (max_iter reached with |f'| larger than at the start), "oscillating" (max_iter reached with
    |f'| no smaller than at the start and the steps alternating in sign), or "not converged" (max_iter
    reached while |f'| was still shrinking).
    """
    lr: float
    x0: float
    tol: float
    max_iter: int
    xs: np.ndarray
    reason: str
    status: str

    @property
    def iterations(self) -> int:
        """Number of updates performed."""
        return len(self.xs) - 1

    @property
    def converged(self) -> bool:
        return self.status == "converged"

    def __repr__(self) -> str:
        return (f"ScalarRun(lr={self.lr}, x0={self.x0}, iterations={self.iterations}, reason={self.reason!r}, "
                f"status={self.status!r}, x_end={self.xs[-1]:.6g})")


def _check(lr, x0, tol, max_iter) -> None:
    check_positive("lr", lr)
    check_positive("tol", tol)
    check_int("max_iter", max_iter)
    if not isinstance(x0, (int, float)) or not math.isfinite(x0):
        raise InvalidArgument(f"The 'x0' parameter must be a finite number. Got {x0!r} instead.", "x0")


def gradient_descent(lr: float, x0: float = 10.0, tol: float = 1e-6, max_iter: int = 10_000,
                     grad: Callable[[float], float] = df, step_rule: bool = True) -> ScalarRun:
    """Plain gradient descent x <- x - lr * grad(x) from ``x0`` with the stopping rule of the module docstring.

    Parameters: ``lr`` > 0, ``x0`` finite, ``tol`` > 0 (used by both the gradient and the step rule),
    ``max_iter`` >= 1, ``grad`` the derivative (default: that of x^2 + 4x + 4), ``step_rule`` False to stop
    on the gradient rule alone.
    """
    _check(lr, x0, tol, max_iter)
    xs = [float(x0)]
    x, reason = float(x0), "max_iter"
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(max_iter):
            g = grad(x)
            # 1) first non-finite value: stop before recording it
            if not math.isfinite(g):
                reason = "non-finite"
                break
            # 2) gradient rule
            if abs(g) < tol:
                reason = "gradient"
                break
            # 3) update, then the step rule
            x_new = x - lr * g
            if not math.isfinite(x_new):
                reason = "non-finite"
                break
            xs.append(x_new)
            if step_rule and abs(x_new - x) < tol:
                reason = "step"
                break
            x = x_new
    xs = np.asarray(xs)
    return ScalarRun(lr, float(x0), tol, max_iter, xs, reason, _status(reason, xs, grad))


def _status(reason: str, xs: np.ndarray, grad) -> str:
    if reason in ("gradient", "step"):
        return "converged"
    if reason == "non-finite":
        return "diverged"
    g_first, g_last = abs(grad(xs[0])), abs(grad(xs[-1]))
    if g_last > g_first * (1 + 1e-12):
        return "diverging"
    steps = np.diff(xs[-3:])
    alternating = len(steps) == 2 and steps[0] * steps[1] < 0
    return "oscillating" if alternating and g_last >= g_first * (1 - 1e-12) else "not converged"


def predicted_iterations(lr: float, x0: float = 10.0, tol: float = 1e-6, max_iter: int = 10_000,
                         step_rule: bool = True) -> tuple[int, str]:
    """Closed-form (iterations, reason) of ``gradient_descent(lr, x0, tol, max_iter, step_rule=step_rule)`` on
    x^2 + 4x + 4.

    With g_0 = |f'(x_0)| = 2|x_0 + 2| and |f'(x_t)| = g_0 |r|^t, r = 1 - 2 lr:
      gradient rule fires at t_g = the least t with g_0 |r|^t < tol   = floor(ln(tol/g_0) / ln|r|) + 1,
                                   i.e. ceil(ln(tol/g_0) / ln|r|) unless that ratio is a whole number
      step rule fires after t_s + 1 updates, t_s = least t with lr g_0 |r|^t < tol
    and the count is min(t_g, t_s + 1, max_iter). For |r| >= 1 neither rule fires: (max_iter, "max_iter")
    (a run that overflows first stops earlier, at its first non-finite value).
    """
    _check(lr, x0, tol, max_iter)
    g0 = abs(df(x0))
    r = abs(1.0 - 2.0 * lr)

    def first_below(scale: float) -> float:     # least t >= 0 with scale * r^t < tol
        if scale < tol:
            return 0
        if r == 0.0:
            return 1
        if r >= 1.0:
            return math.inf
        return math.floor(math.log(tol / scale) / math.log(r)) + 1

    t_g, t_s = first_below(g0), first_below(lr * g0)
    if step_rule and t_s + 1 <= t_g and t_s + 1 <= max_iter:     # on a tie the step rule, checked first, fires
        return t_s + 1, "step"
    if t_g <= max_iter:
        return int(t_g), "gradient"
    return max_iter, "max_iter"


def lr_grid(low: float = 0.01, high: float = 1.2, step: float = 0.01) -> np.ndarray:
    """The learning rates low, low + step, ..., high (rounded to 10 digits so 0.5 and 1.0 are exact)."""
    n = int(round((high - low) / step)) + 1
    return np.round(low + step * np.arange(n), 10)


def count_table(lrs, x0: float = 10.0, tol: float = 1e-6, max_iter: int = 10_000) -> list[dict]:
    """Per learning rate: measured iterations, reason and status beside the closed-form prediction."""
    rows = []
    for lr in lrs:
        run = gradient_descent(float(lr), x0, tol, max_iter)
        predicted, why = predicted_iterations(float(lr), x0, tol, max_iter)
        rows.append({"lr": float(lr), "iterations": run.iterations, "reason": run.reason, "status": run.status,
                     "predicted": predicted, "predicted_reason": why, "x_end": float(run.xs[-1])})
    return rows
