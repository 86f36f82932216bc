"""The tour: every seed program, and with ``labs`` every lab in its quick mode, into one browsable site.

``run_tour(out)`` writes the seed programs' figures and page (``report.html``, ``claims.json``, ``summary.json``)
and ``index.html``, which links that page and every lab's ``<lab>/report.html``. Labs run one after another, each
in its own process (one failing lab does not stop the others); what a lab prints on stderr is shown on its page.
Ctrl-C keeps what is finished: the finished pages and an index marked interrupted, then ``KeyboardInterrupt``.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from nnlab.environment import versions
from nnlab.programs import classification_program, diagnostics_program, perceptron_program

__all__ = ["run_tour", "versions", "LABS", "Lab"]


@dataclass(frozen=True)
class Lab:
    """A lab the tour runs: its directory under the tour's output, title, command arguments (quick mode) and the
    seconds its quick run takes on a 2-core machine (for the tour's time estimate)."""
    name: str
    title: str
    args: tuple[str, ...]
    expected_s: float


LABS = (
    Lab("perceptron", "The perceptron: the line after each update, the pocket algorithm and the capacity of a line",
        ("perceptron", "--quick"), 10),
    Lab("gd", "Gradient descent, SGD and optimizer paths (exercise 1.3)", ("gd", "--quick"), 12),
    Lab("study", "A single hidden layer, its activations and its hyperparameters (exercise 1.1)",
        ("study", "all", "--quick"), 12),
    Lab("gradflow", "Gradient flow: vanishing and exploding gradients", ("gradflow", "--quick"), 18),
    Lab("regularize", "Overfitting, underfitting and regularisation", ("regularize", "--quick"), 15),
    Lab("approx", "Universal approximation", ("approx", "--quick"), 10),
    Lab("history", "A history of deep learning (exercise 1.2)", ("history",), 2),
    Lab("costs", "The cost of architectures (exercise 1.2)", ("costs", "--quick"), 7),
    Lab("conv", "Convolutions and hierarchical features", ("conv", "--quick"), 15),
    Lab("sequence", "Sequences and gradients through time: RNN, LSTM and GRU", ("sequence", "--quick"), 15),
    Lab("attention", "Embeddings and attention: a tiny transformer encoder", ("attention", "--quick"), 18),
    Lab("generative", "Generative models: a Gaussian mixture, a VAE and a GAN on the plane", ("generative", "--quick"),
        14),
    Lab("usecase", "A use case on real data (exercise 1.5)", ("usecase", "--quick", "--folds", "3"), 10),
    Lab("explain", "Looking inside a trained network", ("explain", "--quick"), 13),
    Lab("precision", "Mixed precision: fp32 vs bf16", ("precision", "--quick"), 9),
    Lab("tensors", "Tensors and matrix multiplication (exercise 1.4)", ("tensors", "--quick"), 10),
)
PAGE = "report.html"


def select_labs(names=None) -> tuple[Lab, ...]:
    """The labs of ``LABS`` named by ``names`` (all when None), in the tour's order; an unknown name raises
    InvalidArgument naming the choices."""
    if names is None:
        return LABS
    from nnlab._validation import check_choice
    known = {lab.name: lab for lab in LABS}
    for name in names:
        check_choice("only", name, known)
    return tuple(lab for lab in LABS if lab.name in names)


def _run_lab(lab: Lab, out: Path) -> dict:
    """Run one lab's quick mode in its own process; Ctrl-C stops it and is raised again."""
    import shlex
    import subprocess
    import sys
    command = ["nnlab", *lab.args, "--out", str(out / lab.name)]
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "nnlab.cli", *command[1:]], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = process.communicate()
    except KeyboardInterrupt:
        process.terminate()
        process.wait()
        raise
    process_seconds = time.perf_counter() - start
    ok = process.returncode == 0 and (out / lab.name / PAGE).exists()
    error, seconds = None, None
    if ok:                                  # the lab's own time, as its page states it (start-up apart)
        import json
        seconds = json.loads((out / lab.name / "summary.json").read_text()).get("run", {}).get("seconds")
    else:
        lines = stderr.strip().splitlines()
        error = lines[-1] if lines else f"exit status {process.returncode}, no page written"
    return {"name": lab.name, "title": lab.title, "page": f"{lab.name}/{PAGE}", "ok": ok,
            "seconds": process_seconds if seconds is None else seconds, "process_seconds": process_seconds,
            "quick": "--quick" in lab.args, "command": shlex.join(command), "error": error,
            "messages": stderr if ok else stderr[-4000:]}


