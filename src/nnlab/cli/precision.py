"""``nnlab precision``: the same runs in fp32 and bf16 (and fp16 on CUDA), loss curves and time per epoch."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli._common import app, console, out_dir, show_claims


@app.command()
def precision(
    out: Annotated[Path, typer.Option(help="Directory for precision.png, report.html, report.md, claims.json and "
                                           "summary.json.")] = Path(
        "results/precision"),
    quick: Annotated[bool, typer.Option("--quick", help="A few epochs per run (seconds, for tests and the "
                                                        "tour).")] = False,
    seed: Annotated[int, typer.Option(help="Seed for data, initial weights and batch order.")] = 0,
):
    """Mixed precision: fp32 vs bf16 autocast on the seed workload and on digits, time per epoch and accuracy."""
    from rich.status import Status

    from nnlab._validation import check_seed
    from nnlab.labs.precision import run_precision
    check_seed("seed", seed)
    out = out_dir(out)
    with Status("starting", console=console(stderr=True)) as status:
        summary = run_precision(out, quick=quick, seed=seed, progress=lambda message: status.update(message))
    show_claims(out, summary["wall_time_s"])
