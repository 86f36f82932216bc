"""The perceptron lab (`nnlab perceptron`): the update trace (the seed's Figure 4), the pocket algorithm, exact
separability and the best line, the capacity of a line, the page and its claims, and bad input."""
import itertools
import json
import subprocess
import sys

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from labcheck import check_lab_outputs, run_lab
from nnlab._validation import InvalidArgument
from nnlab.data import make_seed_linear
from nnlab.labs.perceptron import QUICK, Settings
from nnlab.labs.perceptron.capacity import SQUARE, THREE, shatter, summarize
from nnlab.labs.perceptron.data import noisy_data
from nnlab.labs.perceptron.separability import best_line, cover_count, general_position, novikoff, separable
from nnlab.labs.perceptron.updates import pick_snapshots
from nnlab.perceptron import Perceptron, PocketPerceptron, trace_updates
from pixels import shows_both_classes

# -- the update trace (Figure 4) ----------------------------------------------------------------------------------

def test_trace_of_the_hand_worked_example():
    # as in test_perceptron.py: a = (1, 0), y = +1 then b = (0, 1), y = -1, lr 0.1: two updates in epoch 1
    t = trace_updates(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([1, -1]))
    np.testing.assert_allclose(t.weights, [[0, 0], [0.2, 0], [0.2, -0.2]])
    np.testing.assert_allclose(t.bias, [0, 0.2, 0.0], atol=1e-15)
    assert t.epoch.tolist() == [1, 1] and t.index.tolist() == [0, 1]
    assert t.errors == [2, 0] and t.converged and t.n_updates == 2


@pytest.mark.parametrize("seed", [0, 3])
def test_trace_ends_on_the_fitted_line_bit_for_bit(seed):
    X, y = make_seed_linear(200, seed=seed)
    t = trace_updates(X, y)
    p = Perceptron().fit(X, y)
    assert np.array_equal(t.weights[-1], p.coef_) and t.bias[-1] == p.intercept_
    assert t.errors == p.errors_ and t.n_updates == sum(p.errors_)


def test_trace_refuses_to_record_without_bound():
    from nnlab.data import make_xor4
    with pytest.raises(InvalidArgument, match="max_updates"):
        trace_updates(*make_xor4(), max_updates=10)


@pytest.mark.parametrize("n, k", [(120, 8), (8, 8), (3, 8), (9, 8), (1, 2), (1000, 5)])
def test_snapshots_run_from_the_first_update_to_the_last(n, k):
    picks = pick_snapshots(n, k)
    assert picks == sorted(set(picks)) and picks[0] == 1 and picks[-1] == n
    assert len(picks) == min(n, k)


# -- the pocket ---------------------------------------------------------------------------------------------------

def test_pocket_equals_the_plain_rule_on_separable_data():
    X, y = make_seed_linear(200, seed=1)
    p, q = Perceptron().fit(X, y), PocketPerceptron().fit(X, y)
    assert np.array_equal(p.coef_, q.coef_) and p.intercept_ == q.intercept_
    assert q.pocket_accuracy_ == 1.0 and q.pocket_update_ == q.n_updates_ == sum(p.errors_)


def test_pocket_keeps_the_best_weights_the_rule_visited():
    d = noisy_data("seed-linear", 60, 10, 15.0, seed=2)
    q = PocketPerceptron(max_epochs=30).fit(d.X, d.y)
    t = trace_updates(d.X, d.y, max_epochs=30)
    right = [int(np.sum(np.where(d.X @ w + b > 0, 1, -1) == d.y)) for w, b in zip(t.weights, t.bias)]
    best = int(np.argmax(right))                        # the first of the best: the pocket takes strictly better
    assert q.pocket_update_ == best and q.n_updates_ == t.n_updates
    np.testing.assert_array_equal(q.coef_, t.weights[best])
    assert q.intercept_ == t.bias[best] and q.pocket_accuracy_ == right[best] / 60 == q.score(d.X, d.y)
    assert np.array_equal(q.last_coef_, t.weights[-1]) and q.last_intercept_ == t.bias[-1]
    assert not q.converged_ and right[-1] < right[best]


