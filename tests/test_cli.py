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
    result = nnlab("perceptron", "--quick", "--out", str(tmp_path))
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


def _one_line(result) -> str:
    """The single line a refused command prints, after checking it is refused like every bad input: exit 2."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "╭" not in result.stderr      # no traceback, no usage panel
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("args, line", [
    (["train", "--epochs", "abc"], "Error: --epochs must be an integer. Got 'abc' instead."),
    (["train", "--epochs=1e3"], "Error: --epochs must be an integer. Got '1e3' instead."),
    (["train", "--lr", "fast"], "Error: --lr must be a number. Got 'fast' instead."),
    (["train", "--epochs"], "Error: --epochs needs a value; got none."),
    (["train", "--batch-norm=3"], "Error: --batch-norm is a switch and takes no value; got '3'."),
    (["trian"], "Error: nnlab has no command 'trian' (did you mean 'train'?); see 'nnlab --help'."),
    (["frobnicate"], "Error: nnlab has no command 'frobnicate'; the commands are perceptron, train, tour,"),
    (["runs", "lst"], "Error: nnlab runs has no command 'lst' (did you mean 'list'?); see 'nnlab runs --help'."),
    (["train", "--epoch", "3"], "Error: nnlab train has no option --epoch (did you mean --epochs?); see 'nnlab "
                                "train --help'."),
    (["train", "stray"], "Error: nnlab train takes no further arguments; got 'stray'; see 'nnlab train --help'."),
    (["runs", "show"], "Error: nnlab runs show needs RUN_ID; see 'nnlab runs show --help'."),
    (["runs", "show", "seven"], "Error: RUN_ID must be an integer. Got 'seven' instead."),
    (["runs", "rm", "1", "two"], "Error: RUN_IDS must be integers. Got 'two' instead."),
    (["runs", "show", "-1"], "Error: nnlab runs show has no option -1 (a value that starts with '-' reads as an "
                             "option)"),
])
def test_parse_errors_are_one_line_naming_the_option_and_the_value(args, line):
    assert _one_line(nnlab(*args)).startswith(line)


def test_help_still_exits_0():
    for args in (["--help"], ["train", "--help"], ["runs", "show", "--help"]):
        result = nnlab(*args)
        assert result.returncode == 0 and "Usage" in result.stdout


@pytest.mark.parametrize("args, line", [
    (["datasets", "show", "circel"], "Error: NAME must be one of ['circle', "),       # a positional, not --dataset
    (["datasets", "show", "xor4", "--n", "5"], "Error: --n must be a multiple of 4. Got 5 instead."),
    (["datasets", "show", "circle", "--noise", "2"], "Error: --noise must be a number in the range [0.0, 0.5]. "
                                                     "Got 2.0 instead."),
    (["perceptron", "--seed", "-1"], "Error: --seed must be an integer in the range [0, 4294967295] (2**32 - 1). "
                                     "Got -1 instead."),
    (["train", "--batch-size", "-1"], "Error: --batch-size must be an integer >= 0 (0 = the full batch). Got -1 "
                                      "instead."),
    (["train", "--early-stopping", "-2"], "Error: --early-stopping must be an integer >= 0 (0 = off). Got -2 "
                                          "instead."),
    (["train", "--classes", "3"], "Error: --classes: The 'classes' parameter applies only to dataset 'spirals'."),
    (["train", "--lr", "0"], "Error: --lr must be a finite number in the range (0, inf). Got 0.0 instead."),
    (["explain", "--seed", "-1"], "Error: --seed must be an integer in the range [0, 4294967295]"),
    (["explain", "--methods", "salency"], "Error: --methods must be one or more of ['saliency', "),
    (["matmul-bench", "--sizes", "abc"], "Error: --sizes must be one or more comma-separated integers such as "
                                         "'64,256,1024'. Got 'abc' instead."),   # said once
])
def test_messages_name_what_the_user_typed_not_a_library_function(tmp_path, args, line):
    shown = _one_line(nnlab(*args, "--out", str(tmp_path / "o")))
    assert shown.startswith(line), shown
    for internal in ("make_", "Config", "Settings", "parameter of"):
        assert internal not in shown, shown


def test_a_seed_beyond_the_bound_is_one_line_and_the_bound_itself_is_recorded(tmp_path):
    for big in (2**63, 2**64):
        shown = _one_line(nnlab("train", "--seed", str(big), "--out", str(tmp_path / "o"),
                                "--store", str(tmp_path / "s")))
        assert shown == f"Error: --seed must be an integer in the range [0, 4294967295] (2**32 - 1). Got {big} instead."
    result = nnlab("train", "--dataset", "xor4", "--hidden", "2", "--epochs", "2", "--seed", str(2**32 - 1),
                   "--no-figures", "--out", str(tmp_path / "o"), "--store", str(tmp_path / "s"))
    assert result.returncode == 0, result.stderr
    from nnlab.runs import RunStore
    with RunStore(tmp_path / "s") as store:
        (run,) = store.list()
        assert run.status == "finished" and run.seed == 2**32 - 1


@pytest.mark.parametrize("content, shown", [
    (b'{"train": {"epochs": 5}, "note": "caf\xe9"}', "Cannot read the config file '{path}': it is not UTF-8 text "
                                                     "(byte 0xe9 on line 1). Save it as UTF-8."),
    (b"epochs = 5\n", "The config file '{path}' is not valid JSON: Expecting value at line 1."),
    (b'["train"]', "In the config file '{path}': A run config must be a JSON object. Got ['train'] instead."),
    (b'{"train": {"seed": -4}}', "In the config file '{path}': 'train.seed' must be an integer in the range "
                                 "[0, 4294967295] (2**32 - 1). Got -4 instead."),
])
def test_a_bad_config_file_is_one_line_and_exit_2(tmp_path, content, shown):
    path = tmp_path / "run.json"
    path.write_bytes(content)
    assert _one_line(nnlab("train", "--config", str(path), "--out", str(tmp_path / "o"))) == \
        "Error: --config: " + shown.format(path=path)
    assert not (tmp_path / "o").exists()


def test_a_spreadsheets_csv_trains_and_a_fractional_label_names_its_column_and_line(tmp_path):
    sheet = tmp_path / "sheet.csv"                      # Excel's "CSV UTF-8": a byte-order mark and \r\n
    sheet.write_bytes(b"\xef\xbb\xbf x1 , x2 , label \r\n0,0,0\r\n1,1,1\r\n0,1,1\r\n1,0,0\r\n")
    result = nnlab("train", "--csv", str(sheet), "--hidden", "2", "--epochs", "2", "--no-figures", "--no-record",
                   "--out", str(tmp_path / "o"))
    assert result.returncode == 0, result.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n0,0,0\n1,1,1.5\n")
    assert _one_line(nnlab("train", "--csv", str(bad), "--out", str(tmp_path / "o"))) == (
        f"Error: --csv: Cannot load '{bad}', line 3: column 'label' is '1.5', not a class label (a whole number). "
        "Real-valued labels are a regression target, which needs the loss 'mse'.")


def test_ctrl_c_after_the_run_is_recorded_but_before_its_first_epoch_is_interrupted(tmp_path, monkeypatch, capsys):
    import nnlab.training.run
    from nnlab.cli import main
    from nnlab.runs import RunStore

    def ctrl_c(*args, **kwargs):          # Ctrl-C lands after the run is in the store, before fit starts
        raise KeyboardInterrupt
    monkeypatch.setattr(nnlab.training.run, "train", ctrl_c)
    out = tmp_path / "o"
    assert main(["train", "--epochs", "5", "--no-figures", "--out", str(out), "--store", str(tmp_path / "s")]) == 130
    assert capsys.readouterr().out.startswith(f"Interrupted before training started; kept {out}/config.json.")
    with RunStore(tmp_path / "s") as store:
        (run,) = store.list()
        assert run.status == "interrupted" and run.error == "interrupted (Ctrl-C)"


@pytest.mark.parametrize("args, start", [
    # 10**15 points of 2 float64 features (16 PB) exceed any address space: the allocation fails at once
    (["train", "--n", str(10**15)], "Error: out of memory (Unable to allocate "),
    (["train", "--n", str(2**62)], "Error: out of memory (array is too big"),
    (["train", "--hidden", str(2**62)], "Error: out of memory (Storage size calculation overflowed"),
    (["train", "--n", str(2**70)], "Error: --n must be an integer in the range [1, 9223372036854775807] (2**63 - 1). "
                                   f"Got {2**70} instead."),
    (["train", "--hidden", f"8,{2**70}"], "Error: --hidden must be comma-separated integers in the range [1, "),
])
def test_a_size_too_big_for_memory_is_one_line_and_exit_2(tmp_path, args, start):
    shown = _one_line(nnlab(*args, "--no-record", "--out", str(tmp_path / "o")))
    assert shown.startswith(start), shown


def test_reading_a_store_that_does_not_exist_creates_none(tmp_path):
    typo = tmp_path / "nnlab-rnus"
    for args in (("list",), ("show", "1"), ("compare", "1", "2"), ("rm", "1")):
        assert _one_line(nnlab("runs", *args, "--store", str(typo))).startswith(
            f"Error: --store: no run store at '{typo}': nothing was recorded there.")
    assert not typo.exists()
    import os
    env = {k: v for k, v in os.environ.items() if k != "NNLAB_STORE"}
    fresh = subprocess.run(NNLAB + ["runs", "list"], capture_output=True, text=True, cwd=tmp_path, env=env)
    # the default store, before any training: not an error
    assert fresh.returncode == 0 and "No runs yet" in fresh.stdout
    assert not (tmp_path / "nnlab-runs").exists()


@pytest.mark.parametrize("args", [("gd", "--out", ""), ("gd", "--out="), ("runs", "list", "--store", "")])
def test_an_empty_path_is_refused_not_taken_for_the_current_directory(tmp_path, args):
    result = nnlab(*args, cwd=tmp_path)
    flag = args[-2] if args[-1] == "" else args[-1][:-1]
    assert _one_line(result) == f"Error: {flag} needs a path; got an empty one."
    assert list(tmp_path.iterdir()) == []


def test_a_device_or_a_pipe_named_as_a_file_is_refused_not_read_forever(tmp_path):
    import os
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    out = str(tmp_path / "o")
    assert _one_line(nnlab("train", "--config", "/dev/zero", "--out", out, timeout=60)) == \
        "Error: --config: Cannot read the config file '/dev/zero': it is a device, not a regular file."
    assert _one_line(nnlab("train", "--csv", "/dev/zero", "--out", out, timeout=60)) == \
        "Error: --csv: Cannot load '/dev/zero': it is a device, not a regular file."
    assert _one_line(nnlab("train", "--csv", str(fifo), "--out", out, timeout=60)) == \
        f"Error: --csv: Cannot load '{fifo}': it is a pipe, not a regular file."
