"""The tour: every seed program in one go, with the figures, ``summary.json`` and ``report.html``."""
from __future__ import annotations

import json
import platform
import time
from pathlib import Path

from nnlab.programs import classification_program, diagnostics_program, perceptron_program

__all__ = ["run_tour", "versions"]


def versions() -> dict:
    """Versions and settings that decide the numbers: Python, torch, NumPy, matplotlib, threads, machine."""
    import matplotlib
    import numpy
    import torch

    import nnlab
    return {"nnlab": nnlab.__version__, "python": platform.python_version(), "torch": torch.__version__,
            "numpy": numpy.__version__, "matplotlib": matplotlib.__version__,
            "torch_threads": torch.get_num_threads(), "machine": platform.machine(),
            "platform": platform.platform(terse=True), "cpu": cpu_model()}


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# The labs the tour can run (``labs=True``) in their quick mode and link: directory, title, command, report file.
LABS = [
    ("gd", "Gradient descent, SGD and optimizer paths (exercise 1.3)", ["gd", "--quick"], "summary.md"),
    ("study", "A single hidden layer, its activations and its hyperparameters (exercise 1.1)",
     ["study", "all", "--quick"], "report.md"),
    ("gradflow", "Gradient flow: vanishing and exploding gradients", ["gradflow", "--quick"], "report.md"),
    ("regularize", "Overfitting, underfitting and regularisation", ["regularize", "--quick"], "report.md"),
    ("approx", "Universal approximation", ["approx", "--quick"], "report.md"),
    ("history", "A history of deep learning (exercise 1.2)", ["history"], "report.html"),
    ("costs", "The cost of architectures (exercise 1.2)", ["costs", "--quick"], "report.html"),
    ("usecase", "A use case on real data (exercise 1.5)", ["usecase", "--quick", "--folds", "3"], "report.html"),
    ("explain", "Looking inside a trained network", ["explain", "--quick"], "report.md"),
    ("precision", "Mixed precision: fp32 vs bf16", ["precision", "--quick"], "report.md"),
]


def run_labs(out: Path, progress=lambda name: None) -> list[dict]:
    """Run every lab of ``LABS`` in quick mode into ``out/<lab>``, each in its own process (one failing lab does
    not stop the others). Returns one record per lab: name, title, report path, ok, seconds, error."""
    import subprocess
    import sys
    records = []
    for name, title, args, report in LABS:
        progress(name)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "nnlab.cli", *args, "--out", str(out / name)],
                                capture_output=True, text=True)
        records.append({"name": name, "title": title, "report": f"{name}/{report}", "ok": result.returncode == 0,
                        "seconds": time.perf_counter() - start,
                        "error": result.stderr.strip().splitlines()[-1] if result.returncode else None})
    return records


def linked_labs(out: Path) -> list[dict]:
    """The labs whose reports already lie in ``out`` (from an earlier ``--labs`` run or the lab commands)."""
    return [{"name": n, "title": t, "report": f"{n}/{r}", "ok": True} for n, t, _, r in LABS if (out / n / r).exists()]


def run_tour(out: str | Path, seed: int = 0, observers_for=lambda name: (), labs: bool = False,
             lab_progress=lambda name: None) -> dict:
    """Run the seed's three programs into ``out`` and write ``summary.json`` and ``report.html``.

    ``observers_for(name)`` returns training observers for the named program (the CLI passes progress bars).
    With ``labs``, every lab also runs in its quick mode into ``out/<lab>``; either way the report links the lab
    reports it finds there. Returns the summary dictionary.
    """
    from nnlab.report import write_report

    out = Path(out)
    start = time.perf_counter()
    summary = {"seed": seed, "versions": versions()}
    summary["perceptron"] = perceptron_program(out, seed=seed)
    summary["classification"] = classification_program(out, seed=seed, epochs=500,
                                                       observers=observers_for("classification (500 epochs)"))
    summary["diagnostics"] = diagnostics_program(out, seed=seed, epochs=2000,
                                                 observers=observers_for("loss curve (2000 epochs)"))
    summary["labs"] = run_labs(out, lab_progress) if labs else linked_labs(out)
    summary["wall_time_s"] = time.perf_counter() - start
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    write_report(summary, out)
    return summary
