"""The LOSSES registry: how outputs are scored against labels, and how outputs become class predictions.

Importing this module does not import torch; the functions below import it when called.

- ``cross-entropy``: K logits, softmax cross-entropy against class indices (the seed's loss).
- ``bce``: one logit, sigmoid + binary cross-entropy against 0/1 labels (two classes only).
- ``mse``: mean squared error. Regression: one output against the target. Classification: one output against
  -1/+1 for two classes (TensorFlow Playground's setting), else K outputs against one-hot vectors.
"""
from __future__ import annotations

from dataclasses import dataclass

from nnlab._validation import InvalidArgument

__all__ = ["Loss", "LOSSES", "output_size_for", "check_compatible"]


@dataclass(frozen=True)
class Loss:
    name: str
    formula: str
    tasks: tuple[str, ...]     # which tasks it serves

    def targets(self, y, output_size: int):
        """Labels (class indices or regression targets, a torch tensor) -> what the outputs are scored against."""
        import torch
        if self.name == "cross-entropy":
            return y.long()
        if self.name == "bce":
            return y.float().unsqueeze(1)                                # (n, 1) in {0, 1}
        if y.dtype.is_floating_point:                                    # mse, regression
            return y.float().reshape(-1, output_size)
        if output_size == 1:
            return (2.0 * y.float() - 1.0).unsqueeze(1)                  # (n, 1) in {-1, +1}
        return torch.nn.functional.one_hot(y.long(), output_size).float()   # (n, K)

    def value(self, outputs, targets):
        """The mean loss over the batch (a 0-d tensor)."""
        import torch.nn.functional as F
        if self.name == "cross-entropy":
            return F.cross_entropy(outputs, targets)
        if self.name == "bce":
            return F.binary_cross_entropy_with_logits(outputs, targets)
        return F.mse_loss(outputs, targets)

    def predict(self, outputs):
        """Outputs -> predicted class indices (n,)."""
        if outputs.shape[1] == 1:   # bce logit > 0 means class 1; mse output > 0 means +1 (index 1)
            return (outputs[:, 0] > 0).long()
        return outputs.argmax(dim=1)


LOSSES: dict[str, Loss] = {l.name: l for l in [
    Loss("cross-entropy", "-log softmax(z)_y", ("classification",)),
    Loss("bce", "-[y log s(z) + (1 - y) log(1 - s(z))]", ("classification",)),
    Loss("mse", "(z - y)^2", ("classification", "regression")),
]}


def output_size_for(loss: str, task: str, n_classes: int) -> int:
    """How many outputs a model needs for this loss on this task."""
    if task == "regression" or loss == "bce":
        return 1
    if loss == "mse" and n_classes == 2:
        return 1
    return n_classes


def check_compatible(loss: str, task: str, n_classes: int, output_size: int) -> None:
    """Raise InvalidArgument if the loss cannot train this model on this data."""
    spec = LOSSES[loss]
    if task not in spec.tasks:
        allowed = sorted(name for name, l in LOSSES.items() if task in l.tasks)
        raise InvalidArgument(f"The 'loss' parameter must be one of {allowed} for a {task} data set. "
                              f"Got {loss!r} instead.", "loss")
    if loss == "bce" and n_classes != 2:
        raise InvalidArgument(f"The 'loss' parameter 'bce' needs exactly 2 classes; the data has {n_classes}. "
                              "Use 'cross-entropy'.", "loss")
    need = output_size_for(loss, task, n_classes)
    if output_size != need:
        raise InvalidArgument(f"The 'output_size' parameter of ModelConfig must be {need} for loss {loss!r} "
                              f"on this data. Got {output_size!r} instead.", "output_size", owner="ModelConfig")
