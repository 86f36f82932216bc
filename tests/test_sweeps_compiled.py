"""The vectorized executor's compiled path: trials the fast engine trains run on threads, each its lone run."""
import threading

import pytest

from nnlab.config import RunConfig
from nnlab.runs import RunStore
from nnlab.sweeps import SweepObserver, parse_spec, run_sweep
from nnlab.sweeps.compiled import trains_fast
from nnlab.training.run import train

BASE = {"data": {"dataset": "moons", "n": 160, "test_fraction": 0.25},
        "model": {"hidden_sizes": [8, 8], "activation": "tanh"},
        "train": {"epochs": 30, "lr": 0.02}}

# one feature per trial, every one the fast engine trains: a sweep mixes them and each must equal its lone run
FEATURES = {
    "train.lr_schedule": ["constant", "cosine"],
    "train.early_stopping": [None, 3],
    "train.augment_jitter": [0.0, 0.05],
}


class Events(SweepObserver):
    def __init__(self, stop_at_epoch: int | None = None):
        self.events, self.notes, self.stop_at_epoch = [], [], stop_at_epoch

    def on_trial(self, event):
        self.events.append(event)
        if self.stop_at_epoch is not None and event.status == "running" and (event.epoch or 0) >= self.stop_at_epoch:
            self.stop_at_epoch = None
            raise KeyboardInterrupt         # as if Ctrl-C came while the trials train

    def on_note(self, text):
        self.notes.append(text)


def _spec(grid, **base_train):
    base = {**BASE, "train": {**BASE["train"], **base_train}}
    return parse_spec({"name": "threads", "base": base, "grid": grid, "seeds": 2})


def _lone(run) -> object:
    cfg = RunConfig.from_dict(run.config)
    return train(cfg).history


@pytest.mark.parametrize("field", sorted(FEATURES))
def test_each_trial_equals_its_lone_run_bit_for_bit(tmp_path, field):
    events = Events()
    grid = {field: FEATURES[field], "train.batch_size": [None, 32]}
    if field == "train.early_stopping":
        grid["train.l2"] = [0.0, 0.01]
    result = run_sweep(_spec(grid), store=tmp_path, executor="vectorized", observer=events)
    trials = 2 * 2 * 2 * (2 if "train.l2" in grid else 1)          # values x batch sizes x seeds (x l2)
    assert result.count("finished") == trials
    assert any("fast engine's compiled kernels" in n for n in events.notes)
    with RunStore(tmp_path) as store:
        runs = store.list(sweep_id="threads")
        assert len(runs) == trials and {r.status for r in runs} == {"finished"}
        assert {r.versions["engine"] for r in runs} == {"fast"}
        for run in runs:
            alone = _lone(run)
            metrics = store.metrics(run.id)
            assert [v for _, v in metrics["loss"]] == alone.loss        # every epoch, bit for bit
            assert [v for _, v in metrics["test_loss"]] == alone.test_loss
            assert run.final["train_loss"] == alone.final["train_loss"]
            assert run.final["epochs_run"] == alone.epochs_run
        if field == "train.early_stopping":                             # the feature did something
            assert any(r.final["epochs_run"] < 30 for r in runs)


def test_trials_the_fast_engine_cannot_train_take_the_batched_path():
    cfg = RunConfig.from_dict(BASE)
    from nnlab.data.prepare import prepare
    from nnlab.training.run import sized_for_data
    sized = sized_for_data(cfg, prepare(cfg.data))
    assert trains_fast(sized)
    assert not trains_fast(sized.replace(train={"engine": "torch"}))
    assert not trains_fast(sized.replace(model={"dropout": 0.2}))
    assert not trains_fast(sized.replace(model={"hidden_sizes": (128,)}))


def test_ctrl_c_stops_every_thread_and_records_the_trials_as_interrupted(tmp_path):
    events = Events(stop_at_epoch=1)
    spec = _spec({"train.lr": [0.01, 0.02, 0.03]}, epochs=200_000)
    before = threading.active_count()
    result = run_sweep(spec, store=tmp_path, executor="vectorized", observer=events)
    assert result.interrupted
    assert threading.active_count() == before                      # no training thread left behind
    with RunStore(tmp_path) as store:
        runs = store.list(sweep_id="threads")
        assert len(runs) == 6 and {r.status for r in runs} == {"interrupted"}
        assert all(r.final.get("epochs_run", 0) < 200_000 for r in runs)


def test_the_sweeps_decide_from_the_one_capability_table():
    from nnlab.config import ModelConfig, TrainConfig
    from nnlab.sweeps.executors import unsupported
    from nnlab.training.engines.capabilities import CAPABILITIES, supports
    assert set(CAPABILITIES) >= {"torch", "fast", "playground", "batched"}
    cfg = RunConfig.from_dict(BASE)
    assert unsupported(cfg) is None and supports("batched", cfg.train, model_config=cfg.model) is None
    norm = cfg.replace(model={"batch_norm": True})
    assert unsupported(norm) == supports("batched", norm.train, model_config=norm.model) == "batch norm"
    assert supports("fast", TrainConfig(), model_config=ModelConfig(dropout=0.1)) == "dropout"


def test_a_sweep_of_small_mlps_never_imports_torch(tmp_path):
    import subprocess
    import sys
    code = ("import sys; from nnlab.sweeps import parse_spec, run_sweep; "
            "spec = {'name': 't', 'base': {'data': {'dataset': 'moons', 'n': 80}, 'model': {'hidden_sizes': [4]}, "
            "'train': {'epochs': 3}}, 'grid': {'train.lr': [0.01, 0.02]}}; "
            f"result = run_sweep(parse_spec(spec), store={str(tmp_path)!r}); "
            "print(result.count('finished'), 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.split() == ["2", "False"], out.stderr[-2000:]
