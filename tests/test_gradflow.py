import json

import numpy as np
import pytest
import torch
from torch import nn

from labcheck import check_lab_outputs, run_lab
from nnlab._validation import InvalidArgument
from nnlab.config import ModelConfig, TrainConfig
from nnlab.labs.gradflow import QUICK, Settings
from nnlab.labs.gradflow.observers import NonFiniteWatch
from nnlab.labs.gradflow.theory import theory_lines
from nnlab.labs.gradflow.training import Net, load_data, train_net
from nnlab.labs.gradflow.variance import measure, ratio_per_layer
from nnlab.nn import build_mlp
from nnlab.nn.mlp import Residual

# -- variances at initialisation ----------------------------------------------------------------------------------

def test_he_keeps_and_lecun_halves_the_relu_variance_at_width_256():
    he = measure("relu", "he", width=256, depth=10, seeds=10, batch=64)
    lecun = measure("relu", "lecun", width=256, depth=10, seeds=10, batch=64)
    assert he.summary()["forward_ratio"] == pytest.approx(1.0, rel=0.1)
    assert lecun.summary()["forward_ratio"] == pytest.approx(0.5, rel=0.1)
    assert he.summary()["backward_ratio"] == pytest.approx(1.0, rel=0.1)
    assert lecun.summary()["backward_ratio"] == pytest.approx(0.5, rel=0.1)


def test_the_measurement_is_deterministic():
    a = measure("tanh", "xavier", width=32, depth=4, seeds=3, batch=16)
    b = measure("tanh", "xavier", width=32, depth=4, seeds=3, batch=16)
    assert np.array_equal(a.forward, b.forward) and np.array_equal(a.backward, b.backward)


def test_theory_lines_for_relu_have_the_closed_form():
    # He: Var(z_1) = 2 * Var(x) = 2, then 2 * E[relu(z)^2] = Var(z): constant; backward 2 * 1/2 = 1 per layer
    fwd, bwd = theory_lines("relu", "he", width=64, depth=6)
    np.testing.assert_allclose(fwd, 2.0, rtol=1e-12)
    np.testing.assert_allclose(bwd, 1.0, rtol=1e-12)
    # LeCun: Var(z_1) = 1, then halves; the head's gradient variance 1 * 1/2, then halves towards the input
    fwd, bwd = theory_lines("relu", "lecun", width=64, depth=6)
    np.testing.assert_allclose(fwd, 0.5 ** np.arange(6), rtol=1e-12)
    np.testing.assert_allclose(bwd, 0.5 ** np.arange(6, 0, -1), rtol=1e-12)


def test_theory_matches_the_measured_tanh_and_residual_nets():
    for kwargs in ({"activation": "tanh", "init": "xavier"}, {"activation": "sigmoid", "init": "pytorch",
                                                             "residual": True}):
        p = measure(**kwargs, width=256, depth=6, seeds=6, batch=64)
        np.testing.assert_allclose(p.forward.mean(0), p.theory_forward, rtol=0.1)
        np.testing.assert_allclose(p.backward.mean(0), p.theory_backward, rtol=0.15)


def test_ratio_per_layer_of_a_geometric_sequence_and_with_gaps():
    assert ratio_per_layer(3 * 0.5 ** np.arange(8)) == pytest.approx(0.5)
    assert ratio_per_layer([1.0, 0.5, 0.0, np.inf, 0.0625]) == pytest.approx(0.5)   # zero and inf left out


# -- the residual MLP ---------------------------------------------------------------------------------------------

def test_residual_mlp_has_a_block_per_width_keeping_layer_and_the_same_weights():
    cfg = ModelConfig(input_size=2, hidden_sizes=(8, 8, 8, 4, 4), activation="tanh", output_size=3, init="he")
    plain, res = build_mlp(cfg, seed=0), build_mlp(ModelConfig(**{**cfg.__dict__, "residual": True}), seed=0)
    assert sum(isinstance(m, Residual) for m in res) == 3             # 8->8, 8->8, 4->4; not 2->8 or 8->4
    assert all(torch.equal(a, b) for a, b in zip(plain.parameters(), res.parameters()))
    assert [l.weight.shape for l in res.linear_layers()] == [l.weight.shape for l in plain.linear_layers()]
    x = torch.randn(5, 2)
    assert res(x).shape == (5, 3)
    # z_1 = L1 x; z_l = z_{l-1} + L_l(tanh(z_{l-1})) where widths match; L_l(tanh(z)) where they do not
    L = res.linear_layers()
    z = L[0](x)
    z = z + L[1](torch.tanh(z))
    z = z + L[2](torch.tanh(z))
    z = L[3](torch.tanh(z))
    z = z + L[4](torch.tanh(z))
    torch.testing.assert_close(res(x), L[5](torch.tanh(z)))
    assert not torch.allclose(res(x), plain(x))


