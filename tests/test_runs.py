import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from nnlab._validation import MAX_SEED, InvalidArgument
from nnlab.runs import RunStore, RunStoreError, recorded_run
from nnlab.runs.schema import SCHEMA_VERSION
from nnlab.training.loop import History


def _config(dataset="xor", seed=0):
    return {"data": {"dataset": dataset}, "model": {}, "train": {"seed": seed, "optimizer": "adam"}}


def test_a_run_keeps_config_metrics_final_and_artifacts(tmp_path):
    with RunStore(tmp_path) as store:
        rid = store.start_run(_config(seed=3), name="demo", tags=["a", "b"], versions={"torch": "x"})
        store.log_metrics(rid, [(1, "loss", 0.7), (2, "loss", 0.5), (2, "train_accuracy", 0.9),
                                (3, "loss", math.nan)])
        store.add_artifacts(rid, [("figure", "out/loss_curve.png")])
        store.finish_run(rid, "finished", {"train_accuracy": 0.9})
        run = store.get(rid)
        assert (run.status, run.dataset, run.seed, run.name, run.tags) == ("finished", "xor", 3, "demo", ["a", "b"])
        assert run.final == {"train_accuracy": 0.9} and run.versions == {"torch": "x"}
        assert run.ended_at >= run.started_at
        m = store.metrics(rid)
        assert m["loss"][:2] == [(1, 0.7), (2, 0.5)] and math.isnan(m["loss"][2][1])
        assert store.artifacts(rid) == [("figure", "out/loss_curve.png")]


def test_list_filters_by_status_dataset_and_tag(tmp_path):
    with RunStore(tmp_path) as store:
        a = store.start_run(_config("xor"), tags=["keep"])
        b = store.start_run(_config("circle"))
        store.finish_run(b, "failed", error="boom")
        assert [r.id for r in store.list()] == [b, a]
        assert [r.id for r in store.list(status="failed")] == [b]
        assert [r.id for r in store.list(dataset="xor")] == [a]
        assert [r.id for r in store.list(tag="keep")] == [a]
        assert store.delete([a]) == 1 and [r.id for r in store.list()] == [b]


def test_the_file_is_wal_and_versioned(tmp_path):
    RunStore(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "runs.sqlite")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


_WRITER = textwrap.dedent("""
    import sys
    from nnlab.runs import RunStore
    store = RunStore(sys.argv[1])
    rid = store.start_run({"data": {"dataset": "xor"}, "train": {"seed": int(sys.argv[2])}})
    for start in range(0, 3000, 10):      # 300 small transactions racing the other process
        store.log_metrics(rid, [(e, "loss", e * 0.001) for e in range(start, start + 10)])
    store.finish_run(rid, "finished")
""")


def test_two_processes_write_at_once_without_losing_a_row(tmp_path):
    RunStore(tmp_path).close()
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), str(i)]) for i in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    with RunStore(tmp_path) as store:
        runs = store.list()
        assert len(runs) == 2 and all(r.status == "finished" for r in runs)
        assert [len(store.metrics(r.id)["loss"]) for r in runs] == [3000, 3000]


def test_a_run_left_running_by_a_killed_process_is_marked_interrupted(tmp_path):
    code = ("import os, sys; from nnlab.runs import RunStore; s = RunStore(sys.argv[1]); "
            "s.start_run({'data': {}}); os._exit(9)")
    assert subprocess.run([sys.executable, "-c", code, str(tmp_path)]).returncode == 9
    with RunStore(tmp_path) as store:
        run = store.list()[0]
        assert run.status == "interrupted" and "ended without closing" in run.error


def test_a_corrupt_file_is_a_clear_error_and_left_untouched(tmp_path):
    path = tmp_path / "runs.sqlite"
    path.write_bytes(b"this is not a database at all" * 10)
    before = path.read_bytes()
    with pytest.raises(RunStoreError, match="not an nnlab run store"):
        RunStore(tmp_path)
    assert path.read_bytes() == before


def test_a_foreign_database_is_a_clear_error_and_left_untouched(tmp_path):
    path = tmp_path / "runs.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(RunStoreError, match="another program's SQLite database"):
        RunStore(tmp_path)
    assert path.read_bytes() == before


def test_a_newer_schema_is_refused(tmp_path):
    RunStore(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "runs.sqlite")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(RunStoreError, match="newer"):
        RunStore(tmp_path)


def test_recorded_run_closes_with_the_right_status(tmp_path):
    store = RunStore(tmp_path)
    with recorded_run(store, _config()) as (rid, recorder):
        recorder.on_epoch_end(1, {"epoch": 1, "loss": 0.5}, None)
        h = History(loss=[0.5], epochs_run=1, interrupted=True, final={"train_loss": 0.5})
        recorder.outcome = h
    assert store.get(rid).status == "interrupted" and store.metrics(rid)["loss"] == [(1, 0.5)]
    assert store.get(rid).final["epochs_run"] == 1

    with pytest.raises(RuntimeError):
        with recorded_run(store, _config()) as (rid2, recorder):
            raise RuntimeError("diverged badly")
    assert store.get(rid2).status == "failed" and "diverged badly" in store.get(rid2).error

    with pytest.raises(KeyboardInterrupt):
        with recorded_run(store, _config()) as (rid3, recorder):
            raise KeyboardInterrupt
    assert store.get(rid3).status == "interrupted"


def test_a_seed_the_store_cannot_hold_is_refused_before_anything_is_written(tmp_path):
    with RunStore(tmp_path) as store:
        with pytest.raises(InvalidArgument) as err:               # not SQLite's OverflowError
            store.start_run(_config(seed=2**63))
        assert err.value.argument == "seed" and "[0, 4294967295]" in str(err.value)
        assert store.list() == []
        assert store.get(store.start_run(_config(seed=MAX_SEED))).seed == MAX_SEED


