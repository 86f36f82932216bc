"""``report.md`` of the regularisation lab, generated from its summary's numbers."""
from __future__ import annotations

from pathlib import Path

__all__ = ["write_report"]


def _pm(stat, pct: bool = True) -> str:
    m, s = stat
    return f"{100 * m:.1f} +- {100 * s:.1f} %" if pct else f"{m:.3f} +- {s:.3f}"


def _shape(hidden) -> str:
    return "x".join(map(str, hidden)) or "none"


def _capacity(t: dict) -> list[str]:
    rows = t["capacity"]
    lines = ["### Capacity: underfitting to overfitting", "",
             "| hidden layers | parameters | train accuracy | test accuracy | train loss | test loss |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {_shape(r['hidden'])} | {r['params']} | {_pm(r['train_accuracy'])} | "
                     f"{_pm(r['test_accuracy'])} | {_pm(r['train_loss'], False)} | {_pm(r['test_loss'], False)} |")
    fits = [r for r in rows if r["train_accuracy"][0] >= 0.995]
    best_test = next(r for r in rows if r["hidden"] == t["capacity_best"]["by_test_accuracy"])
    best_val = next(r for r in rows if r["hidden"] == t["capacity_best"]["by_validation"])
    smallest = min(rows, key=lambda r: r["params"])
    first_fit = min(fits, key=lambda r: r["params"]) if fits else None
    close = sum(r["test_accuracy"][0] >= best_test["test_accuracy"][0] - best_test["test_accuracy"][1] for r in rows)
    lines += ["", f"The smallest network ({_shape(smallest['hidden'])}) underfits: it gets "
              f"{_pm(smallest['train_accuracy'])} of its own training set right. "
              + (f"The smallest network that fits the training set (>= 99.5 %) is {_shape(first_fit['hidden'])} "
                 f"({first_fit['params']} parameters); beyond that, capacity can only fit the training set more "
                 "tightly: the training loss falls towards zero and the test loss does not follow. "
                 if first_fit else "")
              + f"The best test accuracy is {_pm(best_test['test_accuracy'])} at {_shape(best_test['hidden'])} "
              f"({best_test['params']} parameters; {close} of {len(rows)} networks lie within one std of it); "
              f"the validation set picks {_shape(best_val['hidden'])} "
              f"({_pm(best_val['test_accuracy'])} on test)."]
    if fits:
        worst = max(fits, key=lambda r: r["test_loss"][0])
        lines[-1] += (f" Of the networks that fit, {_shape(worst['hidden'])} has the largest test loss, "
                      f"{worst['test_loss'][0]:.2f} (test accuracy {_pm(worst['test_accuracy'])}): cross-entropy has "
                      "no bound for a confident mistake, and a network that drives its training loss to zero makes "
                      "its mistakes confidently.")
    lines.append("")
    return lines


