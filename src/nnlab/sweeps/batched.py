"""K MLPs of one architecture trained together (:func:`fit_batched`): the vectorized executor's driver.

The engine is :class:`~nnlab.sweeps.batched_stepper.BatchedStepper` (K models as one stacked MLP, one batched
optimizer); :func:`fit_batched` drives it as ``nnlab.training.driver.drive`` drives one model, with one
``nnlab.training.driver.TrialBook`` per trial (its History, schedule, augmentation and early stopping).

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

import time
from collections.abc import Callable
from dataclasses import dataclass

from nnlab.config import RunConfig
from nnlab.sweeps.batched_model import StackedMLP
from nnlab.sweeps.batched_stepper import BatchedStepper, batch_signature
from nnlab.training.driver import CHUNK, TrialBook
from nnlab.training.history import History
from nnlab.training.stepper import Interrupted

__all__ = ["StackedMLP", "BatchedFit", "fit_batched", "batch_signature"]

@dataclass
class BatchedFit:
    """What :func:`fit_batched` returns: one History per trial, and the trained stack (``net.parameters(k)``)."""
    histories: list[History]
    net: StackedMLP


def fit_batched(configs: list[RunConfig], datasets: list, *, on_epoch_end: Callable | None = None,
                report_every_s: float = 0.25) -> BatchedFit:
    """Train the K sized configs ``configs`` on their PreparedData ``datasets`` together; one History each.

    Every config must have the same :func:`batch_signature` and none may be ``unsupported`` (else ValueError).
    ``on_epoch_end(k, logs)`` receives trial k's per-epoch logs (the dict ``fit`` gives its observers), in
    chunks at most every ``report_every_s`` seconds (every epoch with early stopping) and at the end. Ctrl-C
    stops after the current epoch and returns histories with ``interrupted=True``.
    """
    stepper = BatchedStepper(configs, datasets)
    books = [TrialBook(stepper.trial(k), c.train, d.X_train, stepper.classify, **stepper.info)
             for k, (c, d) in enumerate(zip(configs, datasets))]
    _drive(stepper, books, configs[0].train.epochs, on_epoch_end, report_every_s)
    return BatchedFit([b.history for b in books], stepper.net)


def _drive(stepper: BatchedStepper, books: list[TrialBook], epochs: int, on_epoch_end: Callable | None,
           report_every_s: float) -> None:
    """``drive``'s book for K trials: the epochs' metrics stay tensors until a flush books them per trial."""
    # 1) what is read every epoch decides how many epochs one run call may take
    has_test = stepper.has_test
    watching = any(b.stopping.patience is not None for b in books)      # early stopping reads every epoch
    starting = [k for k, b in enumerate(books) if b.start.needed]      # a schedule or augmentation
    chunk = 1 if has_test or watching or starting else max(min(epochs, CHUNK), 1)
    pending: list[tuple] = []                           # (epoch, StackedEpoch, test metrics per trial | None)

    def flush() -> None:
        """Book the pending epochs of the trials still training: History, report, divergence, early stopping."""
        nonlocal pending
        todo, pending = pending, []
        for epoch, metrics, test in todo:
            for k, result in enumerate(metrics.per_trial()):
                if not books[k].done:
                    report = None if on_epoch_end is None else (lambda logs, k=k: on_epoch_end(k, logs))
                    books[k].record(epoch, result, None if test is None else test[k],
                                    lambda k=k: stepper.weights(k), report)

    last_report = time.monotonic()
    began = time.perf_counter()
    epoch = 0
    try:
        while epoch < epochs:
            # 2) each trial's rate and inputs for the next epoch, the epochs, their test metrics
            for k in starting:
                if not books[k].done:
                    books[k].start(epoch + 1)
            results = stepper.run(min(chunk, epochs - epoch))
            for metrics in results:
                epoch += 1
                pending.append((epoch, metrics, stepper.evaluate("test") if has_test else None))
            # 3) a trial whose loss is no longer finite, or whose early stopping says so, stops here as fit
            #    stops it: its weights and optimizer state are frozen from now on
            if watching or not results[-1].finite or time.monotonic() - last_report >= report_every_s:
                flush()
                last_report = time.monotonic()
                stepper.freeze([k for k in stepper.active if books[k].done])
                if not stepper.active:
                    break
    except KeyboardInterrupt as stop:
        for b in books:
            b.history.interrupted = True
        pending += [(epoch + i, metrics, None) for i, metrics in enumerate(Interrupted.epochs(stop), 1)]
    flush()
    wall = time.perf_counter() - began
    # 4) early stopping: each trial back to its best epoch's weights; then fit's final evaluation
    for k, b in enumerate(books):
        if b.stopping.best_weights is not None:
            stepper.load_weights(k, b.stopping.best_weights)
    finals = [{f"train_{key}": v for key, v in m.items()} for m in stepper.evaluate("train")]
    if has_test:
        for final, m in zip(finals, stepper.evaluate("test")):
            final.update({f"test_{key}": v for key, v in m.items()})
    for b, final in zip(books, finals):
        b.history.wall_time_s = wall
        b.history.final = final
