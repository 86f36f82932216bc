"""What every lab's quick run must deliver: its page files, claims whose headlines hold, and figures without
problems. Each lab's test calls ``check_lab_outputs`` on the directory its quick run wrote."""
from __future__ import annotations

import json
import re
from pathlib import Path

CLAIM_KEYS = {"id", "text", "numbers", "holds", "headline", "kind", "shown"}


def check_lab_outputs(out: Path, lab: str) -> list[dict]:
    """Assert the page contract for the lab run in ``out``; returns its claims."""
    out = Path(out)
    for name in ("summary.json", "claims.json", "report.md", "report.html"):
        assert (out / name).is_file(), f"{lab}: no {name}"
    claims = json.loads((out / "claims.json").read_text())
    assert claims and all(set(c) == CLAIM_KEYS for c in claims), claims
    assert all(c["kind"] in ("measured", "theory") for c in claims)
    headlines = [c for c in claims if c["headline"]]
    assert headlines, f"{lab}: no headline claim"
    failed = [c["text"] for c in headlines if not c["holds"]]
    assert not failed, f"{lab}: headline claims that do not hold in this run: {failed}"
    run = json.loads((out / "summary.json").read_text())["run"]
    assert run["lab"] == lab and run["figure_problems"] == {}, run["figure_problems"]
    page = (out / "report.html").read_text()
    for claim in claims:                       # every claim is on the page, as rendered
        assert _escaped(claim["text"]) in page, claim["text"]
    for src in re.findall(r"<img [^>]*src=\"([^\"]+)\"", page):
        assert src.startswith("data:") or (out / src).is_file(), f"{lab}: broken image {src}"
    assert not re.search(r"href=\"[^\"]+\.md\"", page), f"{lab}: links to raw Markdown"
    return claims


def _escaped(text: str) -> str:
    import html
    return html.escape(text)


def run_lab(out: Path, *args: str) -> str:
    """Run ``nnlab <args> --out <out>`` as a user does, in a subprocess; assert it succeeded; return its stdout."""
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "nnlab.cli", *args, "--out", str(out)], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout
