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

from nnlab._validation import InvalidArgument, NotFittedError, check_int, check_positive

__all__ = ["Perceptron"]


class Perceptron:
    """A single linear threshold unit trained by the perceptron rule (scikit-learn-style estimator).

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
    """

    def __init__(self, lr: float = 0.1, max_epochs: int = 1000):
        self.lr = lr
        self.max_epochs = max_epochs

    def __repr__(self) -> str:
        return f"Perceptron(lr={self.lr}, max_epochs={self.max_epochs})"

    def fit(self, X, y) -> "Perceptron":
        """Learn w and b from ``X`` (n, d) and two-valued labels ``y`` (n,); returns self."""
        check_positive("lr", self.lr, "Perceptron")
        check_int("max_epochs", self.max_epochs, "Perceptron")
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y)
        if X.ndim != 2 or y.shape != (X.shape[0],) or X.shape[0] == 0:
            raise InvalidArgument(f"Perceptron.fit needs X of shape (n, d) and y of shape (n,) with n >= 1. "
                                  f"Got X {X.shape} and y {y.shape} instead.", "X")
        self.classes_ = np.unique(y)
        if len(self.classes_) > 2:
            raise InvalidArgument(f"Perceptron.fit needs at most two classes. Got {len(self.classes_)}: "
                                  f"{self.classes_.tolist()} instead.", "y")
        # -1/+1 targets; with a single class present, it is +1 only if it is literally +1
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
            raise NotFittedError("This Perceptron is not fitted yet; call fit(X, y) first.")
        return np.asarray(X, dtype=np.float64) @ self.coef_ + self.intercept_

    def predict(self, X) -> np.ndarray:
        """The original label of each row: the higher class where w . x + b > 0, else the lower."""
        positive = self.decision_function(X) > 0.0
        if len(self.classes_) == 2:
            return np.where(positive, self.classes_[1], self.classes_[0])
        return np.where(positive, 1, -1)

    def score(self, X, y) -> float:
        """Mean accuracy of ``predict(X)`` against ``y``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))
