"""The ``vectorized`` executor: the trials trained together in this process.

Trials the fast engine trains (small MLPs; ``nnlab.sweeps.compiled``) run on a pool of one thread per core,
each the same run as ``nnlab train`` makes of its config. The others are grouped by
:func:`~nnlab.sweeps.batched.batch_signature` (same architecture, optimizer, loss, epochs, batch size, data
sizes); each group of up to ``MAX_GROUP`` trials is one :func:`~nnlab.sweeps.batched.fit_batched` call, K models
per batched pass, with per-trial learning rate, seed, data and penalties. Trials neither can train are handed
to the ``process`` executor, with a note saying so.
"""
from __future__ import annotations

import time
from contextlib import ExitStack

from nnlab.sweeps.events import TrialEvent
from nnlab.sweeps.recording import error_text, outcome_event, record_failure, run_name, run_tags, sized, versions

__all__ = ["VectorizedExecutor", "MAX_GROUP"]

MAX_GROUP = 256          # trials per batched pass; larger groups are split (memory grows with K * n * width)


class VectorizedExecutor:
    name = "vectorized"

    def run(self, trials, ctx) -> None:
        from nnlab.sweeps.compiled import default_threads, run_compiled, trains_fast
        from nnlab.sweeps.executors import unsupported

        # 1) prepare every trial's data (shared between trials on the same data) and size its model
        groups: dict[tuple, list] = {}
        compiled: list = []
        fallback: list = []
        reasons: set = set()
        cache: dict = {}
        for trial in trials:
            try:
                cfg, data = sized(trial, cache)
            except Exception as err:
                ctx.observer.on_trial(record_failure(ctx.store, ctx.sweep_id, trial, error_text(err), self.name))
                continue
            if trains_fast(cfg):
                compiled.append((trial, cfg, data))
                continue
            reason = unsupported(cfg)
            if reason:
                fallback.append(trial)
                reasons.add(reason)
                continue
            from nnlab.sweeps.batched import batch_signature  # imports torch: only for trials it trains
            key = batch_signature(cfg, len(data.X_train), len(data.X_test), data.task)
            groups.setdefault(key, []).append((trial, cfg, data))
        threads = ctx.workers or default_threads()
        if compiled:
            ctx.observer.on_note(f"{len(compiled)} trial(s) train on the fast engine's compiled kernels, "
                                 f"{min(threads, len(compiled))} at a time (one per thread)")
        if len(groups) > 1:
            ctx.observer.on_note(f"the trials form {len(groups)} batched groups (they differ in architecture or "
                                 "set-up); the groups train one after another")
        if fallback:
            ctx.observer.on_note(f"{len(fallback)} trial(s) use {', '.join(sorted(reasons))}, which the vectorized "
                                 "executor does not batch; they run on the process executor")
        # 2) the fast engine's trials on a thread pool, then each group in batched passes
        if compiled:
            run_compiled(compiled, ctx, self.name, threads)
        for members in groups.values():
            for start in range(0, len(members), MAX_GROUP):
                self._run_group(members[start:start + MAX_GROUP], ctx)
        # 3) the rest, one process per trial
        if fallback:
            from nnlab.sweeps.process import ProcessExecutor
            ProcessExecutor().run(fallback, ctx)

    def _run_group(self, members: list, ctx) -> None:
        """Train one group together, every trial recorded as its own run; Ctrl-C is raised again after."""
        from nnlab.runs import recorded_run
        from nnlab.sweeps.batched import fit_batched
        trials = [m[0] for m in members]
        recorders: list = []
        run_ids: list = []
        last_sent = [0.0] * len(members)

        def on_epoch_end(k: int, logs: dict) -> None:
            recorders[k].on_epoch_end(logs["epoch"], logs, None)
            now = time.monotonic()
            if now - last_sent[k] >= 0.2:
                last_sent[k] = now
                ctx.observer.on_trial(TrialEvent(trials[k].index, "running", run_id=run_ids[k], epoch=logs["epoch"],
                                                 loss=logs["loss"], accuracy=logs.get("train_accuracy")))

        histories = None
        try:
            with ExitStack() as stack:
                for trial, cfg, _ in members:
                    run_id, recorder = stack.enter_context(recorded_run(
                        ctx.store, cfg.to_dict(), name=run_name(ctx.sweep_id, trial), sweep_id=ctx.sweep_id,
                        tags=run_tags(ctx.sweep_id, trial), versions=versions(self.name, "batched")))
                    recorders.append(recorder)
                    run_ids.append(run_id)
                    ctx.observer.on_trial(TrialEvent(trial.index, "running", run_id=run_id, epoch=0))
                histories = fit_batched([m[1] for m in members], [m[2] for m in members],
                                        on_epoch_end=on_epoch_end).histories
                for recorder, history in zip(recorders, histories):
                    recorder.outcome = history
        except Exception as err:          # every run of the group was closed as failed by recorded_run
            for trial, run_id in zip(trials, run_ids + [None] * len(trials)):
                ctx.observer.on_trial(TrialEvent(trial.index, "failed", run_id=run_id, error=error_text(err)))
            return
        for trial, run_id, history in zip(trials, run_ids, histories):
            ctx.observer.on_trial(outcome_event(trial.index, run_id, history))
        if any(h.interrupted for h in histories):
            raise KeyboardInterrupt
