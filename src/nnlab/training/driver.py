"""The epoch driver above the engines: what ``fit`` promises around the epochs, written once and torch-free.

``drive(stepper, config, X, y, ...)`` runs ``config.epochs`` epochs of any ``Stepper`` and keeps the book: the
History, the per-epoch test evaluation, the observers' hooks, divergence, the learning-rate schedule and
augmentation (``EpochStart``, shared with the Trainer), early stopping with the best epoch's weights restored,
Ctrl-C, the final metrics and the wall time. When nothing reads the
metrics between epochs it asks for up to ``CHUNK`` epochs per ``run`` call (the torch engine then syncs with the
host once per call). ``TrialBook`` is the same book for one of many models trained together (the batched
engine's driver, ``nnlab.sweeps.batched.fit_batched``).
"""
from __future__ import annotations

import math
import time

import numpy as np

from nnlab.training.augment import _check_augmentation, augment_inputs, augmentation_rng
from nnlab.training.history import History
from nnlab.training.observers import Observer
from nnlab.training.schedules import lr_at
from nnlab.training.stepper import Interrupted, Stepper
from nnlab.training.stopping import EarlyStopping

__all__ = ["drive", "EpochStart", "TrialBook", "CHUNK"]

CHUNK = 100       # epochs per run call when nothing reads the metrics every epoch


class EpochStart:
    """What every driver does before epoch ``e`` (1-based): set the schedule's rate for it, and give the stepper
    a fresh augmented variant of the training inputs X (n, d). ``lr`` is the base rate (the Trainer's
    ``set_lr`` changes it); past ``config.epochs`` a schedule keeps its last rate."""

    def __init__(self, stepper: Stepper, config, X):
        _check_augmentation(config, X)
        self.stepper, self.schedule, self.epochs, self.lr = stepper, config.lr_schedule, config.epochs, config.lr
        self.augment = (config.augment_jitter, config.augment_shift)
        self.scheduled, self.augmenting = config.lr_schedule != "constant", any(self.augment)
        self.needed = self.scheduled or self.augmenting
        if self.augmenting:
            X = X.detach().cpu().numpy() if hasattr(X, "detach") else X
            self.plain = np.ascontiguousarray(np.asarray(X, dtype=np.float32))          # (n, d)
            self.rng = augmentation_rng(config.seed)

    def __call__(self, epoch: int) -> None:
        if self.scheduled:
            self.stepper.set_lr(lr_at(self.schedule, self.lr, min(epoch, self.epochs), self.epochs))
        if self.augmenting:
            self.stepper.set_inputs(augment_inputs(self.plain, *self.augment, self.rng))


def _record(history: History, results, classify: bool) -> bool:
    """Append the epochs' (loss, accuracy) to history; False after a non-finite loss (the last one kept)."""
    for loss, accuracy in results:
        history.loss.append(loss)
        if classify:
            history.train_accuracy.append(accuracy)
        if not math.isfinite(loss):
            return False
    return True


def _epoch_logs(epoch: int, history: History, classify: bool, test: dict | None) -> dict:
    """The logs observers and early stopping read after an epoch; the test metrics also go into history."""
    logs = {"epoch": epoch, "loss": history.loss[-1]}
    if classify:
        logs["train_accuracy"] = history.train_accuracy[-1]
    if test is not None:
        logs["test_loss"] = test["loss"]
        history.test_loss.append(test["loss"])
        if classify:
            logs["test_accuracy"] = test["accuracy"]
            history.test_accuracy.append(test["accuracy"])
    return logs


class TrialBook:
    """One trial's book when a driver trains many models at once: its History, its ``EpochStart`` (``start``:
    schedule and augmentation through ``stepper``, a view with ``set_lr`` and ``set_inputs`` for this trial
    alone) and its ``EarlyStopping`` (``stopping``); ``done`` once it diverged or stopped early."""

    def __init__(self, stepper, config, X, classify: bool, **info):
        self.history = History(**info)
        self.start = EpochStart(stepper, config, X)
        self.stopping = EarlyStopping(config.early_stopping)
        self.classify = classify

    def __repr__(self) -> str:
        return f"TrialBook(epochs_run={self.history.epochs_run}, done={self.done})"

    @property
    def done(self) -> bool:
        return self.history.diverged or self.history.stopped_early

    def record(self, epoch: int, result: tuple[float, float], test: dict | None, snapshot, report=None) -> dict:
        """Book epoch ``epoch``'s (loss, accuracy) and test metrics as ``drive`` does: the History, then
        ``report(logs)``, then divergence or early stopping (``snapshot()`` copies the trial's weights)."""
        finite = _record(self.history, [result], self.classify)
        logs = _epoch_logs(epoch, self.history, self.classify, test)
        self.history.epochs_run = epoch
        if report is not None:
            report(logs)
        if not finite:
            self.history.diverged = True
        else:
            self.stopping.update(epoch, logs, self.history, snapshot)
        return logs


def drive(stepper: Stepper, config, X, y, *, X_test=None, y_test=None, task: str = "classification",
          observers=()) -> History:
    """Train ``stepper`` for ``config.epochs`` epochs as ``nnlab.fit`` documents; returns the History."""
    # 1) what is read every epoch decides how many epochs one run call may take
    model, classify = stepper.model, task == "classification"
    has_test = X_test is not None and len(X_test) > 0
    start = EpochStart(stepper, config, X)
    stopping = EarlyStopping(config.early_stopping)
    every_epoch = (has_test or config.early_stopping is not None or start.needed
                   or any(type(o).on_epoch_end is not Observer.on_epoch_end for o in observers))
    chunk = 1 if every_epoch else max(min(config.epochs, CHUNK), 1)
    progress = [o for o in observers if type(o).on_progress is not Observer.on_progress]
    history = History(**stepper.info)
    with stepper.running():
        for o in observers:
            o.on_fit_start(model, config)
        began = time.perf_counter()
        try:
            epoch = 0
            while epoch < config.epochs:
                if not every_epoch:                 # 2a) many epochs per call, metrics read once per call
                    results = stepper.run(min(chunk, config.epochs - epoch))
                    epoch += len(results)
                    if not _record(history, results, classify):
                        history.diverged = True
                        break
                    for o in progress:
                        o.on_progress(epoch, history, model)
                    continue
                # 2b) one epoch: its rate and inputs, the epoch, its metrics, observers, divergence, early stopping
                epoch += 1
                if start.needed:
                    start(epoch)
                finite = _record(history, stepper.run(1), classify)
                logs = _epoch_logs(epoch, history, classify, stepper.evaluate(X_test, y_test) if has_test else None)
                for o in observers:
                    o.on_epoch_end(epoch, logs, model)
                for o in progress:
                    o.on_progress(epoch, history, model)
                if not finite:
                    history.diverged = True
                    break
                if stopping.update(epoch, logs, history, stepper.weights):
                    break
        except KeyboardInterrupt as stop:
            history.interrupted = True
            if not _record(history, Interrupted.epochs(stop), classify):
                history.diverged = True
    # 3) the best epoch's weights back, then the finished model's metrics
    if stopping.best_weights is not None:
        stepper.load_weights(stopping.best_weights)
    history.epochs_run = len(history.loss)
    history.wall_time_s = time.perf_counter() - began
    history.final = {f"train_{k}": v for k, v in stepper.evaluate(X, y).items()}
    if has_test:
        history.final.update({f"test_{k}": v for k, v in stepper.evaluate(X_test, y_test).items()})
    for o in observers:
        o.on_fit_end(history, model)
    return history
