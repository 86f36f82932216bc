"""The regularisers of the lab, one registry entry each, and trials: a regulariser (or several) at given strengths.

Each entry sets fields of the ModelConfig or TrainConfig that the one training loop, ``nnlab.fit``, reads:

==============  ==========================================  ===============================================
name            what it sets                                the strength
==============  ==========================================  ===============================================
l2              TrainConfig.l2: penalty l2/2 sum W^2        l2, the weight-decay rate (gradient l2 W)
l1              TrainConfig.l1: penalty l1 sum |W|          l1 (gradient l1 sign W)
dropout         ModelConfig.dropout                         the drop probability p
early-stopping  TrainConfig.early_stopping                  the patience in epochs (smaller stops sooner)
augment         TrainConfig.augment_jitter (2-D data) or    input noise std, or largest shift in pixels
                TrainConfig.augment_shift (images)
batch-norm      ModelConfig.batch_norm                      none (on)
==============  ==========================================  ===============================================
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Regularizer", "REGULARIZERS", "Trial", "label", "configs"]

Trial = tuple[tuple[str, float], ...]      # ((name, strength), ...); () is the network without regularisation


@dataclass(frozen=True)
class Regularizer:
    name: str
    description: str
    strength: str                                    # what the strength means
    apply: Callable[[dict, dict, float, object], None]   # (model fields, train fields, strength, task)

    def __repr__(self) -> str:
        return f"Regularizer({self.name!r}: {self.description})"


def _set(section: str, key: str, cast=float):
    def apply(model: dict, train: dict, strength: float, task) -> None:
        (model if section == "model" else train)[key] = cast(strength)
    return apply


def _augment(model: dict, train: dict, strength: float, task) -> None:
    train["augment_jitter" if task.augment == "jitter" else "augment_shift"] = float(strength)


def _batch_norm(model: dict, train: dict, strength: float, task) -> None:
    model["batch_norm"] = True


REGULARIZERS: dict[str, Regularizer] = {r.name: r for r in [
    Regularizer("l2", "L2 penalty (weight decay) on the weight matrices", "l2", _set("train", "l2")),
    Regularizer("l1", "L1 penalty on the weight matrices", "l1", _set("train", "l1")),
    Regularizer("dropout", "dropout after every hidden activation", "p", _set("model", "dropout")),
    Regularizer("early-stopping", "stop when the validation loss stalls, keep the best epoch's weights",
                "patience", _set("train", "early_stopping", int)),
    Regularizer("augment", "fresh random inputs every epoch: noise on 2-D points, small shifts of images",
                "std / pixels", _augment),
    Regularizer("batch-norm", "batch norm before every hidden activation", "", _batch_norm),
]}


def label(trial: Trial) -> str:
    """'none', 'l2 0.001', 'l2 0.001 + dropout 0.3', 'batch-norm'."""
    if not trial:
        return "none"
    return " + ".join(name if name == "batch-norm" else f"{name} {strength:g}" for name, strength in trial)


def configs(task, hidden: tuple[int, ...], trial: Trial, seed: int, epochs: int, optimizer: str = "adam",
            lr: float | None = None):
    """(ModelConfig, TrainConfig) of ``task``'s network with ``hidden`` layers under ``trial``; full batch."""
    from nnlab.config import ModelConfig, TrainConfig
    model = {"input_size": task.input_size, "hidden_sizes": hidden, "output_size": task.classes}
    train = {"optimizer": optimizer, "lr": task.lr if lr is None else lr, "epochs": epochs, "seed": seed}
    for name, strength in trial:
        REGULARIZERS[name].apply(model, train, strength, task)
    return ModelConfig(**model), TrainConfig(**train)
