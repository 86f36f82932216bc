"""GPU matmul variants: the gate on a real GPU (skipped without CUDA), and the numba.cuda kernels' logic in
numba's CUDA simulator, which runs them on the CPU (no GPU needed)."""
import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest
import torch

from nnlab.scratch.matmul import VARIANTS, load, run_gate

CUDA = torch.cuda.is_available()
needs_cuda = pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU")


@needs_cuda
@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
@pytest.mark.parametrize("name", ["torch-cuda", "torch-cuda-bmm"])
def test_torch_cuda_passes_the_gate(name, dtype):
    result = run_gate(VARIANTS[name], load(name), dtype, "quick")
    assert result.passed, str(result)


@needs_cuda
@pytest.mark.parametrize("name", ["numba-cuda-naive", "numba-cuda-shared"])
def test_numba_cuda_kernels_pass_the_gate_on_the_gpu(name):
    from nnlab.scratch.matmul.gpu import unavailable
    if unavailable(name):
        pytest.skip(unavailable(name))
    result = run_gate(VARIANTS[name], load(name), "float32", "full")
    assert result.passed, str(result)


@needs_cuda
@pytest.mark.skipif(importlib.util.find_spec("triton") is None, reason="needs Triton")
@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_triton_passes_the_gate(dtype):
    result = run_gate(VARIANTS["triton"], load("triton"), dtype, "quick")
    assert result.passed, str(result)


@needs_cuda
def test_float32_on_the_gpu_does_not_use_tf32():
    # TF32 keeps 10 mantissa bits: its error on K = 1024 would be ~1e-4 relative, far past 10 eps(float32)
    from nnlab.scratch.matmul import normalised_error, random_operands
    A, B = random_operands((256, 1024, 256), "float32")
    from nnlab.scratch.matmul import matmul
    assert normalised_error(matmul(A, B, "torch-cuda"), A, B) <= 10 * 2.0 ** -23


@pytest.mark.skipif(CUDA, reason="checks the message on a machine without CUDA")
def test_without_cuda_gpu_variants_say_why():
    from nnlab.scratch.matmul.gpu import unavailable
    for name in ("torch-cuda", "numba-cuda-shared", "triton"):
        assert "CUDA is not available" in unavailable(name)
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        load("torch-cuda")


SIMULATED = textwrap.dedent("""
    import numpy as np
    from numba import cuda
    from nnlab.scratch.matmul import cuda_kernels as ck
    rng = np.random.default_rng(0)
    m, k, n = 17, 33, 5   # 2 row tiles (one partial), 3 K tiles (one partial), 1 partial column tile
    A = rng.standard_normal((m, k)).astype(np.float32)
    B = rng.standard_normal((k, n)).astype(np.float32)
    ref = A.astype(np.float64) @ B.astype(np.float64)
    for launch in (ck.matmul_naive, ck.matmul_shared):
        c = cuda.device_array((m, n), np.float32)
        launch(cuda.to_device(A), cuda.to_device(B), c)
        err = np.abs(c.copy_to_host() - ref).max() / (np.abs(A).max() * np.abs(B).max() * k)
        print(launch.__name__, err)
        assert err <= 10 * 2.0 ** -23, (launch.__name__, err)
""")


def test_numba_cuda_kernels_are_right_in_the_cuda_simulator():
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    result = subprocess.run([sys.executable, "-c", SIMULATED], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "matmul_naive" in result.stdout and "matmul_shared" in result.stdout


INTERPRETED = textwrap.dedent("""
    import torch
    from nnlab.scratch.matmul import triton_kernel as tk
    from nnlab.scratch.matmul.gate import normalised_error, tolerance
    from nnlab.scratch.matmul.operands import random_operands
    for dtype in ("float32", "float16"):   # the interpreter's tl.dot mishandles bfloat16 inputs
        for shape in ((17, 33, 5), (1, 1, 1), (70, 40, 130)):
            A, B = random_operands(shape, dtype)
            a, b = (torch.from_numpy(x).to(getattr(torch, dtype)) for x in (A, B))
            C = tk.matmul(a, b).float().numpy().astype(A.dtype)
            assert normalised_error(C, A, B) <= tolerance(dtype), (dtype, shape)
    print("ok")
""")


@pytest.mark.skipif(importlib.util.find_spec("triton") is None, reason="needs Triton (its interpreter runs on the CPU)")
def test_triton_kernel_is_right_in_the_triton_interpreter():
    env = {**os.environ, "TRITON_INTERPRET": "1"}
    result = subprocess.run([sys.executable, "-c", INTERPRETED], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr[-2000:]
