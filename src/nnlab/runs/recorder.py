"""Recording a training run into the store: an observer for per-epoch metrics and a context for its status."""
from __future__ import annotations

import platform
import signal
import threading
import time
import traceback
from contextlib import contextmanager
from typing import Any

from nnlab.runs.store import RunStore
from nnlab.training.observers import Observer

__all__ = ["RunRecorder", "recorded_run", "run_versions", "history_series", "final_of"]


def run_versions(**extra) -> dict:
    """What decides a run's numbers besides its config: package versions, Python, host, and ``extra``.

    Read from package metadata, so recording a run never imports torch.
    """
    from nnlab.environment import package_version as version
    return {"nnlab": version("nnlab"), "python": platform.python_version(), "torch": version("torch"),
            "numpy": version("numpy"), "host": platform.node(), **extra}


PER_EPOCH = ("loss", "train_accuracy", "test_loss", "test_accuracy")     # History's per-epoch lists


def history_series(history) -> dict[str, list]:
    """A finished History's per-epoch lists by metric name: what RunRecorder writes epoch by epoch, for runs
    trained where the store is not (a worker thread, a Ray task; ``RunStore.log_series`` writes it)."""
    return {name: getattr(history, name) for name in PER_EPOCH}


def final_of(history) -> dict:
    """A run's final metrics as stored: History.final with epochs_run and wall_time_s."""
    return dict(history.final, epochs_run=history.epochs_run, wall_time_s=history.wall_time_s)


class RunRecorder(Observer):
    """Writes every epoch's logs to the store, batched: at most every ``flush_s`` seconds, and at the end.

    Batching keeps the store's cost per epoch to a list append; a Ctrl-C or a crash loses at most the
    unflushed rows of the last ``flush_s`` seconds (they are flushed by ``on_fit_end`` on a clean stop).
    """

    def __init__(self, store: RunStore, run_id: int, flush_s: float = 0.5):
        self.store, self.run_id, self.flush_s = store, run_id, flush_s
        self._rows: list[tuple[int, str, float]] = []
        self._last = time.monotonic()
        self.outcome: Any = None        # the History, once fit returns (``recording`` reads it)

    def on_epoch_end(self, epoch: int, logs: dict, model) -> None:
        self._rows.extend((epoch, k, v) for k, v in logs.items() if k != "epoch" and v is not None)
        if time.monotonic() - self._last >= self.flush_s:
            self.flush()

    def on_fit_end(self, history, model) -> None:
        self.flush()

    def record_history(self, history) -> None:
        """Every epoch of a History trained without this observer, written now (``RunStore.log_series``)."""
        self.flush()
        self.store.log_series(self.run_id, history_series(history))

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
    with ``interrupted=True`` closes the run as interrupted). An exception closes it as failed and propagates;
    Ctrl-C - a KeyboardInterrupt, or an exit with code 130, the shells' code for it - as interrupted.

    The store writes that open and close the run hold a Ctrl-C back until they are done (see ``_HeldCtrlC``), so
    whenever it comes the run ends up closed, and as interrupted unless it had already been closed.
    """
    run_id = None
    try:
        with _HeldCtrlC():     # a Ctrl-C held here is raised on leaving, inside this try: the run is interrupted
            run_id = store.start_run(config, name=name, sweep_id=sweep_id, tags=list(tags), versions=versions)
            recorder = RunRecorder(store, run_id)
        yield run_id, recorder
    except BaseException as err:
        if run_id is not None:
            with _HeldCtrlC():
                recorder.flush()
                if _is_interrupt(err):
                    store.finish_run(run_id, "interrupted", error="interrupted (Ctrl-C)")
                else:
                    store.finish_run(run_id, "failed",
                                     error="".join(traceback.format_exception_only(type(err), err)).strip())
        raise
    assert run_id is not None
    with _HeldCtrlC():
        history = recorder.outcome
        recorder.flush()
        final = final_of(history) if history is not None else {}
        status = "interrupted" if history is not None and history.interrupted else "finished"
        store.finish_run(run_id, status, final=final)


def _is_interrupt(err: BaseException) -> bool:
    """Ctrl-C, or what a shell made of it: SystemExit(130), or a CLI framework's exit exception with code 130."""
    if isinstance(err, SystemExit):
        return err.code == 130
    return isinstance(err, KeyboardInterrupt) or (type(err).__name__ == "Exit" and getattr(err, "exit_code", 0) == 130)


class _HeldCtrlC:
    """Within ``with``, a Ctrl-C (SIGINT) is noted instead of acted on; on leaving, the handler that was in place
    is back and a noted Ctrl-C goes to it (the default one raises KeyboardInterrupt right there).

    Only in the main thread (the only one that may set signal handlers) and when a Python handler is in place;
    otherwise it changes nothing.
    """

    def __enter__(self) -> _HeldCtrlC:
        self.previous, self.pending = None, False
        handler = signal.getsignal(signal.SIGINT)
        if threading.current_thread() is threading.main_thread() and callable(handler):
            self.previous = handler
            signal.signal(signal.SIGINT, self._note)
        return self

    def _note(self, signum, frame) -> None:
        self.pending = True

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            if self.pending:
                self.previous(signal.SIGINT, None)
