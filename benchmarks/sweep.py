"""Benchmark a 16-trial sweep of the seed workload: every way nnlab can run it, against the machine's limit.

The seed workload: 1000 points of circle data, the 330-parameter MLP (2->8 ReLU, four 8->8 ReLU, 8->2), Adam,
full-batch cross-entropy, 2000 epochs. The sweep: learning rate {1e-3, 3e-3, 1e-2, 3e-2} x weight seed
{0, 1, 2, 3} = 16 trials. Rows, in one run (with ``--repeats R`` interleaved, medians):

- ``plain torch, sequential``: the seed's loop in plain PyTorch per trial (forward, ``F.cross_entropy``,
  zero_grad, backward, Adam step, ``loss.item()``), one torch thread, from ``build_mlp``'s initial weights.
- ``fit_batched``: the batched torch engine alone, the 16 models in one batched pass (one torch thread).
- ``fast engine, sequential``: ``nnlab.training.train`` of each trial on the fast engine, one after another;
  the row's time is the sum of the trials' training times (``History.wall_time_s``).
- ``nnlab sweep, process executor``: ``run_sweep`` end to end on a pool of one worker process per core.
- ``nnlab sweep, vectorized executor``: ``run_sweep`` end to end: the fast engine's trials on one thread per core
  (``nnlab.sweeps.compiled``), every epoch of every trial recorded in a fresh run store.
- ``the limit``: the sweep's multiply-adds divided by the cores' measured peak: the best of a float32 2048 x 2048
  matrix product in NumPy (OpenBLAS; this script unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for it and
  records the kernel) and in torch, on one thread, times the number of cores. Multiply-adds per epoch and
  trial: the forward pass n * sum(in * out), the weight gradients as many again, the input gradients of every
  layer but the first.

Goals (issue 17): the vectorized sweep at least 1.8x faster than the sequential fast engine's training time,
and within 5x of the limit. Results go to ``benchmarks/results/sweep.md`` with versions, CPU and load average.

Run:  ``python benchmarks/sweep.py``  (a few minutes on a quiet 2-core machine), or ``--quick`` (200 epochs).
"""
from __future__ import annotations

import os

_BLAS_VARS = {k: os.environ.pop(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}

import argparse  # noqa: E402  (the BLAS variables go before NumPy loads OpenBLAS)
import datetime  # noqa: E402
import gc  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from nnlab.config import PRESETS  # noqa: E402
from nnlab.data.prepare import prepare  # noqa: E402
from nnlab.environment import cpu_model  # noqa: E402
from nnlab.nn import build_mlp  # noqa: E402
from nnlab.sweeps import parse_spec, run_sweep  # noqa: E402
from nnlab.sweeps.batched import fit_batched  # noqa: E402
from nnlab.sweeps.compiled import default_threads  # noqa: E402
from nnlab.training.run import sized_for_data, train  # noqa: E402

LRS, SEEDS = (1e-3, 3e-3, 1e-2, 3e-2), (0, 1, 2, 3)
TRIALS = len(LRS) * len(SEEDS)
WARMUP_EPOCHS = 20


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=2000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", default=None, help="default benchmarks/results/sweep.md (sweep_quick.md with --quick)")
    p.add_argument("--quick", action="store_true", help="smoke test: 200 epochs, one repeat")
    args = p.parse_args(argv)
    if args.quick:
        args.epochs, args.repeats = 200, 1
    args.out = args.out or f"benchmarks/results/sweep{'_quick' if args.quick else ''}.md"
    return args


def spec_dict(epochs: int) -> dict:
    return {"name": "bench-seed", "base": {"preset": "seed-circle", "train": {"epochs": epochs}},
            "grid": {"train.lr": list(LRS)}, "seeds": list(SEEDS)}


def trial_configs(epochs: int):
    """The 16 configs, sized to their data, with the data."""
    trials = []
    for lr in LRS:
        for seed in SEEDS:
            cfg = PRESETS["seed-circle"].replace(train={"epochs": epochs, "lr": lr, "seed": seed})
            data = prepare(cfg.data)
            trials.append((sized_for_data(cfg, data), data))
    return trials


def multiply_adds(cfg, n: int) -> int:
    """One trial's multiply-adds: forward, weight gradients and input gradients (not the first layer's), per
    epoch, times the epochs."""
    sizes = (cfg.model.input_size, *cfg.model.hidden_sizes, cfg.model.output_size)
    layers = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    return n * (2 * sum(layers) + sum(layers[1:])) * cfg.train.epochs


def peak_per_core() -> dict:
    """The best float32 multiply-adds per second of one core: 2048^3 products in NumPy and torch, one thread."""
    from threadpoolctl import threadpool_info, threadpool_limits
    size, best = 2048, {}
    a = np.random.default_rng(0).standard_normal((size, size), dtype=np.float32)
    with threadpool_limits(1):
        a @ a
        best["numpy"] = size ** 3 / min(_timed(lambda: a @ a) for _ in range(3))
    t = torch.from_numpy(a)
    with torch_threads(1):
        t @ t
        best["torch"] = size ** 3 / min(_timed(lambda: t @ t) for _ in range(3))
    kernels = sorted({f"{i.get('internal_api')} {i.get('architecture')}" for i in threadpool_info()
                      if i.get("user_api") == "blas"})
    return {**best, "kernel": ", ".join(kernels)}


def _timed(f) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def torch_threads(n: int):
    from nnlab.threads import torch_threads as threads
    return threads(n)


def plain_loop(cfg, data) -> tuple[float, list[float], float]:
    """The seed's training loop in plain PyTorch; returns (train seconds, per-epoch losses, final accuracy)."""
    lib = build_mlp(cfg.model, seed=cfg.train.seed)
    layers: list[nn.Module] = []
    for lin in lib.linear_layers()[:-1]:
        layers += [nn.Linear(lin.in_features, lin.out_features), nn.ReLU()]
    last = lib.linear_layers()[-1]
    model = nn.Sequential(*layers, nn.Linear(last.in_features, last.out_features))
    model.load_state_dict(lib.state_dict())
    X = torch.as_tensor(data.X_train, dtype=torch.float32)
    y = torch.as_tensor(data.y_train, dtype=torch.int64)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.train.lr)
    losses = []
    start = time.perf_counter()
    for _ in range(cfg.train.epochs):
        loss = F.cross_entropy(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())      # one host sync per epoch, as the seed's loop does
    seconds = time.perf_counter() - start
    with torch.no_grad():
        accuracy = float((model(X).argmax(1) == y).float().mean())
    return seconds, losses, accuracy


