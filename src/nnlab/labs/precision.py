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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["Workload", "WORKLOADS", "run_precision", "cpu_bf16_flags", "load_workload_data", "train_workload"]


@dataclass(frozen=True)
class Workload:
    """A training run the lab repeats in every precision. ``chance`` is the accuracy of guessing; a run has learned
    when its training accuracy reaches ``learned`` (only then does comparing precisions say anything)."""
    name: str
    hidden: tuple[int, ...]
    epochs: int
    quick_epochs: int
    batch_size: int | None
    lr: float
    description: str
    chance: float = 0.5
    learned: float = 0.9


WORKLOADS = (
    Workload("seed", (8, 8, 8, 8, 8), 2000, 600, None, 1e-3, "seed-circle, 2-8x5-2 relu, full batch, Adam 1e-3",
             chance=0.5, learned=0.9),
    Workload("digits", (256, 128), 30, 4, 64, 1e-3, "digits, 64-256-128-10 relu, batch 64, Adam 1e-3",
             chance=0.1, learned=0.8),
    Workload("digits-wide", (2048, 2048), 8, 2, 512, 3e-4, "digits, 64-2048-2048-10 relu, batch 512, Adam 3e-4",
             chance=0.1, learned=0.8),
)


@dataclass
class Row:
    workload: str
    device: str
    precision: str
    epochs: int
    ms_per_epoch: float
    final_loss: float
    train_accuracy: float
    test_accuracy: float | None
    loss_curve: list = field(default_factory=list)    # History.loss: per epoch, the mean over its batches
    max_rel_loss_diff_vs_fp32: float | None = None
    first_epoch_rel_loss_diff_vs_fp32: float | None = None
    speedup_vs_fp32: float | None = None

    def as_dict(self) -> dict:
        d = dict(vars(self))
        d.pop("loss_curve")
        return d


def cpu_bf16_flags() -> list[str]:
    """The CPU's bfloat16 instruction-set flags from /proc/cpuinfo (Linux), e.g. ['avx512_bf16', 'amx_bf16']."""
    try:
        flags = next((line.split(":", 1)[1].split() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("flags")), [])
    except OSError:
        return []
    return sorted(f for f in flags if "bf16" in f or f.startswith("amx"))


def load_workload_data(name: str, seed: int):
    """(X_train, y_train, X_test, y_test) float32 / int64."""
    if name == "seed":
        from nnlab.data import make_seed_circle
        X, y = make_seed_circle(1000, seed=seed)
        return X.astype(np.float32), y, None, None
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split((X / 16.0).astype(np.float32), y, test_size=0.3,
                                                        random_state=seed, stratify=y)
    return X_train, y_train, X_test, y_test


def train_workload(w: Workload, device: str, precision: str, epochs: int, seed: int, data) -> Row:
    from nnlab.config import ModelConfig, TrainConfig
    from nnlab.nn import build_mlp
    from nnlab.training import fit
    X, y, X_test, y_test = data
    model = build_mlp(ModelConfig(input_size=X.shape[1], hidden_sizes=w.hidden, output_size=int(y.max()) + 1),
                      seed=seed)
    config = TrainConfig(optimizer="adam", lr=w.lr, epochs=epochs, batch_size=w.batch_size, seed=seed,
                         engine="torch", device=device, precision=precision)
    fit(model, X, y, TrainConfig(optimizer="adam", lr=w.lr, epochs=1, batch_size=w.batch_size, seed=seed,
                                 engine="torch", device=device, precision=precision))     # warm-up, thrown away
    model = build_mlp(ModelConfig(input_size=X.shape[1], hidden_sizes=w.hidden, output_size=int(y.max()) + 1),
                      seed=seed)
    start = time.perf_counter()
    history = fit(model, X, y, config, X_test=X_test, y_test=y_test)
    seconds = time.perf_counter() - start
    return Row(w.name, device, precision, history.epochs_run, 1000 * seconds / max(history.epochs_run, 1),
               history.final["train_loss"], history.final["train_accuracy"], history.final.get("test_accuracy"),
               list(history.loss))


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
    from nnlab.labs.precision_report import make_claims, plot_precision, report
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
