"""The history lab's page: its claims, about the data and the figure this run checked (every row's source, the
eras, the labels' layout), and the document around the timeline."""
from __future__ import annotations

from collections import Counter

from nnlab.claims import Claims
from nnlab.document import Document
from nnlab.labs.history.timeline import ERAS, Event

__all__ = ["timeline_document", "make_claims", "TITLE"]

TITLE = "Neural networks: a timeline of milestones"


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
