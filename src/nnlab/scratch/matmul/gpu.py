"""The GPU variants' harness side: device copies in ``prepare``, a device sync at the end of ``run``.

Only used where CUDA is present; ``unavailable(name)`` says why a variant cannot run here (no CUDA, no Triton)
and the harness then skips it with that reason. Precision is pinned for every run:

- float32: TF32 off (``torch.set_float32_matmul_precision("highest")``; Triton ``input_precision="ieee"``),
  so all variants compute the same IEEE float32 products that the CPU does.
- float16 / bfloat16: inputs in that format, float32 accumulation, reduced-precision reductions off.
"""
from __future__ import annotations

import contextlib
import importlib.util

import numpy as np

from nnlab.scratch.matmul.kernel import Kernel

__all__ = ["unavailable", "kernel", "strict_precision"]


def unavailable(name: str) -> str | None:
    """None if variant ``name`` can run on this machine, else the reason it cannot."""
    try:
        import torch
    except ImportError:   # pragma: no cover - torch is a dependency
        return "torch is not installed"
    if not torch.cuda.is_available():
        return "CUDA is not available"
    if name == "triton" and importlib.util.find_spec("triton") is None:
        return "Triton is not installed"
    if name.startswith("numba-cuda"):
        from numba import cuda
        if not cuda.is_available():
            return "numba.cuda finds no usable GPU or CUDA toolkit"
    return None


@contextlib.contextmanager
def strict_precision():
    """TF32 off for float32 matmuls, float32 accumulation for float16/bfloat16; restores the old settings."""
    import torch
    matmul = torch.backends.cuda.matmul
    old = (torch.get_float32_matmul_precision(), matmul.allow_fp16_reduced_precision_reduction,
           matmul.allow_bf16_reduced_precision_reduction)
    torch.set_float32_matmul_precision("highest")
    matmul.allow_fp16_reduced_precision_reduction = False
    matmul.allow_bf16_reduced_precision_reduction = False
    try:
        yield
    finally:
        torch.set_float32_matmul_precision(old[0])
        matmul.allow_fp16_reduced_precision_reduction, matmul.allow_bf16_reduced_precision_reduction = old[1:]


def _to_device(A: np.ndarray, B: np.ndarray, dtype: str) -> tuple:
    """A and B as contiguous CUDA tensors of ``dtype`` (bfloat16 arrives as float32 already rounded)."""
    import torch
    kind = getattr(torch, dtype)
    return tuple(torch.from_numpy(x).to(device="cuda", dtype=kind).contiguous() for x in (A, B))


def _fetch(c) -> np.ndarray:
    """Back to the host; bfloat16 (unknown to NumPy) comes back as float32."""
    import torch
    c = c.detach()
    return (c.float() if c.dtype == torch.bfloat16 else c).cpu().numpy()


def _device_memory(shape, dtype) -> int:
    from nnlab.scratch.matmul.kernel import array_bytes
    return array_bytes(shape, dtype)


def _torch_kernel(batched: bool) -> Kernel:
    import torch
    op = torch.bmm if batched else torch.matmul

    def run(a, b):
        with strict_precision():
            c = op(a, b)
        torch.cuda.synchronize()
        return c

    return Kernel(run=run, prepare=_to_device, fetch=_fetch, memory=_device_memory)


def _numba_cuda_kernel(shared: bool) -> Kernel:
    from numba import cuda

    from nnlab.scratch.matmul import cuda_kernels as ck
    launch = ck.matmul_shared if shared else ck.matmul_naive

    def prepare(A, B, dtype):
        return tuple(cuda.to_device(np.ascontiguousarray(x, dtype=np.float32)) for x in (A, B))

    def run(a, b):
        c = cuda.device_array((a.shape[0], b.shape[1]), dtype=np.float32)
        launch(a, b, c)
        cuda.synchronize()
        return c

    return Kernel(run=run, prepare=prepare, fetch=lambda c: c.copy_to_host(), memory=_device_memory,
                  compile="numba.cuda")


def _triton_kernel() -> Kernel:
    import torch

    from nnlab.scratch.matmul import triton_kernel as tk

    def run(a, b):
        c = tk.matmul(a, b)
        torch.cuda.synchronize()
        return c

    return Kernel(run=run, prepare=_to_device, fetch=_fetch, memory=_device_memory, compile="triton")


def kernel(name: str) -> Kernel:
    """The :class:`Kernel` of GPU variant ``name``; raises RuntimeError saying why if it cannot run here."""
    reason = unavailable(name)
    if reason:
        raise RuntimeError(f"variant '{name}' cannot run here: {reason}.")
    if name in ("torch-cuda", "torch-cuda-bmm"):
        return _torch_kernel(batched=name.endswith("bmm"))
    if name in ("numba-cuda-naive", "numba-cuda-shared"):
        return _numba_cuda_kernel(shared=name.endswith("shared"))
    if name == "triton":
        return _triton_kernel()
    raise KeyError(name)
