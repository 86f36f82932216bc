"""Benchmark the seed workload through ``nnlab.fit`` against a plain PyTorch loop, side by side in one run.

The seed workload: 1000 points of circle data, a 330-parameter MLP (2->8 ReLU, four 8->8 ReLU, 8->2),
Adam lr 1e-3, full-batch cross-entropy, 2000 epochs. Two variants train from the same data and the same
initial weights:

- ``nnlab.fit``: the library's loop; per-epoch times come from an observer's ``perf_counter`` stamps.
- plain torch: forward, ``F.cross_entropy``, zero_grad, backward, step, ``loss.item()``, timed per epoch.

Each variant is warmed up on a throwaway copy, then runs ``--repeats`` times, interleaved (lib, plain, lib,
plain, ...) so that drift in machine speed hits both alike. Reported: the median ms/epoch over all epochs of
all repeats, the median total train seconds per repeat, the last epoch's loss, the final accuracy, and the
ratio to plain torch. With ``--cpp PATH`` the seed's C++/libtorch program is run as a third variant.

Run:  ``make bench``  (= ``python benchmarks/seed_mlp.py``),  or  ``python benchmarks/seed_mlp.py --quick``.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import nnlab
from nnlab.config import PRESETS
from nnlab.training.observers import Observer

WARMUP_EPOCHS = 20
ANCHOR_NOTE = ("`../shared/anchors/seed_mlp/` holds the seed's own program in C++ against libtorch; build it "
               "with `PYTHON=.venv/bin/python ../shared/anchors/seed_mlp/build.sh /tmp/seed_mlp` and run "
               "`/tmp/seed_mlp --threads 1 --quiet` (or pass `--cpp /tmp/seed_mlp` here).")


class EpochClock(Observer):
    """Stamps perf_counter at fit start and at each epoch end; the differences are per-epoch times.

    The hook call itself adds a tiny cost (well under a microsecond per epoch) to the library's times.
    """

    def on_fit_start(self, model, config) -> None:
        self.stamps = [time.perf_counter()]

    def on_epoch_end(self, epoch, logs, model) -> None:
        self.stamps.append(time.perf_counter())

    def epoch_ms(self) -> list[float]:
        return [1e3 * (b - a) for a, b in zip(self.stamps, self.stamps[1:])]


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=2000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (and the C++ program's)")
    p.add_argument("--seed", type=int, default=0, help="seeds the data and the initial weights")
    p.add_argument("--out", default="benchmarks/results/seed_mlp.md")
    p.add_argument("--quick", action="store_true", help="smoke test: 200 epochs, 1 repeat")
    p.add_argument("--cpp", metavar="PATH", help="also run the seed's C++/libtorch binary at PATH")
    args = p.parse_args(argv)
    if args.quick:
        args.epochs, args.repeats = 200, 1
    return args


def plain_model(lib_model: nn.Module) -> nn.Sequential:
    """The same layers as a bare nn.Sequential, with the library model's initial weights copied in."""
    layers: list[nn.Module] = [nn.Linear(2, 8), nn.ReLU()]
    for _ in range(4):
        layers += [nn.Linear(8, 8), nn.ReLU()]
    model = nn.Sequential(*layers, nn.Linear(8, 2))
    model.load_state_dict(lib_model.state_dict())   # same keys (0.weight, 2.weight, ...): same init exactly
    return model


def run_lib(X, y, seed: int, train_cfg) -> dict:
    """One timed nnlab.fit from a fresh model built with ``seed``."""
    model = nnlab.build_mlp(PRESETS["seed-circle"].model, seed=seed)
    clock = EpochClock()
    hist = nnlab.fit(model, X, y, train_cfg, observers=[clock])
    return {"epoch_ms": clock.epoch_ms(), "train_s": hist.wall_time_s, "loss": hist.loss[-1],
            "accuracy": hist.final["train_accuracy"]}


