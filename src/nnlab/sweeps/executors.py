"""The EXECUTORS registry: where a sweep's trials train. One interface, three places.

- ``vectorized``: the trials trained together in this process: the fast engine's on one thread per core
  (``nnlab.sweeps.compiled``), the others K models in one batched pass (``nnlab.sweeps.batched``); trials it
  can do neither with go to ``process``.
- ``process``: a local pool of worker processes, one trial per worker at a time, one torch thread each.
- ``ray``: one Ray task per trial on an existing Ray cluster (``--address``); results land in the same store.

``auto`` (the default) picks ``vectorized`` when every trial is a small MLP the fast engine trains, or when every
trial has the same architecture and set-up and can be batched, else ``process``. An executor's
``run(trials, ctx)`` records every trial in ``ctx.store`` and reports through ``ctx.observer``; a failing trial
is recorded as failed and never stops the others.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import nnlab.sweeps.batched_support  # noqa: F401  (registers the batched engine's row of the table)
from nnlab._validation import InvalidArgument
from nnlab.training.engines.capabilities import supports

__all__ = ["ExecutorInfo", "EXECUTORS", "SweepContext", "make_executor", "choose_executor", "check_executor",
           "unsupported"]


@dataclass(frozen=True)
class ExecutorInfo:
    name: str
    module: str            # nnlab.sweeps.<module> holds the class
    cls: str
    description: str

    def __repr__(self) -> str:
        return f"ExecutorInfo({self.name!r}: {self.description})"


EXECUTORS: dict[str, ExecutorInfo] = {e.name: e for e in [
    ExecutorInfo("vectorized", "vectorized", "VectorizedExecutor",
                 "K models of one architecture trained together in one batched pass, in this process"),
    ExecutorInfo("process", "process", "ProcessExecutor",
                 "a local pool of worker processes, one torch thread each; any mix of architectures"),
    ExecutorInfo("ray", "ray_cluster", "RayExecutor",
                 "one Ray task per trial on an existing Ray cluster (--address)"),
]}
CHOICES = ("auto", *EXECUTORS)


@dataclass
class SweepContext:
    """What an executor needs: the open store, the sweep id, where to report, and its settings."""
    store: object                      # nnlab.runs.RunStore, open in this process
    sweep_id: str
    observer: object                   # a SweepObserver
    workers: int | None = None         # process pool size (default: the CPU count)
    address: str | None = None         # Ray cluster address
    options: dict = field(default_factory=dict)


def check_executor(name: str) -> str:
    if name not in CHOICES:
        raise InvalidArgument(f"The 'executor' parameter must be one of {list(CHOICES)}. Got {name!r} instead.",
                              "executor", allowed=f"one of {list(CHOICES)}", value=name)
    return name


def make_executor(name: str):
    """A new executor of ``EXECUTORS[name]``."""
    info = EXECUTORS[check_executor(name)]
    return getattr(importlib.import_module(f"nnlab.sweeps.{info.module}"), info.cls)()


def unsupported(config) -> str | None:
    """Why the vectorized executor cannot batch RunConfig ``config`` (a short phrase), or None if it can: the
    batched engine's capability row (``nnlab.sweeps.batched_support``)."""
    return supports("batched", config.train, model_config=config.model)


def _setup(config) -> tuple:
    """What must agree for trials to share one batched pass, read from the configs alone (no data needed)."""
    d, m, t = config.data, config.model, config.train
    return (d.dataset, d.n, d.classes, d.test_fraction, m.hidden_sizes, m.activation, t.optimizer, t.loss,
            t.epochs, t.batch_size)


def choose_executor(trials) -> tuple[str, str]:
    """``auto``'s choice for these trials, and why (read from the configs; the executor decides again per trial
    once the data sizes the models)."""
    from nnlab.sweeps.compiled import trains_fast
    if all(trains_fast(t.config) for t in trials):
        return "vectorized", "every trial is a small MLP the fast engine trains, one per core"
    reasons = sorted({r for r in (unsupported(t.config) for t in trials) if r})
    if reasons:
        return "process", f"some trials use {', '.join(reasons)}, which the vectorized executor does not batch"
    if len({_setup(t.config) for t in trials}) > 1:
        return "process", "the trials differ in architecture or set-up"
    return "vectorized", "every trial has the same architecture"
