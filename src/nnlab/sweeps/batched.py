"""K MLPs of one architecture trained together (:func:`fit_batched`): the vectorized executor's engine.

The K models are one :class:`~nnlab.sweeps.batched_model.StackedMLP` ((K, P) parameters, batched matmuls). The
objective is the sum over trials of each trial's mean loss (``LOSSES[loss].stacked_value``); since trial k's
parameters enter only its own loss, the gradient of the sum with respect to row k is trial k's own gradient.
:class:`~nnlab.sweeps.batched_optim.BatchedOptimizer` then applies torch.optim's update with per-trial rates.

:func:`fit_batched` follows ``nnlab.training.loop.fit`` step by step, per trial: the same initial weights, the
same seeded batch order, dropout masks and augmentation draws, the learning-rate schedule's rate each epoch, the
epoch loss as the mean of the pre-step batch losses, early stopping on the same monitored loss (a stopped or
diverged trial's weights and optimizer state are frozen while the others go on; its best epoch's weights are
restored at the end), the same final evaluation. So each trial's History matches the trial trained alone on
the torch engine up to float32 rounding: the two differ only in the order of summation inside the matrix
products. (Where training itself is chaotic, e.g. Adam at a large learning rate, those rounding differences grow
with the epochs, as they do between torch's own optimizer variants.) What it cannot batch (batch norm, other
precisions and devices) is listed by ``nnlab.sweeps.executors.unsupported``.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from nnlab.config import RunConfig
from nnlab.sweeps.batched_data import StackedData, evaluate_stacked, final_metrics
from nnlab.sweeps.batched_model import StackedMLP
from nnlab.sweeps.batched_optim import BatchedOptimizer
from nnlab.sweeps.executors import unsupported
from nnlab.training.augment import _check_augmentation, augment_inputs, augmentation_rng
from nnlab.training.history import History
from nnlab.training.losses import LOSSES
from nnlab.training.penalty import penalty
from nnlab.training.schedules import lr_at
from nnlab.training.stopping import EarlyStopping

__all__ = ["StackedMLP", "BatchedFit", "fit_batched", "batch_signature"]


def batch_signature(config: RunConfig, n_train: int, n_test: int, task: str) -> tuple:
    """Trials with equal signatures can share one batched pass: same architecture, optimizer, loss, epochs,
    batch size and data sizes (learning rate, schedule, seed, init, data values, penalties, early stopping,
    augmentation, dropout and residual connections may differ)."""
    m, t = config.model, config.train
    return (m.input_size, m.hidden_sizes, m.output_size, m.activation, t.optimizer, t.loss, t.epochs,
            t.batch_size, n_train, n_test, task)


@dataclass
class BatchedFit:
    """What :func:`fit_batched` returns: one History per trial, and the trained stack (``net.parameters(k)``)."""
    histories: list[History]
    net: StackedMLP


class _Augmenter:
    """Each augmenting trial's fresh inputs every epoch, drawn from its own ``augmentation_rng`` as ``fit`` draws."""

    def __init__(self, configs: list[RunConfig], datasets: list):
        for c, d in zip(configs, datasets):
            _check_augmentation(c.train, np.asarray(d.X_train))
        self.trials = [(k, np.asarray(d.X_train).astype(np.float32), c.train.augment_jitter, c.train.augment_shift,
                        augmentation_rng(c.train.seed)) for k, (c, d) in enumerate(zip(configs, datasets))
                       if c.train.augment_jitter > 0 or c.train.augment_shift > 0]

    def __repr__(self) -> str:
        return f"_Augmenter(trials={[t[0] for t in self.trials]})"

    def inputs(self, X: torch.Tensor, active: list[int]) -> torch.Tensor:
        """X (K, d, n), with this epoch's variant for the active augmenting trials."""
        live = [t for t in self.trials if t[0] in active]
        if not live:
            return X
        X = X.clone()
        for k, plain, jitter, shift, rng in live:
            X[k] = torch.from_numpy(augment_inputs(plain, jitter, shift, rng).T)      # (d, n)
        return X


