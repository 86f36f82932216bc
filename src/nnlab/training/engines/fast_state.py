"""The fast engine's state between kernel calls (codes, hyperparameters, optimizer state, workspace), the
arrays the kernels take, loading the kernels, and prediction. It imports no model class: ``fast_model`` uses
it to predict, ``fast_fit`` to train."""
from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

import numpy as np

from nnlab.training.engines import support
from nnlab.training.engines.codes import LOSS_CODES, OPTIMIZER_CODES
from nnlab.training.losses import LOSSES

if TYPE_CHECKING:
    from nnlab.training.engines.fast_model import FastMLP

__all__ = ["load_kernels", "predict_fast"]

_LOADED: dict = {}
_NO_OUTPUTS = np.zeros((0, 0), np.float32)


class _WarmUpNet:
    """A FastMLP's fields for a 1-1-1 relu network: what the warm-up call in ``load_kernels`` needs."""
    sizes = (1, 1, 1)
    negative_slope = 0.01

    def __init__(self):
        self.theta, self.grad = np.zeros(4, np.float32), np.zeros(4, np.float32)

    def codes(self) -> np.ndarray:
        return np.array([1, 0], np.int64)                       # relu, then the linear output


def load_kernels():
    """The kernels module, compiled (or loaded from numba's disk cache) on first use in this process.

    Returns (kernels, seconds spent, how: "cached" | "compiled" | "ready"). A call on a tiny problem with the
    argument types of a real one makes numba load or compile every kernel now, so that compile time is
    measured apart from training time.
    """
    if _LOADED:
        return _LOADED["module"], 0.0, "ready"
    start = time.perf_counter()
    _skip_numba_blas_probe()
    from nnlab.training.engines import kernels
    net = _WarmUpNet()
    x, labels, targets = np.zeros((1, 2), np.float32), np.zeros(2, np.int64), np.zeros((1, 2), np.float32)
    state = _State(net, "adam", "cross-entropy", True, 0.0, 0.0, batch=1, width=2, n_targets=1)
    for mode in (kernels.TRAIN, kernels.EVALUATE):
        state.run(kernels, mode, net, x, labels, targets, np.zeros(1, np.uint64), np.arange(2), 1)
    state.run_epochs(kernels, 1, net, x, labels, targets, np.zeros(1, np.uint64), np.arange(2), 1)
    misses = sum(kernels.run_epoch.stats.cache_misses.values()) + sum(kernels.run_epochs.stats.cache_misses.values())
    _LOADED["module"] = kernels
    return kernels, time.perf_counter() - start, "compiled" if misses else "cached"


def _skip_numba_blas_probe() -> None:
    """Load numba's array-math implementations without their BLAS probe.

    Numba's first compile or cache load in a process imports ``numba.np.arraymath``, which probes for BLAS by
    importing scipy.linalg (about 0.4 s of CPU, a fifth of ``nnlab train``'s start-up). The kernels use no BLAS,
    and the probe only picks a BLAS inner product for np.correlate/np.convolve; skipping it leaves every numba
    function correct (np.dot and np.linalg check for BLAS on their own when they compile). Done only when
    scipy.linalg is not loaded yet, and undone at once.
    """
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return
    import numba.np.linalg as linalg
    probe = getattr(linalg, "ensure_blas", None)
    if probe is None:
        return

    def absent():
        raise ImportError("BLAS probe skipped: the fast engine's kernels use no BLAS")

    linalg.ensure_blas = absent
    try:
        import numba.np.arraymath as arraymath
        arraymath.ensure_blas = probe
    finally:
        linalg.ensure_blas = probe


