"""The regularisation lab: the mechanics of each regulariser, checked against autograd and hand-worked cases.

Penalty convention (the weight-decay one, as torch's weight_decay and TF Playground use it): TrainConfig.l2
adds lambda * sum W^2 with lambda = l2 / 2, so its gradient is 2 lambda W = l2 W; TrainConfig.l1 adds
l1 * sum |W|, gradient l1 sign(W). Biases are not penalised.
"""
import copy
import dataclasses
import json

import numpy as np
import pytest
import torch

from labcheck import check_lab_outputs, run_lab
from nnlab._validation import InvalidArgument
from nnlab.config import ModelConfig, TrainConfig
from nnlab.nn import build_mlp
from nnlab.training import Observer, evaluate, fit
from nnlab.training.augment import augment_inputs, augmentation_rng
from nnlab.training.penalty import linear_weights, penalty


def _penalty(model, l1, l2):
    return penalty(linear_weights(model), l1, l2)


def _weights_and_biases(model):
    linears = model.linear_layers()
    return [m.weight for m in linears], [m.bias for m in linears]


# --- penalties -------------------------------------------------------------------------------------------------

def test_l2_penalty_gradient_is_two_lambda_w():
    model = build_mlp(ModelConfig(hidden_sizes=(7, 5)), seed=0)
    l2 = 0.3
    lam = l2 / 2                                  # the penalty is lam * sum W^2
    _penalty(model, 0.0, l2).backward()
    weights, biases = _weights_and_biases(model)
    for w in weights:
        torch.testing.assert_close(w.grad, 2 * lam * w.detach(), rtol=1e-6, atol=1e-7)
    assert all(b.grad is None or not b.grad.any() for b in biases)


def test_l1_penalty_gradient_is_lambda_sign_w():
    model = build_mlp(ModelConfig(hidden_sizes=(7, 5)), seed=1)
    l1 = 0.02
    _penalty(model, l1, 0.0).backward()
    weights, biases = _weights_and_biases(model)
    for w in weights:
        torch.testing.assert_close(w.grad, l1 * torch.sign(w.detach()), rtol=1e-6, atol=1e-8)
    assert all(b.grad is None or not b.grad.any() for b in biases)


def test_penalty_values_follow_the_convention():
    model = build_mlp(ModelConfig(hidden_sizes=(3,)), seed=2)
    weights, _ = _weights_and_biases(model)
    squares = sum(float((w.detach().double() ** 2).sum()) for w in weights)
    absolutes = sum(float(w.detach().double().abs().sum()) for w in weights)
    assert float(_penalty(model, 0.0, 0.4).detach()) == pytest.approx(0.2 * squares, rel=1e-6)
    assert float(_penalty(model, 0.05, 0.0).detach()) == pytest.approx(0.05 * absolutes, rel=1e-6)


@pytest.mark.parametrize("engine", ["torch", "fast"])
def test_one_sgd_step_of_fit_adds_the_penalty_gradient(engine):
    """One full-batch SGD epoch is one step: W <- W - lr (dL/dW + l1 sign W + l2 W), b <- b - lr dL/db."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 2)).astype(np.float32), rng.integers(0, 2, 40)
    model = build_mlp(ModelConfig(hidden_sizes=(6, 4), activation="tanh"), seed=3)
    reference = copy.deepcopy(model)
    loss = torch.nn.functional.cross_entropy(reference(torch.as_tensor(X)), torch.as_tensor(y))
    loss.backward()
    lr, l1, l2 = 0.1, 0.01, 0.2
    fit(model, X, y, TrainConfig(optimizer="sgd", lr=lr, epochs=1, l1=l1, l2=l2, engine=engine))
    for new, old in zip(model.linear_layers(), reference.linear_layers()):
        w = old.weight.detach()
        torch.testing.assert_close(new.weight.detach(), w - lr * (old.weight.grad + l1 * torch.sign(w) + l2 * w),
                                   rtol=0, atol=2e-6)
        torch.testing.assert_close(new.bias.detach(), old.bias.detach() - lr * old.bias.grad, rtol=0, atol=2e-6)


# --- dropout ---------------------------------------------------------------------------------------------------

def _dropout_in_and_out(model, X, train: bool):
    seen = {}
    dropout = next(m for m in model if isinstance(m, torch.nn.Dropout))
    handle = dropout.register_forward_hook(lambda m, i, o: seen.update(inp=i[0].detach(), out=o.detach()))
    model.train(train)
    with torch.no_grad():
        model(torch.as_tensor(X))
    handle.remove()
    return seen["inp"], seen["out"]


def test_dropout_scales_kept_units_by_one_over_one_minus_p_in_training():
    p = 0.3
    model = build_mlp(ModelConfig(hidden_sizes=(200,), dropout=p, activation="tanh"), seed=0)
    X = np.random.default_rng(0).normal(size=(100, 2)).astype(np.float32)
    torch.manual_seed(0)
    inp, out = _dropout_in_and_out(model, X, train=True)
    kept = out != 0
    torch.testing.assert_close(out[kept], inp[kept] / (1 - p), rtol=1e-6, atol=0)
    dropped = 1 - kept.float().mean().item()       # 20,000 units: the dropped share is p within a few hundredths
    assert abs(dropped - p) < 0.02


def test_dropout_is_the_identity_in_evaluation():
    model = build_mlp(ModelConfig(hidden_sizes=(50,), dropout=0.5), seed=0)
    X = np.random.default_rng(1).normal(size=(30, 2)).astype(np.float32)
    inp, out = _dropout_in_and_out(model, X, train=False)
    assert torch.equal(inp, out)
    plain = torch.nn.Sequential(*[m for m in model if not isinstance(m, torch.nn.Dropout)]).eval()
    model.eval()
    with torch.no_grad():
        assert torch.equal(model(torch.as_tensor(X)), plain(torch.as_tensor(X)))


# --- early stopping --------------------------------------------------------------------------------------------

class _Snapshots(Observer):
    """The parameters after every epoch (what the model held when its validation loss was measured)."""

    def __init__(self):
        self.states = {}

    def on_epoch_end(self, epoch, logs, model):
        self.states[epoch] = [p.detach().clone() for p in model.parameters()]


def _noisy_labels(seed=0, n=60):
    """Labels that are pure noise: training memorises them, so the validation loss falls, then rises."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)).astype(np.float32), rng.integers(0, 2, n)


