"""The training engines: the fast engine means what the torch engine means, and "auto" picks the right one.

Reference: the torch engine (itself checked against a plain PyTorch loop in test_training.py). Both engines start
from the same weights and see the same batches, so their loss curves agree to float32 rounding.
"""
import copy
import dataclasses
import subprocess
import sys

import numpy as np
import pytest
import torch

from nnlab._validation import InvalidArgument
from nnlab.config import PRESETS, DataConfig, ModelConfig, RunConfig, TrainConfig
from nnlab.data import make_dataset, make_seed_circle
from nnlab.nn import build_mlp
from nnlab.training import GradientCapture, Observer, fit, train
from nnlab.training.engines import ENGINES, choose_engine, kernels, support
from nnlab.training.engines.fast_model import FastMLP
from nnlab.training.engines.torch_rng import TorchCPUGenerator

SEED = PRESETS["seed-circle"]


def _both(model_config, X, y, config, seed=0, **kwargs):
    """(torch History, fast History, torch model, fast-trained model) from the same initial weights."""
    a = build_mlp(model_config, seed=seed)
    b = copy.deepcopy(a)
    h_torch = fit(a, X, y, dataclasses.replace(config, engine="torch"), **kwargs)
    h_fast = fit(b, X, y, dataclasses.replace(config, engine="fast"), **kwargs)
    assert (h_torch.engine, h_fast.engine) == ("torch", "fast")
    return h_torch, h_fast, a, b


def _assert_same_run(h_torch, h_fast, a, b, rtol=2e-5):
    np.testing.assert_allclose(h_fast.loss, h_torch.loss, rtol=rtol)
    assert h_fast.epochs_run == h_torch.epochs_run
    for p, q in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(q, p, rtol=1e-4, atol=1e-5)


# -- the same initial weights and batch order, without torch -------------------------------------------------

@pytest.mark.parametrize("seed", [0, 7, 2**33 + 5])
def test_torch_rng_draws_nn_linear_weights_bit_for_bit(seed):
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(2, 8), torch.nn.Linear(8, 30), torch.nn.Linear(30, 3)]
    from nnlab.training.engines.torch_rng import init_linear_layers
    ours = init_linear_layers((2, 8, 30, 3), seed=seed)
    for layer, (w, b) in zip(layers, ours):
        assert np.array_equal(w, layer.weight.detach().numpy()) and np.array_equal(b, layer.bias.detach().numpy())


@pytest.mark.parametrize("n", [2, 37, 1000])
def test_torch_rng_reproduces_randperm(n):
    g = torch.Generator().manual_seed(3)
    ours = TorchCPUGenerator(3)
    for _ in range(2):   # consecutive permutations continue the same stream
        assert np.array_equal(ours.randperm(n), torch.randperm(n, generator=g).numpy())


@pytest.mark.parametrize("init, activation", [("pytorch", "relu"), ("xavier", "tanh"), ("xavier", "relu"),
                                              ("playground", "sigmoid")])
def test_fast_mlp_starts_from_build_mlps_weights(init, activation):
    config = ModelConfig(hidden_sizes=(8, 5), activation=activation, init=init)
    net = FastMLP.from_config(config, seed=4)
    expected = torch.nn.utils.parameters_to_vector(build_mlp(config, seed=4).parameters()).detach().numpy()
    assert np.array_equal(net.theta, expected)


def test_kernel_codes_follow_the_support_tables():
    assert [kernels.LINEAR, kernels.RELU, kernels.GELU] == [support.ACTIVATION_CODES.index(a)
                                                            for a in ("linear", "relu", "gelu")]
    assert kernels.MSE == support.LOSS_CODES.index("mse") and kernels.ADAMW == support.OPTIMIZER_CODES.index("adamw")
    assert len(support.ACTIVATION_CODES) == kernels.GELU + 1 and len(support.OPTIMIZER_CODES) == kernels.ADAMW + 1


# -- the same run on both engines ------------------------------------------------------------------------------

