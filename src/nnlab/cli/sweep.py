"""``nnlab sweep SPEC``: run a sweep's trials into the run store, with a live table of trials."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli._common import app, console
from nnlab.numbers import accuracy_text, loss_text
from nnlab.sweeps.events import SweepObserver
from nnlab.sweeps.executors import EXECUTORS

_EXECUTOR_HELP = ("Where trials train: auto (vectorized when every trial has the same architecture, else process); "
                  + "; ".join(f"{e.name} ({e.description})" for e in EXECUTORS.values()) + ".")
_STYLE = {"finished": "green", "failed": "bold red", "interrupted": "yellow", "running": "cyan", "skipped": "dim"}


class LiveTable(SweepObserver):
    """Renders the sweep as a rich table (trial, params, status, epoch, loss, accuracy, run, error), refreshed
    four times a second: events only update ``events``; the table is built when rich draws (``__rich__``)."""

    def __init__(self, con):
        self.con, self.live, self.plan = con, None, None
        self.events: dict[int, object] = {}

    def on_start(self, plan) -> None:
        from rich.live import Live
        self.plan = plan
        self.con.print(f"sweep {plan.spec.name}: {len(plan.trials)} trials, executor {plan.executor} "
                       f"({plan.reason}); store {plan.store_file}", markup=False)
        self.live = Live(self, console=self.con, refresh_per_second=4, transient=False)
        self.live.start()

    def on_trial(self, event) -> None:
        self.events[event.trial] = event

    def on_note(self, text: str) -> None:
        self.con.print(f"note: {text}", markup=False)

    def on_end(self, result) -> None:
        if self.live is not None:
            self.live.refresh()
            self.live.stop()
            if not self.con.is_terminal:     # a pipe or file gets the last table without a final newline
                self.con.line()

    def __rich__(self):
        return self.table()

    def table(self):
        """One row per trial. Cells are Text, never markup: an error message may contain brackets."""
        from rich.table import Table
        from rich.text import Text
        table = Table(title=None if self.plan is None else f"trials of {self.plan.spec.name}",
                      caption="loss, accuracy: training set; while running, the mean over the last epoch's batches; "
                              "when finished, the finished model in eval mode (what `nnlab runs show` prints)")
        for column, justify in (("trial", "right"), ("params", "left"), ("status", "left"), ("epoch", "right"),
                                ("loss", "right"), ("accuracy", "right"), ("run", "right"), ("error", "left")):
            table.add_column(column, justify=justify)
        for trial in (self.plan.trials if self.plan else []):
            e = self.events.get(trial.index)
            status = e.status if e else "pending"
            epoch = "" if e is None or e.epoch is None else str(e.epoch)
            if status == "running":
                epoch += f"/{trial.config.train.epochs}"
            cells = [str(trial.index), trial.label(), status, epoch, loss_text(e and e.loss),
                     accuracy_text(e and e.accuracy),
                     "" if e is None or e.run_id is None else str(e.run_id), (e and e.error) or ""]
            table.add_row(*[Text(c, style=_STYLE.get(status, "") if i == 2 else "") for i, c in enumerate(cells)])
        return table


@app.command()
def sweep(
    spec: Annotated[Path, typer.Argument(help="The sweep spec, YAML or JSON (see examples/sweeps/).")],
    executor: Annotated[str, typer.Option(help=_EXECUTOR_HELP)] = "auto",
    address: Annotated[str | None, typer.Option(help="Ray cluster HOST:PORT, for --executor ray "
                                                        "(default $RAY_ADDRESS).")] = None,
    store: Annotated[Path | None, typer.Option(help="Run store directory (default $NNLAB_STORE or "
                                                       "./nnlab-runs).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes for the process executor "
                                                        "(default: the CPU count).")] = None,
):
    """Run every trial of SPEC into the run store, showing a live table; trials already finished are skipped.

    Exit code 0 when every trial finished, 1 when some failed (each recorded with its error), 130 on Ctrl-C.
    """
    from nnlab._validation import InvalidArgument
    from nnlab.sweeps import load_spec, run_sweep
    from nnlab.sweeps.executors import check_executor
    check_executor(executor)
    if workers is not None and workers < 1:
        raise InvalidArgument(f"--workers must be an integer >= 1. Got {workers} instead.", "--workers")
    parsed = load_spec(spec)
    con = console()
    result = run_sweep(parsed, store=store, executor=executor, workers=workers, address=address,
                       observer=LiveTable(con))
    con.print(f"sweep {result.sweep_id}: {result.summary()} in {result.wall_time_s:.1f} s "
              f"(executor {result.executor}); list them with: nnlab runs list --tag sweep:{result.sweep_id}",
              markup=False)
    if result.interrupted:
        con.print("interrupted: running trials were recorded as interrupted; run the same command again to "
                  "resume.")
        raise typer.Exit(130)
    if result.count("failed"):
        raise typer.Exit(1)
