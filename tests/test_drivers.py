"""The (driver, feature) matrix: every driver trains every TrainConfig field its engine can do, as ``fit`` does.

Drivers: ``fit`` on the torch and fast engines, the playground's ``Trainer`` on the torch, fast and playground
engines. Reference: ``fit`` on the same engine, bit for bit (the Trainer stepped in uneven chunks of 2 + 1 + 3
epochs, same weights, same seed); ``fit`` on torch for ``fit`` on fast, to float32 rounding (losses rtol 2e-5,
weights rtol 1e-4 / atol 1e-5, as in test_engines.py); a plain PyTorch loop for ``fit`` on torch (rtol 1e-5:
torch.optim's Adam against the fused one). TensorFlow Playground's rules have no ``fit``: the
Trainer stepped in chunks equals one 6-epoch step (test_playground_server.py checks them against nn.ts). Every
pair the capability table refuses is refused with the table's reason. The Trainer has no early stopping: it
ignores ``early_stopping`` and trains every epoch it is asked for.
"""
import copy
import dataclasses

import numpy as np
import pytest
import torch

from nnlab._validation import InvalidArgument
from nnlab.config import ModelConfig, TrainConfig
from nnlab.nn import build_mlp
from nnlab.training import fit
from nnlab.training.engines.capabilities import supports
from nnlab.training.engines.fast_model import FastMLP
from nnlab.training.schedules import LR_SCHEDULES
from nnlab.training.trainer import Trainer

EPOCHS, CHUNKS = 6, (2, 1, 3)

# feature -> the TrainConfig fields that turn it on (augment_shift needs square images: 4 inputs = 2 x 2 pixels)
FEATURES = {
    **{f"lr {s}": {"lr_schedule": s} for s in LR_SCHEDULES},
    "jitter": {"augment_jitter": 0.1},
    "shift": {"augment_shift": 0.7},
    "l1": {"l1": 1e-3},
    "l2": {"l2": 1e-2},
    "mini-batches": {"batch_size": 7},
    "early stopping": {"early_stopping": 2},
    "bf16": {"precision": "bf16", "device": "cpu"},
}
DRIVERS = ["fit-torch", "fit-fast", "Trainer-torch", "Trainer-fast", "Trainer-playground"]


