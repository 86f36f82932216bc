"""The tensor lab's matmul comparison: a few kernels, from pure Python to BLAS, gated and timed by the benchmark.

It is ``nnlab matmul-bench``'s method on a smaller plan (``nnlab.scratch.matmul.bench.run_bench``): every kernel
first passes the correctness gate against a float64 product, then at each size every kernel is timed in a few
interleaved rounds (warm-up first; BLAS in its own process, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from
its environment), one thread each, and the median and quartiles of the pooled samples are kept. A call that is
estimated to take longer than ``max_call_s`` is not timed at that size (pure Python at the larger sizes).

Its plans, ``QUICK`` and ``FULL``, are in ``nnlab.labs.tensors.settings``.
"""
from __future__ import annotations

from dataclasses import asdict

from nnlab.labs.tensors.settings import BLAS, FULL, KERNELS_FROM_SCRATCH, QUICK
from nnlab.scratch.matmul.bench import BenchConfig, run_bench
from nnlab.scratch.matmul.variants import VARIANTS

__all__ = ["QUICK", "FULL", "compare", "row", "faster", "KERNELS_FROM_SCRATCH", "BLAS"]


def compare(cfg: BenchConfig = QUICK, log=lambda line: None) -> dict:
    """Gate and time the kernels of ``cfg``; the result as JSON-ready numbers: config, rows (one per kernel and
    size: median and quartile seconds, GFLOP/s, % of BLAS, error of the timed result in eps, or why it was not
    timed), prepared (per kernel: first-call seconds, disk-cache verdict, gate), info (load, threads, BLAS)."""
    import os

    result = run_bench(cfg, log=log)
    description = {name: VARIANTS[name].description for name in cfg.variants}
    return {"config": asdict(cfg), "rows": result.rows, "prepared": result.prepared, "info": result.info,
            "descriptions": description, "cores": os.cpu_count() or 1}


def row(m: dict, variant: str, n: int) -> dict | None:
    """The timed row of ``variant`` at N x N x N, or None (not timed or not in the plan)."""
    return next((r for r in m["rows"] if r["variant"] == variant and r["shape"] == [n, n, n]
                 and r["status"] == "ok"), None)


def faster(fast: dict, slow: dict) -> bool:
    """Whether ``fast`` is faster than ``slow`` beyond the noise: its median seconds per call lie below ``slow``'s
    first quartile, so three quarters of ``slow``'s calls took longer than ``fast``'s typical one. (Only the lower
    quartile is asked for: a shared machine's interruptions stretch the upper quartiles of both.)"""
    return fast["median_s"] < slow["q1_s"]
