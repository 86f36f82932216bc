"""Recording a training run into the store: an observer for per-epoch metrics and a context for its status."""
from __future__ import annotations

import platform
import time
import traceback
from contextlib import contextmanager
from importlib import metadata

from nnlab.runs.store import RunStore
from nnlab.training.observers import Observer

__all__ = ["RunRecorder", "recorded_run", "run_versions"]


def run_versions(**extra) -> dict:
    """What decides a run's numbers besides its config: package versions, Python, host, and ``extra``.

    Read from package metadata, so recording a run never imports torch.
    """
    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None
    return {"nnlab": version("nnlab"), "python": platform.python_version(), "torch": version("torch"),
            "numpy": version("numpy"), "host": platform.node(), **extra}


class RunRecorder(Observer):
    """Writes every epoch's logs to the store, batched: at most every ``flush_s`` seconds, and at the end.

    Batching keeps the store's cost per epoch to a list append; a Ctrl-C or a crash loses at most the
    unflushed rows of the last ``flush_s`` seconds (they are flushed by ``on_fit_end`` on a clean stop).
    """

    def __init__(self, store: RunStore, run_id: int, flush_s: float = 0.5):
        self.store, self.run_id, self.flush_s = store, run_id, flush_s
        self._rows: list[tuple[int, str, float]] = []
        self._last = time.monotonic()

    def on_epoch_end(self, epoch: int, logs: dict, model) -> None:
        self._rows.extend((epoch, k, v) for k, v in logs.items() if k != "epoch" and v is not None)
        if time.monotonic() - self._last >= self.flush_s:
            self.flush()

    def on_fit_end(self, history, model) -> None:
        self.flush()

    def flush(self) -> None:
        if self._rows:
            self.store.log_metrics(self.run_id, self._rows)
            self._rows = []
        self._last = time.monotonic()


@contextmanager
def recorded_run(store: RunStore, config: dict, *, name: str | None = None, sweep_id: str | None = None,
                 tags=(), versions: dict | None = None):
    """Start a run in ``store``; yield ``(run_id, recorder)``; close it as finished, failed or interrupted.

    Inside the block, set ``recorder.outcome`` to the History to take its final metrics and status (a History
    with ``interrupted=True`` closes the run as interrupted). An exception closes it as failed (Ctrl-C as
    interrupted) and propagates.
    """
    run_id = store.start_run(config, name=name, sweep_id=sweep_id, tags=list(tags), versions=versions)
    recorder = RunRecorder(store, run_id)
    recorder.outcome = None
    try:
        yield run_id, recorder
    except KeyboardInterrupt:
        recorder.flush()
        store.finish_run(run_id, "interrupted", error="interrupted (Ctrl-C)")
        raise
    except BaseException as err:
        recorder.flush()
        store.finish_run(run_id, "failed", error="".join(traceback.format_exception_only(type(err), err)).strip())
        raise
    history = recorder.outcome
    recorder.flush()
    final = dict(history.final) if history is not None else {}
    if history is not None:
        final.update(epochs_run=history.epochs_run, wall_time_s=history.wall_time_s)
    status = "interrupted" if history is not None and history.interrupted else "finished"
    store.finish_run(run_id, status, final=final)