def _data(n=30, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    return X, (X[:, 0] * X[:, 1] > 0).astype(np.int64)


def _config(feature, engine):
    base = {"optimizer": "sgd", "loss": "mse", "lr": 0.1} if engine == "playground" else {"lr": 0.05}
    return TrainConfig(epochs=EPOCHS, seed=3, engine="auto" if engine == "playground" else engine,
                       **{**base, **FEATURES[feature]})


def _model(engine, seed=0):
    config = ModelConfig(input_size=4, hidden_sizes=(5,), activation="tanh",
                         output_size=1 if engine == "playground" else 2,
                         init="playground" if engine == "playground" else "pytorch")
    return FastMLP.from_config(config, seed=seed) if engine == "playground" else build_mlp(config, seed=seed)


def _reason(driver, feature):
    """The capability table's reason the pair is refused, or None."""
    kind, engine = driver.split("-")
    return supports(engine, _config(feature, engine), driver=kind.lower(), model=_model(engine))


def _stepped(trainer):
    return [loss for n in CHUNKS for loss in trainer.step(n)["loss"]]


def _plain_torch_loop(model, X, y, config) -> list[float]:
    """fit's torch epochs written out with torch.optim: schedule, augmentation, penalty, batches, autocast."""
    from nnlab.training.augment import augment_inputs, augmentation_rng
    from nnlab.training.schedules import lr_at
    torch.manual_seed(config.seed)
    order, rng = torch.Generator().manual_seed(config.seed), augmentation_rng(config.seed)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    yt, n, losses = torch.as_tensor(y), len(X), []
    batch = config.batch_size or n
    for epoch in range(1, config.epochs + 1):
        opt.param_groups[0]["lr"] = lr_at(config.lr_schedule, config.lr, epoch, config.epochs)
        Xe = torch.as_tensor(augment_inputs(X, config.augment_jitter, config.augment_shift, rng))
        total = 0.0
        for idx in (torch.randperm(n, generator=order) if batch < n else torch.arange(n)).split(batch):
            with torch.autocast("cpu", torch.bfloat16, enabled=config.precision == "bf16"):
                loss = torch.nn.functional.cross_entropy(model(Xe[idx]), yt[idx])
            weights = [m.weight for m in model.modules() if isinstance(m, torch.nn.Linear)]
            penalty = sum(config.l1 * w.abs().sum() + config.l2 / 2 * (w * w).sum() for w in weights)
            opt.zero_grad()
            (loss + penalty).backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        losses.append(total / n)
    return losses


def _test_set(feature):
    return _data(12, seed=9) if feature == "early stopping" else (None, None)


@pytest.mark.parametrize("feature", list(FEATURES))
@pytest.mark.parametrize("driver", DRIVERS)
def test_each_supported_pair_equals_fit_and_each_other_is_refused_with_the_tables_reason(driver, feature):
    kind, engine = driver.split("-")
    X, y = _data()
    config = _config(feature, engine)
    reason = _reason(driver, feature)
    if kind == "Trainer" and feature == "early stopping":
        assert reason is None                                  # ignored, not refused: see the next test
        return
    if reason is not None:
        with pytest.raises(InvalidArgument) as refused:
            if kind == "fit":
                fit(_model(engine), X, y, config)
            else:
                Trainer(_model(engine), X, y, config, semantics="playground" if engine == "playground" else "nnlab")
        assert reason in str(refused.value)
        return
    X_test, y_test = _test_set(feature)
    if engine == "playground":                                # no fit: chunks against one call
        a, b = _model(engine), _model(engine)
        whole = Trainer(a, X, y, config, semantics="playground").step(EPOCHS)["loss"]
        assert _stepped(Trainer(b, X, y, config, semantics="playground")) == whole
        assert np.array_equal(a.theta, b.theta)
        return
    a = _model(engine)
    b = copy.deepcopy(a)
    history = fit(a, X, y, config, X_test=X_test, y_test=y_test)
    assert history.engine == engine and history.epochs_run <= EPOCHS
    if kind == "Trainer":
        assert _stepped(Trainer(b, X, y, config)) == history.loss                  # bit for bit
        assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
        return
    if engine == "torch":
        np.testing.assert_allclose(history.loss, _plain_torch_loop(b, X, y, config)[:history.epochs_run],
                                   rtol=1e-5)
        return
    # fit on the fast engine against fit on torch: float32 rounding
    reference = fit(b, X, y, dataclasses.replace(config, engine="torch"), X_test=X_test, y_test=y_test)
    np.testing.assert_allclose(history.loss, reference.loss, rtol=2e-5)
    assert (history.epochs_run, history.best_epoch, history.stopped_early) == (
        reference.epochs_run, reference.best_epoch, reference.stopped_early)
    for p, q in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)


def test_early_stopping_stops_and_restores_the_best_weights_on_both_engines():
    X, y = _data()
    X_test, y_test = _data(12, seed=9)
    for engine in ("torch", "fast"):
        config = TrainConfig(lr=0.5, epochs=40, early_stopping=2, seed=3, engine=engine)
        model = _model(engine)
        h = fit(model, X, y, config, X_test=X_test, y_test=y_test)
        assert h.stopped_early and h.best_epoch is not None and h.epochs_run == h.best_epoch + 2
        assert h.final["test_loss"] == pytest.approx(h.test_loss[h.best_epoch - 1], rel=1e-5)


@pytest.mark.parametrize("engine", ["torch", "fast"])
def test_the_trainer_ignores_early_stopping_and_trains_every_epoch_asked_for(engine):
    X, y = _data()
    config = TrainConfig(lr=0.5, epochs=EPOCHS, seed=3, engine=engine)
    a = _model(engine)
    b = copy.deepcopy(a)
    history = fit(a, X, y, config)
    assert _stepped(Trainer(b, X, y, dataclasses.replace(config, early_stopping=1))) == history.loss


