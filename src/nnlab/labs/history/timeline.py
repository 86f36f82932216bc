"""The history of neural networks as data: ``timeline.csv`` (shipped in the package) and the ERAS registry.

Every row of the CSV is one milestone: ``id, year, event, people, significance, kind, source``. ``source`` is
the paper or book reference (authors, year, title, venue, volume and pages) that the row was checked against;
``year`` is the publication year of that source (the first public version for arXiv papers).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

from nnlab._validation import InvalidArgument

__all__ = ["Era", "ERAS", "Event", "KINDS", "COLUMNS", "load_timeline", "era_of", "timeline_text"]

COLUMNS = ("id", "year", "event", "people", "significance", "kind", "source")

# What kind of milestone a row is; the figure puts "model" rows on the left and the rest on the right.
KINDS = {"model": "an architecture or model", "algorithm": "a learning algorithm or training technique",
         "theory": "a theoretical result", "data": "a data set", "book": "a book", "system": "a complete system"}


@dataclass(frozen=True)
class Era:
    """A stretch of years with one character, drawn as one colour band."""
    name: str
    start: int          # first year, inclusive
    end: int            # last year, inclusive
    color: str
    summary: str


ERAS: dict[str, Era] = {e.name: e for e in [
    Era("Foundations", 1940, 1969, "#8c6bb1",
        "threshold neurons, Hebb's rule, the perceptron and its limits"),
    Era("Backpropagation and connectionism", 1970, 2005, "#4a90c2",
        "gradients through many layers, the first CNNs and recurrent networks"),
    Era("Deep-learning revival", 2006, 2013, "#41ab5d",
        "pre-training, GPUs, ImageNet and AlexNet"),
    Era("Deep-learning boom", 2014, 2016, "#f28e2b",
        "dropout, Adam, batch norm, attention and 150-layer ResNets"),
    Era("Transformers and scale", 2017, 2025, "#d62728",
        "attention everywhere, pre-training at scale, scaling laws"),
]}


@dataclass(frozen=True)
class Event:
    """One row of the timeline."""
    id: str
    year: int
    event: str
    people: str           # "First Last; First Last; ..." as in the source
    significance: str     # one line
    kind: str             # a key of KINDS
    source: str           # authors (year). title. venue volume(issue): pages.

    @property
    def era(self) -> Era:
        return era_of(self.year)

    def short_people(self, limit: int = 3) -> str:
        """Surnames, 'et al.' past ``limit`` people: 'Rumelhart, Hinton, Williams'."""
        names = [p.strip() for p in self.people.split(";") if p.strip() and p.strip() != "et al."]
        surnames = [n.split()[-1] for n in names]
        return ", ".join(surnames) if len(surnames) <= limit else f"{surnames[0]} et al."


def era_of(year: int) -> Era:
    """The era that contains ``year``."""
    for era in ERAS.values():
        if era.start <= year <= era.end:
            return era
    raise InvalidArgument(f"The 'year' parameter must lie in one of the eras "
                          f"{min(e.start for e in ERAS.values())}..{max(e.end for e in ERAS.values())}. "
                          f"Got {year!r} instead.", "year")


def timeline_text() -> str:
    """The raw CSV shipped in the package."""
    return resources.files("nnlab.labs").joinpath("data/timeline.csv").read_text(encoding="utf-8")


def load_timeline(text: str | None = None) -> list[Event]:
    """Parse the timeline CSV (the shipped one unless ``text`` is given), sorted by year; checks every row.

    Raises InvalidArgument naming the row when a column is missing or empty, a year is not an integer,
    a kind is unknown, or an id repeats.
    """
    reader = csv.DictReader(io.StringIO(timeline_text() if text is None else text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise InvalidArgument(f"The timeline CSV must have the columns {list(COLUMNS)}. "
                              f"Got {reader.fieldnames!r} instead.", "timeline")
    events, seen = [], set()
    for line, row in enumerate(reader, start=2):
        empty = [c for c in COLUMNS if not (row.get(c) or "").strip()]
        if empty:
            raise InvalidArgument(f"Row {line} of the timeline has empty column(s) {empty}.", "timeline")
        try:
            year = int(row["year"])
        except ValueError:
            raise InvalidArgument(f"Row {line} of the timeline: 'year' must be an integer. "
                                  f"Got {row['year']!r} instead.", "timeline") from None
        if row["kind"] not in KINDS:
            raise InvalidArgument(f"Row {line} of the timeline: 'kind' must be one of {sorted(KINDS)}. "
                                  f"Got {row['kind']!r} instead.", "timeline")
        if row["id"] in seen:
            raise InvalidArgument(f"Row {line} of the timeline repeats the id {row['id']!r}.", "timeline")
        seen.add(row["id"])
        era_of(year)
        events.append(Event(**{c: row[c].strip() for c in COLUMNS if c != "year"}, year=year))
    return sorted(events, key=lambda e: e.year)
