"""The use case's report, written from the numbers of ``run_usecase``: who wins, by how much, how sure."""
from __future__ import annotations

from nnlab.document import Document

__all__ = ["usecase_report"]

_METRICS = ("accuracy", "roc_auc", "precision", "recall", "f1", "log_loss")


def _pm(d: dict, scale: float = 1.0, digits: int = 3) -> str:
    return f"{scale * d['mean']:.{digits}f} ± {scale * d['std']:.{digits}f}"


def _results_table(doc, c):
    rows = []
    for m, r in c["models"].items():
        lo, hi = r["accuracy_ci95"]
        rows.append([c["titles"][m]] + [_pm(r["folds"][k]) for k in _METRICS]
                    + [f"{r['pooled']['accuracy']:.3f} [{lo:.3f}, {hi:.3f}]", r["errors"], f"{r['ece']:.3f}",
                       f"{r['fit_s_mean']:.2f}", f"{r['single_prediction_ms']:.3f}"])
    doc.table(["model", "accuracy", "ROC AUC", "precision", "recall", "F1", "log loss",
               "pooled accuracy [95% CI]", "errors", "ECE", "fit s", "1 prediction ms"], rows)


def _signed(x: float) -> str:
    """'+0.35', '-1.20', and '0.00' rather than '-0.00'."""
    text = f"{x:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


def _verdicts(doc, c):
    acc = {m: r["folds"]["accuracy"]["mean"] for m, r in c["models"].items()}
    mlp = acc["nnlab-mlp"]
    above = [m for m in acc if acc[m] > mlp + 1e-12]
    tied = [c["titles"][m] for m in acc if m != "nnlab-mlp" and abs(acc[m] - mlp) <= 1e-12]
    best = max(acc, key=acc.get)
    lines = []
    for b in [m for m in c["models"] if m != "nnlab-mlp"]:
        parts = []
        for comp in (x for x in c["comparisons"] if x["b"] == b):
            scale, unit = (100, " points") if comp["metric"] != "log_loss" else (1, "")
            parts.append(f"{comp['metric'].replace('_', ' ')} {_signed(scale * comp['mean'])}{unit} "
                         f"(± {scale * comp['se']:.2f}; MLP better in {comp['wins_a']}, worse in {comp['wins_b']} "
                         f"of {c['folds']} folds): "
                         f"{comp['verdict'].replace('nnlab-mlp', 'the MLP').replace(b, c['titles'][b])}")
        lines.append(f"**Against {c['titles'][b]}**: " + "; ".join(parts) + ".")
    clear_wins = [x for x in c["comparisons"] if x["verdict"] == "nnlab-mlp better"]
    clear_losses = [x for x in c["comparisons"] if x["verdict"] not in ("nnlab-mlp better", "no clear difference")]
    doc.paragraph(f"**In plain words.** The nnlab MLP ranks {len(above) + 1} of {len(acc)} on mean accuracy "
                  f"({100 * mlp:.2f}%" + (f", tied with {', '.join(tied)}" if tied else "")
                  + (f"; best: {c['titles'][best]}, {100 * acc[best]:.2f}%" if above else "") + "). Over the "
                  f"{len(c['comparisons'])} paired comparisons below (differences MLP minus baseline, fold by fold, "
                  f"called clear only beyond two standard errors, a lenient rule since folds share training "
                  f"data) it wins {len(clear_wins)} clearly and loses "
                  f"{len(clear_losses)} clearly" + (": " + ", ".join(
                      f"{x['metric'].replace('_', ' ')} against {c['titles'][x['b']]}" for x in clear_wins + clear_losses)
                      if clear_wins or clear_losses else "") + ".")
    doc.bullets(lines)


def _clinical(doc, c):
    if c["name"] != "breast-cancer":
        return
    rows = []
    for m, r in c["models"].items():
        (tn, fp), (fn, tp) = r["confusion"]
        rows.append([c["titles"][m], fn, fp, f"{tp / (tp + fn):.3f}", f"{tn / (tn + fp):.3f}"])
    doc.paragraph("For a diagnosis the two errors are not equal: a malignant tumour called benign (false "
                  "negative) delays treatment, a benign one called malignant (false positive) costs a biopsy. "
                  "Pooled over the folds, at the default threshold of 0.5:")
    doc.table(["model", "missed malignant (FN)", "false alarms (FP)", "sensitivity", "specificity"], rows)


def _deployment(doc, c):
    d = c["deployment"]
    files = ", ".join(f"`{k}` {v:,} B" for k, v in d["files"].items())
    doc.paragraph(f"**Deployment.** The MLP trained on all {c['n']:,} samples ({d['parameters']:,} parameters) is "
                  f"exported to `{c['name']}_model/`: {files}. Loaded back from `model.json` + `weights.pt` it "
                  f"predicts the same class for all {d['batch_size']:,} samples "
                  f"({'yes' if d['same_predictions_state_dict'] else 'NO'}; largest probability difference "
                  f"{d['max_abs_diff_state_dict']:.1e}); the TorchScript file, which needs only torch, agrees too "
                  f"({'yes' if d['same_predictions_torchscript'] else 'NO'}; {d['max_abs_diff_torchscript']:.1e}). "
                  f"One prediction takes {d['single_prediction_ms']:.3f} ms (TorchScript "
                  f"{d['single_prediction_torchscript_ms']:.3f} ms) and {1e3 * d['batch_ms_per_example']:.2f} µs per "
                  f"example in a batch of {d['batch_size']:,}, single-threaded; scikit-learn's logistic regression "
                  f"takes {c['models']['logistic-regression']['single_prediction_ms']:.3f} ms per single call.")


