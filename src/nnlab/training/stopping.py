"""Early stopping, once for every engine: watch the test loss if there is one, else the training loss; stop after
``patience`` epochs without a new best; keep the best epoch's weights. Torch-free: an engine passes a function
that copies its weights, called only when an epoch is the best so far."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

__all__ = ["EarlyStopping"]

_MIN_IMPROVEMENT = 1e-12       # a new best must be lower by more than this (float noise is not progress)


class EarlyStopping:
    """``patience`` None: never stops. ``update(epoch, logs, history, snapshot)`` after each finite epoch returns
    True when training must stop (and sets ``history.stopped_early``); ``best_weights`` is what ``snapshot()``
    returned at the best epoch (``history.best_epoch``), None when nothing was kept."""

    def __init__(self, patience: int | None):
        self.patience = patience
        self.best, self.since_best = math.inf, 0
        self.best_weights: Any = None

    def update(self, epoch: int, logs: dict, history, snapshot: Callable[[], Any]) -> bool:
        if self.patience is None:
            return False
        monitored = logs.get("test_loss", logs["loss"])
        if monitored < self.best - _MIN_IMPROVEMENT:
            self.best, self.since_best, history.best_epoch = monitored, 0, epoch
            self.best_weights = snapshot()
            return False
        self.since_best += 1
        if self.since_best >= self.patience:
            history.stopped_early = True
            return True
        return False