@pytest.mark.parametrize("engine", ["torch", "fast"])
@pytest.mark.parametrize("patience, epochs", [(15, 400), (1000, 120)])
def test_early_stopping_returns_the_weights_of_the_best_validation_epoch(engine, patience, epochs):
    X, y = _noisy_labels(0)
    X_val, y_val = _noisy_labels(1)
    model = build_mlp(ModelConfig(hidden_sizes=(32, 32)), seed=0)
    snapshots = _Snapshots()
    h = fit(model, X, y, TrainConfig(lr=0.02, epochs=epochs, early_stopping=patience, engine=engine),
            X_test=X_val, y_test=y_val, observers=[snapshots])
    best = int(np.argmin(h.test_loss)) + 1          # the first epoch of lowest validation loss
    assert h.engine == engine and h.best_epoch == best
    assert best < h.epochs_run                        # the last epoch's weights were not the best ones
    assert h.stopped_early == (patience < epochs) and (not h.stopped_early or h.epochs_run == best + patience)
    for p, q in zip(model.parameters(), snapshots.states[best]):
        assert torch.equal(p.detach(), q)
    assert evaluate(model, X_val, y_val)["loss"] == pytest.approx(min(h.test_loss), rel=1e-6)
    assert h.final["test_loss"] == pytest.approx(min(h.test_loss), rel=1e-6)


def test_without_early_stopping_the_last_weights_stay():
    X, y = _noisy_labels(0)
    model = build_mlp(ModelConfig(hidden_sizes=(8,)), seed=0)
    h = fit(model, X, y, TrainConfig(lr=0.02, epochs=30), X_test=X, y_test=y)
    assert h.best_epoch is None
    assert h.final["test_loss"] == pytest.approx(h.test_loss[-1], rel=1e-6)


# --- augmentation ----------------------------------------------------------------------------------------------

class _Fixed:
    """A stand-in generator whose uniform draws are given: shifts (dy for every image, then dx)."""

    def __init__(self, dy, dx):
        self.values = np.array([dy, dx], float)

    def uniform(self, low, high, size):
        return self.values.reshape(size)


def test_a_whole_pixel_shift_moves_the_image():
    image = np.arange(1, 17, dtype=np.float32).reshape(1, 16)       # 4 x 4: rows 1..4, 5..8, 9..12, 13..16
    moved = augment_inputs(image, 0.0, 1.0, _Fixed([1.0], [-1.0])).reshape(4, 4)
    # down by one row, left by one column; what moves in is 0
    np.testing.assert_array_equal(moved, [[0, 0, 0, 0], [2, 3, 4, 0], [6, 7, 8, 0], [10, 11, 12, 0]])


def test_a_half_pixel_shift_interpolates_between_neighbours():
    image = np.zeros((1, 9), np.float32)
    image[0, 4] = 1.0                                                 # one lit pixel in the middle of 3 x 3
    moved = augment_inputs(image, 0.0, 1.0, _Fixed([0.0], [0.5])).reshape(3, 3)
    np.testing.assert_allclose(moved, [[0, 0, 0], [0, 0.5, 0.5], [0, 0, 0]])


