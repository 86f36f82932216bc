import json
import math
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from labcheck import check_lab_outputs, run_lab
from nnlab._validation import InvalidArgument
from nnlab.labs.study import QUICK, Settings, binary_datasets
from nnlab.labs.study.grid import Trial, diverged, epochs_to_target, mean_std, run_grid
from nnlab.labs.study.sensitivity import best_cells, per_batch_size, sensitivity_spec, summarize_cells


def _trial(loss, acc=(), final_loss=0.1, final_acc=0.9, **params) -> Trial:
    seed = params.pop("seed", 0)
    return Trial(params, {"train": {"seed": seed}}, 0, np.asarray(loss, float), np.zeros(len(acc)),
                 np.asarray(acc, float), {"train_loss": final_loss, "test_accuracy": final_acc})


# -- the one-layer network written out -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def one_layer():
    from nnlab.labs.study.one_layer import run_one_layer
    return run_one_layer(replace(QUICK, epochs=25, snapshots=(0, 5, 25)), resolution=40)


def test_hand_written_gradients_match_autograd_and_central_differences(one_layer):
    check = one_layer["gradient_check"]
    assert check["vs_autograd"] < 1e-12
    assert check["vs_central_differences"] < 1e-6
    assert check["parameters"] == 2 * 8 + 8 + 8 * 2 + 2


def test_hand_written_training_follows_the_torch_run(one_layer):
    # same start, same batch order: float32 torch and float64 NumPy agree to rounding over every epoch
    assert len(one_layer["hand"].loss) == len(one_layer["torch"].history.loss) == 25
    assert one_layer["loss_max_abs_diff"] < 1e-5
    assert one_layer["param_max_abs_diff"] < 1e-4
    assert one_layer["hand"].loss[-1] < one_layer["hand"].loss[0] / 3
    assert set(one_layer["hand"].snapshots) == {0, 5, 25}


def test_hand_training_in_another_batch_order_is_told_apart(one_layer):
    # the agreement above depends on drawing fit's batch order; another order gives another curve
    from nnlab.labs.study.one_layer import hand_train
    from nnlab.nn import build_mlp
    from nnlab.scratch import HandMLP
    cfg, data = one_layer["config"], one_layer["data"]
    net = HandMLP.from_torch(build_mlp(cfg.model, seed=cfg.train.seed))
    other = hand_train(net, data.X_train, data.y_train, data.X_test, data.y_test, cfg.train.lr, 25,
                       cfg.train.batch_size, seed=cfg.train.seed + 1)
    assert np.max(np.abs(np.asarray(other.loss) - one_layer["torch"].history.loss)) > 1e-3


# -- outcomes of a trial ---------------------------------------------------------------------------------------

def test_a_run_diverged_when_its_loss_is_not_finite_or_blew_up():
    limit = 10 * math.log(2)
    assert not diverged(_trial([0.7, 2.0, 0.1]), limit)               # a spike below the limit is not divergence
    assert diverged(_trial([0.7, np.nan]), limit)
    assert diverged(_trial([0.7, np.inf]), limit)
    assert diverged(_trial([0.7, 50.0, 0.69]), limit)                # blew up, came back at chance
    assert diverged(_trial([0.7, 0.2], final_loss=13.0), limit)      # the final weights' loss counts too


def test_epochs_to_target_is_the_first_epoch_at_or_above_it():
    assert epochs_to_target(_trial([1, 1, 1, 1], acc=[0.5, 0.95, 0.9, 0.99]), 0.95) == 2
    assert epochs_to_target(_trial([1, 1], acc=[0.5, np.nan]), 0.95) is None


def test_mean_std_leaves_out_missing_values():
    assert mean_std([1.0, 3.0, None, math.nan]) == (2.0, 1.0)
    assert all(math.isnan(v) for v in mean_std([None]))