def run_plain(trials) -> dict:
    with torch_threads(1):
        times, losses, accuracy = zip(*(plain_loop(cfg, data) for cfg, data in trials))
    return {"s": sum(times), "losses": np.array(losses), "accuracy": np.array(accuracy)}


def run_batched(trials) -> dict:
    start = time.perf_counter()
    with torch_threads(1):
        fitted = fit_batched([c for c, _ in trials], [d for _, d in trials])
    return {"s": time.perf_counter() - start, "losses": np.array([h.loss for h in fitted.histories])}


def run_fast(trials) -> dict:
    histories = [train(cfg.replace(train={"engine": "fast"}), data=data).history for cfg, data in trials]
    return {"s": sum(h.wall_time_s for h in histories), "losses": np.array([h.loss for h in histories])}


def run_executor(epochs: int, executor: str) -> dict:
    from nnlab.runs import RunStore
    with tempfile.TemporaryDirectory(prefix="nnlab-bench-") as store:
        start = time.perf_counter()
        result = run_sweep(parse_spec(spec_dict(epochs)), store=store, executor=executor,
                           workers=default_threads())
        seconds = time.perf_counter() - start
        assert result.count("finished") == TRIALS, result.summary()
        with RunStore(store) as runs:
            by_trial = {(r.config["train"]["lr"], r.seed): runs.metrics(r.id)["loss"] for r in runs.list()}
    losses = np.array([[v for _, v in by_trial[(lr, seed)]] for lr in LRS for seed in SEEDS])
    return {"s": seconds, "losses": losses}


ROWS = {
    "plain torch, sequential": lambda trials, epochs: run_plain(trials),
    "fit_batched (torch, 16 in one pass)": lambda trials, epochs: run_batched(trials),
    "fast engine, sequential (training time)": lambda trials, epochs: run_fast(trials),
    "nnlab sweep, process executor": lambda trials, epochs: run_executor(epochs, "process"),
    "nnlab sweep, vectorized executor": lambda trials, epochs: run_executor(epochs, "vectorized"),
}
FAST, SWEEP = "fast engine, sequential (training time)", "nnlab sweep, vectorized executor"