def test_residual_false_builds_the_plain_sequential_bit_for_bit():
    cfg = ModelConfig(input_size=2, hidden_sizes=(6, 6), activation="relu", init="he", batch_norm=True, dropout=0.1)
    model = build_mlp(cfg, seed=3)
    torch.manual_seed(3)
    layers = []
    for a, b in ((2, 6), (6, 6)):
        linear = nn.Linear(a, b)
        nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        nn.init.zeros_(linear.bias)
        layers += [linear, nn.BatchNorm1d(b), nn.ReLU(), nn.Dropout(0.1)]
    head = nn.Linear(6, 2)
    nn.init.kaiming_normal_(head.weight, nonlinearity="relu")
    nn.init.zeros_(head.bias)
    reference = nn.Sequential(*layers, head)
    assert [type(m) for m in model] == [type(m) for m in reference]
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), reference.parameters()))


def test_model_config_checks_residual_and_init_std():
    with pytest.raises(InvalidArgument, match="'residual'"):
        ModelConfig(residual="yes")
    with pytest.raises(InvalidArgument, match="'init_std'"):
        ModelConfig(init="normal", init_std=0.0)
    w = build_mlp(ModelConfig(input_size=500, hidden_sizes=(500,), init="normal", init_std=0.2), seed=0)
    assert w.linear_layers()[0].weight.std().item() == pytest.approx(0.2, rel=0.02)


def test_the_fast_engine_leaves_residual_nets_to_torch():
    from nnlab.training.engines import choose_engine
    from nnlab.training.engines.support import config_problem
    cfg = ModelConfig(hidden_sizes=(8, 8), residual=True)
    assert config_problem(cfg, TrainConfig()) == "residual connections"
    assert choose_engine("auto", TrainConfig(), model=build_mlp(cfg, seed=0)).engine == "torch"
    with pytest.raises(InvalidArgument, match="residual"):
        choose_engine("fast", TrainConfig(), model=build_mlp(cfg, seed=0))


# -- non-finite values --------------------------------------------------------------------------------------------

def _fit_watched(model, epochs=3):
    from nnlab.training import fit
    X = torch.randn(40, 2, generator=torch.Generator().manual_seed(0))
    y = (X[:, 0] > 0).long()
    watch = NonFiniteWatch()
    history = fit(model, X, y, TrainConfig(optimizer="sgd", lr=0.01, epochs=epochs), observers=[watch])
    return watch.first, history


def test_a_non_finite_weight_is_caught_in_the_forward_pass_of_its_layer():
    model = build_mlp(ModelConfig(hidden_sizes=(8, 8, 8, 8)), seed=0)
    with torch.no_grad():
        model.linear_layers()[2].weight[0, 0] = float("inf")
    first, history = _fit_watched(model)
    assert (first["epoch"], first["step"], first["layer"], first["where"]) == (1, 1, 3, "forward")
    assert history.diverged and history.epochs_run == 1


def test_a_non_finite_gradient_is_caught_with_its_epoch_and_layer():
    model = build_mlp(ModelConfig(hidden_sizes=(8, 8, 8, 8)), seed=0)
    calls = []

    def poison(grad):             # the 2nd backward pass (epoch 2, full batch) gets a NaN in layer 4's gradient
        calls.append(1)
        return grad * float("nan") if len(calls) == 2 else grad

    model.linear_layers()[3].weight.register_hook(poison)
    first, _ = _fit_watched(model)
    assert first == {"epoch": 2, "step": 1, "layer": 4, "layer_name": "L4 8->8", "where": "gradient", "value": "nan"}


