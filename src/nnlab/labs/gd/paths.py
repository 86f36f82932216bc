"""PATH_OPTIMIZERS and the path runner: k independent runs of one optimizer on a 2-D function, at once.

The optimizers are nnlab's own plain gradient descent ("gd", w <- w - lr g) and the entries of
``nnlab.training.OPTIMIZERS`` without weight decay, run by torch.optim in float64 with nothing added: no
gradient clipping, no noise. On these deterministic functions "sgd" (torch.optim.SGD) takes exactly gd's steps;
the lab keeps both, and their agreement is a check of the runner.

Speed: every torch.optim class listed in ``_LR_LINEAR`` updates w <- w - lr * u, where u depends on the
gradients seen so far and not on lr or w (momentum buffers, squared-gradient averages, Adam's moments; no weight
decay). So one torch.optim instance with lr = 1 on a (k, 2) tensor reset to 0 before each step returns -u for
all k rows, and each row steps with its own lr: w_i <- w_i - lr_i u_i. ``exact=True`` instead gives every row
its own 2-element float64 tensor in its own param group with its own lr (plain torch.optim, k times slower);
the tests check that both agree.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlab._validation import check_choice, check_int
from nnlab.labs.gd.functions import TestFunction
from nnlab.training.optimizers import OPTIMIZERS

__all__ = ["PathOptimizer", "PATH_OPTIMIZERS", "Paths", "run_paths"]

_LR_LINEAR = {"SGD", "Adagrad", "RMSprop", "Adam", "Adamax", "NAdam", "RAdam"}
_COLORS = ["#000000", "#ff7f0e", "#d62728", "#9467bd", "#2ca02c", "#1f77b4", "#e377c2", "#8c564b", "#17becf"]


@dataclass(frozen=True)
class PathOptimizer:
    """One optimizer of the lab: ``registry`` is its key in ``nnlab.training.OPTIMIZERS`` (None for gd)."""
    name: str
    formula: str
    registry: str | None
    color: str

    @property
    def label(self) -> str:
        if self.registry is None:
            return f"{self.name} (nnlab)"
        return f"{self.name} (torch.optim.{OPTIMIZERS[self.registry].torch_class})"

    def __repr__(self) -> str:
        return f"PathOptimizer({self.name!r}: {self.formula})"


def _path_optimizers() -> dict[str, PathOptimizer]:
    names = [n for n, o in OPTIMIZERS.items() if not o.defaults.get("weight_decay")]
    entries = [PathOptimizer("gd", "w -= lr * g", None, _COLORS[0])]
    entries += [PathOptimizer(n, OPTIMIZERS[n].formula, n, _COLORS[(i + 1) % len(_COLORS)])
                for i, n in enumerate(names)]
    return {e.name: e for e in entries}


PATH_OPTIMIZERS: dict[str, PathOptimizer] = _path_optimizers()


@dataclass(frozen=True)
class Paths:
    """k runs of ``optimizer`` on ``function``.

    ``xy`` (T+1, k, 2) positions and ``gap`` (T+1, k) f - f* (f for the saddle), NaN after a run stopped.
    ``diverged_at`` (k,) is the step that produced the first non-finite position, value or gradient (-1: none);
    that value is not recorded, and the run stops there.
    """
    function: str
    optimizer: str
    lrs: np.ndarray
    xy: np.ndarray
    gap: np.ndarray
    diverged_at: np.ndarray

    @property
    def steps(self) -> int:
        return self.xy.shape[0] - 1

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0

    def path(self, i: int) -> np.ndarray:
        """The finite positions of run i, (t_i, 2)."""
        rows = self.xy[:, i]
        return rows[np.isfinite(rows).all(axis=1)]

    @property
    def final(self) -> np.ndarray:
        """(k, 2): the last finite position of each run."""
        finite = np.isfinite(self.xy).all(axis=2)                           # (T+1, k); a row never resumes
        return self.xy[finite.sum(axis=0) - 1, np.arange(len(self.lrs))]

    @property
    def final_gap(self) -> np.ndarray:
        """(k,): f - f* at the end of each run; inf for a diverged run."""
        return np.where(self.diverged, np.inf, self.gap[-1])


def _torch_optimizer(name: str, params, lr, overrides: dict):
    import torch.optim
    spec = OPTIMIZERS[PATH_OPTIMIZERS[name].registry]
    return getattr(torch.optim, spec.torch_class)(params, lr=lr, **{**spec.defaults, **overrides})


class _Direction:
    """u_t for all rows: the step is w <- w - lr * u. gd: u = g. torch entries: see the module docstring."""

    def __init__(self, name: str, k: int, overrides: dict, exact: bool, lrs: np.ndarray, start: np.ndarray):
        self.name = name
        if name == "gd":
            return
        import torch
        self.torch = torch
        # the lr = 1 probe holds only for classes whose step is linear in lr; any other class runs exactly
        self.exact = exact or OPTIMIZERS[PATH_OPTIMIZERS[name].registry].torch_class not in _LR_LINEAR
        if self.exact:
            self.params = [torch.tensor(start[i], dtype=torch.float64) for i in range(k)]     # k x (2,)
            groups = [{"params": [p], "lr": float(lr)} for p, lr in zip(self.params, lrs)]
            self.opt = _torch_optimizer(name, groups, 1.0, overrides)
        else:
            self.probe = torch.zeros((k, 2), dtype=torch.float64)                                 # (k, 2)
            self.opt = _torch_optimizer(name, [self.probe], 1.0, overrides)

    def new_positions(self, X: np.ndarray, G: np.ndarray, lrs: np.ndarray) -> np.ndarray:
        if self.name == "gd":
            return X - lrs[:, None] * G
        torch = self.torch
        if self.exact:
            for p, x, g in zip(self.params, X, G):
                p.copy_(torch.from_numpy(x))         # a stopped row keeps its last finite position
                p.grad = torch.from_numpy(g.copy())
            self.opt.step()
            return np.stack([p.numpy() for p in self.params])
        self.probe.zero_()
        self.probe.grad = torch.from_numpy(G)
        self.opt.step()                              # probe = 0 - 1 * u = -u
        return X + lrs[:, None] * self.probe.numpy()


def run_paths(fn: TestFunction, optimizer: str, lrs, starts=None, steps: int = 500, overrides: dict | None = None,
              exact: bool = False) -> Paths:
    """Run ``optimizer`` on ``fn`` from ``starts`` (k, 2) (default: fn.start for every row) with learning rates
    ``lrs`` (k,) for ``steps`` steps, each row independently; ``overrides`` changes torch hyperparameters
    (e.g. {"momentum": 0.67}). A row stops at its first non-finite position, value or gradient."""
    check_choice("optimizer", optimizer, PATH_OPTIMIZERS)
    check_int("steps", steps)
    lrs = np.atleast_1d(np.asarray(lrs, dtype=float))                                 # (k,)
    k = len(lrs)
    starts = np.broadcast_to(fn.start if starts is None else np.asarray(starts, float), (k, 2)).copy()
    direction = _Direction(optimizer, k, overrides or {}, exact, lrs, starts)
    xy = np.full((steps + 1, k, 2), np.nan)
    gap = np.full((steps + 1, k), np.nan)
    diverged_at = np.full(k, -1)
    X = starts                                                                        # (k, 2)
    xy[0], gap[0] = X, fn.gap(X)
    alive = np.ones(k, dtype=bool)
    with np.errstate(all="ignore"):
        G = fn.grad(X)                                                                # (k, 2)
        for t in range(1, steps + 1):
            # 1) a stopped row gets a zero gradient and lr 0, so its optimizer state stays finite
            G = np.where(alive[:, None], G, 0.0)
            # 2) the step of every row
            X_new = direction.new_positions(X, G, np.where(alive, lrs, 0.0))
            # 3) the value and the next gradient; the first non-finite one stops its row
            gap_new, G_new = fn.gap(X_new), fn.grad(X_new)
            ok = np.isfinite(X_new).all(axis=1) & np.isfinite(gap_new) & np.isfinite(G_new).all(axis=1)
            diverged_at[alive & ~ok] = t
            alive &= ok
            X = np.where(alive[:, None], X_new, X)
            G = G_new
            xy[t] = np.where(alive[:, None], X_new, np.nan)
            gap[t] = np.where(alive, gap_new, np.nan)
            if not alive.any():
                break
    return Paths(fn.name, optimizer, lrs, xy, gap, diverged_at)