def test_the_torch_stepper_calls_on_after_backward_after_every_backward():
    from nnlab.training import GradientCapture
    X, y = _data()
    capture = GradientCapture()
    h = fit(_model("torch"), X, y, TrainConfig(epochs=3, batch_size=10, engine="auto"), observers=[capture])
    assert h.engine == "torch" and capture.norms.shape[1] == 3 and np.all(capture.norms > 0)


def test_the_lazy_torch_path_equals_the_per_epoch_one():
    """No reader: many epochs per run call, one host sync; an on_epoch_end observer: one epoch per call."""
    from nnlab.training import Observer

    class Reader(Observer):
        def on_epoch_end(self, epoch, logs, model):
            self.last = epoch

    X, y = _data()
    config = TrainConfig(lr=0.05, epochs=EPOCHS, batch_size=7, seed=3, engine="torch")
    a = _model("torch")
    b = copy.deepcopy(a)
    reader = Reader()
    assert fit(a, X, y, config).loss == fit(b, X, y, config, observers=[reader]).loss and reader.last == EPOCHS


@pytest.mark.parametrize("lr", [0.05, 1e38])          # the second diverges: the chunk stops at its first inf
def test_a_chunk_of_fast_epochs_in_one_kernel_call_equals_one_call_per_epoch(lr):
    """Full batch: the fast stepper runs a chunk in one compiled call (kernels.run_epochs); an on_epoch_end
    observer makes the driver ask for one epoch at a time."""
    from nnlab.training import Observer

    class Reader(Observer):
        def on_epoch_end(self, epoch, logs, model):
            self.last = epoch

    X, y = _data()
    config = TrainConfig(lr=lr, epochs=40, optimizer="sgd", seed=3, engine="fast")
    a = FastMLP.from_torch(_model("torch"))
    b = copy.deepcopy(a)
    chunked, stepped = fit(a, X, y, config), fit(b, X, y, config, observers=[Reader()])
    assert chunked.loss == stepped.loss and chunked.diverged == stepped.diverged
    assert np.array_equal(a.theta, b.theta, equal_nan=True)
    assert chunked.diverged == (lr > 1)


def test_ctrl_c_in_a_many_epoch_run_keeps_the_finished_epochs():
    """The lazy torch path: Ctrl-C in epoch 5's forward pass; epochs 1-4 are in History, as fit promises."""
    X, y = _data()
    model, calls = _model("torch"), []

    def interrupt(module, inputs):
        calls.append(1)
        if len(calls) == 5 and module.training:
            raise KeyboardInterrupt

    model.register_forward_pre_hook(interrupt)
    h = fit(model, X, y, TrainConfig(lr=0.05, epochs=EPOCHS, seed=3, engine="torch"))
    reference = fit(_model("torch"), X, y, TrainConfig(lr=0.05, epochs=4, seed=3, engine="torch"))
    assert h.interrupted and h.epochs_run == 4 and h.loss == reference.loss


def test_the_capability_table_words_the_refusals():
    tc = TrainConfig()
    assert supports("fast", TrainConfig(precision="bf16")) == "precision bf16"
    assert supports("torch", tc, model=_model("playground")).startswith("a FastMLP")
    assert supports("playground", tc, driver="fit") is not None
    assert supports("playground", TrainConfig(lr_schedule="cosine"), driver="trainer") == "lr_schedule cosine"
    assert supports("playground", TrainConfig(l1=0.1, l2=0.1), driver="trainer").startswith("l1 and l2")
    assert supports("torch", TrainConfig(precision="bf16"), driver="trainer") is None
    with pytest.raises(InvalidArgument, match="FastMLP") as refused:         # the playground's rules on torch
        Trainer(_model("torch"), *_data(), _config("l1", "playground"), semantics="playground")
    assert refused.value.argument == "model"