def fit_batched(configs: list[RunConfig], datasets: list, *, on_epoch_end: Callable | None = None,
                report_every_s: float = 0.25) -> BatchedFit:
    """Train the K sized configs ``configs`` on their PreparedData ``datasets`` together; one History each.

    Every config must have the same :func:`batch_signature` and none may be ``unsupported`` (else ValueError).
    ``on_epoch_end(k, logs)`` receives trial k's per-epoch logs (the dict ``fit`` gives its observers), in
    chunks at most every ``report_every_s`` seconds (every epoch with early stopping) and at the end. Ctrl-C
    stops after the current epoch and returns histories with ``interrupted=True``.
    """
    from nnlab.nn import build_mlp

    problems = sorted(p for p in {unsupported(c) for c in configs} if p is not None)
    if problems or len({batch_signature(c, len(d.X_train), len(d.X_test), d.task)
                        for c, d in zip(configs, datasets)}) != 1:
        raise ValueError(f"these trials cannot share one batched pass ({', '.join(problems) or 'they differ'})")
    # 1) the K models, built exactly as a single run builds them, then stacked; per-trial rates and penalties
    K, first = len(configs), configs[0]
    task, spec = datasets[0].task, LOSSES[first.train.loss]
    classify = task == "classification"
    net = StackedMLP([build_mlp(c.model, seed=c.train.seed) for c in configs])
    net.seed_dropout([c.train.seed for c in configs])            # each trial's dropout masks, as fit seeds them
    optimizer = BatchedOptimizer(first.train.optimizer, net.flat, [c.train.lr for c in configs])
    scheduled = any(c.train.lr_schedule != "constant" for c in configs)
    l1 = torch.tensor([c.train.l1 for c in configs], dtype=torch.float32)
    l2 = torch.tensor([c.train.l2 for c in configs], dtype=torch.float32)
    regularize = bool(l1.any() or l2.any())

    # 2) the data, stacked feature-major: X (K, d, n); the test sets likewise when there are any
    outputs = first.model.output_size
    train = StackedData([d.X_train for d in datasets], [d.y_train for d in datasets], spec, outputs, classify)
    has_test = len(datasets[0].X_test) > 0
    test = StackedData([d.X_test for d in datasets], [d.y_test for d in datasets], spec, outputs, classify) \
        if has_test else None
    n = train.X.shape[2]
    batch = n if first.train.batch_size is None else min(first.train.batch_size, n)
    order_rngs = [torch.Generator().manual_seed(c.train.seed) for c in configs]   # each trial's batch order
    augmenter = _Augmenter(configs, datasets)
    stoppers = [EarlyStopping(c.train.early_stopping) for c in configs]
    watching = any(s.patience is not None for s in stoppers)   # early stopping reads every epoch's metrics

    histories = [History() for _ in range(K)]
    active = list(range(K))                 # trials still training (a diverged or stopped one is frozen)
    pending: list[dict] = []
    last_report = time.monotonic()
    start = time.perf_counter()

    def flush() -> None:
        """Turn the pending epochs' tensors into floats, extend the histories, report, mark diverged trials,
        and (every epoch, with early stopping) let each trial's EarlyStopping see its epoch."""
        nonlocal pending
        for logs in pending:
            values = {key: v.tolist() if isinstance(v, torch.Tensor) else v for key, v in logs.items()}
            for k in values["active"]:
                h = histories[k]
                if h.diverged or h.stopped_early:
                    continue
                entry = {"epoch": values["epoch"], "loss": values["loss_sum"][k] / n}
                if classify:
                    entry["train_accuracy"] = values["correct"][k] / n
                if has_test:
                    entry["test_loss"] = values["test_loss"][k]
                    if classify:
                        entry["test_accuracy"] = values["test_accuracy"][k]
                h.loss.append(entry["loss"])
                for key in ("train_accuracy", "test_loss", "test_accuracy"):
                    if key in entry:
                        getattr(h, key).append(entry[key])
                h.epochs_run = entry["epoch"]
                if on_epoch_end is not None:
                    on_epoch_end(k, entry)
                if not math.isfinite(entry["loss"]):
                    h.diverged = True
                else:
                    stoppers[k].update(entry["epoch"], entry, h, lambda k=k: net.flat[k].clone())
        pending = []

    try:
        for epoch in range(1, first.train.epochs + 1):
            # 3) each trial's rate for this epoch, and its inputs (as given, or this epoch's augmented variant)
            if scheduled:
                optimizer.set_lr([lr_at(c.train.lr_schedule, c.train.lr, epoch, c.train.epochs) for c in configs])
            X = augmenter.inputs(train.X, active)
            # 4) the epoch's batches: everything, or each trial's own seeded permutation cut into batches
            if batch == n:
                batches = [(X, train.targets, train.y)]
            else:
                order = torch.stack([torch.randperm(n, generator=g) for g in order_rngs])   # (K, n)
                batches = [train.columns(idx, X) for idx in order.split(batch, 1)]
            loss_sum = torch.zeros(K)
            correct = torch.zeros(K, dtype=torch.int64)
            for xb, tb, yb in batches:
                # 5) forward and per-trial loss;  6) gradient of the summed objective;  7) batched step
                params = [v.detach().requires_grad_() for v in net.views]
                out = net.forward(xb, params, train=True)                               # (K, o, b)
                loss = spec.stacked_value(out, tb)                                      # (K,)
                objective = (loss + penalty(params[0::2], l1, l2)).sum() if regularize else loss.sum()
                grads = torch.autograd.grad(objective, params)
                optimizer.step(torch.cat([g.reshape(K, -1) for g in grads], dim=1))     # (K, P)
                loss_sum += loss.detach() * xb.shape[2]
                if classify:
                    correct += (spec.stacked_predict(out.detach()) == yb).sum(1)
            logs = {"epoch": epoch, "active": list(active), "loss_sum": loss_sum, "correct": correct}
            if test is not None:
                logs["test_loss"], logs["test_accuracy"] = evaluate_stacked(net, test, spec, classify)
            pending.append(logs)
            # 8) a trial whose loss is no longer finite, or whose early stopping says so, stops here as fit
            #    stops it: its weights and optimizer state are frozen from now on
            finite = bool(torch.isfinite(loss_sum[active]).all())
            if watching or not finite or time.monotonic() - last_report >= report_every_s:
                flush()
                last_report = time.monotonic()
                done = [k for k in active if histories[k].diverged or histories[k].stopped_early]
                if done:
                    optimizer.freeze(done)
                    active = [k for k in active if k not in done]
                    if not active:
                        break
    except KeyboardInterrupt:
        for h in histories:
            h.interrupted = True
    flush()
    wall = time.perf_counter() - start
    # 9) early stopping: each trial back to its best epoch's weights; then fit's final evaluation
    with torch.no_grad():
        for k, stopper in enumerate(stoppers):
            if stopper.best_weights is not None:
                net.flat[k] = stopper.best_weights
    for h, final in zip(histories, final_metrics(net, train, test, spec, classify)):
        h.wall_time_s = wall
        h.final = final
    return BatchedFit(histories, net)
