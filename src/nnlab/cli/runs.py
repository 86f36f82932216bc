"""``nnlab runs``: list, show, compare, delete and export the runs in the store."""
from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli._common import app, console, out_dir

runs_app = typer.Typer(help="The run store: every 'nnlab train' is recorded. list, show, compare, rm, export.",
                       no_args_is_help=True)
app.add_typer(runs_app, name="runs")

StoreOption = Annotated[Path | None, typer.Option(
    "--store", help="Run store directory (default $NNLAB_STORE or ./nnlab-runs).")]


def _missing(store: Path | None) -> str | None:
    """Why the store to read does not exist, or None when it does. Reading never creates one: a mistyped --store
    must not leave an empty store behind."""
    from nnlab.runs.store import FILENAME, default_store_path
    where = Path(store) if store is not None else default_store_path()
    if (where if where.suffix == ".sqlite" else where / FILENAME).is_file():
        return None
    told = "" if store is not None else (" ($NNLAB_STORE)" if "NNLAB_STORE" in os.environ else " (the default)")
    return (f"no run store at '{where}'{told}: nothing was recorded there. 'nnlab train' records its runs in "
            "./nnlab-runs unless --store or $NNLAB_STORE names another place.")


def _open(store: Path | None):
    """The store to read; one that does not exist is refused with one line."""
    from nnlab._validation import InvalidArgument
    from nnlab.runs import RunStore
    missing = _missing(store)
    if missing:
        raise InvalidArgument(missing, "--store")
    return RunStore(store)


def _when(ts: float | None) -> str:
    return "" if ts is None else datetime.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def _fmt(value, name: str = "") -> str:
    """A metric as every place writes it (``nnlab.numbers``); other floats with 4 significant digits."""
    from nnlab.numbers import metric_text
    return metric_text(name, value) if isinstance(value, float) else ("" if value is None else str(value))


@runs_app.command("list")
def runs_list(
    status: Annotated[str | None, typer.Option(help="Only runs with this status.")] = None,
    dataset: Annotated[str | None, typer.Option(help="Only runs on this data set.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only runs with this tag.")] = None,
    store: StoreOption = None,
):
    """The runs, newest first."""
    from rich.table import Table

    from nnlab._validation import check_choice
    from nnlab.runs import STATUSES
    if status is not None:
        check_choice("status", status, STATUSES)
    if store is None and _missing(None):          # nothing trained here yet: not an error
        console().print(f"No runs yet: {_missing(None)}")
        return
    with _open(store) as s:
        runs = s.list(status=status, dataset=dataset, tag=tag)
        table = Table(title=f"runs in {s.file}")
        for column in ("id", "status", "dataset", "seed", "epochs", "loss", "accuracy", "started", "seconds", "name",
                       "tags"):
            table.add_column(column)
        for r in runs:
            f = r.final
            table.add_row(str(r.id), r.status, r.dataset or "", _fmt(r.seed), _fmt(f.get("epochs_run")),
                          _fmt(f.get("train_loss")), _fmt(f.get("train_accuracy"), "train_accuracy"),
                          _when(r.started_at),
                          _fmt(r.duration_s), r.name or "", ",".join(r.tags))
    console().print(table if runs else "no runs match.")


@runs_app.command("show")
def runs_show(run_id: Annotated[int, typer.Argument(help="Run id.")], store: StoreOption = None):
    """One run: status, times, final metrics, config, artifacts."""
    with _open(store) as s:
        r = s.get(run_id)
        metrics = s.metrics(run_id)
        artifacts = s.artifacts(run_id)
    con = console()
    con.print(f"run {r.id} [{r.status}] {r.name or ''}")
    con.print(f"started {_when(r.started_at)}, ended {_when(r.ended_at)} on {r.host} (pid {r.pid})")
    if r.error:
        con.print(f"error: {r.error}")
    con.print("final: " + ", ".join(f"{k} {_fmt(v, k)}" for k, v in r.final.items()))
    con.print("metrics: " + ", ".join(f"{k} ({len(v)} epochs)" for k, v in metrics.items()))
    con.print("config: " + json.dumps(r.config))
    con.print("versions: " + json.dumps(r.versions))
    for kind, path in artifacts:
        con.print(f"{kind}: {path}")


@runs_app.command("compare")
def runs_compare(
    run_ids: Annotated[list[int], typer.Argument(help="Two or more run ids.")],
    out: Annotated[Path, typer.Option(help="PNG of the overlaid loss curves.")] = Path("results/compare.png"),
    store: StoreOption = None,
):
    """A table of the runs' final metrics and their loss curves on one figure."""
    from rich.table import Table

    from nnlab.viz import save
    from nnlab.viz.curves import plot_loss_comparison
    with _open(store) as s:
        runs = [s.get(rid) for rid in run_ids]
        curves = {f"run {r.id} ({r.dataset}, {r.config.get('train', {}).get('optimizer')})":
                  s.metrics(r.id).get("loss", []) for r in runs}
    keys = sorted({k for r in runs for k in r.final})
    table = Table(title="final metrics")
    table.add_column("metric")
    for r in runs:
        table.add_column(f"run {r.id}")
    for k in keys:
        table.add_row(k, *[_fmt(r.final.get(k), k) for r in runs])
    out_dir(out.parent)
    written = save(plot_loss_comparison(curves), out)
    con = console()
    con.print(table)
    con.print(f"wrote {written[0]}")


@runs_app.command("rm")
def runs_rm(run_ids: Annotated[list[int], typer.Argument(help="Run ids to delete.")], store: StoreOption = None):
    """Delete runs and their metrics from the store (files on disk are kept)."""
    with _open(store) as s:
        for rid in run_ids:
            s.get(rid)          # unknown ids fail before anything is deleted
        n = s.delete(run_ids)
    console().print(f"deleted {n} run(s).")


@runs_app.command("export")
def runs_export(
    run_ids: Annotated[list[int] | None, typer.Argument(help="Run ids (default: all).")] = None,
    format: Annotated[str, typer.Option(help="csv or json.")] = "csv",
    out: Annotated[Path | None, typer.Option(help="File to write (default: standard output).")] = None,
    store: StoreOption = None,
):
    """Export runs with their per-epoch metrics as CSV (long format) or JSON."""
    from nnlab._validation import check_choice
    from nnlab.runs import export_csv, export_json
    check_choice("format", format, ["csv", "json"])
    with _open(store) as s:
        ids = list(run_ids) if run_ids else [r.id for r in reversed(s.list())]
        for rid in ids:
            s.get(rid)
        text = (export_csv if format == "csv" else export_json)(s, ids)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out_dir(out.parent)
        out.write_text(text)
        console().print(f"wrote {out} ({len(ids)} runs)")
