"""Speed of the training core now against an earlier commit, side by side in one run.

Three numbers for each source tree: the seed workload's ms per epoch on the fast engine and on the torch engine
(``nnlab.training.train`` of the "seed-circle" preset, 2000 and 300 epochs, ``History.wall_time_s``) and the
playground's epochs per second (a Session with TensorFlow Playground's default settings, ``train_for`` of 1 s
without frames). Each measurement runs in a fresh Python process with the tree's ``src`` first on the path; the
trees alternate, ``--repeats`` times, and the medians are compared. The earlier commit is checked out into a
temporary git worktree.

Run:  ``python benchmarks/core_speed.py [--before b44800a] [--repeats 5]``; results in
``benchmarks/results/core_speed.md``.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEASURE = r"""
import json, sys, time
from nnlab.config import PRESETS
from nnlab.training.run import train
kind = sys.argv[1]
if kind == "playground":
    from nnlab.playground.session import Session
    s = Session(rng_seed=0)
    s.train_for(0.3, record=False)                      # warm: the kernels load
    start, e0 = time.perf_counter(), s.epoch
    s.train_for(1.0, record=False)
    print(json.dumps((s.epoch - e0) / (time.perf_counter() - start)))
else:
    epochs = 2000 if kind == "fast" else 300
    cfg = PRESETS["seed-circle"].replace(train={"epochs": epochs, "engine": kind})
    train(cfg.replace(train={"epochs": 20}))            # warm
    h = train(cfg).history
    print(json.dumps(1e3 * h.wall_time_s / h.epochs_run))
"""
KINDS = {"fast": "seed workload, fast engine, ms/epoch", "torch": "seed workload, torch engine, ms/epoch",
         "playground": "playground session, epochs/s"}


def measure(src: Path, kind: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, "-c", MEASURE, kind], env=env, capture_output=True, text=True,
                         check=True, cwd=tempfile.gettempdir())
    return float(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", default="b44800a", help="the earlier commit (default: the core before issue 17)")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--out", default="benchmarks/results/core_speed.md")
    args = p.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="nnlab-before-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), args.before],
                       check=True)
        try:
            trees = {"before": tree / "src", "now": ROOT / "src"}
            values: dict = {(t, k): [] for t in trees for k in KINDS}
            for kind in KINDS:                          # the first call of a tree compiles its kernels
                for src in trees.values():
                    measure(src, kind)
            for _ in range(args.repeats):
                for kind in KINDS:
                    for name, src in trees.items():
                        values[(name, kind)].append(measure(src, kind))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    load_after = os.getloadavg()
    lines = [f"| measure | before ({args.before}) | now | now / before |", "|---|---:|---:|---:|"]
    for kind, label in KINDS.items():
        b, n = (statistics.median(values[(t, kind)]) for t in ("before", "now"))
        lines.append(f"| {label} | {b:,.3f} | {n:,.3f} | {n / b:.3f} |")
    lines += ["", f"- medians of {args.repeats} fresh processes per cell, the trees alternating; raw values: "
              + json.dumps({f"{t} {k}": [round(v, 4) for v in vs] for (t, k), vs in values.items()}),
              f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}; load average before "
              f"{', '.join(f'{v:.2f}' for v in load_before)}, after {', '.join(f'{v:.2f}' for v in load_after)}",
              "- ms/epoch: lower is faster; epochs/s: higher is faster. Within 5 % means a ratio in [0.95, 1.05] "
              "(ms/epoch at most 1.05, epochs/s at least 0.95)", ""]
    report = "\n".join(lines)
    print(report)
    Path(args.out).write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
