"""``nnlab explain``: the quick run end to end, its summary's checks, report and figures; bad input."""
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

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
    passed = sum(c["passed"] for c in checks.values())
    assert f"{passed} of {len(checks)} checks passed" in stdout
    assert [r["two_over_lr"] for r in summary["sharpness"]["runs"]] == [20.0, 10.0, 5.0]


def test_quick_run_report_states_each_verdict_and_links_every_figure(quick_run):
    out, summary, _ = quick_run
    report = (out / "report.md").read_text()
    for name, check in summary["checks"].items():
        assert f"| {name} |" in report
    failed = [n for n, c in summary["checks"].items() if not c["passed"]]
    assert report.count("**FAIL**") == len(failed)
    for figure in FIGURES:
        assert f"({figure})" in report


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
    assert len(lines) == 1 and lines[0].startswith(f"Error: {flag}:") and named in lines[0]
    assert not (tmp_path / "summary.json").exists()
