"""Exercise 1.5: an MLP on real data that ships with scikit-learn (nothing is downloaded).

Two cases, in ``USECASES``: diagnosing breast tumours as malignant or benign from 30 measurements of cell
nuclei (569 patients), and reading 8 x 8 handwritten digits (1,797 images, 10 classes). For each: stratified
k-fold cross-validation of nnlab's MLP against three scikit-learn baselines on the same folds, with the scaler
fitted inside each fold (``evaluation``); pooled out-of-fold confusion matrices, ROC and calibration
curves; then the MLP trained on all the data, exported, loaded back and timed (``deploy``).
``run_usecase(out)`` writes the figures and, through ``write_lab``, ``summary.json``, ``claims.json``, ``report.md``
and ``report.html`` (``nnlab usecase``); what the run found is said by claims (``report.make_claims``).
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from nnlab.labs.usecase.cases import USECASES, UseCase, load_usecase

__all__ = ["UseCase", "USECASES", "load_usecase", "run_case", "run_usecase"]


def run_case(name: str, out: Path, folds: int = 5, seed: int = 0, quick: bool = False) -> dict:
    """Cross-validate every model on use case ``name``, draw its figures, deploy its MLP; returns the numbers."""
    from sklearn.metrics import confusion_matrix
    from threadpoolctl import threadpool_limits

    from nnlab.data import Standardizer
    from nnlab.labs.usecase import figures as figs
    from nnlab.labs.usecase.deploy import roundtrip
    from nnlab.labs.usecase.evaluation import (
        cross_validate,
        expected_calibration_error,
        fold_metrics,
        paired_difference,
        wilson_interval,
    )
    from nnlab.labs.usecase.models import MODELS
    from nnlab.viz._style import save

    case = USECASES[name]
    X, y, classes, features = case.load()
    start = time.perf_counter()
    # 1) cross-validation of all models on the same folds; one BLAS/OpenMP thread, so that every model runs
    #    the same way and small fits do not spend their time synchronising threads
    makers = {m: (lambda spec=spec: spec.make(case, seed, quick)) for m, spec in MODELS.items()}
    with threadpool_limits(limits=1):
        cv = cross_validate(X, y, makers, folds=folds, seed=seed)
    models = {}
    for m in MODELS:
        pooled = fold_metrics(y, cv.oof[m])
        correct = int((cv.oof[m].argmax(1) == y).sum())
        pooled["curve_auc"] = figs.roc_points(y, cv.oof[m])[2]      # the area under the curve the figure draws
        models[m] = {"folds": cv.summary(m), "pooled": pooled, "accuracy_ci95": wilson_interval(correct, len(y)),
                     "errors": len(y) - correct, "ece": expected_calibration_error(y, cv.oof[m]),
                     "confusion": confusion_matrix(y, cv.oof[m].argmax(1), labels=range(len(classes))).tolist(),
                     "fit_s_mean": float(np.mean(cv.fit_s[m])),
                     "predict_ms_per_example": float(np.mean(cv.predict_ms_per_example[m])),
                     "single_prediction_ms": cv.single_ms[m]}
    baselines = [m for m in MODELS if m != "nnlab-mlp"]
    best = max(baselines, key=lambda m: models[m]["folds"]["accuracy"]["mean"])
    comparisons = [paired_difference(cv, "nnlab-mlp", b, metric) for b in baselines
                   for metric in ("accuracy", "roc_auc", "log_loss")]
    # 2) figures from the pooled out-of-fold predictions
    titles = {m: MODELS[m].title for m in MODELS}
    files = []
    for stem, fig in [("roc", figs.plot_roc(y, cv.oof, titles, case.title)),
                      ("confusion", figs.plot_confusions({titles[m]: np.array(models[m]["confusion"])
                                                          for m in ("nnlab-mlp", best)}, classes, case.title)),
                      ("calibration", figs.plot_calibration(y, cv.oof, titles, case.title)),
                      ("folds", figs.plot_fold_scores(cv.per_fold, titles, case.title))]:
        files += [p.name for p in save(fig, out / f"{name}_{stem}.png")]
    # 3) deployment: the MLP on all the data, exported, loaded back, timed
    scaler = Standardizer().fit(X)
    final = MODELS["nnlab-mlp"].make(case, seed, quick).fit(scaler.transform(X), y)
    deploy = roundtrip(final, scaler, X, classes, features, out / f"{name}_model", calls=50 if quick else 200)
    return {"name": name, "title": case.title, "description": case.description, "n": len(y),
            "features": X.shape[1], "classes": classes, "class_counts": np.bincount(y).tolist(), "folds": folds,
            "seed": seed, "quick": quick, "settings": {"hidden": list(case.hidden),
                                                       "epochs": case.quick_epochs if quick else case.epochs,
                                                       "batch_size": case.batch_size,
                                                       "boosting_rounds": MODELS["gradient-boosting"].make(
                                                           case, seed, quick).max_iter},
            "model_descriptions": {m: MODELS[m].description for m in MODELS}, "titles": titles,
            "models": models, "best_baseline": best, "comparisons": comparisons, "deployment": deploy,
            "files": files, "wall_time_s": time.perf_counter() - start}


def run_usecase(out: str | Path, names=None, folds: int = 5, seed: int = 0, quick: bool = False) -> dict:
    """Every use case (or those in ``names``) into ``out``: figures, model directories, and the page through
    ``write_lab``; returns the summary. Torch and BLAS run on one thread, so the time does not depend on load."""
    from nnlab._validation import check_choice, check_int
    from nnlab.environment import versions
    from nnlab.labpage import write_lab
    from nnlab.labs._threads import one_thread
    from nnlab.labs.usecase.report import make_claims, report
    check_int("folds", folds, "run_usecase", minimum=2)
    names = list(USECASES) if names is None else [check_choice("dataset", n, USECASES, "run_usecase")
                                                   for n in names]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with one_thread():
        summary = {"cases": {n: run_case(n, out, folds, seed, quick) for n in names}, "quick": quick,
                   "versions": versions()}          # (torch_threads: the one thread the lab ran on)
        summary["files"] = [f for c in summary["cases"].values() for f in c["files"]] \
            + ["report.md", "report.html", "claims.json", "summary.json"]
        summary["wall_time_s"] = time.perf_counter() - start
        result = write_lab(out, report(summary), make_claims(summary, quick), summary, lab="usecase",
                           quick=quick, seconds=summary["wall_time_s"])
    return result.summary
