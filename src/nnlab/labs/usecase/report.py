"""The use case's page, written from the numbers of ``run_usecase``: its claims (who is as accurate as whom, how
sure, whether the exported model reloads exactly), each a sentence built from the numbers with a predicate over
them, and the document around them (data, models, tables, figures, what the numbers cannot say)."""
from __future__ import annotations

from nnlab.claims import Claims
from nnlab.document import Document

__all__ = ["report", "usecase_report", "make_claims", "TITLE"]

TITLE = "A use case on real data: an MLP against scikit-learn baselines"
_METRICS = ("accuracy", "roc_auc", "precision", "recall", "f1", "log_loss")
_METRIC_NAMES = {"accuracy": "accuracy", "roc_auc": "ROC AUC", "log_loss": "log loss"}
WELL_CALIBRATED = 0.05          # an expected calibration error below this is called well calibrated
SMALL_BYTES, FAST_MS = 1e6, 1.0  # an exported model under 1 MB answering in under 1 ms is small and fast


def _pm(d: dict, scale: float = 1.0, digits: int = 3) -> str:
    return f"{scale * d['mean']:.{digits}f} ± {scale * d['std']:.{digits}f}"


def _signed(x: float) -> str:
    """'+0.35', '-1.20', and '0.00' rather than '-0.00'."""
    text = f"{x:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


