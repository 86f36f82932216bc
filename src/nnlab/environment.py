"""What decides a run's numbers besides its settings: package versions, Python, threads and the machine.

Every page, run record and benchmark names its environment through this module.
"""
from __future__ import annotations

import platform
from functools import cache
from importlib import metadata
from pathlib import Path

__all__ = ["versions", "package_version", "cpu_model"]


@cache
def package_version(name: str) -> str | None:
    """An installed distribution's version from its metadata (nothing is imported), or None; read once per
    process (a sweep records it for every trial)."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def versions() -> dict:
    """Versions and settings that decide a lab's numbers: Python, torch, NumPy, matplotlib, torch's threads, the
    machine and its CPU."""
    import matplotlib
    import numpy
    import torch

    import nnlab
    return {"nnlab": nnlab.__version__, "python": platform.python_version(), "torch": torch.__version__,
            "numpy": numpy.__version__, "matplotlib": matplotlib.__version__,
            "torch_threads": torch.get_num_threads(), "machine": platform.machine(),
            "platform": platform.platform(terse=True), "cpu": cpu_model()}
