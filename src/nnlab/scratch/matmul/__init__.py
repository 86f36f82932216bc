"""Matrix multiplication from scratch, up the ladder from pure Python to BLAS and the GPU (exercise 1.4).

C = A @ B with A (M, K), B (K, N): C[i, j] = sum_k A[i, k] B[k, j], 2 M N K flops; batched variants take
A (L, M, K) and B (L, K, N). ``matmul(A, B, variant)`` runs any entry of ``VARIANTS``.

Modules, one idea each:

    operands        dtypes, operand checks (clear errors naming the shapes), seeded random operands
    python          pure Python on lists: ijk, and ikj with hoisted rows
    numba_kernels   numba: ijk, ikj, the cache-tiled and register-blocked kernel, its prange twin, batched
    cuda_kernels    numba.cuda: naive, and 16 x 16 shared-memory tiles (float32)
    triton_kernel   a Triton kernel, float32 (no TF32) / float16 / bfloat16 (imported only with Triton)
    kernel, variants   the harness's view of a variant (prepare, run, fetch) and the VARIANTS registry
    gpu             the GPU variants' device copies, syncs and pinned precision
    gate            the correctness gate: float64 reference, normalised error <= 10 eps on 178 shapes
    timing          warm-up, repeats until about a second, median and quartiles
    machine         CPU model, computed peak, thread pools (pinned and recorded), the BLAS kernel
    runner, bench   one variant's compile + gate + timing; the whole benchmark; report and plot write it up

Nothing here imports numba or torch until a variant is loaded.
"""
from nnlab.scratch.matmul.gate import normalised_error, run_gate, tolerance
from nnlab.scratch.matmul.operands import DTYPES, check_operands, flops, random_operands
from nnlab.scratch.matmul.variants import FAMILIES, VARIANTS, Variant, load, matmul

__all__ = ["matmul", "VARIANTS", "FAMILIES", "Variant", "load", "DTYPES", "check_operands", "random_operands",
           "flops", "normalised_error", "run_gate", "tolerance"]