def test_seed_workload_matches_torch_for_100_epochs_and_reaches_the_same_accuracy():
    X, y = make_seed_circle(1000, seed=0)
    first = _both(SEED.model, X, y, TrainConfig(epochs=100))
    _assert_same_run(*first, rtol=1e-6)
    # After its plateau (epochs ~200-400) the seed's training is chaotic: float32 rounding differences (as
    # between torch's own fused and for-loop Adam) grow to percents of the loss, so the 2000-epoch accuracies
    # are compared to within a point.
    h_torch, h_fast, _, _ = _both(SEED.model, X, y, TrainConfig(epochs=2000))
    assert h_fast.final["train_accuracy"] >= 0.97 and h_torch.final["train_accuracy"] >= 0.97
    assert abs(h_fast.final["train_accuracy"] - h_torch.final["train_accuracy"]) <= 0.01


# Adagrad's first steps are about lr * sign(g) per coordinate, so a near-zero gradient whose sign differs by
# rounding between the engines' matrix products moves a weight by +lr on one and -lr on the other. At lr 0.05 that
# grew to 4e-4 of the loss by epoch 25 on one CPU (torch's fused and for-loop Adagrad, sharing the forward and
# backward pass, agreed to 2e-7 there); at 0.02 the engines agree to 2e-7.
@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.5), ("momentum", 0.05), ("nesterov", 0.05),
                                           ("adagrad", 0.02), ("rmsprop", 0.005), ("adam", 0.01), ("adamw", 0.01)])
def test_every_optimizer_follows_torch_optim(optimizer, lr):
    X, y = make_seed_circle(300, seed=1)
    _assert_same_run(*_both(ModelConfig(hidden_sizes=(16, 8)), X, y,
                            TrainConfig(optimizer=optimizer, lr=lr, epochs=25)))


@pytest.mark.parametrize("activation", support.ACTIVATION_CODES)
def test_every_activation_follows_torch(activation):
    X, y = make_dataset("moons", n=200, seed=0)
    _assert_same_run(*_both(ModelConfig(hidden_sizes=(8, 8), activation=activation), X, y,
                            TrainConfig(lr=0.01, epochs=15)))


@pytest.mark.parametrize("dataset, loss, classes", [("spirals", "cross-entropy", 3), ("moons", "bce", None),
                                                    ("moons", "mse", None), ("spirals", "mse", 3),
                                                    ("reg-gauss", "mse", None)])
def test_every_loss_and_test_metrics_follow_torch(dataset, loss, classes):
    from nnlab.data.prepare import prepare
    from nnlab.training.run import sized_for_data
    cfg = RunConfig(data=DataConfig(dataset=dataset, n=240, test_fraction=0.25, classes=classes),
                    model=ModelConfig(hidden_sizes=(8,), activation="tanh"), train=TrainConfig(loss=loss, lr=0.01))
    data = prepare(cfg.data)
    cfg = sized_for_data(cfg, data)
    runs = _both(cfg.model, data.X_train, data.y_train, TrainConfig(loss=loss, lr=0.01, epochs=12),
                 X_test=data.X_test, y_test=data.y_test, task=data.task)
    _assert_same_run(*runs)
    h_torch, h_fast = runs[:2]
    np.testing.assert_allclose(h_fast.test_loss, h_torch.test_loss, rtol=2e-5)
    assert h_fast.test_accuracy == pytest.approx(h_torch.test_accuracy) and h_fast.final.keys() == h_torch.final.keys()


def test_mini_batches_penalties_and_early_stopping_follow_torch():
    X, y = make_seed_circle(301, seed=2)      # 301 points in batches of 64: a last batch of 45
    config = TrainConfig(optimizer="momentum", lr=0.05, epochs=20, batch_size=64, seed=3, l1=1e-3, l2=1e-2,
                         early_stopping=3)
    _assert_same_run(*_both(ModelConfig(hidden_sizes=(8, 8)), X, y, config))


def test_torch_engine_syncs_metrics_in_chunks_without_changing_them():
    X, y = make_seed_circle(200, seed=0)
    config = TrainConfig(epochs=130, engine="torch")      # one chunk of 100 epochs and a part of the next
    quiet = fit(build_mlp(SEED.model, seed=0), X, y, config)
    watched = fit(build_mlp(SEED.model, seed=0), X, y, config, observers=[_Watch(stop_at=None)])
    assert quiet.loss == watched.loss and quiet.train_accuracy == watched.train_accuracy
    assert quiet.epochs_run == len(quiet.loss) == 130


