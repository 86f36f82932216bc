"""``nnlab conv``: the convolution lab."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli._common import app, console, out_dir, parse_names, show_claims

# Settings' names the shared FLAGS table does not know -> the flag a user typed
_FLAGS = {"max_shift": "--max-shift", "shapes_n": "--shapes-n"}


@app.command()
def conv(
    out: Annotated[Path, typer.Option(help="Directory for the figures, report.html, report.md, claims.json and "
                                           "summary.json.")] = Path("results/conv"),
    quick: Annotated[bool, typer.Option("--quick", help="Fewer images and epochs (seconds, for tests and the "
                                                        "tour).")] = False,
    dataset: Annotated[str | None, typer.Option(help="Comma-separated image sets: shapes, digits (the first "
                                                        "one fills the headline numbers).")] = None,
    max_shift: Annotated[int | None, typer.Option(help="Largest shift of the test images, in pixels (smaller "
                                                          "than the smallest image).")] = None,
    epochs: Annotated[int | None, typer.Option(help="Training epochs on shapes (both networks).")] = None,
    shapes_n: Annotated[int | None, typer.Option(help="Generated shapes images, training and test.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for the shapes, the split, the weights and the batch "
                                                     "order.")] = None,
):
    """Convolutions: a small CNN against an MLP of about the same parameter count on shapes and digits (accuracy,
    multiply-adds, shifted test images), its filters, feature maps, receptive fields and orientation selectivity,
    and an im2col convolution from scratch checked against PyTorch."""
    from nnlab._validation import InvalidArgument
    from nnlab.labs.conv import FULL, QUICK, run_conv
    changes = {k: v for k, v in {"max_shift": max_shift, "epochs": epochs, "shapes_n": shapes_n,
                                 "seed": seed}.items() if v is not None}
    if dataset is not None:
        changes["datasets"] = parse_names(dataset, "dataset")
    try:
        settings = replace(QUICK if quick else FULL, **changes)     # validates every value
    except InvalidArgument as err:
        err.argument = _FLAGS.get(err.argument, err.argument)
        raise
    out = out_dir(out)
    from rich.status import Status
    with Status("starting", console=console(stderr=True)) as status:
        summary = run_conv(out, settings, quick=quick, progress=lambda message: status.update(message))
    show_claims(out, summary["wall_time_s"])