def test_a_run_id_beyond_sqlites_integers_is_no_run(tmp_path):
    with RunStore(tmp_path) as store:
        rid = store.start_run(_config())
        with pytest.raises(InvalidArgument, match=f"There is no run {2**70} in"):        # not an OverflowError
            store.get(2**70)
        assert store.delete([2**63, rid]) == 1 and store.metrics(2**63) == {} and store.artifacts(-2**64) == []
    shown = _nnlab("runs", "show", str(2**70), "--store", str(tmp_path))
    assert shown.returncode == 2 and shown.stderr == f"Error: There is no run {2**70} in '{tmp_path}/runs.sqlite'.\n"


@pytest.mark.parametrize("stop, status", [(SystemExit(130), "interrupted"), (SystemExit(1), "failed"),
                                          ("typer-exit-130", "interrupted")])
def test_an_exit_with_ctrl_cs_code_closes_the_run_as_interrupted(tmp_path, stop, status):
    import typer
    stop = typer.Exit(130) if stop == "typer-exit-130" else stop
    with RunStore(tmp_path) as store:
        with pytest.raises(type(stop)):
            with recorded_run(store, _config()) as (rid, recorder):
                raise stop
        assert store.get(rid).status == status


def _with_ctrl_c(method, before: bool):
    """``method`` of RunStore with a real SIGINT to this process just before (or after) its write."""
    def call(self, *args, **kwargs):
        if before:
            os.kill(os.getpid(), signal.SIGINT)
        result = method(self, *args, **kwargs)
        if not before:
            os.kill(os.getpid(), signal.SIGINT)
        return result
    return call


def test_ctrl_c_while_the_run_is_being_opened_closes_it_as_interrupted(tmp_path, monkeypatch):
    monkeypatch.setattr(RunStore, "start_run", _with_ctrl_c(RunStore.start_run, before=False))
    store, body = RunStore(tmp_path), []
    with pytest.raises(KeyboardInterrupt):
        with recorded_run(store, _config()):
            body.append("ran")
    (run,) = store.list()
    assert run.status == "interrupted" and body == []         # held back until the row was written, never 'running'


def test_ctrl_c_while_the_run_is_being_closed_keeps_its_status_and_is_raised_after(tmp_path, monkeypatch):
    monkeypatch.setattr(RunStore, "finish_run", _with_ctrl_c(RunStore.finish_run, before=True))
    store = RunStore(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        with recorded_run(store, _config()) as (rid, recorder):
            recorder.outcome = History(loss=[0.5], epochs_run=1, final={"train_loss": 0.5})
    assert store.get(rid).status == "finished" and store.get(rid).final["epochs_run"] == 1


def _nnlab(*args):
    return subprocess.run([sys.executable, "-m", "nnlab.cli", *args], capture_output=True, text=True, timeout=120)


def test_cli_lists_shows_compares_exports_and_removes(tmp_path):
    with RunStore(tmp_path) as store:
        ids = []
        for seed in (0, 1):
            rid = store.start_run(_config(seed=seed))
            store.log_metrics(rid, [(e, "loss", 1.0 / (e + seed)) for e in range(1, 20)])
            store.finish_run(rid, "finished", {"train_loss": 0.05, "train_accuracy": 0.9 + seed / 100})
            ids.append(rid)
    listing = _nnlab("runs", "list", "--store", str(tmp_path))
    assert listing.returncode == 0 and "finished" in listing.stdout
    assert _nnlab("runs", "show", str(ids[0]), "--store", str(tmp_path)).returncode == 0
    png = tmp_path / "cmp.png"
    compared = _nnlab("runs", "compare", *map(str, ids), "--out", str(png), "--store", str(tmp_path))
    assert compared.returncode == 0 and png.exists() and "train_accuracy" in compared.stdout
    exported = _nnlab("runs", "export", "--format", "json", "--store", str(tmp_path))
    assert [len(r["metrics"]["loss"]) for r in json.loads(exported.stdout)] == [19, 19]
    csv_out = _nnlab("runs", "export", str(ids[1]), "--store", str(tmp_path)).stdout.splitlines()
    assert csv_out[0].startswith("run_id,") and len(csv_out) == 20
    assert _nnlab("runs", "rm", str(ids[0]), "--store", str(tmp_path)).returncode == 0
    missing = _nnlab("runs", "show", str(ids[0]), "--store", str(tmp_path))
    assert missing.returncode == 2 and "no run" in missing.stderr


def test_cli_refuses_a_foreign_store_with_one_line(tmp_path):
    (tmp_path / "runs.sqlite").write_text("hello")
    result = _nnlab("runs", "list", "--store", str(tmp_path))
    assert result.returncode == 2 and result.stderr.startswith("Error: --store") and "Traceback" not in result.stderr


def test_tensorboard_log_can_be_read_back(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from nnlab.runs.tensorboard import TensorBoardLogger
    logger = TensorBoardLogger(tmp_path / "tb")
    for epoch in (1, 2, 3):
        logger.on_epoch_end(epoch, {"epoch": epoch, "loss": 1.0 / epoch, "train_accuracy": 0.5}, None)
    logger.on_fit_end(None, None)
    events = EventAccumulator(str(tmp_path / "tb"))
    events.Reload()
    assert [round(e.value, 4) for e in events.Scalars("loss")] == [1.0, 0.5, 0.3333]
    assert [e.step for e in events.Scalars("train_accuracy")] == [1, 2, 3]
