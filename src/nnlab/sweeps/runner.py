"""``run_sweep``: expand a spec, skip the trials already finished, run the rest on an executor.

Order of work, so that bad input fails before any training: 1) check the executor name and expand the spec;
2) open the store and prove it takes writes; 3) reach the Ray cluster, for the ray executor; 4) find the
finished trials of this sweep (resume); 5) hand the rest to the executor.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from nnlab.sweeps.events import SweepObserver, SweepResult, TrialEvent, _Collector
from nnlab.sweeps.executors import SweepContext, check_executor, choose_executor, make_executor
from nnlab.sweeps.search import Trial, expand
from nnlab.sweeps.spec import SweepSpec

__all__ = ["SweepPlan", "run_sweep", "finished_runs"]


@dataclass(frozen=True)
class SweepPlan:
    """What a sweep is about to do: all its trials, which already finished (by trial index -> run), the executor."""
    spec: SweepSpec
    trials: list[Trial]
    finished: dict                     # trial index -> nnlab.runs.Run finished by an earlier run of the sweep
    executor: str
    reason: str                        # why this executor
    store_file: Path


def finished_runs(store, sweep_id: str) -> dict:
    """trial key -> the newest finished run of that trial in this sweep."""
    out: dict = {}
    for run in store.list(sweep_id=sweep_id, status="finished"):          # newest first
        for tag in run.tags:
            if tag.startswith("trial:"):
                out.setdefault(tag.removeprefix("trial:"), run)
    return out


def run_sweep(spec: SweepSpec, *, store=None, executor: str = "auto", workers: int | None = None,
              address: str | None = None, observer: SweepObserver | None = None) -> SweepResult:
    """Run every trial of ``spec`` not yet finished in the store; return what happened to each.

    Parameters
    ----------
    spec : SweepSpec (``load_spec(path)`` or ``parse_spec(dict)``)
    store : path of the run store directory (default $NNLAB_STORE or ./nnlab-runs)
    executor : "auto", "vectorized", "process" or "ray" (see ``EXECUTORS``)
    workers : process pool size for the process executor (default: the CPU count)
    address : the Ray cluster's HOST:PORT for the ray executor (default $RAY_ADDRESS)
    observer : a SweepObserver that sees the plan, every trial event, notes and the result

    Notes
    -----
    Ctrl-C stops the sweep: running trials are recorded as interrupted and the result has ``interrupted=True``.
    """
    check_executor(executor)
    trials = expand(spec)
    name, reason = (executor, "chosen") if executor != "auto" else choose_executor(trials)
    from nnlab.runs import RunStore
    store = RunStore.open_writable(store)
    runner = make_executor(name)
    if hasattr(runner, "connect"):
        try:
            runner.connect(address)
        except BaseException:
            store.close()
            raise
    result = SweepResult(spec.name, name)
    collector = _Collector(result, observer)
    start = time.perf_counter()
    try:
        done = finished_runs(store, spec.name)
        finished = {t.index: done[t.key] for t in trials if t.key in done}
        collector.on_start(SweepPlan(spec, trials, finished, name, reason, store.file))
        for t in trials:
            run = finished.get(t.index)
            if run is None:
                collector.on_trial(TrialEvent(t.index, "pending"))
            else:
                collector.on_trial(TrialEvent(t.index, "skipped", run_id=run.id, epoch=run.final.get("epochs_run"),
                                              loss=run.final.get("train_loss"),
                                              accuracy=run.final.get("train_accuracy")))
        todo = [t for t in trials if t.index not in finished]
        ctx = SweepContext(store=store, sweep_id=spec.name, observer=collector, workers=workers, address=address)
        try:
            runner.run(todo, ctx)
        except KeyboardInterrupt:
            result.interrupted = True
        finally:                           # also on an unexpected error, so a live display is closed
            result.wall_time_s = time.perf_counter() - start
            collector.on_end(result)
    finally:
        store.close()
    return result
