"""``nnlab attention``: the embeddings and attention lab."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli._common import app, console, out_dir, parse_names, show_claims

# Settings' names -> the flags that set them, for the one-line errors
_FLAGS = {"tasks": "--tasks", "min_length": "--min-length", "max_length": "--max-length", "width": "--width",
          "layers": "--layers", "heads": "--heads", "steps": "--steps", "lr": "--lr", "seed": "--seed",
          "batch_size": "--batch-size", "test_size": "--test-size"}


@app.command()
def attention(
    out: Annotated[Path, typer.Option(help="Directory for the figures, report.html, report.md, claims.json and "
                                           "summary.json.")] = Path("results/attention"),
    quick: Annotated[bool, typer.Option("--quick", help="A smaller encoder and fewer steps (seconds, for tests and "
                                                        "the tour).")] = False,
    tasks: Annotated[str | None, typer.Option(help="Comma-separated tasks: reverse, sort, histogram (default: "
                                                      "all three).")] = None,
    min_length: Annotated[int | None, typer.Option(help="Shortest sequence, in digits (2 to 32; default 8).")
                          ] = None,
    max_length: Annotated[int | None, typer.Option(help="Longest sequence, in digits (2 to 32; default 10).")
                          ] = None,
    width: Annotated[int | None, typer.Option(help="Model width (an even multiple of --heads).")] = None,
    layers: Annotated[int | None, typer.Option(help="Encoder blocks.")] = None,
    heads: Annotated[int | None, typer.Option(help="Attention heads per block.")] = None,
    steps: Annotated[int | None, typer.Option(help="Adam steps per model.")] = None,
    lr: Annotated[float | None, typer.Option(help="Adam's learning rate (cosine-decayed to 0).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for the data, the weights and the batches.")] = None,
):
    """Embeddings and attention: a tiny transformer encoder on reverse, sort and histogram, with and without
    positional encoding; attention maps, embeddings by PCA, and attention from scratch checked against torch."""
    from nnlab._validation import InvalidArgument
    from nnlab.labs.attention import FULL, QUICK, run_attention
    changes = {k: v for k, v in {"min_length": min_length, "max_length": max_length, "width": width,
                                 "layers": layers, "heads": heads, "steps": steps, "lr": lr, "seed": seed}.items()
               if v is not None}
    try:
        if tasks is not None:
            changes["tasks"] = parse_names(tasks, "tasks")
        settings = replace(QUICK if quick else FULL, **changes)     # validates every value
    except InvalidArgument as err:
        err.argument = _FLAGS.get(err.argument, err.argument)      # the error names the flag the user typed
        raise
    out = out_dir(out)
    from rich.status import Status
    with Status("training", console=console(stderr=True)) as status:
        summary = run_attention(out, settings, quick=quick, progress=lambda message: status.update(message))
    show_claims(out, summary["wall_time_s"])
