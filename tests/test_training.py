import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnlab._validation import InvalidArgument
from nnlab.config import PRESETS, DataConfig, ModelConfig, RunConfig, TrainConfig
from nnlab.data import make_seed_circle
from nnlab.nn import build_mlp
from nnlab.training import LOSSES, OPTIMIZERS, GradientCapture, Observer, fit, train

SEED = PRESETS["seed-circle"]


def _seed_problem(seed=0):
    X, y = make_seed_circle(1000, seed=seed)
    return build_mlp(SEED.model, seed=seed), X, y


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_seed_mlp_reaches_97_percent_after_2000_epochs(seed):
    run = train(SEED.replace(data={"seed": seed}, train={"seed": seed}))
    assert run.history.epochs_run == 2000
    assert run.history.final["train_accuracy"] >= 0.97


def test_full_batch_loss_curve_matches_a_plain_pytorch_loop():
    model, X, y = _seed_problem()
    plain = copy.deepcopy(model)
    history = fit(model, X, y, SEED.train.__class__(epochs=50))
    Xt, yt = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y)
    opt = torch.optim.Adam(plain.parameters(), lr=1e-3)
    losses = []
    for _ in range(50):
        loss = F.cross_entropy(plain(Xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    np.testing.assert_allclose(history.loss, losses, rtol=1e-6)
    for a, b in zip(model.parameters(), plain.parameters()):
        torch.testing.assert_close(a, b)


def test_same_seed_same_history_with_mini_batches():
    cfg = TrainConfig(epochs=5, batch_size=64, seed=3)
    runs = []
    for _ in range(2):
        model, X, y = _seed_problem()
        runs.append(fit(model, X, y, cfg).loss)
    assert runs[0] == runs[1]
    model, X, y = _seed_problem()
    assert fit(model, X, y, TrainConfig(epochs=5, batch_size=64, seed=4)).loss != runs[0]


@pytest.mark.parametrize("penalty", ["l1", "l2"])
def test_penalties_act_on_weights_not_biases(penalty):
    # One SGD step: w' = w - lr * (g + l2 * w) or w - lr * (g + l1 * sign(w)); biases get only -lr * g.
    model, X, y = _seed_problem()
    before = copy.deepcopy(model)
    lr, rate = 0.1, 0.01
    fit(model, X, y, TrainConfig(optimizer="sgd", lr=lr, epochs=1, **{penalty: rate}))
    ref = copy.deepcopy(before)
    loss = F.cross_entropy(ref(torch.as_tensor(X, dtype=torch.float32)), torch.as_tensor(y))
    loss.backward()
    for (name, p), p0 in zip(model.named_parameters(), ref.parameters()):
        extra = 0.0
        if name.endswith("weight"):
            extra = rate * (p0.detach().sign() if penalty == "l1" else p0.detach())
        torch.testing.assert_close(p.detach(), p0.detach() - lr * (p0.grad + extra))


def test_early_stopping_stops_when_the_loss_stalls():
    model, X, y = _seed_problem()
    # lr 1e-9 changes the float32 loss by less than its resolution, so it never improves after epoch 1.
    h = fit(model, X, y, TrainConfig(optimizer="sgd", lr=1e-9, epochs=100, early_stopping=5))
    assert h.stopped_early and h.epochs_run == 6


@pytest.mark.parametrize("name, lr", [("sgd", 0.5), ("momentum", 0.05), ("nesterov", 0.05), ("adagrad", 0.05),
                                      ("rmsprop", 0.005), ("adam", 0.01), ("adamw", 0.01)])
def test_every_optimizer_lowers_the_loss(name, lr):
    assert name in OPTIMIZERS
    X, y = make_seed_circle(1000, seed=0)
    model = build_mlp(ModelConfig(hidden_sizes=(16,)), seed=0)   # one hidden layer: no initial plateau
    h = fit(model, X, y, TrainConfig(optimizer=name, lr=lr, epochs=150))
    assert h.loss[-1] < 0.9 * h.loss[0]


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_every_loss_trains_the_seed_problem(loss):
    run = train(SEED.replace(train={"loss": loss, "epochs": 400, "lr": 0.01}))
    assert run.config.model.output_size == (2 if loss == "cross-entropy" else 1)
    assert run.history.final["train_accuracy"] > 0.9


def test_multiclass_and_held_out_test_metrics():
    cfg = RunConfig(data=DataConfig(dataset="spirals", test_fraction=0.25, classes=4),
                    model=ModelConfig(hidden_sizes=(16, 16)), train=TrainConfig(lr=0.01, epochs=50))
    run = train(cfg)
    assert run.config.model.output_size == 4
    assert len(run.history.test_accuracy) == 50 and "test_accuracy" in run.history.final


def test_regression_records_loss_and_no_accuracy():
    cfg = RunConfig(data=DataConfig(dataset="reg-plane", n=200), model=ModelConfig(hidden_sizes=(4,)),
                    train=TrainConfig(loss="mse", lr=0.01, epochs=20))
    run = train(cfg)
    assert run.history.train_accuracy == [] and "train_accuracy" not in run.history.final
    assert run.history.loss[-1] < run.history.loss[0]


def test_bce_needs_two_classes():
    with pytest.raises(InvalidArgument, match="exactly 2 classes"):
        train(RunConfig(data=DataConfig(dataset="spirals"), train=TrainConfig(loss="bce", epochs=1)))


def test_divergence_is_reported():
    cfg = RunConfig(data=DataConfig(dataset="reg-plane", n=100), model=ModelConfig(hidden_sizes=(8, 8)),
                    train=TrainConfig(loss="mse", optimizer="sgd", lr=1e4, epochs=50))
    h = train(cfg).history
    assert h.diverged and h.epochs_run < 50


class _InterruptAt(Observer):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs, model):
        if epoch == self.epoch:
            raise KeyboardInterrupt


def test_ctrl_c_returns_the_history_so_far():
    model, X, y = _seed_problem()
    h = fit(model, X, y, TrainConfig(epochs=100), observers=[_InterruptAt(5)])
    assert h.interrupted and h.epochs_run == 5 and len(h.loss) == 5
    assert "train_accuracy" in h.final


def test_gradient_capture_records_per_layer_norms():
    model, X, y = _seed_problem()
    ref = copy.deepcopy(model)
    F.cross_entropy(ref(torch.as_tensor(X, dtype=torch.float32)), torch.as_tensor(y)).backward()
    expected = [torch.cat([l.weight.grad.ravel(), l.bias.grad.ravel()]).norm().item() for l in ref.linear_layers()]
    capture = GradientCapture()
    fit(model, X, y, TrainConfig(epochs=7), observers=[capture])
    assert capture.norms.shape == (6, 7)
    np.testing.assert_allclose(capture.norms[:, 0], expected, rtol=1e-5)
    assert capture.last_flat.shape == (330,) and (capture.last_flat >= 0).all()
    assert capture.layer_names[0] == "L1 2->8"


def test_the_loop_never_prints(capsys):
    model, X, y = _seed_problem()
    fit(model, X, y, TrainConfig(epochs=3))
    assert capsys.readouterr() == ("", "")


def test_batch_norm_mini_batches_never_train_on_a_single_sample():
    # 201 points in batches of 100 would leave a last batch of 1, which batch norm cannot normalise.
    cfg = RunConfig(data=DataConfig(dataset="moons", n=201), model=ModelConfig(hidden_sizes=(8,), batch_norm=True),
                    train=TrainConfig(batch_size=100, epochs=3))
    assert train(cfg).history.epochs_run == 3


def test_a_split_that_leaves_no_training_points_is_an_error():
    with pytest.raises(InvalidArgument, match="no training points"):
        train(RunConfig(data=DataConfig(dataset="xor4", test_fraction=0.9), train=TrainConfig(epochs=1)))


def test_early_stopping_watches_the_test_loss_else_the_training_loss_and_keeps_the_best_weights():
    from nnlab.training.history import History
    from nnlab.training.stopping import EarlyStopping
    h, stop = History(), EarlyStopping(2)
    kept = []
    losses = [3.0, 2.0, 2.0 - 1e-13, 2.5, 1.0]                  # a gain under 1e-12 is no progress
    stopped_at = None
    for epoch, loss in enumerate(losses, 1):
        logs = {"epoch": epoch, "loss": 9.0, "test_loss": loss}
        if stop.update(epoch, logs, h, lambda e=epoch: kept.append(e) or e):
            stopped_at = epoch
            break
    assert stopped_at == 4 and h.stopped_early and h.best_epoch == 2 and stop.best_weights == 2 and kept == [1, 2]
    h2, off = History(), EarlyStopping(None)
    assert not any(off.update(e, {"loss": 1.0}, h2, lambda: 1 / 0) for e in range(1, 50))   # never snapshots
    assert not h2.stopped_early and h2.best_epoch is None and off.best_weights is None
    h3, by_train = History(), EarlyStopping(1)
    assert not by_train.update(1, {"loss": 1.0}, h3, lambda: "w1")
    assert by_train.update(2, {"loss": 1.0}, h3, lambda: "w2")
    assert by_train.best_weights == "w1"
