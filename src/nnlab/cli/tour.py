"""``nnlab tour``: the seed chapter's programs, and with ``--labs`` every lab, into one browsable site."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nnlab._validation import InvalidArgument
from nnlab.cli._common import app, console, out_dir, parse_names, progress


@app.command()
def tour(
    out: Annotated[Path, typer.Option(help="Directory for the site: index.html, the seed programs' page and "
                                           "figures, and with --labs one directory per lab.")] = Path("results"),
    seed: Annotated[int, typer.Option(help="Seed for data and initial weights.")] = 0,
    labs: Annotated[bool, typer.Option("--labs", help="Also run every lab in its quick mode into OUT/<lab> "
                                                      "(about 3 minutes) and link their pages.")] = False,
    only: Annotated[str | None, typer.Option(help="With --labs: run only these labs (comma-separated): "
                                                     "gd, study, gradflow, regularize, approx, history, costs, "
                                                     "usecase, explain, precision, tensors.")] = None,
):
    """Run every program of the seed chapter (and with --labs every lab): a site of pages with figures, numbers
    and the claims each run supports, opened at OUT/index.html. Ctrl-C keeps the finished pages."""
    import sys

    from nnlab._validation import check_seed
    from nnlab.tour import run_tour, select_labs
    check_seed("seed", seed)
    chosen = select_labs(parse_names(only, "only") if only is not None else None)
    if only is not None and not labs:
        raise InvalidArgument("--only chooses among the labs: give --labs too.", "only")
    out = out_dir(out)
    err = console(stderr=True)
    bar = _LabBar(err) if labs and sys.stderr.isatty() else None

    def lab_progress(index, total, name, elapsed, remaining, record):
        if record is None:
            if bar is not None:
                bar.show(index, total, name, remaining)
            return
        clock = f"{_clock(elapsed)} elapsed, about {_clock(remaining)} left"
        outcome = (f"done in {record['seconds']:.1f} s ({record['process_seconds']:.1f} s with start-up)"
                   if record["ok"] else f"FAILED: {record['error']}")
        line = f"lab {index} of {total}: {name} {outcome} ({clock})"
        (bar.log(line) if bar is not None else err.print(line, soft_wrap=True, markup=False))

    try:
        summary = run_tour(out, seed=seed, observers_for=lambda name: [progress(name)], labs=chosen if labs else (),
                           lab_progress=lab_progress)
    except KeyboardInterrupt:
        if bar is not None:
            bar.stop()
        err.print(f"Interrupted; the finished pages are linked from {out / 'index.html'} (marked interrupted).",
                  soft_wrap=True)
        raise typer.Exit(130) from None
    if bar is not None:
        bar.stop()
    from nnlab.claims import load_claims
    con = console()
    for claim in load_claims(out):
        if claim.headline:
            con.print(claim.markdown().replace("**", ""), soft_wrap=True, markup=False)
    failed = [lab["name"] for lab in summary["labs"] if not lab["ok"]]
    if labs:
        con.print(f"{len(summary['labs']) - len(failed)} of {len(summary['labs'])} labs wrote their pages"
                  + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    con.print(f"tour took {summary['wall_time_s']:.1f} s; open {out / 'index.html'}", soft_wrap=True)


class _LabBar:
    """On a terminal: lab k of N with a live elapsed clock and the estimate of what is left; a line per lab done."""

    def __init__(self, console):
        self.console, self.progress, self.task = console, None, None

    def show(self, index: int, total: int, name: str, remaining: float) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
        if self.progress is None:
            self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(),
                                     TextColumn("about {task.fields[left]} left"), console=self.console)
            self.task = self.progress.add_task("", total=total, left="")
            self.progress.start()
        self.progress.update(self.task, completed=index - 1, description=f"lab {index} of {total}: {name}",
                             left=_clock(remaining))

    def log(self, line: str) -> None:
        (self.progress.console if self.progress else self.console).print(line, soft_wrap=True, markup=False)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _clock(seconds: float) -> str:
    """125.3 -> '2:05'."""
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
