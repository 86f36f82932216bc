"""The ``process`` executor: a local pool of worker processes, each training one trial at a time.

Workers are spawned (not forked, so no torch thread pool is inherited mid-flight), set
``torch.set_num_threads(1)`` and write their trial's run straight into the store (safe: WAL, busy timeout).
Progress travels back through a queue. Ctrl-C stops the running trials after their current step (recorded
as interrupted), cancels the ones not started, and is raised again to end the sweep.
"""
from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import signal
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from nnlab.sweeps.events import TrialEvent
from nnlab.sweeps.recording import error_text, run_trial

__all__ = ["ProcessExecutor"]

_worker: dict = {}      # per worker process: its store and progress queue


def _init_worker(store_path: str, progress) -> None:
    import torch

    from nnlab.runs import RunStore
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # idle workers ignore Ctrl-C; see _interrupt_once
    torch.set_num_threads(1)
    _worker.update(store=RunStore(store_path), progress=progress)


def _interrupt_once(signum, frame):
    """Ctrl-C while training: stop this trial (fit turns it into history.interrupted), ignore any repeat."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def _run_in_worker(sweep_id: str, trial) -> TrialEvent:
    signal.signal(signal.SIGINT, _interrupt_once)
    try:
        return run_trial(_worker["store"], sweep_id, trial, "process", send=_worker["progress"].put)
    except KeyboardInterrupt:       # between steps, before fit could catch it
        return TrialEvent(trial.index, "interrupted", error="interrupted (Ctrl-C)")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


class ProcessExecutor:
    """Runs each trial alone in a pool of ``ctx.workers`` processes (default: the CPU count)."""
    name = "process"

    def run(self, trials, ctx) -> None:
        if not trials:
            return
        workers = max(1, min(ctx.workers or os.cpu_count() or 1, len(trials)))
        spawn = multiprocessing.get_context("spawn")
        progress = spawn.Queue()
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=spawn, initializer=_init_worker,
                                   initargs=(str(ctx.store.file), progress))
        futures = {}
        try:
            for trial in trials:
                futures[pool.submit(_run_in_worker, ctx.sweep_id, trial)] = trial
                ctx.observer.on_trial(TrialEvent(trial.index, "queued"))
            self._collect(futures, set(futures), progress, ctx)
        except KeyboardInterrupt:
            not_started = [f for f in futures if f.cancel()]
            for f in not_started:
                ctx.observer.on_trial(TrialEvent(futures[f].index, "pending"))
            self._interrupt_workers(pool)
            self._collect(futures, {f for f in futures if not f.done()}, progress, ctx)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            progress.close()
            progress.join_thread()

    def _collect(self, futures: dict, pending: set, progress, ctx) -> None:
        """Forward progress until every pending future is done; report each trial's closing event."""
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            self._drain(progress, ctx)
            for f in done:
                trial = futures[f]
                if f.cancelled():
                    continue
                try:
                    event = f.result()
                except Exception as err:        # the worker died (killed, out of memory): the run stays open
                    event = TrialEvent(trial.index, "failed", error=f"worker process failed: {error_text(err)}")
                ctx.observer.on_trial(event)
        self._drain(progress, ctx)

    @staticmethod
    def _drain(progress, ctx) -> None:
        while True:
            try:
                ctx.observer.on_trial(progress.get_nowait())
            except queue_module.Empty:
                return

    @staticmethod
    def _interrupt_workers(pool) -> None:
        """Pass Ctrl-C on to our workers (needed when it reached only this process, not its process group)."""
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            if process.is_alive():
                try:
                    os.kill(process.pid, signal.SIGINT)
                except ProcessLookupError:
                    pass
