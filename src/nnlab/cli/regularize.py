"""``nnlab regularize``: the overfitting and regularisation lab."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from nnlab._validation import InvalidArgument
from nnlab.cli._common import app, choices, console, out_dir, show_claims
from nnlab.labs.regularize.regularizers import REGULARIZERS
from nnlab.labs.regularize.tasks import TASKS


def _names(text: str, argument: str, registry) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    if names == ("all",):
        return tuple(registry)
    if not names:
        raise InvalidArgument(f"The '{argument}' parameter must name at least one of {sorted(registry)} or 'all'. "
                              f"Got {text!r} instead.", argument)
    return names


def _numbers(text: str, argument: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        values = ()
    if not values:
        raise InvalidArgument(f"The '{argument}' parameter must be comma-separated numbers such as '0.1,0.3'. "
                              f"Got {text!r} instead.", argument)
    return values


@app.command()
def regularize(
    out: Annotated[Path, typer.Option(help="Directory for the figures, report.html, report.md, claims.json and "
                                           "summary.json.")] = Path(
        "results/regularize"),
    quick: Annotated[bool, typer.Option("--quick", help="Two seeds, one strength each, short runs (seconds).")
                     ] = False,
    dataset: Annotated[str, typer.Option(help=f"Comma-separated data sets: {choices(TASKS)}, or all.")] = "all",
    regularizers: Annotated[str | None, typer.Option(help=f"Comma-separated: {choices(REGULARIZERS)} "
                                                             "(default all).")] = None,
    seeds: Annotated[int | None, typer.Option(help="Seeds per setting (default 5, quick 2).")] = None,
    epochs: Annotated[int | None, typer.Option(help="Adam epochs per run (default: spiral 1000, digits 300; "
                                                       "quick 200).")] = None,
    l2: Annotated[str | None, typer.Option(help="L2 strengths, e.g. 1e-4,1e-3,1e-2.")] = None,
    l1: Annotated[str | None, typer.Option(help="L1 strengths, e.g. 1e-4,1e-3,1e-2.")] = None,
    dropout: Annotated[str | None, typer.Option(help="Dropout rates in [0, 1), e.g. 0.1,0.3,0.5.")] = None,
):
    """Overfitting and regularisation: capacity sweep, six regularisers alone and combined, L1 against L2."""
    from nnlab.labs.regularize import FULL, QUICK, run_regularize
    settings = QUICK if quick else FULL
    changes = {"datasets": _names(dataset, "dataset", TASKS)}
    if regularizers is not None:
        changes["regularizers"] = _names(regularizers, "regularizers", REGULARIZERS)
    for key, value in (("seeds", seeds), ("epochs", epochs)):
        if value is not None:
            changes[key] = value
    for key, value in (("l2", l2), ("l1", l1), ("dropout", dropout)):
        if value is not None:
            changes[key] = _numbers(value, key)
    settings = replace(settings, **changes)     # validates every value, naming the argument
    out = out_dir(out)
    from rich.status import Status
    with Status("training", console=console(stderr=True)) as status:
        summary = run_regularize(out, settings, progress=lambda message: status.update(f"training {message}"),
                                 quick=quick)
    show_claims(out, summary["wall_time_s"])
