"""Linear rates on a convex quadratic: Goh's optimal step sizes (Distill, "Why Momentum Really Works", 2017).

On f(w) = w^T A w / 2 with eigenvalues lambda_1 <= ... <= lambda_n and kappa = lambda_n / lambda_1:

    gradient descent   alpha = 2 / (lambda_1 + lambda_n)
                       rate  (kappa - 1) / (kappa + 1)
    heavy ball         alpha = (2 / (sqrt(lambda_1) + sqrt(lambda_n)))^2
                       beta  = ((sqrt(lambda_n) - sqrt(lambda_1)) / (sqrt(lambda_n) + sqrt(lambda_1)))^2
                       rate  (sqrt(kappa) - 1) / (sqrt(kappa) + 1)

Heavy ball here is torch.optim.SGD's momentum, z <- beta z + g, w <- w - alpha z, which is Goh's form exactly,
so torch's lr = alpha and momentum = beta. The rate is the factor by which ||w_t - w*|| shrinks per step.
"""
from __future__ import annotations

import math

import numpy as np

from nnlab.labs.gd.functions import quadratic
from nnlab.labs.gd.paths import run_paths

__all__ = ["goh_parameters", "measured_rate", "rate_check", "steps_to"]


def goh_parameters(lam_min: float, lam_max: float) -> dict:
    """The optimal (lr, momentum) of gd and heavy ball and their theoretical rates."""
    kappa = lam_max / lam_min
    s1, sn = math.sqrt(lam_min), math.sqrt(lam_max)
    return {"kappa": kappa,
            "gd_lr": 2.0 / (lam_min + lam_max), "gd_rate": (kappa - 1) / (kappa + 1),
            "hb_lr": (2.0 / (s1 + sn)) ** 2, "hb_momentum": ((sn - s1) / (sn + s1)) ** 2,
            "hb_rate": (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)}


def measured_rate(errors: np.ndarray, high: float = 1e-4, low: float = 1e-12) -> float:
    """Geometric mean shrink factor of ``errors`` (T+1,) between the first step where error / error_0 < high
    and the first where it is < low: (e_t2 / e_t1)^(1 / (t2 - t1)).

    At Goh's heavy-ball parameters the iteration matrix has a double eigenvalue, so the error behaves like
    (a + b t) r^t and any finite window reads slightly above r (by ((a + b t2) / (a + b t1))^(1/(t2 - t1)));
    a late window keeps that factor small (under 1 % at kappa = 100).
    """
    rel = errors / errors[0]
    t1 = int(np.argmax(rel < high))
    t2 = int(np.argmax(rel < low))
    if not rel[t1] < high or not rel[t2] < low or t2 <= t1:
        return math.nan
    return float((errors[t2] / errors[t1]) ** (1.0 / (t2 - t1)))


def steps_to(errors: np.ndarray, level: float) -> int | None:
    """First step where error / error_0 < level, or None."""
    below = np.flatnonzero(errors / errors[0] < level)
    return int(below[0]) if len(below) else None


def rate_check(kappa: float = 100.0, steps: int = 2000) -> dict:
    """Run gd and heavy ball at Goh's optimal parameters on (x^2 + kappa y^2) / 2 from its start; compare the
    measured rates of ||w_t - w*|| with theory. Returns the parameters, rates, relative errors and the
    distance curves (for the figure)."""
    fn = quadratic(kappa)
    p = goh_parameters(1.0, kappa)
    gd = run_paths(fn, "gd", [p["gd_lr"]], steps=steps)
    hb = run_paths(fn, "momentum", [p["hb_lr"]], steps=steps, overrides={"momentum": p["hb_momentum"]})
    out = {**p, "function": fn.name, "steps": steps, "curves": {}}
    for name, paths, theory in (("gd", gd, p["gd_rate"]), ("heavy_ball", hb, p["hb_rate"])):
        dist = np.linalg.norm(paths.xy[:, 0], axis=1)                  # (T+1,) ||w_t - 0||
        rate = measured_rate(dist)
        out[f"{name}_measured"] = rate
        out[f"{name}_relative_error"] = abs(rate - theory) / theory if theory > 0 else abs(rate - theory)
        out[f"{name}_steps_to_1e-6"] = steps_to(dist, 1e-6)
        out["curves"][name] = dist
    return out
