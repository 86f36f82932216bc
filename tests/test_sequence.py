import json
import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from labcheck import check_lab_outputs, run_lab
from nnlab._validation import InvalidArgument
from nnlab.labs.sequence import QUICK, Settings
from nnlab.labs.sequence.data import BASELINE_MSE, adding_problem
from nnlab.labs.sequence.explode import explode_study
from nnlab.labs.sequence.gradients import geometric_fit, grad_norms
from nnlab.labs.sequence.training import build
from nnlab.scratch.gradcheck import relative_error
from nnlab.scratch.rnn import compare_with_torch, init_params, rnn_backward, rnn_forward

# -- the data -----------------------------------------------------------------------------------------------------

def test_adding_problem_marks_one_value_in_each_half_and_sums_them():
    x, y = adding_problem(500, 20, torch.Generator().manual_seed(0))
    assert x.shape == (500, 20, 2) and y.shape == (500, 1)
    markers = x[..., 1]
    assert torch.equal(markers[:, :10].sum(1), torch.ones(500)) and torch.equal(markers[:, 10:].sum(1), torch.ones(500))
    torch.testing.assert_close(y[:, 0], (x[..., 0] * markers).sum(1))
    again, _ = adding_problem(500, 20, torch.Generator().manual_seed(0))
    assert torch.equal(x, again)


def test_predicting_the_mean_scores_one_sixth():
    _, y = adding_problem(200_000, 10, torch.Generator().manual_seed(1))
    assert float(((y - 1.0) ** 2).mean()) == pytest.approx(BASELINE_MSE, rel=0.02)


# -- gradients through time ---------------------------------------------------------------------------------------

def test_geometric_fit_reads_the_factor_per_step_back():
    norms = 3.0 * 0.8 ** np.arange(40)[::-1]          # ||dL/dh_t||: 3 at t = T, x0.8 per step back
    fit = geometric_fit(norms)
    assert fit["factor"] == pytest.approx(0.8) and fit["r2"] == pytest.approx(1.0)
    assert fit["ratio"] == pytest.approx(0.8 ** 39)
    assert geometric_fit(1.5 ** np.arange(10)[::-1])["factor"] == pytest.approx(1.5)


def test_grad_norms_of_a_torch_rnn_equal_the_hand_written_bptt():
    """Unrolling the torch module step by step gives the same ||dL/dh_t|| as nnlab.scratch.rnn's backward pass."""
    net = build("rnn", 6, seed=0).double()
    x, y = adding_problem(5, 15, torch.Generator().manual_seed(2))
    ours = grad_norms(net, x, y)
    W = {k: v.detach().numpy() for k, v in net.rnn.named_parameters()}
    from nnlab.scratch.rnn import RNNParams
    p = RNNParams(W["weight_ih_l0"], W["weight_hh_l0"], W["bias_ih_l0"], W["bias_hh_l0"])
    hs, cache = rnn_forward(x.double().numpy(), np.zeros((5, 6)), p)
    w, b = net.head.weight.detach().numpy()[0], net.head.bias.item()
    residual = hs[:, -1] @ w + b - y.double().numpy()[:, 0]
    grad_out = np.zeros_like(hs)
    grad_out[:, -1] = 2 * residual[:, None] * w[None, :]        # d/dh_T of sum_i (out_i - y_i)^2
    np.testing.assert_allclose(ours, rnn_backward(grad_out, cache)["grad_h_norm"], rtol=1e-10)


# -- from scratch -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{}, {"batch": 1, "length": 1, "input_size": 1, "hidden_size": 1},
                                    {"batch": 3, "length": 60, "input_size": 2, "hidden_size": 16, "seed": 5}])
def test_scratch_rnn_equals_torch_to_1e_10(kwargs):
    errors = compare_with_torch(**kwargs)
    assert set(errors) == {"h", "dW_ih", "dW_hh", "db_ih", "db_hh", "dx", "dh0", "max"}
    assert errors["max"] <= 1e-10


def test_scratch_rnn_gradient_against_central_differences():
    """The hand-written backward pass against the numbers, independently of torch."""
    from nnlab.scratch.gradcheck import central_differences
    rng = np.random.default_rng(0)
    p = init_params(2, 3, seed=1)
    x, h0, c = rng.normal(size=(2, 5, 2)), rng.normal(size=(2, 3)), rng.normal(size=(2, 5, 3))
    loss = lambda: float((rnn_forward(x, h0, p)[0] * c).sum())
    grads = rnn_backward(c, rnn_forward(x, h0, p)[1])
    numeric = central_differences(loss, [p.W_ih, p.W_hh, p.b_ih])
    for key, num in zip(("dW_ih", "dW_hh", "db_ih"), numeric):
        assert relative_error(grads[key], num) < 1e-8


def test_a_wrong_backward_pass_is_caught():
    """The check can fail: dropping tanh' from the backward pass is far from torch."""
    import nnlab.scratch.rnn as rnn
    original = rnn.rnn_backward

    def no_tanh_derivative(grad_out, cache):
        cache = dict(cache, hs=np.zeros_like(cache["hs"]))        # 1 - h^2 = 1 everywhere
        grads = original(grad_out, cache)
        return grads
    rnn.rnn_backward = no_tanh_derivative
    try:
        assert compare_with_torch()["max"] > 1e-3
    finally:
        rnn.rnn_backward = original


