"""The tensor lab's settings: the matmul comparison's plan. ``QUICK`` (seconds, for ``--quick`` and the tour)
and ``FULL`` (a minute or two) differ only in sizes, kernels and how long each is timed."""
from __future__ import annotations

from nnlab.scratch.matmul.bench import BenchConfig

__all__ = ["Settings", "QUICK", "FULL", "KERNELS_FROM_SCRATCH", "BLAS"]

Settings = BenchConfig          # the name every lab's settings go by

BLAS = "numpy"
KERNELS_FROM_SCRATCH = ("python-ijk", "python-ikj", "numba-ijk", "numba-ikj", "numba-tiled")

_COMMON = dict(rect=(), batched=(), gpu_sizes=(), gpu_rect=(), threads=(1,), dtype="float32", rounds=3, seed=0)
QUICK = BenchConfig(sizes=(32, 64, 128, 256), variants=("python-ikj", "numba-ijk", "numba-ikj", "numba-tiled", BLAS),
                    min_time=0.1, min_samples=3, max_call_s=0.05, gate="quick", **_COMMON)
FULL = BenchConfig(sizes=(32, 64, 128, 256, 512, 1024),
                   variants=("python-ijk", "python-ikj", "numba-ijk", "numba-ikj", "numba-tiled", BLAS, "torch"),
                   min_time=0.6, min_samples=5, max_call_s=0.5, gate="full", **_COMMON)