def run_plain(X, y, seed: int, epochs: int) -> dict:
    """One timed plain-torch loop, starting from the weights nnlab.build_mlp(seed) would give."""
    model = plain_model(nnlab.build_mlp(PRESETS["seed-circle"].model, seed=seed))
    Xt = torch.as_tensor(X, dtype=torch.float32)
    yt = torch.as_tensor(y, dtype=torch.int64)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    epoch_ms, loss_value = [], float("nan")
    start = time.perf_counter()
    for _ in range(epochs):
        t0 = time.perf_counter()
        loss = F.cross_entropy(model(Xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss_value = loss.item()   # one host sync per epoch, as the seed's loop and nnlab.fit do
        epoch_ms.append(1e3 * (time.perf_counter() - t0))
    train_s = time.perf_counter() - start
    with torch.no_grad():
        accuracy = float((model(Xt).argmax(1) == yt).float().mean())
    return {"epoch_ms": epoch_ms, "train_s": train_s, "loss": loss_value, "accuracy": accuracy}


def run_cpp(path: str, threads: int, epochs: int) -> dict:
    """One run of the C++ binary; it reports its own per-epoch median, so that is all we get per run."""
    line = subprocess.run([path, "--threads", str(threads), "--epochs", str(epochs), "--quiet"],
                          capture_output=True, text=True, check=True).stdout
    fields = dict(kv.split("=", 1) for kv in line.split("RESULT", 1)[1].splitlines()[0].split())
    return {"epoch_ms": [float(fields["ms_per_epoch_median"])], "train_s": float(fields["train_s"]),
            "loss": float(fields["final_loss"]), "accuracy": float(fields["accuracy"])}


def summarize(runs: list[dict]) -> dict:
    """Median ms/epoch over all epochs of all repeats; median train seconds over repeats; last run's result."""
    return {"ms": statistics.median(ms for r in runs for ms in r["epoch_ms"]),
            "train_s": statistics.median(r["train_s"] for r in runs),
            "loss": runs[-1]["loss"], "accuracy": runs[-1]["accuracy"]}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def render(rows: dict[str, dict], args, notes: list[str]) -> str:
    """The Markdown report: the table, then the conditions it was measured under."""
    base = rows["plain torch"]["ms"]
    out = ["| variant | median ms/epoch | median train s | final loss | accuracy | ratio vs plain torch |",
           "|---|---:|---:|---:|---:|---:|"]
    for name, r in rows.items():
        out.append(f"| {name} | {r['ms']:.4f} | {r['train_s']:.3f} | {r['loss']:.6f} | {r['accuracy']:.4f} "
                   f"| {r['ms'] / base:.2f}x |")
    out += ["", f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
            f"- torch {torch.__version__}, numpy {np.__version__}, python {platform.python_version()}",
            f"- CPU: {cpu_model()}", f"- torch.get_num_threads(): {torch.get_num_threads()}",
            f"- epochs: {args.epochs}, repeats: {args.repeats} (interleaved), seed: {args.seed}, "
            f"warm-up: {WARMUP_EPOCHS} epochs per variant on a throwaway model"]
    out += [f"- {n}" for n in notes] + ["", ANCHOR_NOTE, ""]
    return "\n".join(out)


def main(argv=None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)   # pinned and recorded: thread count changes these timings a lot
    X, y = nnlab.make_dataset("seed-circle", seed=args.seed)
    train_cfg = dataclasses.replace(PRESETS["seed-circle"].train, epochs=args.epochs, seed=args.seed)
    cpp = args.cpp if args.cpp and Path(args.cpp).is_file() else None
    if args.cpp and not cpp:
        print(f"warning: --cpp {args.cpp} not found; skipping the C++ variant", file=sys.stderr)

    # Warm-up on throwaway models: first calls pay for lazy init, allocator growth and code paths.
    run_lib(X, y, args.seed, dataclasses.replace(train_cfg, epochs=WARMUP_EPOCHS))
    run_plain(X, y, args.seed, WARMUP_EPOCHS)

    runs: dict[str, list[dict]] = {"nnlab.fit": [], "plain torch": []}
    if cpp:
        runs["cpp libtorch"] = []
    for _ in range(args.repeats):   # interleaved, so slow phases of the machine hit every variant
        runs["nnlab.fit"].append(run_lib(X, y, args.seed, train_cfg))
        runs["plain torch"].append(run_plain(X, y, args.seed, args.epochs))
        if cpp:
            runs["cpp libtorch"].append(run_cpp(cpp, args.threads, args.epochs))
    rows = {name: summarize(r) for name, r in runs.items()}

    notes = ["final loss = the last epoch's training loss (before its step); accuracy = the trained model on "
             "the training data",
             "nnlab.fit per-epoch times come from an observer's perf_counter stamps (adds a tiny cost); they "
             "include fit's per-epoch accuracy count, which the plain loop does not do"]
    diff = abs(rows["nnlab.fit"]["loss"] - rows["plain torch"]["loss"])
    notes.append(f"loss check: nnlab.fit {rows['nnlab.fit']['loss']:.6f} vs plain torch "
                 f"{rows['plain torch']['loss']:.6f} (|diff| {diff:.2e})"
                 + (" -- WARNING: MISMATCH > 1e-4" if diff > 1e-4 else " -- match"))
    if cpp:
        notes.append("cpp libtorch: its ms/epoch is the median of each run's own median; it draws its data "
                     "with torch.rand, not numpy, so its loss is not expected to match")
    report = render(rows, args, notes)
    print(report)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
