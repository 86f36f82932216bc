"""Part B of the gradient-descent lab: x^2 + 4x + 4 as an exact sum of terms; SGD and mini-batch."""
import numpy as np
import pytest

from nnlab._validation import InvalidArgument
from nnlab.labs.gd.stochastic import make_terms, measure_noise_floor, noise_floor, run_minibatch

TERMS = make_terms(64, seed=0)


@pytest.mark.parametrize("n, seed", [(2, 0), (16, 1), (64, 0), (256, 3)])
def test_terms_have_mean_minus_two_and_c_equal_to_their_variance_exactly(n, seed):
    terms = make_terms(n, seed=seed)
    assert terms.a.mean() == -2.0
    assert np.mean(terms.a ** 2) - terms.c == 4.0          # the constant term of x^2 + 4x + 4
    assert terms.c == terms.sigma2


def test_the_sum_of_terms_equals_x2_plus_4x_plus_4_at_many_points():
    rng = np.random.default_rng(0)
    xs = np.concatenate([np.linspace(-50, 50, 1001), rng.uniform(-1e3, 1e3, 5000), [-2.0]])
    exact = xs ** 2 + 4 * xs + 4
    np.testing.assert_allclose(TERMS.value(xs), exact, rtol=1e-12, atol=1e-12)
    assert TERMS.value(-2.0) == 0.0


def test_full_batch_is_gradient_descent():
    run = run_minibatch(TERMS, lr=0.1, batch_size=64, steps=60, x0=10.0)
    t = np.arange(61)
    np.testing.assert_allclose(run.x + 2, 12.0 * 0.8 ** t, rtol=1e-12, atol=1e-15)   # e_t = (1 - 2 lr)^t e_0


def test_sgd_depends_only_on_its_seed():
    a = run_minibatch(TERMS, 0.05, 1, 500, seed=7)
    b = run_minibatch(TERMS, 0.05, 1, 500, seed=7)
    c = run_minibatch(TERMS, 0.05, 1, 500, seed=8)
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)


def test_examples_seen_grow_by_the_batch_size():
    run = run_minibatch(TERMS, 0.05, 4, 100)
    np.testing.assert_array_equal(run.examples, 4 * np.arange(101))


@pytest.mark.parametrize("batch_size", [0, 65, 1000])
def test_a_batch_size_outside_the_data_is_rejected(batch_size):
    with pytest.raises(InvalidArgument, match=r"\[1, 64\]"):
        run_minibatch(TERMS, 0.1, batch_size, 10)


def test_the_noise_floor_matches_lr_sigma2_over_b_1_minus_lr_within_10_percent():
    measured = measure_noise_floor(TERMS, lr=0.1, batch_size=4, steps=20_000, chains=16, seed=0)
    theory = noise_floor(0.1, 4, TERMS.sigma2)
    assert abs(measured / theory - 1) < 0.10


def test_diverging_sgd_stops_at_the_first_non_finite_value():
    run = run_minibatch(TERMS, lr=1.5, batch_size=1, steps=100_000, seed=0)
    assert run.diverged_at is not None and run.diverged_at == len(run.x)
    assert np.isfinite(run.x).all() and np.isfinite(run.error).all()     # x and f(x) - f* = (x + 2)^2
