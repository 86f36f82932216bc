"""Figures of the use case, from pooled out-of-fold probabilities: ROC, confusion matrices, calibration,
fold-by-fold scores. Each function returns a matplotlib Figure."""
from __future__ import annotations

import numpy as np

from nnlab.viz._style import BLUE, EXTRA, RED, legend_outside, new_figure

__all__ = ["plot_roc", "plot_confusions", "plot_calibration", "plot_fold_scores", "roc_points", "MODEL_COLORS"]

MODEL_COLORS = [RED, BLUE, EXTRA[0], EXTRA[1], EXTRA[2]]      # nnlab's MLP first, in red


def _scores(y, proba):
    """Binary: (y, P(class 1)). Several classes: one-vs-rest pairs flattened (the micro average)."""
    if proba.shape[1] == 2:
        return y, proba[:, 1]
    onehot = np.eye(proba.shape[1])[y]
    return onehot.ravel(), proba.ravel()


def roc_points(y, proba):
    """(false positive rates, true positive rates, area under that curve) of pooled probabilities (micro-averaged
    one-vs-rest for several classes): the curve ``plot_roc`` draws and the AUC its legend and the report cite."""
    from sklearn.metrics import auc, roc_curve
    truth, score = _scores(y, proba)
    fpr, tpr, _ = roc_curve(truth, score)
    return fpr, tpr, float(auc(fpr, tpr))


def plot_roc(y, oof: dict, titles: dict, case: str):
    """ROC curve of each model (micro-averaged one-vs-rest for several classes), with its AUC."""
    fig = new_figure(6.4, 6.4)
    fig.set_layout_engine("constrained")
    ax = fig.subplots()
    for (name, proba), color in zip(oof.items(), MODEL_COLORS):
        fpr, tpr, area = roc_points(y, proba)
        ax.plot(fpr, tpr, color=color, lw=1.6, label=f"{titles[name]} (pooled AUC {area:.4f})")
    ax.plot([0, 1], [0, 1], color="#999", lw=0.8, ls="--")
    ax.set_xlabel("false positive rate (1 - specificity)")
    ax.set_ylabel("true positive rate (sensitivity)")
    kind = "" if next(iter(oof.values())).shape[1] == 2 else ", one-vs-rest, micro-averaged"
    ax.set_title(f"{case}: ROC of out-of-fold predictions{kind}", fontsize=10)
    legend_outside(ax, "below", ncol=2)
    ax.grid(alpha=0.3)
    # the corner where the models differ, magnified
    inset = ax.inset_axes((0.38, 0.3, 0.4, 0.36))
    for proba, color in zip(oof.values(), MODEL_COLORS):
        fpr, tpr, _ = roc_points(y, proba)
        inset.plot(fpr, tpr, color=color, lw=1.2)
    inset.set_xlim(0, 0.15)
    inset.set_ylim(0.85, 1.0)
    inset.tick_params(labelsize=7)
    inset.grid(alpha=0.3)
    inset.set_title("magnified: the top-left corner", fontsize=7.5)
    inset._nnlab_no_xlabel = inset._nnlab_no_ylabel = True     # the same axes as the main panel's, magnified
    return fig


def plot_confusions(matrices: dict, classes, case: str):
    """One confusion matrix per model (rows: true class, columns: predicted), counts written in the cells."""
    k = len(classes)
    size = 3.6 if k <= 3 else 5.2
    fig = new_figure(size * len(matrices) + 0.6, size)
    axes = fig.subplots(1, len(matrices), squeeze=False)[0]
    for ax, (title, m) in zip(axes, matrices.items()):
        ax.imshow(m, cmap="Blues")
        ax._nnlab_no_colorbar = True            # every cell writes its count: the shade only repeats it
        for i in range(k):
            for j in range(k):
                ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=11 if k <= 3 else 7.5,
                        color="white" if m[i, j] > m.max() / 2 else "#222")
        ax.set_xticks(range(k), classes, fontsize=8 if k > 3 else 9)
        ax.set_yticks(range(k), classes, fontsize=8 if k > 3 else 9)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(f"{title}: {int(np.trace(m))}/{int(m.sum())} correct", fontsize=10)
    fig.suptitle(f"{case}: pooled out-of-fold confusion matrices", fontsize=11)
    return fig


def plot_calibration(y, oof: dict, titles: dict, case: str, bins: int = 10):
    """Reliability diagram: binned predicted probability against the observed frequency (binary: of class 1;
    several classes: of the top class being right), marker area growing with the bin's count, and below, how
    many predictions fall in each bin (a bin of three predictions can only say 0, 1/3, 2/3 or 1)."""
    from sklearn.calibration import calibration_curve
    fig = new_figure(8.6, 6.4)
    fig.set_layout_engine("constrained")
    ax, hist = fig.subplots(2, 1, height_ratios=(3, 1), sharex=True)
    binary = next(iter(oof.values())).shape[1] == 2
    for (name, proba), color in zip(oof.items(), MODEL_COLORS):
        if binary:
            truth, score = y, proba[:, 1]
        else:
            truth, score = (proba.argmax(1) == y).astype(int), proba.max(1)
        frac, mean = calibration_curve(truth, score, n_bins=bins, strategy="uniform")
        counts = np.histogram(score, bins=np.linspace(0, 1, bins + 1))[0]
        counts = counts[counts > 0]                        # calibration_curve drops the empty bins too
        ax.plot(mean, frac, "-", color=color, lw=1.0, alpha=0.8, label=titles[name])
        ax.scatter(mean, frac, s=6 + 4 * np.sqrt(counts), color=color, alpha=0.8, zorder=3)
        hist.hist(score, bins=np.linspace(0, 1, bins + 1), histtype="step", color=color, lw=1.2)
    ax.plot([0, 1], [0, 1], color="#999", ls="--", lw=0.8, label="perfectly calibrated")
    ax.set_ylabel("observed frequency" if binary else "observed accuracy")
    what = "P(malignant)" if binary and "cancer" in case.lower() else "P(class 1)" if binary else "confidence"
    ax.set_title(f"{case}: calibration of out-of-fold {what}", fontsize=10)
    legend_outside(ax, "right")
    ax.grid(alpha=0.3)
    hist.set_yscale("log")
    hist.set_xlabel(f"predicted {what}")
    hist.set_ylabel("predictions")
    hist.grid(alpha=0.3)
    return fig


def plot_fold_scores(per_fold: dict, titles: dict, case: str):
    """Accuracy and ROC AUC of each model in each fold (dots), with the mean (bar)."""
    fig = new_figure(10, 4.4)
    fig.set_layout_engine("constrained")
    axes = fig.subplots(1, 2)
    names = list(per_fold)
    for ax, metric in zip(axes, ("accuracy", "roc_auc")):
        for i, (name, color) in enumerate(zip(names, MODEL_COLORS)):
            values = [r[metric] for r in per_fold[name]]
            ax.scatter(np.full(len(values), i) + np.linspace(-0.12, 0.12, len(values)), values, color=color, s=18,
                       zorder=3)
            ax.hlines(np.mean(values), i - 0.3, i + 0.3, color=color, lw=2)
        ax.set_xticks(range(len(names)), [titles[n] for n in names], rotation=15, fontsize=8)
        ax.set_xlabel("model")
        ax.set_ylabel(metric.replace("_", " ").replace("roc auc", "ROC AUC"))
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle(f"{case}: each fold's score (dots) and the mean (bar)", fontsize=11)
    return fig
