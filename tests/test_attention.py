"""The attention lab: its tasks, the equivariant ceiling, the encoder's (non-)equivariance, and the quick run."""
import itertools
import json

import numpy as np
import pytest
import torch

from labcheck import check_lab_outputs, run_lab
from nnlab._validation import InvalidArgument
from nnlab.labs.attention import QUICK, Settings
from nnlab.labs.attention.model import TinyEncoder
from nnlab.labs.attention.tasks import PAD, Batch, equivariant_ceiling, make_batch, targets
from nnlab.labs.attention.training import equivariance_gap, mirror_attention, same_token_uniform

# -- the tasks ----------------------------------------------------------------------------------------------------

def test_targets_of_each_task():
    x = np.array([[3, 1, 3, 0, 7]])
    assert targets("reverse", x).tolist() == [[7, 0, 3, 1, 3]]
    assert targets("sort", x).tolist() == [[0, 1, 3, 3, 7]]
    assert targets("histogram", x).tolist() == [[2, 1, 2, 1, 1]]


def test_batches_are_padded_after_their_length_and_seeded():
    a = make_batch(np.random.default_rng(0), 200, 8, 10, "reverse")
    b = make_batch(np.random.default_rng(0), 200, 8, 10, "reverse")
    assert np.array_equal(a.tokens, b.tokens) and set(np.unique(a.lengths)) == {8, 9, 10}
    for row in range(len(a)):
        n = a.lengths[row]
        assert (a.tokens[row, n:] == PAD).all() and (a.tokens[row, :n] < 10).all()
        assert a.real[row].sum() == n
        assert a.targets[row, :n].tolist() == a.tokens[row, :n][::-1].tolist()


def _brute_force_ceiling(task: str, seq) -> float:
    """The best accuracy of one rule f(own token, multiset), counted over every ordering of ``seq``."""
    n = len(seq)
    orders = np.array(list(itertools.permutations(seq)))
    y = targets(task, orders)
    right = 0
    for v in set(seq):
        at_v = orders == v                          # every (ordering, position) holding v
        right += max((y[at_v] == g).sum() for g in range(max(10, n + 1)))
    return right / orders.size


@pytest.mark.parametrize("seq", [[3, 1, 3, 0, 7], [2, 2, 2, 5], [4, 1, 1, 9, 9, 9], [0, 1, 2, 3, 4, 5]])
@pytest.mark.parametrize("task", ["reverse", "sort", "histogram"])
def test_equivariant_ceiling_equals_the_best_rule_over_all_orderings(task, seq):
    n = len(seq)
    batch = Batch(np.array([seq]), targets(task, np.array([seq])), np.ones((1, n), bool), np.array([n]))
    assert equivariant_ceiling(task, batch) == pytest.approx(_brute_force_ceiling(task, seq), abs=1e-12)


def test_same_token_uniform_counts_padding_as_positions():
    x = np.array([[1, 1, 2, PAD]])
    batch = Batch(x, x, np.array([[True, True, True, False]]), np.array([3]))
    assert same_token_uniform(batch) == pytest.approx((2 + 2 + 1) / 3 / 4)


# -- the encoder --------------------------------------------------------------------------------------------------

def _model(positional):
    torch.manual_seed(0)
    return TinyEncoder(11, 11, 10, 16, 2, 2, positional).eval()


def test_without_positions_the_encoder_is_permutation_equivariant_and_with_them_it_is_not():
    batch = make_batch(np.random.default_rng(1), 50, 8, 10, "sort")
    assert equivariance_gap(_model(False), batch) < 1e-5
    assert equivariance_gap(_model(True), batch) > 1e-2


def test_attention_maps_are_kept_per_layer_and_rows_sum_to_one():
    model = _model(True)
    model(torch.from_numpy(make_batch(np.random.default_rng(2), 4, 8, 10, "sort").tokens))
    maps = model.attention_maps()
    assert len(maps) == 2 and maps[0].shape == (4, 2, 10, 10)
    torch.testing.assert_close(maps[1].sum(-1), torch.ones(4, 2, 10))


