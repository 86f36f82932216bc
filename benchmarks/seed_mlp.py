"""Benchmark the seed workload on nnlab's engines, a plain PyTorch loop and the seed's C++ program, in one run.

The seed workload: 1000 points of circle data, a 330-parameter MLP (2->8 ReLU, four 8->8 ReLU, 8->2),
Adam lr 1e-3, full-batch cross-entropy, 2000 epochs: about 1.9 MFLOP an epoch, ~23 microseconds at one core's
peak (the physical limit the tables measure against). One thread everywhere.

Training, in this process, from the same data and initial weights, repeats interleaved (fast, torch, plain,
C++, fast, ...) so that slow phases of a shared machine hit every variant:

- ``nnlab.fit`` with the default engine ("auto": the fast engine here) and with ``engine="torch"``;
  per-epoch times come from an observer's perf_counter stamps, train s from History.wall_time_s;
- plain torch: forward, ``F.cross_entropy``, zero_grad, backward, step, ``loss.item()``;
- the seed's C++/libtorch program (``--cpp PATH``), which reports its own per-epoch median and train time.

Whole processes, timed from outside: ``nnlab train --preset seed-circle --epochs E --no-figures`` (default
engine and ``--engine torch``) against the C++ binary. The fast engine's kernel compile time is measured
apart: once from a cold numba cache (a fresh NUMBA_CACHE_DIR), once loading that cache in a second process.

Run: ``make bench`` (= ``python benchmarks/seed_mlp.py --cpp .venv/seed_mlp``), or ``--quick`` (200 epochs).
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

import nnlab
from nnlab.config import PRESETS
from nnlab.environment import cpu_model
from nnlab.training.observers import Observer

WARMUP_EPOCHS = 20
LIMIT_MS = 0.023      # ~1.9 MFLOP an epoch at one core's peak: the physical limit per epoch
ANCHOR = ("`../shared/anchors/seed_mlp/` holds the seed's own program in C++ against libtorch; build it with "
          "`PYTHON=.venv/bin/python ../shared/anchors/seed_mlp/build.sh /tmp/seed_mlp` and pass "
          "`--cpp /tmp/seed_mlp` (`make bench` builds it as `.venv/seed_mlp`).")
NNLAB = str(Path(sys.executable).parent / "nnlab")


class EpochClock(Observer):
    """Stamps perf_counter at fit start and at each epoch end; the differences are per-epoch times."""

    def on_fit_start(self, model, config) -> None:
        self.stamps = [time.perf_counter()]

    def on_epoch_end(self, epoch, logs, model) -> None:
        self.stamps.append(time.perf_counter())

    def epoch_ms(self) -> list[float]:
        return [1e3 * (b - a) for a, b in zip(self.stamps, self.stamps[1:])]


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=2000)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--seed", type=int, default=0, help="seeds the data and the initial weights")
    p.add_argument("--out", default="benchmarks/results/seed_mlp.md")
    p.add_argument("--quick", action="store_true", help="smoke test: 200 epochs, 1 repeat, no cold compile")
    p.add_argument("--cpp", metavar="PATH", help="the seed's C++/libtorch binary (see ANCHOR in the report)")
    p.add_argument("--no-cold-compile", action="store_true", help="skip timing a compile from a cold cache")
    args = p.parse_args(argv)
    if args.quick:
        args.epochs, args.repeats, args.no_cold_compile = 200, 1, True
    return args


def run_lib(X, y, train_cfg) -> dict:
    """One timed nnlab.fit from a fresh model built with the config's seed."""
    model = nnlab.build_mlp(PRESETS["seed-circle"].model, seed=train_cfg.seed)
    clock = EpochClock()
    cpu = time.thread_time()
    hist = nnlab.fit(model, X, y, train_cfg, observers=[clock])
    return {"epoch_ms": clock.epoch_ms(), "train_s": hist.wall_time_s, "cpu_s": time.thread_time() - cpu,
            "loss": hist.loss[-1], "accuracy": hist.final["train_accuracy"], "engine": hist.engine}


