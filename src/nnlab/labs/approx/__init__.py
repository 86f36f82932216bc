"""Universal approximation made measurable: one hidden layer of growing width against 1-D targets, and why depth
can beat width (the sawtooth). ``run_approx`` writes the figures, ``summary.json``, ``claims.json``, ``report.md``
and ``report.html``."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from nnlab.labs.approx.experiments import (
    loglog_slope,
    sawtooth_study,
    two_tanh_square,
    width_sweep,
)
from nnlab.labs.approx.settings import FULL, QUICK, Settings
from nnlab.labs.approx.targets import TARGETS

__all__ = ["run_approx", "Settings", "QUICK", "FULL", "TARGETS"]


def run_approx(out: str | Path, settings: Settings = FULL, progress=lambda message: None,
               quick: bool | None = None) -> dict:
    """Run the width sweep and the sawtooth study; write the figures, ``summary.json``, ``claims.json``,
    ``report.md`` and ``report.html`` into ``out``. Returns the summary. ``quick`` says whether this is a quick run
    (default: whether ``settings`` is ``QUICK``); a quick run's unmet claims name quick mode as a possible cause.

    The nets are tiny: their time goes to per-operation overhead, where extra threads only add synchronisation, so
    torch and the BLAS/OpenMP pools run one thread for the duration (restored after)."""
    from nnlab.labs._threads import one_thread
    with one_thread():
        return _run(Path(out), settings, progress, settings == QUICK if quick is None else quick)


def _power_law(widths, errors, factor: float) -> bool:
    """Whether every point lies within ``factor`` of the least-squares line through log(error) against log(width)."""
    w, e = np.log(np.asarray(widths, float)), np.log(np.maximum(np.asarray(errors, float), 1e-12))
    if len(w) < 3:
        return False
    fit = np.polyval(np.polyfit(w, e, 1), w)
    return bool(np.max(np.abs(e - fit)) <= np.log(factor))


def _run(out: Path, settings: Settings, progress, quick: bool) -> dict:
    from nnlab.labpage import write_lab
    from nnlab.labs.approx.figures import plot_error_vs_width, plot_fits, plot_sawtooth
    from nnlab.labs.approx.report import POWER_LAW_FACTOR, make_claims, report
    from nnlab.viz import save

    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    fits = width_sweep(settings, progress)
    progress("sawtooth")
    saw = sawtooth_study(settings)
    shown = [w for w in settings.widths if w in (1, 4, 32, 256)] or list(settings.widths)[:4]
    if max(settings.widths) not in shown:
        shown.append(max(settings.widths))
    progress("figures")
    files = save(plot_fits(fits, shown), out / "approx_fits.png")
    files += save(plot_error_vs_width(fits), out / "approx_error_vs_width.png")
    files += save(plot_sawtooth(saw), out / "approx_sawtooth.png")

    errors = {t: {a: {str(f.width): {"rms": f.rms, "max": f.max, "params": f.params, "train_rms": f.train_rms}
                      for f in fits if f.target == t and f.activation == a}
                  for a in settings.activations} for t in settings.targets}
    curves = {t: {a: list(zip(*[(f.width, f.rms) for f in fits if f.target == t and f.activation == a]))
                  for a in settings.activations} for t in settings.targets}
    slopes = {t: {a: loglog_slope(*curves[t][a]) for a in settings.activations} for t in settings.targets}
    power_law = {t: {a: _power_law(*curves[t][a], POWER_LAW_FACTOR) for a in settings.activations}
                 for t in settings.targets}

    # The criterion "error at the widest layer below a tenth of the error at width 2", per smooth target.
    criterion = {}
    widest = max(settings.widths)
    if 2 in settings.widths and widest > 2:
        for t in settings.targets:
            if TARGETS[t].smooth:
                for a in settings.activations:
                    e2, ew = errors[t][a]["2"]["rms"], errors[t][a][str(widest)]["rms"]
                    criterion[f"{t}/{a}"] = {"rms_at_2": e2, f"rms_at_{widest}": ew, "ratio": ew / e2,
                                             "met": ew < e2 / 10}
    two_units = [{"w": w, "rms_float64": two_tanh_square(w), "rms_float32": two_tanh_square(w, np.float32)}
                 for w in (0.3, 0.1, 0.03, 0.01, 0.003)]
    summary = {"settings": {k: v for k, v in vars(settings).items()}, "errors": errors, "rms_slope": slopes,
               "rms_power_law": power_law,
               "criterion_tenth_of_width_2": criterion, "square_by_two_tanh_units": two_units,
               "sawtooth": [{k: v for k, v in r.items() if k not in ("x", "target", "deep_pred", "shallow_pred")}
                            for r in saw],
               "files": [f.name for f in files], "wall_time_s": time.perf_counter() - start}
    result = write_lab(out, report(summary), make_claims(summary, quick), summary, lab="approx", quick=quick,
                       seconds=summary["wall_time_s"])
    return result.summary
