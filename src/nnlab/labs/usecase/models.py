"""The models of the use case: nnlab's MLP and three scikit-learn baselines, behind one small interface.

Each entry of ``MODELS`` makes a fresh estimator with ``fit(X, y) -> self`` and ``predict_proba(X) -> (n, K)``
from the use case's settings, so every model sees the same folds and the same standardised features.
``NnlabMLP`` is a thin adapter: ``nnlab.build_mlp`` builds the network and ``nnlab.fit`` (the one training
loop) trains it.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["NnlabMLP", "ModelSpec", "MODELS"]


class NnlabMLP:
    """An nnlab MLP (ReLU, softmax cross-entropy, Adam) with the scikit-learn calling convention.

    ``hidden``: hidden layer widths; ``epochs``, ``batch_size``, ``lr``, ``l2`` (penalty l2/2 * sum W^2 on
    weights), ``seed`` (initial weights and batch order). Learned state: ``model_``, ``config_``, ``history_``.
    """

    def __init__(self, hidden=(32, 16), epochs: int = 200, batch_size: int = 32, lr: float = 1e-3,
                 l2: float = 1e-4, seed: int = 0):
        self.hidden, self.epochs, self.batch_size = hidden, epochs, batch_size
        self.lr, self.l2, self.seed = lr, l2, seed

    def fit(self, X: np.ndarray, y: np.ndarray) -> NnlabMLP:
        """X (n, d) standardised features, y (n,) class indices 0..K-1."""
        from nnlab.config import ModelConfig, TrainConfig
        from nnlab.nn import build_mlp
        from nnlab.training import fit
        self.config_ = ModelConfig(input_size=X.shape[1], hidden_sizes=tuple(self.hidden),
                                   output_size=int(y.max()) + 1)
        self.train_config_ = TrainConfig(optimizer="adam", lr=self.lr, epochs=self.epochs,
                                         batch_size=self.batch_size, l2=self.l2, seed=self.seed)
        self.model_ = build_mlp(self.config_, seed=self.seed)
        self.history_ = fit(self.model_, X, y, self.train_config_, task="classification")
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Softmax of the logits: (n, K)."""
        import torch
        self.model_.eval()
        with torch.no_grad():
            logits = self.model_(torch.as_tensor(np.asarray(X), dtype=torch.float32))
        return torch.softmax(logits, dim=1).double().numpy()

    def __repr__(self):
        return f"NnlabMLP(hidden={self.hidden}, epochs={self.epochs}, batch_size={self.batch_size}, lr={self.lr})"


class _Quiet:
    """A scikit-learn estimator whose fit does not warn about stopping at max_iter (the budget is deliberate)."""

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y):
        from sklearn.exceptions import ConvergenceWarning
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.estimator.fit(X, y)
        return self

    def predict_proba(self, X):
        return self.estimator.predict_proba(X)

    def __repr__(self):
        return repr(self.estimator)


@dataclass(frozen=True)
class ModelSpec:
    name: str
    title: str
    make: Callable            # (case, seed, quick) -> estimator
    description: str


def _nnlab(case, seed, quick):
    return NnlabMLP(case.hidden, case.quick_epochs if quick else case.epochs, case.batch_size, 1e-3, 1e-4, seed)


def _logistic(case, seed, quick):
    from sklearn.linear_model import LogisticRegression
    return _Quiet(LogisticRegression(C=1.0, max_iter=5000))


def _sk_mlp(case, seed, quick):
    from sklearn.neural_network import MLPClassifier
    return _Quiet(MLPClassifier(hidden_layer_sizes=case.hidden, alpha=1e-4, batch_size=case.batch_size,
                                learning_rate_init=1e-3, max_iter=case.quick_epochs if quick else case.epochs,
                                random_state=seed))


def _boosting(case, seed, quick):
    from sklearn.ensemble import HistGradientBoostingClassifier
    return HistGradientBoostingClassifier(max_iter=20 if quick else 200, learning_rate=0.1, early_stopping=False,
                                          random_state=seed)


MODELS: dict[str, ModelSpec] = {m.name: m for m in [
    ModelSpec("nnlab-mlp", "nnlab MLP", _nnlab, "nnlab.build_mlp + nnlab.fit: ReLU MLP, Adam (lr 1e-3), "
              "mini-batches, L2 1e-4, softmax cross-entropy"),
    ModelSpec("logistic-regression", "logistic regression", _logistic,
              "scikit-learn LogisticRegression (L2, C = 1, lbfgs)"),
    ModelSpec("sklearn-mlp", "scikit-learn MLP", _sk_mlp, "scikit-learn MLPClassifier with the same widths, "
              "batch size, learning rate, epochs and L2 (alpha 1e-4), Adam"),
    ModelSpec("gradient-boosting", "gradient boosting", _boosting,
              "scikit-learn HistGradientBoostingClassifier (200 rounds, 20 in quick mode; learning rate 0.1)"),
]}