def test_jitter_adds_fresh_noise_of_the_asked_std():
    X = np.zeros((20000, 2), np.float32)
    rng = augmentation_rng(0)
    first, second = augment_inputs(X, 0.3, 0.0, rng), augment_inputs(X, 0.3, 0.0, rng)
    assert first.dtype == np.float32 and abs(first.std() - 0.3) < 0.01 and not np.array_equal(first, second)
    np.testing.assert_array_equal(augment_inputs(X, 0.3, 0.0, augmentation_rng(0)), first)


def test_augmented_runs_repeat_per_seed_and_agree_across_engines():
    from sklearn.datasets import load_digits
    digits = load_digits()
    X, y = (digits.data[:120] / 16).astype(np.float32), digits.target[:120]
    config = TrainConfig(lr=0.01, epochs=15, batch_size=32, augment_shift=1.0, augment_jitter=0.05, seed=4)
    runs = []
    for engine in ("torch", "fast", "fast"):
        model = build_mlp(ModelConfig(input_size=64, hidden_sizes=(16,), output_size=10), seed=0)
        runs.append(fit(model, X, y, dataclasses.replace(config, engine=engine)))
    plain = fit(build_mlp(ModelConfig(input_size=64, hidden_sizes=(16,), output_size=10), seed=0), X, y,
                dataclasses.replace(config, augment_shift=0.0, augment_jitter=0.0))
    np.testing.assert_allclose(runs[1].loss, runs[0].loss, rtol=2e-5)
    assert runs[1].loss == runs[2].loss and runs[1].loss != plain.loss


def test_shift_needs_square_images():
    X, y = _noisy_labels(0)
    with pytest.raises(InvalidArgument, match="augment_shift"):
        fit(build_mlp(ModelConfig(hidden_sizes=(4,)), seed=0), X, y, TrainConfig(epochs=1, augment_shift=1.0))


# --- the lab ---------------------------------------------------------------------------------------------------

def test_regularizers_set_the_fields_fit_reads():
    from nnlab.labs.regularize import TASKS
    from nnlab.labs.regularize.regularizers import configs, label
    trial = (("l2", 1e-3), ("l1", 1e-4), ("dropout", 0.3), ("early-stopping", 20), ("augment", 0.5),
             ("batch-norm", 1.0))
    model, train = configs(TASKS["spiral"], (8,), trial, seed=2, epochs=10)
    assert (train.l2, train.l1, train.early_stopping, train.augment_jitter, train.augment_shift) == \
           (1e-3, 1e-4, 20, 0.5, 0.0)
    assert model.dropout == 0.3 and model.batch_norm and train.seed == 2
    _, train = configs(TASKS["digits"], (8,), (("augment", 1.0),), seed=0, epochs=10)
    assert (train.augment_jitter, train.augment_shift) == (0.0, 1.0)
    assert label(trial[:2]) == "l2 0.001 + l1 0.0001" and label(()) == "none"


@pytest.mark.parametrize("name, sizes", [("spiral", (100, 100, 300)), ("digits", (100, 100, 1597))])
def test_splits_are_disjoint_seeded_and_sized(name, sizes):
    from nnlab.labs.regularize import TASKS
    a, b, c = (TASKS[name].split(s) for s in (0, 0, 1))
    assert (len(a.y_train), len(a.y_val), len(a.y_test)) == sizes
    rows = {tuple(x) for part in (a.X_train, a.X_val, a.X_test) for x in part}
    assert len(rows) == sum(sizes) or name == "digits"          # digits holds a few duplicate images
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.X_train, c.X_train)
    if name == "digits":
        assert np.bincount(a.y_train).tolist() == [10] * 10 and a.X_train.max() <= 1.0


def test_settings_reject_bad_values_naming_the_argument():
    from nnlab.labs.regularize import Settings
    with pytest.raises(InvalidArgument, match=r"'dropout'.*\[0\.0, 1\.0\)") as err:
        Settings(dropout=(0.2, 1.0))
    assert err.value.argument == "dropout"
    with pytest.raises(InvalidArgument, match="batch-norm.*early-stopping") as err:
        Settings(regularizers=("l3",))
    assert err.value.argument == "regularizers"
    with pytest.raises(InvalidArgument, match="digits.*spiral"):
        Settings(datasets=("mnist",))


@pytest.mark.parametrize("args, flag, allowed", [(["--dropout", "1.5"], "--dropout", "[0.0, 1.0)"),
                                                 (["--regularizers", "l2,l3"], "--regularizers", "early-stopping"),
                                                 (["--dataset", "mnist"], "--dataset", "digits")])
