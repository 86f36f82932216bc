"""Observers: how the training loop reports. The loop itself never prints.

An observer overrides any of the hooks below; ``fit`` calls them in order. ``on_after_backward`` runs after
each batch's backward pass and before the optimizer step, so the gradients it sees are the ones applied.
``on_epoch_end`` gets every epoch's logs, so ``fit`` then hands the engine one epoch at a time;
``on_progress(epoch, history, model)`` is called after each call to the engine (every epoch, or every chunk of up
to 100 when nothing reads every epoch): enough for a progress display or a stop request, at no cost in speed.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np

__all__ = ["Observer", "GradientCapture", "ProgressBar"]


class Observer:
    """Base class: every hook is a no-op."""

    def on_fit_start(self, model, config) -> None: ...
    def on_after_backward(self, model) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict, model) -> None: ...
    def on_progress(self, epoch: int, history, model) -> None: ...
    def on_fit_end(self, history, model) -> None: ...


class GradientCapture(Observer):
    """Records the gradient norm of every Linear layer each epoch, and the last gradient of every parameter.

    After ``fit``:
      ``layer_names``  one label per Linear layer, e.g. "L1 2->8"
      ``norms``        (layers, epochs) array: per epoch, the mean over its batches of each layer's gradient
                       L2 norm (weight and bias together)
      ``last_flat``    (n_params,) |gradient| of every parameter from the final backward pass, flattened in
                       model.parameters() order: what the seed's ``visualize_gradients`` draws
    """

    def __init__(self):
        self.layer_names: list[str] = []
        self.norms = np.zeros((0, 0))
        self.last_flat = np.zeros(0)
        self._epoch_rows: list[list[float]] = []
        self._batch_sum = None
        self._batches = 0
        self._layers = []
        self._last = None

    def on_fit_start(self, model, config) -> None:
        from torch import nn
        self._layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
        self.layer_names = [f"L{i + 1} {m.in_features}->{m.out_features}" for i, m in enumerate(self._layers)]
        self._epoch_rows = []

    def on_after_backward(self, model) -> None:
        import torch
        # (layers,) norms of [weight grad, bias grad] concatenated, computed without leaving torch
        norms = torch.stack([torch.linalg.vector_norm(torch.cat([p.grad.reshape(-1) for p in m.parameters()
                                                                  if p.grad is not None]))
                             for m in self._layers]).detach()
        self._batch_sum = norms if self._batch_sum is None else self._batch_sum + norms
        self._batches += 1
        self._last = model

    def on_epoch_end(self, epoch: int, logs: dict, model) -> None:
        if self._batches:
            self._epoch_rows.append((self._batch_sum / self._batches).tolist())
        self._batch_sum, self._batches = None, 0

    def on_fit_end(self, history, model) -> None:
        import torch
        self.norms = np.array(self._epoch_rows, dtype=np.float64).T.reshape(len(self._layers), -1)
        grads = [p.grad.reshape(-1) if p.grad is not None else torch.zeros(p.numel())
                 for p in model.parameters()]
        self.last_flat = torch.cat(grads).abs().detach().cpu().numpy() if grads else np.zeros(0)


class ProgressBar(Observer):
    """A rich progress bar with the latest epoch's loss (the mean over its batches), refreshed at most ten times a
    second; at the end it shows the finished model's final loss and accuracy, as every other place does."""

    def __init__(self, description: str = "training", console=None):
        self.description = description
        self.console = console
        self._progress: Any = None       # a rich Progress once training starts
        self._task: Any = None
        self._last = 0.0

    def on_fit_start(self, model, config) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        self._progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.fields[status]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                                  console=self.console, transient=False)
        self._task = self._progress.add_task(self.description, total=config.epochs, status="")
        self._progress.start()

    def on_epoch_end(self, epoch: int, logs: dict, model) -> None:
        now = time.perf_counter()
        if now - self._last >= 0.1:
            self._last = now
            status = f"loss {logs['loss']:.4f}"
            if logs.get("train_accuracy") is not None:
                status += f"  acc {logs['train_accuracy']:.3f}"
            self._progress.update(self._task, completed=epoch, status=status)

    def on_fit_end(self, history, model) -> None:
        if self._progress is not None:
            status = {}
            if history.final:     # the finished model's numbers, as every other place shows them
                from nnlab.numbers import accuracy_text, loss_text
                status["status"] = f"final loss {loss_text(history.final.get('train_loss'))}" + (
                    f"  acc {accuracy_text(history.final['train_accuracy'])}"
                    if history.final.get("train_accuracy") is not None else "")
            self._progress.update(self._task, completed=history.epochs_run, **status)
            self._progress.stop()