# -- exploding ----------------------------------------------------------------------------------------------------

def test_the_exploding_net_is_caught_and_clipping_keeps_it_finite():
    study = explode_study(QUICK)
    assert geometric_fit(study["grad_norms"])["factor"] == pytest.approx(QUICK.explode_scale, rel=0.05)
    plain, clipped = study["runs"]
    assert plain.non_finite is not None and plain.non_finite["step"] == len(plain.loss) + 1
    assert all(math.isfinite(v) for v in plain.loss)
    assert clipped.non_finite is None and len(clipped.loss) == QUICK.explode_steps
    assert clipped.loss[-1] < clipped.loss[0] / 1000


# -- settings and the command -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, name", [({"models": ("rnn", "transformer")}, "models"), ({"models": ()}, "models"),
                                          ({"lengths": (10, 1001)}, "lengths"), ({"lengths": (3,)}, "lengths"),
                                          ({"lengths": ()}, "lengths"), ({"steps": 0}, "steps"),
                                          ({"explode_length": 2}, "explode_length")])
def test_settings_refuse_bad_values(kwargs, name):
    with pytest.raises(InvalidArgument, match=f"'{name}'"):
        Settings(**kwargs)


@pytest.mark.parametrize("args, line", [
    (["--lengths", "10,5000"], "Error: --lengths must be an integer in the range [4, 1000]. Got 5000 instead."),
    (["--lengths", "2"], "Error: --lengths must be an integer in the range [4, 1000]. Got 2 instead."),
    (["--lengths", "ten"], "Error: --lengths must be comma-separated integers"),
    (["--models", "rnn,transformer"], "Error: --models must be one of ['gru', 'lstm', 'rnn']. Got 'transformer'"),
    (["--steps", "0"], "Error: --steps must be an integer >= 1. Got 0 instead."),
])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, args, line):
    result = subprocess.run([sys.executable, "-m", "nnlab.cli", "sequence", "--quick", "--out", str(tmp_path / "o"),
                             *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "╭" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(line), result.stderr
    assert not (tmp_path / "o" / "summary.json").exists()


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One `nnlab sequence --quick` run shared by the tests that read its outputs."""
    out = tmp_path_factory.mktemp("sequence_quick")
    run_lab(out, "sequence", "--quick")
    return out


def test_quick_run_headlines_hold_and_the_page_is_complete(quick_run):
    claims = check_lab_outputs(quick_run, "sequence")
    headlines = {c["id"] for c in claims if c["headline"]}
    assert headlines == {"rnn_gradient_vanishes", "rnn_near_baseline", "lstm_gradient_survives", "lstm_solves_long",
                         "explode_gradient_grows", "explosion_caught", "clipping_keeps_finite",
                         "scratch_rnn_matches_torch"}
    by_id = {c["id"]: c for c in claims}
    assert by_id["lstm_solves_full"]["shown"] is False            # T = 100 is the full run's
    assert by_id["baseline_theory"]["kind"] == "theory"


def test_quick_run_summary_has_the_issue_keys_and_the_numbers_the_claims_cite(quick_run):
    summary = json.loads((quick_run / "summary.json").read_text())
    assert summary["baseline_mse"] == pytest.approx(1 / 6)
    mse = summary["adding_mse"]
    assert set(mse) == {"rnn", "lstm", "gru"} and all(set(v) == {"10", "30"} for v in mse.values())
    assert set(summary["grad_ratio_first_last"]) == {"rnn", "lstm", "gru"}
    assert mse["lstm"]["30"] < 0.01 < 0.7 * summary["baseline_mse"] < mse["rnn"]["30"]
    ratios = summary["grad_ratio_first_last"]
    assert ratios["rnn"] < 1e-3 and ratios["lstm"] > 100 * ratios["rnn"]
    assert summary["scratch_rnn_max_rel_error"] <= 1e-10
    plain = summary["exploding"]["runs"]["plain SGD"]
    assert plain["non_finite"]["step"] >= 1 and summary["exploding"]["runs"]["SGD with clipping"]["non_finite"] is None
    assert len(summary["files"]) == 4
    for name in summary["files"]:
        assert (quick_run / name).stat().st_size > 10_000
    page = (quick_run / "report.md").read_text()
    assert f"| {mse['lstm']['30']:.3g} |" in page and f"| {mse['rnn']['30']:.3g} |" in page


def test_a_claim_that_does_not_hold_says_what_the_run_showed(quick_run):
    from nnlab.labs.sequence.report import make_claims
    summary = json.loads((quick_run / "summary.json").read_text())
    summary["adding_mse"]["lstm"]["30"] = 0.15
    summary["adding_mse"]["rnn"]["30"] = 0.01
    summary["exploding"]["runs"]["plain SGD"]["non_finite"] = None
    claims = make_claims(summary, QUICK, quick=True)
    assert not claims["lstm_solves_long"].holds and "did not clearly solve" in claims["lstm_solves_long"].text
    assert "0.1500" in claims["lstm_solves_long"].text
    assert not claims["rnn_near_baseline"].holds and "got away from the baseline" in claims["rnn_near_baseline"].text
    assert not claims["explosion_caught"].holds and "did not diverge" in claims["explosion_caught"].text
