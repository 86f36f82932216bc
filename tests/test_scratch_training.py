"""Training with the from-scratch engines: the scalar engine on moons, the tensor engine and the hand-written
MLP on scikit-learn's 8 x 8 digits."""
import numpy as np
import pytest

from nnlab.data import make_dataset
from nnlab.scratch.gradcheck import relative_error
from nnlab.scratch.mlp import HandMLP
from nnlab.scratch.scalar_nn import ScalarMLP, fit_scalar
from nnlab.scratch.tensor_mlp import TensorMLP
from nnlab.scratch.train import accuracy, fit_arrays, load_digits_split, stratified_split

DIGITS_SIZES = (64, 64, 10)           # 64 pixels -> 64 ReLU -> 10 classes
DIGITS_TRAINING = {"optimizer": "adam", "lr": 3e-3, "epochs": 15, "batch_size": 32, "seed": 0}


def test_scalar_engine_fits_moons_to_100_percent_within_100_steps():
    # micrograd's demo set-up: 100 moons points, 2-16-16-1 ReLU, hinge loss + 1e-4 L2, full batch;
    # here with the from-scratch Adam (lr 0.05) and PyTorch's default initialisation.
    X, y = make_dataset("moons", n=100, noise=0.1, seed=0)
    model = ScalarMLP((2, 16, 16, 1), "relu", seed=0)
    history = fit_scalar(model, X, y, steps=100, loss="hinge", optimizer="adam", lr=0.05)
    assert history["accuracy"][-1] == 1.0 and history["steps"] < 100
    assert history["loss"][-1] < history["loss"][0]
    predictions = np.array([model(x)[0].data > 0 for x in X], dtype=np.int64)
    assert np.array_equal(predictions, y)


@pytest.fixture(scope="module")
def digits():
    return load_digits_split(test_fraction=0.3, seed=0)


@pytest.fixture(scope="module")
def trained(digits):
    X_train, X_test, y_train, y_test = digits
    out = {}
    for cls in (HandMLP, TensorMLP):
        model = cls(DIGITS_SIZES, "relu", seed=0)
        history = fit_arrays(model, X_train, y_train, **DIGITS_TRAINING)
        out[cls.__name__] = (model, history)
    return out


@pytest.mark.parametrize("engine", ["HandMLP", "TensorMLP"])
def test_engine_reaches_95_percent_test_accuracy_on_digits(engine, digits, trained):
    X_train, X_test, y_train, y_test = digits
    model, history = trained[engine]
    assert accuracy(model, X_test, y_test) >= 0.95
    assert history["loss"][-1] < 0.1 * history["loss"][0]


def test_hand_written_and_tensor_engine_train_along_the_same_path(trained):
    # Same initial weights, same batches, same optimizer: the two backward passes must agree at every step,
    # so after 15 epochs the weights still agree to rounding.
    (hand, h1), (tensor, h2) = trained["HandMLP"], trained["TensorMLP"]
    assert np.allclose(h1["loss"], h2["loss"], rtol=1e-9, atol=0)
    assert max(relative_error(a, b) for a, b in zip(hand.param_arrays(), tensor.param_arrays())) <= 1e-8


def test_digits_split_is_stratified_and_standardised(digits):
    X_train, X_test, y_train, y_test = digits
    assert X_train.shape[1] == 64 and len(X_train) + len(X_test) == 1797
    shares = np.bincount(y_test, minlength=10) / np.bincount(np.concatenate([y_train, y_test]), minlength=10)
    assert np.all(np.abs(shares - 0.3) < 0.01)
    assert np.allclose(X_train.mean(axis=0), 0.0, atol=1e-12)


def test_stratified_split_is_a_seeded_partition():
    y = np.repeat([0, 1, 2], [10, 20, 30])
    train, test = stratified_split(y, test_fraction=0.2, seed=5)
    assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(60))
    assert np.bincount(y[test]).tolist() == [2, 4, 6]
    again = stratified_split(y, test_fraction=0.2, seed=5)
    assert np.array_equal(again[0], train) and np.array_equal(again[1], test)
