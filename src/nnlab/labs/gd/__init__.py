"""The gradient-descent lab (exercise 1.3): ``nnlab gd`` and the library under it.

Modules, one idea each:

    scalar       Part A: f(x) = x^2 + 4x + 4, gradient descent with a stopping rule, closed-form counts
    stochastic   Part B: the same f as an exact sum of terms; SGD and mini-batch, noise floors
    functions    FUNCTIONS: 2-D test functions (quadratic bowls, Rosenbrock, Beale, Himmelblau, Rastrigin, saddle)
    paths        PATH_OPTIMIZERS and the batched path runner (own gd; torch.optim for the rest)
    rates        Goh's optimal step sizes on a quadratic and the measured linear rates
    tuning       the learning-rate sweep: log grid, fixed budget, scored by final f - f*
    network      the seed's MLP on seed-circle with each optimizer at its tuned lr (through ``nnlab.fit``)
    plots_1d, plots_2d, plots_compare   figure functions returning matplotlib Figures
    report       the page: claims built from the numbers (each stated as a finding only where it holds), and the
                 document around them
    settings     LabSettings (``Settings``), QUICK and FULL: what one run does, and the budgets of its grids
    parts        PARTS: each part computes its numbers, writes its figures and returns its summary

``run_gd(out, parts, settings)`` (here) runs the parts, then writes summary.json, claims.json, report.md and
report.html (``nnlab.labpage.write_lab``).

Nothing here imports torch or matplotlib at module level.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from nnlab.labs.gd.settings import FULL, QUICK, LabSettings, Settings

__all__ = ["run_gd", "run_lab", "Settings", "LabSettings", "QUICK", "FULL"]


def run_gd(out: str | Path, parts=None, settings: LabSettings = FULL,
           log: Callable[[str], None] = lambda message: None) -> dict:
    """Run ``parts`` (names of ``parts.PARTS``, in PARTS order; None: all) into ``out``; publish summary.json,
    claims.json, report.md and report.html (``nnlab.labpage.write_lab``).

    Returns the summary: per part its numbers, plus settings, files, versions, wall times and the ``run`` record.
    Torch and the BLAS libraries run on one thread, so the lab's time does not depend on the machine's load.
    """
    from nnlab._validation import check_choice
    from nnlab.environment import versions
    from nnlab.labpage import write_lab
    from nnlab.labs._threads import one_thread
    from nnlab.labs.gd.parts import PARTS, Context, jsonable
    from nnlab.labs.gd.report import make_claims, report
    parts = tuple(PARTS) if parts is None else parts
    for p in parts:
        check_choice("part", p, PARTS)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    begin = time.perf_counter()
    ctx = Context(settings, out, log)
    summary = {"settings": {"quick": settings.quick, "seed": settings.seed, "functions": list(settings.functions),
                            "optimizers": list(settings.optimizers), "budget": vars(settings.budget)},
               "parts": {}, "seconds": {}}
    with one_thread():                # 2-D paths and a 330-parameter net: per-op overhead, not arithmetic
        for name in [p for p in PARTS if p in parts]:
            log(PARTS[name].title)
            start = time.perf_counter()
            summary["parts"][name] = PARTS[name].run(ctx)
            summary["seconds"][name] = time.perf_counter() - start
        summary["files"] = ctx.files
        summary["versions"] = versions()          # (torch_threads: the one thread the lab ran on)
        summary = jsonable(summary)
        result = write_lab(out, report(summary), make_claims(summary), summary, lab="gd",
                           quick=settings.quick, seconds=time.perf_counter() - begin)
    return result.summary


run_lab = run_gd          # the entry point's earlier name
