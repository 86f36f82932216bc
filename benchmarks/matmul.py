"""Benchmark matrix multiplication from pure Python to BLAS (and the GPU where CUDA is present), in one run.

Every variant of ``nnlab.scratch.matmul.VARIANTS`` is first compiled (JIT time reported apart) and put through
the correctness gate (sizes 1..128 and 50 rectangular shapes against float64); then all are timed side by side
on the same shapes: powers of two 16..2048, the awkward 127, 1000, 1023, 1025, one rectangular shape, and
batches of small matrices, at 1 thread and at all cores. NumPy and torch run in a second process whose
environment lacks OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (the kernel OpenBLAS then picks is recorded).
GPU variants run where CUDA is present and are skipped, with that reason, where it is not. numba starts from an
empty cache directory (unless --warm-jit), so the compile times it reports are real compile times.

Writes ``benchmarks/results/matmul.md`` (goals, GFLOP/s tables, every measurement, conditions), ``matmul.json``
and the figures ``matmul_scaling.png`` and ``matmul_batched.png``.

Run:  ``python benchmarks/matmul.py``  (several minutes)  or  ``python benchmarks/matmul.py --quick``  (a
smoke run: small sizes, short timings, the quick gate; written to ``matmul_quick.md`` unless --out is given).
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import tempfile

from nnlab.scratch.matmul.bench import QUICK, BenchConfig, BenchResult, run_bench
from nnlab.scratch.matmul.report import write_run
from nnlab.scratch.matmul.variants import VARIANTS


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",") if x.strip())


def _shapes(text: str) -> tuple[tuple[int, ...], ...]:
    """'1024x2752x1024,64x64x64' -> ((1024, 2752, 1024), (64, 64, 64)); 'none' -> ()."""
    return () if text == "none" else tuple(tuple(int(x) for x in part.split("x")) for part in text.split(","))


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smoke run: small sizes, short timings, quick gate")
    p.add_argument("--sizes", type=_ints, help="square sizes, e.g. 64,256,1024 (default: the full list)")
    p.add_argument("--variants", help=f"comma-separated subset of: {', '.join(VARIANTS)}")
    p.add_argument("--rect", type=_shapes, help="rectangular MxKxN shapes, comma-separated, or 'none'")
    p.add_argument("--batched", type=_shapes, help="batches LxN (L matrices of N x N), comma-separated, or 'none'")
    p.add_argument("--threads", type=_ints, help="thread counts for threaded variants (default: 1 and all cores)")
    p.add_argument("--rounds", type=int, help="interleaved rounds per shape (default 3)")
    p.add_argument("--min-time", type=float, help="seconds of samples per variant and shape (default 1)")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    p.add_argument("--max-call-s", type=float, help="skip calls estimated to take longer (default 2, quick 0.5)")
    p.add_argument("--warm-jit", action="store_true",
                   help="reuse numba's on-disk cache (default: compile afresh, so compile times are real)")
    p.add_argument("--keep-openblas-env", action="store_true",
                   help="leave OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE in the BLAS baseline process")
    p.add_argument("--out", help="Markdown file (default benchmarks/results/matmul.md, quick: matmul_quick.md)")
    p.add_argument("--render", metavar="JSON", help="only rewrite the report and figures of a saved run")
    return p.parse_args(argv)


def config(args: argparse.Namespace) -> BenchConfig:
    cfg = QUICK if args.quick else BenchConfig()
    changes = {"dtype": args.dtype, "clean_openblas": not args.keep_openblas_env}
    if args.sizes:
        changes["sizes"] = args.sizes
    if args.variants:
        changes["variants"] = tuple(v.strip() for v in args.variants.split(",") if v.strip())
    for name in ("rect", "batched", "threads", "rounds", "min_time"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    if args.max_call_s:
        changes["max_call_s"] = args.max_call_s
    return dataclasses.replace(cfg, **changes)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.render:   # the report and figures of a saved run, without measuring again
        from pathlib import Path
        saved = Path(args.render)
        result = BenchResult.from_json(saved.read_text())
        for path in write_run(result, args.out or saved.with_suffix(".md"), command=result.info.get("command", "")):
            print(f"wrote {path}")
        return 0
    out = args.out or f"benchmarks/results/matmul{'_quick' if args.quick else ''}.md"
    command = "python benchmarks/matmul.py " + " ".join(sys.argv[1:] if argv is None else argv)
    cold = None
    if not args.warm_jit:   # an empty cache directory: every numba kernel compiles in this run
        cold = tempfile.mkdtemp(prefix="nnlab-numba-cache-")
        os.environ["NUMBA_CACHE_DIR"] = cold
    try:
        result = run_bench(config(args), log=lambda line: print(line, flush=True))
    finally:
        if cold:
            shutil.rmtree(cold, ignore_errors=True)
    result.info["command"] = command
    result.info["jit"] = "cold: numba compiled every kernel in this run" if cold else "warm: numba's on-disk cache"
    if not any(r["status"] == "ok" for r in result.rows if VARIANTS[r["variant"]].device == "cuda"):
        print("GPU variants skipped: " + next((p["reason"] for p in result.prepared
                                              if VARIANTS[p["variant"]].device == "cuda" and p.get("reason")),
                                             "none selected"))
    for path in write_run(result, out, command=command):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
