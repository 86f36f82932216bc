"""The correctness gate: no variant is timed until it matches a float64 reference on many shapes.

Error of a result C for A (M, K) @ B (K, N), normalised by the largest term a sum of K products can reach:

    err = max |C - C_ref| / (max|A| * max|B| * K),   C_ref = float64(A) @ float64(B)

and the variant passes when err <= 10 eps(dtype) on every shape. The shapes: every square size 1..128 (edge
cases such as sizes 3 or 9 are where hand-written kernels go wrong) and 50 seeded random rectangular
(M, K, N), which for the compiled variants reach past the 256-wide panels of the tiled kernel.
Batched variants get the same shapes with L = 3 matrices each.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnlab.scratch.matmul.operands import DTYPES, random_operands

__all__ = ["GateResult", "normalised_error", "tolerance", "gate_shapes", "run_gate", "GATE_LEVELS"]

# level -> (largest square size, number of rectangular shapes, largest rectangular side)
GATE_LEVELS = {
    "full": (128, 50, 300),
    "python": (128, 50, 64),   # pure Python: the full squares, smaller rectangles (seconds, not minutes)
    "quick": (32, 12, 40),
}
BATCH = 3


@dataclass(frozen=True)
class GateResult:
    """Outcome of the gate for one variant and dtype; ``worst_shape`` is where ``worst_error`` occurred."""
    variant: str
    dtype: str
    passed: bool
    worst_error: float
    worst_shape: tuple[int, ...]
    tolerance: float
    shapes: int
    failures: list[tuple[int, ...]] = field(default_factory=list)

    def __str__(self) -> str:
        verdict = "passed" if self.passed else f"FAILED on {len(self.failures)} shapes, e.g. {self.failures[:3]}"
        return (f"{self.variant} {self.dtype}: {verdict}; worst error {self.worst_error:.2e} at {self.worst_shape} "
                f"(tolerance {self.tolerance:.2e}, {self.shapes} shapes)")


def tolerance(dtype: str) -> float:
    """10 eps(dtype): 1.2e-6 for float32, 2.2e-15 for float64, 9.8e-3 for float16, 7.8e-2 for bfloat16."""
    return 10 * DTYPES[dtype].eps


def normalised_error(C, A: np.ndarray, B: np.ndarray) -> float:
    """max|C - C_ref| / (max|A| max|B| K) with C_ref in float64; batched operands are compared as a whole."""
    ref = np.matmul(A.astype(np.float64), B.astype(np.float64))
    C = np.asarray(C, dtype=np.float64)
    if C.shape != ref.shape:
        return float("inf")
    k = A.shape[-1]
    scale = float(np.abs(A).max(initial=0)) * float(np.abs(B).max(initial=0)) * k
    diff = float(np.abs(C - ref).max(initial=0))
    if not np.isfinite(diff):
        return float("inf")
    return diff / scale if scale > 0 else diff


def gate_shapes(level: str = "full", seed: int = 0) -> list[tuple[int, int, int]]:
    """(M, K, N) for every square size 1..S, then R random rectangular shapes with sides in 1..D (seeded)."""
    square, rect, side = GATE_LEVELS[level]
    rng = np.random.default_rng(seed)
    shapes = [(n, n, n) for n in range(1, square + 1)]
    shapes += [tuple(int(s) for s in rng.integers(1, side + 1, size=3)) for _ in range(rect)]
    return shapes


def run_gate(variant, kernel, dtype: str, level: str = "full", seed: int = 0) -> GateResult:
    """Run ``kernel`` (a :class:`Kernel` of ``variant``, a :class:`Variant`) on every gate shape."""
    tol = tolerance(dtype)
    worst, worst_shape, failures = 0.0, (), []
    shapes = gate_shapes(level, seed)
    for idx, shape in enumerate(shapes):
        shape = (BATCH, *shape) if variant.batched else shape
        A, B = random_operands(shape, dtype, seed=seed + idx)
        C = kernel(A, B, dtype)
        err = normalised_error(np.asarray(C).astype(A.dtype), A, B)
        if err > worst or not worst_shape:
            worst, worst_shape = err, shape
        if not err <= tol:
            failures.append(shape)
    return GateResult(variant.name, dtype, not failures, worst, worst_shape, tol, len(shapes), failures)
