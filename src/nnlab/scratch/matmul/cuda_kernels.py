"""Two float32 matmul kernels in numba.cuda: one thread per element of C, then tiles in shared memory.

C (M, N) = A (M, K) @ B (K, N), all float32 device arrays, row-major. Threads are laid out so that
``threadIdx.x`` runs along a row of C: the 32 threads of a warp read 32 neighbouring elements of B and
write 32 neighbouring elements of C, so those accesses coalesce into a few wide transactions.

1. ``naive``: thread (row, col) loops over k, reading A[row, k] and B[k, col] from global memory: 2K loads
   for 2K flops, so it is bound by memory bandwidth (siboehm's kernel 1-2: 1-9% of cuBLAS).
2. ``shared``: each 16 x 16 block of threads walks K in steps of 16; per step it stages a 16 x 16 tile of A
   and one of B in shared memory (one element per thread), waits, and does 16 multiply-adds per thread from
   the fast tiles: each global load is reused 16 times (numba docs' ``fast_matmul``; siboehm's kernel 3:
   about 13% of cuBLAS). Tiles hanging over the edge of A or B are padded with zeros.

Unlike the numba docs' version, ``shared`` loops over ceil(K / 16) tiles (not the grid width), so
rectangular shapes are right.
"""
from __future__ import annotations

import math

from numba import cuda, float32

__all__ = ["TPB", "naive", "shared", "matmul_naive", "matmul_shared"]

TPB = 16   # threads per block along each side; a block is TPB x TPB threads and owns a TPB x TPB tile of C


@cuda.jit
def naive(A, B, C):
    col, row = cuda.grid(2)   # x runs along a row of C (coalesced), y down the rows
    if row < C.shape[0] and col < C.shape[1]:
        s = float32(0.0)
        for k in range(A.shape[1]):
            s += A[row, k] * B[k, col]
        C[row, col] = s


@cuda.jit
def shared(A, B, C):
    sA = cuda.shared.array(shape=(TPB, TPB), dtype=float32)
    sB = cuda.shared.array(shape=(TPB, TPB), dtype=float32)
    col, row = cuda.grid(2)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    s = float32(0.0)
    for t in range((A.shape[1] + TPB - 1) // TPB):
        k0 = t * TPB
        # 1) stage one tile of A and one of B, zero outside the matrices
        sA[ty, tx] = A[row, k0 + tx] if row < A.shape[0] and k0 + tx < A.shape[1] else float32(0.0)
        sB[ty, tx] = B[k0 + ty, col] if k0 + ty < B.shape[0] and col < B.shape[1] else float32(0.0)
        cuda.syncthreads()
        # 2) 16 multiply-adds from shared memory
        for k in range(TPB):
            s += sA[ty, k] * sB[k, tx]
        cuda.syncthreads()   # 3) nobody overwrites a tile another thread still reads
    if row < C.shape[0] and col < C.shape[1]:
        C[row, col] = s


def _grid(C) -> tuple[tuple[int, int], tuple[int, int]]:
    """Blocks along x cover the N columns, along y the M rows."""
    return (math.ceil(C.shape[1] / TPB), math.ceil(C.shape[0] / TPB)), (TPB, TPB)


def matmul_naive(A, B, C) -> None:
    """Launch ``naive`` over C (asynchronous: synchronise before reading C)."""
    blocks, threads = _grid(C)
    naive[blocks, threads](A, B, C)


def matmul_shared(A, B, C) -> None:
    """Launch ``shared`` over C (asynchronous)."""
    blocks, threads = _grid(C)
    shared[blocks, threads](A, B, C)
