"""``nnlab gd``: the gradient-descent lab (exercise 1.3): its figures, summary.json, claims.json, report.md and
report.html."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nnlab._validation import InvalidArgument, check_choice
from nnlab.cli._common import FLAGS, app, choices, console, out_dir, show_claims
from nnlab.labs.gd.functions import FUNCTIONS
from nnlab.labs.gd.parts import PARTS
from nnlab.labs.gd.paths import PATH_OPTIMIZERS
from nnlab.labs.gd.settings import N_TERMS
from nnlab.training.optimizers import OPTIMIZERS

# Parameters of this command that nnlab.cli._common.FLAGS does not name: their errors carry the flag themselves.
_OWN_FLAGS = {"part": "--part", "function": "--function", "tol": "--tol", "x0": "--x0", "max_iter": "--max-iter"}


def _split(text: str | None, name: str) -> tuple[str, ...] | None:
    if text is None:
        return None
    items = tuple(t.strip() for t in text.split(",") if t.strip())
    if not items:
        raise InvalidArgument(f"The '{name}' parameter needs at least one value. Got {text!r} instead.", name)
    return items


def _numbers(text: str | None, name: str, kind):
    items = _split(text, name)
    if items is None:
        return None
    try:
        return tuple(kind(t) for t in items)
    except ValueError:
        what = "integers such as '1,4,16'" if kind is int else "numbers such as '0.1,0.5'"
        raise InvalidArgument(f"The '{name}' parameter must be comma-separated {what}. Got {text!r} instead.",
                              name) from None


@app.command("gd")
def gd(
    out: Annotated[Path, typer.Option(help="Directory for the figures, report.html, report.md, claims.json and "
                                           "summary.json.")] = Path(
        "results/gd"),
    part: Annotated[str, typer.Option(help=f"Parts to run, comma-separated: all, {choices(PARTS)}.")] = "all",
    quick: Annotated[bool, typer.Option(
        "--quick", help="Small grids, fewer epochs, one 2-D function: a short run that still shows the lab's "
                    "headline lessons.")] = False,
    function: Annotated[str | None, typer.Option(
        help=f"2-D functions for paths/compare, comma-separated (default all; --quick: himmelblau): "
             f"{choices(FUNCTIONS)}.")] = None,
    optimizer: Annotated[str | None, typer.Option(
        help=f"Optimizers, comma-separated (default all): {choices({**PATH_OPTIMIZERS, **OPTIMIZERS})}.")] = None,
    lr: Annotated[str | None, typer.Option(
        help="Learning rates (> 0), comma-separated: the runs Part A draws and Part B compares.")] = None,
    batch_size: Annotated[str | None, typer.Option(
        help=f"Part B's batch sizes, comma-separated, each in [1, {N_TERMS}] (default 1,4,16,64).")] = None,
    tol: Annotated[float, typer.Option(help="Part A's tolerance (> 0) for |f'(x)| and |x_t+1 - x_t|.")] = 1e-6,
    x0: Annotated[float, typer.Option(help="Start of Parts A and B.")] = 10.0,
    max_iter: Annotated[int, typer.Option(help="Part A's bound on updates.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of Part B's terms and batches and of the network.")] = 0,
):
    """The gradient-descent lab: x^2 + 4x + 4 by GD, SGD and mini-batch; optimizer paths; lr sweeps; the MLP."""
    from nnlab.labs.gd.settings import LabSettings
    try:
        parts = _split(part, "part")
        for p in parts:
            check_choice("part", p, [*PARTS, "all"])
        parts = tuple(PARTS) if "all" in parts else parts
        settings = LabSettings(quick=quick, seed=seed, x0=x0, tol=tol, max_iter=max_iter,
                               lrs=_numbers(lr, "lr", float), batch_sizes=_numbers(batch_size, "batch_size", int),
                               functions=_split(function, "function"),
                               optimizers=_split(optimizer, "optimizer") or LabSettings.optimizers)
        _check_parts_have_optimizers(parts, settings)
    except InvalidArgument as err:
        if err.argument in _OWN_FLAGS and err.argument not in FLAGS:
            raise InvalidArgument(f"{_OWN_FLAGS[err.argument]}: {err}", None) from None
        raise
    out = out_dir(out)

    from nnlab.labs.gd import run_gd
    err_console = console(stderr=True)
    summary = run_gd(out, parts, settings, log=lambda message: err_console.print(f"[dim]{message}[/]"))
    show_claims(out, summary["run"]["seconds"])


def _check_parts_have_optimizers(parts, settings) -> None:
    if {"paths", "compare"} & set(parts) and not settings.path_optimizers:
        raise InvalidArgument(f"The 'optimizer' parameter must name one of {sorted(PATH_OPTIMIZERS)} for the "
                              f"paths and compare parts. Got {list(settings.optimizers)!r} instead.", "optimizer")
    if "network" in parts and not settings.network_optimizers:
        raise InvalidArgument(f"The 'optimizer' parameter must name one of {sorted(OPTIMIZERS)} for the network "
                              f"part. Got {list(settings.optimizers)!r} instead.", "optimizer")
