import numpy as np
import pytest

from nnlab._validation import InvalidArgument, NotFittedError
from nnlab.data import make_seed_linear, make_xor4
from nnlab.perceptron import Perceptron


def test_hand_worked_two_sample_example():
    # Samples, in order: a = (1, 0) with y = +1, b = (0, 1) with y = -1; lr = 0.1; w = (0, 0), b = 0.
    # Epoch 1, sample a: w.x + b = 0, not > 0, so y_hat = -1: a mistake.
    #   w += 0.1 * (1 - (-1)) * (1, 0) = (0.2, 0);  b += 0.1 * 2 = 0.2
    # Epoch 1, sample b: w.x + b = 0 + 0.2 = 0.2 > 0, so y_hat = +1: a mistake.
    #   w += 0.1 * (-1 - 1) * (0, 1) = (0.2, -0.2);  b += 0.1 * (-2) = 0.0
    # Epoch 2: a gives 0.2 > 0 -> +1 (right); b gives -0.2 -> -1 (right). No mistakes: stop.
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([1, -1])
    p = Perceptron(lr=0.1).fit(X, y)
    np.testing.assert_allclose(p.coef_, [0.2, -0.2])
    assert p.intercept_ == pytest.approx(0.0)
    assert p.errors_ == [2, 0]
    assert p.n_iter_ == 2 and p.converged_


def test_zero_activation_predicts_minus_one():
    # With w = 0, b = 0 every sample of class -1 is already right: one epoch, no update.
    p = Perceptron().fit(np.array([[1.0, 1.0]]), np.array([-1]))
    assert p.errors_ == [0] and p.coef_.tolist() == [0.0, 0.0]


def test_converges_on_the_seeds_linear_data():
    X, y = make_seed_linear(200, seed=0)
    p = Perceptron().fit(X, y)
    assert p.converged_ and p.errors_[-1] == 0
    assert p.score(X, y) == 1.0
    assert p.n_iter_ < 1000


@pytest.mark.parametrize("seed", range(5))
def test_converges_for_other_seeds_too(seed):
    X, y = make_seed_linear(200, seed=seed)
    assert Perceptron().fit(X, y).score(X, y) == 1.0


def test_fails_on_xor():
    X, y = make_xor4()
    p = Perceptron().fit(X, y)
    assert not p.converged_
    assert p.n_iter_ == 1000
    assert min(p.errors_) > 0                      # never a mistake-free epoch
    assert p.score(X, y) <= 0.75


def test_predict_returns_the_original_labels():
    X = np.array([[2.0], [-2.0]])
    p = Perceptron().fit(X, np.array([7, 3]))
    assert p.predict(X).tolist() == [7, 3]
    assert p.classes_.tolist() == [3, 7]


def test_not_fitted():
    with pytest.raises(NotFittedError):
        Perceptron().predict(np.zeros((1, 2)))


@pytest.mark.parametrize("kwargs, name", [({"lr": 0}, "lr"), ({"max_epochs": 0}, "max_epochs")])
def test_bad_hyperparameters(kwargs, name):
    with pytest.raises(InvalidArgument, match=f"'{name}' parameter of Perceptron"):
        Perceptron(**kwargs).fit(np.zeros((2, 2)), np.array([1, -1]))


def test_more_than_two_classes_is_an_error():
    with pytest.raises(InvalidArgument, match="at most two classes"):
        Perceptron().fit(np.zeros((3, 2)), np.array([0, 1, 2]))
