"""Operands of C = A @ B: the dtypes the lab knows, the checks every variant runs, seeded random inputs.

Shapes: A (M, K) @ B (K, N) -> C (M, N), or batched A (L, M, K) @ B (L, K, N) -> C (L, M, N).
Bad operands raise :class:`~nnlab._validation.InvalidArgument` (a ``ValueError``) naming both shapes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlab._validation import InvalidArgument

__all__ = ["DType", "DTYPES", "check_operands", "random_operands", "flops"]


@dataclass(frozen=True)
class DType:
    """A floating-point format: its machine epsilon (spacing of numbers at 1.0) and its size in bytes."""
    name: str
    eps: float
    itemsize: int
    numpy: str   # the NumPy dtype that carries it on the host (bfloat16 travels as float32)


DTYPES = {
    "float64": DType("float64", 2.0 ** -52, 8, "float64"),
    "float32": DType("float32", 2.0 ** -23, 4, "float32"),
    "float16": DType("float16", 2.0 ** -10, 2, "float16"),
    "bfloat16": DType("bfloat16", 2.0 ** -7, 2, "float32"),
}


def flops(shape: tuple[int, ...]) -> int:
    """2 M N K for (M, K, N), times L for a batched (L, M, K, N): one multiply and one add per term."""
    *batch, m, k, n = shape
    return 2 * m * k * n * (batch[0] if batch else 1)


def _describe(x) -> str:
    shape = getattr(x, "shape", None)
    dtype = getattr(x, "dtype", None)
    return f"{type(x).__name__}" if shape is None else f"{tuple(shape)} {dtype}"


def check_operands(A, B, *, batched: bool, dtypes: tuple[str, ...], variant: str = "matmul"
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Return A and B as C-contiguous arrays after checking rank, inner sizes, batch sizes and dtype.

    ``batched=False`` wants A (M, K) and B (K, N); ``batched=True`` wants A (L, M, K) and B (L, K, N).
    ``dtypes`` lists the dtype names the variant computes in; A and B must share one of them.
    """
    ndim = 3 if batched else 2
    want = "(L, M, K) @ (L, K, N)" if batched else "(M, K) @ (K, N)"
    if not isinstance(A, np.ndarray) or not isinstance(B, np.ndarray):
        raise InvalidArgument(f"{variant} needs NumPy arrays {want}; got A {_describe(A)} and B {_describe(B)}.",
                              "A")
    if A.ndim != ndim or B.ndim != ndim:
        raise InvalidArgument(f"{variant} needs {ndim}-D operands {want}; got A {A.shape} and B {B.shape}.", "A")
    if A.shape[-1] != B.shape[-2]:
        raise InvalidArgument(f"{variant}: A {A.shape} @ B {B.shape} do not line up: A has {A.shape[-1]} columns "
                              f"but B has {B.shape[-2]} rows.", "B")
    if batched and A.shape[0] != B.shape[0]:
        raise InvalidArgument(f"{variant}: A {A.shape} and B {B.shape} hold different numbers of matrices "
                              f"({A.shape[0]} and {B.shape[0]}).", "B")
    allowed = sorted(d for d in dtypes if DTYPES[d].numpy == d)   # dtypes a NumPy array can hold as-is
    if A.dtype != B.dtype or A.dtype.name not in allowed:
        raise InvalidArgument(f"{variant} computes in {allowed}; got A {A.shape} {A.dtype} and B {B.shape} "
                              f"{B.dtype}.", "dtype")
    return np.ascontiguousarray(A), np.ascontiguousarray(B)


def random_operands(shape: tuple[int, ...], dtype: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Standard-normal A and B for ``shape`` = (M, K, N) or (L, M, K, N), rounded to ``dtype``.

    bfloat16 values are rounded to bfloat16 (8 significant bits) and carried in float32, so a float64
    reference computed from the returned arrays sees exactly what the kernel sees.
    """
    *batch, m, k, n = shape
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((*batch, m, k))
    B = rng.standard_normal((*batch, k, n))
    if dtype == "bfloat16":
        return _round_bfloat16(A), _round_bfloat16(B)
    return A.astype(DTYPES[dtype].numpy), B.astype(DTYPES[dtype].numpy)


def _round_bfloat16(x: np.ndarray) -> np.ndarray:
    """Round float32 to the nearest bfloat16 (ties to even) by keeping the top 16 bits of each word."""
    bits = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return bits.astype(np.uint32).view(np.float32)
