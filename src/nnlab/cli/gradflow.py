"""``nnlab gradflow``: the gradient-flow lab."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli._common import app, choices, console, out_dir, parse_names, show_claims
from nnlab.nn.activations import ACTIVATIONS
from nnlab.nn.init import INITS


@app.command()
def gradflow(
    out: Annotated[Path, typer.Option(help="Directory for figures, report.md and summary.json.")] = Path(
        "results/gradflow"),
    quick: Annotated[bool, typer.Option("--quick", help="Smaller grids and fewer epochs (seconds, for tests).")
                     ] = False,
    depth: Annotated[int | None, typer.Option(help="Hidden layers of every net (measured and trained).")] = None,
    width: Annotated[int | None, typer.Option(help="Width of the nets measured at initialisation.")] = None,
    train_width: Annotated[int | None, typer.Option(help="Width of the trained nets.")] = None,
    activations: Annotated[str | None, typer.Option(help=f"Comma-separated activations measured at "
                                                            f"initialisation: {choices(ACTIVATIONS)}.")] = None,
    inits: Annotated[str | None, typer.Option(help=f"Comma-separated inits measured at initialisation: "
                                                      f"{choices(INITS)} (xavier: Glorot with the activation's gain).")
                     ] = None,
    init_std: Annotated[float | None, typer.Option(help="Std of init 'normal'.")] = None,
    seeds: Annotated[int | None, typer.Option(help="Initialisations averaged per variance curve (>= 2).")] = None,
    epochs: Annotated[int | None, typer.Option(help="Training epochs.")] = None,
    lr: Annotated[float | None, typer.Option(help="SGD learning rate of the comparison.")] = None,
):
    """Gradient flow: per-layer variances at initialisation against theory, gradient heatmaps while training,
    SGD vs Adam, and exploding runs caught at their first non-finite value."""
    from nnlab.labs.gradflow import FULL, QUICK, run_gradflow
    changes = {}
    for key, value in {"depth": depth, "width": width, "train_width": train_width, "init_std": init_std,
                       "seeds": seeds, "epochs": epochs, "lr": lr}.items():
        if value is not None:
            changes[key] = value
    if activations is not None:
        changes["activations"] = parse_names(activations, "activations")
    if inits is not None:
        changes["inits"] = parse_names(inits, "inits")
    settings = replace(QUICK if quick else FULL, **changes)     # validates every value; names from the registries
    out = out_dir(out)
    from rich.status import Status
    with Status("measuring", console=console(stderr=True)) as status:
        summary = run_gradflow(out, settings, progress=lambda message: status.update(message))
    show_claims(out, summary["wall_time_s"])
