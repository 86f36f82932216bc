"""Training the array engines (``HandMLP``, ``TensorMLP``): one mini-batch loop, accuracy, and the digits task.

A model here is anything with ``param_arrays() -> [arrays]`` (updated in place by the optimizer),
``loss_and_grads(X, y) -> (loss, [grads])`` and ``predict(X) -> class indices``. Torch models are trained
by ``nnlab.fit``; this loop exists because the from-scratch engines have no torch parameters.
"""
from __future__ import annotations

import numpy as np

from nnlab._validation import check_fraction, check_int
from nnlab.scratch.optim import make_scratch_optimizer

__all__ = ["fit_arrays", "accuracy", "stratified_split", "load_digits_split"]


def fit_arrays(model, X: np.ndarray, y: np.ndarray, optimizer: str = "adam", lr: float = 1e-3,
               epochs: int = 20, batch_size: int | None = 32, seed: int = 0) -> dict:
    """Mini-batch training with a from-scratch optimizer. Returns {"loss": mean training loss per epoch}.

    Each epoch: 1) a seeded permutation of the samples; 2) per batch: loss and gradients, one optimizer step.
    ``batch_size=None`` is full batch. ``X`` (n, d), ``y`` (n,) class indices.
    """
    check_int("epochs", epochs, "fit_arrays")
    if batch_size is not None:
        check_int("batch_size", batch_size, "fit_arrays")
    opt = make_scratch_optimizer(optimizer, model.param_arrays(), lr)
    rng = np.random.default_rng(seed)
    n = len(X)
    size = n if batch_size is None else batch_size
    history: dict = {"loss": []}
    for _ in range(epochs):
        order = rng.permutation(n)                                     # 1)
        total = 0.0
        for start in range(0, n, size):                                # 2)
            batch = order[start:start + size]
            loss, grads = model.loss_and_grads(X[batch], y[batch])
            opt.step(grads)
            total += loss * len(batch)
        history["loss"].append(total / n)
    return history


def accuracy(model, X: np.ndarray, y: np.ndarray) -> float:
    """Share of samples whose predicted class equals ``y``."""
    return float(np.mean(model.predict(X) == y))


def stratified_split(y: np.ndarray, test_fraction: float = 0.3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Train and test indices with each class split in the same proportion.

    For every class c (in sorted order): a seeded permutation of its samples, the first
    ``round(n_c * test_fraction)`` go to test. Both index arrays come back sorted.
    """
    check_fraction("test_fraction", test_fraction, "stratified_split")
    check_int("seed", seed, "stratified_split", minimum=0)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        cut = int(round(len(members) * test_fraction))
        test.append(members[:cut])
        train.append(members[cut:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def load_digits_split(test_fraction: float = 0.3, seed: int = 0):
    """scikit-learn's bundled 8 x 8 digits (1797 images, 10 classes), split and standardised.

    Stratified split (``stratified_split``), then ``nnlab.data.Standardizer`` fitted on the training
    images only. Returns X_train (n_train, 64), X_test (n_test, 64), y_train, y_test (class indices 0..9).
    """
    from sklearn.datasets import load_digits

    from nnlab.data import Standardizer
    digits = load_digits()
    X, y = digits.data.astype(np.float64), digits.target.astype(np.int64)
    train, test = stratified_split(y, test_fraction, seed)
    scaler = Standardizer().fit(X[train])
    return scaler.transform(X[train]), scaler.transform(X[test]), y[train], y[test]
