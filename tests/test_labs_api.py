"""nnlab.labs.run and load: every lab from Python, as the notebooks and the docs call it."""
import pytest

from nnlab._validation import InvalidArgument
from nnlab.labs import LABS, load, run
from nnlab.tour import LABS as TOUR_LABS


def test_the_labs_are_the_tours():
    assert list(LABS) == [lab.name for lab in TOUR_LABS]


def test_run_returns_the_published_result_and_load_reads_it_back(tmp_path):
    result = run("history", out=tmp_path)
    assert result.lab == "history" and result.out == tmp_path and result.claims.headlines
    assert all(c.holds for c in result.headlines)
    assert [f.name for f in result.figures] == ["timeline.png"] and result.figures[0].is_file()
    assert "Finding:" in result._repr_html_() and str(tmp_path / "report.html") in result._repr_html_()
    again = load(tmp_path)
    assert again.claims.to_list() == result.claims.to_list() and again.summary == result.summary
    assert result.image("timeline.png").filename == str(tmp_path / "timeline.png")
    with pytest.raises(ValueError, match="timeline.png"):
        result.image("nothing.png")


def test_an_unknown_lab_names_the_choices(tmp_path):
    with pytest.raises(InvalidArgument, match="gradflow"):
        run("gradflwo", out=tmp_path)
