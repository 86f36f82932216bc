"""``nnlab history``: the history of neural networks as a sourced timeline (exercise 1.2)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli._common import app, console, out_dir, show_claims


@app.command()
def history(
    out: Annotated[Path, typer.Option(help="Directory for the timeline (PNG, SVG), the CSV and the page.")]
    = Path("results/history"),
    quick: Annotated[bool, typer.Option("--quick", help="Accepted as every lab accepts it; the history lab takes "
                                                        "seconds, so quick and full are the same run.")] = False,
):
    """The history of neural networks: a sourced timeline, its figure (PNG, SVG) and an HTML page."""
    from nnlab.labs.history import run_history
    out = out_dir(out)
    summary = run_history(out)
    console().print(f"wrote {out}/timeline.png, timeline.svg and timeline.csv")
    show_claims(out, summary["wall_time_s"])