def test_torch_engine_still_reports_divergence_between_syncs():
    X, y = make_dataset("reg-plane", n=100, seed=0)
    model = build_mlp(ModelConfig(hidden_sizes=(8, 8), output_size=1), seed=0)
    h = fit(model, X, y, TrainConfig(loss="mse", optimizer="sgd", lr=1e4, epochs=150, engine="torch"),
            task="regression")
    assert h.diverged and h.epochs_run == len(h.loss) < 150 and not np.isfinite(h.loss[-1])
    assert all(np.isfinite(h.loss[:-1]))


@pytest.mark.parametrize("name, torch_class", [("adam", torch.optim.Adam), ("adamw", torch.optim.AdamW)])
@pytest.mark.parametrize("skip_from", [None, 4])    # from step 4 on, the first layer gets no gradient
def test_torch_engines_fused_adam_is_torch_optims_to_the_bit(name, torch_class, skip_from):
    from nnlab.training.engines.torch_optim import FusedAdam, make_torch_optimizer
    a = build_mlp(ModelConfig(hidden_sizes=(5,), activation="tanh"), seed=0)
    b = copy.deepcopy(a)
    ours = make_torch_optimizer(name, a.parameters(), 0.01)
    theirs = torch_class(b.parameters(), lr=0.01, fused=True)
    assert isinstance(ours, FusedAdam)
    x = torch.randn(20, 2, generator=torch.Generator().manual_seed(0))
    for step in range(8):
        for model, opt in [(a, ours), (b, theirs)]:
            opt.zero_grad()
            (model(x) ** 2).mean().backward()
            if skip_from is not None and step >= skip_from:
                model[0].weight.grad = model[0].bias.grad = None
            opt.step()
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


# -- what "auto" chooses, and what the fast engine refuses -------------------------------------------------------

@pytest.mark.parametrize("change, reason", [({"dropout": 0.1}, "Dropout"), ({"batch_norm": True}, "BatchNorm1d"),
                                            ({"hidden_sizes": (256,)}, "256 units")])
def test_auto_gives_torch_what_the_fast_engine_cannot_train(change, reason):
    model = build_mlp(dataclasses.replace(SEED.model, **change), seed=0)
    choice = choose_engine("auto", TrainConfig(), model=model)
    assert choice.engine == "torch" and reason in choice.reason
    with pytest.raises(InvalidArgument, match="fast engine cannot"):
        choose_engine("fast", TrainConfig(), model=model)


def test_gradient_capture_runs_on_torch_and_the_seed_mlp_on_fast():
    assert choose_engine("auto", TrainConfig(), model_config=SEED.model).engine == "fast"
    choice = choose_engine("auto", TrainConfig(), model_config=SEED.model, observers=[GradientCapture()])
    assert choice.engine == "torch" and "GradientCapture" in choice.reason
    assert set(ENGINES) == {"auto", "torch", "fast"}
    with pytest.raises(InvalidArgument, match="'engine' parameter of TrainConfig"):
        TrainConfig(engine="warp")


class _Watch(Observer):
    """Records the first weight after every epoch; Ctrl-C at epoch ``stop_at``."""

    def __init__(self, stop_at=4):
        self.first_weight, self.stop_at = [], stop_at

    def on_epoch_end(self, epoch, logs, model):
        self.first_weight.append(float(model[0].weight.detach()[0, 0]))
        if epoch == self.stop_at:
            raise KeyboardInterrupt


def test_fast_engine_trains_the_torch_model_in_place_for_observers():
    X, y = make_seed_circle(200, seed=0)
    model = build_mlp(SEED.model, seed=0)
    watch = _Watch()
    h = fit(model, X, y, TrainConfig(epochs=10, engine="fast"), observers=[watch])
    assert h.interrupted and h.epochs_run == 4 and len(set(watch.first_weight)) == 4
    assert model[0].weight.grad is not None and h.final["train_accuracy"] == pytest.approx(
        float((model(torch.as_tensor(X, dtype=torch.float32)).argmax(1) == torch.as_tensor(y)).float().mean()))


def test_fast_engine_reports_divergence():
    cfg = RunConfig(data=DataConfig(dataset="reg-plane", n=100), model=ModelConfig(hidden_sizes=(8, 8)),
                    train=TrainConfig(loss="mse", optimizer="sgd", lr=1e4, epochs=50))
    run = train(cfg)
    assert run.history.engine == "fast" and run.history.diverged and run.history.epochs_run < 50


