"""Forward time per example on this CPU, beside the counted multiply-adds: achieved GFLOP/s.

Each model is built for real (random weights, eval mode, ``torch.no_grad``), warmed up, then timed as the
median of repeats; a repeat runs the forward pass enough times to last at least ``min_repeat_s`` so that tiny
models are not measured at the clock's resolution. Achieved GFLOP/s = 2 * MACs * batch / seconds.
Speed is reported, never asserted: the numbers depend on the machine, its load and its thread count.
"""
from __future__ import annotations

import os
import statistics
import time

__all__ = ["time_forward", "measure"]


def time_forward(model, inputs: tuple, repeats: int = 5, warmup: int = 2, min_repeat_s: float = 0.02,
                 budget_s: float = 4.0) -> dict:
    """Median and quartiles of the seconds per forward call of ``model(*inputs)``.

    Calls per repeat are doubled until one repeat lasts ``min_repeat_s``; repeats stop early once
    ``budget_s`` is spent (at least one repeat always runs).
    """
    import torch
    with torch.no_grad():
        for _ in range(warmup):
            model(*inputs)
        calls = 1
        while True:                                   # 1) calibrate the calls per repeat
            start = time.perf_counter()
            for _ in range(calls):
                model(*inputs)
            elapsed = time.perf_counter() - start
            if elapsed >= min_repeat_s or calls >= 1 << 16:
                break
            calls *= 2
        samples, spent = [elapsed / calls], elapsed   # 2) the repeats, the calibration run included
        while len(samples) < repeats and spent < budget_s:
            start = time.perf_counter()
            for _ in range(calls):
                model(*inputs)
            elapsed = time.perf_counter() - start
            samples.append(elapsed / calls)
            spent += elapsed
    quartiles = statistics.quantiles(samples, n=4) if len(samples) > 1 else [samples[0]] * 3
    return {"median_s": statistics.median(samples), "q1_s": quartiles[0], "q3_s": quartiles[2],
            "repeats": len(samples), "calls_per_repeat": calls}


def measure(names, macs: dict[str, int], batches=(1, 8), repeats: int = 5, seed: int = 0,
            threads: int | None = 1) -> dict:
    """Time every model in ``names`` at each batch size; ``macs[name]`` is its count per example.

    ``threads``: torch's intra-op threads while timing (1 by default: comparable across machines, and on a
    shared machine extra threads mostly wait for each other); None keeps the current setting.
    Returns {"rows": [...], "threads": ..., "cpu": ..., "load_average_before": ..., ...}.
    """
    import torch

    from nnlab.environment import cpu_model
    from nnlab.labs.architectures.catalog import ARCHITECTURES, build, example_inputs
    from nnlab.threads import torch_threads
    rows = []
    with torch_threads(threads) as used:
        load_before = os.getloadavg()
        for name in names:
            torch.manual_seed(seed)
            model = build(name, device="cpu")
            for batch in batches:
                inputs = example_inputs(name, batch, device="cpu")
                t = time_forward(model, inputs, repeats=repeats)
                per_example = t["median_s"] / batch
                rows.append({"model": name, "title": ARCHITECTURES[name].title, "batch": batch,
                             "ms_per_batch": 1e3 * t["median_s"], "ms_per_example": 1e3 * per_example,
                             "iqr_ms_per_batch": 1e3 * (t["q3_s"] - t["q1_s"]), "repeats": t["repeats"],
                             "macs_per_example": macs[name],
                             "gflops_per_s": 2 * macs[name] / per_example / 1e9})
            del model
    return {"rows": rows, "threads": used, "cpu": cpu_model(), "torch": torch.__version__,
            "load_average_before": list(load_before), "load_average_after": list(os.getloadavg())}
