"""``nnlab explain``: looking inside trained networks (neurons, hidden spaces, attributions, spectra, sharpness)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from nnlab._validation import InvalidArgument
from nnlab.cli._common import app, choices, console, out_dir, show_claims
from nnlab.labs.explain.settings import FULL, METHODS, TABULAR_NAMES, TASKS_2D

# Settings field -> the flag that sets it, so an error names what the user typed.
_FLAG_OF = {"tasks": "--tasks", "datasets": "--datasets", "methods": "--methods", "seed": "--seed"}


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


@app.command()
def explain(
    out: Annotated[Path, typer.Option(
        help="Directory for figures, report.html, report.md, claims.json and summary.json.")] = Path(
        "results/explain"),
    quick: Annotated[bool, typer.Option("--quick", help="Fewer epochs and examples (seconds, for tests and the "
                                                        "tour).")] = False,
    tasks: Annotated[str | None, typer.Option(help=f"Comma-separated 2-D tasks from {choices(TASKS_2D)} "
                                                      f"(default {','.join(FULL.tasks)}).")] = None,
    datasets: Annotated[str | None, typer.Option(help=f"Comma-separated tabular data sets from "
                                                         f"{choices(TABULAR_NAMES)} (default all).")] = None,
    methods: Annotated[str | None, typer.Option(help=f"Comma-separated attribution methods from "
                                                        f"{choices(METHODS)} (default all).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for data splits, initial weights and sampling.")] = None,
):
    """Look inside trained networks: neuron maps, hidden spaces and probes, attributions checked against their
    defining properties, weight spectra and the edge of stability."""
    from nnlab.labs.explain import QUICK, run_explain
    changes = {}
    for key, value in {"tasks": tasks, "datasets": datasets, "methods": methods}.items():
        if value is not None:
            changes[key] = _names(value)
    if seed is not None:
        changes["seed"] = seed
    try:
        settings = replace(QUICK if quick else FULL, **changes)
    except InvalidArgument as err:          # name the flag: Settings' 'datasets' is --datasets, not --dataset
        err.argument = _FLAG_OF.get(err.argument or "", err.argument)
        raise
    out = out_dir(out)
    from rich.status import Status
    with Status("starting", console=console(stderr=True)) as status:
        summary = run_explain(out, settings, progress=lambda message: status.update(message), quick=quick)
    show_claims(out, summary["wall_time_s"])