def run_labs(out: Path, progress=lambda **state: None, labs=LABS) -> list[dict]:
    """Run ``labs`` in their quick mode into ``out/<lab>``, one after another. ``progress`` is called before and
    after each lab with ``index``, ``total``, ``name``, ``elapsed``, ``remaining`` (an estimate, seconds) and, after,
    ``record``. Returns one record per lab; on Ctrl-C the records so far are in the exception's ``records``."""
    records: list[dict] = []
    start = time.perf_counter()

    def remaining(done: int) -> float:
        expected_done = sum(lab.expected_s for lab in labs[:done])
        pace = (time.perf_counter() - start) / expected_done if expected_done else 1.0
        return pace * sum(lab.expected_s for lab in labs[done:])

    try:
        for i, lab in enumerate(labs):
            progress(index=i + 1, total=len(labs), name=lab.name, elapsed=time.perf_counter() - start,
                     remaining=remaining(i), record=None)
            records.append(_run_lab(lab, out))
            progress(index=i + 1, total=len(labs), name=lab.name, elapsed=time.perf_counter() - start,
                     remaining=remaining(i + 1), record=records[-1])
    except KeyboardInterrupt as interrupt:     # wherever it lands, the labs finished so far are kept
        interrupt.records = records
        raise
    return records


def linked_labs(out: Path) -> list[dict]:
    """The labs whose pages already lie in ``out`` (from an earlier ``--labs`` run or the lab commands)."""
    import json
    found = []
    for lab in LABS:
        summary = out / lab.name / "summary.json"
        if (out / lab.name / PAGE).exists() and summary.exists():
            run = json.loads(summary.read_text()).get("run", {})
            found.append({"name": lab.name, "title": lab.title, "page": f"{lab.name}/{PAGE}", "ok": True,
                          "seconds": run.get("seconds"), "quick": run.get("quick"), "command": run.get("command"),
                          "error": None, "messages": ""})
    return found


def run_tour(out: str | Path, seed: int = 0, observers_for=lambda name: (), labs=(),
             lab_progress=lambda **state: None) -> dict:
    """Run the seed's three programs into ``out``, write their page and ``index.html``.

    ``observers_for(name)`` returns training observers for the named program (the CLI passes progress bars).
    ``labs`` (True for all of ``LABS``, or a sequence of ``Lab``) also run in their quick mode into ``out/<lab>``
    (``lab_progress`` as in ``run_labs``); without, the index links the lab pages it finds in ``out``. Returns the
    summary. On Ctrl-C the finished pages and an index marked interrupted are written, then KeyboardInterrupt is
    raised again.
    """
    from nnlab.labpage import write_lab
    from nnlab.report import TITLE, seed_claims, seed_document
    from nnlab.site import decorate_page, write_site

    out = Path(out)
    labs = LABS if labs is True else tuple(labs or ())
    start = time.perf_counter()
    summary = {"seed": seed, "versions": versions()}
    seed_record = {"name": "tour", "title": TITLE, "page": PAGE, "ok": None, "seconds": None, "quick": False,
                   "command": None, "error": None}
    def finish(lab_records: list[dict], interrupted: bool) -> None:
        by_name = {r["name"]: r for r in lab_records}
        pages = [seed_record] + ([by_name.get(lab.name, {"name": lab.name, "title": lab.title, "ok": None})
                                  for lab in labs] if labs else lab_records)
        for r in lab_records:
            if r.get("ok"):
                decorate_page(out / r["page"], r["title"], r.get("messages", ""))
        summary["labs"] = [{k: v for k, v in r.items() if k != "messages"} for r in lab_records]
        write_site(out, pages, seconds=time.perf_counter() - start, versions=summary["versions"],
                   interrupted=interrupted)

    try:
        summary["perceptron"] = perceptron_program(out, seed=seed)
        for key, program, epochs in (("classification", classification_program, 500),
                                     ("diagnostics", diagnostics_program, 2000)):
            name = "classification (500 epochs)" if key == "classification" else "loss curve (2000 epochs)"
            summary[key] = program(out, seed=seed, epochs=epochs, observers=observers_for(name))
            if summary[key]["interrupted"]:          # fit turned Ctrl-C into a stop; the tour stops too
                raise KeyboardInterrupt
        seed_seconds = time.perf_counter() - start
        result = write_lab(out, seed_document(summary), seed_claims(summary), summary, lab="tour", quick=False,
                           seconds=seed_seconds)
        seed_record.update(ok=True, seconds=seed_seconds, command=result.summary["run"]["command"])
        decorate_page(out / PAGE, TITLE, home="index.html")
        lab_records = run_labs(out, lab_progress, labs) if labs else linked_labs(out)
    except KeyboardInterrupt as interrupt:
        finish(getattr(interrupt, "records", []), interrupted=True)
        raise
    summary["wall_time_s"] = time.perf_counter() - start
    finish(lab_records, interrupted=False)
    import json

    from nnlab.claims import json_safe
    (out / "summary.json").write_text(json.dumps(json_safe({**result.summary, "labs": summary["labs"],
                                                            "wall_time_s": summary["wall_time_s"]}), indent=2))
    return {**result.summary, "labs": summary["labs"], "wall_time_s": summary["wall_time_s"]}
