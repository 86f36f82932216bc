"""The tour's site: ``index.html`` beside the seed programs' page, linking one page per lab.

Every page is the ``report.html`` its lab wrote (``nnlab.labpage``); the site adds a navigation line to each and
what the lab printed while it ran, and writes the index: each page with its status, time and headline claims.
An interrupted tour still gets an index, marked as such, linking the pages that were finished.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

from nnlab.claims import load_claims
from nnlab.labpage import MESSAGES_MARK, NAV_MARK, page

__all__ = ["write_site", "decorate_page"]


def decorate_page(path: Path, title: str, messages: str = "", home: str = "../index.html") -> None:
    """Put the site's navigation (a link to ``home``, the index, relative to the page) and ``messages`` (what the
    lab printed) into the page at ``path``."""
    text = path.read_text(encoding="utf-8")
    nav = (f"<nav><a href='{html.escape(home)}'>nnlab tour</a> &rsaquo; {html.escape(title)}</nav>")
    text = text.replace(NAV_MARK, nav, 1)
    if messages.strip():
        text = text.replace(MESSAGES_MARK, "<section id='messages'><h2>What the lab printed while it ran</h2>"
                                           f"<pre class='messages'>{html.escape(messages.strip())}</pre></section>", 1)
    path.write_text(text, encoding="utf-8")


def _claims_cell(directory: Path) -> str:
    """The lab's headline claims with their status, and how many claims it made in all."""
    if not (directory / "claims.json").exists():
        return ""
    claims = load_claims(directory)
    counts = claims.counts()
    total = (f"<p class='meta'>{counts['holds']} findings, {counts['does not hold']} not found, "
             f"{counts['not shown']} not shown, {counts['theory']} theory</p>")
    return claims.html([c.id for c in claims.headlines]) + total


def _row(out: Path, record: dict) -> str:
    name, title = record["name"], record["title"]
    directory = out / name if name != "tour" else out
    link = record.get("page")
    if record.get("ok") and link and (out / link).exists():
        head = f"<a href='{html.escape(link)}'>{html.escape(title)}</a>"
        status = "done"
    elif record.get("ok") is None:
        head, status = html.escape(title), "not run (interrupted)"
    else:
        head = html.escape(title)
        status = f"failed: {html.escape(str(record.get('error') or 'no page'))}"
    mode = "" if record.get("quick") is None else ("quick" if record["quick"] else "full")
    seconds = f"{record['seconds']:.1f} s" if record.get("seconds") is not None else ""
    claims = _claims_cell(directory) if status == "done" else ""
    return (f"<tr><td>{head}<br><span class='meta'>{html.escape(record.get('command') or '')}</span></td>"
            f"<td>{status}</td><td>{mode}</td><td class=num>{seconds}</td><td>{claims}</td></tr>")


def write_site(out: Path, records: list[dict], *, seconds: float, versions: dict, interrupted: bool = False) -> Path:
    """Write ``out/index.html``: one row per page in ``records`` (name, title, page, ok, seconds, quick, command,
    error), the time the tour took and the versions. Returns the index's path."""
    rows = "".join(_row(out, r) for r in records)
    done = sum(1 for r in records if r.get("ok"))
    banner = (f"<p class='interrupted'>The tour was interrupted (Ctrl-C): {done} of {len(records)} pages were "
              "finished and are linked below; run it again to make the rest.</p>" if interrupted else "")
    version_rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                           for k, v in versions.items())
    body = "\n".join([
        "<h1>nnlab tour</h1>",
        f"<p class='meta'>{done} of {len(records)} pages, {seconds:.1f} s in all.</p>", banner,
        "<p>The seed chapter's programs, then every lab in its quick mode. Each page states what its run found: "
        "a <b>finding</b> is a sentence whose predicate held on this run's numbers; <b>not found</b> says what "
        "the run showed instead; <b>not shown</b> marks a lesson the quick run leaves to the full run; "
        "<b>theory</b> is a prediction, printed beside the measurement.</p>",
        "<table><thead><tr><th>page</th><th>status</th><th>mode</th><th>time</th><th>headline claims</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>",
        f"<h2>Versions</h2><table>{version_rows}</table>"])
    path = out / "index.html"
    path.write_text(page("nnlab tour", body), encoding="utf-8")
    (out / "site.json").write_text(json.dumps({"interrupted": interrupted, "seconds": seconds, "pages": records},
                                              indent=2), encoding="utf-8")
    return path
