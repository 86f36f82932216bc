"""The 2-D part of the gradient-descent lab: test functions, the path runner against torch.optim, Goh's rates,
divergence, the learning-rate sweep and Himmelblau's minima."""
import numpy as np
import pytest
import torch

from nnlab._validation import InvalidArgument
from nnlab.labs.gd.basins import DIVERGED, NONE, basins, minimum_reached
from nnlab.labs.gd.functions import FUNCTIONS, get_function
from nnlab.labs.gd.paths import PATH_OPTIMIZERS, run_paths
from nnlab.labs.gd.rates import goh_parameters, rate_check
from nnlab.labs.gd.tuning import log_grid, sweep
from nnlab.training.optimizers import OPTIMIZERS


def _points(fn, k=20, seed=0):
    (x0, x1), (y0, y1) = fn.domain
    rng = np.random.default_rng(seed)
    return np.stack([rng.uniform(x0, x1, k), rng.uniform(y0, y1, k)], axis=1)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_gradient_matches_central_differences(name):
    fn, h = FUNCTIONS[name], 1e-6
    X = _points(fn)
    numeric = np.stack([(fn.f(X + h * e) - fn.f(X - h * e)) / (2 * h) for e in np.eye(2)], axis=1)
    np.testing.assert_allclose(fn.grad(X), numeric, rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("name", [n for n, fn in FUNCTIONS.items() if len(fn.minima)])
def test_minima_are_stationary_points_with_value_f_star(name):
    fn = FUNCTIONS[name]
    assert np.all(fn.gap(fn.minima) < 1e-9)
    np.testing.assert_allclose(fn.grad(fn.minima), 0.0, atol=1e-4)     # Himmelblau's minima are given to 6 digits


def _torch_himmelblau(p):
    x, y = p[0], p[1]
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


@pytest.mark.parametrize("optimizer", [o for o in PATH_OPTIMIZERS if o != "gd"])
def test_the_batched_runner_takes_torch_optims_steps(optimizer):
    # Reference: plain torch.optim with the lr given directly, on one 2-element float64 tensor, autograd gradients.
    fn, lrs, steps = FUNCTIONS["himmelblau"], [1e-3, 3e-3, 1e-2], 200
    paths = run_paths(fn, optimizer, lrs, starts=[(0.0, 0.0)], steps=steps)
    for i, lr in enumerate(lrs):
        p = torch.tensor([0.0, 0.0], dtype=torch.float64, requires_grad=True)
        opt = OPTIMIZERS[optimizer].make([p], lr)
        reference = [p.detach().numpy().copy()]
        for _ in range(steps):
            opt.zero_grad()
            _torch_himmelblau(p).backward()
            opt.step()
            reference.append(p.detach().numpy().copy())
        np.testing.assert_allclose(paths.xy[:, i], np.array(reference), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_the_lr_probe_agrees_with_one_param_group_per_run(optimizer):
    fn = FUNCTIONS["rosenbrock"]
    lrs = [1e-4, 5e-4, 1e-3]
    fast = run_paths(fn, optimizer, lrs, steps=150)
    exact = run_paths(fn, optimizer, lrs, steps=150, exact=True)
    np.testing.assert_allclose(fast.xy, exact.xy, rtol=1e-9, atol=1e-12)


def test_gd_and_torch_sgd_take_the_same_steps():
    fn = FUNCTIONS["himmelblau"]
    gd, sgd = (run_paths(fn, o, [0.01], steps=300) for o in ("gd", "sgd"))
    np.testing.assert_allclose(gd.xy, sgd.xy, rtol=0, atol=1e-12)


def test_goh_parameters_for_kappa_100():
    p = goh_parameters(1.0, 100.0)
    assert p["gd_lr"] == pytest.approx(2 / 101) and p["gd_rate"] == pytest.approx(99 / 101)
    assert p["hb_lr"] == pytest.approx((2 / 11) ** 2) and p["hb_momentum"] == pytest.approx((9 / 11) ** 2)
    assert p["hb_rate"] == pytest.approx(9 / 11)


def test_measured_rates_on_kappa_100_are_within_2_percent_of_theory():
    check = rate_check(100.0)
    assert check["gd_relative_error"] < 0.02 and check["heavy_ball_relative_error"] < 0.02
    assert check["heavy_ball_steps_to_1e-6"] * 5 < check["gd_steps_to_1e-6"]   # about 90 against about 690


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov"])   # Adam's steps are bounded by ~lr
def test_a_diverging_run_stops_at_its_first_non_finite_value(optimizer):
    fn = FUNCTIONS["rosenbrock"]
    paths = run_paths(fn, optimizer, [1.0, 1e-4], steps=3000)
    t = paths.diverged_at[0]
    assert t > 0 and paths.diverged_at[1] == -1
    assert np.isfinite(paths.xy[:t, 0]).all() and np.isnan(paths.xy[t:, 0]).all()
    assert len(paths.path(0)) == t and paths.final_gap[0] == np.inf
    assert np.isfinite(paths.final_gap[1])


def test_the_sweep_scores_diverged_runs_as_inf_and_picks_a_finite_lr():
    s = sweep(FUNCTIONS["himmelblau"], "gd", log_grid(1e-5, 10.0, 13), steps=200)
    assert s.scores[-1] == np.inf and np.isfinite(s.best_score) and s.best_lr < 0.1
    assert s.best_score == s.scores.min()


def test_the_saddle_is_not_tuned():
    s = sweep(FUNCTIONS["saddle"], "adam", log_grid(1e-5, 10.0, 13), steps=100)
    assert not s.tuned and s.best_lr == 0.01


def test_himmelblau_minimum_reached_from_the_origin_by_gd():
    fn = FUNCTIONS["himmelblau"]
    paths = run_paths(fn, "gd", [0.01, 1.0], starts=[(0.0, 0.0)], steps=500)
    codes = minimum_reached(fn, paths)
    assert codes[0] == 0 and codes[1] == DIVERGED          # (3, 2); lr 1 overflows


def test_basins_cover_the_grid_with_valid_codes():
    b = basins(FUNCTIONS["himmelblau"], "adam", 0.1, points=7, steps=300)
    assert b.codes.shape == (7, 7)
    assert set(np.unique(b.codes)) <= {DIVERGED, NONE, 0, 1, 2, 3}
    assert sum(b.shares(4).values()) == pytest.approx(1.0)


def test_unknown_function_and_optimizer_are_rejected():
    with pytest.raises(InvalidArgument, match="rosenbrock"):
        get_function("rosenbrok")
    with pytest.raises(InvalidArgument, match="nesterov"):
        run_paths(FUNCTIONS["saddle"], "adamm", [0.1])
