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


@pytest.mark.parametrize("name", ["adam", "momentum"])
def test_rates_change_per_row_between_steps_and_frozen_rows_keep_weights_and_state(name):
    gen = torch.Generator().manual_seed(1)
    K, P, steps = 3, 11, 8
    w0 = torch.randn(K, P, generator=gen)
    grads = [torch.randn(K, P, generator=gen) for _ in range(steps)]
    rates = [[0.1 / (t + 1), 0.05, 0.2 * (t % 3)] for t in range(steps)]         # per step, per row
    stacked = w0.clone()
    opt = BatchedOptimizer(name, stacked, rates[0])
    for t, g in enumerate(grads):
        if t == 5:
            opt.freeze([1])
            kept = stacked[1].clone(), {key: s[1].clone() for key, s in opt.state.items()}
        opt.set_lr(rates[t])
        opt.step(g)
    assert torch.equal(stacked[1], kept[0]) and all(torch.equal(opt.state[key][1], v) for key, v in kept[1].items())
    for k in (0, 2):
        p = torch.nn.Parameter(w0[k].clone())
        reference = OPTIMIZERS[name].make([p], rates[0][k])
        for t, g in enumerate(grads):
            reference.param_groups[0]["lr"] = rates[t][k]
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
    assert (history.stopped_early, history.best_epoch) == (ref.stopped_early, ref.best_epoch)
    for key in ("loss", "train_accuracy", "test_loss", "test_accuracy"):
        np.testing.assert_allclose(getattr(history, key), getattr(ref, key), rtol=rtol, atol=atol, err_msg=key)
    assert history.final.keys() == ref.final.keys()
    for key, value in ref.final.items():
        assert history.final[key] == pytest.approx(value, rel=rtol, abs=atol), key
    X = torch.as_tensor(data.X_train, dtype=torch.float32)                       # (n, d)
    K = fitted.net.flat.shape[0]
    single.model.eval()
    with torch.no_grad():
        ours = fitted.net.forward(X.T.unsqueeze(0).expand(K, -1, -1).contiguous())[k].T   # (n, outputs)
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


# -- what fit does beyond the plain loop: each case mixes trials that use the feature with trials that do not --
MOONS = RunConfig.from_dict({"data": {"dataset": "moons", "n": 240, "test_fraction": 0.25},
                             "model": {"hidden_sizes": [12, 12, 12], "activation": "tanh"},
                             "train": {"optimizer": "adam", "lr": 0.01, "epochs": 60, "batch_size": 45}})

FEATURES = {
    # each trial its own rate per epoch: cosine next to constant, full batch and mini-batches
    "cosine-schedule": [SEED.replace(train={"epochs": 120, "lr": lr, "seed": s, "lr_schedule": sch})
                        for lr, s, sch in ((3e-3, 0, "cosine"), (3e-3, 0, "constant"), (1e-2, 1, "cosine"))],
    "cosine-schedule-sgd-minibatch": [MOONS.replace(train={"optimizer": "momentum", "lr": 0.1, "seed": s,
                                                           "lr_schedule": sch})
                                      for s, sch in ((0, "cosine"), (1, "constant"))],
    # early stopping on the test loss: a large rate stops early (then frozen while the others go on)
    "early-stopping": [MOONS.replace(train={"lr": lr, "seed": s, "early_stopping": es, "epochs": 80})
                       for lr, s, es in ((0.05, 0, 3), (0.01, 1, None), (0.02, 2, 8), (0.03, 3, 2))],
    # early stopping on the training loss (no test split), with a schedule
    "early-stopping-train-loss": [SEED.replace(train={"epochs": 60, "lr": lr, "seed": 4, "early_stopping": es,
                                                      "batch_size": 200, "lr_schedule": "cosine"})
                                  for lr, es in ((0.03, 3), (3e-3, None))],
    # each augmenting trial draws its own stream
    "jitter": [MOONS.replace(train={"seed": s, "augment_jitter": j}) for s, j in ((0, 0.1), (1, 0.0), (2, 0.05))],
    # z_l = z_{l-1} + Linear_l(act(z_{l-1})) for the residual trials
    "residual": [MOONS.replace(model={"residual": r}, train={"seed": s}) for s, r in ((0, True), (1, False),
                                                                                    (2, True))],
    "residual-relu-all": [SEED.replace(model={"residual": True}, train={"epochs": 100, "seed": s}) for s in (0, 1)],
    # the same masks as fit draws from torch's generator seeded with the trial's seed
    "dropout": [MOONS.replace(model={"dropout": p}, train={"seed": s}) for s, p in ((0, 0.2), (1, 0.0), (2, 0.5))],
    "dropout-residual-everything": [MOONS.replace(
        model={"dropout": p, "residual": True},
        train={"seed": s, "lr_schedule": "cosine", "early_stopping": 5, "augment_jitter": 0.05, "l2": 1e-3})
        for s, p in ((0, 0.1), (1, 0.3))],
}