def _trials(t: dict, threshold: float) -> list[str]:
    chosen = {(n if n == "batch-norm" else f"{n} {s:g}") for n, s in t["chosen"].items()}
    lines = ["### Regularisers alone and combined", "",
             f"The {_shape(t['network'])} network, {t['epochs']} full-batch Adam epochs. **Bold**: the strength "
             "the validation set chose (highest validation accuracy, ties to the lower validation loss); "
             "combinations use those strengths.", "",
             f"| regulariser | test accuracy | test loss | train accuracy | weights below {threshold:g} | epochs |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in t["trials"]:
        name = f"**{r['label']}**" if r["label"] in chosen else r["label"]
        lines.append(f"| {name} | {_pm(r['test_accuracy'])} | {_pm(r['test_loss'], False)} | "
                     f"{_pm(r['train_accuracy'])} | {100 * r['near_zero'][0]:.0f} % | {r['epochs_run']:.0f} |")
    base = t["trials"][0]
    singles = [r for r in t["trials"] if len(r["components"]) == 1]
    combos = [r for r in t["trials"] if len(r["components"]) > 1]
    best = max(singles, key=lambda r: r["test_accuracy"][0]) if singles else base
    lines += ["", f"Without regularisation: {_pm(base['train_accuracy'])} train, {_pm(base['test_accuracy'])} test, "
              f"test loss {base['test_loss'][0]:.3f}. Alone, {best['label']} does best on test "
              f"({_pm(best['test_accuracy'])}, loss {best['test_loss'][0]:.3f}); "
              f"{sum(r['test_loss'][0] < base['test_loss'][0] for r in singles)} of {len(singles)} settings lower "
              f"the test loss and {sum(r['test_accuracy'][0] > base['test_accuracy'][0] for r in singles)} raise "
              "the test accuracy."]
    if combos:
        top = max(combos, key=lambda r: r["test_accuracy"][0])
        worse = [r for r in combos if r["test_accuracy"][0] < base["test_accuracy"][0]]
        lines[-1] += (f" The best combination, {top['label']}, reaches {_pm(top['test_accuracy'])}; "
                      f"{len(worse)} of {len(combos)} combinations do worse on test than no regulariser at all"
                      + (f" ({', '.join(r['label'] for r in worse)})." if worse else "."))
    stopping = [r for r in singles if r["components"][0][0] == "early-stopping"]
    if stopping:
        patience = t["chosen"].get("early-stopping", min(r["components"][0][1] for r in stopping))
        kept = next(r for r in stopping if r["components"][0][1] == patience)
        same = all(r["per_seed_test_accuracy"] == kept["per_seed_test_accuracy"] for r in stopping)
        lines[-1] += (f" Early stopping with patience {kept['components'][0][1]:g} kept the weights of epoch "
                      f"{kept['best_epoch']:.0f} on average (it ran {kept['epochs_run']:.0f}): "
                      f"{_pm(kept['train_accuracy'])} train, {_pm(kept['test_accuracy'])} test"
                      + ("; every patience gives the same networks, since each outlasts the one validation "
                         "minimum and the best epoch's weights are restored." if same and len(stopping) > 1 else
                         ". The validation loss can bottom out before the accuracy peaks: a network stopped at "
                         "its lowest validation loss may not yet have learned the whole pattern."
                         if kept["test_accuracy"][0] < base["test_accuracy"][0] else "."))
    lines.append("")
    return lines


def _weights(t: dict, threshold: float) -> list[str]:
    lines = ["### What L1 does that L2 does not", "",
             f"The same network with plain full-batch SGD ({3 * t['epochs']} epochs), fraction of weight-matrix "
             f"entries with |w| < {threshold:g}:", "",
             f"| penalty | weights below {threshold:g} | train accuracy | test accuracy |", "|---|---:|---:|---:|"]
    for r in t["weights_sgd"]:
        lines.append(f"| {r['label']} | {_pm(r['near_zero'])} | {_pm(r['train_accuracy'])} | "
                     f"{_pm(r['test_accuracy'])} |")
    sgd = {r["label"]: r for r in t["weights_sgd"]}
    pairs = [(k, k.replace("l2", "l1")) for k in sgd if k.startswith("l2 ")]
    if pairs:
        l2, l1 = pairs[0]
        lines += ["", f"At the same strength, L1 leaves {100 * sgd[l1]['near_zero'][0]:.0f} % of the weights below "
                  f"{threshold:g}, L2 {100 * sgd[l2]['near_zero'][0]:.0f} % (no penalty: "
                  f"{100 * sgd['none']['near_zero'][0]:.0f} %). L2's gradient l2 w shrinks a weight in proportion, "
                  "so it never arrives at zero; L1's gradient l1 sign(w) pulls with the same force however small the "
                  "weight, so every weight the data does not hold up reaches zero (and then flickers around it by "
                  "lr * l1 per step)."]
    adam = {r["label"]: r for r in t["trials"]}
    l2 = [r for r in t["trials"] if r["components"] == [["l2", t["chosen"].get("l2")]]]
    if l2:
        lines[-1] += (f" Under Adam the picture blurs: L2 at its chosen strength leaves "
                      f"{100 * l2[0]['near_zero'][0]:.0f} % of the weights below {threshold:g} "
                      f"(none: {100 * adam['none']['near_zero'][0]:.0f} %). Adam divides each gradient by its running "
                      "size, so for a weight the data no longer moves, l2 w becomes a step of about lr sign(w): L2 "
                      "acts like L1 there. Decoupled weight decay (AdamW) exists for this reason.")
    lines.append("")
    return lines


def write_report(path: Path, summary: dict, settings) -> None:
    seeds = settings.seeds
    lines = ["# Overfitting, underfitting and regularisation, measured", "",
             f"Every number is a mean +- sample std over {seeds} seeds; seed s draws the data sample (spiral), the "
             "train / validation / test split, the initial weights, dropout masks and augmentation noise. Every "
             "network trains through `nnlab.fit`, full batch. The validation set is fit's test data (early stopping "
             "watches it) and chooses each regulariser's strength; the test set is used for nothing but these "
             "numbers. Metrics are measured in eval mode on the inputs as given.", ""]
    for name, t in summary["tasks"].items():
        sizes = t["sizes"]
        lines += [f"## {name}", "", f"{t['description']} ({sizes['train']} / {sizes['val']} / {sizes['test']}).", ""]
        lines += _capacity(t) + _trials(t, settings.near_zero) + _weights(t, settings.near_zero)
        figures = [f for f in summary["files"] if f.startswith(f"regularize_{name}_")]
        lines += [f"![{f[:-4]}]({f})" for f in figures] + [""]
    lines += ["![weights](regularize_weights.png)", "",
              f"Wall time {summary['wall_time_s']:.0f} s.", ""]
    path.write_text("\n".join(lines))
