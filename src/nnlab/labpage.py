"""What every lab writes beside its figures: ``summary.json``, ``claims.json``, ``report.md`` and ``report.html``.

``write_lab`` is the one way a lab publishes its result. The page states the run's claims first (each with its
status: finding, not found, not shown, theory), then the lab's document, then how the page was made: the command
that reproduces it, quick or full mode, the time it took and the versions that decided the numbers.

The tour's site re-uses the same pages: ``report.html`` holds two markers, ``<!-- nav -->`` and
``<!-- messages -->``, where the tour puts its navigation and whatever the lab printed while it ran.
"""
from __future__ import annotations

import contextvars
import datetime
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

from nnlab.claims import Claims, json_safe
from nnlab.document import STYLE, Document, inline_html

__all__ = ["LabResult", "write_lab", "load_result", "invoked_as", "page"]

NAV_MARK = "<!-- nav -->"
MESSAGES_MARK = "<!-- messages -->"

# The command line that is running, set by the CLI; None when a lab is called from Python.
_COMMAND: contextvars.ContextVar[str | None] = contextvars.ContextVar("nnlab_command", default=None)


def invoked_as(command: str | None):
    """Record the command line that reproduces what is about to run (the CLI calls this once)."""
    return _COMMAND.set(command)


@dataclass
class LabResult:
    """A lab's published result: its numbers (``summary``), its ``claims`` and the files it wrote into ``out``."""
    lab: str
    title: str
    out: Path
    summary: dict
    claims: Claims
    figures: list[Path] = field(default_factory=list)

    @property
    def headlines(self) -> list:
        """The lab's headline claims."""
        return self.claims.headlines

    def image(self, name: str):
        """Figure ``name`` (a file the page shows, by its path under ``out`` or its file name) as an IPython
        image, drawn inline by Jupyter."""
        from IPython.display import Image
        paths = {f.relative_to(self.out).as_posix(): f for f in self.figures}
        by_name = {f.name: f for f in self.figures}
        path = paths.get(name) or by_name.get(name)
        if path is None or not path.is_file():
            raise ValueError(f"The 'name' parameter of LabResult.image must be one of {sorted(paths)}. Got "
                             f"{name!r} instead.")
        return Image(filename=str(path))

    def _repr_html_(self) -> str:          # shown by Jupyter
        run = self.summary.get("run", {})
        meta = inline_html(mode_line(run)) if run else ""
        return (f"<h3>{html.escape(self.title)}</h3><p>{meta}; the page: {html.escape(str(self.out / 'report.html'))}"
                f"</p>{self.claims.html()}")

    def __repr__(self) -> str:
        return f"LabResult({self.lab!r}, {self.claims!r}, out={str(self.out)!r})"


def write_lab(out: str | Path, doc: Document, claims: Claims, summary: dict, *, lab: str, quick: bool,
              seconds: float, command: str | None = None) -> LabResult:
    """Write ``summary.json`` (with a ``run`` record), ``claims.json``, ``report.md`` and ``report.html`` into
    ``out``.

    lab : the lab's short name ("gradflow")
    quick : whether this was a quick run
    seconds : the run's wall time
    command : the command line that reproduces the run (default: the CLI's, else a note that Python made it)
    """
    from nnlab.environment import versions

    out = Path(out)
    command = command or _COMMAND.get()
    run = {"lab": lab, "title": doc.title, "quick": bool(quick), "seconds": float(seconds), "command": command,
           "written": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), "versions": versions(),
           "claims": claims.counts(), "figures": doc.images()}
    missing = [name for name in doc.images() if not (out / name).exists()]
    if missing:
        raise FileNotFoundError(f"the {lab} lab's report shows figures it did not write: {', '.join(missing)}")
    from nnlab.viz.lint import PROBLEMS
    run["figure_problems"] = {name: PROBLEMS[key] for name in doc.images()
                              if PROBLEMS.get(key := str((out / name).resolve()))}
    summary = {**summary, "run": run}
    (out / "summary.json").write_text(json.dumps(json_safe(summary), indent=2, allow_nan=False), encoding="utf-8")
    claims.write(out / "claims.json")
    (out / "report.md").write_text(_markdown(doc, claims, run), encoding="utf-8")
    (out / "report.html").write_text(page(doc.title, _html_body(doc, claims, run)), encoding="utf-8")
    return LabResult(lab, doc.title, out, summary, claims, [out / name for name in doc.images()])


def load_result(out: str | Path) -> LabResult:
    """Read back what ``write_lab`` published into ``out``."""
    from nnlab.claims import load_claims
    out = Path(out)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    run = summary.get("run", {})
    return LabResult(run.get("lab", out.name), run.get("title", out.name), out, summary, load_claims(out),
                     [out / name for name in run.get("figures", [])])


def page(title: str, body: str) -> str:
    """One HTML page in the labs' style, with the tour's two markers."""
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n{NAV_MARK}\n{body}\n"
            f"{MESSAGES_MARK}\n</body></html>\n")


def mode_line(run: dict) -> str:
    """'Quick run, 12.3 s, 2026-12-04 20:31' (plain text)."""
    mode = "Quick run (`--quick`)" if run["quick"] else "Full run"
    return f"{mode}, {run['seconds']:.1f} s, written {run['written'][:16].replace('T', ' ')}"


def _command_text(run: dict) -> str:
    return f"`{run['command']}`" if run["command"] else "called from Python (no command line)"


def _split(claims: Claims) -> tuple[list[str], list[str]]:
    """The ids of the lab's headline lessons, and of everything else it measured or predicted."""
    return [c.id for c in claims if c.headline], [c.id for c in claims if not c.headline]


def _problems(run: dict) -> list[str]:
    return [f"{name}: {problem}" for name, found in run["figure_problems"].items() for problem in found]


def _markdown(doc: Document, claims: Claims, run: dict) -> str:
    heads, rest = _split(claims)
    lines = [f"# {doc.title}", "", mode_line(run) + ".", "", "## What this run found", "", claims.markdown(heads), "",
             *(["### Also in this run", "", claims.markdown(rest), ""] if rest else []),
             *([f"Figure problems: {'; '.join(_problems(run))}.", ""] if _problems(run) else []),
             doc.to_markdown(claims, title=False).rstrip("\n"), "", "## How this page was made", "",
             f"Command: {_command_text(run)}.", "",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in run["versions"].items()) + ".", ""]
    return "\n".join(lines)


def _html_body(doc: Document, claims: Claims, run: dict) -> str:
    versions = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                       for k, v in run["versions"].items())
    return "\n".join([
        f"<h1>{inline_html(doc.title)}</h1>", f"<p class='meta'>{inline_html(mode_line(run))}</p>",
        "<section id='claims'><h2>What this run found</h2>", claims.html(_split(claims)[0]),
        *(["<h3>Also in this run</h3>", claims.html(_split(claims)[1])] if _split(claims)[1] else []), "</section>",
        *([f"<p class='interrupted'>Figure problems: {html.escape('; '.join(_problems(run)))}.</p>"]
          if _problems(run) else []),
        doc.to_html_body(claims, title=False),
        "<section id='made'><h2>How this page was made</h2>", f"<p>Command: {inline_html(_command_text(run))}</p>",
        f"<table>{versions}</table></section>"])