@pytest.mark.parametrize("case", sorted(FEATURES))
def test_each_feature_trains_each_trial_as_fit_does_on_the_torch_engine(case):
    together, alone = _fit_both(FEATURES[case])
    for k, single in enumerate(alone):
        _assert_same_run(together, k, single, single.data)
    if case.startswith("early-stopping"):
        assert any(h.stopped_early for h in together.histories)
        assert not all(h.stopped_early for h in together.histories)


def test_image_shift_augmentation_matches_fit(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (120, 9))                                           # 3 x 3 images
    y = (X[:, :3].sum(1) > X[:, 6:].sum(1)).astype(int)
    path = tmp_path / "images.csv"
    path.write_text(",".join(f"x{i + 1}" for i in range(9)) + ",label\n"
                    + "".join(",".join(f"{v:.4f}" for v in row) + f",{c}\n" for row, c in zip(X, y)))
    base = RunConfig.from_dict({"data": {"dataset": "csv", "path": str(path)},
                                "model": {"hidden_sizes": [6]}, "train": {"epochs": 30, "lr": 0.01}})
    configs = [base.replace(train={"seed": s, "augment_shift": sh, "augment_jitter": j})
               for s, sh, j in ((0, 1.0, 0.0), (1, 0.0, 0.0), (2, 0.5, 0.05))]
    together, alone = _fit_both(configs)
    for k, single in enumerate(alone):
        _assert_same_run(together, k, single, single.data)


def test_a_stopped_trial_is_frozen_and_given_back_its_best_weights():
    configs = FEATURES["early-stopping"]
    data = [prepare(c.data) for c in configs]
    together = fit_batched([sized_for_data(c, d) for c, d in zip(configs, data)], data)
    stopped = [k for k, h in enumerate(together.histories) if h.stopped_early]
    assert stopped
    for k in stopped:
        h = together.histories[k]
        assert h.epochs_run < 80 and h.best_epoch < h.epochs_run and len(h.test_loss) == h.epochs_run
        # the final test loss is the best epoch's: the weights it holds are that epoch's
        assert h.final["test_loss"] == pytest.approx(h.test_loss[h.best_epoch - 1], rel=1e-6)


@pytest.mark.parametrize("change, reason", [({"model": {"batch_norm": True}}, "batch norm"),
                                            ({"train": {"precision": "bf16"}}, "auto bf16")])
def test_what_the_batched_engine_cannot_do_is_refused_with_the_reason(change, reason):
    from nnlab.sweeps.executors import unsupported
    config = MOONS.replace(**change)
    assert unsupported(config) == reason
    data = prepare(config.data)
    with pytest.raises(ValueError, match=reason):
        fit_batched([sized_for_data(config, data)], [data])


def test_schedules_early_stopping_augmentation_dropout_and_residual_are_batched():
    from nnlab.sweeps.executors import unsupported
    for change in ({"train": {"lr_schedule": "cosine"}}, {"train": {"early_stopping": 3}},
                   {"train": {"augment_jitter": 0.1}}, {"model": {"dropout": 0.2}}, {"model": {"residual": True}}):
        assert unsupported(MOONS.replace(**change)) is None, change


# -- the engine's stepper on its own: the one-model Stepper interface, one value per trial --
def _stepper_and_alone(configs):
    from nnlab.nn import build_mlp
    from nnlab.sweeps.batched_stepper import BatchedStepper
    from nnlab.training.engines.torch_stepper import TorchStepper
    data = [prepare(c.data) for c in configs]
    sized = [sized_for_data(c, d) for c, d in zip(configs, data)]
    alone = [TorchStepper(build_mlp(c.model, seed=c.train.seed), d.X_train, d.y_train, c.train, d.task)
             for c, d in zip(sized, data)]
    return BatchedStepper(sized, data), alone


