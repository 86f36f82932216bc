"""``nnlab costs``: what landmark architectures cost, counted from real models (exercise 1.2)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli._common import app, console, out_dir, show_claims


@app.command()
def costs(
    out: Annotated[Path, typer.Option(help="Directory for the figures, layer tables and report.")]
    = Path("results/costs"),
    quick: Annotated[bool, typer.Option("--quick", help="Time only the three smallest models (seconds).")] = False,
    threads: Annotated[int, typer.Option(help="Torch threads while timing (0 = leave torch's setting).")] = 1,
    time_models: Annotated[str | None, typer.Option("--time", help="Comma-separated models to time instead "
                                                       "of the default set (see the report for names).")] = None,
):
    """What architectures cost, computed from real models: parameters, multiply-adds, memory, CPU time."""
    from nnlab._validation import InvalidArgument
    from nnlab.labs.architectures import ARCHITECTURES
    if threads < 0:
        raise InvalidArgument(f"--threads: must be 0 (leave torch's setting) or more. Got {threads} instead.",
                              "threads")
    timed = None
    if time_models is not None:
        timed = [n.strip() for n in time_models.split(",") if n.strip()]
        unknown = [n for n in timed if n not in ARCHITECTURES]
        if unknown or not timed:
            raise InvalidArgument(f"--time: models must be among {sorted(ARCHITECTURES)}. Got {time_models!r} "
                                  f"instead.", "time")
        too_big = [n for n in timed if not ARCHITECTURES[n].timeable]
        if too_big:
            raise InvalidArgument(f"--time: {too_big} cannot be built in memory here; choose among "
                                  f"{sorted(n for n, a in ARCHITECTURES.items() if a.timeable)}.", "time")
    from nnlab.labs.architectures import run_costs
    out = out_dir(out)
    summary = run_costs(out, quick=quick, timed=timed, threads=threads or None)
    con = console()
    for name, m in summary["models"].items():
        con.print(f"{ARCHITECTURES[name].title:24s} {m['params']:>18,d} parameters {m['macs']:>22,d} MACs "
                  f"({m['input']})")
    show_claims(out, summary["wall_time_s"])
