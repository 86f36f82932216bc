"""``nnlab datasets``: list the data sets, or draw one."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli._common import app, choices, console, out_dir
from nnlab.data import DATASETS

datasets_app = typer.Typer(help="List the data sets, or draw one with 'show NAME'.", invoke_without_command=True)
app.add_typer(datasets_app, name="datasets")


@datasets_app.callback()
def datasets_list(ctx: typer.Context):
    """List every data set with its task, default size and what its noise does."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table
    table = Table(title="nnlab data sets")
    for column in ("name", "task", "n", "noise", "noise means", "what it is"):
        table.add_column(column)
    for d in DATASETS.values():
        table.add_row(d.name, d.task, str(d.n), str(d.noise), d.noise_meaning, d.description)
    console().print(table)


@datasets_app.command("show")
def datasets_show(
    name: Annotated[str, typer.Argument(help=f"One of: {choices(DATASETS)}.")],
    n: Annotated[int | None, typer.Option(help="Number of points.")] = None,
    noise: Annotated[float | None, typer.Option(help="Generator noise.")] = None,
    seed: Annotated[int, typer.Option(help="Seed.")] = 0,
    out: Annotated[Path | None, typer.Option(help="PNG to write (default results/datasets/NAME.png).")] = None,
):
    """Draw one data set to a PNG."""
    from nnlab._validation import check_choice
    from nnlab.data import make_dataset, to_class_indices
    check_choice("NAME", name, DATASETS)          # the positional argument, as the usage line calls it
    X, y = make_dataset(name, n=n, noise=noise, seed=seed)
    spec = DATASETS[name]
    classes = None
    if spec.task == "classification":
        y, classes = to_class_indices(y)
    out = out or Path("results") / "datasets" / f"{name}.png"
    out_dir(out.parent)
    from nnlab.viz import plot_dataset, save
    fig = plot_dataset(X, y, f"{name}: {spec.description}", spec.task, spec.domain, classes)
    written = save(fig, out)
    console().print(f"wrote {written[0]}")
