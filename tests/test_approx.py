import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from labcheck import check_lab_outputs, run_lab
from nnlab._validation import InvalidArgument
from nnlab.labs.approx import QUICK, TARGETS, Settings
from nnlab.labs.approx.experiments import fit_width, loglog_slope, relu_kinks
from nnlab.labs.approx.sawtooth import deep_sawtooth_net, deep_sawtooth_params, sawtooth, shallow_sawtooth_params
from nnlab.labs.approx.targets import sample


def test_targets_are_sampled_on_the_interval():
    X, y = sample("square", 5)
    np.testing.assert_allclose(X[:, 0], [-2, -1, 0, 1, 2])
    np.testing.assert_allclose(y, [4, 1, 0, 1, 4])
    assert {"sin", "abs", "step", "square", "gaussians"} <= set(TARGETS)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])
def test_the_deep_width_two_net_computes_the_sawtooth_exactly(k):
    x = np.linspace(0, 1, 1025)
    net = deep_sawtooth_net(k)
    with torch.no_grad():
        pred = net(torch.as_tensor(x[:, None], dtype=torch.float32)).numpy()[:, 0]
    assert np.max(np.abs(pred - sawtooth(x, k))) < 1e-5
    assert sum(p.numel() for p in net.parameters()) == deep_sawtooth_params(k) == 6 * k + 1


def test_sawtooth_has_two_to_the_k_minus_one_teeth():
    x = np.linspace(0, 1, 4097)
    peaks = np.sum(np.isclose(sawtooth(x, 4), 1.0))
    assert peaks == 8
    assert shallow_sawtooth_params(4) == 49


def test_relu_kinks_are_where_units_switch():
    net = deep_sawtooth_net(1)              # first layer: relu(x), relu(x - 0.5) -> kinks at 0 and 0.5
    np.testing.assert_allclose(relu_kinks(net, interval=(-1, 1)), [0.0, 0.5])


def test_loglog_slope_of_a_power_law():
    w = np.array([1, 2, 4, 8, 16])
    assert loglog_slope(w, 3.0 / w) == pytest.approx(-1.0)


def test_a_wider_layer_fits_sin_better():
    s = Settings(epochs=400, lr=0.02)
    narrow = fit_width("sin", "relu", 2, s, seed=0)
    wide = fit_width("sin", "relu", 64, s, seed=0)
    assert wide.rms < narrow.rms / 3
    assert (narrow.params, wide.params) == (7, 193)


def test_two_tanh_units_fit_x_squared_with_an_error_falling_like_w_squared():
    from nnlab.labs.approx.experiments import two_tanh_square
    errors = [two_tanh_square(w) for w in (0.1, 0.03, 0.01)]
    assert errors[0] == pytest.approx(0.0177, rel=0.01)
    for wide, narrow in zip(errors, errors[1:]):           # w shrinks by ~3.3: the error by ~10
        assert 8 < wide / narrow < 12
    assert two_tanh_square(0.003, np.float32) > two_tanh_square(0.003)     # float32's rounding floor


def test_settings_reject_unknown_names_and_bad_widths():
    with pytest.raises(InvalidArgument, match="gaussians"):
        Settings(targets=("sine",))
    with pytest.raises(InvalidArgument):
        Settings(widths=(4, 0))


