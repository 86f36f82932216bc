"""One meaning per number: what a run's final loss and accuracy are, and how every place writes them.

The **final** loss and accuracy of a training run are those of the finished model, in eval mode, on the whole
training set (``train_loss``, ``train_accuracy``) and on the whole test set (``test_loss``, ``test_accuracy``):
``History.final``. The CLI, ``history.json``, figure titles, the tour, the run store and sweeps all show these.

The per-epoch ``History.loss`` is something else: the mean, over an epoch's batches, of the loss computed before
each step. Where it is shown (progress bars, loss curves) it is labelled as the mean over the epoch's batches.

Every place writes a loss with 4 significant digits and an accuracy as a percentage with 2 decimals, so one run
shows the same digits everywhere.
"""
from __future__ import annotations

__all__ = ["loss_text", "accuracy_text", "metric_text", "final_text", "METRIC_NAMES"]

METRIC_NAMES = {"train_loss": "final training loss", "train_accuracy": "final training accuracy",
                "test_loss": "final test loss", "test_accuracy": "final test accuracy"}


def loss_text(x) -> str:
    """0.04261867 -> '0.04262'."""
    return "" if x is None else f"{x:.4g}"


def accuracy_text(x) -> str:
    """0.988 -> '98.80%'."""
    return "" if x is None else f"{x:.2%}"


def metric_text(name: str, value) -> str:
    """A metric by its name: accuracies as percentages, everything else (losses) with 4 significant digits."""
    if value is None:
        return ""
    if "accuracy" in name:
        return accuracy_text(value)
    return loss_text(value) if isinstance(value, float) else str(value)


def final_text(final: dict) -> str:
    """'final training loss 0.04262, final training accuracy 98.80%, ...' from ``History.final``."""
    return ", ".join(f"{METRIC_NAMES.get(k, k)} {metric_text(k, v)}" for k, v in final.items())
