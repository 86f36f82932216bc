"""The timeline: the shipped CSV, its parser, the label layout, the figure and ``nnlab history``."""
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from labcheck import check_lab_outputs
from nnlab._validation import InvalidArgument
from nnlab.labs.history import ERAS, KINDS, load_timeline, timeline_text
from nnlab.labs.history.figure import A4_WIDTH_IN, layout_problems, plot_timeline, spread_labels, text_overlaps
from pixels import colour_count

_SCRIPT = Path(sys.executable).parent / "nnlab"
NNLAB = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "nnlab.cli"]
REQUIRED = ["mcculloch-pitts", "perceptron", "backprop", "zip-code-cnn", "lstm", "lenet5", "imagenet", "alexnet",
            "dropout", "adam", "batchnorm", "resnet", "transformer", "bert", "gpt3", "scaling-laws"]


@pytest.fixture(scope="module")
def events():
    return load_timeline()


@pytest.fixture(scope="module")
def timeline_figure(events):
    return plot_timeline(events)


def test_timeline_has_at_least_30_complete_rows(events):
    assert len(events) >= 30
    for e in events:
        assert all(str(getattr(e, c)).strip() for c in ("id", "event", "people", "significance", "kind", "source"))
        assert e.kind in KINDS


def test_timeline_covers_the_milestones_the_chapter_names(events):
    ids = {e.id for e in events}
    assert set(REQUIRED) <= ids


def test_every_source_carries_the_rows_year_and_a_title(events):
    for e in events:
        assert f"({e.year})" in e.source, e.id                       # "Author, A. (1986). Title. Venue ..."
        assert re.search(r"\(\d{4}\)\. .{10,}\.", e.source), e.id


def test_well_known_citations_are_exact(events):
    by_id = {e.id: e for e in events}
    assert "Bulletin of Mathematical Biophysics 5(4): 115-133" in by_id["mcculloch-pitts"].source
    assert "Nature 323(6088): 533-536" in by_id["backprop"].source
    assert "Neural Computation 9(8): 1735-1780" in by_id["lstm"].source
    assert "Proceedings of the IEEE 86(11): 2278-2324" in by_id["lenet5"].source
    assert "Psychological Review 65(6): 386-408" in by_id["perceptron"].source


def test_rows_are_sorted_by_year_and_fall_in_an_era(events):
    years = [e.year for e in events]
    assert years == sorted(years)
    for e in events:
        assert e.era.start <= e.year <= e.era.end


def test_eras_tile_the_years_without_gaps():
    eras = list(ERAS.values())
    for a, b in zip(eras, eras[1:]):
        assert b.start == a.end + 1


@pytest.mark.parametrize("change, message", [
    (lambda row: row.replace(",theory,", ",poem,", 1), "'kind' must be one of"),
    (lambda row: row.replace("1949", "19x9", 1), "'year' must be an integer"),
    (lambda row: row[:row.rindex(',"')] + ",", "empty column(s) ['source']"),
])
def test_bad_rows_are_rejected_with_the_row_number(change, message):
    lines = timeline_text().splitlines()
    lines[2] = change(lines[2])                                      # row 3 of the file: Hebb, 1949
    with pytest.raises(InvalidArgument, match=re.escape(message)) as err:
        load_timeline("\n".join(lines))
    assert "Row 3" in str(err.value)


def test_a_repeated_id_is_rejected():
    lines = timeline_text().splitlines()
    with pytest.raises(InvalidArgument, match="repeats the id"):
        load_timeline("\n".join(lines + [lines[1]]))


def test_spread_labels_keeps_order_gap_and_bounds():
    targets = np.array([1.0, 1.05, 1.1, 1.12, 5.0, 9.9])
    p = spread_labels(targets, gap=0.3, low=0.5, high=10.0)
    assert np.all(np.diff(p) >= 0.3 - 1e-12)
    assert p.min() >= 0.5 and p.max() <= 10.0
    # the crowded group is centred on its targets (least squares): mean position = mean target
    assert np.isclose(p[:4].mean(), targets[:4].mean())
    assert np.allclose(p[4:], targets[4:])                           # free labels stay where they are


def test_spread_labels_leaves_well_spaced_labels_alone():
    targets = np.array([1.0, 2.0, 3.0])
    assert np.allclose(spread_labels(targets, 0.5, 0.0, 4.0), targets)


def test_timeline_figure_is_a4_wide_with_no_overlapping_or_clipped_text(timeline_figure):
    assert timeline_figure.get_size_inches()[0] == pytest.approx(A4_WIDTH_IN)
    overlaps, outside = layout_problems(timeline_figure)
    assert overlaps == [] and outside == []


def test_overlap_check_finds_overlapping_text():
    from nnlab.viz._style import new_figure
    fig = new_figure(4, 3)
    fig.text(0.5, 0.5, "first label")
    fig.text(0.52, 0.5, "second label")
    assert text_overlaps(fig) == [("first label", "second label")]


def test_layout_check_finds_text_outside_the_figure():
    from nnlab.viz._style import new_figure
    fig = new_figure(4, 3)
    fig.text(0.95, 0.5, "runs off the right edge")
    assert layout_problems(fig) == ([], ["runs off the right edge"])


def test_every_event_is_labelled_once(events, timeline_figure):
    from matplotlib.text import Text
    texts = [t.get_text() for t in timeline_figure.findobj(Text)]
    for e in events:
        assert texts.count(f"{e.year}  {e.event}") == 1


def test_history_command_writes_the_figure_page_and_data(tmp_path, events):
    out = tmp_path / "history"
    result = subprocess.run(NNLAB + ["history", "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for name in ("timeline.png", "timeline.svg", "timeline.csv", "report.md", "report.html", "summary.json"):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["events"] == len(events) and summary["label_overlaps"] == 0
    page = (out / "report.html").read_text()
    assert "<svg" in page                                            # the same figure, inline
    for e in events:
        assert html.escape(e.source, quote=False) in page
    for era in ERAS.values():                                        # eras coloured in the PNG
        assert colour_count(out / "timeline.png", era.color, tolerance=20) > 500, era.name
    assert (out / "timeline.csv").read_text() == timeline_text()
    claims = check_lab_outputs(out, "history")
    assert {c["id"] for c in claims if c["headline"]} == {"every_row_sourced", "labels_clear"}
    assert summary["timeline_figure_problems"] == []                 # the PNG (the page shows the SVG)
    assert "data:image" not in page and not summary["run"]["quick"]


def test_history_claims_say_what_broken_data_shows():
    from nnlab.labs.history.report import make_claims
    summary = {"events": 3, "first_year": 1943, "last_year": 2022, "unsourced": ["hebb"], "label_overlaps": 1,
               "labels_outside_figure": 0, "figure_texts": 9, "overlap_examples": [["1958  Perceptron", "Hebb"]],
               "labelled_not_once": [], "rows_outside_eras": 0, "eras_start": 1940, "eras_end": 2025,
               "era_gaps": 0, "per_era": {"Foundations": 3}, "after_break": 0}
    claims = make_claims(summary)
    assert not claims["every_row_sourced"].holds and "hebb" in claims["every_row_sourced"].text
    assert not claims["labels_clear"].holds and "1 pairs of texts overlap" in claims["labels_clear"].text
    assert not claims["dense_after_2005"].holds
