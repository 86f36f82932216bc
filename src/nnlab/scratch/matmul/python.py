"""Matrix multiplication in pure Python, on lists of lists: the slowest rung of the ladder, and the clearest.

C[i][j] = sum_k A[i][k] * B[k][j], with A (M, K), B (K, N), C (M, N) as M lists of K (or N) Python floats.
Python floats are float64 objects of 24 bytes, each held by an 8-byte pointer: 32 bytes per number where a
float32 array needs 4. The arithmetic is float64 whatever dtype the operands came in.
"""
from __future__ import annotations

__all__ = ["matmul_ijk", "matmul_ikj", "list_bytes"]


def matmul_ijk(A: list[list[float]], B: list[list[float]]) -> list[list[float]]:
    """The textbook order: for each C[i][j], a dot product of row i of A and column j of B.

    Walking down a column of B jumps from list to list, and every A[i][k] and B[k][j] is two lookups.
    """
    m, k_dim, n = len(A), len(B), len(B[0]) if B else 0
    C = [[0.0] * n for _ in range(m)]
    for i in range(m):
        for j in range(n):
            s = 0.0
            for k in range(k_dim):
                s += A[i][k] * B[k][j]
            C[i][j] = s
    return C


def matmul_ikj(A: list[list[float]], B: list[list[float]]) -> list[list[float]]:
    """The same sum in i, k, j order with the rows hoisted: C[i] += A[i][k] * B[k], one row at a time.

    The inner loop walks along row k of B and row i of C, which are fixed for the loop, so the row lookups
    move out of it; this is the order that vectorises in compiled code.
    """
    n = len(B[0]) if B else 0
    C = [[0.0] * n for _ in range(len(A))]
    for Ai, Ci in zip(A, C):
        for a, Bk in zip(Ai, B):
            for j in range(n):
                Ci[j] += a * Bk[j]
    return C


def list_bytes(rows: int, cols: int) -> int:
    """Bytes of a rows x cols list of lists of distinct floats (CPython 3.11, 64-bit): what ``tolist`` builds.

    Outer list: 56-byte header + 8 per row pointer; each row: 56 + 8 per pointer; each float object: 24.
    """
    return 56 + 8 * rows + rows * (56 + 8 * cols) + 24 * rows * cols
