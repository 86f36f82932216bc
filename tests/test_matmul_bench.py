"""The matmul benchmark harness: a tiny run end to end, its skip rule, goals, report, and the CLI's bad input."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from nnlab.scratch.matmul.bench import BenchConfig, blas_worker, check_config, run_bench
from nnlab.scratch.matmul.goals import check_goals
from nnlab.scratch.matmul.report import render_markdown, write_run

_SCRIPT = Path(sys.executable).parent / "nnlab"
NNLAB = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "nnlab.cli"]

TINY = BenchConfig(sizes=(8, 24), rect=((5, 17, 3),), batched=((16, 4),), gpu_sizes=(64,), gpu_rect=(),
                   variants=("numba-ikj", "numpy", "numpy-loop", "numpy-batched", "torch-cuda"), threads=(1,),
                   min_time=0.01, min_samples=3, max_call_s=1.0, gate="quick")


@pytest.fixture(scope="module")
def tiny_run():
    return run_bench(TINY, log=lambda line: None)


def test_tiny_run_times_every_variant_on_every_shape(tiny_run):
    ok = {(r["variant"], tuple(r["shape"])) for r in tiny_run.rows if r["status"] == "ok"}
    for name in ("numba-ikj", "numpy"):
        assert {(name, (8, 8, 8)), (name, (24, 24, 24)), (name, (5, 17, 3))} <= ok
    assert {("numpy-loop", (16, 4, 4, 4)), ("numpy-batched", (16, 4, 4, 4))} <= ok


def test_every_timed_result_is_checked_and_compared_with_blas(tiny_run):
    for r in (r for r in tiny_run.rows if r["status"] == "ok"):
        assert r["err_eps"] <= 10 and r["samples"] >= 3 and r["gflops"] > 0
        assert r["pct_blas"] is not None and r["memory_bytes"] > 0
    numpy_rows = [r for r in tiny_run.rows if r["variant"] == "numpy"]
    assert all(r["pct_blas"] == pytest.approx(100) for r in numpy_rows)


def test_gate_and_compile_time_are_recorded_before_timing(tiny_run):
    prepared = {(p["variant"], p["dtype"]): p for p in tiny_run.prepared}
    ikj = prepared[("numba-ikj", "float32")]
    assert ikj["status"] == "ok" and ikj["compile_s"] > 0
    assert ikj["cache"] in ("hit", "miss: compiled", "already in memory")
    assert "passed" in ikj["gate"]


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="checks the skip message on a CPU machine")
def test_gpu_variants_are_skipped_with_the_reason_without_cuda(tiny_run):
    gpu = [p for p in tiny_run.prepared if p["variant"] == "torch-cuda"]
    assert gpu and all(p["status"] == "skipped" and "CUDA" in p["reason"] for p in gpu)
    assert not [r for r in tiny_run.rows if r["variant"] == "torch-cuda"]


def test_blas_process_records_its_threads_and_kernel(tiny_run):
    worker = tiny_run.info["worker"]
    blas = [p for p in worker["pools"] if p["user_api"] == "blas"]
    assert blas and blas[0]["num_threads"] >= 1
    assert "numba" in tiny_run.info["main"]["threads"] and len(tiny_run.info["load_start"]) == 3


def test_report_and_figures_are_written(tiny_run, tmp_path):
    paths = write_run(tiny_run, tmp_path / "m.md", command="test")
    names = {p.name for p in paths}
    assert names == {"m.md", "m.json", "m_scaling.png", "m_batched.png"}
    text = (tmp_path / "m.md").read_text()
    assert "## Goals" in text and "| numba-ikj | 1 |" in text and "Load average" in text
    assert json.loads((tmp_path / "m.json").read_text())["rows"]
    assert all((tmp_path / n).stat().st_size > 10_000 for n in ("m_scaling.png", "m_batched.png"))


def test_calls_estimated_past_the_limit_are_skipped_not_run():
    cfg = BenchConfig(sizes=(64,), rect=(), batched=(), variants=("python-ijk",), threads=(1,), max_call_s=1e-4,
                      gate="quick", min_time=0.01)
    result = run_bench(cfg, log=lambda line: None)
    (row,) = result.rows
    assert row["status"] == "skipped" and "estimated" in row["reason"] and "limit" in row["reason"]


def test_worker_answers_errors_as_records_not_crashes():
    worker = blas_worker()
    try:
        answer = worker.ask("measure", name="no-such-variant", dtype="float32", shape=[2, 2, 2], threads=1)
        assert answer["status"] == "error" and "no-such-variant" in answer["reason"]
        assert worker.ask("prepare", name="numpy", dtype="float32", gate_level="quick")["status"] == "ok"
    finally:
        worker.close()


@pytest.mark.parametrize("change, word", [({"sizes": (0,)}, "Every size must"), ({"sizes": (20000,)}, "16384"),
                                          ({"variants": ("numba-tild",)}, "numba-tiled"),
                                          ({"dtype": "int8"}, "float32"), ({"threads": (0,)}, "Thread counts")])
def test_check_config_refuses_what_cannot_run(change, word):
    import dataclasses
    with pytest.raises(ValueError, match=word):
        check_config(dataclasses.replace(TINY, **change))


def _row(variant, n, gflops, pct=None, threads=1, shape=None, seconds=None):
    return {"variant": variant, "threads": threads, "shape": list(shape or (n, n, n)), "dtype": "float32",
            "status": "ok", "gflops": gflops, "pct_blas": pct, "median_s": seconds}


def test_goals_report_met_missed_and_by_how_much():
    rows = [_row("numba-ikj", 1024, 20.0, pct=26.0), _row("numba-tiled", 1024, 28.0, pct=36.4),
            _row("numpy-loop", 0, 1, shape=(1024, 32, 32, 32), seconds=0.020),
            _row("numpy-batched", 0, 1, shape=(1024, 32, 32, 32), seconds=0.004)]
    goals = {g.name: g for g in check_goals(rows, cpu_threads=2)}
    assert goals["numba ikj vs BLAS"].met is True
    ratio = goals["numba tiled vs numba ikj"]
    assert ratio.met is False and "1.40x" in ratio.measured and "short by 0.10x" in ratio.measured
    assert goals["numba tiled vs BLAS"].met is False and "3.6 points" in goals["numba tiled vs BLAS"].measured
    batched = goals["numpy-batched vs numpy-loop"]
    assert batched.met is False and "5.0x" in batched.measured and batched.why
    assert goals["torch-bmm vs torch-loop"].met is None and goals["Triton float16 vs cuBLAS"].met is None


def test_markdown_of_a_run_without_rows_still_renders():
    from nnlab.scratch.matmul.bench import BenchResult
    result = BenchResult(TINY, info={"date": "today", "load_start": (1.0, 1.0, 1.0), "main": None, "worker": None})
    text = render_markdown(result)
    assert "not measured in this run" in text


def test_cli_bad_sizes_print_one_line_and_exit_2():
    result = subprocess.run(NNLAB + ["matmul-bench", "--sizes", "64,x"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--sizes" in result.stderr and "Traceback" not in result.stderr
