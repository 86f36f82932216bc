"""Matmul kernels: every CPU variant through the correctness gate, edge tiles, bad operands, memory, timing."""
import sys
import tracemalloc

import numpy as np
import pytest

from nnlab.scratch.matmul import VARIANTS, load, matmul, normalised_error, random_operands, run_gate, tolerance
from nnlab.scratch.matmul.gate import gate_shapes
from nnlab.scratch.matmul.kernel import Kernel
from nnlab.scratch.matmul.operands import flops
from nnlab.scratch.matmul.timing import measure

CPU = [n for n, v in VARIANTS.items() if v.device == "cpu"]
# Threaded variants share their kernels with the serial ones; a busy machine makes their many tiny parallel calls
# slow, so they get the edge-shape tests below instead of the whole quick gate.
SERIAL = [n for n in CPU if not n.endswith("parallel")]


# 1) the gate, on every CPU variant ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["numba-ikj", "numba-tiled"])
def test_full_gate_passes_in_float32(name):
    # every size 1..128 and 50 rectangular shapes up to 300 (past the 256-wide panels of the tiled kernel)
    result = run_gate(VARIANTS[name], load(name), "float32", "full")
    assert result.shapes == 178
    assert result.passed, str(result)


@pytest.mark.parametrize("name", SERIAL)
def test_quick_gate_passes_for_every_serial_cpu_variant(name):
    dtype = "float64" if name.startswith("numba") else "float32"
    result = run_gate(VARIANTS[name], load(name), dtype, "quick")
    assert result.passed, str(result)
    assert result.worst_error <= tolerance(dtype)


@pytest.mark.parametrize("name", ["numba-tiled", "numba-tiled-parallel"])
@pytest.mark.parametrize("shape", [(7, 513, 259), (261, 300, 5), (5, 257, 513), (4, 256, 256), (9, 1, 3), (3, 2, 1)])
def test_tiled_kernels_handle_partial_panels_and_blocks(name, shape):
    # 513 = 2 panels of 256 + 1; 259 = one panel + 3 columns (an odd remainder); 261 = 65 bands of 4 rows + 1
    A, B = random_operands(shape, "float32", seed=1)
    assert normalised_error(matmul(A, B, name), A, B) <= tolerance("float32")


@pytest.mark.parametrize("shape", [(3, 5, 7, 9), (1, 1, 1, 1), (2, 33, 1, 17)])
def test_batched_parallel_matches_float64(shape):
    A, B = random_operands(shape, "float32", seed=2)
    assert normalised_error(matmul(A, B, "numba-batched-parallel"), A, B) <= tolerance("float32")


def test_gate_catches_a_kernel_that_drops_the_last_column():
    def broken(A, B):
        C = A @ B
        if C.shape[1] % 2:
            C[:, -1] = 0
        return C
    result = run_gate(VARIANTS["numpy"], Kernel(run=broken), "float32", "quick")
    assert not result.passed
    assert all(shape[2] % 2 for shape in result.failures) and (1, 1, 1) in result.failures


def test_normalised_error_by_hand():
    A = np.array([[1.0, -2.0]])        # max|A| = 2, K = 2
    B = np.array([[3.0], [4.0]])       # max|B| = 4; exact C = 3 - 8 = -5
    C = np.array([[-5.5]])             # off by 0.5
    assert normalised_error(C, A, B) == pytest.approx(0.5 / (2 * 4 * 2))


def test_gate_shapes_cover_every_square_size_and_fifty_rectangles():
    shapes = gate_shapes("full")
    assert shapes[:128] == [(n, n, n) for n in range(1, 129)]
    rect = shapes[128:]
    assert len(rect) == 50 and max(max(s) for s in rect) > 256 and gate_shapes("full") == shapes


