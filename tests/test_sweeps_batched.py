"""The vectorized executor's engine: K models in one batched pass must train as each would alone."""
import numpy as np
import pytest
import torch

from nnlab.config import PRESETS, RunConfig
from nnlab.data.prepare import prepare
from nnlab.sweeps.batched import fit_batched
from nnlab.sweeps.batched_optim import BatchedOptimizer
from nnlab.training import OPTIMIZERS
from nnlab.training.run import sized_for_data, train


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_batched_optimizer_matches_torch_optim_row_by_row(name):
    gen = torch.Generator().manual_seed(0)
    K, P, steps = 3, 17, 12
    lrs = [1e-3, 3e-2, 0.2]
    w0 = torch.randn(K, P, generator=gen)
    grads = [torch.randn(K, P, generator=gen) for _ in range(steps)]
    stacked = w0.clone()
    opt = BatchedOptimizer(name, stacked, lrs)
    for g in grads:
        opt.step(g)
    for k in range(K):
        p = torch.nn.Parameter(w0[k].clone())
        reference = OPTIMIZERS[name].make([p], lrs[k])
        for g in grads:
            p.grad = g[k].clone()
            reference.step()
        torch.testing.assert_close(stacked[k], p.detach(), rtol=1e-6, atol=1e-7)


def _fit_both(configs: list[RunConfig], engine="torch"):
    """All configs trained together through fit_batched, and each alone through nnlab.training.train on
    ``engine`` (torch: the loop whose every step fit_batched follows)."""
    data = [prepare(c.data) for c in configs]
    sized = [sized_for_data(c, d) for c, d in zip(configs, data)]
    together = fit_batched(sized, data)
    alone = [train(c.replace(train={"engine": engine}), data=d) for c, d in zip(configs, data)]
    return together, alone


def _assert_same_run(fitted, k, single, data, rtol=1e-5, atol=1e-6, outputs_atol=5e-4):
    """Trial k of ``fitted`` against ``single``: its loss and accuracy curves and final metrics to float32
    rounding, and its trained network's outputs on the training data.

    The outputs get a looser bound than the losses: Adam divides by sqrt(v), so a unit whose gradient is almost
    zero (a ReLU that rarely fires) moves by ~lr per step in a direction set by rounding noise, and two runs
    that differ only in summation order drift apart there by ~1e-4 while the loss agrees to ~1e-7.
    """
    history, ref = fitted.histories[k], single.history
    assert history.epochs_run == ref.epochs_run and history.diverged == ref.diverged
    for key in ("loss", "train_accuracy", "test_loss", "test_accuracy"):
        np.testing.assert_allclose(getattr(history, key), getattr(ref, key), rtol=rtol, atol=atol, err_msg=key)
    assert history.final.keys() == ref.final.keys()
    for key, value in ref.final.items():
        assert history.final[key] == pytest.approx(value, rel=rtol, abs=atol), key
    X = torch.as_tensor(data.X_train, dtype=torch.float32)                       # (n, d)
    stacked = [p.unsqueeze(0) for p in fitted.net.parameters(k)]
    with torch.no_grad():
        ours = fitted.net.forward(X.T.unsqueeze(0), stacked)[0].T                 # (n, outputs)
        theirs = single.model(X)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=outputs_atol)


SEED = PRESETS["seed-circle"]

CASES = {
    # the seed workload, shortened: Adam, full batch, per-trial learning rate and seed
    "seed-adam-full-batch": [SEED.replace(train={"epochs": 150, "lr": lr, "seed": s})
                             for lr in (1e-3, 3e-3) for s in (0, 1)],
    # mini-batches in each trial's own seeded order, a test split, momentum, tanh, different data seeds
    "moons-momentum-minibatch": [RunConfig.from_dict({
        "data": {"dataset": "moons", "seed": s, "test_fraction": 0.25},
        "model": {"hidden_sizes": [16, 16], "activation": "tanh", "init": "xavier"},
        "train": {"optimizer": "momentum", "lr": lr, "epochs": 40, "batch_size": 32, "seed": s}})
        for lr, s in ((0.05, 0), (0.02, 1), (0.05, 2))],
    # regression with mse, rmsprop and per-trial l1/l2 penalties
    "regression-rmsprop-penalties": [RunConfig.from_dict({
        "data": {"dataset": "reg-plane", "n": 300},
        "model": {"hidden_sizes": [8], "activation": "silu"},
        "train": {"optimizer": "rmsprop", "loss": "mse", "lr": 3e-3, "epochs": 60, "batch_size": 100,
                  "l1": l1, "l2": l2, "seed": 3}}) for l1, l2 in ((0.0, 0.0), (1e-3, 0.0), (0.0, 1e-2))],
    # one sigmoid output with bce, plain sgd
    "xor-bce-sgd": [RunConfig.from_dict({
        "data": {"dataset": "xor", "n": 200},
        "model": {"hidden_sizes": [6, 6], "activation": "relu"},
        "train": {"optimizer": "sgd", "loss": "bce", "lr": lr, "epochs": 80, "seed": 5}}) for lr in (0.05, 0.1)],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_trial_matches_the_same_trial_run_alone(case):
    together, alone = _fit_both(CASES[case])
    for k, single in enumerate(alone):
        _assert_same_run(together, k, single, single.data)


def test_the_seed_trials_match_the_default_single_run_too():
    configs = [SEED.replace(train={"epochs": 100, "lr": lr, "seed": 2}) for lr in (1e-3, 3e-3)]
    together, alone = _fit_both(configs, engine="auto")      # whatever engine a plain run picks
    for k, single in enumerate(alone):
        _assert_same_run(together, k, single, single.data)


def test_a_diverging_trial_stops_alone_as_it_would_alone():
    base = RunConfig.from_dict({"data": {"dataset": "reg-gauss", "n": 200},
                                "model": {"hidden_sizes": [8], "activation": "relu"},
                                "train": {"optimizer": "sgd", "loss": "mse", "epochs": 40, "seed": 0}})
    together, alone = _fit_both([base.replace(train={"lr": 1e-3}), base.replace(train={"lr": 1e4})])
    calm, wild = together.histories
    assert wild.diverged and wild.epochs_run < 40 and wild.epochs_run == alone[1].history.epochs_run
    assert not calm.diverged and calm.epochs_run == 40
    _assert_same_run(together, 0, alone[0], alone[0].data)
