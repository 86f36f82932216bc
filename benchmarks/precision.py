"""Benchmark numeric precisions: raw matrix products and training, fp32 against bf16 on the CPU, and fp32 (TF32
off and on), bf16 and fp16 on CUDA where torch sees a GPU.

Two tables, side by side in one run:

- **matmul**: one n x n product per dtype, GFLOP/s (2 n^3 / t, median of repeats after a warm-up) and the ratio
  to fp32 at the same n. On the CPU: float32 and bfloat16 at 1 thread. On CUDA: float32 with TF32 off, float32
  with TF32 on (``torch.backends.cuda.matmul.allow_tf32``), bfloat16 and float16, at larger n.
- **training**: the precision lab's workloads (``nnlab.labs.precision.WORKLOADS``: the seed MLP, digits, and
  digits through two layers of 2048) trained through ``nnlab.training.fit`` from the same weights in every
  precision; ms per epoch, the speed-up over fp32, the final training loss and test accuracy. On CUDA an extra
  ``fp32+tf32`` row runs fp32 with TF32 matrix products allowed.

Results go to ``benchmarks/results/precision.md`` with the CPU, its bf16 instruction flags, the GPU, torch and the
load average. Without CUDA the GPU rows are left out and the report says so.

Run:  ``python benchmarks/precision.py``  (a few minutes on a 2-core CPU), or ``--quick``.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import statistics
import time
from pathlib import Path

import torch

from nnlab.environment import cpu_model
from nnlab.labs.precision import WORKLOADS, cpu_bf16_flags, load_workload_data, train_workload

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


@contextlib.contextmanager
def tf32(enabled: bool):
    """Allow (or forbid) TF32 matrix products on CUDA inside the block; restored after."""
    before = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = enabled
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = before


def time_matmul(n: int, dtype, device: str, seconds: float) -> float:
    """Median seconds of one n x n product (after 0.2 s of warm-up), repeated for about ``seconds``, at least 5
    times."""
    g = torch.Generator(device="cpu").manual_seed(0)
    a = torch.randn(n, n, generator=g).to(device=device, dtype=dtype)
    b = torch.randn(n, n, generator=g).to(device=device, dtype=dtype)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    warm = time.perf_counter()
    while time.perf_counter() - warm < 0.2:      # warm-up: allocations, caches, clocks
        a @ b
        sync()
    times, start = [], time.perf_counter()
    while len(times) < 5 or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        a @ b
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def matmul_rows(quick: bool) -> list[dict]:
    rows = []
    cpu_sizes = (256, 512) if quick else (256, 1024, 2048)
    for n in cpu_sizes:
        base = None
        for name in ("fp32", "bf16"):
            t = time_matmul(n, DTYPES[name], "cpu", 0.3 if quick else 1.0)
            base = base or t
            rows.append({"device": "cpu", "dtype": name, "n": n, "gflops": 2 * n ** 3 / t / 1e9, "vs_fp32": base / t})
    if torch.cuda.is_available():
        for n in ((2048,) if quick else (2048, 4096, 8192)):
            base = None
            for name, dtype, allow in (("fp32", torch.float32, False), ("fp32+tf32", torch.float32, True),
                                       ("bf16", torch.bfloat16, False), ("fp16", torch.float16, False)):
                with tf32(allow):
                    t = time_matmul(n, dtype, "cuda", 0.3 if quick else 1.0)
                base = base or t
                rows.append({"device": "cuda", "dtype": name, "n": n, "gflops": 2 * n ** 3 / t / 1e9,
                             "vs_fp32": base / t})
    return rows


def training_rows(quick: bool, seed: int = 0) -> list[dict]:
    targets = [("cpu", "fp32", False), ("cpu", "bf16", False)]
    if torch.cuda.is_available():
        targets += [("cuda", "fp32", False), ("cuda", "fp32", True), ("cuda", "bf16", False), ("cuda", "fp16", False)]
    rows = []
    for w in WORKLOADS:
        data = load_workload_data(w.name, seed)
        epochs = w.quick_epochs if quick else w.epochs
        base = {}
        for device, precision, allow in targets:
            print(f"  {w.name}: {device} {precision}{' + tf32' if allow else ''}", flush=True)
            with tf32(allow):                 # a flag torch only reads on CUDA
                r = train_workload(w, device, precision, epochs, seed, data)
            base.setdefault(device, r.ms_per_epoch)
            rows.append({"workload": w.name, "device": device, "precision": precision + ("+tf32" if allow else ""),
                         "epochs": r.epochs, "ms_per_epoch": r.ms_per_epoch, "speedup": base[device] / r.ms_per_epoch,
                         "final_loss": r.final_loss, "test_accuracy": r.test_accuracy})
    return rows


def report(mm: list[dict], tr: list[dict], quick: bool, load: tuple) -> str:
    cuda = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    lines = [f"# Precision benchmark{' (quick)' if quick else ''}", "",
             f"{datetime.date.today()}; CPU {cpu_model()} (bf16 flags: {', '.join(cpu_bf16_flags()) or 'none'}); "
             f"GPU {cuda or 'none (the CUDA rows are left out)'}; torch {torch.__version__}, 1 CPU thread; "
             f"load average before {load[0]:.1f}.", "",
             "## One n x n matrix product", "", "| device | dtype | n | GFLOP/s | vs fp32 |",
             "|---|---|---:|---:|---:|"]
    lines += [f"| {r['device']} | {r['dtype']} | {r['n']} | {r['gflops']:.1f} | {r['vs_fp32']:.2f}x |" for r in mm]
    lines += ["", "## Training (nnlab.training.fit, same initial weights in every precision)", "",
              "| workload | device | precision | epochs | ms/epoch | speed-up vs fp32 | final train loss | "
              "test accuracy |",
              "|---|---|---|---:|---:|---:|---:|---:|"]
    for r in tr:
        acc = "-" if r["test_accuracy"] is None else f"{100 * r['test_accuracy']:.1f} %"
        lines.append(f"| {r['workload']} | {r['device']} | {r['precision']} | {r['epochs']} | "
                     f"{r['ms_per_epoch']:.2f} | "
                     f"{r['speedup']:.2f}x | {r['final_loss']:.4g} | {acc} |")
    lines += ["", "bf16 pays off only where matrix products dominate and the CPU has bf16 instructions (avx512_bf16, "
              "AMX); on small nets autocast's casts cost more than they save. On a GPU, TF32 and the 16-bit formats "
              "run on Tensor Cores.", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes and the lab's quick epochs (smoke test)")
    p.add_argument("--out", type=Path, default=None,
                   help="default benchmarks/results/precision.md (precision_quick.md with --quick)")
    args = p.parse_args(argv)
    out = args.out or Path(__file__).parent / "results" / f"precision{'_quick' if args.quick else ''}.md"
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    load = os.getloadavg()
    try:
        print("matrix products", flush=True)
        mm = matmul_rows(args.quick)
        print("training", flush=True)
        tr = training_rows(args.quick)
    finally:
        torch.set_num_threads(threads)
    text = report(mm, tr, args.quick, load)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