def test_cells_average_over_stable_seeds_and_count_diverged_ones():
    s = Settings(lrs=(0.1, 1.0), batch_sizes=(8,), seeds=2, grid_epochs=3)
    trials = [_trial([0.7, 0.3, 0.1], acc=[0.6, 0.96, 0.97], final_loss=0.1, **{"train.batch_size": 8,
                                                                                  "train.lr": 0.1, "seed": 0}),
              _trial([0.7, 0.5, 0.3], acc=[0.5, 0.7, 0.8], final_loss=0.3, **{"train.batch_size": 8,
                                                                               "train.lr": 0.1, "seed": 1}),
              _trial([0.7, 0.1, 0.05], acc=[0.97, 0.98, 0.99], final_loss=0.05, **{"train.batch_size": 8,
                                                                                     "train.lr": 1.0, "seed": 0}),
              _trial([0.7, np.nan], acc=[0.96, 0.5], final_loss=np.nan, **{"train.batch_size": 8,
                                                                            "train.lr": 1.0, "seed": 1})]
    slow, fast = summarize_cells(trials, s)
    assert slow["diverged"] == 0 and slow["train_loss"] == pytest.approx((0.2, 0.1))
    assert slow["epochs_to_target_per_seed"] == [2, None] and slow["epochs_to_target_median"] is None
    # the diverged seed counts as never (though it passed the target before blowing up) and leaves the mean
    assert fast["diverged"] == 1 and fast["train_loss"] == pytest.approx((0.05, 0.0))
    assert fast["epochs_to_target_per_seed"] == [1, None]
    best = best_cells([slow, fast])
    assert best["lowest_loss"] is slow and best["fastest"] is None      # only slow has no diverged seed
    row, = per_batch_size([slow, fast], s)
    assert (row["largest_stable_lr"], row["smallest_diverging_lr"]) == (0.1, 1.0)


# -- the grids through the sweeps machinery ----------------------------------------------------------------------

def test_the_grid_marks_a_huge_learning_rate_diverged_and_resumes_from_the_store(tmp_path):
    s = Settings(lrs=(0.03, 30.0), batch_sizes=(32,), seeds=2, grid_epochs=8)
    trials = run_grid(sensitivity_spec(s), tmp_path / "runs")
    assert [t.params["train.lr"] for t in trials] == [0.03, 0.03, 30.0, 30.0]
    cells = summarize_cells(trials, s)
    assert [c["diverged"] for c in cells] == [0, 2]
    assert all(len(t.loss) == 8 for t in trials[:2])
    messages = []
    again = run_grid(sensitivity_spec(s), tmp_path / "runs", progress=messages.append)
    assert [t.run_id for t in again] == [t.run_id for t in trials]        # nothing trained twice
    assert "4/4 trials done before" in messages[0]


def test_without_a_non_linearity_the_network_cannot_learn_xor(tmp_path):
    from nnlab.labs.study.activations import run_activations
    s = replace(QUICK, activations=("linear", "tanh"), epochs=60, seeds=2)
    result = run_activations(s, tmp_path)
    summ = result["summary"]
    assert summ["linear"]["test_accuracy"][0] < 0.7
    assert summ["tanh"]["test_accuracy"][0] > 0.95
    assert result["retrain_max_abs_diff"] < 1e-3                        # reruns from the stored configs agree
    assert set(result["grids"]) == {(a, seed) for a in ("linear", "tanh") for seed in (0, 1)}


def test_settings_accept_only_two_class_2d_data():
    assert "xor" in binary_datasets() and "circle" in binary_datasets()
    for name in ("spirals", "xor4", "reg-plane"):
        with pytest.raises(InvalidArgument, match="xor"):
            Settings(dataset=name)


def test_diverged_cells_are_hatched_in_the_heatmap():
    from nnlab.labs.study.figures_sensitivity import plot_sensitivity_heatmaps
    s = Settings(lrs=(0.1, 1.0), batch_sizes=(8, None), seeds=1, grid_epochs=3)
    cells = []
    for b in s.batch_sizes:
        for lr in s.lrs:
            bad = lr == 1.0 and b == 8
            cells.append({"lr": lr, "batch_size": b, "seeds": 1, "diverged": int(bad),
                          "train_loss": (math.nan, math.nan) if bad else (0.1 * lr, 0.0),
                          "test_accuracy": (0.9, 0.0), "epochs_to_target_per_seed": [None if bad or lr == 0.1 else 2],
                          "epochs_to_target_median": None if bad or lr == 0.1 else 2.0,
                          "reached_target": 0 if bad or lr == 0.1 else 1})
    fig = plot_sensitivity_heatmaps({"cells": cells, "best": best_cells(cells), "n_train": 250}, s)
    loss_ax, epochs_ax = fig.axes[:2]                                    # then the two colour bars
    assert epochs_ax.get_title().startswith("Epochs until")
    assert sum(p.get_hatch() is not None for p in loss_ax.patches) == 1
    assert sum(p.get_hatch() is not None for p in epochs_ax.patches) == 1
    texts = [t.get_text() for t in epochs_ax.texts]
    assert sum(t.startswith("never") for t in texts) == 2 and texts.count("diverged") == 1


# -- the command -----------------------------------------------------------------------------------------------

