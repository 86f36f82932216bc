"""The machine a benchmark ran on: CPU, computed peak, thread pools (pinned and recorded), the BLAS in use.

Peak floating-point rate, the number every % of peak is taken against:

    peak = cores x GHz x SIMD lanes x 2 (a fused multiply-add is 2 flops) x FMA units per core

with lanes = SIMD register bits / (8 x itemsize) (AVX2: 8 float32 or 4 float64; AVX-512: twice that) and 2
FMA units (x86 cores since Haswell and Zen 2). GHz is what /proc/cpuinfo reports, usually the base clock;
a core that boosts above it can beat this "peak".
"""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from nnlab.environment import cpu_model

__all__ = ["cpu_model", "cpu_ghz", "simd_bits", "peak_gflops", "pin_threads", "thread_report", "blas_pools",
           "OPENBLAS_VARS", "THREAD_VARS"]

OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
FMA_UNITS = 2


def _cpuinfo() -> list[str]:
    try:
        return Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return []


def cpu_ghz() -> float | None:
    """The highest 'cpu MHz' over the cores, in GHz (None where /proc/cpuinfo is missing)."""
    mhz = [float(line.split(":", 1)[1]) for line in _cpuinfo() if line.startswith("cpu MHz")]
    return max(mhz) / 1000 if mhz else None


def simd_bits() -> int:
    """Width of the widest vector FMA the CPU has: 512 (avx512f), 256 (avx2 + fma) or 128."""
    flags = next((line.split(":", 1)[1].split() for line in _cpuinfo() if line.startswith("flags")), [])
    if "avx512f" in flags:
        return 512
    return 256 if "avx2" in flags and "fma" in flags else 128


def peak_gflops(threads: int, itemsize: int) -> tuple[float | None, str]:
    """(peak GFLOP/s for ``threads`` cores at this element size, the formula with its numbers)."""
    ghz = cpu_ghz()
    lanes = simd_bits() // (8 * itemsize)
    if ghz is None:
        return None, "unknown (no clock rate in /proc/cpuinfo)"
    peak = threads * ghz * lanes * 2 * FMA_UNITS
    return peak, f"{threads} x {ghz:.3f} GHz x {lanes} lanes x 2 x {FMA_UNITS} FMA units = {peak:.1f} GFLOP/s"


@contextlib.contextmanager
def pin_threads(n: int):
    """Every pool this process uses runs ``n`` threads inside the block: BLAS and OpenMP (threadpoolctl),
    torch's intra-op pool, numba's parallel pool. Pools of libraries not yet imported are left alone."""
    from threadpoolctl import threadpool_limits
    torch = sys.modules.get("torch")
    numba = sys.modules.get("numba")
    old_torch = torch.get_num_threads() if torch else None
    old_numba = numba.get_num_threads() if numba else None
    try:
        with threadpool_limits(limits=n):
            if torch:
                torch.set_num_threads(n)
            if numba:
                numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
            yield
    finally:   # after threadpoolctl's own restore, which can reset the OpenMP pool torch shares
        if torch:
            torch.set_num_threads(old_torch)
        if numba:
            numba.set_num_threads(old_numba)


def blas_pools() -> list[dict]:
    """threadpoolctl's view of the loaded BLAS and OpenMP libraries: name, version, kernel, threads."""
    from threadpoolctl import threadpool_info
    keep = ("user_api", "internal_api", "prefix", "version", "architecture", "threading_layer", "num_threads")
    return [{k: info.get(k) for k in keep} for info in threadpool_info()]


def thread_report() -> dict:
    """Thread settings as they stand now: environment, pools, numba and torch."""
    report = {"cpu_count": os.cpu_count(), "env": {v: os.environ.get(v) for v in (*THREAD_VARS, *OPENBLAS_VARS)},
              "pools": blas_pools()}
    numba = sys.modules.get("numba")
    if numba:
        try:
            layer = numba.threading_layer()
        except ValueError:   # no parallel function has run yet
            layer = "not started"
        report["numba"] = {"threads": numba.get_num_threads(), "max_threads": numba.config.NUMBA_NUM_THREADS,
                           "threading_layer": layer, "version": numba.__version__}
    torch = sys.modules.get("torch")
    if torch:
        report["torch"] = {"threads": torch.get_num_threads(), "version": torch.__version__}
    return report
