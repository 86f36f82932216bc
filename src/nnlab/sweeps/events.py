"""How a sweep reports: trial events to a SweepObserver (the CLI's live table is one), and the final result.

The library never prints. Executors call ``observer.on_trial(TrialEvent(...))`` whenever a trial changes state
or has a newer loss; ``on_note`` carries one-line remarks (e.g. trials moved to another executor).
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["TrialEvent", "SweepObserver", "SweepResult", "TRIAL_STATES", "FINAL_STATES"]

# pending: not started yet; queued: handed to a pool or cluster; skipped: finished by an earlier run of the sweep.
TRIAL_STATES = ("pending", "queued", "running", "finished", "failed", "interrupted", "skipped")
FINAL_STATES = ("finished", "failed", "interrupted", "skipped")


@dataclass(frozen=True)
class TrialEvent:
    """A trial's state: status, and when known its run id, latest epoch, loss and accuracy, or its error."""
    trial: int                          # the trial's index in the sweep
    status: str                         # one of TRIAL_STATES
    run_id: int | None = None
    epoch: int | None = None
    loss: float | None = None
    accuracy: float | None = None
    error: str | None = None


class SweepObserver:
    """Base class: every hook is a no-op. Subclass it to show progress."""

    def on_start(self, plan) -> None: ...                 # a SweepPlan: trials, executor, skipped keys
    def on_trial(self, event: TrialEvent) -> None: ...
    def on_note(self, text: str) -> None: ...
    def on_end(self, result: SweepResult) -> None: ...


@dataclass
class SweepResult:
    """What a sweep did: the last event of every trial, the executor, and the wall time."""
    sweep_id: str
    executor: str
    events: dict[int, TrialEvent] = field(default_factory=dict)   # trial index -> its last event
    notes: list[str] = field(default_factory=list)
    wall_time_s: float = 0.0
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(e.status == status for e in self.events.values())

    def summary(self) -> str:
        """'27 trials: 25 finished, 1 failed, 1 skipped (finished before)'."""
        parts = [f"{self.count(s)} {s}" for s in ("finished", "failed", "interrupted") if self.count(s)]
        if self.count("skipped"):
            parts.append(f"{self.count('skipped')} skipped (finished before)")
        left = len(self.events) - sum(self.count(s) for s in FINAL_STATES)
        if left:
            parts.append(f"{left} not run")
        return f"{len(self.events)} trials: " + (", ".join(parts) or "none run")


class _Collector(SweepObserver):
    """Keeps each trial's last event for the SweepResult and forwards everything to the user's observer."""

    def __init__(self, result: SweepResult, inner: SweepObserver | None):
        self.result, self.inner = result, inner or SweepObserver()

    def on_start(self, plan) -> None:
        self.inner.on_start(plan)

    def on_trial(self, event: TrialEvent) -> None:
        last = self.result.events.get(event.trial)
        if last is not None and last.status in FINAL_STATES and event.status not in FINAL_STATES:
            return          # a late progress message from a worker must not reopen a closed trial
        self.result.events[event.trial] = event
        self.inner.on_trial(event)

    def on_note(self, text: str) -> None:
        self.result.notes.append(text)
        self.inner.on_note(text)

    def on_end(self, result: SweepResult) -> None:
        self.inner.on_end(result)