HEADLINES = {"hand_gradients_match", "one_layer_learns", "linear_cannot_learn", "sigmoid_learns_slowest",
             "large_lr_diverges", "small_lr_slow"}
FIGURES = {"one-layer": ["one_layer_training.png", "one_layer_boundary.png"],
           "activations": ["activations_loss.png", "activations_accuracy.png", "activations_boundaries.png"],
           "sensitivity": ["sensitivity_heatmaps.png", "sensitivity_curves.png"]}


@pytest.fixture(scope="module")
def quick_all(tmp_path_factory):
    """One `nnlab study all --quick` run, shared by the tests that read it."""
    out = tmp_path_factory.mktemp("study")
    return out, run_lab(out, "study", "all", "--quick")


def test_cli_all_quick_writes_one_page_whose_headlines_hold(quick_all):
    out, stdout = quick_all
    claims = check_lab_outputs(out, "study")
    assert {c["id"] for c in claims if c["headline"]} == HEADLINES
    page = (out / "report.md").read_text()
    for name, figures in FIGURES.items():
        for f in figures:                     # each study's figures in its folder, linked from the one page
            assert (out / name / f).stat().st_size > 10_000 and f"]({name}/{f})" in page
        assert not (out / name / "report.md").exists() and not (out / name / "summary.json").exists()
    assert "Finding:" in stdout and "wrote" in stdout            # the command prints the claims


def test_cli_all_quick_summary_keeps_the_numbers(quick_all):
    out, _ = quick_all
    summary = json.loads((out / "summary.json").read_text())
    assert summary["run"]["quick"] and summary["run"]["versions"]["torch_threads"] == 1
    one = summary["one-layer"]
    assert one["loss_max_abs_diff"] < 1e-5 and one["final"]["test_accuracy"] > 0.9
    assert one["hand_final"]["test_accuracy"] == pytest.approx(one["final"]["test_accuracy"], abs=0.01)
    acts = summary["activations"]["activations"]
    assert {"relu", "sigmoid", "tanh"} <= set(acts)
    assert acts["linear"]["test_accuracy"][0] < acts["tanh"]["test_accuracy"][0] - 0.2
    sens = summary["sensitivity"]
    assert len(sens["cells"]) == len(QUICK.lrs) * len(QUICK.batch_sizes)
    assert any(c["diverged"] for c in sens["cells"]) and sens["best"]["lowest_loss"]["diverged"] == 0
    # one meaning per number: the claim cites the summary's final loss, with the table's digits
    claims = {c["id"]: c for c in json.loads((out / "claims.json").read_text())}
    assert claims["one_layer_learns"]["numbers"]["train_loss"] == one["final"]["train_loss"]
    assert f"{one['final']['train_loss']:.3g}" in (out / "report.md").read_text()


def test_one_study_writes_its_own_page_with_its_figures_beside_it(tmp_path):
    from nnlab.labs.study import run_study
    summary = run_study("one-layer", tmp_path, replace(QUICK, epochs=40, snapshots=(0, 5, 40)), quick=True)
    claims = check_lab_outputs(tmp_path, "study")
    assert {c["id"] for c in claims if c["headline"]} == {"hand_gradients_match", "one_layer_learns"}
    assert summary["run"]["title"].startswith("A single hidden layer")
    assert all((tmp_path / f).is_file() for f in summary["files"])
    assert "](one_layer_training.png)" in (tmp_path / "report.md").read_text()


def test_a_claim_that_does_not_hold_says_what_the_run_showed():
    from nnlab.labs.study.findings import make_claims
    cell = {"seeds": 2, "diverged": 0, "train_loss": (0.5, 0.1), "test_accuracy": (0.6, 0.1),
            "epochs_to_target_median": None, "reached_target": 0, "seed_ids": [0, 1],
            "diverged_per_seed": [False, False], "epochs_to_target_per_seed": [None, None],
            "diverged_reached_target": 0}
    s = Settings(lrs=(0.1, 1.0), batch_sizes=(None,), seeds=2, grid_epochs=3)
    cells = [{**cell, "lr": 0.1, "batch_size": None}, {**cell, "lr": 1.0, "batch_size": None}]
    summary = {"cells": cells, "n_train": 250, "epochs": 3, "best": best_cells(cells),
               "per_batch_size": per_batch_size(cells, s)}
    claims = make_claims({"sensitivity": summary}, s, quick=True)
    big = claims["large_lr_diverges"]
    assert not big.holds and "at lr 1, 0 of 2 runs diverged (looked for: all)" in big.text and "--quick" in big.text