def _per_trial(epochs):
    """run()'s StackedEpochs -> per trial, the list of (loss, accuracy) the one-model stepper gives."""
    rows = [e.per_trial() for e in epochs]
    return [[row[k] for row in rows] for k in range(len(rows[0]))]


def test_batched_stepper_runs_each_trial_as_the_torch_stepper_runs_it_alone_with_per_trial_rates():
    configs = [MOONS.replace(train={"lr": lr, "seed": s}) for lr, s in ((0.01, 0), (0.03, 1), (0.005, 2))]
    stepper, alone = _stepper_and_alone(configs)
    got = _per_trial(stepper.run(2) + stepper.run(1))          # uneven chunks
    stepper.set_lr([0.02, 0.001, 0.05])                        # one rate per trial, optimizer state kept
    got = [a + b for a, b in zip(got, _per_trial(stepper.run(3)))]
    for k, (one, lr) in enumerate(zip(alone, (0.02, 0.001, 0.05))):
        expected = one.run(3)
        one.set_lr(lr)
        expected += one.run(3)
        np.testing.assert_allclose(np.array(got[k]), np.array(expected), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(stepper.parameters(k), one.parameters(), rtol=1e-4, atol=1e-5)
        assert stepper.evaluate("train")[k] == pytest.approx(one.evaluate(one.X, one.y), rel=1e-5, abs=1e-6)
        assert stepper.evaluate("test")[k].keys() == {"loss", "accuracy"}


def test_batched_stepper_frozen_trials_keep_their_weights_and_weights_round_trip():
    configs = [SEED.replace(train={"epochs": 10, "lr": 0.01, "seed": s}) for s in (0, 1, 2)]
    stepper, alone = _stepper_and_alone(configs)
    stepper.run(2)
    kept = stepper.weights(1)
    stepper.freeze([1])
    assert stepper.active == [0, 2]
    got = _per_trial(stepper.run(3))
    assert torch.equal(stepper.weights(1), kept)
    for k in (0, 2):                                           # the others go on as if alone
        np.testing.assert_allclose(np.array(got[k]), np.array((alone[k].run(2), alone[k].run(3))[1]),
                                   rtol=1e-5, atol=1e-6)
    before = stepper.parameters(0)
    stepper.load_parameters(0, np.zeros_like(before))
    assert not stepper.parameters(0).any()
    stepper.load_weights(0, torch.from_numpy(before))
    np.testing.assert_array_equal(stepper.parameters(0), before)


def test_batched_stepper_set_inputs_changes_one_trial_only():
    configs = [SEED.replace(train={"epochs": 5, "seed": s}) for s in (0, 1)]
    stepper, alone = _stepper_and_alone(configs)
    X = np.asarray(prepare(configs[0].data).X_train, np.float32) * 0.5
    stepper.set_inputs(0, X)
    alone[0].set_inputs(X)
    got = _per_trial(stepper.run(2))
    for k in (0, 1):
        np.testing.assert_allclose(np.array(got[k]), np.array(alone[k].run(2)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("configs", [CASES["seed-adam-full-batch"], FEATURES["cosine-schedule"]],
                         ids=["many-epochs-per-run", "one-epoch-per-run"])
def test_ctrl_c_books_the_finished_epochs_of_every_trial_as_fit_does(monkeypatch, configs):
    data = [prepare(c.data) for c in configs]
    steps = {"n": 0}
    step = BatchedOptimizer.step

    def interrupted_step(self, grad):                          # Ctrl-C in the 8th epoch (one step per epoch)
        steps["n"] += 1
        if steps["n"] == 8:
            raise KeyboardInterrupt
        step(self, grad)

    monkeypatch.setattr(BatchedOptimizer, "step", interrupted_step)
    together = fit_batched([sized_for_data(c, d) for c, d in zip(configs, data)], data)
    monkeypatch.undo()
    alone = [train(c.replace(train={"engine": "torch"}), data=d) for c, d in zip(configs, data)]
    for k, h in enumerate(together.histories):
        assert h.interrupted and h.epochs_run == 7 and len(h.loss) == 7
        np.testing.assert_allclose(h.loss, alone[k].history.loss[:7], rtol=1e-5, atol=1e-6)
