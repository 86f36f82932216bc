"""Rosenblatt's perceptron learning algorithm, exactly as the seed's program runs it (NumPy, float64).

The seed's loop, for at most ``max_epochs`` epochs::

    for each sample (x, y) in order:
        y_hat = 1 if w . x + b > 0 else -1
        if y_hat != y:
            w += lr * (y - y_hat) * x
            b += lr * (y - y_hat)
    stop after the first epoch with no mistakes

with w = 0 and b = 0 at the start and lr = 0.1. On linearly separable data it converges (Novikoff's
theorem); on XOR no line exists, so it never stops making mistakes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.utils.multiclass import check_classification_targets

from nnlab._validation import InvalidArgument, NotFittedError, check_int, check_positive

__all__ = ["Perceptron", "PocketPerceptron", "perceptron_rule", "trace_updates", "UpdateTrace"]


class _NotFitted(NotFittedError, SklearnNotFittedError):
    """Used before ``fit``: nnlab's NotFittedError that scikit-learn's tools recognise as their own too."""


class Perceptron(ClassifierMixin, BaseEstimator):
    """A single linear threshold unit trained by the perceptron rule, as a scikit-learn estimator.

    ``get_params``/``set_params`` (from ``BaseEstimator``) let scikit-learn ``clone`` it, so it works inside
    ``GridSearchCV``, ``cross_val_score`` and pipelines; ``score`` is the mean accuracy (``ClassifierMixin``).
    It classifies two classes (binary only).

    Parameters
    ----------
    lr : float, default 0.1
        Learning rate (the seed's ``learning_rate``).
    max_epochs : int, default 1000
        Upper bound on passes over the data (the seed's ``max_iter``).

    Attributes (after ``fit``)
    --------------------------
    coef_ : (d,) float64, the weights w
    intercept_ : float, the bias b
    n_iter_ : int, epochs run (the last one is the mistake-free epoch when ``converged_``)
    errors_ : list[int], mistakes made in each epoch
    converged_ : bool, whether an epoch ran without a mistake
    classes_ : (2,) the original labels; the lower one plays -1 and the higher +1
    n_features_in_ : int, d
    """

    def __init__(self, lr: float = 0.1, max_epochs: int = 1000):
        self.lr = lr
        self.max_epochs = max_epochs

    def __repr__(self, N_CHAR_MAX: int = 700) -> str:
        return f"Perceptron(lr={self.lr}, max_epochs={self.max_epochs})"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False      # two classes at most
        return tags

    def _more_tags(self) -> dict:                     # the same, for scikit-learn before 1.6
        return {"binary_only": True}

    def fit(self, X, y) -> Perceptron:
        """Learn w and b from ``X`` (n, d) and two-valued labels ``y`` (n,); returns self."""
        X, target = self._prepare(X, y)
        w, b, self.errors_, self.converged_ = perceptron_rule(X, target, self.lr, self.max_epochs)
        self.coef_, self.intercept_, self.n_iter_ = w, b, len(self.errors_)
        return self

    def _prepare(self, X, y) -> tuple[np.ndarray, np.ndarray]:
        """Check the hyperparameters and the data; record ``classes_``; return X and the -1/+1 targets."""
        check_positive("lr", self.lr, type(self).__name__)
        check_int("max_epochs", self.max_epochs, type(self).__name__)
        X, y = _validate(self, X, y, reset=True)
        check_classification_targets(y)                # class labels, not real-valued targets
        self.classes_ = np.unique(y)
        if len(self.classes_) > 2:
            raise InvalidArgument(f"Only binary classification is supported: {type(self).__name__}.fit needs at "
                                  f"most two classes. Got {len(self.classes_)}: {self.classes_.tolist()} instead.",
                                  "y")
        # -1/+1 targets; with a single class present, it is +1 if it is above 0
        target = np.where(y == self.classes_[-1], 1, -1) if len(self.classes_) == 2 else np.where(y > 0, 1, -1)
        return X, target

    def decision_function(self, X) -> np.ndarray:
        """w . x + b for each row of ``X`` (n, d) -> (n,)."""
        if not hasattr(self, "coef_"):
            raise _NotFitted("This Perceptron is not fitted yet; call fit(X, y) first.")
        X = _validate(self, X, reset=False)
        return X @ self.coef_ + self.intercept_

    def predict(self, X) -> np.ndarray:
        """The original label of each row: the higher class where w . x + b > 0, else the lower."""
        positive = self.decision_function(X) > 0.0
        if len(self.classes_) == 2:
            return np.where(positive, self.classes_[1], self.classes_[0])
        return np.where(positive, 1, -1)


class PocketPerceptron(Perceptron):
    """The pocket algorithm (Gallant 1990, the "ratchet" form): the perceptron rule, exactly as ``Perceptron`` runs
    it, plus a pocket that keeps the weights with the highest training accuracy seen so far.

    After every update the new (w, b) is scored on the whole training set; it goes into the pocket only when it
    classifies strictly more points right than the pocket's weights (the pocket starts with w = 0, b = 0). On
    separable data the rule stops with every point right, so the pocket ends with the rule's last weights; on
    non-separable data the rule never settles and its last weights are whatever the last mistake left, while the
    pocket's are the best it visited. ``coef_`` and ``intercept_`` are the pocket's; the rule's own last weights
    are ``last_coef_`` and ``last_intercept_``.

    Attributes (after ``fit``), besides ``Perceptron``'s
    ---------------------------------------------------
    last_coef_, last_intercept_ : the plain rule's weights when it stopped
    pocket_accuracy_ : float, the pocket's training accuracy
    pocket_update_ : int, the update after which the pocket's weights were found (0: the starting w = 0, b = 0)
    n_updates_ : int, updates made in all
    """

    def __repr__(self, N_CHAR_MAX: int = 700) -> str:
        return f"PocketPerceptron(lr={self.lr}, max_epochs={self.max_epochs})"

    def fit(self, X, y) -> PocketPerceptron:
        """Learn the rule's weights and keep the best in the pocket; returns self."""
        X, target = self._prepare(X, y)
        n = len(target)
        # w = 0, b = 0 calls every point -1
        pocket = {"w": np.zeros(X.shape[1]), "b": 0.0, "right": int(np.count_nonzero(target < 0)),
                  "update": 0}
        count = [0]

        def keep_best(epoch, index, w, b):
            count[0] += 1
            right = int(np.count_nonzero(((X @ w + b) > 0.0) == (target > 0)))
            if right > pocket["right"]:
                pocket.update(w=w.copy(), b=float(b), right=right, update=count[0])

        w, b, self.errors_, self.converged_ = perceptron_rule(X, target, self.lr, self.max_epochs, keep_best)
        self.last_coef_, self.last_intercept_, self.n_iter_ = w, b, len(self.errors_)
        self.coef_, self.intercept_ = pocket["w"], pocket["b"]
        self.pocket_accuracy_ = pocket["right"] / n
        self.pocket_update_, self.n_updates_ = pocket["update"], count[0]
        return self


def perceptron_rule(X: np.ndarray, target: np.ndarray, lr: float, max_epochs: int, on_update=None):
    """The seed's loop on float64 ``X`` (n, d) and -1/+1 ``target`` (n,), from w = 0, b = 0.

    ``on_update(epoch, index, w, b)`` (optional) is called after every update with the epoch (from 1), the index of
    the sample that was wrong, and the new weights (``w`` is the live array: copy it to keep it).
    Returns (w, b, mistakes per epoch, converged)."""
    w = np.zeros(X.shape[1])
    b = 0.0
    errors = []
    converged = False
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for i, (xi, ti) in enumerate(zip(X, target)):
            y_hat = 1 if w @ xi + b > 0.0 else -1      # the step activation; 0 counts as -1
            if y_hat != ti:
                w += lr * (ti - y_hat) * xi           # (ti - y_hat) is +2 or -2
                b += lr * (ti - y_hat)
                mistakes += 1
                if on_update is not None:
                    on_update(epoch, i, w, b)
        errors.append(mistakes)
        if mistakes == 0:
            converged = True
            break
    return w, b, errors, converged


@dataclass(frozen=True)
class UpdateTrace:
    """Every line the rule drew: row 0 is the start (w = 0, b = 0), row k the weights after update k.

    weights : (U + 1, d);  bias : (U + 1,);  epoch, index : (U,) the epoch (from 1) and sample of update k
    errors : mistakes per epoch;  converged : whether an epoch ran without a mistake
    """
    weights: np.ndarray
    bias: np.ndarray
    epoch: np.ndarray
    index: np.ndarray
    errors: list
    converged: bool

    @property
    def n_updates(self) -> int:
        return len(self.epoch)


def trace_updates(X, y, lr: float = 0.1, max_epochs: int = 1000, max_updates: int = 100_000) -> UpdateTrace:
    """Run ``Perceptron(lr, max_epochs)`` on ``X``, ``y`` and record the weights after every update (the seed's
    Figure 4: the line after each update). The last row is the fitted ``coef_`` and ``intercept_``, bit for bit.
    Raises InvalidArgument when the run would record more than ``max_updates`` updates."""
    est = Perceptron(lr=lr, max_epochs=max_epochs)
    check_int("max_updates", max_updates, "trace_updates")
    X, target = est._prepare(X, y)
    rows, where = [(np.zeros(X.shape[1]), 0.0)], []

    def record(epoch, index, w, b):
        if len(where) >= max_updates:
            raise InvalidArgument(f"The 'max_updates' parameter of trace_updates must be larger: the run made more "
                                  f"than {max_updates} updates.", "max_updates")
        rows.append((w.copy(), float(b)))
        where.append((epoch, index))

    _, _, errors, converged = perceptron_rule(X, target, lr, max_epochs, record)
    where_array = np.array(where, dtype=np.int64).reshape(-1, 2)
    return UpdateTrace(np.array([r[0] for r in rows]), np.array([r[1] for r in rows]), where_array[:, 0],
                       where_array[:, 1], errors, converged)


def _validate(estimator, X, y="no y", *, reset: bool):
    """scikit-learn's input checks: ``X`` a finite 2-D float64 array (and ``y`` 1-D, of as many rows), the number
    of features recorded by ``fit`` (``reset``) and checked afterwards. A bad shape or value raises
    InvalidArgument with scikit-learn's message."""
    try:
        from sklearn.utils.validation import validate_data
    except ImportError:                                # scikit-learn before 1.6
        def validate_data(est, *args, **kwargs):
            return est._validate_data(*args, **kwargs)
    args = (X,) if isinstance(y, str) and y == "no y" else (X, y)      # fit passes y, even None
    try:
        return validate_data(estimator, *args, reset=reset, dtype=np.float64)
    except ValueError as err:
        if isinstance(err, InvalidArgument):
            raise
        raise InvalidArgument(str(err), "X") from None
