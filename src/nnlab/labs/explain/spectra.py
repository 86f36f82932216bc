"""Weight spectra: the singular values of every weight matrix, against the Marchenko-Pastur law that random
matrices follow at initialisation, and the effective rank as training goes on.

For W of shape (m, n) with i.i.d. entries of variance sigma^2, let N = max(m, n), p = min(m, n), q = p / N. The
eigenvalues lambda = s^2 / N of W W^T / N (or W^T W / N) follow, as m, n grow, the Marchenko-Pastur density

    rho(lambda) = sqrt((lambda_+ - lambda)(lambda - lambda_-)) / (2 pi sigma^2 q lambda),
    lambda_(+/-) = sigma^2 (1 +/- sqrt(q))^2,

so the singular values s fill [sigma |sqrt(m) - sqrt(n)|, sigma (sqrt(m) + sqrt(n))] with density
rho(s^2 / N) 2 s / N. ``nn.Linear``'s default init draws U(-1/sqrt(fan_in), 1/sqrt(fan_in)): sigma^2 =
1 / (3 fan_in). Training moves a few singular values far past the upper edge: the learned structure.
"""
from __future__ import annotations

import numpy as np

from nnlab.training.observers import Observer

__all__ = ["default_init_variance", "mp_edges", "mp_density", "mp_cdf", "ks_distance", "effective_rank",
           "SpectrumTracker", "layer_summary"]


def default_init_variance(fan_in: int) -> float:
    """Variance of U(-1/sqrt(fan_in), 1/sqrt(fan_in)), nn.Linear's default weight init: 1 / (3 fan_in)."""
    return 1.0 / (3.0 * fan_in)


def mp_edges(m: int, n: int, sigma2: float) -> tuple[float, float]:
    """Support of the singular values of an (m, n) random matrix: sigma |sqrt m - sqrt n|, sigma (sqrt m + sqrt n)."""
    sigma = np.sqrt(sigma2)
    return float(sigma * abs(np.sqrt(m) - np.sqrt(n))), float(sigma * (np.sqrt(m) + np.sqrt(n)))


def mp_density(s: np.ndarray, m: int, n: int, sigma2: float) -> np.ndarray:
    """Marchenko-Pastur density of the singular values s of an (m, n) matrix with entry variance sigma2."""
    N, p = max(m, n), min(m, n)
    q = p / N
    lam = np.asarray(s, dtype=np.float64) ** 2 / N
    lo, hi = sigma2 * (1 - np.sqrt(q)) ** 2, sigma2 * (1 + np.sqrt(q)) ** 2
    inside = (lam > lo) & (lam < hi)
    rho = np.zeros_like(lam)
    rho[inside] = np.sqrt((hi - lam[inside]) * (lam[inside] - lo)) / (2 * np.pi * sigma2 * q * lam[inside])
    return rho * 2 * np.asarray(s, dtype=np.float64) / N


def mp_cdf(s: np.ndarray, m: int, n: int, sigma2: float, points: int = 4001) -> np.ndarray:
    """The Marchenko-Pastur CDF at ``s``, by the trapezoid rule on ``points`` nodes across the support."""
    lo, hi = mp_edges(m, n, sigma2)
    grid = np.linspace(lo, hi, points)
    dens = mp_density(grid, m, n, sigma2)
    cdf = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) / 2 * np.diff(grid))])
    return np.interp(s, grid, cdf / cdf[-1], left=0.0, right=1.0)


def ks_distance(s: np.ndarray, m: int, n: int, sigma2: float) -> float:
    """Kolmogorov-Smirnov distance between the empirical CDF of the singular values ``s`` and Marchenko-Pastur."""
    s = np.sort(np.asarray(s, dtype=np.float64))
    k = len(s)
    F = mp_cdf(s, m, n, sigma2)
    return float(max(np.max(np.arange(1, k + 1) / k - F), np.max(F - np.arange(k) / k)))


def effective_rank(s: np.ndarray) -> float:
    """exp of the entropy of p_i = s_i / sum s (Roy and Vetterli 2007): min(m, n) for equal singular values, 1 for
    a rank-one matrix."""
    s = np.asarray(s, dtype=np.float64)
    p = s[s > 0] / s.sum()
    return float(np.exp(-(p * np.log(p)).sum()))


class SpectrumTracker(Observer):
    """Singular values of every Linear weight at the start (epoch 0), every ``every`` epochs, and at the end.

    After ``fit``: ``epochs_`` (T,) and ``values_``: per layer, an array (T, min(m, n)), largest first;
    ``shapes_``: per layer, (m, n) = (out_features, in_features).
    """

    def __init__(self, every: int = 10):
        self.every = every
        self.epochs_: list[int] = []
        self.values_: list[list[np.ndarray]] = []
        self.shapes_: list[tuple[int, int]] = []

    def _record(self, epoch: int, model) -> None:
        import torch
        from torch import nn
        layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
        if not self.values_:
            self.values_ = [[] for _ in layers]
            self.shapes_ = [tuple(m.weight.shape) for m in layers]
        with torch.no_grad():
            for row, layer in zip(self.values_, layers):
                row.append(torch.linalg.svdvals(layer.weight.detach().double()).numpy())
        self.epochs_.append(epoch)

    def on_fit_start(self, model, config) -> None:
        self._record(0, model)

    def on_epoch_end(self, epoch: int, logs: dict, model) -> None:
        if epoch % self.every == 0:
            self._record(epoch, model)

    def on_fit_end(self, history, model) -> None:
        if self.epochs_[-1] != history.epochs_run:
            self._record(history.epochs_run, model)
        self.values_ = [np.stack(row) for row in self.values_]


def layer_summary(tracker: SpectrumTracker) -> list[dict]:
    """Per weight matrix: its shape, the MP law of its init, how well the init spectrum fits it (KS distance, share
    inside the support with 2 % slack), how far training pushed the top singular value, the effective ranks."""
    rows = []
    for (m, n), values in zip(tracker.shapes_, tracker.values_):
        sigma2 = default_init_variance(n)
        lo, hi = mp_edges(m, n, sigma2)
        init, final = values[0], values[-1]
        rows.append({"shape": [m, n], "sigma2": sigma2, "mp_edges": [lo, hi],
                     "init_range": [float(init.min()), float(init.max())],
                     "init_inside_support": float(np.mean((init >= 0.98 * lo) & (init <= 1.02 * hi))),
                     "init_ks_distance": ks_distance(init, m, n, sigma2),
                     "trained_top": float(final.max()), "trained_top_over_edge": float(final.max() / hi),
                     "trained_outliers": int(np.sum(final > 1.02 * hi)),
                     "effective_rank_init": effective_rank(init), "effective_rank_final": effective_rank(final),
                     "effective_rank": [effective_rank(v) for v in values]})
    return rows