def test_trained_run_gives_a_torch_model_with_the_fast_engines_weights():
    run = train(SEED.replace(train={"epochs": 30}))
    assert isinstance(run.network, FastMLP) and run.n_parameters == 330
    Xt = torch.as_tensor(run.data.X_train, dtype=torch.float32)
    with torch.no_grad():
        torch_out = run.model(Xt).numpy()
    np.testing.assert_allclose(run.network(run.data.X_train), torch_out, rtol=1e-5, atol=1e-6)
    assert run.history.final["train_accuracy"] == pytest.approx(float((torch_out.argmax(1) == run.data.y_train).mean()))


# -- the command line ----------------------------------------------------------------------------------------------

def _nnlab_in_process(*args):
    code = ("import atexit, sys; atexit.register(lambda: print('torch imported:', 'torch' in sys.modules)); "
            "from nnlab.cli import main; sys.exit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300)


def test_nnlab_train_without_figures_runs_on_the_fast_engine_without_torch(tmp_path):
    result = _nnlab_in_process("train", "--epochs", "30", "--no-figures", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "engine fast" in result.stdout and "torch imported: False" in result.stdout
    assert "kernels loaded from the disk cache" in result.stdout    # an earlier process compiled them


def test_nnlab_train_engine_errors_name_the_flag(tmp_path):
    bad = _nnlab_in_process("train", "--engine", "warp", "--out", str(tmp_path))
    assert bad.returncode == 2 and bad.stderr.startswith("Error: --engine") and "fast" in bad.stderr
    refused = _nnlab_in_process("train", "--engine", "fast", "--dropout", "0.2", "--no-figures", "--out",
                                str(tmp_path))
    assert refused.returncode == 2 and "Error: --engine" in refused.stderr and "dropout" in refused.stderr
    assert "Traceback" not in bad.stderr + refused.stderr


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_cosine_schedule_follows_torch_on_both_engines(optimizer):
    X, y = make_seed_circle(200, seed=4)
    config = TrainConfig(optimizer=optimizer, lr=0.05, lr_schedule="cosine", epochs=20, batch_size=50, seed=1)
    _assert_same_run(*_both(ModelConfig(hidden_sizes=(8, 8)), X, y, config))


def test_the_cosine_schedule_is_the_formula_and_changes_training():
    import math

    import torch

    from nnlab.nn import build_mlp
    from nnlab.training import fit
    from nnlab.training.schedules import lr_at
    assert lr_at("cosine", 0.1, 1, 10) == 0.1 and lr_at("cosine", 0.1, 6, 10) == pytest.approx(0.05)
    assert lr_at("cosine", 0.1, 10, 10) == pytest.approx(0.1 * (1 + math.cos(math.pi * 0.9)) / 2)
    assert lr_at("constant", 0.1, 7, 10) == 0.1
    # The torch engine against a hand loop that sets the rate before each epoch's (full-batch) step.
    X, y = make_seed_circle(100, seed=0)
    mc = ModelConfig(hidden_sizes=(6,))
    model, ref = build_mlp(mc, seed=0), build_mlp(mc, seed=0)
    fit(model, X, y, TrainConfig(optimizer="sgd", lr=0.3, lr_schedule="cosine", epochs=8, engine="torch"))
    opt = torch.optim.SGD(ref.parameters(), lr=0.3)
    Xt, yt = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y)
    for epoch in range(1, 9):
        opt.param_groups[0]["lr"] = lr_at("cosine", 0.3, epoch, 8)
        opt.zero_grad()
        torch.nn.functional.cross_entropy(ref(Xt), yt).backward()
        opt.step()
    for a, b in zip(model.parameters(), ref.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)
    constant = build_mlp(mc, seed=0)
    fit(constant, X, y, TrainConfig(optimizer="sgd", lr=0.3, epochs=8, engine="torch"))
    assert not torch.equal(constant.linear_layers()[0].weight, model.linear_layers()[0].weight)


def test_an_unknown_schedule_is_refused_and_the_trainer_steps_one():
    from nnlab._validation import InvalidArgument
    with pytest.raises(InvalidArgument, match="lr_schedule"):
        TrainConfig(lr_schedule="step")
    from nnlab.nn import build_mlp
    from nnlab.training.trainer import Trainer
    X, y = make_seed_circle(50, seed=0)
    # the Trainer steps a schedule (tests/test_playground_server.py checks it against fit)
    assert Trainer(build_mlp(ModelConfig(hidden_sizes=(4,)), seed=0), X, y,
                   TrainConfig(lr_schedule="cosine")).step(2)["epoch"] == 2