def _and(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(names) if len(names) < 3 else f"{', '.join(names[:-1])} and {names[-1]}"


def _comparison(c: dict, comp: dict) -> str:
    """'accuracy against logistic regression'."""
    return f"{_METRIC_NAMES[comp['metric']]} against {c['titles'][comp['b']]}"


def _beats(titles: dict, m: str, verdict: str) -> str:
    """A paired comparison's clear verdict between the MLP and baseline ``m``, in words."""
    return (f"the MLP beats {titles[m]} clearly" if verdict == "nnlab-mlp better"
            else f"{titles[m]} beats the MLP clearly")


# -- claims -------------------------------------------------------------------------------------------------------

def _accuracy_claims(cl: Claims, c: dict) -> None:
    name, titles, models = c["name"], c["titles"], c["models"]
    pooled = {m: r["pooled"]["accuracy"] for m, r in models.items()}
    top = max(pooled.values())
    best = [m for m, a in pooled.items() if a == top]
    lo, hi = models["nnlab-mlp"]["accuracy_ci95"]
    inside = [m for m in models if m != "nnlab-mlp" and m not in best and lo <= pooled[m] <= hi]
    paired = {x["b"]: x["verdict"] for x in c["comparisons"] if x["metric"] == "accuracy"}
    # a baseline the fold-by-fold comparison on accuracy puts clearly ahead of the MLP is not "not distinguishable"
    beaten_by = [m for m in best if m != "nnlab-mlp" and paired.get(m) == f"{m} better"]
    numbers = {"case": c["title"], "n": c["n"], "mlp": pooled["nnlab-mlp"], "lo": lo, "hi": hi,
               "best": _and([titles[m] for m in best if m != "nnlab-mlp"]), "best_acc": top,
               "inside": {titles[m]: pooled[m] for m in inside},
               "paired_accuracy": {titles[m]: v for m, v in paired.items()}}
    # the baselines the MLP's interval contains, with their pooled accuracies; and any the paired test separates
    too = "" if best == ["nnlab-mlp"] else " too"
    also = (f"; {_and([f'{titles[m]} ({pooled[m]:.3f})' for m in inside])} "
            f"{'lies' if len(inside) == 1 else 'lie'} inside that interval{too}: the pooled accuracies alone do not "
            f"separate {'it' if len(inside) == 1 else 'them'} from the MLP" if inside else
            "; every other baseline lies below that interval")
    decided = [m for m in best + inside if m != "nnlab-mlp" and paired.get(m, "no clear difference")
               != "no clear difference"]
    also += (f" (fold by fold on accuracy, {_and([_beats(titles, m, paired[m]) for m in decided])})"
             if decided else "")
    if best == ["nnlab-mlp"]:
        finding = ("{case}: the nnlab MLP has the highest pooled accuracy, {mlp:.3f} of the {n:,} out-of-fold "
                   "predictions right (95% interval [{lo:.3f}, {hi:.3f}])" + also + ".")
    elif "nnlab-mlp" in best:
        finding = ("{case}: the nnlab MLP shares the highest pooled accuracy, {mlp:.3f} of the {n:,} out-of-fold "
                   "predictions right (95% interval [{lo:.3f}, {hi:.3f}]), with {best}" + also + ".")
    else:
        finding = ("{case}: the most accurate model, {best} ({best_acc:.3f} of the {n:,} out-of-fold predictions "
                   "right), lies inside the nnlab MLP's 95% interval [{lo:.3f}, {hi:.3f}] (MLP: {mlp:.3f}): on "
                   "this many samples the pooled accuracy does not distinguish the MLP from the best baseline (the "
                   "interval contains it)" + also + ".")
    if top > hi:
        otherwise = ("{case}: the most accurate model, {best} ({best_acc:.3f} of the {n:,} out-of-fold "
                     "predictions right), lies above the nnlab MLP's 95% interval [{lo:.3f}, {hi:.3f}] (MLP: "
                     "{mlp:.3f}).")
    else:
        otherwise = ("{case}: the most accurate model, {best} ({best_acc:.3f} of the {n:,} out-of-fold "
                     "predictions right), lies inside the nnlab MLP's 95% interval [{lo:.3f}, {hi:.3f}] (MLP: "
                     "{mlp:.3f}), but fold by fold on accuracy "
                     + _and([_beats(titles, m, paired[m]) for m in beaten_by]) + ".")
    cl.check(f"{name}_mlp_as_accurate", top <= hi and not beaten_by, headline=True, numbers=numbers,
             finding=finding, otherwise=otherwise)
    counts = c["class_counts"]
    majority = max(counts) / c["n"]
    cl.check(f"{name}_above_majority", lo > majority,
             numbers={"case": c["title"], "lo": lo, "majority": majority,
                      "label": c["classes"][counts.index(max(counts))]},
             finding="{case}: the MLP's 95% interval lies above the {majority:.3f} that always answering the most "
                     "frequent class ({label}) would score (lower end {lo:.3f}).",
             otherwise="{case}: the MLP's 95% interval reaches down to {lo:.3f}, not above the {majority:.3f} of "
                       "always answering the most frequent class ({label}).")
    width = hi - lo
    others = [m for m in models if m != "nnlab-mlp"]
    # a baseline whose fold-by-fold accuracy comparison with the MLP is clear is ordered by that test, however
    # close the pooled accuracies: only the others are left undecided
    paired = {x["b"]: x["verdict"] for x in c["comparisons"] if x["metric"] == "accuracy"}
    decided = [m for m in others if paired.get(m, "no clear difference") != "no clear difference"]
    near = [m for m in others if abs(pooled[m] - pooled["nnlab-mlp"]) < width]
    close = [m for m in near if m not in decided]

    settled = (f"; fold by fold on accuracy, {_and([_beats(titles, m, paired[m]) for m in decided])}" if decided
               else "")
    cl.check(f"{name}_ranking_uncertain", bool(close),
             numbers={"case": c["title"], "k": len(close), "of": len(others), "width": width,
                      "names": _and([titles[m] for m in close]), "decided": [titles[m] for m in decided],
                      "near": [titles[m] for m in near], "verb": "differs" if len(close) == 1 else "differ",
                      "are": "is" if len(close) == 1 else "are", "their": "its" if len(close) == 1 else "their"},
             finding="{case}: {k} of the {of} baselines ({names}) {verb} from the MLP's pooled accuracy by less "
                     "than the width of its 95% interval ({width:.3f}) and {are} not separated from it by the "
                     "fold-by-fold comparison on accuracy: this run does not settle {their} order against the MLP"
                     + settled + ".",
             otherwise="{case}: every baseline is ordered against the MLP by this run: it differs from the MLP's "
                       "pooled accuracy by more than the width of its 95% interval ({width:.3f}), or the fold-by-fold "
                       "comparison on accuracy separates them" + settled + ".")


def _paired_claims(cl: Claims, c: dict) -> None:
    comps = c["comparisons"]
    wins = [x for x in comps if x["verdict"] == "nnlab-mlp better"]
    losses = [x for x in comps if x["verdict"] not in ("nnlab-mlp better", "no clear difference")]
    won = (f"; it wins clearly on {_and([_comparison(c, x) for x in wins])}" if wins else
           "; it wins none clearly either")
    cl.check(f"{c['name']}_no_clear_loss", not losses,
             numbers={"case": c["title"], "n": len(comps), "losses": len(losses), "wins": len(wins),
                      "folds": c["folds"]},
             finding="{case}: in none of the {n} paired comparisons over the {folds} folds does a baseline beat the "
                     "MLP clearly" + won + ".",
             otherwise="{case}: a baseline beats the MLP clearly in {losses} of the {n} paired comparisons over the "
                       "{folds} folds, not in none of them: "
                       f"on {_and([_comparison(c, x) for x in losses])}" + won + ".")


def _calibration_claim(cl: Claims, c: dict) -> None:
    ece = c["models"]["nnlab-mlp"]["ece"]
    cl.check(f"{c['name']}_mlp_calibrated", ece < WELL_CALIBRATED,
             numbers={"case": c["title"], "ece": ece, "threshold": WELL_CALIBRATED},
             finding="{case}: the MLP's probabilities match the observed frequencies closely (expected calibration "
                     "error {ece:.3f}, below {threshold}).",
             otherwise="{case}: the MLP's probabilities are off from the observed frequencies (expected calibration "
                       "error {ece:.3f}, {threshold} or more).")


def _clinical_claim(cl: Claims, c: dict) -> None:
    rates = {}
    for m, r in c["models"].items():
        (tn, fp), (fn, tp) = r["confusion"]
        rates[m] = (tp / (tp + fn), tn / (tn + fp))
    listing = ", ".join(f"{c['titles'][m]} {s:.3f} against {p:.3f}" for m, (s, p) in rates.items())
    cl.check("breast-cancer_sensitivity_below_specificity", all(s < p for s, p in rates.values()),
             numbers={f"{m}_{k}": v for m, sp in rates.items() for k, v in zip(("sensitivity", "specificity"), sp)},
             finding="At the default threshold of 0.5 every model's sensitivity lies below its specificity ("
                     + listing + "): relative to their numbers, malignant tumours are missed more often than benign "
                     "ones are flagged.",
             otherwise="At the default threshold of 0.5 not every model's sensitivity lies below its specificity "
                       "(sensitivity against specificity: " + listing + ").")


def _deploy_claims(cl: Claims, c: dict, cpu: str | None = None) -> None:
    d = c["deployment"]
    exact = (d["same_predictions_state_dict"] and d["same_predictions_torchscript"]
             and d["max_abs_diff_state_dict"] == 0 and d["max_abs_diff_torchscript"] == 0)
    numbers = {"case": c["title"], "n": d["batch_size"], "diff_sd": d["max_abs_diff_state_dict"],
               "diff_ts": d["max_abs_diff_torchscript"], "same_sd": d["same_predictions_state_dict"],
               "same_ts": d["same_predictions_torchscript"]}
    cl.check(f"{c['name']}_deploy_roundtrip", exact, headline=True, numbers=numbers, cause=False,
             finding="{case}: the exported MLP, loaded back from model.json + weights.pt and from the TorchScript "
                     "file, gives exactly the probabilities of the model in memory for all {n:,} samples (largest "
                     "difference {diff_sd:.1e} and {diff_ts:.1e}).",
             otherwise="{case}: the exported MLP loaded back differs from the model in memory (largest probability "
                       "difference {diff_sd:.1e} from model.json + weights.pt, {diff_ts:.1e} from TorchScript; same "
                       "class for every sample: {same_sd}, {same_ts}).")
    lr = c["models"]["logistic-regression"]["single_prediction_ms"]
    cl.check(f"{c['name']}_deploy_small_fast", d["total_bytes"] < SMALL_BYTES and d["single_prediction_ms"] < FAST_MS,
             cause=False,
             numbers={"case": c["title"], "kb": d["total_bytes"] / 1e3, "ms": d["single_prediction_ms"],
                      "ts": d["single_prediction_torchscript_ms"], "lr": lr, "limit_mb": SMALL_BYTES / 1e6,
                      "limit_ms": FAST_MS, "cpu": f"this machine's CPU, {cpu}" if cpu else "this machine's CPU"},
             finding="{case}: the exported model takes {kb:.1f} kB on disk (under {limit_mb:g} MB) and, loaded "
                     "back, answers one prediction in {ms:.3f} ms (under {limit_ms:g} ms; TorchScript {ts:.3f} ms; "
                     "scikit-learn's logistic regression {lr:.3f} ms per single call), timed on one thread of "
                     "{cpu}.",
             otherwise="{case}: the exported model takes {kb:.1f} kB on disk and, loaded back, answers one "
                       "prediction in {ms:.3f} ms (TorchScript {ts:.3f} ms), timed on one thread of {cpu}: not "
                       "both under {limit_mb:g} MB and under {limit_ms:g} ms.")


def make_claims(summary: dict, quick: bool) -> Claims:
    """What this run shows for each case, each sentence from the numbers, a finding only where it holds."""
    cl = Claims(quick=quick)
    for c in summary["cases"].values():
        _accuracy_claims(cl, c)
        _paired_claims(cl, c)
        _calibration_claim(cl, c)
        if c["name"] == "breast-cancer":
            _clinical_claim(cl, c)
        _deploy_claims(cl, c, summary.get("versions", {}).get("cpu"))
    return cl


# -- the document -------------------------------------------------------------------------------------------------

def _results_table(doc, c):
    rows = []
    for m, r in c["models"].items():
        lo, hi = r["accuracy_ci95"]
        rows.append([c["titles"][m]] + [_pm(r["folds"][k]) for k in _METRICS]
                    + [f"{r['pooled']['accuracy']:.3f} [{lo:.3f}, {hi:.3f}]", r["errors"],
                       f"{r['pooled']['curve_auc']:.4f}", f"{r['ece']:.3f}", f"{r['fit_s_mean']:.2f}",
                       f"{r['single_prediction_ms']:.3f}"])
    doc.table(["model", "accuracy", "ROC AUC", "precision", "recall", "F1", "log loss",
               "pooled accuracy [95% CI]", "errors", "pooled ROC AUC (figure)", "ECE", "fit s", "1 prediction ms"],
              rows)


def _comparisons_table(doc, c):
    rows = []
    for comp in c["comparisons"]:
        scale, unit = (100, " points") if comp["metric"] != "log_loss" else (1, "")
        verdict = comp["verdict"].replace("nnlab-mlp", "the MLP").replace(comp["b"], c["titles"][comp["b"]])
        rows.append([c["titles"][comp["b"]], _METRIC_NAMES[comp["metric"]],
                     f"{_signed(scale * comp['mean'])}{unit}", f"{scale * comp['se']:.2f}", comp["wins_a"],
                     comp["wins_b"], verdict])
    doc.table(["baseline", "metric", "MLP minus baseline", "standard error", "folds MLP better",
               "folds MLP worse", "verdict (clear beyond 2 SE)"], rows)


def _clinical(doc, c):
    rows = []
    for m, r in c["models"].items():
        (tn, fp), (fn, tp) = r["confusion"]
        rows.append([c["titles"][m], fn, fp, f"{tp / (tp + fn):.3f}", f"{tn / (tn + fp):.3f}"])
    doc.paragraph("For a diagnosis the two errors are not equal: a malignant tumour called benign (false "
                  "negative) delays treatment, a benign one called malignant (false positive) costs a biopsy. "
                  "Pooled over the folds, at the default threshold of 0.5:")
    doc.table(["model", "missed malignant (FN)", "false alarms (FP)", "sensitivity", "specificity"], rows)
    doc.claims(["breast-cancer_sensitivity_below_specificity"])


def _deployment(doc, c):
    d = c["deployment"]
    files = ", ".join(f"`{k}` {v:,} B" for k, v in d["files"].items())
    doc.paragraph(f"**Deployment.** The MLP is trained on all {c['n']:,} samples ({d['parameters']:,} parameters), "
                  f"exported to `{c['name']}_model/` ({files}), loaded back both ways and compared with the model "
                  f"in memory on every sample; one prediction is the median of single-example calls, a batch the "
                  f"whole data set ({1e3 * d['batch_ms_per_example']:.2f} µs per example), on one thread.")
    doc.claims([f"{c['name']}_deploy_roundtrip", f"{c['name']}_deploy_small_fast"])


def _limits(doc, c):
    n, k = c["n"], c["folds"]
    fold = n // k
    counts = ", ".join(f"{name} {count}" for name, count in zip(c["classes"], c["class_counts"]))
    doc.paragraph(f"**Limits of {n:,} samples.** Each test fold holds about {fold} samples, so one error moves a "
                  f"fold's accuracy by {100 / fold:.2f} points and the pooled accuracy by {100 / n:.2f}. Classes: "
                  f"{counts}.")
    doc.claims([f"{c['name']}_ranking_uncertain"])
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
        doc.paragraph("**What deployment would take.** Beyond the export checked above, everything around the "
                      "model: validation on external data; a decision threshold chosen with clinicians for the "
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


def _mode(summary: dict) -> str:
    """What a quick run trains less, from the cases' settings."""
    if not summary["quick"]:
        return ""
    from nnlab.labs.usecase.cases import USECASES
    parts = [f"{c['settings']['epochs']} epochs on {c['title'].lower()} (full run: {USECASES[c['name']].epochs})"
             for c in summary["cases"].values()]
    rounds = next(iter(summary["cases"].values()))["settings"]["boosting_rounds"]
    return (f" **Quick run:** both MLPs train for {' and '.join(parts)}, gradient boosting for {rounds} rounds "
            f"(full run: 200); the baselines are weakened too, so a clear win against one says less than in a "
            f"full run.")


def report(summary: dict) -> Document:
    """The page's document for every case in ``summary`` (from ``run_usecase``); findings are claims."""
    doc = Document(TITLE)
    first = next(iter(summary["cases"].values()))
    doc.paragraph(f"Data that ships inside scikit-learn; nothing is downloaded. Each model is evaluated by "
                  f"stratified {first['folds']}-fold cross-validation (seed {first['seed']}), the same folds for "
                  f"all; in each fold the feature scaler is fitted on the training part only and applied to the "
                  f"held-out part, so no statistic of the test rows leaks into training. Metrics are mean ± "
                  f"standard deviation over folds; curves, confusion matrices and the pooled accuracy (with its 95% "
                  f"Wilson interval) use the out-of-fold predictions of all folds together." + _mode(summary))
    doc.bullets([f"**{first['titles'][m]}**: {d}" for m, d in first["model_descriptions"].items()])
    for c in summary["cases"].values():
        doc.heading(f"{c['title']} ({c['n']:,} samples, {c['features']} features, {len(c['classes'])} classes)")
        doc.paragraph(c["description"])
        s = c["settings"]
        doc.paragraph(f"MLP: hidden layers {s['hidden']}, {s['epochs']} epochs, batch size {s['batch_size']}. ECE: "
                      f"expected calibration error of the top-class probability (10 bins); in the calibration "
                      f"figure a marker's area grows with its bin's count, and the lower panel counts the "
                      f"predictions per bin. Fit time is the mean per fold; one prediction is the median time of a "
                      f"single-example `predict_proba` call in the last fold (the exported MLP is timed under "
                      f"Deployment). The pooled ROC AUC is the area under the curve the ROC figure draws"
                      + (" (one-vs-rest, micro-averaged)." if len(c["classes"]) > 2 else "."))
        _results_table(doc, c)
        doc.paragraph("**In plain words.** Pooled over the folds, each model against the MLP's 95% interval; then "
                      "fold by fold, the MLP minus each baseline (a difference is called clear beyond two standard "
                      "errors, a lenient rule since folds share training data):")
        doc.claims([f"{c['name']}_mlp_as_accurate", f"{c['name']}_above_majority", f"{c['name']}_no_clear_loss"])
        _comparisons_table(doc, c)
        if c["name"] == "breast-cancer":
            _clinical(doc, c)
        for stem, alt in (("folds", "fold scores"), ("roc", "ROC curves"), ("confusion", "confusion matrices")):
            doc.image(f"{c['name']}_{stem}.png", f"{c['title']}: {alt}")
        doc.claims([f"{c['name']}_mlp_calibrated"])
        doc.image(f"{c['name']}_calibration.png", f"{c['title']}: calibration curves")
        _deployment(doc, c)
        _limits(doc, c)
    return doc


usecase_report = report          # the page's earlier name
