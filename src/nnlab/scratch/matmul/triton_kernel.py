"""A Triton matmul in the style of Triton's tutorial 03: one program per BLOCK_M x BLOCK_N tile of C.

C (M, N) = A (M, K) @ B (K, N) on CUDA tensors of float32, float16 or bfloat16; the accumulator is float32 and
C comes out in the inputs' dtype. Each program:

1. picks its tile with the tutorial's grouped ordering (GROUP_M row-tiles share the B tiles they load, which
   keeps them in L2),
2. walks K in steps of BLOCK_K, loading a masked tile of A and of B (zeros outside the matrices) and
   accumulating ``tl.dot`` of the two,
3. stores the tile, masked at the edges.

float32 inputs use ``input_precision="ieee"``: no TF32, the same IEEE products as the CPU. Block sizes come
from a small table per dtype instead of ``triton.autotune`` (autotuning every shape of the correctness gate
would take minutes); the table holds the tutorial's first configurations.

Imported only where Triton is installed.
"""
from __future__ import annotations

import torch
import triton
import triton.language as tl

__all__ = ["matmul", "CONFIGS"]

# dtype -> (BLOCK_M, BLOCK_N, BLOCK_K, GROUP_M, num_warps, num_stages)
CONFIGS = {
    torch.float32: (64, 64, 32, 8, 4, 3),
    torch.float16: (128, 128, 64, 8, 8, 3),
    torch.bfloat16: (128, 128, 64, 8, 8, 3),
}


@triton.jit
def _kernel(a_ptr, b_ptr, c_ptr, M, N, K,
            stride_am, stride_ak, stride_bk, stride_bn, stride_cm, stride_cn,
            BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr, GROUP_M: tl.constexpr,
            IEEE: tl.constexpr):
    # 1) which tile of C: grouped ordering over (pid_m, pid_n)
    pid = tl.program_id(axis=0)
    num_pid_m = tl.cdiv(M, BLOCK_M)
    num_pid_n = tl.cdiv(N, BLOCK_N)
    in_group = GROUP_M * num_pid_n
    first_m = (pid // in_group) * GROUP_M
    group_m = min(num_pid_m - first_m, GROUP_M)
    pid_m = first_m + ((pid % in_group) % group_m)
    pid_n = (pid % in_group) // group_m

    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    offs_k = tl.arange(0, BLOCK_K)
    a_ptrs = a_ptr + offs_m[:, None] * stride_am + offs_k[None, :] * stride_ak
    b_ptrs = b_ptr + offs_k[:, None] * stride_bk + offs_n[None, :] * stride_bn

    # 2) walk K, accumulating in float32
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k0 in range(0, K, BLOCK_K):
        a = tl.load(a_ptrs, mask=(offs_m[:, None] < M) & (offs_k[None, :] + k0 < K), other=0.0)
        b = tl.load(b_ptrs, mask=(offs_k[:, None] + k0 < K) & (offs_n[None, :] < N), other=0.0)
        if IEEE:
            acc = tl.dot(a, b, acc, input_precision="ieee")
        else:
            acc = tl.dot(a, b, acc)
        a_ptrs += BLOCK_K * stride_ak
        b_ptrs += BLOCK_K * stride_bk

    # 3) store the tile in the output dtype
    c_ptrs = c_ptr + offs_m[:, None] * stride_cm + offs_n[None, :] * stride_cn
    tl.store(c_ptrs, acc.to(c_ptr.dtype.element_ty), mask=(offs_m[:, None] < M) & (offs_n[None, :] < N))


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """C = a @ b for 2-D CUDA tensors of one dtype in CONFIGS (asynchronous, like any CUDA op)."""
    m, k = a.shape
    n = b.shape[1]
    c = torch.empty((m, n), device=a.device, dtype=a.dtype)
    block_m, block_n, block_k, group_m, warps, stages = CONFIGS[a.dtype]
    grid = (triton.cdiv(m, block_m) * triton.cdiv(n, block_n),)
    _kernel[grid](a, b, c, m, n, k, a.stride(0), a.stride(1), b.stride(0), b.stride(1), c.stride(0), c.stride(1),
                  BLOCK_M=block_m, BLOCK_N=block_n, BLOCK_K=block_k, GROUP_M=group_m,
                  IEEE=a.dtype == torch.float32, num_warps=warps, num_stages=stages)
    return c
