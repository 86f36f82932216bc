"""Sweeps: specs, their trials, the run store under one sweep id, resume, failures, executors, the CLI."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from nnlab._validation import InvalidArgument
from nnlab.runs import RunStore, RunStoreError
from nnlab.sweeps import SweepObserver, expand, load_spec, parse_spec, run_sweep
from nnlab.sweeps.executors import choose_executor

_SCRIPT = Path(sys.executable).parent / "nnlab"
NNLAB = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "nnlab.cli"]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "sweeps"


def nnlab(*args, timeout=300):
    return subprocess.run(NNLAB + [str(a) for a in args], capture_output=True, text=True, timeout=timeout)


def _spec(**changes):
    """A small sweep: moons, a 2->8->2 tanh MLP, 15 epochs; 2 learning rates x 2 seeds."""
    values = {"name": "small", "base": {"data": {"dataset": "moons", "n": 120},
                                         "model": {"hidden_sizes": [8], "activation": "tanh"},
                                         "train": {"epochs": 15, "lr": 0.01}},
              "grid": {"train.lr": [0.01, 0.03]}, "seeds": 2}
    values.update(changes)
    return values


class Events(SweepObserver):
    def __init__(self):
        self.plan, self.events, self.notes = None, [], []

    def on_start(self, plan):
        self.plan = plan

    def on_trial(self, event):
        self.events.append(event)

    def on_note(self, text):
        self.notes.append(text)


# -- specs and trials -----------------------------------------------------------------------------------------
def test_grid_times_seeds_gives_every_combination_in_order():
    trials = expand(parse_spec(_spec(grid={"train.lr": [0.01, 0.03], "model.activation": ["relu", "tanh"]})))
    assert [t.label() for t in trials[:3]] == ["lr=0.01 activation=relu seed=0", "lr=0.01 activation=relu seed=1",
                                              "lr=0.01 activation=tanh seed=0"]
    assert len(trials) == 8 and len({t.key for t in trials}) == 8
    last = trials[-1].config
    assert (last.train.lr, last.model.activation, last.train.seed, last.train.epochs) == (0.03, "tanh", 1, 15)


def test_random_search_draws_the_same_trials_from_the_same_seed_within_bounds():
    random = {"trials": 6, "seed": 4, "params": {"train.lr": {"log_uniform": [1e-4, 1e-1]},
                                                "model.hidden_sizes": {"choice": [[4], [8, 8]]},
                                                "train.epochs": {"int_uniform": [5, 9]}}}
    first = expand(parse_spec(_spec(grid={}, seeds=None, random=random)))
    again = expand(parse_spec(_spec(grid={}, seeds=None, random=random)))
    assert [t.key for t in first] == [t.key for t in again] and len(first) == 6
    assert all(1e-4 <= t.config.train.lr <= 1e-1 and 5 <= t.config.train.epochs <= 9 for t in first)
    assert {t.config.model.hidden_sizes for t in first} <= {(4,), (8, 8)}
    other = expand(parse_spec(_spec(grid={}, seeds=None, random=dict(random, seed=5))))
    assert [t.key for t in other] != [t.key for t in first]


def test_yaml_and_json_specs_say_the_same(tmp_path):
    pytest.importorskip("yaml")
    (tmp_path / "a.yaml").write_text("name: same\ngrid:\n  train.lr: [1e-3, 3e-3]\nseeds: 2\n")
    (tmp_path / "a.json").write_text(json.dumps({"name": "same", "grid": {"train.lr": [0.001, 0.003]}, "seeds": 2}))
    from_yaml, from_json = load_spec(tmp_path / "a.yaml"), load_spec(tmp_path / "a.json")
    assert from_yaml == from_json and from_yaml.grid["train.lr"] == [0.001, 0.003]
    assert [t.key for t in expand(load_spec(EXAMPLES / "seed_lr.yaml"))]          # the shipped example reads


@pytest.mark.parametrize("change, shown", [
    ({"grdi": {}}, "unknown key(s) ['grdi']; allowed keys are ['base', 'description', 'grid', 'name', 'random'"),
    ({"grid": {"train.lrr": [0.1]}}, "unknown field 'train.lrr' in 'grid'; allowed fields are ['data.dataset'"),
    ({"grid": {"model.activation": ["relu", "rleu"]}}, "in 'grid': 'model.activation' must be one of ['elu', "
                                                       "'gelu'"),
    ({"grid": {"train.lr": []}}, "needs a non-empty list"),
    ({"random": {"trials": 2, "params": {"train.lr": {"normal": [0, 1]}}}},
     "the distribution must be one of ['choice', 'int_uniform', 'log_uniform', 'uniform']. Got 'normal'"),
    ({"random": {"trials": 2, "params": {"train.epochs": {"uniform": [1, 5]}}}}, "must be an integer >= 1"),
    ({"base": {"train": {"lrr": 1}}}, "unknown field(s) ['lrr'] in 'base.train'; allowed fields are"),
    ({"base": "seed-circel"}, "'base.preset' must be one of ['seed-circle', 'seed-circle-500']"),
    ({"seeds": [0, 0]}, "'seeds' lists a seed twice"),
    ({"seeds": [2**32]}, "'seeds' must be a count in the range [1, 10000] or a list of distinct integers in the "
                         "range [0, 4294967295]. Got [4294967296]."),
    ({"seeds": 10**9}, "'seeds' must be a count in the range [1, 10000]"),
    ({"random": {"trials": 2, "seed": 2**64, "params": {"train.lr": {"uniform": [0.1, 0.2]}}}},
     "'random.seed' must be an integer in the range [0, 4294967295]. Got 18446744073709551616."),
    ({"random": {"trials": 10**12, "params": {"train.lr": {"uniform": [0.1, 0.2]}}}},
     "'random.trials' must be an integer in the range [1, 10000]"),
    ({"random": {"trials": 2, "params": {"data.seed": {"int_uniform": [0, 2**40]}}}},
     "in 'random.params': 'data.seed' must be an integer in the range [0, 4294967295] (2**32 - 1). Got "
     "1099511627776 instead."),
    ({"grid": {"train.seed": [1, 2**63]}}, "in 'grid': 'train.seed' must be an integer in the range [0, 4294967295]"),
    ({"base": {"train": {"seed": 2**40}}}, "'base': 'base.train.seed' must be an integer in the range [0, 4294967295]"),
    ({"grid": {"train.lr": [0.1, 0.2], "train.epochs": list(range(1, 5002))}},
     "the spec makes 20004 trials (grid points x random trials x seeds); at most 10000 are allowed"),
    ({"grid": {"model.batch_norm": ["yes"]}}, "in 'grid': 'model.batch_norm' must be true or false. Got 'yes'"),
    ({"grid": {"train.seed": [1, 2]}}, "either under 'seeds' or as the field 'train.seed'"),
])
def test_a_bad_spec_names_the_field_and_what_is_allowed(change, shown):
    with pytest.raises(InvalidArgument) as err:
        parse_spec(_spec(**change))
    assert shown in str(err.value) and str(err.value).startswith("In the sweep spec:")


@pytest.mark.parametrize("name, data, shown", [
    ("latin1.json", b'{"name": "caf\xe9"}', "it is not UTF-8 text (byte 0xe9 on line 1)"),
    ("deep.json", b"[" * 100_000, "nested too deeply"),
    ("deep.yaml", b"[" * 100_000, "nested too deeply"),
])
def test_a_spec_file_that_is_not_text_or_too_deep_is_one_error_naming_it(tmp_path, name, data, shown):
    if name.endswith(".yaml"):
        pytest.importorskip("yaml")
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InvalidArgument) as err:
        load_spec(path)
    assert err.value.argument == "spec" and str(path) in str(err.value) and shown in str(err.value)


def test_a_spec_saved_with_a_byte_order_mark_reads(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_spec()).encode())
    assert load_spec(path) == parse_spec(_spec(), default_name="bom")


def test_auto_picks_vectorized_for_one_architecture_and_process_for_a_mix():
    assert choose_executor(expand(parse_spec(_spec())))[0] == "vectorized"
    mixed = parse_spec(_spec(grid={"model.hidden_sizes": [[4], [8, 8]]}))
    assert choose_executor(expand(mixed))[0] == "vectorized"        # small MLPs: the fast engine, on threads
    mixed = parse_spec(_spec(grid={"model.hidden_sizes": [[4], [8, 8]], "train.engine": ["torch"]}))
    assert choose_executor(expand(mixed)) == ("process", "the trials differ in architecture or set-up")
    batch_norm = parse_spec(_spec(grid={"model.batch_norm": [False, True]}))
    assert choose_executor(expand(batch_norm))[0] == "process"


# -- running --------------------------------------------------------------------------------------------------
def test_trials_land_in_the_store_under_one_sweep_id_and_a_rerun_skips_finished_ones(tmp_path):
    events = Events()
    result = run_sweep(parse_spec(_spec()), store=tmp_path, observer=events)
    assert result.executor == "vectorized" and result.count("finished") == 4
    with RunStore(tmp_path) as store:
        runs = store.list(sweep_id="small")
        assert len(runs) == 4 and {r.status for r in runs} == {"finished"}
        assert all("sweep:small" in r.tags and r.versions["executor"] == "vectorized" for r in runs)
        assert sorted((r.config["train"]["lr"], r.seed) for r in runs) == [(0.01, 0), (0.01, 1), (0.03, 0),
                                                                            (0.03, 1)]
        assert all(len(store.metrics(r.id)["loss"]) == 15 and r.final["epochs_run"] == 15 for r in runs)
    assert {e.status for e in events.events} >= {"pending", "running", "finished"}

    again = run_sweep(parse_spec(_spec()), store=tmp_path)
    assert again.count("skipped") == 4 and again.count("finished") == 0
    grown = run_sweep(parse_spec(_spec(grid={"train.lr": [0.01, 0.03, 0.1]})), store=tmp_path)
    assert grown.count("skipped") == 4 and grown.count("finished") == 2
    with RunStore(tmp_path) as store:
        assert len(store.list(sweep_id="small")) == 6


def test_a_failing_trial_is_recorded_as_failed_and_the_sweep_goes_on(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("x1,x2,label\n" + "".join(f"{i / 10},{(i % 3) / 3},{i % 2}\n" for i in range(40)))
    spec = _spec(base={"data": {"dataset": "csv", "path": str(good)}, "model": {"hidden_sizes": [4]},
                       "train": {"epochs": 5}},
                 grid={"data.path": [str(good), str(tmp_path / "missing.csv")]}, seeds=None)
    result = run_sweep(parse_spec(spec), store=tmp_path / "store")
    assert (result.count("finished"), result.count("failed")) == (1, 1)
    with RunStore(tmp_path / "store") as store:
        failed = store.list(status="failed")
        assert len(failed) == 1 and "missing.csv" in failed[0].error and "no such file" in failed[0].error
        assert len(store.list(status="finished")) == 1


def test_unbatchable_and_mixed_trials_run_on_processes_with_a_note(tmp_path):
    spec = _spec(grid={"model.hidden_sizes": [[4], [6]], "model.batch_norm": [False, True], "train.engine": ["torch"]},
                 seeds=None)          # on the fast engine they would train on threads (test_sweeps_compiled.py)
    events = Events()
    result = run_sweep(parse_spec(spec), store=tmp_path, executor="vectorized", workers=2, observer=events)
    assert result.count("finished") == 4
    assert any("2 batched groups" in n for n in events.notes)
    assert any("2 trial(s) use batch norm" in n and "process executor" in n for n in events.notes)
    with RunStore(tmp_path) as store:
        by_executor = sorted(r.versions["executor"] for r in store.list())
        assert by_executor == ["process", "process", "vectorized", "vectorized"]
        assert all(len(store.metrics(r.id)["loss"]) == 15 for r in store.list())


def test_a_store_that_cannot_be_written_is_reported_before_any_training(tmp_path):
    (tmp_path / "file").write_text("")
    events = Events()
    with pytest.raises(RunStoreError, match="cannot create the run store directory"):
        run_sweep(parse_spec(_spec()), store=tmp_path / "file" / "store", observer=events)
    assert events.plan is None and events.events == []


# -- the command ----------------------------------------------------------------------------------------------
def test_cli_shows_the_trials_and_resumes(tmp_path):
    spec = tmp_path / "small.json"
    spec.write_text(json.dumps(_spec(seeds=None)))
    first = nnlab("sweep", spec, "--store", tmp_path / "store")
    assert first.returncode == 0, first.stderr
    assert "trials of small" in first.stdout and first.stdout.count("finished") >= 2
    assert "2 trials: 2 finished" in first.stdout
    second = nnlab("sweep", spec, "--store", tmp_path / "store")
    assert second.returncode == 0 and "2 skipped (finished before)" in second.stdout


@pytest.mark.parametrize("args, shown", [
    (["--executor", "gpu"], "--executor must be one of ['auto', 'vectorized', 'process', 'ray']. Got 'gpu'"),
    (["--workers", "0"], "Error: --workers must be an integer >= 1. Got 0 instead."),
])
def test_cli_bad_options_are_one_line_and_exit_2(tmp_path, args, shown):
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps(_spec()))
    result = nnlab("sweep", spec, *args)
    assert result.returncode == 2 and shown in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_cli_bad_spec_and_bad_store_are_one_line_and_exit_2(tmp_path):
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps(_spec(grid={"train.lrr": [0.1]})))
    result = nnlab("sweep", spec, "--store", tmp_path / "store")
    assert result.returncode == 2 and "unknown field 'train.lrr'" in result.stderr and "train.lr'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "store").exists()
    spec.write_text(json.dumps(_spec()))
    (tmp_path / "file").write_text("")
    result = nnlab("sweep", spec, "--store", tmp_path / "file" / "store")
    assert result.returncode == 2 and result.stderr.startswith("Error: --store: cannot create")
    assert "trials of" not in result.stdout


@pytest.mark.parametrize("address", ["nonsense", "127.0.0.1:", "host:99999", ":6379"])
def test_a_malformed_ray_address_is_refused_before_anything_starts(address):
    from nnlab.sweeps.ray_cluster import connect
    with pytest.raises(InvalidArgument, match="A Ray cluster address must look like HOST:PORT"):
        connect(address)