def test_cli_bad_input_is_one_line_and_exit_2(args, flag, allowed, capsys, tmp_path):
    from nnlab.cli import main
    assert main(["regularize", "--quick", "--out", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith(f"Error: {flag}") and allowed in err


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One `nnlab regularize --quick` run for the tests of the command (about 20 s)."""
    out = tmp_path_factory.mktemp("regularize") / "reg"
    return out, run_lab(out, "regularize", "--quick")


def test_quick_run_states_its_lessons_as_claims_that_hold(quick_run):
    out, stdout = quick_run
    claims = check_lab_outputs(out, "regularize")
    by_id = {c["id"]: c for c in claims}
    headlines = {c["id"] for c in claims if c["headline"]}
    assert headlines >= {f"{t}_{lesson}" for t in ("spiral", "digits")
                         for lesson in ("underfits", "gap", "best_regularizer", "l1_zeroes")} | {"digits_overfits"}
    # the spiral's overfitting is weak and noisy: no headline, but the quick run states what its own sweep shows
    spiral = by_id["spiral_overfits"]
    assert spiral["shown"] and not spiral["headline"] and "not shown by this quick run" not in spiral["text"]
    assert spiral["holds"] or "overfitting is not seen" in spiral["text"]
    # what L2 does to weights is measured against no penalty, never asserted ("only shrinks them" is theory)
    for t in ("spiral", "digits"):
        assert "shrinks" not in by_id[f"{t}_l1_zeroes"]["text"] and "no penalty" in by_id[f"{t}_l1_zeroes"]["text"]
        # a combination is compared with its best member by a margin and by test loss
        combo = by_id[f"{t}_combinations"]
        assert "test loss" in combo["text"] and combo["holds"] == (combo["numbers"]["points"] >= 2)
    assert {"cross_entropy_unbounded", "l1_l2_theory", "adam_l2_theory"} <= {c["id"] for c in claims
                                                                              if c["kind"] == "theory"}
    assert "Finding:" in stdout and "report.html" in stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["run"]["quick"] and summary["run"]["claims"]["holds"] >= len(headlines)


def test_quick_run_reports_the_numbers_it_measured(quick_run):
    out, _ = quick_run
    summary = json.loads((out / "summary.json").read_text())
    task = summary["tasks"]["spiral"]
    labels = [t["label"] for t in task["trials"]]
    assert labels == ["none", "l2 0.001", "l1 0.001", "dropout 0.3", "early-stopping 20", "augment 0.25",
                      "batch-norm", "l2 0.001 + dropout 0.3"]
    for t in task["trials"]:
        assert t["test_accuracy"][0] == pytest.approx(np.mean(t["per_seed_test_accuracy"]))
        assert t["epochs_run"] <= 200
    sgd = {t["label"]: t["near_zero"][0] for t in task["weights_sgd"]}
    assert sgd["l1 0.001"] > sgd["l2 0.001"]                 # L1 zeroes weights that L2 only shrinks
    # early stopping ran the first epochs of the unregularised run: the detail compares the two
    detail = task["early_stopping"]["early-stopping 20"]
    assert len(detail) == 2 and all(d["same_run"] and d["kept_epoch"] <= d["epochs_run"] for d in detail)
    report = (out / "report.md").read_text()
    none = task["trials"][0]["test_accuracy"]
    assert f"| none | {100 * none[0]:.1f} +- {100 * none[1]:.1f} % |" in report
    claims = {c["id"]: c for c in json.loads((out / "claims.json").read_text())}
    assert f"{100 * none[0]:.1f}%" in claims["spiral_gap"]["text"]          # the claim cites the table's number
    for name in summary["files"]:
        assert (out / name).stat().st_size > 10_000


def test_cli_passes_its_options_to_the_lab(tmp_path, monkeypatch):
    import nnlab.labs.regularize as lab
    from nnlab.cli import main
    seen = {}

    def fake(out, settings, progress=None, quick=None):
        seen.update(settings=settings, quick=quick)
        (out / "claims.json").write_text("[]")
        return {"wall_time_s": 0.0}

    monkeypatch.setattr(lab, "run_regularize", fake)
    assert main(["regularize", "--quick", "--dataset", "spiral", "--regularizers", "l2,l1,early-stopping",
                 "--epochs", "150", "--l2", "1e-4,1e-3", "--out", str(tmp_path)]) == 0     # main returns the exit code
    s = seen["settings"]
    assert seen["quick"] and s.datasets == ("spiral",) and s.regularizers == ("l2", "l1", "early-stopping")
    assert s.epochs == 150 and s.l2 == (1e-4, 1e-3) and s.seeds == 2
