import json

import pytest

from nnlab.claims import NOT_SHOWN, Claim, Claims, load_claims
from nnlab.document import Document
from nnlab.labpage import write_lab


def _shares(share):
    c = Claims(quick=True)
    c.check("conv_minority", share < 0.5, headline=True, numbers={"share": share},
            finding="Convolutions hold {share:.1%} of the parameters, a minority.",
            otherwise="Convolutions hold {share:.1%} of the parameters, the majority.")
    return c


def test_a_claim_states_its_finding_only_where_its_predicate_holds():
    held, failed = _shares(0.2)["conv_minority"], _shares(0.83)["conv_minority"]
    assert held.holds and held.text == "Convolutions hold 20.0% of the parameters, a minority."
    assert not failed.holds and failed.text.startswith("Convolutions hold 83.0% of the parameters, the majority")
    assert "quick run" in failed.text                                   # the known cause is named
    assert held.status == "holds" and failed.status == "does not hold"
    assert held.markdown().startswith("**Finding:**") and failed.markdown().startswith("**Not found:**")


def test_sentences_cite_only_their_numbers():
    with pytest.raises(ValueError, match="share"):
        Claims().check("x", True, finding="{share}", otherwise="no", numbers={"other": 1})


def test_theory_and_not_shown_are_never_findings():
    c = Claims(quick=True)
    t = c.theory("rate", "Gradient descent on a quadratic converges like ((k-1)/(k+1))^t, k = {k}.", {"k": 100})
    n = c.not_shown("overfit", "Overfitting as the net widens")
    assert t.kind == "theory" and t.status == "theory" and "k = 100" in t.text
    assert n.status == "not shown" and not n.holds and NOT_SHOWN in n.text
    assert "Theory:" in c.markdown() and "Not shown:" in c.html()
    with pytest.raises(ValueError, match="twice"):
        c.theory("rate", "again")
    with pytest.raises(ValueError, match="kind"):
        Claim("x", "y", kind="opinion")


def test_claims_round_trip_through_json(tmp_path):
    c = _shares(0.2)
    c.theory("t", "A formula.")
    back = load_claims(c.write(tmp_path / "claims.json"))
    assert [x.to_dict() for x in back] == c.to_list()
    assert set(c.to_list()[0]) == {"id", "text", "numbers", "holds", "headline", "kind", "shown"}


def test_write_lab_writes_the_four_files_and_refuses_a_missing_figure(tmp_path):
    doc = Document("A lab").heading("Part").paragraph("How it was measured.").claims(["conv_minority"])
    result = write_lab(tmp_path, doc, _shares(0.2), {"x": float("inf")}, lab="demo", quick=True, seconds=1.5,
                       command="nnlab demo --quick")
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["x"] is None and summary["run"]["command"] == "nnlab demo --quick" and summary["run"]["quick"]
    page = (tmp_path / "report.html").read_text()
    assert "Convolutions hold 20.0%" in page and "<!-- nav -->" in page and "nnlab demo --quick" in page
    md = (tmp_path / "report.md").read_text()
    assert md.count("Convolutions hold 20.0%") == 2                    # the list at the top and in its section
    assert result.claims["conv_minority"].holds
    with pytest.raises(FileNotFoundError, match="missing.png"):
        write_lab(tmp_path, Document("B").image("missing.png", "m"), Claims(), {}, lab="demo", quick=False,
                  seconds=0)


def test_the_site_puts_its_navigation_and_what_a_lab_printed_on_the_page(tmp_path):
    from nnlab.site import decorate_page
    write_lab(tmp_path, Document("A lab"), _shares(0.2), {}, lab="demo", quick=True, seconds=1.0)
    decorate_page(tmp_path / "report.html", "A lab", "UserWarning: <something> happened\n")
    page = (tmp_path / "report.html").read_text()
    assert "<a href='../index.html'>nnlab tour</a>" in page
    assert "What the lab printed while it ran" in page and "UserWarning: &lt;something&gt; happened" in page
