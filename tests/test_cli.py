"""The nnlab command, run as a user runs it: in a subprocess, checking exit codes and output."""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pixels import shows_both_classes

_SCRIPT = Path(sys.executable).parent / "nnlab"
NNLAB = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "nnlab.cli"]


def nnlab(*args, cwd=None, timeout=300):
    return subprocess.run(NNLAB + list(args), capture_output=True, text=True, cwd=cwd, timeout=timeout)


def test_help_lists_the_commands():
    result = nnlab("--help")
    assert result.returncode == 0
    for command in ("perceptron", "train", "datasets", "tour"):
        assert command in result.stdout


def test_help_does_not_import_torch():
    code = "import sys; from nnlab.cli import app; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


@pytest.mark.parametrize("args, flag, shown", [
    (["--dataset", "circel"], "--dataset", "seed-circle"),
    (["--activation", "rleu"], "--activation", "leaky_relu"),
    (["--optimizer", "adamm"], "--optimizer", "nesterov"),
    (["--loss", "hinge"], "--loss", "cross-entropy"),
    (["--lr", "0"], "--lr", "(0, inf)"),
    (["--lr", "-0.5"], "--lr", "Got -0.5"),
    (["--epochs", "0"], "--epochs", ">= 1"),
    (["--hidden", "8,,8"], "--hidden", "'8,,8'"),
    (["--hidden", "8,-1"], "--hidden", "comma-separated"),
    (["--csv", "/no/such/file.csv"], "--csv", "no such file"),
    (["--preset", "nope"], "--preset", "seed-circle"),
    (["--lr-schedule", "step"], "--lr-schedule", "cosine"),
    (["--rng", "seedrandom", "--dataset", "moons"], "--rng", "circle"),
])
def test_bad_arguments_give_one_line_and_exit_2(tmp_path, args, flag, shown):
    result = nnlab("train", "--out", str(tmp_path / "o"), *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {flag}") and shown in lines[0]


def test_malformed_csv_names_the_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2,0\n3,oops,1\n")
    result = nnlab("train", "--csv", str(bad), "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and "line 3" in result.stderr and "Traceback" not in result.stderr


def test_unwritable_out_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = nnlab("train", "--epochs", "1", "--out", str(blocker / "sub"))
    assert result.returncode == 2 and result.stderr.startswith("Error: --out") and "Traceback" not in result.stderr


def test_type_errors_from_the_parser_exit_2():
    assert nnlab("train", "--epochs", "many").returncode == 2


def test_train_writes_config_history_and_figures(tmp_path):
    out = tmp_path / "run"
    result = nnlab("train", "--dataset", "xor", "--hidden", "4,2", "--activation", "tanh", "--optimizer", "sgd",
                   "--lr", "0.03", "--batch-size", "10", "--epochs", "20", "--test-fraction", "0.5", "--seed", "1",
                   "--out", str(out))
    assert result.returncode == 0, result.stderr
    config = json.loads((out / "config.json").read_text())
    assert config["model"]["hidden_sizes"] == [4, 2] and config["train"]["batch_size"] == 10
    history = json.loads((out / "history.json").read_text())
    assert len(history["loss"]) == 20 and len(history["test_accuracy"]) == 20
    assert shows_both_classes(out / "decision_boundary.png")
    assert (out / "loss_curve.png").exists() and (out / "gradient_heatmap.png").exists()
    assert "engine torch" in result.stdout


def test_a_written_config_reproduces_the_run(tmp_path):
    first = tmp_path / "a"
    assert nnlab("train", "--dataset", "moons", "--epochs", "30", "--no-figures", "--out", str(first)).returncode == 0
    second = tmp_path / "b"
    result = nnlab("train", "--config", str(first / "config.json"), "--no-figures", "--out", str(second))
    assert result.returncode == 0, result.stderr
    h1, h2 = (json.loads((d / "history.json").read_text()) for d in (first, second))
    assert h1["loss"] == h2["loss"]
    assert not list(second.glob("*.png"))


def test_ctrl_c_stops_cleanly_keeps_files_and_exits_130(tmp_path):
    out = tmp_path / "long"
    proc = subprocess.Popen(NNLAB + ["train", "--epochs", "1000000", "--out", str(out), "--store", str(tmp_path / "s")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not (out / "config.json").exists() and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(8)                              # let torch load and training start (slow on a loaded machine)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in stderr
    assert stdout.startswith("Interrupted")
    assert json.loads((out / "config.json").read_text())["train"]["epochs"] == 1000000
    if "Interrupted at epoch" in stdout:      # the usual case: Ctrl-C during training keeps the history
        history = json.loads((out / "history.json").read_text())
        assert history["interrupted"] and len(history["loss"]) == history["epochs_run"]
    from nnlab.runs import RunStore
    with RunStore(tmp_path / "s") as store:                 # the run is kept, marked interrupted, with its metrics
        (run,) = store.list()
        assert run.status == "interrupted"
        if "Interrupted at epoch" in stdout:
            assert len(store.metrics(run.id)["loss"]) == history["epochs_run"]


def test_train_records_the_run_in_the_store(tmp_path):
    store_dir, out = tmp_path / "store", tmp_path / "run"
    result = nnlab("train", "--dataset", "moons", "--epochs", "25", "--test-fraction", "0.2", "--out", str(out),
                   "--store", str(store_dir))
    assert result.returncode == 0, result.stderr
    from nnlab.runs import RunStore
    with RunStore(store_dir) as store:
        (run,) = store.list()
        assert f"recorded as run {run.id}" in result.stdout
        assert run.status == "finished" and run.dataset == "moons" and run.tags == ["train"]
        assert run.config == json.loads((out / "config.json").read_text())
        history = json.loads((out / "history.json").read_text())
        metrics = store.metrics(run.id)
        assert [v for _, v in metrics["loss"]] == pytest.approx(history["loss"])
        assert [v for _, v in metrics["test_accuracy"]] == pytest.approx(history["test_accuracy"])
        assert run.final["train_accuracy"] == pytest.approx(history["final"]["train_accuracy"])
        assert run.versions["engine"] in ("torch", "fast") and run.versions["torch"]
        kinds = sorted(kind for kind, _ in store.artifacts(run.id))
        assert kinds == ["config", "figure", "figure", "figure", "history"]
    assert nnlab("train", "--epochs", "5", "--no-figures", "--no-record", "--out", str(out),
                 "--store", str(store_dir)).returncode == 0
    with RunStore(store_dir) as store:
        assert len(store.list()) == 1


def test_an_unwritable_store_fails_before_training(tmp_path):
    (tmp_path / "file").write_text("x")
    out = tmp_path / "run"
    result = nnlab("train", "--epochs", "5", "--out", str(out), "--store", str(tmp_path / "file" / "store"))
    assert result.returncode == 2 and result.stderr.startswith("Error: --store") and "Traceback" not in result.stderr
    assert not out.exists()


def test_perceptron_command(tmp_path):
    result = nnlab("perceptron", "--out", str(tmp_path))
    assert result.returncode == 0
    assert "converged=True" in result.stdout and "converged=False" in result.stdout
    assert shows_both_classes(tmp_path / "perceptron_visualization.png")


def test_datasets_list_and_show(tmp_path):
    listing = nnlab("datasets")
    assert listing.returncode == 0 and "seed-circle" in listing.stdout and "reg-gauss" in listing.stdout
    target = tmp_path / "spiral.png"
    shown = nnlab("datasets", "show", "spiral", "--out", str(target))
    assert shown.returncode == 0 and shows_both_classes(target)
    unknown = nnlab("datasets", "show", "spirl", "--out", str(target))
    assert unknown.returncode == 2 and "spirals" in unknown.stderr


@pytest.mark.slow
def test_tour_writes_every_figure_the_report_and_the_summary(tmp_path):
    result = nnlab("tour", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for name in ("perceptron_visualization.png", "classification_visualization.png", "loss_curve.png",
                 "gradient_heatmap.png", "report.html", "summary.json"):
        assert (tmp_path / name).exists(), name
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["perceptron"]["linear"]["converged"] and not summary["perceptron"]["xor"]["converged"]
    assert summary["diagnostics"]["epochs"] == 2000 and summary["diagnostics"]["train_accuracy"] >= 0.97
    assert summary["wall_time_s"] < 60
    html = (tmp_path / "report.html").read_text()
    assert html.count("<img ") == 4 and summary["versions"]["torch"] in html and (tmp_path / "index.html").exists()


def test_train_takes_the_playgrounds_stream_and_a_cosine_schedule(tmp_path):
    out = tmp_path / "o"
    result = nnlab("train", "--dataset", "xor", "--rng", "seedrandom", "--seed", "42", "--test-fraction", "0.5",
                   "--lr-schedule", "cosine", "--hidden", "4", "--epochs", "5", "--no-figures", "--no-record",
                   "--out", str(out))
    assert result.returncode == 0, result.stderr
    config = json.loads((out / "config.json").read_text())
    assert config["data"]["rng"] == "seedrandom" and config["train"]["lr_schedule"] == "cosine"
