"""The vectorized executor's compiled path: the trials the fast engine trains, on a pool of one thread per core.

The fast engine's kernels release Python's lock while they run an epoch, so K trials train at once, one per
core, each exactly the run ``nnlab train`` makes of its config (the same model, the same ``fit``: its numbers
equal a lone run's bit for bit). The run store's connection belongs to this thread, so this thread records each
trial's History when it comes back and passes the workers' progress on; a Ctrl-C here asks every worker to stop after
its current epoch, and each trial is recorded as interrupted.
"""
from __future__ import annotations

import os
import queue
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from nnlab.sweeps.events import TrialEvent
from nnlab.sweeps.recording import error_text, outcome_event, run_name, run_tags, versions
from nnlab.training.observers import Observer

__all__ = ["trains_fast", "run_compiled", "default_threads"]

_REPORT_S = 0.25          # a trial's progress events at most this often


def default_threads() -> int:
    """One training thread per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:          # not Linux
        return os.cpu_count() or 1


def trains_fast(cfg) -> bool:
    """Whether the fast engine trains this sized config (its engine setting allowing it), as ``nnlab train`` would."""
    from nnlab.training.engines import choose_engine
    if cfg.train.engine == "torch":
        return False
    try:
        return choose_engine(cfg.train.engine, cfg.train, model_config=cfg.model).engine == "fast"
    except Exception:       # "fast" asked for and refused: the torch paths say why
        return False


class _Progress(Observer):
    """A worker's observer: queues progress for this thread to report, and stops the run when asked."""

    def __init__(self, k: int, stop: threading.Event, events: queue.Queue):
        self.k, self.stop, self.events = k, stop, events
        self._last = 0.0

    def on_progress(self, epoch: int, history, model) -> None:
        now = time.monotonic()
        if now - self._last >= _REPORT_S:
            self._last = now
            accuracy = history.train_accuracy[-1] if history.train_accuracy else None
            self.events.put((self.k, epoch, history.loss[-1], accuracy))
        if self.stop.is_set():
            raise KeyboardInterrupt       # fit ends the run here and returns it as interrupted


def _train(cfg, data, model, progress: _Progress):
    from nnlab.training.loop import fit
    if progress.stop.is_set():
        raise KeyboardInterrupt
    return fit(model, data.X_train, data.y_train, cfg.train, X_test=data.X_test, y_test=data.y_test,
               task=data.task, observers=[progress])


def run_compiled(members: list, ctx, executor: str, threads: int | None = None) -> None:
    """Train ``members`` ((trial, sized config, data) each, every one ``trains_fast``) on ``threads`` threads,
    each trial recorded in ``ctx.store`` as its own run. Ctrl-C is raised again once every run is closed."""
    from nnlab.runs import recorded_run
    from nnlab.training.engines.fast_state import load_kernels
    from nnlab.training.run import initial_model

    load_kernels()                                  # compile or load the kernels once, before the threads
    stop, events = threading.Event(), queue.Queue[tuple]()
    open_runs: dict[int, tuple] = {}                # k -> (context manager, run id, recorder)
    progress = [_Progress(k, stop, events) for k in range(len(members))]
    interrupted = False

    def close(k: int, history=None, err: BaseException | None = None) -> None:
        cm, run_id, recorder = open_runs.pop(k)
        trial = members[k][0]
        try:
            if err is None:
                recorder.record_history(history)            # every epoch, as a recorder would have seen it
                recorder.outcome = history
                cm.__exit__(None, None, None)
            else:
                cm.__exit__(type(err), err, err.__traceback__)      # closes the run as failed or interrupted
        except BaseException:                                       # the context manager raises err again
            pass
        if err is None:
            ctx.observer.on_trial(outcome_event(trial.index, run_id, history))
        else:
            stopped = isinstance(err, KeyboardInterrupt)          # Ctrl-C came before the trial's first epoch
            ctx.observer.on_trial(TrialEvent(trial.index, "interrupted" if stopped else "failed", run_id=run_id,
                                             error="interrupted (Ctrl-C) before it started" if stopped
                                             else error_text(err)))

    def report() -> None:
        while True:
            try:
                k, epoch, loss, accuracy = events.get_nowait()
            except queue.Empty:
                return
            if k in open_runs:
                ctx.observer.on_trial(TrialEvent(members[k][0].index, "running", run_id=open_runs[k][1],
                                                 epoch=epoch, loss=loss, accuracy=accuracy))

    with ThreadPoolExecutor(max_workers=threads or default_threads(), thread_name_prefix="nnlab-trial") as pool:
        futures = {}
        try:
            # 1) open every trial's run and build its model here (building seeds torch's global generator)
            for k, (trial, cfg, data) in enumerate(members):
                cm = recorded_run(ctx.store, cfg.to_dict(), name=run_name(ctx.sweep_id, trial),
                                  sweep_id=ctx.sweep_id, tags=run_tags(ctx.sweep_id, trial),
                                  versions=versions(executor, "fast"))
                run_id, recorder = cm.__enter__()
                open_runs[k] = (cm, run_id, recorder)
                ctx.observer.on_trial(TrialEvent(trial.index, "running", run_id=run_id, epoch=0))
                futures[pool.submit(_train, cfg, data, initial_model(cfg, "fast"), progress[k])] = k
            # 2) record each trial as it finishes; pass progress on meanwhile
            pending = set(futures)
            while pending:
                try:
                    done, pending = wait(pending, timeout=_REPORT_S, return_when=FIRST_COMPLETED)
                    report()
                    for future in done:
                        err = future.exception()
                        close(futures[future], None if err else future.result(), err)
                except KeyboardInterrupt:     # the workers stop after their epoch; the finally closes the runs
                    interrupted = True
                    stop.set()
        except KeyboardInterrupt:
            interrupted = True
            stop.set()
        finally:
            stop.set()
            for future, k in futures.items():        # after a Ctrl-C: wait for the workers, close their runs
                if k in open_runs:
                    err = future.exception()
                    close(k, None if err else future.result(), err)
            for k in list(open_runs):                # opened, never submitted
                close(k, None, KeyboardInterrupt())
    if interrupted:
        raise KeyboardInterrupt
