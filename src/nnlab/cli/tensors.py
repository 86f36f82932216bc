"""``nnlab tensors``: the tensor and matrix-multiplication lab (exercise 1.4)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli._common import app, console, out_dir, parse_names, show_claims

_DEMOS = "broadcast, products, reshape, slicing, reductions, linear"



@app.command()
def tensors(
    out: Annotated[Path, typer.Option(help="Directory for the figures, report.html, report.md, claims.json and "
                                           "summary.json.")] = Path("results/tensors"),
    quick: Annotated[bool, typer.Option("--quick", help="Fewer sizes and kernels in the matmul comparison, shorter "
                                                        "timings (seconds, for tests and the tour).")] = False,
    demo: Annotated[str | None, typer.Option(help=f"Comma-separated demos (default all): {_DEMOS}.")] = None,
):
    """Basic tensor operations in NumPy and PyTorch side by side, one figure per operation, then matmul kernels
    from pure Python to BLAS, gated and timed (exercise 1.4)."""
    from nnlab.labs.tensors import TENSOR_DEMOS, run_tensors
    names = list(parse_names(demo, "--demo", TENSOR_DEMOS)) if demo is not None else None
    out = out_dir(out)
    from rich.status import Status
    with Status("tensors", console=console(stderr=True)) as status:
        summary = run_tensors(out, names, quick=quick, progress=lambda message: status.update(message))
    show_claims(out, summary["wall_time_s"])
