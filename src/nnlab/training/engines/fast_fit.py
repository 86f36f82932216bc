"""The fast engine's ``fit``: a small MLP trained by compiled kernels, one call per epoch.

Each epoch is one call of ``kernels.run_epoch``: every batch's forward pass, loss, backward pass, penalty and
optimizer step, fused, with no Python in between. Python then does what ``fit`` promises per epoch: the
metrics in History, the test evaluation, the observers, divergence, early stopping (restoring the best epoch's
weights), augmentation and Ctrl-C. The meaning is the torch engine's: the same initial weights (the model given,
or torch's draws for the seed), the same batch order (torch.randperm's, reproduced from the seed), the same
augmented inputs, the same optimizer formulas in float32.
"""
from __future__ import annotations

import math
import sys
import time

import numpy as np

from nnlab.training.engines import support
from nnlab.training.engines.fast_model import FastMLP
from nnlab.training.engines.torch_rng import TorchCPUGenerator

__all__ = ["fit_fast", "evaluate_fast", "predict_fast", "load_kernels"]

_LOADED: dict = {}
_NO_OUTPUTS = np.zeros((0, 0), np.float32)


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
    net = FastMLP((1, 1, 1), ["relu"])
    x, labels, targets = np.zeros((1, 2), np.float32), np.zeros(2, np.int64), np.zeros((1, 2), np.float32)
    state = _State(net, "adam", "cross-entropy", True, 0.0, 0.0, batch=1, width=2, n_targets=1)
    for mode in (kernels.TRAIN, kernels.EVALUATE):
        state.run(kernels, mode, net, x, labels, targets, np.zeros(1, np.uint64), np.arange(2), 1)
    misses = sum(kernels.run_epoch.stats.cache_misses.values())
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
        self.codes = np.array([support.LOSSES.index(loss), support.OPTIMIZERS.index(name), int(classify), 0],
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


def _arrays(X, y, loss: str, classify: bool, outputs: int):
    """x (d, n) float32, labels (n,) int64 and targets (T, n) float32, as LOSSES[loss].targets makes them."""
    X = X.detach().cpu().numpy() if hasattr(X, "detach") else np.asarray(X)
    y = y.detach().cpu().numpy() if hasattr(y, "detach") else np.asarray(y)
    x = np.ascontiguousarray(X.T, dtype=np.float32)                              # (d, n)
    n = x.shape[1]
    labels = y.astype(np.int64) if classify else np.zeros(n, np.int64)
    if classify and n and (labels.min() < 0 or labels.max() >= max(outputs, 2)):   # the kernels do not check
        raise ValueError(f"class indices must lie in [0, {max(outputs, 2)}) for a model with {outputs} outputs; "
                         f"got {labels.min()}..{labels.max()}")
    if loss == "cross-entropy":
        targets = np.zeros((0, n), np.float32)
    elif loss == "bce" or not classify:
        targets = y.astype(np.float32).reshape(-1, outputs).T                    # (1, n) 0/1, or regression
    elif outputs == 1:
        targets = (2.0 * y.astype(np.float32) - 1.0)[None, :]                    # (1, n) in {-1, +1}
    else:
        targets = np.eye(outputs, dtype=np.float32)[labels].T                    # (K, n) one-hot
    return x, labels, np.ascontiguousarray(targets, dtype=np.float32)


def fit_fast(model, X, y, config, *, X_test=None, y_test=None, task: str = "classification", observers=()):
    """``nnlab.fit`` on the fast engine; ``model`` is a FastMLP or a torch MLP (trained in place, shared
    memory). Returns a History with ``engine="fast"`` and the kernels' load or compile time apart."""
    from nnlab.training.engines.kernels import LR
    from nnlab.training.loop import History, augment_inputs, augmentation_rng
    from nnlab.training.schedules import lr_at

    # 1) the network, the kernels, the data in the kernels' layout
    net = model if isinstance(model, FastMLP) else FastMLP.from_torch(model)
    kernels, compile_s, how = load_kernels()
    classify = task == "classification"
    x, labels, targets = _arrays(X, y, config.loss, classify, net.sizes[-1])
    n = x.shape[1]
    has_test = X_test is not None and len(X_test) > 0
    if has_test:
        x_test, labels_test, targets_test = _arrays(X_test, y_test, config.loss, classify, net.sizes[-1])
    batch = n if config.batch_size is None else min(config.batch_size, n)
    width = max(batch, min(max(n, x_test.shape[1] if has_test else 0), 1024))
    state = _State(net, config.optimizer, config.loss, classify, config.l1, config.l2, batch, width,
                   targets.shape[0], lr=config.lr)
    order = TorchCPUGenerator(config.seed)                          # torch.randperm's batch order
    perm, no_raw = np.arange(n), np.zeros(0, np.uint64)

    def metrics(xs, ls, ts) -> tuple[float, float]:
        loss_sum, right = state.run(kernels, kernels.EVALUATE, net, xs, ls, ts, no_raw, perm, batch)
        return loss_sum / xs.shape[1], right / xs.shape[1]

    history = History(engine="fast", compile_time_s=compile_s, kernels=how)
    best, since_best, best_theta = math.inf, 0, None
    augmenting = config.augment_jitter > 0 or config.augment_shift > 0
    if augmenting:
        plain, aug_rng = np.ascontiguousarray(x.T), augmentation_rng(config.seed)      # (n, d)
    for o in observers:
        o.on_fit_start(model, config)
    start = time.perf_counter()
    try:
        for epoch in range(1, config.epochs + 1):
            if config.lr_schedule != "constant":
                state.hyper[LR] = lr_at(config.lr_schedule, config.lr, epoch, config.epochs)
            # 2) the epoch: every batch's forward, loss, backward and step in one compiled call
            raw = order.raw(n - 1) if batch < n else no_raw
            inputs = x if not augmenting else np.ascontiguousarray(
                augment_inputs(plain, config.augment_jitter, config.augment_shift, aug_rng).T)    # (d, n)
            loss_sum, right = state.run(kernels, kernels.TRAIN, net, inputs, labels, targets, raw, perm, batch)
            # 3) the epoch's metrics, as the torch engine reports them
            logs = {"epoch": epoch, "loss": loss_sum / n}
            history.loss.append(logs["loss"])
            if classify:
                logs["train_accuracy"] = right / n
                history.train_accuracy.append(logs["train_accuracy"])
            if has_test:
                logs["test_loss"], accuracy = metrics(x_test, labels_test, targets_test)
                history.test_loss.append(logs["test_loss"])
                if classify:
                    logs["test_accuracy"] = accuracy
                    history.test_accuracy.append(accuracy)
            history.epochs_run = epoch
            for o in observers:
                o.on_epoch_end(epoch, logs, model)
            if not math.isfinite(logs["loss"]):
                history.diverged = True
                break
            # 4) early stopping on the test loss if there is one, else the training loss; keep the best weights
            if config.early_stopping is not None:
                monitored = logs.get("test_loss", logs["loss"])
                if monitored < best - 1e-12:
                    best, since_best, history.best_epoch = monitored, 0, epoch
                    best_theta = net.theta.copy()
                else:
                    since_best += 1
                    if since_best >= config.early_stopping:
                        history.stopped_early = True
                        break
    except KeyboardInterrupt:
        history.interrupted = True
    if best_theta is not None:
        net.theta[:] = best_theta                 # early stopping: back to the best epoch's weights (in place)
    history.wall_time_s = time.perf_counter() - start
    # 5) the finished model's metrics (fit's "final")
    names = ("loss", "accuracy") if classify else ("loss",)
    history.final = {f"train_{k}": v for k, v in zip(names, metrics(x, labels, targets))}
    if has_test:
        history.final.update({f"test_{k}": v for k, v in zip(names, metrics(x_test, labels_test, targets_test))})
    for o in observers:
        o.on_fit_end(history, model)
    return history


def evaluate_fast(net: FastMLP, X, y, loss: str = "cross-entropy", task: str = "classification") -> dict:
    """``nnlab.evaluate`` for a FastMLP: loss and (classification) accuracy on X (n, d), y (n,)."""
    kernels, _, _ = load_kernels()
    classify = task == "classification"
    x, labels, targets = _arrays(X, y, loss, classify, net.sizes[-1])
    n = x.shape[1]
    state = _State(net, "sgd", loss, classify, 0.0, 0.0, batch=1, width=max(1, min(n, 1024)),
                   n_targets=targets.shape[0])
    loss_sum, right = state.run(kernels, kernels.EVALUATE, net, x, labels, targets, np.zeros(0, np.uint64),
                                np.arange(n), 1)
    result = {"loss": loss_sum / n}
    if classify:
        result["accuracy"] = right / n
    return result


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