def run_plain(X, y, seed: int, epochs: int) -> dict:
    """One timed plain-torch loop, starting from the weights nnlab.build_mlp(seed) gives."""
    model = torch.nn.Sequential(*nnlab.build_mlp(PRESETS["seed-circle"].model, seed=seed))
    Xt, yt = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.int64)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    epoch_ms, loss_value = [], float("nan")
    start, cpu = time.perf_counter(), time.thread_time()
    for _ in range(epochs):
        t0 = time.perf_counter()
        loss = F.cross_entropy(model(Xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss_value = loss.item()     # one host sync per epoch, as the seed's loop does
        epoch_ms.append(1e3 * (time.perf_counter() - t0))
    train_s, cpu_s = time.perf_counter() - start, time.thread_time() - cpu
    with torch.no_grad():
        accuracy = float((model(Xt).argmax(1) == yt).float().mean())
    return {"epoch_ms": epoch_ms, "train_s": train_s, "cpu_s": cpu_s, "loss": loss_value, "accuracy": accuracy}


def _child(command, env=None) -> tuple[str, float, float]:
    """Run ``command``; (stdout, wall seconds, CPU seconds (user + system) of the process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return out, wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_cpp(path: str, epochs: int) -> dict:
    """One run of the C++ binary: its own per-epoch median and train time, the whole process's wall and CPU
    time, and its training CPU time (the process's, less that of a one-epoch run: start-up and libtorch)."""
    line, wall, cpu = _child([path, "--threads", "1", "--epochs", str(epochs), "--quiet"])
    _, _, startup_cpu = _child([path, "--threads", "1", "--epochs", "1", "--quiet"])
    fields = dict(kv.split("=", 1) for kv in line.split("RESULT", 1)[1].splitlines()[0].split())
    return {"epoch_ms": [float(fields["ms_per_epoch_median"])], "train_s": float(fields["train_s"]),
            "cpu_s": cpu - startup_cpu, "loss": float(fields["final_loss"]), "accuracy": float(fields["accuracy"]),
            "process_s": wall, "process_cpu_s": cpu}


def run_process(epochs: int, engine: str, out: Path) -> dict:
    """``nnlab train`` as a user runs it; wall time from outside, train and kernel times from history.json."""
    _, wall, cpu = _child([NNLAB, "train", "--preset", "seed-circle", "--epochs", str(epochs), "--no-figures",
                           "--engine", engine, "--out", str(out)])
    hist = json.loads((out / "history.json").read_text())
    return {"process_s": wall, "process_cpu_s": cpu, "train_s": hist["wall_time_s"],
            "compile_s": hist["compile_time_s"], "kernels": hist["kernels"]}


def kernel_compile(cache_dir: str) -> dict:
    """A fresh process loading the fast engine's kernels with NUMBA_CACHE_DIR=cache_dir: (seconds, how)."""
    code = ("from nnlab.training.engines.fast_fit import load_kernels; import json; "
            "_, s, how = load_kernels(); print(json.dumps({'s': s, 'how': how}))")
    out, wall, cpu = _child([sys.executable, "-c", code], env={**os.environ, "NUMBA_CACHE_DIR": cache_dir})
    return {**json.loads(out.strip().splitlines()[-1]), "process_s": wall, "process_cpu_s": cpu}


def fast_phases(X, y, repeats: int = 200) -> dict:
    """The fast engine's epoch split in two, from its one cached kernel: forward + loss (an evaluation) and
    the rest (backward + step = a training epoch minus an evaluation), in microseconds, minimum of repeats."""
    from nnlab.training.engines import fast_fit, kernels
    from nnlab.training.engines.fast_model import FastMLP
    net = FastMLP.from_config(PRESETS["seed-circle"].model, seed=0)
    k, _, _ = fast_fit.load_kernels()
    x, labels, targets = fast_fit._arrays(X, y, "cross-entropy", True, 2)
    state = fast_fit._State(net, "adam", "cross-entropy", True, 0.0, 0.0, batch=1000, width=1000, n_targets=0)
    raw, perm = np.zeros(0, np.uint64), np.arange(1000)
    best = {}
    for mode in (kernels.TRAIN, kernels.EVALUATE):
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            state.run(k, mode, net, x, labels, targets, raw, perm, 1000)
            times.append(time.perf_counter() - t0)
        best[mode] = 1e6 * min(times)
    return {"forward + loss": best[kernels.EVALUATE], "backward + Adam step": best[kernels.TRAIN] -
            best[kernels.EVALUATE], "epoch": best[kernels.TRAIN]}


def torch_phases(X, y, epochs: int = 600) -> dict:
    """The torch engine's full-batch epoch, phase by phase, in microseconds (10th percentile over ``epochs``):
    the same calls its loop makes (module forward, cross-entropy, grads to None, backward, the fused Adam step,
    the loss and accuracy bookkeeping), each timed apart."""
    from nnlab.training.engines.torch_optim import make_torch_optimizer
    model = nnlab.build_mlp(PRESETS["seed-circle"].model, seed=0)
    params = list(model.parameters())
    optimizer = make_torch_optimizer("adam", params, 1e-3)
    Xt, yt = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.int64)
    loss_sum, correct = torch.zeros(()), torch.zeros((), dtype=torch.int64)
    times: dict[str, list[float]] = {k: [] for k in ("forward", "loss", "backward", "optimizer step", "metrics",
                                                     "epoch")}
    clock = time.perf_counter
    for _ in range(epochs):
        t0 = clock()
        out = model(Xt)
        t1 = clock()
        loss = F.cross_entropy(out, yt)
        t2 = clock()
        for p in params:
            p.grad = None
        loss.backward()
        t3 = clock()
        optimizer.step()
        t4 = clock()
        loss_sum.add_(loss.detach(), alpha=len(yt))
        correct += (out.detach().argmax(1) == yt).sum()
        t5 = clock()
        for key, a, b in (("forward", t0, t1), ("loss", t1, t2), ("backward", t2, t3), ("optimizer step", t3, t4),
                          ("metrics", t4, t5), ("epoch", t0, t5)):
            times[key].append(b - a)
    return {k: 1e6 * float(np.percentile(v, 10)) for k, v in times.items()}


def summarize(runs: list[dict]) -> dict:
    """Median ms/epoch over all epochs of all repeats; medians over repeats of the rest; last run's result."""
    out = {"ms": statistics.median(ms for r in runs for ms in r["epoch_ms"]) if "epoch_ms" in runs[0] else None}
    for key in ("train_s", "cpu_s", "process_s", "process_cpu_s", "compile_s"):
        if key in runs[0]:
            out[key] = statistics.median(r[key] for r in runs)
    out.update({k: runs[-1][k] for k in ("loss", "accuracy", "engine", "kernels") if k in runs[-1]})
    return out


def _ratio(a, b) -> str:
    return f"{a / b:.2f}x" if a is not None and b else "n/a"


def render(runs, processes, compile_times, profiles, args, load_before, load_after) -> str:
    """The Markdown report: goals, training, processes, compile time, profiles, conditions."""
    rows = {name: summarize(r) for name, r in runs.items()}
    procs = {name: summarize(r) for name, r in processes.items()}
    cpp, cpp_proc = rows.get("C++ libtorch"), procs.get("C++ libtorch process")
    fast, torch_engine = rows["nnlab.fit, default engine"], rows["nnlab.fit, engine torch"]
    nnlab_proc = procs["nnlab train (default engine)"]
    goals = [("training time, nnlab.fit default engine / C++", "train_s", "cpu_s", fast, cpp, 0.25),
             ("whole process, nnlab train / C++ process", "process_s", "process_cpu_s", nnlab_proc, cpp_proc, 1.0),
             ("ms per epoch, torch engine / C++", "ms", "cpu_s", torch_engine, cpp, 1.2)]
    out = ["## Goals", "", "Ratios of wall time (the goals) and, beside them, of CPU time (user + system), which a "
           "loaded machine disturbs less.", "",
           "| goal | nnlab | C++ | ratio | CPU-time ratio | target | result |", "|---|---:|---:|---:|---:|---:|---|"]
    for name, key, cpu_key, ours, theirs, target in goals:
        if not theirs:
            out.append(f"| {name} | {ours[key]:.4f} | n/a | n/a | n/a | <= {target}x | no C++ figure (pass --cpp) |")
            continue
        ratio, cpu_ratio = ours[key] / theirs[key], ours[cpu_key] / theirs[cpu_key]
        verdict = "met" if ratio <= target else f"missed by {ratio / target - 1:.0%} (see the profiles)"
        verdict += f"; on CPU time {'met' if cpu_ratio <= target else 'missed'}"
        out.append(f"| {name} | {ours[key]:.4f} | {theirs[key]:.4f} | {ratio:.2f}x | {cpu_ratio:.2f}x "
                   f"| <= {target}x | {verdict} |")
    out += ["", f"## Training, {args.epochs} epochs, 1 thread", "",
            "| variant | engine | median ms/epoch | median train s | train CPU s | final loss | accuracy "
            "| train s vs C++ | ms/epoch vs C++ | x the 23 us limit |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in rows.items():
        out.append(f"| {name} | {r.get('engine', '-')} | {r['ms']:.4f} | {r['train_s']:.3f} | {r['cpu_s']:.3f} "
                   f"| {r['loss']:.6f} | {r['accuracy']:.4f} | {_ratio(r['train_s'], cpp and cpp['train_s'])} "
                   f"| {_ratio(r['ms'], cpp and cpp['ms'])} | {r['ms'] / LIMIT_MS:.1f}x |")
    out += ["", "## Whole processes", "", "| process | median wall s | CPU s | of which training s "
            "| of which kernel load s | vs C++ process |", "|---|---:|---:|---:|---:|---:|"]
    for name, r in procs.items():
        out.append(f"| {name} | {r['process_s']:.3f} | {r['process_cpu_s']:.3f} | {r['train_s']:.3f} "
                   f"| {r.get('compile_s', 0.0):.3f} | {_ratio(r['process_s'], cpp_proc and cpp_proc['process_s'])} |")
    if compile_times:
        out += ["", "## Fast-engine kernels: compile once, then load from the disk cache", "",
                "| process | kernels | in-process s | process wall s | process CPU s |", "|---|---|---:|---:|---:|"]
        out += [f"| {name} | {c['how']} | {c['s']:.2f} | {c['process_s']:.2f} | {c['process_cpu_s']:.2f} |"
                for name, c in compile_times.items()]
    phases = profiles["fast"]
    out += ["", "## Where the time goes", "", "Fast engine, one full-batch epoch (its cached kernel, minimum of 200 "
            "calls):", "", "| phase | microseconds | x the 23 us limit |", "|---|---:|---:|"]
    out += [f"| {k} | {v:.1f} | {v / (1e3 * LIMIT_MS):.1f}x |" for k, v in phases.items()]
    out += ["", "Torch engine, one full-batch epoch phase by phase (10th percentile of 600 epochs; the same torch ops "
            "as the C++ program's, which spends its time in the same forward and backward kernels and runs "
            "Adam as some 100 small ops, 8 per parameter tensor):", "",
            "| phase | microseconds | x the 23 us limit |", "|---|---:|---:|"]
    out += [f"| {k} | {v:.1f} | {v / (1e3 * LIMIT_MS):.1f}x |" for k, v in profiles["torch"].items()]
    rest = nnlab_proc["process_s"] - nnlab_proc["train_s"] - nnlab_proc.get("compile_s", 0.0)
    out += ["", f"`nnlab train` (default engine), median process {nnlab_proc['process_s']:.2f} s: training "
            f"{nnlab_proc['train_s']:.2f} s, kernel load {nnlab_proc.get('compile_s', 0.0):.2f} s (importing numba, "
            f"its registries and the cached machine code), the rest {rest:.2f} s (interpreter, numpy, typer/rich "
            "and the command modules, data, writing)."]
    import numba
    out += ["", "## Conditions", "", f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
            f"- torch {torch.__version__}, numba {numba.__version__}, numpy {np.__version__}, "
            f"python {sys.version.split()[0]}", f"- CPU: {cpu_model()}, {os.cpu_count()} cores",
            "- threads: torch.set_num_threads(1) here, `--threads 1` for C++; the fast engine is single-threaded",
            f"- load average (1, 5, 15 min): before {tuple(round(v, 2) for v in load_before)}, "
            f"after {tuple(round(v, 2) for v in load_after)}",
            f"- epochs: {args.epochs}, repeats: {args.repeats} (interleaved), seed: {args.seed}, warm-up "
            f"{WARMUP_EPOCHS} epochs per in-process variant",
            "- medians: ms/epoch over all epochs of all repeats (C++: over each run's own median); the rest over "
            "repeats. final loss = the last epoch's loss, accuracy = the trained model's",
            "- CPU s: time.thread_time() around the training (nnlab, plain torch); for processes, their user + "
            "system time; the C++ program's training CPU s is its process's less that of a one-epoch run",
            "- the C++ program draws its data with torch.rand, not numpy, so its loss is not expected to match",
            "", ANCHOR, ""]
    return "\n".join(out)


def main(argv=None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(1)                    # pinned and recorded: thread count changes these timings a lot
    load_before = os.getloadavg()
    X, y = nnlab.make_dataset("seed-circle", seed=args.seed)
    base = dataclasses.replace(PRESETS["seed-circle"].train, epochs=args.epochs, seed=args.seed)
    cfgs = {"nnlab.fit, default engine": base, "nnlab.fit, engine torch": dataclasses.replace(base, engine="torch")}
    cpp = args.cpp if args.cpp and Path(args.cpp).is_file() else None
    if args.cpp and not cpp:
        print(f"warning: --cpp {args.cpp} not found; skipping the C++ variant", file=sys.stderr)

    # 1) warm-up: lazy initialisation, allocator growth, the fast engine's kernels loaded from their cache
    for cfg in cfgs.values():
        run_lib(X, y, dataclasses.replace(cfg, epochs=WARMUP_EPOCHS))
    run_plain(X, y, args.seed, WARMUP_EPOCHS)

    # 2) training in this process, interleaved repeats
    runs: dict[str, list[dict]] = {name: [] for name in [*cfgs, "plain torch"] + (["C++ libtorch"] if cpp else [])}
    for _ in range(args.repeats):
        for name, cfg in cfgs.items():
            runs[name].append(run_lib(X, y, cfg))
        runs["plain torch"].append(run_plain(X, y, args.seed, args.epochs))
        if cpp:
            runs["C++ libtorch"].append(run_cpp(cpp, args.epochs))

    # 3) whole processes, interleaved repeats
    processes: dict[str, list[dict]] = {"nnlab train (default engine)": [], "nnlab train --engine torch": []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            for name, engine in [("nnlab train (default engine)", "auto"), ("nnlab train --engine torch", "torch")]:
                processes[name].append(run_process(args.epochs, engine, Path(tmp) / f"{engine}{r}"))
            if cpp:
                processes.setdefault("C++ libtorch process", []).append(run_cpp(cpp, args.epochs))
        # 4) kernel compile time: a cold cache, then a second process loading it
        compile_times = {}
        if not args.no_cold_compile:
            compile_times["cold cache (compile)"] = kernel_compile(str(Path(tmp) / "numba"))
            compile_times["second process (load)"] = kernel_compile(str(Path(tmp) / "numba"))

    # 5) where the time goes
    profiles = {"fast": fast_phases(X, y), "torch": torch_phases(X, y)}
    report = render(runs, processes, compile_times, profiles, args, load_before, os.getloadavg())
    print(report)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
