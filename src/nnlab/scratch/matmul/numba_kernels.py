"""Matrix multiplication compiled with numba: loop order, then cache tiles and register blocks, then threads.

Every kernel adds A @ B into a zeroed C: A (M, K), B (K, N), C (M, N) (batched: a leading L on all three),
C-contiguous float32 or float64. All are compiled with ``fastmath=True`` (LLVM may fuse multiply-adds and
reorder sums, which is what lets a dot product use all 8 float32 lanes of an AVX2 register) and
``cache=True`` (the machine code is kept on disk beside this file, so only the first run pays to compile).

The ladder, each step one idea:

1. ``ijk``: C[i, j] = sum_k A[i, k] B[k, j]. The inner loop reads B down a column, N elements apart.
2. ``ikj``: the same terms in i, k, j order, C[i, :] += A[i, k] B[k, :]. The inner loop walks a row of B and
   a row of C contiguously and vectorises; every multiply-add still loads and stores C.
3. ``tiled``: cache blocking plus register blocking. B is copied, one KC x NC panel at a time, transposed
   into a contiguous buffer ``Bt`` (NC, KC) (256 KB in float32: it stays in the 1 MB L2 while every row of A
   passes over it). Then each MR x NR = 4 x 2 block of C is eight dot products of length KC that share
   their loads: per step of p, 6 loads feed 8 multiply-adds, and the eight sums live in registers.
4. ``tiled_parallel``: the same, with ``prange`` over bands of MR rows of C; bands write disjoint rows,
   so threads never touch the same C element. Threads: ``numba.set_num_threads``.

numba has no register arrays, so the 4 x 2 block is written out as eight scalars; LLVM keeps each one as
a vector of partial sums (8 float32 lanes) and adds the lanes up once per panel.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["ijk", "ikj", "tiled", "tiled_parallel", "batched_ikj", "batched_ikj_parallel",
           "MR", "NR", "KC", "NC", "panel_bytes"]

MR, NR = 4, 2      # register block of C: 4 rows x 2 columns (the eight scalars below)
KC, NC = 256, 256  # cache block: a KC x NC panel of B, packed as Bt (NC, KC); compile-time constants


@njit(fastmath=True, cache=True)
def ijk(A, B, C):
    """C += A @ B, dot product per element; column walk over B."""
    m, k_dim = A.shape
    n = B.shape[1]
    for i in range(m):
        for j in range(n):
            s = C[i, j]
            for k in range(k_dim):
                s += A[i, k] * B[k, j]
            C[i, j] = s


@njit(fastmath=True, cache=True)
def ikj(A, B, C):
    """C += A @ B, row of C += scalar x row of B; contiguous inner loop."""
    m, k_dim = A.shape
    n = B.shape[1]
    for i in range(m):
        for k in range(k_dim):
            a = A[i, k]
            for j in range(n):
                C[i, j] += a * B[k, j]


@njit(fastmath=True, cache=True)
def _pack(B, Bt, pc, kc, jc, nc):
    """Bt[j, p] = B[pc + p, jc + j] for the panel p < kc, j < nc: columns of B become contiguous rows."""
    for p in range(kc):
        for j in range(nc):
            Bt[j, p] = B[pc + p, jc + j]


@njit(fastmath=True, cache=True)
def _row(A, Bt, C, i, pc, kc, jc, nc):
    """C[i, jc:jc+nc] += A[i, pc:pc+kc] @ Bt[:nc, :kc].T, one dot product per element (edge rows)."""
    Ai = A[i, pc:pc + kc]
    for j in range(nc):
        Bj = Bt[j, :kc]
        s = A.dtype.type(0)
        for p in range(kc):
            s += Ai[p] * Bj[p]
        C[i, jc + j] += s


@njit(fastmath=True, cache=True)
def _band(A, Bt, C, i, pc, kc, jc, nc):
    """C[i:i+4, jc:jc+nc] += A[i:i+4, pc:pc+kc] @ Bt[:nc, :kc].T in 4 x 2 register blocks."""
    A0, A1, A2, A3 = A[i, pc:pc + kc], A[i + 1, pc:pc + kc], A[i + 2, pc:pc + kc], A[i + 3, pc:pc + kc]
    zero = A.dtype.type(0)
    for j in range(0, nc - 1, NR):
        B0, B1 = Bt[j, :kc], Bt[j + 1, :kc]
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = zero
        for p in range(kc):
            b0, b1 = B0[p], B1[p]
            a = A0[p]
            c00 += a * b0
            c01 += a * b1
            a = A1[p]
            c10 += a * b0
            c11 += a * b1
            a = A2[p]
            c20 += a * b0
            c21 += a * b1
            a = A3[p]
            c30 += a * b0
            c31 += a * b1
        C[i, jc + j] += c00
        C[i, jc + j + 1] += c01
        C[i + 1, jc + j] += c10
        C[i + 1, jc + j + 1] += c11
        C[i + 2, jc + j] += c20
        C[i + 2, jc + j + 1] += c21
        C[i + 3, jc + j] += c30
        C[i + 3, jc + j + 1] += c31
    if nc % NR:   # an odd panel width leaves one column: four plain dot products
        j = nc - 1
        Bj = Bt[j, :kc]
        c0 = c1 = c2 = c3 = zero
        for p in range(kc):
            b = Bj[p]
            c0 += A0[p] * b
            c1 += A1[p] * b
            c2 += A2[p] * b
            c3 += A3[p] * b
        C[i, jc + j] += c0
        C[i + 1, jc + j] += c1
        C[i + 2, jc + j] += c2
        C[i + 3, jc + j] += c3


@njit(fastmath=True, cache=True)
def tiled(A, B, C):
    """C += A @ B: 1) for each KC x NC panel of B, 2) pack it into Bt, 3) sweep bands of 4 rows of A over it."""
    m, k_dim = A.shape
    n = B.shape[1]
    Bt = np.empty((NC, KC), A.dtype)   # the packed panel, reused for every panel
    bands = m // MR
    for jc in range(0, n, NC):
        nc = min(NC, n - jc)
        for pc in range(0, k_dim, KC):
            kc = min(KC, k_dim - pc)
            _pack(B, Bt, pc, kc, jc, nc)
            for b in range(bands):
                _band(A, Bt, C, b * MR, pc, kc, jc, nc)
            for i in range(bands * MR, m):   # the last m % 4 rows
                _row(A, Bt, C, i, pc, kc, jc, nc)


@njit(fastmath=True, cache=True, parallel=True)
def tiled_parallel(A, B, C):
    """``tiled`` with the bands of 4 rows spread over threads (prange); the packing stays serial."""
    m, k_dim = A.shape
    n = B.shape[1]
    Bt = np.empty((NC, KC), A.dtype)
    bands = m // MR
    for jc in range(0, n, NC):
        nc = min(NC, n - jc)
        for pc in range(0, k_dim, KC):
            kc = min(KC, k_dim - pc)
            _pack(B, Bt, pc, kc, jc, nc)
            for b in prange(bands):
                _band(A, Bt, C, b * MR, pc, kc, jc, nc)
            for i in range(bands * MR, m):
                _row(A, Bt, C, i, pc, kc, jc, nc)


@njit(fastmath=True, cache=True)
def batched_ikj(A, B, C):
    """C[l] += A[l] @ B[l] for every l, one compiled call: the ikj kernel inside a loop over the batch."""
    for l in range(A.shape[0]):
        ikj(A[l], B[l], C[l])


@njit(fastmath=True, cache=True, parallel=True)
def batched_ikj_parallel(A, B, C):
    """``batched_ikj`` with the matrices of the batch spread over threads."""
    for l in prange(A.shape[0]):
        ikj(A[l], B[l], C[l])


def panel_bytes(itemsize: int) -> int:
    """Workspace of ``tiled``: the packed panel Bt, NC x KC elements."""
    return NC * KC * itemsize
