"""The use case: leak-free k-fold evaluation, the statistics, export and reload, and ``nnlab usecase``."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from labcheck import check_lab_outputs
from nnlab.labs.usecase import USECASES, load_usecase
from nnlab.labs.usecase.evaluation import (
    CVResult,
    cross_validate,
    expected_calibration_error,
    fold_metrics,
    paired_difference,
    wilson_interval,
)
from nnlab.labs.usecase.models import MODELS, NnlabMLP

_SCRIPT = Path(sys.executable).parent / "nnlab"
NNLAB = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "nnlab.cli"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """``nnlab usecase --quick`` on the breast-cancer case, 3 folds; returns (out dir, summary)."""
    out = tmp_path_factory.mktemp("usecase")
    result = subprocess.run(NNLAB + ["usecase", "--quick", "--dataset", "breast-cancer", "--folds", "3", "--out",
                                     str(out)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return out, json.loads((out / "summary.json").read_text())


def test_data_ship_with_scikit_learn_and_malignant_is_positive():
    X, y, classes, features = load_usecase("breast-cancer")
    assert X.shape == (569, 30) and len(features) == 30
    assert classes == ["benign", "malignant"] and np.bincount(y).tolist() == [357, 212]
    X, y, classes, _ = load_usecase("digits")
    assert X.shape == (1797, 64) and len(classes) == 10


class _Spy:
    """An estimator that records what it was trained on and predicts the class frequencies."""
    seen = []

    def fit(self, X, y):
        _Spy.seen.append(X.copy())
        self.p = np.bincount(y, minlength=2) / len(y)
        return self

    def predict_proba(self, X):
        return np.tile(self.p, (len(X), 1))


def test_the_scaler_is_fitted_on_each_training_fold_only():
    X, y, _, _ = load_usecase("breast-cancer")
    _Spy.seen = []
    cross_validate(X, y, {"spy": _Spy}, folds=4, seed=0)
    assert len(_Spy.seen) == 4
    for X_train in _Spy.seen:
        # statistics of exactly these rows: zero mean, unit variance; with test rows in the fit they would not be
        assert np.allclose(X_train.mean(0), 0, atol=1e-9)
        assert np.allclose(X_train.std(0), 1, atol=1e-9)


def test_folds_are_stratified_and_cover_every_sample_once():
    X, y, _, _ = load_usecase("breast-cancer")
    result = cross_validate(X, y, {"spy": _Spy}, folds=5, seed=1)
    assert sorted(np.bincount(result.fold_of).tolist()) == [113, 114, 114, 114, 114]
    for f in range(5):
        share = y[result.fold_of == f].mean()
        assert abs(share - y.mean()) < 0.01                         # 37.3% malignant in every fold


def test_fold_metrics_on_a_hand_worked_example():
    y = np.array([0, 0, 1, 1])
    proba = np.array([[0.9, 0.1], [0.4, 0.6], [0.3, 0.7], [0.8, 0.2]])
    m = fold_metrics(y, proba)
    # predictions 0, 1, 1, 0: one true positive, one false positive, one false negative
    assert m["accuracy"] == 0.5 and m["precision"] == 0.5 and m["recall"] == 0.5
    # (positive, negative) pairs scored in the right order: (0.7, 0.1), (0.7, 0.6), (0.2, 0.1), not (0.2, 0.6)
    assert m["roc_auc"] == 0.75
    assert m["log_loss"] == pytest.approx(-np.mean(np.log([0.9, 0.4, 0.7, 0.2])))


def test_wilson_interval_matches_the_formula():
    lo, hi = wilson_interval(50, 100)
    assert (lo, hi) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    assert wilson_interval(100, 100)[1] == pytest.approx(1.0)


def test_paired_difference_calls_a_clear_win_and_a_tie():
    result = CVResult(5, np.zeros(1))
    result.per_fold = {"a": [{"accuracy": 0.9 + 0.001 * i, "log_loss": 0.2} for i in range(5)],
                       "b": [{"accuracy": 0.8 + 0.002 * i, "log_loss": 0.2 + 0.01 * (-1) ** i} for i in range(5)]}
    assert paired_difference(result, "a", "b", "accuracy")["verdict"] == "a better"
    assert paired_difference(result, "a", "b", "log_loss")["verdict"] == "no clear difference"


def test_expected_calibration_error_is_zero_when_confidence_equals_accuracy():
    y = np.array([0, 0, 0, 1])                                       # 3 of 4 right at confidence 0.75
    proba = np.tile([0.75, 0.25], (4, 1))
    assert expected_calibration_error(y, proba) == pytest.approx(0.0)
    assert expected_calibration_error(np.array([1, 1, 1, 1]), proba) == pytest.approx(0.75)


def test_nnlab_mlp_trains_through_nnlab_fit_on_digits():
    from nnlab.training import History
    X, y, _, _ = load_usecase("digits")
    X = (X[:400] - 8) / 8
    model = NnlabMLP(hidden=(32,), epochs=15, batch_size=32, seed=0).fit(X[:300], y[:300])
    assert isinstance(model.history_, History) and model.history_.epochs_run == 15
    proba = model.predict_proba(X[300:])
    assert proba.shape == (100, 10) and np.allclose(proba.sum(1), 1, atol=1e-6)
    assert (proba.argmax(1) == y[300:400]).mean() > 0.8


def test_every_model_of_the_registry_is_compared(run):
    case = run[1]["cases"]["breast-cancer"]
    assert set(case["models"]) == set(MODELS)
    for name, m in case["models"].items():
        assert m["folds"]["accuracy"]["mean"] > 0.9, name            # even with a tenth of the training
        assert sum(map(sum, m["confusion"])) == 569


def test_exported_model_loads_back_and_predicts_the_same(run):
    out, summary = run
    d = summary["cases"]["breast-cancer"]["deployment"]
    assert d["same_predictions_state_dict"] and d["max_abs_diff_state_dict"] == 0.0
    assert d["same_predictions_torchscript"] and d["max_abs_diff_torchscript"] == 0.0
    assert set(d["files"]) == {"model.json", "weights.pt", "model.torchscript.pt"}
    import torch

    from nnlab.labs.usecase.deploy import load_model
    X, y, _, _ = load_usecase("breast-cancer")
    with torch.no_grad():
        p = load_model(out / "breast-cancer_model")(torch.as_tensor(X, dtype=torch.float32)).numpy()
    assert (p.argmax(1) == y).mean() > 0.9                          # trained on all of it


def test_usecase_command_writes_figures_and_a_plain_report(run):
    out, summary = run
    for stem in ("roc", "confusion", "calibration", "folds"):
        assert (out / f"breast-cancer_{stem}.png").stat().st_size > 0
    report = (out / "report.md").read_text()
    assert "**In plain words.**" in report and "**Limits of 569 samples.**" in report
    assert "**What deployment would take.**" in report and "missed malignant (FN)" in report
    page = (out / "report.html").read_text()
    assert "data:image" not in page and page.count('<img alt="Breast cancer diagnosis') == 4    # linked


def test_quick_run_publishes_its_claims_and_every_headline_holds(run):
    out, summary = run
    claims = check_lab_outputs(out, "usecase")
    assert {c["id"] for c in claims if c["headline"]} == {"breast-cancer_mlp_as_accurate",
                                                          "breast-cancer_deploy_roundtrip"}
    case = summary["cases"]["breast-cancer"]
    assert case["settings"]["epochs"] == USECASES["breast-cancer"].quick_epochs and summary["run"]["quick"]
    assert summary["run"]["versions"]["torch_threads"] == 1             # the lab pins torch to one thread
    by_id = {c["id"]: c for c in claims}                 # the same digits in the table and the claim
    lo, hi = case["models"]["nnlab-mlp"]["accuracy_ci95"]
    assert f"[{lo:.3f}, {hi:.3f}]" in by_id["breast-cancer_mlp_as_accurate"]["text"]
    assert f"[{lo:.3f}, {hi:.3f}]" in (out / "report.md").read_text()


def test_claims_say_what_the_numbers_show_when_the_mlp_falls_behind(run):
    from nnlab.labs.usecase.report import make_claims
    summary = json.loads(json.dumps(run[1]))
    case = summary["cases"]["breast-cancer"]
    case["models"]["nnlab-mlp"]["accuracy_ci95"] = [0.80, 0.85]          # an MLP far behind the baselines
    case["comparisons"][0]["verdict"] = "logistic-regression better"
    claims = make_claims(summary, quick=True)
    behind = claims["breast-cancer_mlp_as_accurate"]
    assert not behind.holds and "lies above the nnlab MLP's 95% interval [0.800, 0.850]" in behind.text
    assert "quick run" in behind.text                                   # the known cause, named
    assert "beats the MLP clearly in 1 of the 9 paired comparisons" in claims["breast-cancer_no_clear_loss"].text


def test_usecase_command_rejects_an_unknown_dataset(tmp_path):
    result = subprocess.run(NNLAB + ["usecase", "--dataset", "iris", "--out", str(tmp_path)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2 and "--dataset" in result.stderr and "breast-cancer" in result.stderr


def test_use_cases_are_registered_with_settings_fixed_in_advance():
    assert set(USECASES) == {"breast-cancer", "digits"}
    for case in USECASES.values():
        assert case.hidden and case.epochs > 0 and case.batch_size > 0


def test_ranking_claim_leaves_out_the_pairs_the_paired_comparison_decides(run):
    """The page once said all 3 baselines' order "could change with another sample" while its paired table called
    gradient boosting against the MLP clear: a pair the fold-by-fold comparison decides is not left undecided."""
    from nnlab.labs.usecase.report import make_claims
    summary = json.loads(json.dumps(run[1]))
    case = summary["cases"]["breast-cancer"]
    mlp = case["models"]["nnlab-mlp"]["pooled"]["accuracy"]
    for m in ("logistic-regression", "sklearn-mlp", "gradient-boosting"):
        case["models"][m]["pooled"]["accuracy"] = mlp - 0.001            # all within the interval's width
    for comp in case["comparisons"]:
        if comp["metric"] == "accuracy":
            comp["verdict"] = "nnlab-mlp better" if comp["b"] == "gradient-boosting" else "no clear difference"
    text = make_claims(summary, quick=True)["breast-cancer_ranking_uncertain"].text
    assert "2 of the 3 baselines (logistic regression and scikit-learn MLP)" in text
    assert "the MLP beats gradient boosting clearly" in text
    for comp in case["comparisons"]:                                      # every pair decided: no finding
        if comp["metric"] == "accuracy":
            comp["verdict"] = "nnlab-mlp better"
    decided = make_claims(summary, quick=True)["breast-cancer_ranking_uncertain"]
    assert not decided.holds and "every baseline is ordered against the MLP" in decided.text


def test_accuracy_claim_names_the_baselines_inside_the_mlp_interval(run):
    from nnlab.labs.usecase.report import make_claims
    summary = json.loads(json.dumps(run[1]))
    case = summary["cases"]["breast-cancer"]
    case["models"]["nnlab-mlp"]["accuracy_ci95"] = [0.95, 0.99]
    case["models"]["nnlab-mlp"]["pooled"]["accuracy"] = 0.975             # the MLP best, two baselines inside
    for m, acc in (("logistic-regression", 0.971), ("sklearn-mlp", 0.96), ("gradient-boosting", 0.90)):
        case["models"][m]["pooled"]["accuracy"] = acc
    claims = make_claims(summary, quick=True)
    text = claims["breast-cancer_mlp_as_accurate"].text
    assert "the nnlab MLP has the highest pooled accuracy" in text
    assert "logistic regression (0.971) and scikit-learn MLP (0.960) lie inside that interval: the pooled" in text
    assert "gradient boosting" not in text
    case["models"]["logistic-regression"]["pooled"]["accuracy"] = 0.98   # a baseline best, inside the interval
    text = make_claims(summary, quick=True)["breast-cancer_mlp_as_accurate"].text
    assert "does not distinguish the MLP from the best baseline" in text and "as accurate as" not in text
    deploy = claims["breast-cancer_deploy_small_fast"].text
    assert "any server or device" not in deploy and "timed on one thread of this machine's CPU" in deploy
    for comp in case["comparisons"]:                  # the paired test separates two of them, in each direction
        if comp["metric"] == "accuracy" and comp["b"] == "sklearn-mlp":
            comp["verdict"] = "nnlab-mlp better"
        if comp["metric"] == "accuracy" and comp["b"] == "logistic-regression":
            comp["verdict"] = "logistic-regression better"
    beaten = make_claims(summary, quick=True)["breast-cancer_mlp_as_accurate"]
    assert not beaten.holds and "but fold by fold on accuracy logistic regression beats the MLP clearly" in beaten.text
    case["models"]["logistic-regression"]["pooled"]["accuracy"] = 0.971
    ahead = make_claims(summary, quick=True)["breast-cancer_mlp_as_accurate"]
    assert ahead.holds and "fold by fold on accuracy, logistic regression beats the MLP clearly and the MLP beats " \
        "scikit-learn MLP clearly" in ahead.text
