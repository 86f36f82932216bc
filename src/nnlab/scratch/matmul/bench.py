"""The matmul benchmark: every variant, gated, timed side by side on the same shapes in one run.

Plan of a run (``run_bench``):

1. start the BLAS baseline process (NumPy and torch variants run there, see below) and record both processes'
   threads, pools and BLAS kernels;
2. prepare every (variant, dtype): first call timed apart (JIT), then the correctness gate; a variant that
   fails the gate is never timed;
3. for each shape, smallest first: time every (variant, thread count) in ``rounds`` interleaved rounds
   (BLAS baselines first in each round) and pool the samples, so that the load of a shared machine,
   which drifts over minutes, weighs on every variant alike. A variant whose next call is estimated (from
   its last measured rate, or its guess) to take longer than ``max_call_s`` is skipped at that shape, with
   the estimate as the reason, instead of hanging the run;
4. add % of the in-run BLAS at the same shape, dtype and thread count, and % of the computed peak.

The BLAS baseline process is this same package (``python -m nnlab.scratch.matmul.runner``) started with
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its environment (``clean_openblas``): some machines set
them to dodge old OpenBLAS bugs, and they make a current NumPy pick a slower kernel. Which kernel OpenBLAS
then runs is recorded through threadpoolctl. Nothing else changes those variables.
"""
from __future__ import annotations

import datetime
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from nnlab.scratch.matmul.machine import OPENBLAS_VARS, peak_gflops
from nnlab.scratch.matmul.operands import DTYPES, flops
from nnlab.scratch.matmul.runner import Worker, measure_shape, prepare_variant, process_info
from nnlab.scratch.matmul.timing import summarise
from nnlab.scratch.matmul.variants import VARIANTS

__all__ = ["BenchConfig", "QUICK", "blas_worker", "BenchResult", "run_bench", "check_config", "MAX_SIDE"]

MAX_SIDE = 16384   # larger sides are refused outright: no variant here finishes them in reasonable time


@dataclass(frozen=True)
class BenchConfig:
    """What to measure. Shapes are (M, K, N); batched shapes (L, n) mean L matrices of n x n."""
    sizes: tuple[int, ...] = (16, 32, 64, 127, 128, 256, 512, 1000, 1023, 1024, 1025, 2048)
    rect: tuple[tuple[int, int, int], ...] = ((1024, 2752, 1024),)   # a quarter of the 4096x11008x4096 MLP
    batched: tuple[tuple[int, int], ...] = ((1024, 16), (1024, 32), (1024, 64), (128, 128))
    gpu_sizes: tuple[int, ...] = (256, 512, 1024, 2048, 4096, 8192)
    gpu_rect: tuple[tuple[int, int, int], ...] = ((4096, 11008, 4096),)
    gpu_dtypes: tuple[str, ...] = ("float32", "float16", "bfloat16")
    variants: tuple[str, ...] = tuple(VARIANTS)
    threads: tuple[int, ...] = (1, os.cpu_count() or 1)
    dtype: str = "float32"
    max_call_s: float = 2.0
    min_time: float = 1.0
    min_samples: int = 5
    rounds: int = 3           # interleaved rounds per shape (see run_bench, step 3)
    gate: str = "full"
    seed: int = 0
    clean_openblas: bool = True


QUICK = BenchConfig(sizes=(16, 64, 128, 256), rect=((128, 384, 64),), batched=((256, 32),),
                    gpu_sizes=(256, 1024), gpu_rect=(), max_call_s=0.5, min_time=0.3, gate="quick")


def check_config(cfg: BenchConfig) -> BenchConfig:
    """Refuse what no run can honour: unknown variants or dtypes, sides past MAX_SIDE, thread counts < 1."""
    from nnlab._validation import InvalidArgument, check_choice, check_positive
    from nnlab.scratch.matmul.gate import GATE_LEVELS
    for name in cfg.variants:
        check_choice("variant", name, VARIANTS)
    check_choice("dtype", cfg.dtype, ("float32", "float64"))
    for d in cfg.gpu_dtypes:
        check_choice("gpu_dtype", d, ("float32", "float16", "bfloat16"))
    check_choice("gate", cfg.gate, GATE_LEVELS)
    check_positive("max_call_s", cfg.max_call_s)
    sides = [*cfg.sizes, *cfg.gpu_sizes, *(s for shape in (*cfg.rect, *cfg.gpu_rect, *cfg.batched) for s in shape)]
    bad = [s for s in sides if not isinstance(s, int) or not 1 <= s <= MAX_SIDE]
    bad += [s for s in (*cfg.rect, *cfg.gpu_rect) if len(s) != 3] + [s for s in cfg.batched if len(s) != 2]
    if bad:
        raise InvalidArgument(f"Every size must be an integer in [1, {MAX_SIDE}]; got {bad[0]!r}.", "sizes")
    if not isinstance(cfg.rounds, int) or cfg.rounds < 1:
        raise InvalidArgument(f"The number of rounds must be an integer >= 1; got {cfg.rounds!r}.", "rounds")
    if not cfg.threads or any(not isinstance(t, int) or t < 1 for t in cfg.threads):
        raise InvalidArgument(f"Thread counts must be integers >= 1; got {cfg.threads!r}.", "threads")
    return cfg


