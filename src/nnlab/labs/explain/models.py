"""The trained networks the lab looks inside: MLPs on 2-D tasks and on scikit-learn's bundled tabular sets.

Every model is built by ``nnlab.nn.build_mlp`` and trained by ``nnlab.training.fit``. ``train_tabular`` is the
one place that decides the breast-cancer and digits models; the rest of the lab only reads a ``Trained``.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nnlab.labs.explain.settings import Settings
from nnlab.training.observers import Observer

__all__ = ["Tabular", "TABULAR", "Trained", "train_tabular", "train_2d", "Snapshots"]


def _breast_cancer():
    from sklearn.datasets import load_breast_cancer
    d = load_breast_cancer()
    return d.data, d.target, [str(f) for f in d.feature_names], [str(t) for t in d.target_names]


def _digits():
    from sklearn.datasets import load_digits
    d = load_digits()
    names = [f"pixel ({r}, {c})" for r in range(8) for c in range(8)]
    return d.data, d.target, names, [str(k) for k in range(10)]


@dataclass(frozen=True)
class Tabular:
    """A registry entry: a data set shipped with scikit-learn and the MLP trained on it."""
    name: str
    load: Callable[[], tuple]          # () -> X (n, d), y (n,), feature names, class names
    hidden: tuple[int, ...]            # hidden widths of the relu MLP
    baseline: str                      # "mean": the training mean; "zero": the raw all-zero input (a blank image)
    image: tuple[int, int] | None      # features reshape to this image, or None
    description: str


TABULAR: dict[str, Tabular] = {t.name: t for t in [
    Tabular("breast-cancer", _breast_cancer, (32, 16), "mean", None,
            "Wisconsin breast cancer: 569 tumours, 30 measurements, malignant (0) or benign (1)"),
    Tabular("digits", _digits, (64, 32), "zero", (8, 8),
            "handwritten digits: 1797 images of 8 x 8 pixels (0..16), ten classes"),
]}


@dataclass
class Trained:
    """A trained classifier and the data it saw, in the model's (standardised) input space."""
    name: str
    model: object                      # nnlab.nn.MLP, float32, eval mode
    X_train: np.ndarray                # (n_train, d), standardised with the training statistics
    y_train: np.ndarray                # (n_train,) class indices
    X_test: np.ndarray                 # (n_test, d)
    y_test: np.ndarray                 # (n_test,)
    feature_names: list[str]
    class_names: list[str]
    baseline: np.ndarray               # (d,) the reference input of integrated gradients, model space
    scaler: object                     # nnlab.data.Standardizer fitted on the training data
    test_accuracy: float
    history: object = field(repr=False, default=None)
    image: tuple[int, int] | None = None


def train_tabular(name: str, settings: Settings, observers=()) -> Trained:
    """Train the relu MLP of ``TABULAR[name]`` with full-batch Adam (lr 3e-3); 25 % of the data held out.

    The split, scaling and initial weights follow ``settings.seed``; ``observers`` go to ``fit``.
    """
    import torch

    from nnlab.config import ModelConfig, TrainConfig
    from nnlab.data import Standardizer, train_test_split
    from nnlab.nn import build_mlp
    from nnlab.training import evaluate, fit

    spec = TABULAR[name]
    X, y, features, classes = spec.load()
    # 1) split, then scale with the training statistics only
    X_train, X_test, y_train, y_test = train_test_split(X, y.astype(np.int64), 0.25, seed=settings.seed)
    scaler = Standardizer().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    baseline = np.zeros(X.shape[1]) if spec.baseline == "mean" else scaler.transform(np.zeros((1, X.shape[1])))[0]
    # 2) build and train through the one loop
    model = build_mlp(ModelConfig(input_size=X.shape[1], hidden_sizes=spec.hidden, output_size=len(classes)),
                      seed=settings.seed)
    history = fit(model, X_train, y_train, TrainConfig(lr=3e-3, epochs=settings.epochs_tabular, seed=settings.seed),
                  task="classification", observers=observers)
    model.eval()
    with torch.no_grad():
        accuracy = evaluate(model, X_test, y_test)["accuracy"]
    return Trained(name, model, X_train, y_train, X_test, y_test, features, classes, baseline, scaler,
                   accuracy, history, spec.image)


class Snapshots(Observer):
    """Copies of the model at chosen epochs (0 = before the first step): ``models_`` maps epoch -> model."""

    def __init__(self, epochs):
        self.epochs = set(epochs)
        self.models_: dict[int, object] = {}

    def on_fit_start(self, model, config) -> None:
        if 0 in self.epochs:
            self.models_[0] = copy.deepcopy(model).eval()

    def on_epoch_end(self, epoch: int, logs: dict, model) -> None:
        if epoch in self.epochs:
            self.models_[epoch] = copy.deepcopy(model).eval()


def train_2d(task: str, settings: Settings, observers=()) -> Trained:
    """Train a tanh MLP (``settings.hidden_2d``) on 2-D task ``task`` with full-batch Adam, lr 0.03; 30 % held
    out. Labels become class indices 0..K-1; the inputs are standardised (neuron maps undo it for drawing)."""
    from nnlab.config import ModelConfig, TrainConfig
    from nnlab.data import Standardizer, make_dataset, to_class_indices, train_test_split
    from nnlab.nn import build_mlp
    from nnlab.training import evaluate, fit

    X, labels = make_dataset(task, seed=settings.seed)
    y, classes = to_class_indices(labels)
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.3, seed=settings.seed)
    scaler = Standardizer().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    model = build_mlp(ModelConfig(hidden_sizes=settings.hidden_2d, activation="tanh", output_size=len(classes)),
                      seed=settings.seed)
    history = fit(model, X_train, y_train, TrainConfig(lr=0.03, epochs=settings.epochs_2d, seed=settings.seed),
                  task="classification", observers=observers)
    model.eval()
    accuracy = evaluate(model, X_test, y_test)["accuracy"]
    return Trained(task, model, X_train, y_train, X_test, y_test, ["x1", "x2"], [str(c) for c in classes],
                   np.zeros(2), scaler, accuracy, history)
