"""Mixed precision on this machine: the same runs in fp32 and bf16 (and fp16 on CUDA), side by side.

``run_precision(out, quick)`` trains three workloads through ``nnlab.training.fit`` on the torch engine, from the
same initial weights and batch order in every precision, and writes ``precision.png`` (loss curves and time per
epoch), ``summary.json``, ``claims.json``, ``report.md`` and ``report.html`` into ``out``:

- ``seed``: the seed's circle MLP (330 parameters, full batch). Its time is per-operation overhead; autocast adds
  a cast per operation, so bf16 can only cost time here. A quick run trains it 600 epochs, enough to learn the
  circle (at 150 it is still at chance), so that fp32 and bf16 are compared on networks that learned.
- ``digits``: scikit-learn's bundled 8x8 digits, 64 -> 256 -> 128 -> 10, mini-batches of 64.
- ``digits-wide``: the same data through two hidden layers of 2048, mini-batches of 512, where the matrix products
  dominate and a CPU with bf16 instructions (``avx512_bf16``, AMX) can run them faster.

On a machine with CUDA the same workloads also run on the GPU in fp32, bf16 and fp16.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from nnlab.labs.precision.workloads import (
    WORKLOADS,
    Row,
    Workload,
    cpu_bf16_flags,
    load_workload_data,
    train_workload,
)

__all__ = ["Workload", "WORKLOADS", "run_precision", "cpu_bf16_flags", "load_workload_data", "train_workload"]


def run_precision(out: str | Path, quick: bool = False, seed: int = 0, progress=lambda message: None) -> dict:
    """Train every workload in every precision this machine runs; write the figure, ``summary.json``,
    ``claims.json``, ``report.md`` and ``report.html``. Returns the summary."""
    from nnlab.labs._threads import one_thread
    with one_thread():                        # the times do not depend on the machine's load
        return _run(Path(out), quick, seed, progress)


def _run(out: Path, quick: bool, seed: int, progress) -> dict:
    import torch
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    targets = [("cpu", "fp32"), ("cpu", "bf16")]
    if torch.cuda.is_available():
        targets += [("cuda", "fp32"), ("cuda", "bf16"), ("cuda", "fp16")]
    rows: list[Row] = []
    for w in WORKLOADS:
        data = load_workload_data(w.name, seed)
        epochs = w.quick_epochs if quick else w.epochs
        for device, precision in targets:
            progress(f"{w.name}: {device} {precision}")
            rows.append(train_workload(w, device, precision, epochs, seed, data))
    for row in rows:
        ref = next(r for r in rows if r.workload == row.workload and r.device == row.device and r.precision == "fp32")
        a, b = np.array(row.loss_curve), np.array(ref.loss_curve)
        rel = np.abs(a - b) / np.abs(b)
        row.max_rel_loss_diff_vs_fp32 = float(np.max(rel))
        row.first_epoch_rel_loss_diff_vs_fp32 = float(rel[0])
        row.speedup_vs_fp32 = ref.ms_per_epoch / row.ms_per_epoch
    from nnlab.labpage import write_lab
    from nnlab.labs.precision.figures import plot_precision
    from nnlab.labs.precision.report import make_claims, report
    from nnlab.viz import save
    progress("figure and page")
    files = save(plot_precision(rows, WORKLOADS), out / "precision.png")
    summary = {"quick": quick, "seed": seed, "torch": torch.__version__, "cpu_bf16_flags": cpu_bf16_flags(),
               "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
               "torch_threads": torch.get_num_threads(),
               "workloads": {w.name: w.description for w in WORKLOADS},
               "workload_settings": {w.name: {"hidden": list(w.hidden), "epochs": w.quick_epochs if quick else w.epochs,
                                              "batch_size": w.batch_size, "lr": w.lr, "chance": w.chance,
                                              "learned": w.learned} for w in WORKLOADS},
               "rows": [r.as_dict() for r in rows], "files": [f.name for f in files],
               "wall_time_s": time.perf_counter() - start}
    write_lab(out, report(summary), make_claims(summary), summary, lab="precision", quick=quick,
              seconds=summary["wall_time_s"])
    return summary
