"""Exercise 1.2: the history of neural networks as sourced data, a timeline figure and its page.

``load_timeline()`` reads the CSV shipped in the package; ``plot_timeline`` draws it; ``run_history(out)``
writes everything (``nnlab history``).
"""
from nnlab.labs.history.timeline import COLUMNS, ERAS, KINDS, Era, Event, era_of, load_timeline, timeline_text

__all__ = ["COLUMNS", "ERAS", "KINDS", "Era", "Event", "era_of", "load_timeline", "timeline_text",
           "plot_timeline", "run_history"]


def __getattr__(name):
    if name == "plot_timeline":
        from nnlab.labs.history.figure import plot_timeline
        return plot_timeline
    if name == "run_history":
        from nnlab.labs.history.lab import run_history
        return run_history
    raise AttributeError(f"module 'nnlab.labs.history' has no attribute {name!r}")