HEADLINES = {"error_falls_with_width", "relu_fits_abs", "step_keeps_max_error", "two_tanh_units_fit_square",
             "depth_beats_width"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One `nnlab approx --quick` run shared by the tests that read its outputs."""
    out = tmp_path_factory.mktemp("approx_quick")
    return out, run_lab(out, "approx", "--quick")


def test_cli_quick_writes_the_page_and_its_headlines_hold(quick_run):
    out, stdout = quick_run
    claims = check_lab_outputs(out, "approx")
    assert {c["id"] for c in claims if c["headline"]} == HEADLINES
    assert "report.html" in stdout and "Finding:" in stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["run"]["quick"] is True
    assert summary["errors"]["sin"]["relu"]["128"]["rms"] < summary["errors"]["sin"]["relu"]["2"]["rms"]
    assert all(w["train_rms"] > 0 for per_act in summary["errors"].values() for per_w in per_act.values()
               for w in per_w.values())
    assert [r["deep_max_error"] < 1e-5 for r in summary["sawtooth"]] == [True] * len(QUICK.sawtooth_ks)
    crit = summary["criterion_tenth_of_width_2"]       # smooth targets only: not abs or step
    assert set(crit) == {f"{t}/{a}" for t in ("sin", "square", "gaussians") for a in ("relu", "tanh")}
    assert crit["sin/relu"]["met"] == (crit["sin/relu"]["rms_at_128"] < crit["sin/relu"]["rms_at_2"] / 10)
    assert summary["settings"]["lr_schedule"] == "cosine"
    for name in ("approx_fits.png", "approx_error_vs_width.png", "approx_sawtooth.png"):
        assert (out / name).exists()
    page = (out / "report.md").read_text()
    assert "two tanh units" in page.lower() and "The error falls as the layer widens" not in page


def test_a_rise_with_width_is_reported_as_a_rise_not_as_a_fall(quick_run):
    """The claim about every widening step follows the numbers: make tanh's error on sin rise from 32 to 128."""
    from nnlab.labs.approx.report import make_claims
    summary = json.loads((quick_run[0] / "summary.json").read_text())
    sin = summary["errors"]["sin"]["tanh"]
    for key in ("rms", "train_rms"):
        sin["128"][key] = 2 * sin["32"][key]
    claims = make_claims(summary, quick=False)
    claim = claims["falls_every_step_tanh"]
    assert not claim.holds and "sin 32 -> 128" in claim.text and "training points rose too" in claim.text
    for a in ("relu", "tanh"):                           # and with every error falling, the claim holds
        for t in summary["errors"]:
            for i, w in enumerate(map(str, QUICK.widths)):
                summary["errors"][t][a][w]["rms"] = summary["errors"][t][a][w]["train_rms"] = 1.0 / (i + 1)
    claims = make_claims(summary, quick=False)
    assert claims["falls_every_step_tanh"].holds and claims["falls_every_step_relu"].holds


def test_claims_word_counts_from_the_numbers_and_list_every_step(quick_run):
    from nnlab.labs.approx.report import make_claims
    summary = json.loads((quick_run[0] / "summary.json").read_text())
    claims = make_claims(summary, quick=True)
    ws = [r["w"] for r in summary["square_by_two_tanh_units"]]
    two = claims["two_tanh_units_fit_square"]
    assert all(f"{a:g} -> {b:g}:" in two.text for a, b in zip(ws, ws[1:]))        # every step, the first too
    assert "amplify" not in claims["float32_floor"].text and claims["float32_theory"].kind == "theory"
    saw = summary["sawtooth"]
    for r in saw:                                       # none left the mean: "All n", never "most"
        r["shallow_seeds_below_mean"] = 0
    text = make_claims(summary, quick=True)["shallow_stay_at_mean"].text
    assert text.startswith(f"All {sum(r['shallow_seeds'] for r in saw)} trained") and "most" not in text.lower()
    saw[0]["shallow_seeds_below_mean"] = 1              # one left: "Most ... (k of n)"
    total = sum(r["shallow_seeds"] for r in saw)
    claim = make_claims(summary, quick=True)["shallow_stay_at_mean"]
    assert claim.holds == (4 <= total) and (not claim.holds or f"({total - 1} of {total})" in claim.text)
    for r in saw:                                       # all left: not found, said as what happened
        r["shallow_seeds_below_mean"] = r["shallow_seeds"]
    claim = make_claims(summary, quick=True)["shallow_stay_at_mean"]
    assert not claim.holds and claim.text.startswith("More than a quarter") and "quick run" not in claim.text


def test_cli_subset_of_targets_and_widths(tmp_path):
    result = subprocess.run([sys.executable, "-m", "nnlab.cli", "approx", "--quick", "--targets", "sin,abs",
                             "--widths", "2,32", "--epochs", "50", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert set(summary["errors"]) == {"sin", "abs"} and summary["run"]["quick"] is True
    assert set(summary["criterion_tenth_of_width_2"]) == {"sin/relu", "sin/tanh"}
    claims = json.loads((tmp_path / "claims.json").read_text())
    assert "step_keeps_max_error" not in {c["id"] for c in claims}        # no step: no claim about it


@pytest.mark.parametrize("args, flag", [(["--targets", "sine"], "--targets"), (["--widths", "0"], "--widths"),
                                        (["--activations", "rleu"], "--activations")])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, args, flag):
    result = subprocess.run([sys.executable, "-m", "nnlab.cli", "approx", "--out", str(tmp_path), *args],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.startswith(f"Error: {flag}")
    assert len(result.stderr.strip().splitlines()) == 1
