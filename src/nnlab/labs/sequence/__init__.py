"""Sequences and gradients through time: the adding problem at several lengths for a vanilla RNN, an LSTM and a GRU
(torch modules); the held-out MSE against steps and the norm of dL/dh_t against t; an exploding relu RNN caught at
its first non-finite value, and gradient clipping; a vanilla RNN with backpropagation through time written by hand
in NumPy, checked against ``torch.nn.RNN``. ``run_sequence`` writes the figures, ``summary.json``,
``claims.json``, ``report.md`` and ``report.html``."""
from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

from nnlab.labs.sequence.settings import FULL, MODELS, QUICK, Settings

__all__ = ["run_sequence", "Settings", "QUICK", "FULL", "MODELS"]


def run_sequence(out: str | Path, settings: Settings = FULL, quick: bool | None = None,
                 progress=lambda message: None) -> dict:
    """Train every model at every length, measure the gradients through time, run the exploding net, check the
    NumPy RNN against torch; write the page into ``out``. Returns the summary. ``quick`` defaults to whether
    ``settings`` is ``QUICK``. Torch and BLAS run on one thread."""
    from nnlab.labs._threads import one_thread
    with one_thread():
        return _run(Path(out), settings, settings == QUICK if quick is None else quick, progress)


def _run(out: Path, s: Settings, quick: bool, progress) -> dict:
    import torch

    from nnlab.labpage import write_lab
    from nnlab.labs.sequence import figures
    from nnlab.labs.sequence.data import BASELINE_MSE, adding_problem
    from nnlab.labs.sequence.explode import explode_study
    from nnlab.labs.sequence.gradients import geometric_fit, grad_norms
    from nnlab.labs.sequence.report import make_claims, report
    from nnlab.labs.sequence.training import build, train_model
    from nnlab.scratch.rnn import compare_with_torch
    from nnlab.viz import save

    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    runs = {(m, T): train_model(m, T, s, progress) for T in s.lengths for m in s.models}

    long = max(s.lengths)
    progress(f"gradients through time at T = {long}")
    x, y = adding_problem(s.grad_batch, long, torch.Generator().manual_seed(20_000 + s.seed))
    trained = {m: grad_norms(runs[(m, long)].net, x, y) for m in s.models}
    initial = {m: grad_norms(build(m, s.hidden, s.seed), x, y) for m in s.models}
    explode = explode_study(s, progress)
    progress("from scratch: the NumPy RNN against torch.nn.RNN")
    scratch = compare_with_torch(batch=4, length=min(long, 50), input_size=2, hidden_size=8, seed=s.seed)

    progress("figures")
    files = save(figures.plot_task(s), out / "sequence_task.png")
    files += save(figures.plot_curves(runs, s), out / "sequence_curves.png")
    files += save(figures.plot_gradients(trained, initial, long), out / "sequence_gradients.png")
    files += save(figures.plot_explode(explode, s), out / "sequence_explode.png")

    summary = {
        "settings": asdict(s),
        "baseline_mse": BASELINE_MSE,
        "adding_mse": {m: {str(T): runs[(m, T)].final_mse for T in s.lengths} for m in s.models},
        "grad_ratio_first_last": {m: geometric_fit(trained[m])["ratio"] for m in s.models},
        "grad_length": long,
        "grad_fit": {m: geometric_fit(trained[m]) for m in s.models},
        "grad_fit_init": {m: geometric_fit(initial[m]) for m in s.models},
        "grad_norms": {m: trained[m].tolist() for m in s.models},
        "grad_norms_init": {m: initial[m].tolist() for m in s.models},
        "curves": {m: {str(T): {"steps": runs[(m, T)].steps, "test_mse": runs[(m, T)].test_mse} for T in s.lengths}
                   for m in s.models},
        "solved_step": {m: {str(T): _first_below(runs[(m, T)], 0.01) for T in s.lengths} for m in s.models},
        "exploding": {"scale": s.explode_scale, "length": s.explode_length, "lr": s.explode_lr,
                      "grad_fit_init": geometric_fit(explode["grad_norms"]),
                      "grad_norms_init": explode["grad_norms"].tolist(),
                      "runs": {r.name: r.summary() | {"loss": r.loss} for r in explode["runs"]}},
        "scratch_rnn_max_rel_error": scratch["max"],
        "scratch_rnn_rel_errors": scratch,
        "files": [f.name for f in files],
        "wall_time_s": time.perf_counter() - start,
    }
    result = write_lab(out, report(summary, s), make_claims(summary, s, quick), summary, lab="sequence",
                       quick=quick, seconds=summary["wall_time_s"])
    return result.summary


def _first_below(run, level: float):
    """The first evaluated step whose held-out MSE is below ``level``, or None."""
    return next((step for step, v in zip(run.steps, run.test_mse) if v < level), None)
