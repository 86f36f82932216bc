"""``nnlab matmul-bench``: every matrix-multiplication variant timed, threaded, batched and on a GPU where there is one
(exercise 1.4)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nnlab._validation import InvalidArgument
from nnlab.cli._common import app, console, out_dir, parse_ints, parse_names


@app.command("matmul-bench")
def matmul_bench(
    sizes: Annotated[str | None, typer.Option(help="Square sizes N, e.g. '64,256,1024' (default: quick set).")]
        = None,
    variants: Annotated[str | None, typer.Option(help="Comma-separated variants (default all; see "
                                                         "'nnlab matmul-bench --list').")] = None,
    threads: Annotated[str | None, typer.Option(help="Thread counts for threaded variants, e.g. '1,2' "
                                                        "(default: 1 and all cores).")] = None,
    dtype: Annotated[str, typer.Option(help="CPU dtype: float32 or float64.")] = "float32",
    max_call_s: Annotated[float | None, typer.Option(help="Skip calls estimated to take longer than this.")]
        = None,
    full: Annotated[bool, typer.Option("--full", help="The full benchmark (sizes to 2048, full gate; minutes).")]
        = False,
    list_variants: Annotated[bool, typer.Option("--list", help="List the variants and exit.")] = False,
    out: Annotated[Path, typer.Option(help="Markdown file; JSON and figures go beside it.")] =
        Path("results/matmul/matmul.md"),
):
    """Time every matmul variant, from pure Python to BLAS (and GPU kernels where CUDA is present)."""
    import dataclasses
    import os

    from nnlab.scratch.matmul.variants import FAMILIES, VARIANTS
    con = console()
    if list_variants:
        for name, v in VARIANTS.items():
            con.print(f"{name:<24} {v.family:<8} {v.description} ({', '.join(v.dtypes)}"
                      f"{', batched' if v.batched else ''}{', threaded' if v.threaded else ''})")
        con.print("families: " + "; ".join(f"{k}: {d}" for k, d in FAMILIES.items()))
        return
    from nnlab.scratch.matmul.bench import QUICK, BenchConfig, check_config, run_bench
    if dtype not in ("float32", "float64"):
        raise InvalidArgument(f"--dtype: must be one of ['float32', 'float64']; got {dtype!r}.", "dtype")
    if max_call_s is not None and not max_call_s > 0:
        raise InvalidArgument(f"--max-call-s: must be a number > 0; got {max_call_s!r}.", "max_call_s")
    changes = {"dtype": dtype}
    if sizes is not None:
        changes["sizes"] = parse_ints(sizes, "--sizes")
    if variants is not None:
        changes["variants"] = parse_names(variants, "--variants", VARIANTS)
    if threads is not None:
        changes["threads"] = parse_ints(threads, "--threads")
        if max(changes["threads"]) > 4 * (os.cpu_count() or 1):
            raise InvalidArgument(f"--threads: at most {4 * (os.cpu_count() or 1)} on this machine; got {threads!r}.",
                                  "threads")
    if max_call_s is not None:
        changes["max_call_s"] = max_call_s
    cfg = check_config(dataclasses.replace(BenchConfig() if full else QUICK, **changes))
    out_dir(out.parent)
    err = console(stderr=True)
    result = run_bench(cfg, log=lambda line: err.print(line, markup=False))

    from nnlab.scratch.matmul.goals import check_goals
    from nnlab.scratch.matmul.report import write_run
    for path in write_run(result, out, command="nnlab matmul-bench " + " ".join(
            f"--{k.replace('_', '-')} {v}" for k, v in (("sizes", sizes), ("variants", variants),
                                                       ("threads", threads), ("dtype", dtype)) if v)):
        con.print(f"wrote {path}")
    for g in check_goals(result.rows, max(cfg.threads)):
        if g.met is not None:
            con.print(f"goal {g.name}: {g.target}: {g.measured} -> {'met' if g.met else 'MISSED'}", markup=False)
