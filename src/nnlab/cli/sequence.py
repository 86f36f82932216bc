"""``nnlab sequence``: the adding problem for a vanilla RNN, an LSTM and a GRU, gradients through time, exploding
gradients and clipping, and a vanilla RNN with backpropagation through time by hand."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli._common import app, console, out_dir, parse_names, show_claims

# Settings' parameter -> the flag that sets it, so a refused value names what the user typed.
_FLAGS = {"models": "--models", "lengths": "--lengths", "steps": "--steps", "hidden": "--hidden", "lr": "--lr",
          "seed": "--seed", "explode_scale": "--explode-scale", "explode_length": "--lengths"}


def _lengths(text: str) -> tuple[int, ...]:
    from nnlab._validation import InvalidArgument
    from nnlab.labs.sequence.settings import MAX_LENGTH, MIN_LENGTH
    out = []
    for part in parse_names(text, "--lengths"):
        try:
            out.append(int(part))
        except ValueError:
            raise InvalidArgument(f"--lengths must be comma-separated integers in the range [{MIN_LENGTH}, "
                                  f"{MAX_LENGTH}] such as '10,50,100'. Got {text!r} instead.", "--lengths") from None
    return tuple(dict.fromkeys(sorted(out)))


@app.command()
def sequence(
    out: Annotated[Path, typer.Option(help="Directory for the figures, report.html, report.md, claims.json and "
                                           "summary.json.")] = Path("results/sequence"),
    quick: Annotated[bool, typer.Option("--quick", help="Lengths 10 and 30, 600 steps (seconds, for tests and the "
                                                        "tour).")] = False,
    models: Annotated[str | None, typer.Option(help="Comma-separated models: rnn, lstm, gru.")] = None,
    lengths: Annotated[str | None, typer.Option(help="Comma-separated sequence lengths T, each 4 to 1000.")
                       ] = None,
    steps: Annotated[int | None, typer.Option(help="Adam steps per model and length.")] = None,
    hidden: Annotated[int | None, typer.Option(help="Hidden units of every net.")] = None,
    lr: Annotated[float | None, typer.Option(help="Adam learning rate.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for data and initial weights.")] = None,
    explode_scale: Annotated[float | None, typer.Option(help="Recurrent weight scale of the exploding relu RNN.")
                             ] = None,
):
    """Sequences: the adding problem for a vanilla RNN, an LSTM and a GRU; dL/dh_t through time; an exploding RNN
    caught at its first non-finite value, and clipping; backpropagation through time by hand, checked against
    torch."""
    from nnlab._validation import InvalidArgument
    from nnlab.labs.sequence import FULL, QUICK, run_sequence
    changes = {k: v for k, v in {"steps": steps, "hidden": hidden, "lr": lr, "seed": seed,
                                 "explode_scale": explode_scale}.items() if v is not None}
    if models is not None:
        changes["models"] = parse_names(models, "--models")
    if lengths is not None:
        changes["lengths"] = _lengths(lengths)
    try:
        settings = replace(QUICK if quick else FULL, **changes)
    except InvalidArgument as err:
        flag = _FLAGS.get(err.argument)
        if flag is None:
            raise
        raise InvalidArgument(err.restated(flag), flag) from None
    out = out_dir(out)
    from rich.status import Status
    with Status("training", console=console(stderr=True)) as status:
        summary = run_sequence(out, settings, quick=quick, progress=lambda message: status.update(message))
    show_claims(out, summary["wall_time_s"])
