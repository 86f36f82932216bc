"""Exercise 1.2: the history of neural networks as sourced data, a timeline figure and its page.

``load_timeline()`` reads the CSV shipped in the package; ``plot_timeline`` draws it; ``run_history(out)``
writes everything (``nnlab history``); ``report`` holds its claims and page.
"""
from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

from nnlab.labs.history.timeline import COLUMNS, ERAS, KINDS, Era, Event, era_of, load_timeline, timeline_text

__all__ = ["COLUMNS", "ERAS", "KINDS", "Era", "Event", "era_of", "load_timeline", "timeline_text",
           "plot_timeline", "run_history"]

_SOURCE = re.compile(r"\(\d{4}\)\. .{10,}\.")          # "Author, A. (1986). Title. Venue ..."


def __getattr__(name):
    if name == "plot_timeline":
        from nnlab.labs.history.figure import plot_timeline
        return plot_timeline
    raise AttributeError(f"module 'nnlab.labs.history' has no attribute {name!r}")


def _inline_svg(path: Path) -> str:
    """The SVG file's <svg> element, without its XML prologue, to embed in a page."""
    text = path.read_text(encoding="utf-8")
    return text[text.index("<svg"):]


def _labels_not_once(fig, events) -> list[str]:
    from matplotlib.text import Text
    texts = Counter(t.get_text() for t in fig.findobj(Text))
    return [e.id for e in events if texts[f"{e.year}  {e.event}"] != 1]


def run_history(out: str | Path) -> dict:
    """Write timeline.png/.svg and timeline.csv, then the page through ``write_lab`` (summary.json, claims.json,
    report.md, report.html) into ``out``; returns the summary."""
    from nnlab.labpage import write_lab
    from nnlab.labs.history.figure import _BREAK_YEAR, _text_boxes, plot_timeline, text_overlaps, texts_outside
    from nnlab.labs.history.report import make_claims, timeline_document
    from nnlab.viz._style import save
    from nnlab.viz.lint import PROBLEMS

    start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    events = load_timeline()
    # 1) the figure, checked for overlapping or clipped labels with the renderer's own boxes
    fig = plot_timeline(events)
    boxes = _text_boxes(fig)                          # one draw for both checks
    overlaps, outside = text_overlaps(fig, boxes), texts_outside(fig, boxes)
    png, svg = save(fig, out / "timeline.png", formats=("png", "svg"))
    # 2) the data and the page
    (out / "timeline.csv").write_text(timeline_text(), encoding="utf-8")
    eras = list(ERAS.values())
    summary = {"events": len(events), "first_year": events[0].year, "last_year": events[-1].year,
               "per_era": dict(Counter(e.era.name for e in events)),
               "per_kind": {k: sum(e.kind == k for e in events) for k in KINDS},
               "label_overlaps": len(overlaps), "labels_outside_figure": len(outside),
               "overlap_examples": [list(p) for p in overlaps[:3]], "figure_texts": len(boxes),
               "labelled_not_once": _labels_not_once(fig, events),
               "unsourced": [e.id for e in events if f"({e.year})" not in e.source or not _SOURCE.search(e.source)],
               "rows_outside_eras": sum(not (e.era.start <= e.year <= e.era.end) for e in events),
               "eras_start": eras[0].start, "eras_end": eras[-1].end,
               "era_gaps": sum(b.start != a.end + 1 for a, b in zip(eras, eras[1:])),
               "after_break": sum(e.year > _BREAK_YEAR for e in events),
               # the page shows the inline SVG, which write_lab does not lint: the PNG's findings are kept here
               "timeline_figure_problems": PROBLEMS.get(str(png.resolve()), []),
               "files": [p.name for p in (png, svg)] + ["timeline.csv", "report.md", "report.html", "claims.json",
                                                         "summary.json"]}
    summary["wall_time_s"] = time.perf_counter() - start
    result = write_lab(out, timeline_document(events, _inline_svg(svg)), make_claims(summary), summary,
                       lab="history", quick=False, seconds=summary["wall_time_s"])
    return result.summary
