"""The perceptron, all of it: the seed's program, its Figure 4 (the line after each update, as a strip and a GIF),
the plain rule against the pocket algorithm on data no line separates, and the capacity of a line (every labelling
of three points and of the four XOR points, decided exactly by a linear program, against what the perceptron
reached). ``run_perceptron`` writes the figures, ``summary.json``, ``claims.json``, ``report.md`` and
``report.html``."""
from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

from nnlab.labs.perceptron.settings import FULL, QUICK, Settings

__all__ = ["run_perceptron", "Settings", "QUICK", "FULL"]


def run_perceptron(out: str | Path, settings: Settings = FULL, quick: bool | None = None,
                   progress=lambda message: None) -> dict:
    """Run the lab into ``out``; returns the summary (with the ``run`` record). ``quick`` marks the run as a quick
    one on the page (default: whether ``settings`` is ``QUICK``). NumPy's BLAS runs on one thread."""
    from nnlab.labs._threads import one_thread
    with one_thread():
        return _run(Path(out), settings, settings == QUICK if quick is None else quick, progress)


def _run(out: Path, s: Settings, quick: bool, progress) -> dict:
    from nnlab.data import make_seed_linear
    from nnlab.labpage import write_lab
    from nnlab.labs.perceptron import figures
    from nnlab.labs.perceptron.capacity import SQUARE, THREE, cover_study, shatter, summarize
    from nnlab.labs.perceptron.data import noisy_data
    from nnlab.labs.perceptron.pocket import pocket_study
    from nnlab.labs.perceptron.report import make_claims, report
    from nnlab.labs.perceptron.separability import novikoff
    from nnlab.labs.perceptron.updates import figure4, pick_snapshots
    from nnlab.programs import perceptron_program
    from nnlab.viz import save

    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    progress("the seed's program")
    seed_program = perceptron_program(out, seed=s.seed, lr=s.lr, max_epochs=s.max_epochs)

    progress("Figure 4: the line after each update")
    X, y = make_seed_linear(200, seed=s.seed)
    f4 = figure4(X, y, s.lr, s.max_epochs)
    bound = novikoff(X, y)
    t = f4["trace"]
    picks = pick_snapshots(t.n_updates, s.strip) if t.n_updates else [0]
    files = save(figures.plot_strip(X, y, f4, picks), out / "perceptron_updates.png")
    gif = figures.write_gif(X, y, f4, out / "perceptron_updates.gif", s.gif_frames)

    progress(f"pocket: {s.dataset}, {s.noise:g}% of labels flipped")
    data = noisy_data(s.dataset, s.n, s.n_test, s.noise, s.seed)
    pocket = pocket_study(data, s.lr, s.pocket_epochs)
    files += save(figures.plot_pocket(data, pocket, s.dataset, s.noise), out / "perceptron_pocket.png")

    progress("capacity: every labelling")
    three, square = shatter(THREE, s.lr, s.max_epochs), shatter(SQUARE, s.lr, s.max_epochs)
    cover = cover_study(s.cover_sizes, s.seed, s.lr, s.max_epochs)
    files += save(figures.plot_capacity(three, square, s.max_epochs), out / "perceptron_capacity.png")

    square_summary = summarize(square)
    square_summary["stuck_min_mistakes"] = min((r["min_mistakes"] for r in square if not r["separable"]), default=0)
    summary = {
        "settings": asdict(s),
        "seed_program": {k: seed_program[k] for k in ("linear", "xor")},
        "figure4": {"n": f4["n"], "updates": t.n_updates, "epochs": len(t.errors), "converged": t.converged,
                    "errors_per_epoch": t.errors, "same_as_fit": f4["same_as_fit"],
                    "right_after_update": f4["right"].tolist(), "right_last": int(f4["right"][-1]),
                    "worse": f4["worse"], "better": f4["better"], "largest_drop": f4["largest_drop"],
                    "w1": float(t.weights[-1][0]), "w2": float(t.weights[-1][1]), "b": float(t.bias[-1]),
                    "shown": len(picks), "snapshots": picks, **gif,
                    "novikoff": bound},
        "pocket": pocket,
        "capacity": {"three": {**summarize(three), "rows": three}, "square": {**square_summary, "rows": square},
                     "cover": cover},
        # the numbers the issue names, at the top level
        "plain_train_accuracy": pocket["plain_train"], "pocket_train_accuracy": pocket["pocket_train"],
        "plain_test_accuracy": pocket["plain_test"], "pocket_test_accuracy": pocket["pocket_test"],
        "best_line_train_accuracy": pocket["best_line_train"],
        "files": [f.name for f in files] + ["perceptron_updates.gif", "perceptron_visualization.png"],
    }
    summary["wall_time_s"] = time.perf_counter() - start
    claims = make_claims(summary, quick)
    result = write_lab(out, report(summary, claims), claims, summary, lab="perceptron", quick=quick,
                       seconds=summary["wall_time_s"])
    return result.summary