def test_zero_inner_size_gives_zeros():
    A, B = np.ones((3, 0), np.float32), np.ones((0, 2), np.float32)
    for name in ("numba-ikj", "numba-tiled", "python-ikj"):
        np.testing.assert_array_equal(matmul(A, B, name), np.zeros((3, 2), np.float32))


def test_results_keep_the_operands_dtype():
    A, B = random_operands((5, 6, 7), "float64")
    assert matmul(A, B, "numba-tiled").dtype == np.float64
    assert matmul(A.astype(np.float32), B.astype(np.float32), "python-ijk").dtype == np.float32


def test_bfloat16_operands_are_exactly_representable():
    import torch
    A, _ = random_operands((4, 50, 3), "bfloat16")
    rounded = torch.from_numpy(A).to(torch.bfloat16).float().numpy()
    np.testing.assert_array_equal(A, rounded)


# 2) bad operands ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("A, B, variant, words", [
    (np.ones((3, 4), np.float32), np.ones((5, 6), np.float32), "numba-tiled",
     ["(3, 4)", "(5, 6)", "4 columns", "5 rows"]),
    (np.ones(3, np.float32), np.ones((3, 2), np.float32), "numba-ikj", ["2-D", "(3,)", "(3, 2)"]),
    (np.ones((2, 3, 4), np.float32), np.ones((2, 4, 5), np.float32), "numpy", ["2-D", "(2, 3, 4)"]),
    (np.ones((3, 4)), np.ones((4, 5)), "numpy-batched", ["3-D", "(3, 4)", "(4, 5)"]),
    (np.ones((2, 3, 4), np.float32), np.ones((3, 4, 5), np.float32), "torch-bmm",
     ["(2, 3, 4)", "(3, 4, 5)", "2 and 3"]),
    (np.ones((3, 4), np.int64), np.ones((4, 5), np.int64), "numba-tiled", ["int64", "(3, 4)", "float32"]),
    (np.ones((3, 4), np.float32), np.ones((4, 5), np.float64), "numba-ikj", ["float32", "float64", "(4, 5)"]),
    (np.ones((3, 4), np.float16), np.ones((4, 5), np.float16), "numba-ikj", ["float16", "(3, 4)"]),
    ([[1.0, 2.0]], np.ones((2, 1)), "numpy", ["list", "(2, 1)"]),
])
def test_bad_operands_raise_value_error_naming_the_shapes(A, B, variant, words):
    with pytest.raises(ValueError) as info:
        matmul(A, B, variant)
    for word in words:
        assert word in str(info.value)


def test_unknown_variant_lists_the_known_ones():
    with pytest.raises(ValueError, match="numba-tiled"):
        matmul(np.ones((2, 2)), np.ones((2, 2)), "numba-tild")


# 3) memory and timing -----------------------------------------------------------------------------------------

def test_python_list_footprint_matches_what_tolist_allocates():
    from nnlab.scratch.matmul.python import list_bytes
    x = np.random.default_rng(0).standard_normal((100, 120))   # large enough that the float free list is noise
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    rows = x.tolist()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert used == pytest.approx(list_bytes(100, 120), rel=0.02)
    assert sys.getsizeof(rows[0][0]) == 24   # a float object; 8 more bytes for the pointer to it


def test_tiled_memory_counts_its_packed_panel():
    shape = (64, 64, 64)
    plain = load("numba-ikj").memory(shape, "float32")
    assert plain == 3 * 64 * 64 * 4
    assert load("numba-tiled").memory(shape, "float32") == plain + 256 * 256 * 4


def test_measure_takes_at_least_the_minimum_samples_and_orders_its_quartiles():
    t = measure(lambda: sum(range(200)), min_time=0.02, min_samples=5)
    assert t.samples >= 5 and t.per_sample > 1   # a microsecond call is timed in groups
    assert t.q1_s <= t.median_s <= t.q3_s and t.spread >= 0


def test_flops_counts_two_per_multiply_add():
    assert flops((2, 3, 4)) == 48 and flops((5, 2, 3, 4)) == 240
