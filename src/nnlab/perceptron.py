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

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.utils.multiclass import check_classification_targets

from nnlab._validation import InvalidArgument, NotFittedError, check_int, check_positive

__all__ = ["Perceptron"]


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

    def fit(self, X, y) -> "Perceptron":
        """Learn w and b from ``X`` (n, d) and two-valued labels ``y`` (n,); returns self."""
        check_positive("lr", self.lr, "Perceptron")
        check_int("max_epochs", self.max_epochs, "Perceptron")
        X, y = _validate(self, X, y, reset=True)
        check_classification_targets(y)                # class labels, not real-valued targets
        self.classes_ = np.unique(y)
        if len(self.classes_) > 2:
            raise InvalidArgument(f"Only binary classification is supported: Perceptron.fit needs at most two "
                                  f"classes. Got {len(self.classes_)}: {self.classes_.tolist()} instead.", "y")
        # -1/+1 targets; with a single class present, it is +1 if it is above 0
        target = np.where(y == self.classes_[-1], 1, -1) if len(self.classes_) == 2 else np.where(y > 0, 1, -1)
        w = np.zeros(X.shape[1])
        b = 0.0
        self.errors_ = []
        self.converged_ = False
        for _ in range(self.max_epochs):
            mistakes = 0
            for xi, ti in zip(X, target):
                y_hat = 1 if w @ xi + b > 0.0 else -1      # the step activation; 0 counts as -1
                if y_hat != ti:
                    w += self.lr * (ti - y_hat) * xi       # (ti - y_hat) is +2 or -2
                    b += self.lr * (ti - y_hat)
                    mistakes += 1
            self.errors_.append(mistakes)
            if mistakes == 0:
                self.converged_ = True
                break
        self.coef_, self.intercept_, self.n_iter_ = w, b, len(self.errors_)
        return self

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