def test_pocket_repr_and_params():
    q = PocketPerceptron(lr=0.5, max_epochs=3)
    assert repr(q) == "PocketPerceptron(lr=0.5, max_epochs=3)" and q.get_params() == {"lr": 0.5, "max_epochs": 3}
    with pytest.raises(InvalidArgument, match="'lr' parameter of PocketPerceptron"):
        PocketPerceptron(lr=0).fit(np.zeros((2, 2)), np.array([0, 1]))


@parametrize_with_checks([PocketPerceptron()])
def test_pocket_is_a_scikit_learn_estimator(estimator, check):
    if getattr(check, "func", check).__name__ == "check_array_api_input":
        pytest.skip("NumPy only, like Perceptron")
    check(estimator)


def test_noisy_data_flips_exactly_the_share_asked():
    d = noisy_data("gauss", 200, 100, 12.5, seed=0)
    assert d.flipped_count == 25 and d.flipped.sum() == 25 and d.flipped_test == 12
    assert set(np.unique(d.y)) == {-1, 1} and d.X.shape == (200, 2) and d.X_test.shape == (100, 2)
    clean = noisy_data("seed-linear", 200, 10, 0.0, seed=0)
    assert clean.flipped_count == 0 and separable(clean.X, clean.y)


# -- exact answers ------------------------------------------------------------------------------------------------

def test_separable_by_linear_program():
    assert not separable(SQUARE, np.array([-1, 1, 1, -1]))           # XOR
    assert separable(SQUARE, np.array([-1, -1, -1, 1]))              # AND
    assert separable(SQUARE, np.ones(4))                             # one class: w = 0, b = 1


@pytest.mark.parametrize("trial", range(6))
def test_best_line_is_n_minus_the_fewest_flips_to_separable(trial):
    rng = np.random.default_rng(trial)
    n = 6
    X = rng.uniform(-1, 1, (n, 2))
    y = rng.choice([-1, 1], n)
    fewest = next(k for k in range(n + 1) for S in itertools.combinations(range(n), k)
                  if separable(X, np.where(np.isin(np.arange(n), S), -y, y)))
    assert best_line(X, y) == (n - fewest, True)


def test_best_line_flags_collinear_points():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [0.0, 1.0]])
    assert best_line(X, np.array([1, -1, 1, -1]))[1] is False
    assert not general_position(X) and general_position(THREE)


def test_cover_counts():
    assert [cover_count(n) for n in (1, 2, 3, 4, 5, 6)] == [2, 4, 8, 14, 22, 32]


def test_novikoff_on_two_points_with_a_known_margin():
    # z = (+-1, 0, 1): the widest unit u is (1, 0, 0), margin 1; R = sqrt(2); bound 2
    nv = novikoff(np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([1, -1]))
    assert nv["gamma"] == pytest.approx(1.0, rel=1e-6) and nv["bound"] == pytest.approx(2.0, rel=1e-6)
    assert novikoff(SQUARE, np.array([-1, 1, 1, -1])) is None
    X, y = make_seed_linear(200, seed=0)
    assert trace_updates(X, y).n_updates <= novikoff(X, y)["bound"]


def test_capacity_of_three_and_four_points():
    three, square = summarize(shatter(THREE, 0.1, 200)), summarize(shatter(SQUARE, 0.1, 200))
    assert three["separable"] == three["converged"] == 8 and three["agree"]
    assert square["separable"] == square["converged"] == 14 and square["agree"]
    assert sorted(square["not_separable"]) == [[-1, 1, 1, -1], [1, -1, -1, 1]]


# -- the lab, as a user runs it -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("perceptron_quick")
    stdout = run_lab(out, "perceptron", "--quick")
    return out, stdout


def test_quick_run_publishes_its_page_and_every_headline_holds(quick_run):
    out, stdout = quick_run
    claims = check_lab_outputs(out, "perceptron")
    assert {c["id"] for c in claims if c["headline"]} == {
        "figure4_converges", "updates_not_monotone", "plain_never_settles", "pocket_near_best", "pocket_held_out",
        "three_shattered", "xor_not_shattered", "cover_count_matches"}
    assert "converged=True" in stdout and "converged=False" in stdout      # the seed program's two lines


