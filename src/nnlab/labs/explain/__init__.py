"""Looking inside a trained network: neurons and hidden spaces on 2-D tasks, attributions on breast cancer and
digits, weight spectra and sharpness, each method checked against the property that defines it.

``run_explain(out, settings)`` trains every network through ``nnlab.training.fit``, writes the figures,
``summary.json`` (every check under its own key), ``claims.json``, ``report.md`` and ``report.html`` into ``out``.
"""
from __future__ import annotations

import time
from pathlib import Path

from nnlab.labs.explain.settings import FULL, METHODS, QUICK, SANITY_METHODS, TABULAR_NAMES, TASKS_2D, Settings

__all__ = ["run_explain", "Settings", "QUICK", "FULL", "METHODS", "TASKS_2D", "TABULAR_NAMES"]


def _versions() -> dict:
    from nnlab.environment import package_version
    return {p: package_version(p) for p in ("torch", "captum", "shap", "scikit-learn", "numpy", "matplotlib")}


def run_explain(out: str | Path, settings: Settings = FULL, progress=lambda message: None,
                quick: bool | None = None) -> dict:
    """Run the three studies of the lab into ``out``; return the summary that ``summary.json`` holds. ``quick``
    says whether this is a quick run (default: whether ``settings`` is ``QUICK``).

    The lab's networks are small: their time goes to per-operation overhead, where extra threads only add
    synchronisation, so torch and the BLAS/OpenMP pools run one thread for the duration (restored after).
    """
    from nnlab.labs._threads import one_thread
    with one_thread():
        return _run(Path(out), settings, progress, settings == QUICK if quick is None else quick)


def _run(out: Path, settings: Settings, progress, quick: bool) -> dict:
    from nnlab.labpage import write_lab
    from nnlab.labs.explain.attribution_study import explain_dataset
    from nnlab.labs.explain.figures_attributions import plot_class_maps, plot_importances, plot_sanity
    from nnlab.labs.explain.figures_hidden import plot_hidden_spaces, plot_neuron_evolution, plot_neuron_maps
    from nnlab.labs.explain.figures_spectra import plot_effective_rank, plot_sharpness, plot_spectra
    from nnlab.labs.explain.hidden import hidden_study
    from nnlab.labs.explain.models import train_tabular
    from nnlab.labs.explain.report import checks, make_claims, report
    from nnlab.labs.explain.sanity import sanity_check
    from nnlab.labs.explain.sharpness import power_iteration_check, sharpness_study
    from nnlab.labs.explain.spectra import SpectrumTracker, layer_summary
    from nnlab.viz import save

    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    files = []
    summary: dict = {"settings": {k: v for k, v in vars(settings).items()}, "versions": _versions()}

    # 1) neurons and hidden spaces on the 2-D tasks
    hidden = hidden_study(settings, progress)
    progress("neuron maps")
    for result in hidden:
        files += save(plot_neuron_maps(result, settings.grid), out / f"neurons_{result.task}.png")
        if result.snapshots:
            files += save(plot_neuron_evolution(result, max(24, settings.grid // 2)),
                          out / f"neurons_over_training_{result.task}.png")
    files += save(plot_hidden_spaces(hidden), out / "hidden_spaces.png")
    summary["probe_accuracy_per_layer"] = {r.task: r.probes for r in hidden}
    summary["network_test_accuracy"] = {r.task: r.trained.test_accuracy for r in hidden}

    # 2) attributions on the tabular sets; the spectra ride along on one of their trainings
    spectra_on = "digits" if "digits" in settings.datasets else settings.datasets[0]
    tracker = SpectrumTracker(settings.spectrum_every)
    attributions, sanity = {}, None
    for name in settings.datasets:
        progress(f"training on {name}")
        trained = train_tabular(name, settings, observers=[tracker] if name == spectra_on else [])
        progress(f"attributions on {name}")
        result = attributions[name] = explain_dataset(trained, settings)
        files += save(plot_importances(result), out / f"attributions_{name}.png")
        if result.class_maps:
            files += save(plot_class_maps(result), out / f"class_maps_{name}.png")
        if trained.image is not None and sanity is None and any(m in settings.methods for m in SANITY_METHODS):
            progress(f"sanity check on {name}")
            sanity = sanity_check(trained, settings)
            files += save(plot_sanity(sanity, trained), out / f"sanity_check_{name}.png")
    summary["ig_completeness_rel_error"] = {n: r.ig_completeness_rel_error for n, r in attributions.items()
                                            if r.ig_completeness_rel_error is not None}
    summary["ig_completeness_gaps"] = {n: r.ig_completeness_gaps for n, r in attributions.items()
                                       if r.ig_completeness_gaps is not None}
    summary["shap_additivity_abs_error"] = {n: r.shap_additivity_abs_error for n, r in attributions.items()
                                            if r.shap_additivity_abs_error is not None}
    summary["sanity_rank_corr_randomized"] = sanity.fully_randomized if sanity else {}
    summary["sanity"] = ({"dataset": sanity.dataset, "layers_randomized": sanity.layers,
                          "rank_corr": sanity.correlation, "factor_rank_corr": sanity.factor_correlation}
                         if sanity else None)
    summary["attributions"] = {
        n: {"test_accuracy": r.trained.test_accuracy, "n_explained": len(r.X),
            "top_features": {m: r.top_features(m) for m in r.importance},
            "rank_agreement": {"methods": list(r.importance),
                               "spearman": r.agreement.tolist() if r.agreement is not None else None}}
        for n, r in attributions.items()}

    # 3) spectra and sharpness
    summary["spectra"] = {"dataset": spectra_on, "epochs": tracker.epochs_, "layers": layer_summary(tracker)}
    files += save(plot_spectra(tracker, f"{spectra_on}: singular values of every weight matrix, at init and "
                                        "trained"), out / "spectra.png")
    files += save(plot_effective_rank(tracker, f"{spectra_on}: effective rank and largest singular value of "
                                               "every weight matrix over training"), out / "effective_rank.png")
    progress("sharpness")
    runs = sharpness_study(settings, progress)
    (control,) = sharpness_study(settings, progress, lrs=(settings.sharpness_control_lr,))
    files += save(plot_sharpness(runs, control), out / "sharpness.png")
    summary["sharpness"] = {"runs": [r.summary() for r in runs], "control": control.summary(),
                            "power_iteration_check": power_iteration_check(settings.seed)}

    summary["checks"] = checks(summary)
    summary["files"] = [f.name for f in files]
    summary["wall_time_s"] = time.perf_counter() - start
    result = write_lab(out, report(summary), make_claims(summary, quick), summary, lab="explain", quick=quick,
                       seconds=summary["wall_time_s"])
    return result.summary
