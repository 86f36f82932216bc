"""mkdocs hook: every lab's page of the documentation site, made at build time.

Each page joins what the lab is (its package's docstring), how to run it, the claims of its last full run
(``benchmarks/results/full_runs.json``, made by ``make bench-full``) and the page of a quick run made now, through
the same Markdown renderer as the tour's site, with its figures. Pages already made are kept, so ``mkdocs serve``
stays quick; ``make docs`` removes them first and makes them anew.
"""
from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

MODULES = {"gd": "nnlab.labs.gd", "study": "nnlab.labs.study", "gradflow": "nnlab.labs.gradflow",
           "regularize": "nnlab.labs.regularize", "approx": "nnlab.labs.approx", "history": "nnlab.labs.history",
           "costs": "nnlab.labs.architectures", "usecase": "nnlab.labs.usecase", "explain": "nnlab.labs.explain",
           "precision": "nnlab.labs.precision", "tensors": "nnlab.labs.tensors", "perceptron": "nnlab.labs.perceptron",
           "conv": "nnlab.labs.conv", "generative": "nnlab.labs.generative", "attention": "nnlab.labs.attention",
           "sequence": "nnlab.labs.sequence"}


def on_pre_build(config) -> None:
    from nnlab.labs import LABS
    docs = Path(config["docs_dir"])
    root = docs.parent
    full_file = root / "benchmarks" / "results" / "full_runs.json"
    full = {r["lab"]: r for r in json.loads(full_file.read_text())} if full_file.exists() else {}
    notebooks = {p.stem.split("_", 1)[1]: p.name for p in (root / "notebooks").glob("*.ipynb")}
    for name, title in LABS.items():
        page = docs / "labs" / name / "index.md"
        if not page.exists():
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(lab_page(name, title, page.parent, full.get(name), notebooks.get(name)),
                            encoding="utf-8")


def lab_page(name: str, title: str, out: Path, full: dict | None, notebook: str | None) -> str:
    """The Markdown of one lab's page; runs the lab's quick mode into ``out``."""
    from nnlab.claims import Claim, Claims
    from nnlab.labs import run
    from nnlab.tour import LABS as TOUR

    run(name, out=out, quick=True)
    args = next(lab.args for lab in TOUR if lab.name == name)
    idea = (importlib.import_module(MODULES[name]).__doc__ or "").strip().split("\n\n")[0]
    lines = [f"# {title}", "", " ".join(idea.split()), "", "## Running it", "",
             f"- Quick, as the tour runs it (seconds): `nnlab {' '.join(args)}`",
             f"- Full: `nnlab {' '.join(a for a in args if a != '--quick')}`"
             + (f" ({full['seconds']:.0f} s in the last full run)" if full else ""),
             f"- From Python: `nnlab.labs.run(\"{name}\")`, which returns the published result (summary, claims, "
             "figures)"]
    if notebook:
        lines.append(f"- In Jupyter: `notebooks/{notebook}`")
    lines += ["", "Every sentence below is a claim: a **finding** where its predicate held on that run's numbers, "
              "**not found** (with what the run showed instead) where it did not, **not shown** where a quick run "
              "leaves it to the full run, and **theory** for a prediction.", ""]
    if full and full.get("claims"):
        claims = Claims()
        for c in full["claims"]:
            claims.add(Claim(c["id"], c["text"], c["numbers"], c["holds"], c["headline"], c["kind"],
                             c.get("shown", True)))
        lines += ["## The last full run", "", f"`{full['command']}`, {full['seconds']:.0f} s, "
                  f"{full.get('date', 'date not recorded')} (`make bench-full`).", "", claims.markdown(), ""]
    quick = (out / "report.md").read_text(encoding="utf-8")
    quick = quick.split("\n", 1)[1]                                  # its title is this page's
    quick = re.sub(r"^(#+) ", lambda m: "#" + m[1] + " ", quick, flags=re.M)   # one level down
    lines += ["## This build's quick run", "", quick.strip(), ""]
    return "\n".join(lines)
