"""How the harness drives one variant: prepare the operands (untimed), run (timed), fetch the result.

Keeping the three apart is what makes timings comparable: converting arrays to Python lists, or copying them
to a GPU, happens in ``prepare`` and is not part of the time; a GPU variant's ``run`` ends with ``sync``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnlab.scratch.matmul.operands import DTYPES

__all__ = ["Kernel", "array_bytes"]


def _host(A: np.ndarray, B: np.ndarray, dtype: str) -> tuple:
    return A, B


def _nothing() -> None:
    return None


def array_bytes(shape: tuple[int, ...], dtype: str) -> int:
    """Bytes of A, B and C as dense arrays of ``dtype`` for ``shape`` = (M, K, N) or (L, M, K, N)."""
    *batch, m, k, n = shape
    return (batch[0] if batch else 1) * (m * k + k * n + m * n) * DTYPES[dtype].itemsize


@dataclass(frozen=True)
class Kernel:
    """One runnable variant.

    run:      run(*operands) -> result, the part that is timed (a GPU variant waits for the device in it)
    prepare:  prepare(A, B, dtype) -> operands in the variant's own form (lists, tensors, device arrays)
    fetch:    fetch(result) -> np.ndarray on the host, for the correctness check
    memory:   memory(shape, dtype) -> bytes the variant holds for one call: operands, result and workspace
    compile:  names the JIT whose first call compiles (or loads from its cache), or None
    """
    run: Callable[..., Any]
    prepare: Callable[[np.ndarray, np.ndarray, str], tuple] = _host
    fetch: Callable[[Any], np.ndarray] = np.asarray
    memory: Callable[[tuple[int, ...], str], int] = array_bytes
    compile: str | None = None
    dispatcher: Any = None   # the numba dispatcher, whose stats say whether the first call hit the disk cache

    def __call__(self, A: np.ndarray, B: np.ndarray, dtype: str) -> np.ndarray:
        """prepare, run and fetch in one go (what ``matmul`` does)."""
        return self.fetch(self.run(*self.prepare(A, B, dtype)))
