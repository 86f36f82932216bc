"""A trial as a run in the store: its name, tags and versions, its data, and running it end to end.

Every trial run carries ``sweep_id`` = the sweep's name and the tags ``sweep:<name>`` and ``trial:<key>``; the
second is how a re-run finds the trials already finished. The stored config is the trial's config with the
model's input and output sizes fitted to its data (what ``nnlab train`` stores too).
"""
from __future__ import annotations

import time
import traceback

from nnlab.runs import RunStore
from nnlab.sweeps.events import TrialEvent
from nnlab.sweeps.search import Trial
from nnlab.training.observers import Observer

__all__ = ["run_name", "run_tags", "versions", "error_text", "sized", "record_failure", "run_trial",
           "ProgressSender", "outcome_event"]


def run_name(sweep_id: str, trial: Trial) -> str:
    return f"{sweep_id}[{trial.index}] {trial.label()}"


def run_tags(sweep_id: str, trial: Trial) -> list[str]:
    return [f"sweep:{sweep_id}", f"trial:{trial.key}"]


def versions(executor: str, engine: str | None = None) -> dict:
    """What decides a trial's numbers besides its config: versions, host, torch threads (unless the fast engine,
    which never runs torch, trains it), executor and the engine that trains it (engines agree to float32
    rounding per step, which a long training run can amplify)."""
    from nnlab.runs import run_versions
    threads = {}
    if engine != "fast":
        import torch
        threads["torch_threads"] = torch.get_num_threads()
    return run_versions(**threads, executor=executor, **({"engine": engine} if engine else {}))


def error_text(err: BaseException) -> str:
    """The one-line form of an exception: 'ValueError: what went wrong'."""
    return "".join(traceback.format_exception_only(type(err), err)).strip()


def sized(trial: Trial, cache: dict | None = None):
    """``(config, data)``: the trial's data prepared and its model sized to it; raises what ``prepare`` raises.

    ``cache`` ((DataConfig, loss) -> PreparedData) lets trials on the same data share one preparation (the loss
    decides whether a CSV's labels must be classes).
    """
    from nnlab.data.prepare import prepare
    from nnlab.training.losses import check_compatible
    from nnlab.training.run import sized_for_data
    cfg = trial.config
    key = (cfg.data, cfg.train.loss)
    data = cache.get(key) if cache is not None else None
    if data is None:
        data = prepare(cfg.data, loss=cfg.train.loss)
        if cache is not None:
            cache[key] = data
    cfg = sized_for_data(cfg, data)
    check_compatible(cfg.train.loss, data.task, data.n_classes, cfg.model.output_size)
    return cfg, data


def record_failure(store: RunStore, sweep_id: str, trial: Trial, error: str, executor: str) -> TrialEvent:
    """Record a trial that failed before training (bad data, incompatible loss) as a failed run."""
    run_id = store.start_run(trial.config.to_dict(), name=run_name(sweep_id, trial), sweep_id=sweep_id,
                             tags=run_tags(sweep_id, trial), versions=versions(executor))
    store.finish_run(run_id, "failed", error=error)
    return TrialEvent(trial.index, "failed", run_id=run_id, error=error)


def outcome_event(index: int, run_id: int, history) -> TrialEvent:
    """The closing event of a trial that trained: finished (or interrupted) with its final loss and accuracy."""
    status = "interrupted" if history.interrupted else "finished"
    return TrialEvent(index, status, run_id=run_id, epoch=history.epochs_run,
                      loss=history.final.get("train_loss"), accuracy=history.final.get("train_accuracy"))


class ProgressSender(Observer):
    """Sends ``TrialEvent(status='running', epoch, loss, accuracy)`` to ``send`` at most every ``every_s``."""

    def __init__(self, send, index: int, run_id: int, every_s: float = 0.25):
        self.send, self.index, self.run_id, self.every_s = send, index, run_id, every_s
        self._last = 0.0

    def on_fit_start(self, model, config) -> None:
        self.send(TrialEvent(self.index, "running", run_id=self.run_id, epoch=0))

    def on_epoch_end(self, epoch: int, logs: dict, model) -> None:
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            self.send(TrialEvent(self.index, "running", run_id=self.run_id, epoch=epoch, loss=logs.get("loss"),
                                 accuracy=logs.get("train_accuracy")))


def run_trial(store: RunStore, sweep_id: str, trial: Trial, executor: str, send=None) -> TrialEvent:
    """Train one trial with ``nnlab.training.train``, recorded in ``store``; returns its closing event.

    A trial that fails is recorded as failed and its error returned in the event (never raised). Ctrl-C
    stops training after the current step; the run is recorded as interrupted.
    """
    from nnlab.runs import recorded_run
    from nnlab.training.run import train
    try:
        cfg, data = sized(trial)
    except Exception as err:
        return record_failure(store, sweep_id, trial, error_text(err), executor)
    run_id = None
    try:
        from nnlab.training.engines import choose_engine
        engine = choose_engine(cfg.train.engine, cfg.train, model_config=cfg.model).engine
        with recorded_run(store, cfg.to_dict(), name=run_name(sweep_id, trial), sweep_id=sweep_id,
                          tags=run_tags(sweep_id, trial), versions=versions(executor, engine)) as (run_id, recorder):
            observers = [recorder] + ([ProgressSender(send, trial.index, run_id)] if send is not None else [])
            history = train(cfg, observers=observers, data=data).history
            recorder.outcome = history
    except Exception as err:
        return TrialEvent(trial.index, "failed", run_id=run_id, error=error_text(err))
    return outcome_event(trial.index, run_id, history)
