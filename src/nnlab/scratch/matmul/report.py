"""The benchmark written up as Markdown: goals, GFLOP/s tables by section, every measurement, conditions."""
from __future__ import annotations

from nnlab.scratch.matmul.goals import check_goals
from nnlab.scratch.matmul.machine import cpu_model, peak_gflops
from nnlab.scratch.matmul.operands import DTYPES
from nnlab.scratch.matmul.variants import VARIANTS

__all__ = ["render_markdown", "sections", "write_run"]


def _shape(shape) -> str:
    return "x".join(map(str, shape))


def _bytes(n) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


def _num(x, digits=3) -> str:
    return "-" if x is None else f"{x:.{digits}g}"


def sections(result) -> list[tuple[str, list[dict]]]:
    """(title, rows) for each table: CPU by thread count, rectangular, batched, GPU by dtype."""
    rows, cfg = result.rows, result.config
    cpu = [r for r in rows if VARIANTS[r["variant"]].device == "cpu" and not VARIANTS[r["variant"]].batched]
    out = []
    for t in sorted({r["threads"] for r in cpu}):
        square = [r for r in cpu if r["threads"] == t and len(set(r["shape"])) == 1]
        if square:
            out.append((f"CPU, {t} thread{'s' * (t > 1)}, {cfg.dtype}, square N x N", square))
    rect = [r for r in cpu if len(set(r["shape"])) > 1]
    if rect:
        out.append((f"CPU, rectangular (M x K x N), {cfg.dtype}", rect))
    batched = [r for r in rows if VARIANTS[r["variant"]].batched and VARIANTS[r["variant"]].device == "cpu"]
    if batched:
        out.append((f"CPU, batched (L x M x K x N), {cfg.dtype}", batched))
    for d in cfg.gpu_dtypes:
        gpu = [r for r in rows if VARIANTS[r["variant"]].device == "cuda" and r["dtype"] == d]
        if gpu:
            out.append((f"GPU, {d}", gpu))
    return out


def _pivot(rows: list[dict]) -> list[str]:
    """Variants down, shapes across, GFLOP/s in the cells ('skip' where the time limit ruled it out)."""
    shapes = sorted({tuple(r["shape"]) for r in rows}, key=lambda s: (len(s), s[-3] * s[-2] * s[-1], s))
    heads = [f"{s[0]} x {s[1]}x{s[3]}" if len(s) == 4 else _shape(s) if len(set(s)) > 1 else str(s[0])
             for s in shapes]
    lines = ["| variant | threads | " + " | ".join(heads) + " |", "|---|---:|" + "---:|" * len(shapes)]
    keys = list(dict.fromkeys((r["variant"], r["threads"]) for r in rows))
    for name, t in keys:
        cells = []
        for s in shapes:
            r = next((r for r in rows if (r["variant"], r["threads"], tuple(r["shape"])) == (name, t, s)), None)
            cells.append("" if r is None else _num(r.get("gflops")) if r["status"] == "ok" else "skip")
        lines.append(f"| {name} | {t or 'GPU'} | " + " | ".join(cells) + " |")
    return lines


PAIRS = (("NumPy", "numpy-loop", "numpy-batched"), ("PyTorch", "torch-loop", "torch-bmm"),
         ("numba", "numba-loop", "numba-batched"))


