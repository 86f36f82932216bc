"""``nnlab study``: exercise 1.1's studies of a single-hidden-layer network (one-layer, activations, sensitivity)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from nnlab._validation import InvalidArgument
from nnlab.cli._common import app, console, out_dir, show_claims
from nnlab.labs.study import CHOICES


@app.command()
def study(
    name: Annotated[str, typer.Argument(help=f"Which study: {', '.join(CHOICES)} (default all).")] = "all",
    out: Annotated[Path, typer.Option(help="Directory for the page (report.html, report.md, claims.json, "
                                           "summary.json), the figures and the run store runs/ ('all': one page, "
                                           "the figures and runs/ in a subdirectory per study).")
                   ] = Path("results/study"),
    quick: Annotated[bool, typer.Option("--quick", help="Smaller grids, fewer epochs and 2 seeds (seconds, for "
                                                        "tests and the tour).")] = False,
    dataset: Annotated[str | None, typer.Option(help="A 2-D two-class data set (default xor); see "
                                                        "'nnlab datasets'.")] = None,
    seeds: Annotated[int | None, typer.Option(help="Seeds per setting (default 5; 2 with --quick).")] = None,
):
    """Exercise 1.1: a single hidden layer written out, every activation compared, and a learning rate x batch
    size grid; figures and a page of what this run's numbers show."""
    from nnlab.labs.study import FULL, QUICK, run_study
    if name not in CHOICES:
        raise InvalidArgument(f"The 'study' argument must be one of {list(CHOICES)}. Got {name!r} instead.", "study")
    changes = {k: v for k, v in {"dataset": dataset, "seeds": seeds}.items() if v is not None}
    settings = replace(QUICK if quick else FULL, **changes)       # checks the data set and the seed count
    out = out_dir(out)
    from rich.status import Status
    with Status("starting", console=console(stderr=True)) as status:
        result = run_study(name, out, settings, progress=status.update, quick=quick)
    show_claims(out, result["run"]["seconds"])
