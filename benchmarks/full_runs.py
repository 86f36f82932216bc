"""Run every lab in its full mode and check its claims: the numbers the README quotes come from here.

Quick runs are tested in ``make test`` (every headline claim must hold there). Full runs take from seconds to
many minutes per lab, so they are checked here instead: each lab runs without ``--quick`` into
``results/full/<lab>`` (its page, figures, ``summary.json`` and ``claims.json``), one after another, and the
script writes ``benchmarks/results/full_runs.md``: per lab the command, the time it took and every claim with
its status. It exits 1 when a headline claim of a full run does not hold.

Run:  ``python benchmarks/full_runs.py``            every lab (about 12 minutes on a 2-core machine)
      ``python benchmarks/full_runs.py --only approx,gradflow``
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

from nnlab.claims import load_claims
from nnlab.environment import cpu_model
from nnlab.tour import LABS

RESULTS = Path(__file__).parent / "results"


def full_args(args: tuple[str, ...]) -> list[str]:
    """A lab's tour arguments without its quick settings."""
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a == "--quick":
            continue
        if a == "--folds":                 # the tour shortens the use case's cross-validation too
            skip = True
            continue
        out.append(a)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated lab names (default: every lab)")
    parser.add_argument("--out", default="results/full", help="directory for the labs' pages")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else [lab.name for lab in LABS]
    unknown = sorted(set(names) - {lab.name for lab in LABS})
    if unknown:
        parser.error(f"unknown lab(s) {', '.join(unknown)}; choose from {', '.join(lab.name for lab in LABS)}")
    out = Path(args.out)
    rows, failed = [], []
    for lab in (lab for lab in LABS if lab.name in names):
        command = ["nnlab", *full_args(lab.args), "--out", str(out / lab.name)]
        print(f"{lab.name}: {shlex.join(command)}", flush=True)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "nnlab.cli", *command[1:]], capture_output=True, text=True)
        seconds = time.perf_counter() - start
        entry = {"lab": lab.name, "title": lab.title, "command": shlex.join(command), "seconds": seconds,
                 "date": str(datetime.date.today()),
                 "returncode": result.returncode, "claims": []}
        if result.returncode == 0:
            claims = load_claims(out / lab.name)
            entry["claims"] = claims.to_list()
            failed += [f"{lab.name}: {c.text}" for c in claims if c.headline and not c.holds]
        else:
            entry["error"] = (result.stderr.strip().splitlines() or ["no output"])[-1]
            failed.append(f"{lab.name}: failed: {entry['error']}")
        print(f"  {seconds:.0f} s, exit {result.returncode}", flush=True)
        rows.append(entry)
    rows = merged(rows)
    failed = [f for f in failed] + [f"{r['lab']}: {c['text']}" for r in rows if r["lab"] not in names
                                    for c in r["claims"] if c["headline"] and not c["holds"]]
    write_report(rows, failed)
    print("\n".join(["headline claims that did not hold:", *failed]) if failed else "every headline claim held")
    return 1 if failed else 0


def merged(rows: list[dict]) -> list[dict]:
    """This run's rows, and those of an earlier run for the labs not run now (``--only``), in the tour's order."""
    earlier = RESULTS / "full_runs.json"
    by_lab = {r["lab"]: r for r in (json.loads(earlier.read_text()) if earlier.exists() else [])}
    by_lab.update({r["lab"]: r for r in rows})
    return [by_lab[lab.name] for lab in LABS if lab.name in by_lab]


def write_report(rows: list[dict], failed: list[str]) -> None:
    lines = ["# Full runs and their claims", "",
             f"{datetime.date.today()}, {cpu_model()}, {os.cpu_count()} cores; `python benchmarks/full_runs.py` "
             "(`--only` reruns some labs and keeps the others' rows). Each lab ran alone, one after another, into "
             "`results/full/<lab>`.", ""]
    for r in rows:
        lines += [f"## {r['title']}", "", f"`{r['command']}`: {r['seconds']:.0f} s"
                  + ("" if r["returncode"] == 0 else f", FAILED: {r.get('error')}"), ""]
        for c in r["claims"]:
            status = {"measured": "holds" if c["holds"] else ("not shown" if not c["shown"] else "does not hold"),
                      "theory": "theory"}[c["kind"]]
            lines.append(f"- {'**headline** ' if c['headline'] else ''}{status}: {c['text']}")
        lines.append("")
    lines += ["## Summary", "", "Every headline claim held." if not failed else
              "Headline claims that did not hold:\n\n" + "\n".join(f"- {f}" for f in failed), ""]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "full_runs.md").write_text("\n".join(lines), encoding="utf-8")
    (RESULTS / "full_runs.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
