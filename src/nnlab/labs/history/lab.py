"""Exercise 1.2, the history part: the timeline figure (PNG, SVG), its HTML page, the CSV and a summary."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from nnlab.document import Document
from nnlab.labs.history.timeline import ERAS, KINDS, Event, load_timeline, timeline_text

__all__ = ["run_history", "timeline_document"]


def _inline_svg(path: Path) -> str:
    """The SVG file's <svg> element, without its XML prologue, to embed in a page."""
    text = path.read_text(encoding="utf-8")
    return text[text.index("<svg"):]


def timeline_document(events: list[Event], svg: str | None = None) -> Document:
    """The page: the figure (inline SVG in HTML, the PNG in Markdown), the eras, and every row with its source."""
    doc = Document("Neural networks: a timeline of milestones")
    first, last = events[0].year, events[-1].year
    doc.paragraph(f"{len(events)} milestones from {first} to {last}, each with the paper or book it was checked "
                  "against. Models and architectures are drawn on the left of the time bar; learning algorithms, "
                  "theory, data sets and systems on the right. The data ship with nnlab as "
                  "`nnlab/labs/data/timeline.csv`.")
    doc.raw(svg or "", "![timeline](timeline.png)") if svg else doc.image("timeline.png", "timeline")
    doc.heading("Eras")
    counts = Counter(e.era.name for e in events)
    doc.table(["era", "years", "milestones", "what changed"],
              [[e.name, f"{max(e.start, first)}-{min(e.end, last)}", counts[e.name], e.summary] for e in ERAS.values()])
    doc.heading("Milestones and sources")
    doc.table(["year", "event", "people", "significance", "source"],
              [[e.year, e.event, e.people.replace(";", ","), e.significance, e.source] for e in events])
    return doc


def run_history(out: str | Path) -> dict:
    """Write timeline.png/.svg, timeline.csv, report.md, report.html and summary.json into ``out``."""
    from nnlab.labs.history.figure import layout_problems, plot_timeline
    from nnlab.viz._style import save

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    events = load_timeline()
    # 1) the figure, checked for overlapping or clipped labels with the renderer's own boxes
    fig = plot_timeline(events)
    overlaps, outside = layout_problems(fig)
    png, svg = save(fig, out / "timeline.png", formats=("png", "svg"))
    # 2) the data and the page
    (out / "timeline.csv").write_text(timeline_text(), encoding="utf-8")
    doc = timeline_document(events, _inline_svg(svg))
    md_doc = timeline_document(events)
    (out / "report.md").write_text(md_doc.to_markdown(), encoding="utf-8")
    (out / "report.html").write_text(doc.to_html(out), encoding="utf-8")
    summary = {"events": len(events), "first_year": events[0].year, "last_year": events[-1].year,
               "per_era": dict(Counter(e.era.name for e in events)),
               "per_kind": {k: sum(e.kind == k for e in events) for k in KINDS},
               "label_overlaps": len(overlaps), "labels_outside_figure": len(outside),
               "files": [p.name for p in (png, svg)] + ["timeline.csv", "report.md", "report.html"]}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary
