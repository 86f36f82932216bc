"""Benchmark the training widget: how long a change takes to retrain and redraw, for the seed-sized network.

The seed's network (five hidden layers of 8, relu, Adam) on its circle data (1000 points, 30 % held out),
300 epochs per change. The widget is made once (which loads the fast engine's kernels and matplotlib), warmed up
by one change, then the learning rate is changed R times; each change retrains from the same seed and redraws.
Reported: the median and the slowest of the R changes, split into training and drawing. The goal is about 0.3 s a
change. Results go to ``benchmarks/results/widget.md`` with the CPU, the thread count and the load average.

Run:  ``python benchmarks/widget.py`` (``--repeats 20``, ``--epochs 300``).
"""
from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
from pathlib import Path

import torch

from nnlab.environment import cpu_model
from nnlab.widgets import TrainingWidget

RESULTS = Path(__file__).parent / "results"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=300)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    widget = TrainingWidget(dataset="seed-circle", layers=5, width=8, activation="relu", optimizer="adam",
                            lr=0.01, epochs=args.epochs)
    lrs = [0.003, 0.01, 0.03]
    widget.controls["lr"].value = lrs[0]                       # warm-up change
    rows = []
    for i in range(args.repeats):
        widget.controls["lr"].value = lrs[(i + 1) % len(lrs)]
        rows.append((widget.last["train_s"], widget.last["draw_s"], widget.last["seconds"]))
    train_s, draw_s, total_s = (sorted(column) for column in zip(*rows))
    median = [statistics.median(c) for c in (train_s, draw_s, total_s)]
    lines = ["# The training widget: time from a change to the redrawn figure", "",
             f"{datetime.date.today()}, {cpu_model()}, torch threads 1, load average "
             f"{os.getloadavg()[0]:.2f}; `python benchmarks/widget.py --repeats {args.repeats} --epochs "
             f"{args.epochs}`.", "",
             f"The seed's network (5 x 8 relu, Adam) on seed-circle, {args.epochs} epochs per change, fast engine; "
             f"{args.repeats} learning-rate changes after one warm-up change.", "",
             "| | median | slowest |", "|---|---:|---:|",
             f"| train | {1000 * median[0]:.0f} ms | {1000 * train_s[-1]:.0f} ms |",
             f"| draw | {1000 * median[1]:.0f} ms | {1000 * draw_s[-1]:.0f} ms |",
             f"| change to redrawn figure | {1000 * median[2]:.0f} ms | {1000 * total_s[-1]:.0f} ms |", "",
             f"Goal: about 300 ms a change; the median is {'within' if median[2] <= 0.3 else 'above'} it.", ""]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "widget.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