def test_mirror_attention_of_a_perfect_reverser_is_one():
    class Mirror:                                    # attention maps that put all weight on the mirror key
        def eval(self):
            return self

        def __call__(self, tokens):
            b, n = tokens.shape
            self.maps = torch.zeros(b, 1, n, n)
            for row in range(b):
                m = int((tokens[row] != PAD).sum())
                self.maps[row, 0, torch.arange(m), m - 1 - torch.arange(m)] = 1.0

        def attention_maps(self):
            return [self.maps]

    batch = make_batch(np.random.default_rng(3), 20, 8, 10, "reverse")
    assert mirror_attention(Mirror(), batch) == pytest.approx(np.ones((1, 1)))


# -- the command --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("attention_quick")
    run_lab(out, "attention", "--quick")
    return out


def test_quick_run_shows_what_positions_do(quick_run):
    summary = json.loads((quick_run / "summary.json").read_text())
    acc = summary["token_accuracy"]
    assert set(acc) == {"reverse", "sort", "histogram"} and all(set(a) == {"pe", "no_pe"} for a in acc.values())
    assert all(a["pe"] >= 0.9 for a in acc.values())
    assert acc["histogram"]["no_pe"] >= 0.9
    assert max(acc["reverse"]["no_pe"], acc["sort"]["no_pe"]) < 0.5
    assert summary["scratch_attention_max_rel_error"] <= 1e-10
    for name in summary["files"]:
        assert (quick_run / name).stat().st_size > 10_000
    assert {"attention_accuracy.png", "attention_maps_reverse.png", "attention_maps_sort.png",
            "attention_maps_histogram.png", "attention_maps_no_pe.png",
            "attention_embeddings.png"} == set(summary["files"])
    claims = check_lab_outputs(quick_run, "attention")
    by_id = {c["id"]: c for c in claims}
    assert {c["id"] for c in claims if c["headline"]} == {
        "positions_learn_every_task", "no_positions_only_histogram", "reverse_99", "reverse_antidiagonal",
        "scratch_attention_matches_torch"}
    assert by_id["equivariance_theory"]["kind"] == "theory" and by_id["ceiling_theory"]["kind"] == "theory"
    assert by_id["no_positions_at_most_ceiling"]["holds"] and by_id["equivariance_measured"]["holds"]
    page = (quick_run / "report.md").read_text()
    assert f"{acc['histogram']['no_pe']:.3f}" in page and f"{acc['reverse']['pe']:.3f}" in page


def test_a_claim_that_does_not_hold_says_what_the_run_showed(quick_run):
    from nnlab.labs.attention.report import make_claims
    summary = json.loads((quick_run / "summary.json").read_text())
    summary["token_accuracy"]["sort"]["no_pe"] = 0.97               # as if sort were learned without positions
    summary["token_accuracy"]["histogram"]["pe"] = 0.5
    summary["scratch_attention_max_rel_error"] = 1e-6
    claims = make_claims(summary, QUICK, quick=True)
    split = claims["no_positions_only_histogram"]
    assert not split.holds and split.text.startswith("Without positional encoding this run does not show")
    every = claims["positions_learn_every_task"]
    assert not every.holds and "learned 2 of 3 tasks" in every.text and "histogram 0.500" in every.text
    assert not claims["no_positions_at_most_ceiling"].holds
    assert not claims["scratch_attention_matches_torch"].holds and "1.0e-06" in claims[
        "scratch_attention_matches_torch"].text


@pytest.mark.parametrize("args, flag, shown", [
    (["--tasks", "reverse,shuffle"], "--tasks", "'shuffle'"),
    (["--max-length", "40"], "--max-length", "[2, 32]"),
    (["--min-length", "1"], "--min-length", "[2, 32]"),
    (["--min-length", "11"], "--min-length", "max_length (10)"),
    (["--width", "30", "--heads", "4"], "--width", "multiple of heads"),
    (["--steps", "0"], "--steps", ">= 1"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, flag, shown):
    from nnlab.cli import main
    assert main(["attention", "--out", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"Error: {flag}") and len(err.strip().splitlines()) == 1 and shown in err, err
    assert not (tmp_path / "summary.json").exists()


def test_settings_reject_unknown_tasks_and_lengths():
    with pytest.raises(InvalidArgument, match="histogram"):
        Settings(tasks=("count",))
    with pytest.raises(InvalidArgument, match="max_length"):
        Settings(max_length=33)
