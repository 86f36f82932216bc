"""Exercise 1.2, the history part: the timeline figure (PNG, SVG), the CSV, and the page, published through
``write_lab`` (``summary.json``, ``claims.json``, ``report.md``, ``report.html``). The claims are about the data
and the figure this run checked: every row's source, the eras, the labels' layout."""
from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

from nnlab.claims import Claims
from nnlab.document import Document
from nnlab.labs.history.timeline import ERAS, KINDS, Event, load_timeline, timeline_text

__all__ = ["run_history", "timeline_document", "make_claims", "TITLE"]

TITLE = "Neural networks: a timeline of milestones"
_SOURCE = re.compile(r"\(\d{4}\)\. .{10,}\.")          # "Author, A. (1986). Title. Venue ..."


def _inline_svg(path: Path) -> str:
    """The SVG file's <svg> element, without its XML prologue, to embed in a page."""
    text = path.read_text(encoding="utf-8")
    return text[text.index("<svg"):]


def make_claims(s: dict) -> Claims:
    """What this run checked, each sentence from the numbers of ``s`` (the summary), a finding only where it
    holds."""
    from nnlab.labs.history.figure import _BREAK_SHARE, _BREAK_YEAR
    c = Claims(quick=False)
    bad = s["unsourced"]
    c.check("every_row_sourced", not bad, headline=True,
            numbers={"n": s["events"], "first": s["first_year"], "last": s["last_year"], "bad": len(bad),
                     "ids": ", ".join(bad)},
            finding="All {n} milestones, {first} to {last}, cite a source that carries the row's year and a title.",
            otherwise="{bad} of the {n} milestones do not cite a source with the row's year and a title: {ids}.")
    overlaps, outside = s["label_overlaps"], s["labels_outside_figure"]
    c.check("labels_clear", overlaps == 0 and outside == 0, headline=True,
            numbers={"texts": s["figure_texts"], "overlaps": overlaps, "outside": outside,
                     "examples": "; ".join(" / ".join(pair) for pair in s["overlap_examples"])},
            finding="None of the figure's {texts} texts overlaps another or runs off the page (checked on the "
                    "renderer's own boxes).",
            otherwise="In the figure, {overlaps} pairs of texts overlap and {outside} texts run off the page "
                      "({examples}).")
    c.check("every_milestone_labelled_once", not s["labelled_not_once"],
            numbers={"n": s["events"], "ids": ", ".join(s["labelled_not_once"])},
            finding="The figure labels each of the {n} milestones exactly once.",
            otherwise="The figure does not label these milestones exactly once: {ids}.")
    c.check("rows_in_eras", s["rows_outside_eras"] == 0 and s["era_gaps"] == 0,
            numbers={"eras": len(s["per_era"]), "start": s["eras_start"], "end": s["eras_end"],
                     "outside": s["rows_outside_eras"], "gaps": s["era_gaps"],
                     "listing": ", ".join(f"{k} {v}" for k, v in s["per_era"].items())},
            finding="The {eras} eras tile {start}-{end} without gaps and every row falls in one ({listing}).",
            otherwise="{outside} rows fall outside the eras, which leave {gaps} gaps between {start} and {end}.")
    after, n = s["after_break"], s["events"]
    years_share = (s["last_year"] - _BREAK_YEAR) / (s["last_year"] - s["first_year"])
    c.check("dense_after_2005", after / n > years_share,
            numbers={"after": after, "n": n, "share": after / n, "years_share": years_share, "year": _BREAK_YEAR,
                     "first": s["first_year"], "last": s["last_year"], "bar": 1 - _BREAK_SHARE},
            finding="{after} of the {n} milestones ({share:.0%}) fall after {year}, in {years_share:.0%} of the "
                    "years {first}-{last}: that is why the figure gives the years after {year} {bar:.0%} of the "
                    "time bar.",
            otherwise="{after} of the {n} milestones ({share:.0%}) fall after {year}, in {years_share:.0%} of the "
                      "years {first}-{last}: no denser than before, yet the figure gives them {bar:.0%} of the "
                      "time bar.")
    return c


def timeline_document(events: list[Event], svg: str | None = None) -> Document:
    """The page: the figure (inline SVG in HTML, the PNG in Markdown), the eras, and every row with its source;
    what the run checked is in its claims."""
    doc = Document(TITLE)
    first, last = events[0].year, events[-1].year
    doc.paragraph(f"Milestones from {first} to {last}; each row names the paper or book it was checked against. "
                  "Models and architectures are drawn on the left of the time bar; learning algorithms, theory, "
                  "data sets and systems on the right. The data ship with nnlab as `nnlab/labs/data/timeline.csv`; "
                  "this run checked every row and the figure's layout:")
    doc.claims(["every_row_sourced", "rows_in_eras", "labels_clear", "every_milestone_labelled_once",
                "dense_after_2005"])
    if svg:
        doc.raw(svg, "![timeline](timeline.png)")
    else:
        doc.image("timeline.png", "timeline")
    doc.heading("Eras")
    counts = Counter(e.era.name for e in events)
    doc.table(["era", "years", "milestones", "what changed"],
              [[e.name, f"{max(e.start, first)}-{min(e.end, last)}", counts[e.name], e.summary] for e in ERAS.values()])
    doc.heading("Milestones and sources")
    doc.table(["year", "event", "people", "significance", "source"],
              [[e.year, e.event, e.people.replace(";", ","), e.significance, e.source] for e in events])
    return doc


def _labels_not_once(fig, events) -> list[str]:
    from matplotlib.text import Text
    texts = Counter(t.get_text() for t in fig.findobj(Text))
    return [e.id for e in events if texts[f"{e.year}  {e.event}"] != 1]


def run_history(out: str | Path) -> dict:
    """Write timeline.png/.svg and timeline.csv, then the page through ``write_lab`` (summary.json, claims.json,
    report.md, report.html) into ``out``; returns the summary."""
    from nnlab.labpage import write_lab
    from nnlab.labs.history.figure import _BREAK_YEAR, _text_boxes, plot_timeline, text_overlaps, texts_outside
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
