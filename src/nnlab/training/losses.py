"""The LOSSES registry: how outputs are scored against labels, and how outputs become class predictions.

Each entry holds its functions, so adding a loss is one entry (every engine that supports it reads them):

- ``targets(y, outputs)``: labels (class indices or regression targets, a torch tensor) -> what the outputs are
  scored against; ``numpy_targets`` is the same function in NumPy, for the fast engine (which imports no torch).
- ``value(out, targets)``: the mean loss over a batch (0-d); ``stacked_value(out, targets)``: the same for K models
  at once, outputs (K, o, b) feature-major and the targets stacked likewise, -> (K,) each model's mean loss.
- ``predict(out)``: outputs (n, o) -> class indices (n,); ``stacked_predict``: (K, o, b) -> (K, b).
- ``output_size(task, n_classes)``: how many outputs a model needs; ``classes``: the class count it needs, if any.

Importing this module does not import torch; the functions below import it when called.

- ``cross-entropy``: K logits, softmax cross-entropy against class indices (the seed's loss).
- ``bce``: one logit, sigmoid + binary cross-entropy against 0/1 labels (two classes only).
- ``mse``: mean squared error. Regression: one output against the target. Classification: one output against
  -1/+1 for two classes (TensorFlow Playground's setting), else K outputs against one-hot vectors.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnlab._validation import InvalidArgument
from nnlab.names import LOSS_NAMES, check_registry

__all__ = ["Loss", "LOSSES", "output_size_for", "check_compatible"]


# --- the shared prediction rule: one output > 0 means class 1 (bce logit, mse's +1); else the largest output
def _predict(outputs):
    """(n, o) outputs -> (n,) class indices."""
    if outputs.shape[1] == 1:
        return (outputs[:, 0] > 0).long()
    return outputs.argmax(dim=1)


def _stacked_predict(outputs):
    """(K, o, b) outputs -> (K, b) class indices."""
    return (outputs[:, 0] > 0).long() if outputs.shape[1] == 1 else outputs.max(dim=1).indices  # = argmax, faster


@dataclass(frozen=True)
class Loss:
    """One loss: its name, formula, the tasks it serves, and its functions (see the module docstring)."""
    name: str
    formula: str
    tasks: tuple[str, ...]
    targets: Callable
    numpy_targets: Callable
    value: Callable
    stacked_value: Callable
    output_size: Callable[[str, int], int]
    predict: Callable = _predict
    stacked_predict: Callable = _stacked_predict
    classes: int | None = None

    def __repr__(self) -> str:
        return f"Loss({self.name!r}: {self.formula})"


# --- cross-entropy
def _ce_targets(y, outputs: int):
    return y.long()                                                     # (n,) class indices


def _ce_numpy_targets(y, outputs: int):
    return np.asarray(y).astype(np.int64)


def _ce_value(outputs, targets):
    import torch.nn.functional as F
    return F.cross_entropy(outputs, targets)


def _ce_stacked_value(outputs, targets):
    import torch.nn.functional as F
    return F.cross_entropy(outputs, targets, reduction="none").mean(1)  # targets (K, b)


# --- binary cross-entropy on one logit
def _bce_targets(y, outputs: int):
    return y.float().unsqueeze(1)                                       # (n, 1) in {0, 1}


def _bce_numpy_targets(y, outputs: int):
    return np.asarray(y).astype(np.float32)[:, None]


def _bce_value(outputs, targets):
    import torch.nn.functional as F
    return F.binary_cross_entropy_with_logits(outputs, targets)


def _bce_stacked_value(outputs, targets):
    import torch.nn.functional as F
    return F.binary_cross_entropy_with_logits(outputs, targets, reduction="none").flatten(1).mean(1)


# --- mean squared error: regression targets, -1/+1 for one output, else one-hot
def _mse_targets(y, outputs: int):
    import torch
    if y.dtype.is_floating_point:                                       # regression
        return y.float().reshape(-1, outputs)
    if outputs == 1:
        return (2.0 * y.float() - 1.0).unsqueeze(1)                     # (n, 1) in {-1, +1}
    return torch.nn.functional.one_hot(y.long(), outputs).float()       # (n, K)


def _mse_numpy_targets(y, outputs: int):
    y = np.asarray(y)
    if np.issubdtype(y.dtype, np.floating):
        return y.astype(np.float32).reshape(-1, outputs)
    if outputs == 1:
        return (2.0 * y.astype(np.float32) - 1.0)[:, None]
    return np.eye(outputs, dtype=np.float32)[y.astype(np.int64)]


def _mse_value(outputs, targets):
    import torch.nn.functional as F
    return F.mse_loss(outputs, targets)


def _mse_stacked_value(outputs, targets):
    import torch.nn.functional as F
    return F.mse_loss(outputs, targets, reduction="none").flatten(1).mean(1)


def _one_output(task: str, n_classes: int) -> int:
    return 1


def _mse_outputs(task: str, n_classes: int) -> int:
    return 1 if task == "regression" or n_classes == 2 else n_classes


def _class_outputs(task: str, n_classes: int) -> int:
    return n_classes


LOSSES: dict[str, Loss] = {l.name: l for l in [
    Loss("cross-entropy", "-log softmax(z)_y", ("classification",), _ce_targets, _ce_numpy_targets, _ce_value,
         _ce_stacked_value, _class_outputs),
    Loss("bce", "-[y log s(z) + (1 - y) log(1 - s(z))]", ("classification",), _bce_targets, _bce_numpy_targets,
         _bce_value, _bce_stacked_value, _one_output, classes=2),
    Loss("mse", "(z - y)^2", ("classification", "regression"), _mse_targets, _mse_numpy_targets, _mse_value,
         _mse_stacked_value, _mse_outputs),
]}


def output_size_for(loss: str, task: str, n_classes: int) -> int:
    """How many outputs a model needs for this loss on this task."""
    return 1 if task == "regression" else LOSSES[loss].output_size(task, n_classes)


def check_compatible(loss: str, task: str, n_classes: int, output_size: int) -> None:
    """Raise InvalidArgument if the loss cannot train this model on this data."""
    spec = LOSSES[loss]
    if task not in spec.tasks:
        allowed = sorted(name for name, l in LOSSES.items() if task in l.tasks)
        raise InvalidArgument(f"The 'loss' parameter must be one of {allowed} for a {task} data set. "
                              f"Got {loss!r} instead.", "loss")
    if spec.classes is not None and n_classes != spec.classes:
        raise InvalidArgument(f"The 'loss' parameter {loss!r} needs exactly {spec.classes} classes; the data has "
                              f"{n_classes}. Use 'cross-entropy'.", "loss")
    need = output_size_for(loss, task, n_classes)
    if output_size != need:
        raise InvalidArgument(f"The 'output_size' parameter of ModelConfig must be {need} for loss {loss!r} "
                              f"on this data. Got {output_size!r} instead.", "output_size", owner="ModelConfig")

check_registry("nnlab.training.LOSSES", LOSSES, LOSS_NAMES)