def blas_worker(clean_openblas: bool = True) -> Worker:
    """The BLAS baseline process: a runner whose environment lacks OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE."""
    return Worker(remove=OPENBLAS_VARS if clean_openblas else ())


@dataclass
class BenchResult:
    config: BenchConfig
    rows: list[dict] = field(default_factory=list)       # one per measured or skipped (variant, shape, threads)
    prepared: list[dict] = field(default_factory=list)   # one per (variant, dtype): compile time, gate
    info: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"config": asdict(self.config), "rows": self.rows, "prepared": self.prepared,
                           "info": self.info}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> BenchResult:
        """A saved run back (to re-render its report and figures)."""
        data = json.loads(text)
        tuples = {k: tuple(tuple(x) if isinstance(x, list) else x for x in v) if isinstance(v, list) else v
                  for k, v in data["config"].items()}
        return cls(BenchConfig(**tuples), data["rows"], data["prepared"], data["info"])


def _plan(cfg: BenchConfig) -> list[tuple[str, str, tuple[int, ...]]]:
    """(variant, dtype, shape) in the order they run: shapes by flops, variants in the config's order."""
    cpu_shapes = [(n, n, n) for n in cfg.sizes] + [tuple(s) for s in cfg.rect]
    gpu_shapes = [(n, n, n) for n in cfg.gpu_sizes] + [tuple(s) for s in cfg.gpu_rect]
    batched = [(l, n, n, n) for l, n in cfg.batched]
    plan = []
    for name in cfg.variants:
        v = VARIANTS[name]
        dtypes = [d for d in cfg.gpu_dtypes if d in v.dtypes] if v.device == "cuda" else [cfg.dtype]
        shapes = batched if v.batched else gpu_shapes if v.device == "cuda" else cpu_shapes
        plan += [(name, d, s) for d in dtypes for s in shapes]
    return sorted(plan, key=lambda p: (flops(p[2]), VARIANTS[p[0]].worker is False))


def _threads(cfg: BenchConfig, name: str) -> list[int]:
    v = VARIANTS[name]
    if v.device == "cuda":
        return [0]
    return sorted(set(cfg.threads)) if v.threaded else [1]


def run_bench(cfg: BenchConfig, log: Callable[[str], None] = print) -> BenchResult:
    """Run the benchmark described by ``cfg``; ``log`` gets one line per step."""
    check_config(cfg)
    result = BenchResult(cfg)
    started = time.time()
    worker = blas_worker(cfg.clean_openblas) if any(VARIANTS[n].worker for n in cfg.variants) else None
    try:
        # 1) where things run
        result.info = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
                       "load_start": os.getloadavg(),
                       "removed_from_worker_env": worker.removed if worker else {}}

        # 2) compile and gate every (variant, dtype)
        ready = set()
        for name, dtype in dict.fromkeys((n, d) for n, d, _ in _plan(cfg)):
            ask = worker.ask if VARIANTS[name].worker else _local(prepare_variant)
            rec = ask("prepare", name=name, dtype=dtype, gate_level=cfg.gate, seed=cfg.seed)
            result.prepared.append(rec)
            log(f"{name} {dtype}: {rec['status']}" + (f" ({rec.get('reason')})" if rec.get("reason") else "")
                + (f"; first call {rec['compile_s']:.2f} s (cache {rec['cache']})" if rec["compile_s"] else "")
                + (f"; gate: {rec['gate']}" if rec.get("gate") else ""))
            if rec["status"] == "ok":
                ready.add((name, dtype))

        # 3) time them, smallest shapes first; at each shape every variant is timed in a few interleaved rounds
        #    whose samples are pooled, so that a change in the machine's load hits all variants alike
        rate: dict[tuple, float] = {}   # (variant, dtype, threads) -> last measured GFLOP/s
        for shape, entries in _by_shape(cfg, ready):
            for row in _measure_shape_group(cfg, worker, shape, entries, rate):
                result.rows.append(row)
                log(_describe(row))
        result.info["worker"] = worker.ask("info") if worker else None
    finally:
        if worker:
            worker.close()
    # 4) relative numbers
    _add_ratios(result.rows)
    # recorded last, so that numba's pool and threading layer are known by then
    result.info.update(main=process_info(), load_end=os.getloadavg(), wall_s=time.time() - started)
    return result


def _local(fn):
    return lambda op, **kw: fn(**kw)