def main(argv=None) -> int:
    args = parse_args(argv)
    load_before = os.getloadavg()
    trials = trial_configs(args.epochs)
    cores = default_threads()

    warm = trial_configs(WARMUP_EPOCHS)             # first calls pay for lazy init and the kernels' loading
    for run in ROWS.values():
        run(warm, WARMUP_EPOCHS)
    runs: dict[str, list[dict]] = {name: [] for name in ROWS}
    for _ in range(args.repeats):          # interleaved, so a slow phase of the machine hits every row
        for name, run in ROWS.items():
            gc.collect()                   # each row starts with the garbage of the one before collected,
            time.sleep(1.0)                # and after a pause (worker processes gone, spinning threads idle)
            runs[name].append(run(trials, args.epochs))
    peak = peak_per_core()
    load_after = os.getloadavg()

    macs = sum(multiply_adds(cfg, len(data.X_train)) for cfg, data in trials)
    best_core = max(peak["numpy"], peak["torch"])
    limit = macs / (best_core * cores)
    seconds = {name: statistics.median(r["s"] for r in rs) for name, rs in runs.items()}
    fast, sweep = seconds[FAST], seconds[SWEEP]
    lines = [f"| variant | median s for {TRIALS} trials | x sequential fast engine | x the limit |",
             "|---|---:|---:|---:|"]
    for name, s in seconds.items():
        lines.append(f"| {name} | {s:.2f} | {fast / s:.2f}x | {s / limit:.1f} |")
    lines.append(f"| the limit ({macs / 1e9:.1f} G multiply-adds / {cores} x {best_core / 1e9:.1f} G/s) | "
                 f"{limit:.2f} | {fast / limit:.2f}x | 1.0 |")
    same = all(np.array_equal(r["losses"], runs[FAST][0]["losses"]) for r in runs[SWEEP])
    plain = runs["plain torch, sequential"][-1]["losses"]
    rel = (np.abs(runs[FAST][-1]["losses"][:, :100] - plain[:, :100]) / plain[:, :100]).max(axis=1)
    lrs = np.array([cfg.train.lr for cfg, _ in trials])
    lines += ["",
              f"- goal: the sweep at least 1.8x faster than the sequential fast engine's training time: "
              f"{'met' if fast / sweep >= 1.8 else 'NOT met'} ({fast / sweep:.2f}x)",
              f"- goal: the sweep within 5x of the limit: {'met' if sweep / limit <= 5 else 'NOT met'} "
              f"({sweep / limit:.1f}x)",
              f"- every trial's per-epoch losses in the vectorized sweep equal the sequential fast engine's bit for "
              f"bit: {'yes' if same else 'NO'}; fast engine vs plain torch, epochs 1-100, largest relative "
              "difference per learning rate: " + ", ".join(f"lr {lr:g}: {rel[lrs == lr].max():.1e}" for lr in LRS)
              + " (float32 rounding and summation order; where Adam's training is chaotic the differences grow)",
              "- seconds of every repeat: " + "; ".join(f"{name}: " + ", ".join(f"{r['s']:.2f}" for r in rs)
                                                        for name, rs in runs.items()),
              f"- peak per core, float32 2048^3: NumPy {peak['numpy'] / 1e9:.1f} G multiply-adds/s "
              f"({peak['kernel']}), torch {peak['torch'] / 1e9:.1f}; OPENBLAS variables unset for this script: "
              f"{sorted(_BLAS_VARS) or 'none were set'}",
              f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
              f"- torch {torch.__version__}, numpy {np.__version__}, python {platform.python_version()}",
              f"- CPU: {cpu_model()}, {cores} cores for this process; the fast engine's sweep and the process pool "
              f"use {cores} threads/processes, the torch rows one torch thread",
              f"- load average (1, 5, 15 min) before: {', '.join(f'{v:.2f}' for v in load_before)}; after: "
              f"{', '.join(f'{v:.2f}' for v in load_after)}. Compare the rows of one run, not numbers across runs",
              f"- workload: seed-circle (1000 points, 2->8x5->2 ReLU, Adam, full batch), {args.epochs} epochs; "
              f"trials: lr {list(LRS)} x weight seed {list(SEEDS)}; repeats: {args.repeats} (interleaved); "
              f"warm-up: {WARMUP_EPOCHS} epochs per row",
              "- the two sweep rows include preparing the data and writing every epoch's loss and accuracy of every "
              "trial to a SQLite run store", ""]
    report = "\n".join(lines)
    print(report)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
