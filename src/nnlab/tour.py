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


def run_tour(out: str | Path, seed: int = 0, observers_for=lambda name: ()) -> dict:
    """Run the seed's three programs into ``out`` and write ``summary.json`` and ``report.html``.

    ``observers_for(name)`` returns training observers for the named program (the CLI passes progress bars).
    Returns the summary dictionary.
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
    summary["wall_time_s"] = time.perf_counter() - start
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    write_report(summary, out)
    return summary