def _by_shape(cfg: BenchConfig, ready: set) -> list[tuple[tuple[int, ...], list[tuple[str, str, int]]]]:
    """[(shape, [(variant, dtype, threads), ...])], smallest shape first."""
    groups: dict[tuple, list] = {}
    for name, dtype, shape in _plan(cfg):
        if (name, dtype) in ready:
            groups.setdefault(shape, []).extend((name, dtype, t) for t in _threads(cfg, name))
    return sorted(groups.items(), key=lambda item: (flops(item[0]), item[0]))


def _measure_shape_group(cfg, worker, shape, entries, rate) -> list[dict]:
    """Rows for every (variant, dtype, threads) at ``shape``: skipped, or timed in ``cfg.rounds`` rounds."""
    rows, live = {}, []
    for name, dtype, threads in entries:
        v = VARIANTS[name]
        # the last measured rate (or the guess, when that is higher: one call slowed by a busy machine must not
        # rule out every larger size), with 1.5x for rates that fall as sizes outgrow the caches
        estimate = flops(shape) / (max(rate.get((name, dtype, threads), 0.0), v.gflops_guess) * 1e9) * 1.5
        base = {"variant": name, "family": v.family, "dtype": dtype, "threads": threads, "shape": list(shape)}
        if estimate > cfg.max_call_s:
            rows[(name, dtype, threads)] = {**base, "status": "skipped", "reason":
                                            f"estimated {estimate:.3g} s per call > {cfg.max_call_s:g} s limit"}
        else:
            live.append((name, dtype, threads))
    parts: dict[tuple, list[dict]] = {e: [] for e in live}
    for r in range(cfg.rounds):
        for e in live:
            if parts[e] and parts[e][-1].get("status") != "ok":
                continue   # an error ends that variant's rounds
            name, dtype, threads = e
            ask = worker.ask if VARIANTS[name].worker else _local(measure_shape)
            earlier = [t for p in parts[e] for t in p.get("times", ())]
            parts[e].append(ask("measure", name=name, dtype=dtype, shape=list(shape), threads=threads,
                                min_time=cfg.min_time / cfg.rounds, seed=cfg.seed,
                                min_samples=math.ceil(cfg.min_samples / cfg.rounds), check=r == 0,
                                warmup=3 if r == 0 else 0, estimate=min(earlier) if earlier else None))
    for e in live:
        rows[e] = _pool(parts[e])
        if rows[e]["status"] == "ok":
            rate[e] = rows[e]["gflops"]
    return [rows[e] for e in entries]


def _pool(parts: list[dict]) -> dict:
    """One row from the rounds of one variant: samples pooled, the first round's check and memory kept."""
    if any(p.get("status") != "ok" for p in parts):
        return next(p for p in parts if p.get("status") != "ok")
    t = summarise([x for p in parts for x in p["times"]])
    first = parts[0]
    row = {k: v for k, v in first.items() if k not in ("times", "per_sample")}
    row.update(median_s=t.median_s, q1_s=t.q1_s, q3_s=t.q3_s, samples=t.samples, rounds=len(parts),
               gflops=flops(first["shape"]) / t.median_s / 1e9, load1=sum(p["load1"] for p in parts) / len(parts))
    return row


def _describe(row: dict) -> str:
    where = f"{row['variant']} {row['dtype']} {'x'.join(map(str, row['shape']))} threads={row['threads']}"
    if row["status"] != "ok":
        return f"{where}: {row['status']} ({row.get('reason')})"
    return f"{where}: {1e3 * row['median_s']:.4g} ms, {row['gflops']:.3g} GFLOP/s"


REFERENCE = {"cpu": "numpy", "batched": "numpy-batched", "cuda": "torch-cuda", "cuda-batched": "torch-cuda-bmm"}


def _add_ratios(rows: list[dict]) -> None:
    """% of the in-run BLAS (same shape, dtype, threads) and, on the CPU, % of the computed peak."""
    ok = {(r["variant"], r["dtype"], r["threads"], tuple(r["shape"])): r for r in rows if r["status"] == "ok"}
    for r in rows:
        if r["status"] != "ok":
            continue
        v = VARIANTS[r["variant"]]
        kind = ("cuda" if v.device == "cuda" else "cpu") if not v.batched else (
            "cuda-batched" if v.device == "cuda" else "batched")
        ref = ok.get((REFERENCE[kind], r["dtype"], r["threads"], tuple(r["shape"])))
        r["reference"] = REFERENCE[kind]
        r["pct_blas"] = 100 * r["gflops"] / ref["gflops"] if ref else None
        peak = peak_gflops(r["threads"], DTYPES[r["dtype"]].itemsize)[0] if v.device == "cpu" else None
        r["pct_peak"] = 100 * r["gflops"] / peak if peak else None