def test_quick_run_numbers_figures_and_gif(quick_run):
    from PIL import Image
    out, _ = quick_run
    s = json.loads((out / "summary.json").read_text())
    f4, p = s["figure4"], s["pocket"]
    assert f4["converged"] and f4["same_as_fit"] and f4["right_last"] == 200 and f4["updates"] > 8
    assert len(f4["right_after_update"]) == f4["updates"] + 1 and f4["shown"] == QUICK.strip
    gif = Image.open(out / "perceptron_updates.gif")
    assert gif.n_frames == f4["frames"] == min(QUICK.gif_frames, f4["updates"] + 1) > 1
    assert not p["separable"] and not p["converged"] and p["epochs"] == QUICK.pocket_epochs
    assert p["plain_train"] < p["pocket_train"] <= p["best_line_train"] and p["best_line_exact"]
    assert p["pocket_train_per_epoch"][-1] == p["pocket_train"] and p["pocket_same_rule"]
    assert p["flipped"] == round(QUICK.noise / 100 * QUICK.n)
    assert s["capacity"]["square"]["separable"] == 14 and s["capacity"]["three"]["separable"] == 8
    for name in ("perceptron_visualization.png", "perceptron_updates.png", "perceptron_pocket.png",
                 "perceptron_capacity.png"):
        assert shows_both_classes(out / name), name
    page = (out / "report.md").read_text()
    assert f"{p['pocket_train']:.1%}" in page and "perceptron_updates.gif" in page
    assert s["pocket_train_accuracy"] == p["pocket_train"]


def test_claims_that_do_not_hold_say_what_the_run_showed(quick_run):
    from nnlab.labs.perceptron.report import make_claims
    out, _ = quick_run
    s = json.loads((out / "summary.json").read_text())
    s["pocket"].update(converged=True, min_mistakes=0, epochs=7, pocket_train=0.8, plain_train=0.8,
                       pocket_test=0.7, plain_test_second_half_mean=0.75, best_line_train=0.85)
    s["capacity"]["square"].update(separable=16, not_separable=[])
    c = make_claims(s, quick=True)
    assert not c["plain_never_settles"].holds and "settled: epoch 7 had no mistake" in c["plain_never_settles"].text
    assert not c["pocket_keeps_best"].holds and "no better than the plain rule's last (80.0%)" in \
        c["pocket_keeps_best"].text
    assert not c["pocket_held_out"].holds and "70.0%, not above the 75.0% the plain rule's lines" in \
        c["pocket_held_out"].text
    assert not c["pocket_near_best"].holds and "5.0 points short of the best any line does (85.0%)" in \
        c["pocket_near_best"].text
    assert not c["xor_not_shattered"].holds and "16 are separable" in c["xor_not_shattered"].text


def _nnlab(*args):
    return subprocess.run([sys.executable, "-m", "nnlab.cli", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args, start", [
    (["--noise", "60"], "Error: --noise must be a percentage of labels flipped in the range [0, 50]. Got 60.0"),
    (["--noise", "-1"], "Error: --noise must be a percentage of labels flipped in the range [0, 50]. Got -1.0"),
    (["--noise", "nan"], "Error: --noise must be a percentage"),
    (["--dataset", "spirl"], "Error: --dataset must be one of ['circle', 'gauss', 'moons', 'seed-circle'"),
    (["--dataset", "xor4"], "Error: --dataset must be one of"),
    (["--n", "3"], "Error: --n must be an integer in the range [4, 500]"),
    (["--n", "501"], "Error: --n must be an integer in the range [4, 500]"),
    (["--pocket-epochs", "0"], "Error: --pocket-epochs must be an integer >= 1"),
    (["--max-epochs", "0"], "Error: --max-epochs must be an integer >= 1"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, start):
    out = tmp_path / "o"
    result = _nnlab("perceptron", "--quick", "--out", str(out), *args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(start), result.stderr
    assert not (out / "summary.json").exists()


def test_another_page_in_out_is_not_overwritten(tmp_path):
    (tmp_path / "summary.json").write_text(json.dumps({"run": {"lab": "tour"}}))
    result = _nnlab("perceptron", "--quick", "--out", str(tmp_path))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "holds the page of 'tour'" in result.stderr
    assert json.loads((tmp_path / "summary.json").read_text()) == {"run": {"lab": "tour"}}


def test_settings_check_their_values():
    with pytest.raises(InvalidArgument, match="noise"):
        Settings(noise=50.5)
    with pytest.raises(InvalidArgument, match="dataset"):
        Settings(dataset="spirals")
    assert Settings(noise=0).noise == 0 and Settings(noise=50).noise == 50
