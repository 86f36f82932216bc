"""``nnlab explain``: the quick run end to end, its summary's checks, claims, page and figures; bad input."""
import copy
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from labcheck import check_lab_outputs

HEADLINES = {"probes_untangle", "ig_completeness", "sanity_separates_methods", "learned_directions_stand_out",
             "edge_of_stability"}
FIGURES = ["neurons_seed-circle.png", "neurons_xor.png", "neurons_spiral.png", "neurons_over_training_spiral.png",
           "hidden_spaces.png", "attributions_breast-cancer.png", "attributions_digits.png", "class_maps_digits.png",
           "sanity_check_digits.png", "spectra.png", "effective_rank.png", "sharpness.png"]


def _nnlab(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "nnlab.cli", *args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("explain")
    result = _nnlab("explain", "--quick", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out, json.loads((out / "summary.json").read_text()), result.stdout


def test_quick_run_probes_rise_to_the_networks_accuracy(quick_run):
    _, summary, _ = quick_run
    probes = summary["probe_accuracy_per_layer"]
    assert set(probes) == {"seed-circle", "xor", "spiral"}
    for task, p in probes.items():
        assert len(p) == 4
        assert p[-1] > p[0] + 0.3
        assert p[-1] >= summary["network_test_accuracy"][task] - 0.02


def test_quick_run_attribution_checks_hold(quick_run):
    _, summary, _ = quick_run
    assert set(summary["ig_completeness_rel_error"]) == {"breast-cancer", "digits"}
    assert max(summary["ig_completeness_rel_error"].values()) < 0.01
    assert max(summary["shap_additivity_abs_error"].values()) < 1e-6
    corr = summary["sanity_rank_corr_randomized"]
    assert set(corr) == {"saliency", "gradient-x-input", "integrated-gradients"}
    assert corr["saliency"] < 0.5


def test_quick_run_records_every_check_with_its_verdict(quick_run):
    _, summary, stdout = quick_run
    checks = summary["checks"]
    assert checks["power_iteration_vs_full_hessian"]["passed"]
    assert checks["ig_completeness/digits"]["passed"] and checks["shap_additivity/breast-cancer"]["passed"]
    assert all(set(c) == {"value", "criterion", "passed"} for c in checks.values())
    assert [r["two_over_lr"] for r in summary["sharpness"]["runs"]] == [20.0, 10.0, 5.0]
    control = summary["sharpness"]["control"]                # the control: 2 / lr far above its own peak
    assert control["two_over_lr"] == 40.0 and control["max_over_edge"] < 0.9 and not control["diverged"]
    assert checks["step_size_caps_sharpness"]["passed"]
    for r in summary["sharpness"]["runs"]:          # the finished model's loss, not the last epoch's mean
        assert r["final_loss"] is not None and r["last_epoch_loss"] is not None
    assert "Finding:" in stdout and "report.html" in stdout and "checks passed" not in stdout


def test_quick_run_writes_the_page_and_its_headlines_hold(quick_run):
    out, summary, _ = quick_run
    claims = check_lab_outputs(out, "explain")
    assert {c["id"] for c in claims if c["headline"]} == HEADLINES
    assert summary["run"]["quick"] is True
    report = (out / "report.md").read_text()
    for figure in FIGURES:
        assert f"({figure})" in report
    assert "## Checks" not in report and "**FAIL**" not in report        # findings are claims, stated once
    for title in ("how training concentrates", "what each class's logit looks at"):
        assert title not in report


def test_claims_follow_the_numbers(quick_run):
    """Change the run's numbers and the claims change with them: a diverged smallest learning rate is no edge of
    stability, a near-zero gap explains a large per-example completeness error."""
    from nnlab.labs.explain.report import checks, make_claims
    summary = copy.deepcopy(quick_run[1])
    summary["sharpness"]["runs"][1].update(diverged=True, late_over_edge=6.3, max_over_edge=650.0)
    summary["ig_completeness_rel_error"]["breast-cancer"] = 0.13
    summary["ig_completeness_gaps"]["breast-cancer"]["smallest_abs_gap"] = 0.039
    first = summary["spectra"]["layers"][0]
    first["effective_rank_final"] = first["effective_rank_init"] + 1
    summary["checks"] = checks(summary)
    claims = make_claims(summary, quick=False)
    assert not claims["edge_of_stability"].holds and "lr 0.2 (2 / lr = 10) diverged" in claims["edge_of_stability"].text
    per_example = claims["ig_completeness_per_example"]
    assert not per_example.holds and "near zero" in per_example.text and "0.13" in per_example.text
    assert claims["ig_completeness"].holds                   # the error against the gaps' typical size is unchanged
    assert not claims["effective_rank_falls"].holds
    assert "did not fall in layer(s) 1" in claims["effective_rank_falls"].text


def test_sharpness_claims_check_what_they_say(quick_run):
    """Per learning rate, "the edge of stability's pattern" means rising to 2 / lr from below and hovering there:
    an overshoot with a loss spike (a catapult) or a start above 2 / lr is said as what it is, with no quick-mode
    caveat (a longer run cannot undo it)."""
    from nnlab.labs.explain.report import checks, make_claims
    summary = copy.deepcopy(quick_run[1])
    clean, catapult, above = summary["sharpness"]["runs"]
    clean.update(diverged=False, initial_sharpness=0.3 * clean["two_over_lr"], max_over_edge=1.05,
                 late_over_edge=0.95, loss_jump=1.0)
    catapult.update(diverged=False, initial_sharpness=0.6 * catapult["two_over_lr"], max_over_edge=1.8,
                    late_over_edge=0.9, loss_jump=20.0, loss_jump_from=0.25, loss_jump_to=5.0, loss_jump_epoch=57)
    above.update(diverged=False, initial_sharpness=1.2 * above["two_over_lr"], max_over_edge=1.1,
                 late_over_edge=1.0, loss_jump=1.5)
    summary["checks"] = checks(summary)
    claims = make_claims(summary, quick=True)
    first, second, third = (claims[f"sharpness_lr_{r['lr']:g}"] for r in (clean, catapult, above))
    assert first.holds and "rose to 2 / lr from below" in first.text
    assert not second.holds and "overshot" in second.text and "loss jumped" in second.text
    assert "catapult" in second.text and "quick run" not in second.text
    assert not third.holds and "started above 2 / lr" in third.text and "quick run" not in third.text
    assert [summary["checks"][f"edge_of_stability/lr={r['lr']:g}"]["passed"] for r in (clean, catapult, above)] \
        == [True, False, False]


def test_the_headline_compares_the_control_with_the_capped_learning_rates(quick_run):
    """The edge of stability is told apart from the network's own level only by comparison: the control's peak P
    (below its 2 / lr) against learning rates whose 2 / lr lies well below P; a 2 / lr close to P is a coincidence."""
    from nnlab.labs.explain.report import checks, make_claims
    summary = quick_run[1]
    claims = make_claims(summary, quick=True)
    P = summary["sharpness"]["control"]["max_sharpness"]
    head = claims["edge_of_stability"]
    assert head.holds and head.headline and f"P = {P:.2f}" in head.text
    assert "lr 0.2, 2 / lr = 10" in head.text and "lr 0.4, 2 / lr = 5" in head.text and "lr 0.1," not in head.text
    near = claims["edge_meets_natural_level"]                     # 2 / lr = 20 lies close to P (about 20.6)
    assert near.holds and not near.headline and near.numbers["lrs"] == [0.1]
    assert claims["natural_level"].holds and "progressive sharpening" in claims["natural_level"].text

    # a control whose peak reaches its own 2 / lr shows no level of its own: no finding, said why
    capped = copy.deepcopy(summary)
    capped["sharpness"]["control"]["max_over_edge"] = 0.97
    capped["checks"] = checks(capped)
    claims = make_claims(capped, quick=True)
    assert not claims["edge_of_stability"].holds and "may have stopped it" in claims["edge_of_stability"].text
    assert "quick run" not in claims["edge_of_stability"].text        # quick runs the full sharpness study
    assert not claims["natural_level"].holds and not capped["checks"]["step_size_caps_sharpness"]["passed"]

    # a run held outside the band, and a higher natural level that no 2 / lr comes close to
    other = copy.deepcopy(summary)
    other["sharpness"]["runs"][2]["late_over_edge"] = 0.7
    other["sharpness"]["control"]["max_sharpness"] = 31.0
    claims = make_claims(other, quick=False)
    assert not claims["edge_of_stability"].holds
    assert "at lr 0.4 the last-quarter mean is 0.70 times 2 / lr" in claims["edge_of_stability"].text
    assert not claims["edge_meets_natural_level"].holds
    assert "No learning rate's 2 / lr lies within" in claims["edge_meets_natural_level"].text


def test_agreement_sanity_and_permutation_say_what_was_measured(quick_run):
    out, summary, _ = quick_run
    claims = {c["id"]: c for c in json.loads((out / "claims.json").read_text())}
    for name, a in summary["attributions"].items():
        methods, rho = a["rank_agreement"]["methods"], np.asarray(a["rank_agreement"]["spearman"])
        low = [f"{methods[i]} and {methods[j]} {rho[i, j]:.2f}" for i in range(len(methods))
               for j in range(i + 1, len(methods)) if rho[i, j] < 0.5]
        text = claims[f"methods_disagree_{name}"]["text"]
        assert claims[f"methods_disagree_{name}"]["holds"] == bool(low)
        assert all(pair in text for pair in low)                    # the pairs that disagree are named
        assert "do not agree on which features matter" not in text
    factors = summary["sanity"]["factor_rank_corr"]
    assert set(factors) == {"gradient-x-input", "integrated-gradients"}
    for m in ("gradient-x-input", "integrated-gradients"):
        text = claims[f"sanity_{m}"]["text"]
        assert "change little" not in text and f"{factors[m]['randomized']:.2f}" in text
    report = (out / "report.md").read_text()
    assert "-log loss" not in report and "rise in the test set's log loss" in report


@pytest.mark.parametrize("figure", FIGURES)
def test_quick_run_figures_are_drawn(quick_run, figure):
    out, summary, _ = quick_run
    assert figure in summary["files"]
    pixels = np.asarray(Image.open(out / figure).convert("L"), dtype=float)
    assert pixels.shape[0] > 200 and pixels.shape[1] > 400
    assert pixels.std() > 20                     # not a blank canvas


@pytest.mark.parametrize("args, flag, named", [(["--methods", "salency"], "--methods", "integrated-gradients"),
                                               (["--tasks", "sprial"], "--tasks", "seed-circle"),
                                               (["--datasets", "iris"], "--datasets", "breast-cancer")])
def test_bad_names_are_one_line_and_exit_2(tmp_path, args, flag, named):
    result = _nnlab("explain", "--quick", "--out", str(tmp_path), *args, timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {flag} must be") and named in lines[0]
    assert not (tmp_path / "summary.json").exists()