class _State:
    """Everything the kernels need besides the data: codes, hyperparameters, optimizer state, workspace."""

    def __init__(self, net: FastMLP, optimizer: str, loss: str, classify: bool, l1: float, l2: float,
                 batch: int, width: int, n_targets: int, lr: float = 1e-3):
        from nnlab.training.engines import kernels as k
        found = support.optimizer_settings(optimizer)
        if found is None:
            raise ValueError(f"the fast engine has no optimizer {optimizer!r} (choose_engine picks torch for it)")
        name, settings = found
        self.sizes = np.array(net.sizes, dtype=np.int64)
        self.acts = net.codes()
        self.codes = np.array([LOSS_CODES.index(loss), OPTIMIZER_CODES.index(name), int(classify), 0],
                              dtype=np.int64)                      # [loss, optimizer, classify, step number]
        self.hyper = np.zeros(k.N_HYPER)
        self.hyper[k.LR], self.hyper[k.L1], self.hyper[k.L2] = lr, l1, l2
        self.hyper[k.SLOPE] = net.negative_slope
        self.hyper[k.BETA1], self.hyper[k.BETA2] = settings.get("betas", (0.9, 0.999))
        self.hyper[k.EPS] = settings.get("eps", 0.0)
        self.hyper[k.DECAY] = settings.get("weight_decay", 0.0)
        self.hyper[k.MOMENTUM_RATE] = settings.get("momentum", 0.0)
        self.hyper[k.ALPHA] = settings.get("alpha", 0.99)
        self.s1, self.s2 = np.zeros_like(net.theta), np.zeros_like(net.theta)
        blocks, widest = sum(net.sizes[1:]), max(net.sizes[1:])
        d = net.sizes[0]
        self.work = (np.zeros(blocks * width, np.float32), np.zeros(blocks * width, np.float32),   # Z, A
                     np.zeros(widest * width, np.float32), np.zeros(widest * width, np.float32),   # D, E
                     np.zeros((d, width), np.float32), np.zeros(width, np.int64),                  # batch copy
                     np.zeros((n_targets, width), np.float32))
        self.out = np.zeros(2)

    def run(self, kernels, mode: int, net: FastMLP, x, labels, targets, raw, perm, batch: int, outputs=None):
        """``kernels.run_epoch``: one training epoch, an evaluation or a prediction (into ``outputs``).
        Returns (loss sum, correct count)."""
        outputs = _NO_OUTPUTS if outputs is None else outputs
        kernels.run_epoch(mode, net.theta, net.grad, self.s1, self.s2, self.sizes, self.acts, self.hyper,
                          self.codes, x, labels, targets, raw, perm, batch, self.work, self.out, outputs)
        return float(self.out[0]), float(self.out[1])

    def run_epochs(self, kernels, n: int, net: FastMLP, x, labels, targets, raw, perm, batch: int) -> np.ndarray:
        """``kernels.run_epochs``: up to n training epochs in one call, each in the order ``raw`` gives.
        Returns their (loss sum, correct count) rows, (epochs run, 2)."""
        sums = np.zeros((n, 2))
        done = kernels.run_epochs(n, net.theta, net.grad, self.s1, self.s2, self.sizes, self.acts, self.hyper,
                                  self.codes, x, labels, targets, raw, perm, batch, self.work, self.out, sums)
        return sums[:done]


def _arrays(X, y, loss: str, classify: bool, outputs: int):
    """x (d, n) float32, labels (n,) int64 and targets (T, n) float32: ``LOSSES[loss].numpy_targets``, feature-major
    (T = 0 where the targets are the class indices themselves)."""
    X = X.detach().cpu().numpy() if hasattr(X, "detach") else np.asarray(X)
    y = y.detach().cpu().numpy() if hasattr(y, "detach") else np.asarray(y)
    x = np.ascontiguousarray(X.T, dtype=np.float32)                              # (d, n)
    n = x.shape[1]
    labels = y.astype(np.int64) if classify else np.zeros(n, np.int64)
    if classify and n and (labels.min() < 0 or labels.max() >= max(outputs, 2)):   # the kernels do not check
        raise ValueError(f"class indices must lie in [0, {max(outputs, 2)}) for a model with {outputs} outputs; "
                         f"got {labels.min()}..{labels.max()}")
    targets = LOSSES[loss].numpy_targets(labels if classify else y.astype(np.float32), outputs)   # (n[, T])
    targets = np.zeros((0, n), np.float32) if targets.ndim == 1 else targets.T                   # (T, n)
    return x, labels, np.ascontiguousarray(targets, dtype=np.float32)


def predict_fast(net: FastMLP, X) -> np.ndarray:
    """The network's outputs (n, out) float32 for inputs X (n, d)."""
    kernels, _, _ = load_kernels()
    x, labels, targets = _arrays(X, np.zeros(len(X)), "cross-entropy", False, net.sizes[-1])
    n = x.shape[1]
    state = _State(net, "sgd", "cross-entropy", False, 0.0, 0.0, batch=1, width=max(1, min(n, 1024)),
                   n_targets=0)
    outputs = np.empty((net.sizes[-1], n), np.float32)
    state.run(kernels, kernels.PREDICT, net, x, labels, targets, np.zeros(0, np.uint64), np.arange(n), 1, outputs)
    return outputs.T
