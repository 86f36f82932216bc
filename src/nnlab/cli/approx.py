"""``nnlab approx``: the universal-approximation lab."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from nnlab._validation import InvalidArgument, parse_sizes
from nnlab.cli._common import app, console, out_dir, parse_names, show_claims


@app.command()
def approx(
    out: Annotated[Path, typer.Option(
        help="Directory for figures, report.html, report.md, claims.json and summary.json.")] = Path(
        "results/approx"),
    quick: Annotated[bool, typer.Option("--quick", help="Fewer widths and epochs (seconds, for tests).")] = False,
    targets: Annotated[str | None, typer.Option(help="Comma-separated targets: sin, abs, step, square, "
                                                        "gaussians (default all).")] = None,
    widths: Annotated[str | None, typer.Option(help="Comma-separated hidden widths, e.g. 1,2,4,8.")] = None,
    activations: Annotated[str | None, typer.Option(help="Comma-separated activations (default relu,tanh).")
                           ] = None,
    epochs: Annotated[int | None, typer.Option(help="Adam epochs per fit.")] = None,
):
    """Universal approximation: one hidden layer of growing width against 1-D targets; depth vs width."""
    from nnlab.labs.approx import FULL, QUICK, run_approx
    settings = QUICK if quick else FULL
    changes = {}
    if targets is not None:
        changes["targets"] = parse_names(targets, "target")
    if widths is not None:
        changes["widths"] = parse_sizes(widths, "widths")
        if not changes["widths"]:
            raise InvalidArgument("The 'widths' parameter must list at least one width such as '1,2,4'.", "widths")
    if activations is not None:
        changes["activations"] = parse_names(activations, "activation")
    if epochs is not None:
        changes["epochs"] = epochs
    settings = replace(settings, **changes)     # validates names against the registries
    out = out_dir(out)
    from rich.status import Status
    with Status("fitting", console=console(stderr=True)) as status:
        summary = run_approx(out, settings, progress=lambda message: status.update(f"fitting {message}"),
                             quick=quick)
    show_claims(out, summary["wall_time_s"])
