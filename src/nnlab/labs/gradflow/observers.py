"""What the gradient-flow lab watches during ``nnlab.fit``, besides the foundation's GradientCapture:
where the first non-finite value appears, and how far each layer's weights move per epoch."""
from __future__ import annotations

import numpy as np

from nnlab.training.observers import Observer

__all__ = ["NonFiniteWatch", "UpdateSize"]


def _linears(model):
    from torch import nn
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


class NonFiniteWatch(Observer):
    """Catches the first inf or NaN of a run, in the order the step computes them: each Linear layer's output in
    the forward pass (input to output), then each Linear layer's gradient in the backward pass (output to input).

    After ``fit``, ``first`` is None (all finite) or a dict: ``epoch`` (1-based), ``step`` (batch within the
    epoch, 1-based), ``layer`` (1-based Linear index, as GradientCapture's rows), ``layer_name``, ``where``
    ("forward" or "gradient") and ``value`` ("inf" or "nan"). Needs the torch engine (it reads gradients after each
    backward pass, so ``engine="auto"`` gives it torch).
    """

    def __init__(self):
        self.first: dict | None = None
        self._layers = []
        self._hooks = []
        self._forward_bad: tuple[int, str] | None = None
        self._epoch, self._step = 1, 0

    def on_fit_start(self, model, config) -> None:
        self.first, self._forward_bad, self._epoch, self._step = None, None, 1, 0
        self._layers = _linears(model)
        self._hooks = [m.register_forward_hook(self._forward_hook(i)) for i, m in enumerate(self._layers)]

    def _forward_hook(self, index: int):
        def hook(module, args, out):
            if self.first is None and self._forward_bad is None:
                kind = _non_finite(out)
                if kind:
                    self._forward_bad = (index, kind)
        return hook

    def on_after_backward(self, model) -> None:
        self._step += 1
        if self.first is None:
            if self._forward_bad is not None:
                self._record(*self._forward_bad, "forward")
            else:
                for index in range(len(self._layers) - 1, -1, -1):          # the backward pass's order
                    grads = [p.grad for p in self._layers[index].parameters() if p.grad is not None]
                    kind = next(filter(None, map(_non_finite, grads)), None)
                    if kind:
                        self._record(index, kind, "gradient")
                        break
        self._forward_bad = None

    def _record(self, index: int, kind: str, where: str) -> None:
        m = self._layers[index]
        self.first = {"epoch": self._epoch, "step": self._step, "layer": index + 1,
                      "layer_name": f"L{index + 1} {m.in_features}->{m.out_features}", "where": where, "value": kind}

    def on_epoch_end(self, epoch: int, logs: dict, model) -> None:
        self._epoch, self._step = epoch + 1, 0

    def on_fit_end(self, history, model) -> None:
        for h in self._hooks:
            h.remove()
        self._hooks = []

    def __repr__(self) -> str:
        return f"NonFiniteWatch(first={self.first})"


def _non_finite(t) -> str | None:
    import torch
    if bool(torch.isfinite(t).all()):
        return None
    return "nan" if bool(torch.isnan(t).any()) else "inf"


class UpdateSize(Observer):
    """Per epoch, how far each Linear layer's weight matrix moved: ||W_e - W_{e-1}|| / ||W_{e-1}||.

    After ``fit``, ``sizes`` is a (layers, epochs) array. Under SGD a layer moves in proportion to its gradient;
    Adam divides each parameter's step by its own gradient scale, so small gradients still move."""

    def __init__(self):
        self.sizes = np.zeros((0, 0))
        self._rows: list[list[float]] = []
        self._layers = []
        self._before = []

    def on_fit_start(self, model, config) -> None:
        self._layers, self._rows = _linears(model), []
        self._before = [m.weight.detach().clone() for m in self._layers]

    def on_epoch_end(self, epoch: int, logs: dict, model) -> None:
        import torch
        row = []
        for i, m in enumerate(self._layers):
            w = m.weight.detach()
            row.append(float(torch.linalg.vector_norm(w - self._before[i]) / torch.linalg.vector_norm(self._before[i])))
            self._before[i] = w.clone()
        self._rows.append(row)

    def on_fit_end(self, history, model) -> None:
        self.sizes = np.array(self._rows, dtype=np.float64).T.reshape(len(self._layers), -1)