def _speedups(rows: list[dict]) -> list[str]:
    ok = {(r["variant"], tuple(r["shape"])): r for r in rows if r["status"] == "ok" and r["threads"] == 1}
    shapes = sorted({s for _, s in ok}, key=lambda s: (s[1], s[0]))
    lines = ["| library | " + " | ".join(f"{s[0]} x {s[1]}x{s[3]}" for s in shapes) + " |",
             "|---|" + "---:|" * len(shapes)]
    for label, loop, batched in PAIRS:
        cells = [f"{ok[(loop, s)]['median_s'] / ok[(batched, s)]['median_s']:.1f}x"
                 if (loop, s) in ok and (batched, s) in ok else "" for s in shapes]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def _details(rows: list[dict]) -> list[str]:
    lines = ["| variant | threads | shape | median ms | IQR ms | samples (rounds) | GFLOP/s | % BLAS | % peak "
             "| memory | err / eps | load |", "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r["status"] != "ok":
            continue
        lines.append(f"| {r['variant']} | {r['threads'] or 'GPU'} | {_shape(r['shape'])} | "
                     f"{_num(1e3 * r['median_s'], 4)} | {_num(1e3 * (r['q3_s'] - r['q1_s']), 2)} | "
                     f"{r['samples']} ({r.get('rounds', 1)}) | "
                     f"{_num(r['gflops'])} | {_num(r.get('pct_blas'))} | {_num(r.get('pct_peak'))} | "
                     f"{_bytes(r['memory_bytes'])} | {r['err_eps']:.2f} | {r['load1']:.2f} |")
    return lines


def render_markdown(result, command: str = "") -> str:
    cfg, info, rows = result.config, result.info, result.rows
    cpu_threads = max(cfg.threads)
    out = ["# Matrix multiplication, from pure Python to BLAS", ""]
    if command:
        out += [f"Command: `{command}`", ""]
    out += [f"{info['date']}, {info.get('wall_s', 0):.0f} s. CPU: {cpu_model()}. Load average (1, 5, 15 min) "
            f"at start {_loads(info['load_start'])}, at end {_loads(info.get('load_end'))}: this machine was "
            "shared while it ran, so compare rows of this run, not numbers across runs.", "",
            "GFLOP/s = 2 M N K / median time. % BLAS = against NumPy's BLAS (batched: one np.matmul; GPU: "
            "torch on cuBLAS) on the same shape, dtype and thread count, measured in this run. err / eps = "
            "max|C - C_ref| / (max|A| max|B| K) / eps(dtype) of the timed result against float64. memory = "
            "operands, result and workspace as the variant holds them (Python lists: 32 bytes per number).",
            ""]
    cores = (info.get("main") or {}).get("threads", {}).get("cpu_count") or 1
    loads = [r["load1"] for r in rows if r.get("load1") is not None]
    if loads and max(loads) > cores:
        out += [f"The 1-minute load average reached {max(loads):.1f} on {cores} cores during this run: other "
                "processes held the cores, so multi-thread rows measure that contention (threads waiting for a "
                "core) more than the kernels, and single-thread rows carry noise of tens of percent.", ""]
    out += ["## Goals", "", "| goal | target | measured | verdict |", "|---|---|---|---|"]
    goals = check_goals(rows, cpu_threads)
    for g in goals:
        verdict = {True: "met", False: "**missed**", None: "-"}[g.met]
        out.append(f"| {g.name} | {g.target} | {g.measured} | {verdict} |")
    reasons: dict[str, list[str]] = {}
    for g in goals:
        if g.met is False:
            reasons.setdefault(g.why, []).append(g.name)
    if reasons:
        out += ["", "Why the missed goals fall short:", ""]
        out += [f"- {', '.join(names)}: {why}." for why, names in reasons.items()]
    for title, section in sections(result):
        out += ["", f"## {title}: GFLOP/s", ""] + _pivot(section)
        if title.startswith("CPU, batched"):
            out += ["", "Speed-up of one batched call over the Python loop of 2-D calls, per library:", ""]
            out += _speedups(section)
    out += ["", "## Compile time and the correctness gate", "",
            "| variant | dtype | status | first call s (JIT) | cache | gate |", "|---|---|---|---:|---|---|"]
    for p in result.prepared:
        out.append(f"| {p['variant']} | {p['dtype']} | {p['status']} | {_num(p['compile_s'])} | {p['cache'] or '-'} "
                   f"| {p.get('gate') or p.get('reason') or '-'} |")
    skipped = [r for r in rows if r["status"] != "ok"]
    if skipped:
        out += ["", "## Not timed", ""] + [f"- {r['variant']} {_shape(r['shape'])} threads={r['threads']}: "
                                            f"{r.get('reason')}" for r in skipped]
    out += ["", "## Every measurement", ""] + _details(rows)
    out += ["", "## Conditions", ""] + _conditions(result)
    return "\n".join(out) + "\n"


def _loads(loads) -> str:
    return "?" if not loads else ", ".join(f"{x:.2f}" for x in loads)


def _conditions(result) -> list[str]:
    info, cfg = result.info, result.config
    lines = []
    for t in sorted(set(cfg.threads)):
        lines.append(f"- peak, {t} thread{'s' * (t > 1)}, {cfg.dtype}: "
                     f"{peak_gflops(t, DTYPES[cfg.dtype].itemsize)[1]}")
    for who in ("main", "worker"):
        p = info.get(who)
        if not p:
            continue
        role = "from-scratch variants" if who == "main" else "BLAS baseline process (NumPy, torch)"
        pools = "; ".join(f"{x['internal_api']} {x.get('version') or ''} kernel={x.get('architecture') or '-'} "
                          f"threads={x['num_threads']}" for x in p["pools"])
        lines.append(f"- {role}: numpy {p['numpy']}, torch {p['torch']} (BLAS: {p['torch_blas']}), python "
                     f"{p['python']}; pools: {pools}; OPENBLAS_* env: {p['openblas_env']}")
        if p["threads"].get("numba"):
            lines.append(f"  - numba: {p['threads']['numba']}")
        lines.append(f"  - thread env: {p['threads']['env']}")
    removed = info.get("removed_from_worker_env")
    lines.append(f"- removed from the BLAS baseline process's environment: {removed or 'nothing (not set)'}")
    lines.append(f"- threads are pinned for each measurement (threadpoolctl for BLAS/OpenMP, "
                 f"torch.set_num_threads, numba.set_num_threads); thread counts measured: {sorted(set(cfg.threads))}")
    lines.append(f"- timing: warm-up, then {cfg.rounds} interleaved rounds per shape (every variant in turn), "
                 f"together at least {cfg.min_time:g} s and {cfg.min_samples} samples per variant; median and "
                 f"quartiles of the pooled samples; calls estimated over {cfg.max_call_s:g} s are not timed")
    jit = info.get("jit", "as found (cache status per row)")
    lines.append(f"- gate level: {cfg.gate}; seed {cfg.seed}; JIT: {jit}")
    return lines


def write_run(result, markdown_path, command: str = "") -> list:
    """Write the Markdown table, the run as JSON, and the two figures beside it; returns the paths."""
    from pathlib import Path

    from nnlab.scratch.matmul.plot import plot_batched, plot_scaling
    from nnlab.viz._style import save
    md = Path(markdown_path)
    md.parent.mkdir(parents=True, exist_ok=True)
    md.write_text(render_markdown(result, command))
    data = md.with_suffix(".json")
    data.write_text(result.to_json())
    written = [md, data]
    written += save(plot_scaling(result), md.with_name(md.stem + "_scaling.png"))
    if any(VARIANTS[r["variant"]].batched and r["status"] == "ok" for r in result.rows):
        written += save(plot_batched(result, _batched_shape(result)), md.with_name(md.stem + "_batched.png"))
    return written


def _batched_shape(result) -> tuple[int, ...]:
    """The goal's 1024 x 32x32 when it was measured, else the first batched shape of the run."""
    shapes = [tuple(r["shape"]) for r in result.rows if VARIANTS[r["variant"]].batched and r["status"] == "ok"]
    return (1024, 32, 32, 32) if (1024, 32, 32, 32) in shapes else shapes[0]
