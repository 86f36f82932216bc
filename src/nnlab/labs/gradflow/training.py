"""Deep nets trained on the seed's circle data through ``nnlab.fit``, watched layer by layer.

Three studies share one runner (``train_net``):
- ``compare``: the plain sigmoid net against the same net with relu + He, with batch norm and with residual
  connections, all with plain SGD at one learning rate;
- ``adam_study``: the plain sigmoid net with SGD and with Adam, at a moderate depth and at full depth;
- ``explode_study``: relu nets with a too-large init and with a too-large learning rate, full-batch SGD, until
  the first non-finite value.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from nnlab.labs.gradflow.settings import Settings

__all__ = ["Net", "NETS", "Trained", "load_data", "train_net", "compare", "adam_study", "explode_study"]


@dataclass(frozen=True)
class Net:
    """One architecture of the comparison; ``hidden_layers`` of ``width`` are set when it is built."""
    name: str
    activation: str
    init: str = "pytorch"
    batch_norm: bool = False
    residual: bool = False
    init_std: float = 0.01

    def config(self, depth: int, width: int, inputs: int = 2, outputs: int = 2):
        from nnlab.config import ModelConfig
        return ModelConfig(input_size=inputs, hidden_sizes=(width,) * depth, activation=self.activation,
                           output_size=outputs, init=self.init, init_std=self.init_std,
                           batch_norm=self.batch_norm, residual=self.residual)


NETS = (Net("sigmoid", "sigmoid"),
        Net("relu + he", "relu", init="he"),
        Net("sigmoid + batch norm", "sigmoid", batch_norm=True),
        Net("sigmoid + residual", "sigmoid", residual=True))


@dataclass
class Trained:
    """One finished run: what it was, its History and what the observers saw."""
    name: str
    optimizer: str
    lr: float
    depth: int
    history: object = field(repr=False)
    grad_norms: np.ndarray = field(repr=False)          # (layers, epochs), GradientCapture.norms
    layer_names: list[str] = field(repr=False)
    update_sizes: np.ndarray = field(repr=False)        # (layers, epochs), UpdateSize.sizes
    non_finite: dict | None = None                      # NonFiniteWatch.first

    def grad_ratio(self, epoch: int) -> float:
        """First Linear layer's gradient norm over the last (the head's) in ``epoch`` (1-based; -1 = last)."""
        column = self.grad_norms[:, epoch - 1 if epoch > 0 else epoch]
        return float(column[0] / column[-1]) if column[-1] > 0 else float("nan")

    def summary(self, learned_accuracy: float) -> dict:
        h = self.history
        with np.errstate(divide="ignore", invalid="ignore"):      # a frozen head or a NaN run: reported as null
            moved = float(np.mean(self.update_sizes[0]) / np.mean(self.update_sizes[-1]))
        test_acc = h.final.get("test_accuracy")
        return {"optimizer": self.optimizer, "lr": self.lr, "depth": self.depth, "epochs_run": h.epochs_run,
                "final_loss": h.final.get("train_loss"), "train_accuracy": h.final.get("train_accuracy"),
                "test_accuracy": test_acc, "learned": bool(test_acc is not None and test_acc >= learned_accuracy),
                "grad_ratio_first_last_epoch1": _finite_or_none(self.grad_ratio(1)),
                "grad_ratio_first_last_final": _finite_or_none(self.grad_ratio(-1)),
                "update_ratio_first_last_mean": _finite_or_none(moved),
                "diverged": h.diverged, "non_finite": self.non_finite}


def _finite_or_none(x: float):
    return x if math.isfinite(x) else None


def load_data(s: Settings):
    """The seed's circle data (1000 points, r ~ U[0, 2), class 1 when r >= 1), split with seed 0."""
    from nnlab.config import DataConfig
    from nnlab.data.prepare import prepare
    return prepare(DataConfig(dataset="seed-circle", test_fraction=s.test_fraction, seed=0))


def train_net(net: Net, data, *, depth: int, width: int, optimizer: str, lr: float, epochs: int,
              batch_size: int | None, seed: int = 0) -> Trained:
    """Build ``net`` (``build_mlp``, ``seed``) and train it with ``nnlab.fit`` under GradientCapture, UpdateSize
    and NonFiniteWatch. ``batch_size`` None is full batch."""
    from nnlab.config import TrainConfig
    from nnlab.labs.gradflow.observers import NonFiniteWatch, UpdateSize
    from nnlab.nn import build_mlp
    from nnlab.training import GradientCapture, fit

    model = build_mlp(net.config(depth, width, data.n_features, data.n_classes), seed=seed)
    grads, updates, watch = GradientCapture(), UpdateSize(), NonFiniteWatch()
    config = TrainConfig(optimizer=optimizer, lr=lr, epochs=epochs, batch_size=batch_size, seed=seed)
    history = fit(model, data.X_train, data.y_train, config, X_test=data.X_test, y_test=data.y_test,
                  observers=[grads, updates, watch])
    return Trained(net.name, optimizer, lr, depth, history, grads.norms, grads.layer_names, updates.sizes,
                   watch.first)


def compare(s: Settings, data, progress=lambda message: None) -> list[Trained]:
    """Every net of NETS at ``s.depth`` x ``s.train_width``, plain SGD at ``s.lr``, mini-batches of ``s.batch_size``."""
    runs = []
    for net in NETS:
        progress(f"SGD: {net.name}")
        runs.append(train_net(net, data, depth=s.depth, width=s.train_width, optimizer="sgd", lr=s.lr,
                              epochs=s.epochs, batch_size=s.batch_size))
    return runs


def adam_study(s: Settings, data, progress=lambda message: None, reuse: Trained | None = None) -> list[Trained]:
    """The plain sigmoid net at ``s.adam_depth`` and ``s.depth`` hidden layers, with SGD and with Adam. ``reuse``:
    compare's SGD run of that net at ``s.depth``, the same run, not trained twice."""
    runs = []
    for depth in dict.fromkeys((s.adam_depth, s.depth)):
        for optimizer, lr in (("sgd", s.lr), ("adam", s.adam_lr)):
            if reuse is not None and (reuse.name, reuse.optimizer, reuse.lr, reuse.depth) == (
                    NETS[0].name, optimizer, lr, depth):
                runs.append(reuse)
                continue
            progress(f"{optimizer}: sigmoid, depth {depth}")
            runs.append(train_net(NETS[0], data, depth=depth, width=s.train_width, optimizer=optimizer, lr=lr,
                                  epochs=s.epochs, batch_size=s.batch_size))
    return runs


EXPLODE_SCENARIOS = ("too-large init", "too-large learning rate")


def explode_study(s: Settings, data, progress=lambda message: None) -> list[Trained]:
    """relu nets, full-batch SGD: init N(0, explode_init_std^2) at ``s.lr``, and He init at ``s.explode_lr``."""
    runs = []
    for scenario, net, lr in ((EXPLODE_SCENARIOS[0], Net("relu", "relu", "normal", init_std=s.explode_init_std), s.lr),
                              (EXPLODE_SCENARIOS[1], Net("relu + he", "relu", "he"), s.explode_lr)):
        progress(f"exploding: {scenario}")
        run = train_net(net, data, depth=s.depth, width=s.train_width, optimizer="sgd", lr=lr,
                        epochs=s.explode_epochs, batch_size=None)
        run.name = scenario
        runs.append(run)
    return runs
