"""The precision lab's workloads: the training runs it repeats in every precision, and one run of them."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["Workload", "WORKLOADS", "Row", "cpu_bf16_flags", "load_workload_data", "train_workload"]


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
