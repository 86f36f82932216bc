"""``nnlab gd``: the gradient-descent lab (exercise 1.3): its figures, summary.json and summary.md."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from nnlab._validation import InvalidArgument, check_choice
from nnlab.cli._common import FLAGS, app, choices, console, out_dir
from nnlab.labs.gd.functions import FUNCTIONS
from nnlab.labs.gd.lab import PARTS
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
    out: Annotated[Path, typer.Option(help="Directory for the figures, summary.json and summary.md.")] = Path(
        "results/gd"),
    part: Annotated[str, typer.Option(help=f"Parts to run, comma-separated: all, {choices(PARTS)}.")] = "all",
    quick: Annotated[bool, typer.Option(
        "--quick", help="Small grids, few epochs, one 2-D function: a smoke run of about half a minute.")] = False,
    function: Annotated[Optional[str], typer.Option(
        help=f"2-D functions for paths/compare, comma-separated (default all; --quick: himmelblau): "
             f"{choices(FUNCTIONS)}.")] = None,
    optimizer: Annotated[Optional[str], typer.Option(
        help=f"Optimizers, comma-separated (default all): {choices({**PATH_OPTIMIZERS, **OPTIMIZERS})}.")] = None,
    lr: Annotated[Optional[str], typer.Option(
        help="Learning rates (> 0), comma-separated: the runs Part A draws and Part B compares.")] = None,
    batch_size: Annotated[Optional[str], typer.Option(
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

    from nnlab.labs.gd.lab import run_lab
    err_console = console(stderr=True)
    summary = run_lab(out, parts, settings, log=lambda message: err_console.print(f"[dim]{message}[/]"))
    _report(summary, out)


def _check_parts_have_optimizers(parts, settings) -> None:
    if {"paths", "compare"} & set(parts) and not settings.path_optimizers:
        raise InvalidArgument(f"The 'optimizer' parameter must name one of {sorted(PATH_OPTIMIZERS)} for the "
                              f"paths and compare parts. Got {list(settings.optimizers)!r} instead.", "optimizer")
    if "network" in parts and not settings.network_optimizers:
        raise InvalidArgument(f"The 'optimizer' parameter must name one of {sorted(OPTIMIZERS)} for the network "
                              f"part. Got {list(settings.optimizers)!r} instead.", "optimizer")


def _report(summary: dict, out: Path) -> None:
    con = console()
    parts = summary["parts"]
    if "a" in parts:
        a = parts["a"]
        con.print(f"Part A: iteration counts match the closed form within {a['max_count_difference']} step(s) over "
                  f"{a['grid']['n']} learning rates; lr 0.5 takes {a['lr_0.5_iterations']} step; lr >= 1 converged "
                  f"{a['lr_ge_1_converged']} times")
    if "b" in parts and parts["b"]["noise_floor"]:
        worst = max(abs(r["relative_error"]) for r in parts["b"]["noise_floor"])
        con.print(f"Part B: f = (1/n) sum (x - a_i)^2 - c has coefficients {parts['b']['coefficients']}; "
                  f"noise floor within {worst:.1%} of lr s^2 / (b (1 - lr))")
    if "paths" in parts:
        r = parts["paths"]["rates"]
        con.print(f"kappa = 100: gd rate {r['gd_measured']:.4f} (theory {r['gd_rate']:.4f}), heavy ball "
                  f"{r['heavy_ball_measured']:.4f} (theory {r['hb_rate']:.4f})")
    if "network" in parts:
        for name, row in parts["network"]["optimizers"].items():
            reached = f"97 % at epoch {row['epochs_to_97']}" if row["epochs_to_97"] else "97 % not reached"
            accuracy = row["final_accuracy"]
            shown = f"{accuracy:.1%}" if accuracy is not None else "-"
            con.print(f"network {name:9s} lr {row['lr']:<6g} {reached}, final accuracy {shown}"
                      + (" (diverged)" if row["diverged"] else ""))
    con.print(f"wrote {len(summary['files'])} figures, summary.json and summary.md to {out}")
