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
import time

import numpy as np

from nnlab.training.engines.fast_model import FastMLP
from nnlab.training.engines.fast_state import _arrays, _State, load_kernels, predict_fast
from nnlab.training.engines.torch_rng import TorchCPUGenerator

__all__ = ["fit_fast", "evaluate_fast", "predict_fast", "load_kernels"]



def fit_fast(model, X, y, config, *, X_test=None, y_test=None, task: str = "classification", observers=()):
    """``nnlab.fit`` on the fast engine; ``model`` is a FastMLP or a torch MLP (trained in place, shared
    memory). Returns a History with ``engine="fast"`` and the kernels' load or compile time apart."""
    from nnlab.training.augment import augment_inputs, augmentation_rng
    from nnlab.training.engines.kernels import LR
    from nnlab.training.history import History
    from nnlab.training.schedules import lr_at
    from nnlab.training.stopping import EarlyStopping

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
    stopping = EarlyStopping(config.early_stopping)
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
            # 4) early stopping: keep the best epoch's weights
            if stopping.update(epoch, logs, history, net.theta.copy):
                break
    except KeyboardInterrupt:
        history.interrupted = True
    if stopping.best_weights is not None:
        net.theta[:] = stopping.best_weights      # early stopping: back to the best epoch's weights (in place)
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
