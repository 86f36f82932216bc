"""VARIANTS: every way the lab multiplies matrices, by name, and ``matmul`` to call any of them.

Each entry says what it computes in (dtypes), whether it takes a batch, whether it uses the thread count it is
given, and where it runs (``worker``: the BLAS baseline process, see ``bench``). Its ``load`` imports what the
variant needs only when it is first used, so listing the registry imports neither numba nor torch.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from nnlab._validation import check_choice
from nnlab.scratch.matmul.kernel import Kernel, array_bytes
from nnlab.scratch.matmul.operands import check_operands

__all__ = ["Variant", "VARIANTS", "FAMILIES", "matmul", "load"]

FAMILIES = {
    "python": "pure Python on lists of lists",
    "numba": "compiled from scratch with numba",
    "blas": "the libraries' BLAS (NumPy: OpenBLAS; PyTorch: MKL on x86)",
    "batched": "L matrices at once: a Python loop of 2-D calls against one batched call",
    "gpu": "CUDA: cuBLAS through PyTorch, numba.cuda kernels, a Triton kernel",
}

CPU = ("float32", "float64")


@dataclass(frozen=True)
class Variant:
    """A matmul variant: ``load()`` gives its :class:`Kernel`; the rest describes it for the harness.

    gflops_guess: a rough rate used to estimate how long a call takes before anything has been measured,
    so that the benchmark can skip sizes a variant cannot finish in time instead of hanging.
    """
    name: str
    family: str
    description: str
    loader: Callable[[], Kernel]
    dtypes: tuple[str, ...] = CPU
    batched: bool = False
    threaded: bool = False
    worker: bool = False
    device: str = "cpu"
    gflops_guess: float = 1.0

    def load(self) -> Kernel:
        return _load(self.name)


# 1) pure Python ----------------------------------------------------------------------------------------------

def _python(name: str) -> Kernel:
    from nnlab.scratch.matmul import python as py

    kernel = getattr(py, f"matmul_{name}")

    def prepare(A, B, dtype):
        return A.tolist(), B.tolist(), B.shape[1]

    def run(A, B, n):   # with K = 0, B is an empty list and cannot tell N: the zero result comes from here
        return kernel(A, B) if B else [[0.0] * n for _ in A]

    def memory(shape, dtype):
        m, k, n = shape
        return py.list_bytes(m, k) + py.list_bytes(k, n) + py.list_bytes(m, n)

    return Kernel(run=run, prepare=prepare, fetch=np.array, memory=memory)


# 2) numba, on the CPU ----------------------------------------------------------------------------------------

def _numba(name: str) -> Kernel:
    from nnlab.scratch.matmul import numba_kernels as nk
    kernel = getattr(nk, name)

    def run(A, B):
        C = np.zeros((*A.shape[:-1], B.shape[-1]), A.dtype)   # (M, N) or (L, M, N)
        kernel(A, B, C)
        return C

    def memory(shape, dtype):   # the tiled kernels also hold one packed panel of B
        from nnlab.scratch.matmul.operands import DTYPES
        extra = nk.panel_bytes(DTYPES[dtype].itemsize) if name.startswith("tiled") else 0
        return array_bytes(shape, dtype) + extra

    return Kernel(run=run, memory=memory, compile="numba", dispatcher=kernel)


def _numba_loop() -> Kernel:
    """A Python loop calling the compiled 2-D ikj kernel once per matrix."""
    from nnlab.scratch.matmul import numba_kernels as nk

    def run(A, B):
        C = np.zeros((*A.shape[:-1], B.shape[-1]), A.dtype)
        for l in range(A.shape[0]):
            nk.ikj(A[l], B[l], C[l])
        return C

    return Kernel(run=run, compile="numba", dispatcher=nk.ikj)


# 3) the libraries --------------------------------------------------------------------------------------------

def _numpy_loop() -> Kernel:
    def run(A, B):
        C = np.empty((*A.shape[:-1], B.shape[-1]), A.dtype)
        for l in range(A.shape[0]):
            np.matmul(A[l], B[l], out=C[l])
        return C
    return Kernel(run=run)


def _torch(kind: str) -> Kernel:
    import torch

    def prepare(A, B, dtype):
        return torch.from_numpy(A), torch.from_numpy(B)   # shares the NumPy buffers: no copy

    def loop(a, b):
        c = torch.empty((*a.shape[:-1], b.shape[-1]), dtype=a.dtype)
        for l in range(a.shape[0]):
            torch.mm(a[l], b[l], out=c[l])
        return c

    run = {"matmul": torch.matmul, "bmm": torch.bmm, "loop": loop}[kind]
    return Kernel(run=run, prepare=prepare, fetch=lambda c: c.numpy())


def _gpu(name: str) -> Callable[[], Kernel]:
    def load() -> Kernel:
        from nnlab.scratch.matmul import gpu
        return gpu.kernel(name)
    return load


def _v(name, family, description, loader, **kw) -> tuple[str, Variant]:
    return name, Variant(name, family, description, loader, **kw)


GPU = ("float32", "float16", "bfloat16")
VARIANTS: dict[str, Variant] = dict([
    _v("python-ijk", "python", "triple loop, dot product per element", lambda: _python("ijk"), gflops_guess=0.005),
    _v("python-ikj", "python", "i-k-j order, rows hoisted out of the inner loop", lambda: _python("ikj"),
       gflops_guess=0.008),
    _v("numba-ijk", "numba", "triple loop, dot product per element", lambda: _numba("ijk"), gflops_guess=0.3),
    _v("numba-ikj", "numba", "i-k-j order: contiguous, vectorised inner loop", lambda: _numba("ikj"),
       gflops_guess=5.0),
    _v("numba-tiled", "numba", "packed 256x256 panels of B, 4x2 register blocks", lambda: _numba("tiled"),
       gflops_guess=10.0),
    _v("numba-tiled-parallel", "numba", "numba-tiled with prange over bands of 4 rows",
       lambda: _numba("tiled_parallel"), threaded=True, gflops_guess=10.0),
    _v("numpy", "blas", "np.matmul (OpenBLAS sgemm/dgemm)", lambda: Kernel(run=np.matmul), threaded=True,
       worker=True, gflops_guess=20.0),
    _v("torch", "blas", "torch.matmul on CPU tensors (MKL)", lambda: _torch("matmul"), threaded=True, worker=True,
       gflops_guess=20.0),
    _v("numpy-loop", "batched", "Python loop of np.matmul, one per matrix", _numpy_loop, batched=True,
       worker=True, gflops_guess=1.0),
    _v("numpy-batched", "batched", "one np.matmul on (L, n, n)", lambda: Kernel(run=np.matmul), batched=True,
       worker=True, gflops_guess=2.0),
    _v("torch-loop", "batched", "Python loop of torch.mm, one per matrix", lambda: _torch("loop"), batched=True,
       worker=True, gflops_guess=0.5),
    _v("torch-bmm", "batched", "one torch.bmm on (L, n, n)", lambda: _torch("bmm"), batched=True, worker=True,
       gflops_guess=2.0),
    _v("numba-loop", "batched", "Python loop of the numba ikj kernel, one call per matrix", _numba_loop,
       batched=True, gflops_guess=1.0),
    _v("numba-batched", "batched", "the numba ikj kernel over the whole batch in one call",
       lambda: _numba("batched_ikj"), batched=True, gflops_guess=2.0),
    _v("numba-batched-parallel", "batched", "numba-batched with prange over the matrices",
       lambda: _numba("batched_ikj_parallel"), batched=True, threaded=True, gflops_guess=2.0),
    _v("torch-cuda", "gpu", "torch.matmul on CUDA (cuBLAS), TF32 off", _gpu("torch-cuda"), dtypes=GPU,
       device="cuda", gflops_guess=1000.0),
    _v("torch-cuda-bmm", "gpu", "torch.bmm on CUDA (cuBLAS), TF32 off", _gpu("torch-cuda-bmm"), dtypes=GPU,
       batched=True, device="cuda", gflops_guess=500.0),
    _v("numba-cuda-naive", "gpu", "numba.cuda, one thread per element of C", _gpu("numba-cuda-naive"),
       dtypes=("float32",), device="cuda", gflops_guess=100.0),
    _v("numba-cuda-shared", "gpu", "numba.cuda, 16x16 tiles of A and B in shared memory",
       _gpu("numba-cuda-shared"), dtypes=("float32",), device="cuda", gflops_guess=200.0),
    _v("triton", "gpu", "Triton tiled kernel, fp32 accumulator (fp32 inputs without TF32)", _gpu("triton"),
       dtypes=GPU, device="cuda", gflops_guess=1000.0),
])


@cache
def _load(name: str) -> Kernel:
    return VARIANTS[name].loader()


def load(name: str) -> Kernel:
    """The :class:`Kernel` of variant ``name`` (imported on first use, then kept)."""
    return _load(check_choice("variant", name, VARIANTS))


def matmul(A: np.ndarray, B: np.ndarray, variant: str = "numba-tiled") -> np.ndarray:
    """C = A @ B with the named variant: A (M, K) and B (K, N), or (L, M, K) and (L, K, N) for batched ones.

    Operands are checked first (rank, matching inner sizes, one dtype the variant computes in); the result is
    a NumPy array of the operands' dtype. GPU variants copy to the device and back.
    """
    v = VARIANTS[check_choice("variant", variant, VARIANTS)]
    host_dtypes = tuple(d for d in v.dtypes if d in ("float32", "float64", "float16"))
    A, B = check_operands(A, B, batched=v.batched, dtypes=host_dtypes, variant=f"matmul variant '{variant}'")
    return np.asarray(load(variant)(A, B, A.dtype.name), dtype=A.dtype)
