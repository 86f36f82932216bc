"""Gradient flow in deep MLPs: per-layer variances at initialisation against the theory, gradient-norm heatmaps while
training (plain sigmoid against relu + He, batch norm and residual connections), SGD against Adam, and exploding
runs caught at their first non-finite value. ``run_gradflow`` writes the figures, ``summary.json``,
``claims.json``, ``report.md`` and ``report.html``."""
from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

from nnlab.jsonsafe import json_safe
from nnlab.labs.gradflow.settings import FULL, QUICK, Settings

__all__ = ["run_gradflow", "measure_init", "Settings", "QUICK", "FULL"]


def measure_init(s: Settings, progress=lambda message: None) -> dict:
    """Every Profile the lab draws: ``grid`` {(activation, init): Profile} at ``s.width`` (always with relu + he and
    relu + lecun), ``architectures`` [Profile] for the trained nets, ``spread`` {width: [he, lecun Profiles]}."""
    from nnlab.labs.gradflow.training import NETS
    from nnlab.labs.gradflow.variance import measure

    def run(activation, init, width, **kw):
        progress(f"initialisation: {activation}, {init}, width {width} {' '.join(k for k, v in kw.items() if v)}")
        return measure(activation, init, width=width, depth=s.depth, seeds=s.seeds, batch=s.batch, std=s.init_std,
                       **kw)

    pairs = [(a, i) for a in s.activations for i in s.inits]
    pairs += [p for p in (("relu", "he"), ("relu", "lecun")) if p not in pairs]
    grid = {(a, i): run(a, i, s.width) for a, i in pairs}
    def architecture(net):
        if not (net.batch_norm or net.residual) and (net.activation, net.init) in grid:
            return grid[(net.activation, net.init)]
        return run(net.activation, net.init, s.width, batch_norm=net.batch_norm, residual=net.residual)

    architectures = [architecture(n) for n in NETS]
    spread = {w: [grid[("relu", i)] if w == s.width else run("relu", i, w) for i in ("he", "lecun")]
              for w in dict.fromkeys(s.spread_widths)}
    return {"grid": grid, "architectures": architectures, "spread": spread}


def run_gradflow(out: str | Path, settings: Settings = FULL, progress=lambda message: None,
                 quick: bool | None = None) -> dict:
    """Measure at initialisation, train the comparisons, catch the explosions; write the figures, ``summary.json``,
    ``claims.json``, ``report.md`` and ``report.html`` into ``out``. Returns the summary. ``quick`` says whether this
    is a quick run (default: whether ``settings`` is ``QUICK``). Torch and BLAS run on one thread, so the lab's
    time does not depend on the machine's load."""
    from nnlab.labs._threads import one_thread
    with one_thread():
        return _run(out, settings, progress, settings == QUICK if quick is None else quick)


def _run(out: str | Path, settings: Settings, progress, quick: bool) -> dict:
    from nnlab.labpage import write_lab
    from nnlab.labs.gradflow import figures_init as fi
    from nnlab.labs.gradflow import figures_training as ft
    from nnlab.labs.gradflow.report import make_claims, report
    from nnlab.labs.gradflow.training import adam_study, compare, explode_study, load_data
    from nnlab.viz import save

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    s = settings
    init = measure_init(s, progress)
    data = load_data(s)
    runs = compare(s, data, progress)
    adam = adam_study(s, data, progress, reuse=runs[0])
    explode = explode_study(s, data, progress)

    progress("figures")
    asked = {k: v for k, v in init["grid"].items() if k[0] in s.activations and k[1] in s.inits}
    files = save(fi.plot_init_variance(asked), out / "gradflow_init_variance.png")
    files += save(fi.plot_architectures(init["architectures"]), out / "gradflow_init_architectures.png")
    files += save(fi.plot_width_spread(init["spread"]), out / "gradflow_init_width.png")
    files += save(ft.plot_heatmaps(runs, s.learned_accuracy), out / "gradflow_heatmaps.png")
    files += save(ft.plot_curves(runs), out / "gradflow_curves.png")
    files += save(ft.plot_adam(adam), out / "gradflow_adam.png")
    files += save(ft.plot_explode(explode), out / "gradflow_explode.png")

    grid = init["grid"]
    he, lecun = grid[("relu", "he")].summary(), grid[("relu", "lecun")].summary()
    training = {r.name: r.summary(s.learned_accuracy) for r in runs}
    summary = {
        "settings": asdict(s),
        "he_relu_var_ratio_per_layer": he["forward_ratio"],
        "lecun_relu_var_ratio_per_layer": lecun["forward_ratio"],
        "he_relu_grad_var_ratio_per_layer": he["backward_ratio"],
        "lecun_relu_grad_var_ratio_per_layer": lecun["backward_ratio"],
        "var_ratio_width": s.width, "var_ratio_seeds": s.seeds, "var_ratio_depth": s.depth,
        "init_variance": {f"{a}/{i}": p.summary() for (a, i), p in grid.items()},
        "architectures_init": {p.label: p.summary() for p in init["architectures"]},
        "width_spread": {str(w): {p.label: _spread(p) for p in ps} for w, ps in init["spread"].items()},
        "training": training,
        "learned": [n for n, t in training.items() if t["learned"]],
        "not_learned": [n for n, t in training.items() if not t["learned"]],
        "adam": [{"name": r.name, **r.summary(s.learned_accuracy)} for r in adam],
        "exploding": {r.name: {"lr": r.lr, "non_finite": r.non_finite, "epochs_run": r.history.epochs_run,
                               "loss": r.history.loss} for r in explode},
        "files": [f.name for f in files],
        "wall_time_s": time.perf_counter() - start,
    }
    summary = json_safe(summary)
    result = write_lab(out, report(summary, s), make_claims(summary, s, quick), summary, lab="gradflow", quick=quick,
                       seconds=summary["wall_time_s"])
    return result.summary


def _spread(p) -> dict:
    """The mean's factor per layer, and how far single nets stray: the std over seeds of log Var(z) at the last
    layer (finite-width theory: it grows like sqrt(depth / width))."""
    import numpy as np
    last = np.log(p.forward[:, -1][p.forward[:, -1] > 0])
    return {"forward_ratio": p.summary()["forward_ratio"], "log_var_std_last_layer": float(last.std())}
