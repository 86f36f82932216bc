"""The tour's site: the seed programs' page, the index, lab pages linked, progress, and Ctrl-C keeping what is done.
Also "one meaning per number": one run shows the same final loss and accuracy in every place."""
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from labcheck import check_lab_outputs

_SCRIPT = Path(sys.executable).parent / "nnlab"
NNLAB = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "nnlab.cli"]


def nnlab(*args, timeout=600):
    return subprocess.run(NNLAB + list(args), capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = nnlab("tour", "--labs", "--only", "history", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out, result


def test_the_seed_page_speaks_through_claims(site):
    out, result = site
    claims = check_lab_outputs(out, "tour")
    assert {c["id"] for c in claims if c["headline"]} == {"perceptron_converges", "perceptron_fails_xor",
                                                          "mlp_learns_circle"}
    for claim in claims:                        # the command prints the headline claims as the page states them
        if claim["headline"]:
            assert claim["text"] in result.stdout


def test_the_index_links_every_page_and_no_markdown(site):
    out, _ = site
    index = (out / "index.html").read_text()
    links = re.findall(r"href='([^']+)'", index)
    assert links == ["report.html", "history/report.html"]
    assert all((out / link).is_file() for link in links) and ".md" not in "".join(links)
    history = (out / "history" / "report.html").read_text()
    assert "href='../index.html'" in history and "<p class='interrupted'>" not in index
    site_json = json.loads((out / "site.json").read_text())
    assert [p["name"] for p in site_json["pages"]] == ["tour", "history"] and not site_json["interrupted"]


def test_progress_is_one_line_per_lab_when_output_is_not_a_terminal(site):
    out, result = site
    lines = [line for line in result.stderr.splitlines() if line.startswith("lab ")]
    assert len(lines) == 1 and re.match(r"lab 1 of 1: history done in [\d.]+ s \([\d.]+ s with start-up\) "
                                        r"\(\d+:\d\d elapsed, about \d+:\d\d left\)", lines[0]), result.stderr
    seconds = json.loads((out / "history" / "summary.json").read_text())["run"]["seconds"]
    assert f"done in {seconds:.1f} s" in lines[0]           # the page's own time


def test_bad_lab_names_are_refused_before_anything_runs(tmp_path):
    result = nnlab("tour", "--labs", "--only", "histroy", "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and "history" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o" / "index.html").exists()


def test_ctrl_c_keeps_the_finished_pages_and_marks_the_index(tmp_path):
    process = subprocess.Popen(NNLAB + ["tour", "--labs", "--only", "history,costs,usecase", "--out",
                                        str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in process.stderr:                 # wait for the first lab to finish, then press Ctrl-C
        seen.append(line)
        if line.startswith("lab 1 of 3"):
            break
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, "".join(seen) + stderr
    index = (tmp_path / "index.html").read_text()
    assert "<p class='interrupted'>" in index and "history/report.html" in index
    assert "usecase/report.html" not in index
    assert json.loads((tmp_path / "site.json").read_text())["interrupted"]
    assert "Interrupted" in stderr


# -- one meaning per number ---------------------------------------------------------------------------------------

def _numbers(text: str) -> tuple[str, str]:
    loss = re.search(r"final training loss ([\d.e+-]+)", text)
    accuracy = re.search(r"training accuracy ([\d.]+%)", text)
    assert loss and accuracy, text
    return loss[1], accuracy[1]


@pytest.mark.slow
def test_one_run_shows_the_same_final_numbers_everywhere(tmp_path, site):
    from nnlab.numbers import accuracy_text, loss_text
    out, store = tmp_path / "run", tmp_path / "store"
    result = nnlab("train", "--epochs", "500", "--seed", "0", "--out", str(out), "--store", str(store))
    assert result.returncode == 0, result.stderr
    printed = _numbers(result.stdout)
    final = json.loads((out / "history.json").read_text())["final"]
    assert printed == (loss_text(final["train_loss"]), accuracy_text(final["train_accuracy"]))
    shown = nnlab("runs", "show", "1", "--store", str(store))
    assert f"train_loss {printed[0]}" in shown.stdout and f"train_accuracy {printed[1]}" in shown.stdout
    # the tour trains the same config (the seed's circle MLP, 500 epochs, seed 0) on the same engine
    tour_out, _ = site
    tour = json.loads((tour_out / "summary.json").read_text())["classification"]
    assert (loss_text(tour["final_loss"]), accuracy_text(tour["train_accuracy"])) == printed
    page = (tour_out / "report.html").read_text()
    assert f"final training loss {printed[0]}, training accuracy {printed[1]}" in page


def test_figure_titles_state_the_final_numbers_of_the_run():
    from nnlab.config import PRESETS
    from nnlab.numbers import accuracy_text, loss_text
    from nnlab.training import train
    from nnlab.training.losses import LOSSES
    from nnlab.viz import plot_decision_boundary, plot_loss_curve
    run = train(PRESETS["seed-circle"].replace(train={"epochs": 60, "engine": "torch"}))
    final = run.history.final
    curve = plot_loss_curve(run.history)
    assert f"final training loss {loss_text(final['train_loss'])}" in curve._suptitle.get_text()
    boundary = plot_decision_boundary(run.model, run.data.X_train, run.data.y_train, LOSSES["cross-entropy"],
                                      accuracy=final["train_accuracy"])
    assert f"training accuracy {accuracy_text(final['train_accuracy'])}" in boundary._suptitle.get_text()
