"""Stratified k-fold evaluation without test leakage, and the statistics the use case reports.

In every fold: (1) split with ``StratifiedKFold`` (same folds for every model); (2) fit the Standardizer on
the training rows only; (3) transform both parts with it; (4) fit each model on the training part and
predict probabilities for the held-out part. The held-out predictions of all folds together ("out of fold",
one per sample) give the pooled confusion matrix, ROC and calibration curves.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

import numpy as np

__all__ = ["fold_metrics", "CVResult", "cross_validate", "wilson_interval", "paired_difference",
           "expected_calibration_error", "METRICS"]

# name -> what it means; the order of the report's tables.
METRICS = {"accuracy": "share of correct predictions", "roc_auc": "area under the ROC curve (one-vs-rest, "
           "macro, for several classes)", "precision": "of those called positive, the share that are",
           "recall": "of the positives, the share found (sensitivity)", "f1": "harmonic mean of precision and "
           "recall", "log_loss": "mean -log p(true class); lower is better"}


def fold_metrics(y: np.ndarray, proba: np.ndarray) -> dict:
    """Metrics of probabilities ``proba`` (n, K) against labels ``y`` (n,). With K = 2, class 1 is positive;
    with more classes precision, recall and F1 are macro averages."""
    from sklearn import metrics as m
    k = proba.shape[1]
    pred = proba.argmax(1)
    average = "binary" if k == 2 else "macro"
    return {"accuracy": m.accuracy_score(y, pred),
            "roc_auc": m.roc_auc_score(y, proba[:, 1]) if k == 2 else
            m.roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=list(range(k))),
            "precision": m.precision_score(y, pred, average=average, zero_division=0),
            "recall": m.recall_score(y, pred, average=average, zero_division=0),
            "f1": m.f1_score(y, pred, average=average, zero_division=0),
            "log_loss": m.log_loss(y, _normalized(proba), labels=list(range(k)))}


def _normalized(proba: np.ndarray) -> np.ndarray:
    """Rows clipped away from 0 and rescaled to sum to 1 exactly (float32 softmax sums are off by ~1e-7)."""
    p = np.clip(np.asarray(proba, dtype=np.float64), 1e-15, 1.0)
    return p / p.sum(axis=1, keepdims=True)


@dataclass
class CVResult:
    """Per-fold metrics, out-of-fold probabilities and timings of every model."""
    folds: int
    fold_of: np.ndarray                                   # (n,) the fold that held each sample out
    per_fold: dict = field(default_factory=dict)          # model -> list of metric dicts
    oof: dict = field(default_factory=dict)               # model -> (n, K) probabilities
    fit_s: dict = field(default_factory=dict)             # model -> list of seconds
    predict_ms_per_example: dict = field(default_factory=dict)   # model -> ms, batch prediction of a fold
    single_ms: dict = field(default_factory=dict)         # model -> median ms for one example, last fold

    def summary(self, model: str) -> dict:
        """Mean and standard deviation over folds of each metric."""
        rows = self.per_fold[model]
        return {k: {"mean": statistics.mean(r[k] for r in rows), "std": statistics.stdev(r[k] for r in rows)}
                for k in rows[0]}


def _single_latency_ms(estimator, x_row: np.ndarray, calls: int = 30) -> float:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        estimator.predict_proba(x_row)
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def cross_validate(X: np.ndarray, y: np.ndarray, makers: dict, folds: int = 5, seed: int = 0) -> CVResult:
    """Evaluate every ``makers[name]() -> estimator`` on the same stratified folds (shuffled with ``seed``)."""
    from sklearn.model_selection import StratifiedKFold

    from nnlab.data import Standardizer
    n, k = len(y), int(y.max()) + 1
    result = CVResult(folds, np.zeros(n, dtype=int))
    for name in makers:
        result.per_fold[name], result.oof[name], result.fit_s[name] = [], np.zeros((n, k)), []
        result.predict_ms_per_example[name] = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (train, test) in enumerate(splitter.split(X, y)):
        result.fold_of[test] = fold
        scaler = Standardizer().fit(X[train])                  # statistics of the training rows only
        X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
        for name, make in makers.items():
            estimator = make()
            start = time.perf_counter()
            estimator.fit(X_train, y[train])
            result.fit_s[name].append(time.perf_counter() - start)
            start = time.perf_counter()
            proba = estimator.predict_proba(X_test)
            result.predict_ms_per_example[name].append(1e3 * (time.perf_counter() - start) / len(test))
            result.oof[name][test] = proba
            result.per_fold[name].append(fold_metrics(y[test], proba))
            if fold == folds - 1:
                result.single_ms[name] = _single_latency_ms(estimator, X_test[:1])
    return result


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(centre - half), float(centre + half)


def paired_difference(result: CVResult, a: str, b: str, metric: str) -> dict:
    """Fold-by-fold difference a - b of ``metric``: mean, standard error, and a verdict. The verdict is
    'a better' / 'b better' when the mean difference exceeds two standard errors in the direction that is
    better for the metric (lower for log loss), else 'no clear difference'."""
    d = np.array([ra[metric] - rb[metric] for ra, rb in zip(result.per_fold[a], result.per_fold[b])])
    se = float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else float("inf")
    sign = -1 if metric == "log_loss" else 1
    mean = float(d.mean())
    verdict = "no clear difference"
    if abs(mean) > 2 * se:
        verdict = f"{a} better" if sign * mean > 0 else f"{b} better"
    return {"metric": metric, "a": a, "b": b, "mean": mean, "se": se, "wins_a": int((sign * d > 0).sum()),
            "wins_b": int((sign * d < 0).sum()), "verdict": verdict}


def expected_calibration_error(y: np.ndarray, proba: np.ndarray, bins: int = 10) -> float:
    """ECE of the top-class confidence: sum over equal-width confidence bins of |accuracy - confidence| *
    share of samples in the bin."""
    conf, correct = proba.max(1), (proba.argmax(1) == y).astype(float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1]), 0, bins - 1)
    return float(sum(abs(correct[which == b].mean() - conf[which == b].mean()) * (which == b).mean()
                     for b in range(bins) if (which == b).any()))