def _limits(doc, c):
    n, k = c["n"], c["folds"]
    fold = n // k
    lo, hi = c["models"]["nnlab-mlp"]["accuracy_ci95"]
    counts = ", ".join(f"{name} {count}" for name, count in zip(c["classes"], c["class_counts"]))
    mlp_acc = c["models"]["nnlab-mlp"]["pooled"]["accuracy"]
    others = [m for m in c["models"] if m != "nnlab-mlp"]
    close = [c["titles"][m] for m in others if abs(c["models"][m]["pooled"]["accuracy"] - mlp_acc) < hi - lo]
    doc.paragraph(f"**Limits of {n:,} samples.** Each test fold holds about {fold} samples, so one error moves a "
                  f"fold's accuracy by {100 / fold:.2f} points and the pooled accuracy by {100 / n:.2f}; the MLP's "
                  f"95% interval for accuracy is [{100 * lo:.1f}%, {100 * hi:.1f}%], {100 * (hi - lo):.1f} points "
                  f"wide. {len(close)} of the {len(others)} baselines"
                  + (f" ({', '.join(close)})" if close else "") + " differ from the MLP's pooled accuracy by less "
                  f"than that width, so their ranking could change with another sample of the same size. "
                  f"Classes: {counts}.")
    if c["name"] == "breast-cancer":
        doc.bullets([
            "One source: samples from one clinic's fine needle aspirates (Wisconsin, early 1990s); nothing here "
            "tests other hospitals, imaging set-ups or populations (no external validation).",
            f"Prevalence: {100 * c['class_counts'][1] / n:.0f}% malignant, far above a screening population; "
            "precision and calibration change with prevalence and would have to be re-estimated.",
            "The 30 features are computed from images by a fixed procedure; a deployment must compute them the "
            "same way, in the same units and order (model.json records the names).",
            "Hyperparameters were set before evaluation and not tuned; tuning them on these folds would need a "
            "nested cross-validation to keep the estimate honest.",
        ])
    if c["name"] == "breast-cancer":
        doc.paragraph("**What deployment would take.** The exported model loads and predicts the same, and is "
                      "small and fast enough for any server or device. What is missing is everything around it: "
                      "validation on external data; a decision threshold chosen with clinicians for the "
                      "sensitivity they need (not 0.5 by default); calibration checked and, if needed, "
                      "recalibrated on the target population; input checks (ranges, missing values); monitoring "
                      "of drift in inputs and outcomes; versioning of model, code and data (model.json records "
                      "nnlab's and torch's versions); and, for medical use, the regulatory process for software "
                      "as a medical device.")
    else:
        doc.paragraph("**What deployment would take.** Images must be reduced to 8 x 8 counts exactly as the "
                      "NIST-derived preprocessing did, or the model sees a different input distribution; the "
                      "writers here are 13 people, so new handwriting needs its own test set; and a reject option "
                      "(no answer below a confidence threshold) is worth more than a forced guess.")


def usecase_report(summary: dict) -> Document:
    """Report of every case in ``summary`` (from ``run_usecase``)."""
    doc = Document("A use case on real data: an MLP against scikit-learn baselines")
    first = next(iter(summary["cases"].values()))
    doc.paragraph(f"Data that ships inside scikit-learn; nothing is downloaded. Each model is evaluated by "
                  f"stratified {first['folds']}-fold cross-validation (seed {first['seed']}), the same folds for "
                  f"all; in each fold the feature scaler is fitted on the training part only and applied to the "
                  f"held-out part, so no statistic of the test rows leaks into training. Metrics are mean ± "
                  f"standard deviation over folds; curves and confusion matrices pool the out-of-fold predictions."
                  + (" **Quick mode:** a tenth of the epochs and boosting rounds; numbers are for testing only."
                     if first["quick"] else ""))
    doc.bullets([f"**{first['titles'][m]}**: {d}" for m, d in first["model_descriptions"].items()])
    for c in summary["cases"].values():
        doc.heading(f"{c['title']} ({c['n']:,} samples, {c['features']} features, {len(c['classes'])} classes)")
        doc.paragraph(c["description"])
        s = c["settings"]
        doc.paragraph(f"MLP: hidden layers {s['hidden']}, {s['epochs']} epochs, batch size {s['batch_size']}. ECE: "
                      f"expected calibration error of the top-class probability (10 bins). Fit time is the mean "
                      f"per fold; one prediction is the median time of a single-example call.")
        _results_table(doc, c)
        _verdicts(doc, c)
        _clinical(doc, c)
        for stem, alt in (("folds", "fold scores"), ("roc", "ROC curves"), ("confusion", "confusion matrices"),
                          ("calibration", "calibration curves")):
            doc.image(f"{c['name']}_{stem}.png", f"{c['title']}: {alt}")
        _deployment(doc, c)
        _limits(doc, c)
    v = summary["versions"]
    doc.paragraph(f"Run: {summary['wall_time_s']:.1f} s on {v['cpu']}, torch {v['torch']}, Python {v['python']}.")
    return doc
