"""Export runs from the store as CSV (one row per run and metric epoch) or JSON (runs with their metrics)."""
from __future__ import annotations

import csv
import io
import json

from nnlab.runs.store import RunStore

__all__ = ["export_json", "export_csv"]


def export_json(store: RunStore, run_ids: list[int]) -> str:
    """A JSON list: each run's fields plus ``metrics`` {name: [[epoch, value], ...]} and ``artifacts``."""
    out = []
    for rid in run_ids:
        run = store.get(rid)
        d = {f: getattr(run, f) for f in run.__dataclass_fields__}
        d["metrics"] = {k: [[e, None if v != v else v] for e, v in rows] for k, rows in store.metrics(rid).items()}
        d["artifacts"] = [list(a) for a in store.artifacts(rid)]
        out.append(d)
    return json.dumps(out, indent=2)


def export_csv(store: RunStore, run_ids: list[int]) -> str:
    """Long format: run_id, status, dataset, seed, epoch, metric, value."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["run_id", "status", "dataset", "seed", "epoch", "metric", "value"])
    for rid in run_ids:
        run = store.get(rid)
        for name, rows in store.metrics(rid).items():
            for epoch, value in rows:
                w.writerow([rid, run.status, run.dataset, run.seed, epoch, name, "" if value != value else value])
    return buf.getvalue()