def test_a_diverged_run_stays_at_the_cap_and_no_median_is_drawn_where_every_seed_diverged():
    # audit: a bold median was drawn for cells whose seeds all diverged, and a run that blew up and then fell back
    # to a dead network's 0.69 was drawn at 0.69, not at the cap its title promises
    from nnlab.labs.study.figures_sensitivity import blow_up_epoch, plot_sensitivity_curves
    s = Settings(lrs=(0.1, 1.0), batch_sizes=(4,), seeds=2, grid_epochs=4)
    ok = [0.6, 0.4, 0.3, 0.2]
    blown = [0.7, 20.0, 0.69, 0.69]                       # passes the threshold (6.93) in epoch 2, then falls back
    trials = [_trial(ok, **{"train.batch_size": 4, "train.lr": 0.1, "seed": k}) for k in (0, 1)]
    trials += [_trial(blown, final_loss=0.69, **{"train.batch_size": 4, "train.lr": 1.0, "seed": k}) for k in (0, 1)]
    assert blow_up_epoch(blown, s.blow_up_loss) == 1 and blow_up_epoch(ok, s.blow_up_loss) is None
    fig = plot_sensitivity_curves({"trials": trials, "n_train": 250}, s)
    ax = fig.axes[0]
    cap = 3 * s.blow_up_loss
    bold = [line for line in ax.lines if line.get_linewidth() == 1.8]
    assert len(bold) == 1 and np.allclose(bold[0].get_ydata(), ok)     # lr 0.1's median only
    diverged_lines = [line for line in ax.lines if np.isclose(line.get_ydata()[-1], cap)]
    assert len(diverged_lines) == 2 and all(np.allclose(line.get_ydata(), [0.7, cap, cap, cap])
                                            for line in diverged_lines)
    assert "diverged: lr 1 2/2" in ax.get_title()


def _trend_summary(stable: dict, fastest: dict):
    """A sensitivity summary whose per-batch rows have the given largest stable lrs and whose fastest cells take
    the given (epochs, lr) per batch size (None: the median seed never reached the target)."""
    s = Settings(lrs=(0.1, 1.0, 3.0), batch_sizes=tuple(stable), seeds=1, grid_epochs=40)
    rows = [{"batch_size": b, "best_lr": v, "best_loss": (0.1, 0.0), "largest_stable_lr": v,
             "smallest_diverging_lr": 3.0} for b, v in stable.items()]
    cells = [{"lr": lr, "batch_size": b, "seeds": 1, "diverged": 0, "train_loss": (0.1, 0.0),
              "test_accuracy": (0.99, 0.0), "epochs_to_target_median": e, "reached_target": int(e is not None),
              "seed_ids": [0], "diverged_per_seed": [False], "epochs_to_target_per_seed": [e],
              "diverged_reached_target": 0}
             for b, (e, lr) in fastest.items()]
    return {"per_batch_size": rows, "cells": cells, "n_train": 256, "epochs": 40}, s


def test_batch_trends_say_what_their_predicates_check():
    from nnlab.claims import Claims
    from nnlab.labs.study.findings import _batch_trends
    sm, s = _trend_summary({4: 0.1, 32: 1.0, None: 1.0}, {4: (None, 1.0), 32: (6.0, 1.0), None: (11.0, 1.0)})
    c = Claims(quick=True)
    _batch_trends(c, sm, s)
    stable = c["stable_lr_grows_with_batch"]
    assert stable.holds and "grows with the batch size" not in stable.text
    assert "never falls as the batch grows" in stable.text and "0.1 at batch 4, rising to 1 at batch 32 and full" \
        in stable.text
    steps = c["small_batches_fewer_epochs_more_steps"]       # names the batch sizes it compares, and the one left out
    assert steps.holds and "batch 32 gets there in fewer epochs than batch full" in steps.text
    assert "batch 4 never got there" in steps.text and "Smaller batches reach" not in steps.text
    sm, s = _trend_summary({4: 1.0, 32: 1.0}, {4: (3.0, 1.0), 32: (6.0, 1.0)})
    c = Claims(quick=True)
    _batch_trends(c, sm, s)
    assert not c["stable_lr_grows_with_batch"].holds and "is the same, 1, at every batch size" in \
        c["stable_lr_grows_with_batch"].text


@pytest.mark.parametrize("args, expected", [
    (["nonsense"], "one-layer"), (["all", "--dataset", "spiralz"], "--dataset"), (["all", "--seeds", "0"], "--seeds")])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, args, expected):
    result = subprocess.run([sys.executable, "-m", "nnlab.cli", "study", *args, "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in result.stderr