def test_the_lab_explosion_stops_at_the_reported_epoch():
    s = QUICK
    run = train_net(Net("relu", "relu", "normal", init_std=s.explode_init_std), load_data(s), depth=s.depth,
                    width=s.train_width, optimizer="sgd", lr=s.lr, epochs=s.explode_epochs, batch_size=None)
    assert run.non_finite is not None and run.history.diverged
    assert run.non_finite["epoch"] == run.history.epochs_run
    assert not np.isfinite(run.history.loss[-1]) and np.isfinite(run.history.loss[:-1]).all()


# -- the command --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One `nnlab gradflow --quick` run shared by the tests that read its outputs."""
    out = tmp_path_factory.mktemp("gradflow_quick")
    run_lab(out, "gradflow", "--quick")
    return out


def test_cli_quick_writes_summary_report_and_figures(quick_run):
    tmp_path = quick_run
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["var_ratio_width"] >= 256
    assert summary["he_relu_var_ratio_per_layer"] == pytest.approx(1.0, rel=0.1)
    assert summary["lecun_relu_var_ratio_per_layer"] == pytest.approx(0.5, rel=0.1)
    training = summary["training"]
    assert not training["sigmoid"]["learned"] and training["relu + he"]["learned"]
    assert training["sigmoid"]["grad_ratio_first_last_epoch1"] < 1e-6 < training["relu + he"][
        "grad_ratio_first_last_epoch1"]
    assert all(e["non_finite"]["epoch"] >= 1 and e["non_finite"]["layer"] >= 1 for e in summary["exploding"].values())
    for name in summary["files"]:
        assert (tmp_path / name).stat().st_size > 10_000
    assert len(summary["files"]) == 7
    page = (tmp_path / "report.md").read_text()
    assert f"{summary['he_relu_var_ratio_per_layer']:.3f}" in page
    claims = check_lab_outputs(tmp_path, "gradflow")
    assert {c["id"] for c in claims if c["headline"]} >= {"he_keeps_variance", "lecun_halves_variance",
                                                          "sigmoid_gradient_vanishes", "adam_moves_vanishing_layers"}
    by_id = {c["id"]: c for c in claims}
    # xavier is Glorot with the activation's gain: the page says so wherever it lists inits
    assert "| relu | xavier (with the activation's gain) |" in page and "| relu | xavier |" not in page
    # He and LeCun stray equally over seeds: a theory claim explains it, a measured one checks it
    assert by_id["he_lecun_same_spread_theory"]["kind"] == "theory"
    assert by_id["he_lecun_same_spread"]["holds"]
    # an explanation the run does not measure is theory, not part of the finding
    assert by_id["adam_scaling_theory"]["kind"] == "theory"
    assert "hides" not in by_id["adam_moves_vanishing_layers"]["text"]


def test_a_claim_that_does_not_hold_says_what_was_expected_and_what_was_seen(quick_run):
    from nnlab.labs.gradflow.report import make_claims
    summary = json.loads((quick_run / "summary.json").read_text())
    summary["training"]["sigmoid"].update(learned=True, test_accuracy=0.93)
    summary["training"]["sigmoid + residual"].update(learned=False, test_accuracy=0.62)
    for e in summary["exploding"].values():
        e["non_finite"] = None
    claims = make_claims(summary, QUICK, quick=True)
    vanish = claims["sigmoid_gradient_vanishes"]
    assert not vanish.holds and "did not show a vanished gradient that stops learning" in vanish.text
    assert "it learned (test accuracy 0.930" in vanish.text and "quick run may be too short" not in vanish.text
    fixes = claims["fixes_learn"]
    assert not fixes.holds and fixes.text.startswith("Not every fix learned") and "2 of 3 did" in fixes.text
    assert "sigmoid + residual did not learn (test accuracy 0.620)" in fixes.text
    explode = claims["explosion_caught_1"]
    assert not explode.holds and "did not explode" in explode.text


@pytest.mark.parametrize("args, flag", [(["--inits", "kaiming-ish"], "--inits"),
                                        (["--activations", "rleu"], "--activations"),
                                        (["--depth", "0"], "--depth"), (["--width", "-3"], "--width")])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, flag):
    from nnlab.cli import main
    assert main(["gradflow", "--out", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"Error: {flag}") and len(err.strip().splitlines()) == 1
    assert ("must be one of" in err) if flag in ("--inits", "--activations") else (">= 1" in err)
    assert not (tmp_path / "summary.json").exists()


def test_settings_reject_unknown_names():
    with pytest.raises(InvalidArgument, match="orthogonal"):
        Settings(inits=("glorot-ish",))
