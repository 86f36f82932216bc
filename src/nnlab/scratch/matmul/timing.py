"""Timing one call: warm up, then repeat until about a second has passed and at least 5 samples exist.

Calls shorter than a millisecond are timed in groups (timeit's ``autorange`` idea), so the clock's own
cost stays under a thousandth of each sample. The result keeps the median and the quartiles of the
per-call times; the spread (IQR / median) says how noisy the machine was.
"""
from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Timing", "measure", "first_call", "summarise"]


@dataclass(frozen=True)
class Timing:
    """Per-call seconds: median and quartiles over ``samples`` samples of ``per_sample`` calls each."""
    median_s: float
    q1_s: float
    q3_s: float
    samples: int
    per_sample: int
    total_s: float
    times: tuple[float, ...] = ()   # every sample, seconds per call

    @property
    def spread(self) -> float:
        """(q3 - q1) / median: 0.05 means the middle half of the samples lie within 5% of each other."""
        return (self.q3_s - self.q1_s) / self.median_s if self.median_s > 0 else 0.0


def first_call(call: Callable[[], object]) -> float:
    """Seconds of one call (for a JIT variant's first call: compile, or load from its cache, plus one run)."""
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def measure(call: Callable[[], object], *, min_time: float = 1.0, min_samples: int = 5, warmup: int = 3,
            max_samples: int = 10_000, estimate: float | None = None) -> Timing:
    """Time ``call()`` (which must block until its work is done, device syncs included).

    1) warm up: ``warmup`` calls, or just one when a call takes over 0.2 s; the last gives an estimate
       (``warmup=0`` needs the ``estimate`` of seconds per call from an earlier measurement),
    2) group calls so that a sample lasts at least 1 ms,
    3) sample until ``min_time`` seconds and ``min_samples`` samples, at most ``max_samples``.
    """
    if warmup > 0 or estimate is None:
        estimate = first_call(call)
        for _ in range(warmup - 1 if estimate < 0.2 else 0):
            estimate = first_call(call)
    per_sample = max(1, math.ceil(1e-3 / estimate)) if estimate > 0 else 1000
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < max_samples and (len(times) < min_samples or time.perf_counter() - start < min_time):
        t0 = time.perf_counter()
        for _ in range(per_sample):
            call()
        times.append((time.perf_counter() - t0) / per_sample)
    return summarise(times, per_sample, time.perf_counter() - start)


def summarise(times: list[float], per_sample: int = 1, total_s: float | None = None) -> Timing:
    """Median and quartiles of per-call ``times`` (samples pooled from several rounds are fine)."""
    if len(times) >= 4:
        q1, _, q3 = statistics.quantiles(times, n=4)
    else:
        q1 = q3 = statistics.median(times)
    total = sum(times) * per_sample if total_s is None else total_s
    return Timing(statistics.median(times), q1, q3, len(times), per_sample, total, tuple(times))
