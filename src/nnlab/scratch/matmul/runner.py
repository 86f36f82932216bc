"""The two steps the benchmark takes per variant, in whichever process the variant runs in.

1. ``prepare_variant``: load it, time its first call (JIT compile or cache load) apart, run the gate.
2. ``measure_shape``: time it on one shape with the threads pinned, then check that very result.

``python -m nnlab.scratch.matmul.runner`` serves both as a worker: one JSON request per line on stdin, one
JSON answer per line on stdout. The benchmark starts it as its BLAS baseline process (see ``bench``).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback

import numpy as np

from nnlab.scratch.matmul.gate import normalised_error, run_gate
from nnlab.scratch.matmul.machine import blas_pools, pin_threads, thread_report
from nnlab.scratch.matmul.operands import DTYPES, random_operands
from nnlab.scratch.matmul.timing import first_call, measure
from nnlab.scratch.matmul.variants import VARIANTS

__all__ = ["prepare_variant", "measure_shape", "process_info", "serve", "Worker"]


def _cache_counts(kernel) -> tuple[int, int] | None:
    """(disk-cache hits, misses) of a numba kernel's dispatcher so far; None for other kernels."""
    stats = getattr(kernel.dispatcher, "stats", None)
    return (sum(stats.cache_hits.values()), sum(stats.cache_misses.values())) if stats is not None else None


def _cache_verdict(before, after) -> str | None:
    if before is None:
        return None
    if after[0] > before[0]:
        return "hit"
    return "miss: compiled" if after[1] > before[1] else "already in memory"


def prepare_variant(name: str, dtype: str, gate_level: str = "full", seed: int = 0) -> dict:
    """Load variant ``name``, time its first call apart (compile or cache load), and run the gate.

    Returns a record with ``status`` "ok", "gate failed", "skipped" (cannot run here) or "error".
    """
    v = VARIANTS[name]
    record = {"variant": name, "dtype": dtype, "compile_s": None, "cache": None, "gate": None}
    if v.device == "cuda":
        from nnlab.scratch.matmul.gpu import unavailable
        reason = unavailable(name)
        if reason:
            return {**record, "status": "skipped", "reason": reason}
    try:
        kernel = v.load()
        # 1) the first call on a tiny problem: for a JIT variant this is where compiling happens
        if kernel.compile:
            A, B = random_operands((2, 3, 4, 5) if v.batched else (3, 4, 5), dtype, seed)
            ops = kernel.prepare(A, B, dtype)
            before = _cache_counts(kernel)
            record["compile_s"] = first_call(lambda: kernel.run(*ops))
            record["cache"] = _cache_verdict(before, _cache_counts(kernel))
        # 2) the gate
        level = "python" if v.family == "python" and gate_level == "full" else gate_level
        result = run_gate(v, kernel, dtype, level, seed)
    except Exception as err:   # a broken variant is reported, never timed
        return {**record, "status": "error", "reason": f"{type(err).__name__}: {err}"}
    return {**record, "status": "ok" if result.passed else "gate failed", "gate": str(result),
            "gate_error": result.worst_error, "tolerance": result.tolerance, "gate_shapes": result.shapes}


def measure_shape(name: str, dtype: str, shape: list[int], threads: int, min_time: float = 1.0,
                  min_samples: int = 5, seed: int = 0, warmup: int = 3, estimate: float | None = None,
                  check: bool = True) -> dict:
    """Time variant ``name`` on ``shape`` with ``threads`` threads; one row of the results table.

    The row keeps every sample (``times``), so that rounds taken at different moments can be pooled; with
    ``check`` the timed result is compared with float64 (``err_eps``: normalised error / eps(dtype)).
    """
    v = VARIANTS[name]
    shape = tuple(shape)
    kernel = v.load()
    A, B = random_operands(shape, dtype, seed)
    ops = kernel.prepare(A, B, dtype)
    last = []

    def call():
        last[:] = [kernel.run(*ops)]

    with pin_threads(threads):
        t = measure(call, min_time=min_time, min_samples=min_samples, warmup=warmup, estimate=estimate)
    row = {"variant": name, "family": v.family, "dtype": dtype, "threads": threads, "shape": list(shape),
           "status": "ok", "times": list(t.times), "per_sample": t.per_sample,
           "memory_bytes": kernel.memory(shape, dtype), "load1": os.getloadavg()[0]}
    if check:
        row["err_eps"] = normalised_error(np.asarray(kernel.fetch(last[0])).astype(A.dtype), A, B) / DTYPES[dtype].eps
    return row


def process_info() -> dict:
    """What this process computes with: threads and pools, NumPy's and torch's BLAS, their versions (torch's only
    where a variant has loaded it: importing it just to report would cost the process seconds)."""
    import numpy
    torch = sys.modules.get("torch")
    blas = "torch not loaded"
    if torch is not None:
        config = torch.__config__.show()
        blas = next((part.split("=", 1)[1] for part in config.replace(",", " ").split()
                     if part.startswith("BLAS_INFO=")), "unknown")
    return {"python": sys.version.split()[0], "numpy": numpy.__version__,
            "torch": torch.__version__ if torch is not None else "not loaded",
            "torch_blas": blas, "pools": blas_pools(), "threads": thread_report(),
            "openblas_env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}}


HANDLERS = {"prepare": prepare_variant, "measure": measure_shape, "info": process_info}


def serve() -> None:
    """Answer JSON requests {"op": ..., **arguments} from stdin, one per line, until stdin closes."""
    out = sys.stdout
    sys.stdout = sys.stderr   # anything a library prints goes to stderr, never into the answers
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = HANDLERS[request.pop("op")](**request)
        except Exception as err:
            traceback.print_exc()
            answer = {"status": "error", "reason": f"{type(err).__name__}: {err}"}
        out.write(json.dumps(answer) + "\n")
        out.flush()


class Worker:
    """A runner process to send requests to, e.g. the BLAS baseline process with some variables removed."""

    def __init__(self, remove: tuple[str, ...] = ()):
        env = dict(os.environ)
        self.removed = {k: env.pop(k) for k in remove if k in env}
        self.proc = subprocess.Popen([sys.executable, "-m", "nnlab.scratch.matmul.runner"], env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def ask(self, op: str, **arguments) -> dict:
        self.proc.stdin.write(json.dumps({"op": op, **arguments}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the runner process stopped (exit code {self.proc.wait()})")
        return json.loads(line)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


if __name__ == "__main__":
    serve()
