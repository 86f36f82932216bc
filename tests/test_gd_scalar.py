"""Part A of the gradient-descent lab: x^2 + 4x + 4, the stopping rule, and the closed-form iteration counts."""
import math
import sys

import numpy as np
import pytest

from nnlab._validation import InvalidArgument
from nnlab.labs.gd.scalar import count_table, df, gradient_descent, lr_grid, predicted_iterations

GRID = lr_grid()                                   # 0.01, 0.02, ..., 1.2


def test_the_grid_runs_from_0_01_to_1_2_and_holds_0_5_and_1_exactly():
    assert len(GRID) == 120 and GRID[0] == 0.01 and GRID[-1] == 1.2
    assert 0.5 in GRID and 1.0 in GRID


@pytest.mark.parametrize("x0, tol", [(10.0, 1e-6), (-7.0, 1e-8), (0.5, 1e-3), (1e4, 1e-10)])
def test_iteration_counts_equal_the_closed_form_within_one_step(x0, tol):
    rows = count_table(GRID[GRID < 1], x0=x0, tol=tol)
    assert all(r["status"] == "converged" for r in rows)
    assert max(abs(r["iterations"] - r["predicted"]) for r in rows) <= 1


def test_closed_form_worked_by_hand():
    # lr = 0.25: r = 1 - 2 lr = 0.5; x0 = 10: |f'(x0)| = 24. Gradient rule: 24 * 0.5^t < 1e-6 first at t = 25
    # (0.5^24 = 5.96e-8 > 4.17e-8). Step rule: 0.25 * 24 * 0.5^t < 1e-6 first at t = 23 (6 * 0.5^23 = 7.2e-7),
    # after which the update is done: 24 updates, "step".
    assert predicted_iterations(0.25, x0=10.0, tol=1e-6) == (24, "step")
    run = gradient_descent(0.25, x0=10.0, tol=1e-6)
    assert (run.iterations, run.reason, run.status) == (24, "step", "converged")


def test_lr_one_half_converges_in_one_step():
    run = gradient_descent(0.5, x0=10.0)
    assert run.iterations == 1 and run.xs[-1] == -2.0 and run.reason == "gradient" and run.converged


@pytest.mark.parametrize("lr", [float(lr) for lr in GRID[GRID >= 1]])
def test_lr_of_one_or_more_is_never_reported_as_converged(lr):
    run = gradient_descent(lr, x0=10.0)
    assert not run.converged
    assert run.status in {"oscillating", "diverging", "diverged"}


def test_lr_one_jumps_between_x0_and_its_mirror_image():
    run = gradient_descent(1.0, x0=10.0, max_iter=50)
    assert run.status == "oscillating" and run.reason == "max_iter"
    np.testing.assert_array_equal(run.xs[:4], [10.0, -14.0, 10.0, -14.0])


def test_divergence_stops_at_the_first_non_finite_value():
    run = gradient_descent(1.2, x0=10.0, max_iter=100_000)
    assert run.reason == "non-finite" and run.status == "diverged"
    assert np.isfinite(run.xs).all() and run.iterations < 100_000
    last = float(run.xs[-1])
    assert not math.isfinite(last - 1.2 * df(last))          # the very next value overflows
    # the step lr |f'(x_t)| = 1.2 * 24 * 1.4^t passes the largest float64 near t = 2100
    assert abs(run.iterations - math.log(sys.float_info.max / (1.2 * 24)) / math.log(1.4)) <= 1


@pytest.mark.parametrize("kwargs", [{"lr": 0.0}, {"lr": -0.1}, {"lr": 0.1, "tol": 0.0}, {"lr": 0.1, "tol": -1e-3},
                                    {"lr": 0.1, "max_iter": 0}, {"lr": 0.1, "x0": math.nan}])
def test_bad_arguments_are_rejected(kwargs):
    with pytest.raises(InvalidArgument):
        gradient_descent(**kwargs)


def test_the_gradient_rule_alone_takes_ceil_ln_tol_over_g0_over_ln_r_steps():
    # The formula: ceil(ln(tol / |f'(x0)|) / ln|1 - 2 lr|), for the rule |f'(x)| < tol by itself.
    x0, tol = 10.0, 1e-6
    for lr in GRID[(GRID < 1) & (GRID != 0.5)]:
        run = gradient_descent(float(lr), x0, tol, step_rule=False)
        formula = math.ceil(math.log(tol / abs(df(x0))) / math.log(abs(1 - 2 * lr)))
        assert run.reason == "gradient" and abs(run.iterations - formula) <= 1
