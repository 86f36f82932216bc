"""The K trials' data stacked for the batched engine, and its evaluation of K models at once."""
from __future__ import annotations

import numpy as np
import torch

from nnlab.sweeps.batched_model import StackedMLP
from nnlab.training.losses import Loss

__all__ = ["StackedData", "evaluate_stacked"]


class StackedData:
    """The K trials' arrays stacked feature-major: X (K, d, n) float32, y (K, n), targets (K, n) class indices
    for cross-entropy, else (K, o, n): ``spec.targets`` of each trial, as ``fit`` builds them."""

    def __init__(self, Xs, ys, spec: Loss, outputs: int, classify: bool):
        X = torch.stack([torch.as_tensor(np.asarray(x)).to(torch.float32) for x in Xs])       # (K, n, d)
        self.X = X.transpose(1, 2).contiguous()                                                # (K, d, n)
        self.y = torch.stack([torch.as_tensor(np.asarray(y)).to(torch.int64 if classify else torch.float32)
                              for y in ys])                                                    # (K, n)
        targets = torch.stack([spec.targets(y, outputs) for y in self.y])                     # (K, n[, o])
        self.targets = targets if targets.dim() == 2 else targets.transpose(1, 2).contiguous()

    def __repr__(self) -> str:
        K, d, n = self.X.shape
        return f"StackedData(K={K}, d={d}, n={n})"

    def columns(self, idx: torch.Tensor, X: torch.Tensor | None = None):
        """The points ``idx`` (K, b) of each trial: X (K, d, b) (of ``X``, default the inputs), targets, y (K, b)."""
        def take(t):
            if t.dim() == 2:
                return t.gather(1, idx)
            return t.gather(2, idx.unsqueeze(1).expand(-1, t.shape[1], -1))
        return take(self.X if X is None else X), take(self.targets), take(self.y)


def evaluate_stacked(net: StackedMLP, data: StackedData, spec: Loss, classify: bool):
    """Each trial's loss (and accuracy) on ``data``, as ``nnlab.training.evaluate`` computes it: lists of K."""
    with torch.no_grad():
        out = net.forward(data.X)
        losses = spec.stacked_value(out, data.targets).tolist()
        acc = (spec.stacked_predict(out) == data.y).float().mean(1).tolist() if classify else None
    return losses, acc

