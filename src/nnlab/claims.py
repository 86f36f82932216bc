"""Claims: how a lab says what its run found, and the one place that writes them as Markdown and HTML.

A claim is a sentence built from the numbers it cites, plus a predicate over this run's numbers. A lab states
it as a finding only where the predicate holds; where it does not, the lab has written what the run shows
instead, and the reason when it is known (quick mode, too few epochs). Theory (a formula, a prediction) is a
claim of kind "theory", labelled as such wherever it is shown.

    claims = Claims(quick=True)
    claims.check("conv_params_minority", holds=share < 0.5, headline=True,
                 numbers={"share": share},
                 finding="Convolutions hold {share:.0%} of the parameters: a minority.",
                 otherwise="Convolutions hold {share:.0%} of the parameters: most of them.")

Templates are ``str.format`` strings filled from ``numbers``, so every number a sentence shows is one it cites.
``claims.json`` is the list of ``Claim.to_dict()``: id, text (as rendered), numbers, holds, headline, kind.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

from nnlab.jsonsafe import json_safe

__all__ = ["Claim", "Claims", "NOT_SHOWN", "load_claims", "json_safe"]

NOT_SHOWN = "not shown by this quick run; run without --quick"
QUICK_CAUSE = "this quick run may be too short to show it; run without --quick"
_KINDS = ("measured", "theory")


@dataclass(frozen=True)
class Claim:
    """One sentence of a lab's result.

    id : stable name (tests and pages refer to it)
    text : the sentence as rendered for this run (the finding, or what the run shows instead)
    numbers : the numbers the sentence cites (JSON values)
    holds : whether the predicate held on this run (theory: True)
    headline : one of the lab's lessons (tested to hold in quick mode)
    kind : "measured" or "theory"
    shown : False when this run did not attempt the measurement (a quick run leaving it to the full run)
    """
    id: str
    text: str
    numbers: dict = field(default_factory=dict)
    holds: bool = True
    headline: bool = False
    kind: str = "measured"
    shown: bool = True

    def __post_init__(self):
        if self.kind not in _KINDS:
            raise ValueError(f"The 'kind' parameter of Claim must be one of {', '.join(_KINDS)}. Got {self.kind!r}.")

    @property
    def status(self) -> str:
        """'theory', 'holds', 'does not hold' or 'not shown'."""
        if self.kind == "theory":
            return "theory"
        if not self.shown:
            return "not shown"
        return "holds" if self.holds else "does not hold"

    @property
    def label(self) -> str:
        """The word the pages put before the sentence: 'Finding', 'Not found', 'Not shown' or 'Theory'."""
        return _LABELS[self.status].rstrip(":")

    def to_dict(self) -> dict:
        return {"id": self.id, "text": self.text, "numbers": json_safe(self.numbers), "holds": self.holds,
                "headline": self.headline, "kind": self.kind, "shown": self.shown}

    def markdown(self) -> str:
        """The claim as one Markdown line: its status as a label, then its sentence."""
        return f"**{_LABELS[self.status]}** {self.text}"

    def html(self) -> str:
        status = self.status.replace(" ", "-")
        return (f"<span class='claim-status {status}'>{html.escape(_LABELS[self.status])}</span> "
                f"{html.escape(self.text)}")

    def __repr__(self) -> str:
        return f"Claim({self.id!r}, {self.status}{', headline' if self.headline else ''}: {self.text!r})"


_LABELS = {"holds": "Finding:", "does not hold": "Not found:", "not shown": "Not shown:", "theory": "Theory:"}


class Claims:
    """The claims of one run, in the order the lab made them; ``quick`` says whether the run was a quick one
    (a claim that does not hold in a quick run names that as a possible cause)."""

    def __init__(self, quick: bool = False):
        self.quick = quick
        self._items: dict[str, Claim] = {}

    # -- making claims
    def add(self, claim: Claim) -> Claim:
        if claim.id in self._items:
            raise ValueError(f"claim {claim.id!r} was made twice in one run.")
        self._items[claim.id] = claim
        return claim

    def check(self, id: str, holds, *, finding: str, otherwise: str, numbers: dict | None = None,
              headline: bool = False, cause: str | None = None) -> Claim:
        """A measured claim: ``finding`` where ``holds`` is true on this run, else ``otherwise`` (what the run
        shows instead) and the cause, if one is known: ``cause`` or, in a quick run, quick mode (``cause=False`` or "":
        no cause is named, for a result the quick settings cannot change).

        ``finding`` and ``otherwise`` are format strings over ``numbers``."""
        numbers = dict(numbers or {})
        holds = bool(holds)
        text = _fill(finding if holds else otherwise, numbers)
        if not holds:
            reason = None if cause is False or cause == "" else cause or (QUICK_CAUSE if self.quick else None)
            if reason:
                text = f"{text.rstrip('.')} ({reason})."
        return self.add(Claim(id, text, numbers, holds, headline, "measured"))

    def theory(self, id: str, text: str, numbers: dict | None = None) -> Claim:
        """A prediction or formula, labelled as theory wherever it is shown."""
        numbers = dict(numbers or {})
        return self.add(Claim(id, _fill(text, numbers), numbers, True, False, "theory"))

    def not_shown(self, id: str, lesson: str, numbers: dict | None = None) -> Claim:
        """A lesson this run did not measure (a quick run leaves it to the full run): never a finding."""
        return self.add(Claim(id, f"{lesson}: {NOT_SHOWN}.", dict(numbers or {}), False, False, "measured",
                              shown=False))

    # -- reading them
    def __getitem__(self, id: str) -> Claim:
        return self._items[id]

    def __contains__(self, id: str) -> bool:
        return id in self._items

    def __iter__(self):
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        held = sum(c.status == "holds" for c in self)
        return f"Claims({len(self)} claims, {held} hold{', quick' if self.quick else ''})"

    @property
    def headlines(self) -> list[Claim]:
        return [c for c in self if c.headline]

    def counts(self) -> dict:
        """How many claims have each status."""
        out = {"holds": 0, "does not hold": 0, "not shown": 0, "theory": 0}
        for c in self:
            out[c.status] += 1
        return out

    # -- writing them
    def markdown(self, ids=None) -> str:
        """A Markdown bullet list of the claims named by ``ids`` (all by default), headlines first."""
        return "\n".join(f"- {c.markdown()}" for c in self._select(ids))

    def html(self, ids=None) -> str:
        items = "".join(f"<li class='claim{' headline' if c.headline else ''}'>{c.html()}</li>"
                        for c in self._select(ids))
        return f"<ul class='claims'>{items}</ul>"

    def _repr_html_(self) -> str:          # shown by Jupyter
        return self.html()

    def to_list(self) -> list[dict]:
        return [c.to_dict() for c in self]

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_list(), indent=2, allow_nan=False), encoding="utf-8")
        return path

    def _select(self, ids):
        """All claims (headlines first), or those of ``ids`` that this run made, in that order (a run may skip
        a measurement its settings leave out; every claim is listed at the top of the page either way)."""
        chosen = list(self) if ids is None else [self._items[i] for i in ids if i in self._items]
        return sorted(chosen, key=lambda c: not c.headline) if ids is None else chosen


def load_claims(path: str | Path) -> Claims:
    """Read a ``claims.json`` (or the directory holding one) back into Claims."""
    path = Path(path)
    if path.is_dir():
        path = path / "claims.json"
    claims = Claims()
    for item in json.loads(path.read_text(encoding="utf-8")):
        claims.add(Claim(item["id"], item["text"], item.get("numbers", {}), item["holds"], item["headline"],
                         item["kind"], item.get("shown", True)))
    return claims


def _fill(template: str, numbers: dict) -> str:
    try:
        return template.format(**numbers)
    except (KeyError, IndexError) as err:
        raise ValueError(f"the claim's sentence {template!r} cites {err}, which is not among its numbers "
                         f"{sorted(numbers)}.") from None
