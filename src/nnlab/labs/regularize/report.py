"""The regularisation lab's page: its claims, built from summary.json's numbers, and the document around them.

Every sentence that says what a run showed is a claim (``make_claims``); ``report`` describes what was done, shows
the tables and figures, and places each claim beside the table it reads.
"""
from __future__ import annotations

from nnlab.claims import Claims
from nnlab.document import Document

__all__ = ["make_claims", "report", "TITLE"]

TITLE = "Overfitting, underfitting and regularisation, measured"
FIT = 0.995             # a mean training accuracy at least this fits the training set
UNDERFIT = 0.9          # the smallest network underfits: its mean training accuracy is below this
OVERFIT_RATIO = 1.5     # overfitting: a larger network that fits has at least this times the test loss ...
SAME_ACCURACY = 0.01    # ... at a test accuracy no more than this above the smaller one's
GAP = 0.05              # the unregularised network's train - test accuracy gap that shows it overfits
GAIN = 0.02             # a regulariser that helps raises the mean test accuracy by at least this
COST = 0.01             # early stopping costs nothing when its test accuracy is within this of the full run's
LOST = 0.02             # a seed whose test accuracy early stopping cut by this much is explained
ZEROED = 0.2            # L1 leaves at least this many more weights near zero than L2 (and twice as many)
ADAM_ZEROED = 0.1       # under Adam, L2 leaves at least this many more near zero than no penalty (and twice as many)
ABOUT_AS_MANY = 0.02    # two penalties leave "about as many" weights near zero when their shares differ by less
# The spiral's test loss climbs past the fit only weakly and noisily: over 4-seed subsets of seeds 0-5 at the
# full epochs the overfitting predicate holds about half the time, so it is no headline of the spiral (quick or
# full): every run states what its own sweep shows. Digits' deep networks overfit by 3.6-5x in every subset.
ROBUST_OVERFIT = ("digits",)


def _pm(stat, pct: bool = True) -> str:
    m, s = stat
    return f"{100 * m:.1f} +- {100 * s:.1f} %" if pct else f"{m:#.3g} +- {s:.2g}"


def _shape(hidden) -> str:
    return "x".join(map(str, hidden)) or "none"


def _name(name: str, strength) -> str:
    return name if name == "batch-norm" else f"{name} {strength:g}"


def _overfit_pair(rows: list[dict]):
    """(ratio, smaller, larger): of the networks that fit the training set, the pair where a larger one (more
    parameters) has the highest test loss relative to a smaller one at no better test accuracy; None when no
    larger fitting network does no better on test accuracy."""
    fits = [r for r in rows if r["train_accuracy"][0] >= FIT]
    pairs = [(b["test_loss"][0] / a["test_loss"][0], a, b) for a in fits for b in fits
             if b["params"] > a["params"] and b["test_accuracy"][0] <= a["test_accuracy"][0] + SAME_ACCURACY]
    return max(pairs, key=lambda p: p[0], default=None)


# -- claims ------------------------------------------------------------------------------------------------------

def make_claims(summary: dict, settings, quick: bool) -> Claims:
    """What this run shows, each sentence from the numbers, each stated as a finding only where it holds."""
    c = Claims(quick=quick)
    for name, t in summary["tasks"].items():
        _capacity_claims(c, name, t, quick)
        _trial_claims(c, name, t, settings, quick)
        _weight_claims(c, name, t, settings)
    if summary["tasks"]:
        c.theory("cross_entropy_unbounded", "Cross-entropy, -log p(true class), has no upper bound: a network that "
                 "drives its training loss towards zero outputs probabilities near 0 and 1, so each test point it "
                 "gets wrong costs -log of a small number, and the test loss can climb while the test accuracy "
                 "holds.")
        c.theory("l1_l2_theory", "L2's gradient l2 w shrinks a weight in proportion to its size, so it never "
                 "arrives at zero; L1's gradient l1 sign(w) pulls with the same force however small the weight, so a "
                 "weight the data does not hold up reaches zero and then flickers around it by lr * l1 per step.")
        c.theory("adam_l2_theory", "Adam divides each gradient by its running size, so for a weight the data no "
                 "longer moves, the penalty's gradient l2 w becomes a step of about lr sign(w): L2 acts like L1 "
                 "there. Decoupled weight decay (AdamW) exists for this reason.")
    return c


def _capacity_claims(c: Claims, name: str, t: dict, quick: bool) -> None:
    rows = t["capacity"]
    small = min(rows, key=lambda r: r["params"])
    c.check(f"{name}_underfits", small["train_accuracy"][0] < UNDERFIT, headline=True,
            numbers={"net": _shape(small["hidden"]), "params": small["params"], "train": small["train_accuracy"][0],
                     "test": small["test_accuracy"][0], "threshold": UNDERFIT},
            finding=f"{name}: the smallest network, {{net}} ({{params}} parameters), underfits: it gets only "
                    f"{{train:.1%}} of its own training set right ({{test:.1%}} of the test set).",
            otherwise=f"{name}: the smallest network, {{net}} ({{params}} parameters), does not underfit: it gets "
                      f"{{train:.1%}} of its training set right, not below {{threshold:.0%}}.")

    fits = [r for r in rows if r["train_accuracy"][0] >= FIT]
    best_train = max(rows, key=lambda r: r["train_accuracy"][0])
    first = min(fits, key=lambda r: r["params"]) if fits else best_train
    lowest = min(rows, key=lambda r: r["train_loss"][0])
    c.check(f"{name}_capacity_fits", bool(fits),
            numbers={"net": _shape(first["hidden"]), "params": first["params"], "train": first["train_accuracy"][0],
                     "threshold": FIT, "lowest": _shape(lowest["hidden"]), "lowest_loss": lowest["train_loss"][0]},
            finding=f"{name}: the smallest network that fits the training set (mean train accuracy >= "
                    f"{{threshold:.1%}}) is {{net}} ({{params}} parameters); the lowest training loss, "
                    f"{{lowest_loss:#.3g}}, is {{lowest}}'s.",
            otherwise=f"{name}: no network of the sweep fits the training set (>= {{threshold:.1%}}); the closest, "
                      f"{{net}}, gets {{train:.1%}}.")

    # evaluated in every run, quick or full; a headline only where it is robust (see ROBUST_OVERFIT)
    headline = name in ROBUST_OVERFIT
    cause = (f"this quick run trains {len(rows[0]['per_seed_test_accuracy'])} seeds; on the {name} the test loss "
             "climbs past the fit only weakly, and a full run shows it for some seed sets, not all"
             if quick and not headline else None)
    fit_names = ", ".join(_shape(r["hidden"]) for r in sorted(fits, key=lambda r: r["params"])) or "none"
    pair = _overfit_pair(rows)
    if pair is None:
        few = len(fits) < 2
        c.check(f"{name}_overfits", False, headline=headline, cause=cause,
                numbers={"fit": fit_names, "threshold": OVERFIT_RATIO},
                finding="",
                otherwise=f"{name}: overfitting is not seen: fewer than two networks fit the training set ({{fit}}), "
                          "so no larger one can be compared with a smaller one past the fit." if few else
                          f"{name}: overfitting is not seen: each larger network that fits the training set gets "
                          f"more than {100 * SAME_ACCURACY:g} point more of the test set right than every smaller "
                          "one that fits (networks that fit: {fit}).")
    else:
        ratio, a, b = pair
        numbers = {"small": _shape(a["hidden"]), "big": _shape(b["hidden"]), "p_small": a["params"],
                   "p_big": b["params"], "tr_small": a["train_accuracy"][0],
                   "tr_big": b["train_accuracy"][0], "te_small": a["test_loss"][0],
                   "te_big": b["test_loss"][0], "acc_small": a["test_accuracy"][0],
                   "acc_big": b["test_accuracy"][0], "ratio": ratio, "threshold": OVERFIT_RATIO, "fit": fit_names}
        pair_text = ("{big} ({p_big} parameters) has {ratio:.2f}x the test loss of {small} ({p_small} parameters), "
                     "{te_big:#.3g} against {te_small:#.3g}, at test accuracy {acc_big:.1%} against {acc_small:.1%}")
        otherwise = (f"{name}: overfitting is not seen: of the networks that fit the training set ({{fit}}), no larger "
                     "one has a higher test loss than a smaller one at no better test accuracy: " + pair_text + "."
                     if ratio <= 1 else
                     f"{name}: overfitting is not seen: of the networks that fit the training set ({{fit}}), the "
                     "largest rise in test loss from a smaller to a larger one at no better test accuracy is "
                     "{ratio:.2f}x, below the {threshold:g}x that counts as overfitting: " + pair_text + ".")
        c.check(f"{name}_overfits", ratio >= OVERFIT_RATIO, headline=headline, cause=cause, numbers=numbers,
                finding=f"{name}: {{small}} ({{p_small}} parameters) and {{big}} ({{p_big}}) both fit the training "
                        "set (train accuracy {tr_small:.1%} and {tr_big:.1%}), yet {big}'s test loss is "
                        "{ratio:.1f}x {small}'s ({te_big:#.3g} against {te_small:#.3g}) at no better test accuracy "
                        "({acc_big:.1%} against {acc_small:.1%}): the larger network does worse on unseen points "
                        "(overfitting).",
                otherwise=otherwise)

    best = next(r for r in rows if r["hidden"] == t["capacity_best"]["by_test_accuracy"])
    val = next(r for r in rows if r["hidden"] == t["capacity_best"]["by_validation"])
    gap = best["test_accuracy"][0] - val["test_accuracy"][0]
    numbers = {"val": _shape(val["hidden"]), "val_acc": val["test_accuracy"][0], "best": _shape(best["hidden"]),
               "best_acc": best["test_accuracy"][0], "best_std": best["test_accuracy"][1],
               "best_params": best["params"], "val_params": val["params"]}
    same = val is best
    c.check(f"{name}_capacity_choice", gap <= best["test_accuracy"][1], numbers=numbers,
            finding=(f"{name}: the validation set picks {{val}} ({{val_params}} parameters), the network with the best "
                     "test accuracy too ({val_acc:.1%})." if same else
                     f"{name}: the validation set picks {{val}} ({{val_acc:.1%}} on test), within one std of the best "
                     "test accuracy, {best_acc:.1%} +- {best_std:.1%} at {best} ({best_params} parameters)."),
            otherwise=f"{name}: the validation set picks {{val}} ({{val_acc:.1%}} on test), more than one std below "
                      "the best test accuracy, {best_acc:.1%} +- {best_std:.1%} at {best} ({best_params} parameters).")


def _trial_claims(c: Claims, name: str, t: dict, settings, quick: bool) -> None:
    trials = {r["label"]: r for r in t["trials"]}
    base = trials["none"]
    net = _shape(t["network"])
    gap = base["train_accuracy"][0] - base["test_accuracy"][0]
    c.check(f"{name}_gap", base["train_accuracy"][0] >= FIT and gap >= GAP, headline=True,
            numbers={"net": net, "train": base["train_accuracy"][0], "test": base["test_accuracy"][0],
                     "points": 100 * gap, "train_loss": base["train_loss"][0], "test_loss": base["test_loss"][0]},
            finding=f"{name}: without regularisation the {{net}} network fits its training set ({{train:.1%}} train "
                    "accuracy) and gets {test:.1%} on test, a gap of {points:.1f} points (loss {train_loss:#.3g} "
                    "on the training set, {test_loss:#.3g} on test).",
            otherwise=(f"{name}: without regularisation the {{net}} network does not fit its training set: it gets "
                       f"{{train:.1%}} of it right (fitting: {FIT:.1%} or more) and {{test:.1%}} of the test set."
                       if base["train_accuracy"][0] < FIT else
                       f"{name}: without regularisation the {{net}} network fits its training set ({{train:.1%}}) and "
                       f"gets {{test:.1%}} on test: a gap of only {{points:.1f}} points, below the {100 * GAP:g} that "
                       "would show overfitting."))

    chosen = {_name(n, s) for n, s in t["chosen"].items()}
    singles = [r for r in t["trials"] if len(r["components"]) == 1]
    picked = [r for r in singles if r["label"] in chosen]
    if picked:
        best = max(picked, key=lambda r: r["test_accuracy"][0])
        gain = best["test_accuracy"][0] - base["test_accuracy"][0]
        # paired by seed: the same data split and initial weights with and without the regulariser
        pairs = list(zip(best.get("per_seed_test_accuracy", []), base.get("per_seed_test_accuracy", [])))
        wins = sum(a > b for a, b in pairs)
        numbers = {"best": best["label"], "acc": best["test_accuracy"][0], "none": base["test_accuracy"][0],
                   "points": 100 * gain, "loss": best["test_loss"][0], "none_loss": base["test_loss"][0],
                   "threshold": 100 * GAIN, "wins": wins, "seeds": len(pairs),
                   "acc_std": best["test_accuracy"][1], "none_std": base["test_accuracy"][1]}
        c.check(f"{name}_best_regularizer", gain >= GAIN and pairs and wins == len(pairs), headline=True,
                numbers=numbers,
                finding=f"{name}: of the regularisers alone at their chosen strengths, {{best}} does best on test: "
                        "{acc:.1%} +- {acc_std:.1%} against {none:.1%} +- {none_std:.1%} without a regulariser "
                        "(+{points:.1f} points, mean of {seeds} seeds, higher on each of them; test loss {loss:#.3g} "
                        "against {none_loss:#.3g}).",
                otherwise=f"{name}: no regulariser alone raises the test accuracy by {{threshold:.0f}} points on "
                          "average and on every seed: the best, {best}, gets {acc:.1%} +- {acc_std:.1%} against "
                          "{none:.1%} +- {none_std:.1%} without one, higher on {wins} of {seeds} seeds (test loss "
                          "{loss:#.3g} against {none_loss:#.3g}).")
    if singles:
        lower = [r["label"] for r in singles if r["test_loss"][0] < base["test_loss"][0]]
        higher = [r["label"] for r in singles if r["test_accuracy"][0] > base["test_accuracy"][0]]
        numbers = {"k": len(lower), "m": len(higher), "n": len(singles), "none_loss": base["test_loss"][0],
                   "lower": ", ".join(lower) or "none", "higher": ", ".join(higher) or "none"}
        c.check(f"{name}_test_loss_lowered", len(lower) > len(singles) / 2, numbers=numbers,
                cause="this quick run tries one strength of each" if quick else None,
                finding=f"{name}: {{k}} of {{n}} regulariser settings alone lower the test loss below no "
                        "regulariser's {none_loss:#.3g} ({lower}); with {m} of them the test accuracy rises "
                        "({higher}).",
                otherwise=f"{name}: {{k}} of {{n}} regulariser settings alone lower the test loss below no "
                          "regulariser's {none_loss:#.3g} ({lower}), not most of them; with {m} of them the test "
                          "accuracy rises ({higher}).")

    combos = [r for r in t["trials"] if len(r["components"]) > 1]
    if combos:
        top = max(combos, key=lambda r: r["test_accuracy"][0])
        members = [trials[_name(n, s)] for n, s in top["components"] if _name(n, s) in trials]
        member = max(members, key=lambda r: r["test_accuracy"][0])
        worse = [r["label"] for r in combos if r["test_accuracy"][0] < base["test_accuracy"][0]]
        diff = top["test_accuracy"][0] - member["test_accuracy"][0]
        numbers = {"top": top["label"], "top_acc": top["test_accuracy"][0], "top_std": top["test_accuracy"][1],
                   "top_loss": top["test_loss"][0], "member": member["label"],
                   "member_acc": member["test_accuracy"][0], "member_std": member["test_accuracy"][1],
                   "member_loss": member["test_loss"][0], "points": 100 * diff, "threshold": 100 * GAIN,
                   "k": len(worse), "n": len(combos), "worse": f" ({', '.join(worse)})" if worse else ""}
        loss_word = "lower" if top["test_loss"][0] < member["test_loss"][0] else "higher"
        both = ("{top}: {top_acc:.1%} +- {top_std:.1%} on test, test loss {top_loss:#.3g}; its best member alone, "
                "{member}: {member_acc:.1%} +- {member_std:.1%}, test loss {member_loss:#.3g}")
        tail = "; {k} of {n} combinations do worse on test than no regulariser at all{worse}."
        c.check(f"{name}_combinations", diff >= GAIN, numbers=numbers,
                cause="this quick run tries one combination" if quick and len(combos) == 1 else None,
                finding=f"{name}: the best combination beats its best member alone by {{points:.1f}} points of test "
                        f"accuracy ({{threshold:.0f}} or more), at a {loss_word} test loss (" + both + ")" + tail,
                otherwise=f"{name}: no combination beats its best member alone by {{threshold:.0f}} points of test "
                          f"accuracy: the best combination differs from it by {{points:+.1f}} points, at a "
                          f"{loss_word} test loss (" + both + ")" + tail)

    stopping = {r["label"]: r for r in singles if r["components"][0][0] == "early-stopping"}
    if stopping:
        patience = t["chosen"].get("early-stopping", min(r["components"][0][1] for r in stopping.values()))
        kept = stopping[_name("early-stopping", patience)]
        detail = t["early_stopping"].get(kept["label"], [])
        _early_stopping_claim(c, name, t, kept, base, detail, patience, quick and len(settings.patience) == 1)
        if len(stopping) > 1:
            runs = list(stopping.values())
            same = all(r["per_seed_test_accuracy"] == runs[0]["per_seed_test_accuracy"] for r in runs)
            numbers = {"patiences": ", ".join(f"{r['components'][0][1]:g}" for r in runs),
                       "accs": ", ".join(f"{r['test_accuracy'][0]:.1%}" for r in runs)}
            c.check(f"{name}_patience_same", same, numbers=numbers,
                    finding=f"{name}: every patience ({{patiences}}) gives the same networks, seed by seed: each "
                            "outlasts the validation minimum, and the best epoch's weights are restored.",
                    otherwise=f"{name}: the patiences ({{patiences}}) give different networks (test accuracy "
                              "{accs}).")


def _early_stopping_claim(c: Claims, name, t, kept, base, detail, patience, one_patience) -> None:
    numbers = {"patience": patience, "kept": kept["best_epoch"] or kept["epochs_run"], "ran": kept["epochs_run"],
               "epochs": t["epochs"], "acc": kept["test_accuracy"][0], "none": base["test_accuracy"][0],
               "train": kept["train_accuracy"][0]}
    head = (f"{name}: early stopping with patience {{patience:g}} kept the weights of epoch {{kept:.0f}} on average "
            "(it ran {ran:.0f} of {epochs})")
    explained = []
    for d in detail:
        if not d["same_run"] or d["unstopped_test_accuracy"] - d["test_accuracy"] < LOST:
            continue
        s = d["seed"]
        numbers.update({f"s{s}_{k}": v for k, v in d.items() if k != "seed"})
        sentence = (f" Seed {s} kept epoch {{s{s}_kept_epoch}} ({{s{s}_test_accuracy:.1%}} on test against "
                    f"{{s{s}_unstopped_test_accuracy:.1%}} when trained to the end)")
        if d["unstopped_val_loss_min_epoch"] > d["kept_epoch"] and d["unstopped_val_loss_min"] < d["val_loss_kept"]:
            sentence += (f"; left to run, its validation loss went lower, {{s{s}_unstopped_val_loss_min:#.3g}} at "
                         f"epoch {{s{s}_unstopped_val_loss_min_epoch}} against {{s{s}_val_loss_kept:#.3g}} kept: "
                         "patience {patience:g} did not outlast the plateau.")
        elif (d["unstopped_val_accuracy_max"] > d["val_accuracy_kept"]
              and d["unstopped_val_accuracy_max_epoch"] > d["kept_epoch"]):
            sentence += (f"; left to run, its validation loss never went lower, yet its validation accuracy rose from "
                         f"{{s{s}_val_accuracy_kept:.0%}} to {{s{s}_unstopped_val_accuracy_max:.0%}} (epoch "
                         f"{{s{s}_unstopped_val_accuracy_max_epoch}}): the loss bottomed out before the accuracy "
                         "peaked.")
        else:
            sentence += "."
        explained.append(sentence)
    numbers["lost"] = 100 * (base["test_accuracy"][0] - kept["test_accuracy"][0])
    numbers["cost"] = 100 * COST
    c.check(f"{name}_early_stopping", kept["test_accuracy"][0] >= base["test_accuracy"][0] - COST, numbers=numbers,
            cause="this quick run tries one patience; the full run lets the validation set choose among several"
            if one_patience else None,
            finding=head + " and lost nothing on test: {acc:.1%} against {none:.1%} trained to the end.",
            otherwise=head + " and lost {lost:.1f} points on test, more than the {cost:g} point that counts as "
                             "losing nothing: {acc:.1%} against {none:.1%} trained to the end." + "".join(explained))


def _weight_claims(c: Claims, name: str, t: dict, settings) -> None:
    sgd = {r["label"]: r for r in t["weights_sgd"]}
    lam = settings.weight_lambdas[0]
    l2, l1 = sgd.get(_name("l2", lam)), sgd.get(_name("l1", lam))
    if l2 and l1:
        a, b, none = l1["near_zero"][0], l2["near_zero"][0], sgd["none"]["near_zero"][0]
        numbers = {"lam": lam, "l1": a, "l2": b, "none": none, "threshold": settings.near_zero,
                   "times": a / b if b else float("inf"), "l2_points": 100 * abs(b - none), "zeroed": 100 * ZEROED}
        l2_vs_none = (", which leaves about as many as no penalty (a difference of {l2_points:.1f} points)"
                      if abs(b - none) < ABOUT_AS_MANY else
                      ", which leaves {l2_points:.1f} points more than no penalty" if b > none else
                      ", which leaves {l2_points:.1f} points fewer than no penalty")
        c.check(f"{name}_l1_zeroes", a >= 2 * b and a - b >= ZEROED, headline=True, numbers=numbers,
                finding=f"{name}: under plain SGD at the same strength ({{lam:g}}), L1 leaves {{l1:.1%}} of the "
                        "weights below {threshold:g} and L2 {l2:.1%} (no penalty: {none:.1%}): L1 puts {times:.1f}x "
                        "as many weights near zero as L2" + l2_vs_none + ".",
                otherwise=f"{name}: under plain SGD at the same strength ({{lam:g}}), L1 does not leave clearly more "
                          "weights near zero than L2 (twice as many and {zeroed:.0f} points more): {l1:.1%} of the "
                          "weights below {threshold:g} against {l2:.1%} (no penalty: {none:.1%}).")
    trials = {r["label"]: r for r in t["trials"]}
    if "l2" in t["chosen"]:
        r = trials[_name("l2", t["chosen"]["l2"])]
        a, none = r["near_zero"][0], trials["none"]["near_zero"][0]
        l1_adam = trials.get(_name("l1", t["chosen"]["l1"])) if "l1" in t["chosen"] else None
        numbers = {"lam": t["chosen"]["l2"], "l2": a, "none": none, "threshold": settings.near_zero,
                   "times": a / none if none else float("inf"), "zeroed": 100 * ADAM_ZEROED}
        l1_text = ""
        if l1_adam is not None:
            numbers.update(l1_lam=t["chosen"]["l1"], l1=l1_adam["near_zero"][0])
            l1_text = " (L1 at its chosen strength, {l1_lam:g}: {l1:.1%})"
        c.check(f"{name}_adam_l2_zeroes", a >= 2 * none and a - none >= ADAM_ZEROED, numbers=numbers,
                finding=f"{name}: under Adam, L2 at its chosen strength ({{lam:g}}) leaves {{l2:.1%}} of the weights "
                        "below {threshold:g} against {none:.1%} without a penalty" + l1_text + ": {times:.1f}x as "
                        "many.",
                otherwise=f"{name}: under Adam, L2 at its chosen strength ({{lam:g}}) does not leave clearly more "
                          "weights near zero than no penalty (twice as many and {zeroed:.0f} points more): {l2:.1%} "
                          "below {threshold:g} against {none:.1%}" + l1_text + ".")


# -- the document ------------------------------------------------------------------------------------------------

def report(summary: dict, settings) -> Document:
    """The page's document: how each part was measured, its tables and figures; findings are claims."""
    doc = Document(TITLE)
    doc.paragraph(f"Every number is a mean +- sample std over {settings.seeds} seeds; seed s draws the data sample "
                  "(spiral), the train / validation / test split, the initial weights, dropout masks and augmentation "
                  "noise. Every network trains through `nnlab.fit`, full batch. The validation set is fit's test data "
                  "(early stopping watches it) and chooses each regulariser's strength; the test set is used for "
                  "nothing but these numbers. Accuracy and loss are the finished model's (after early stopping: the "
                  "kept epoch's weights), in eval mode, on the whole training, validation or test set as given.")
    files = set(summary["files"])
    shown: set[str] = set()

    def claims(ids):                      # the theory claims are shown once, under the first data set
        doc.claims([i for i in ids if i not in shown])
        shown.update(i for i in ids if not i.startswith(tuple(summary["tasks"])))

    for name, t in summary["tasks"].items():
        sizes = t["sizes"]
        doc.heading(name)
        doc.paragraph(f"{t['description']} ({sizes['train']} / {sizes['val']} / {sizes['test']}).")
        _capacity_section(doc, name, t, settings, files, claims)
        _trials_section(doc, name, t, settings, files, claims)
        _weights_section(doc, name, t, settings, claims)
    if "regularize_weights.png" in files:
        doc.heading("Weight magnitudes")
        doc.paragraph("Every weight-matrix entry of every seed's network, pooled, by log10 |w|; the legend's "
                      "fraction below the dashed line is the mean over seeds that the tables give. Plain SGD: no "
                      "penalty, and L2 and L1 at the same strength; Adam: the regulariser study's networks, L2 and L1 "
                      "at the strengths the validation set chose.")
        doc.image("regularize_weights.png", "weight magnitudes under L1 and L2")
    return doc


def _capacity_section(doc: Document, name: str, t: dict, settings, files, claims) -> None:
    doc.heading("Capacity sweep: unregularised networks from small to large", 3)
    dw = settings.depth_width
    doc.paragraph(f"Unregularised networks: two hidden layers of each width in "
                  f"({', '.join(map(str, settings.widths))}), and ({', '.join(map(str, settings.depths))}) hidden "
                  f"layers of {dw} units ({_shape((dw,) * 3)} is three hidden layers of {dw}); {t['epochs']} "
                  f"full-batch Adam epochs at lr {t['lr']:g}. "
                  f"A network fits the training set when its mean train accuracy is at least {FIT:.1%}; overfitting "
                  f"here means a larger network that fits has at least {OVERFIT_RATIO:g}x the test loss of a smaller "
                  f"one that fits, at a test accuracy no more than {100 * SAME_ACCURACY:g} point above it.")
    doc.table(["hidden layers", "parameters", "train accuracy", "test accuracy", "train loss", "test loss"],
              [[_shape(r["hidden"]), r["params"], _pm(r["train_accuracy"]), _pm(r["test_accuracy"]),
                _pm(r["train_loss"], False), _pm(r["test_loss"], False)] for r in t["capacity"]])
    claims([f"{name}_underfits", f"{name}_capacity_fits", f"{name}_overfits", "cross_entropy_unbounded",
            f"{name}_capacity_choice"])
    doc.image(f"regularize_{name}_capacity.png", f"{name}: accuracy and loss by network size")
    if f"regularize_{name}_boundaries_capacity.png" in files:
        doc.image(f"regularize_{name}_boundaries_capacity.png", f"{name}: decision regions by width")


def _trials_section(doc: Document, name: str, t: dict, settings, files, claims) -> None:
    chosen = {_name(n, s) for n, s in t["chosen"].items()}
    doc.heading("Regularisers alone and combined", 3)
    doc.paragraph(f"The {_shape(t['network'])} network, {t['epochs']} full-batch Adam epochs at lr {t['lr']:g}. "
                  "**Bold**: the strength the validation set chose (highest validation accuracy, ties to the lower "
                  "validation loss); combinations use those strengths. Weights below: the fraction of weight-matrix "
                  f"entries with |w| < {settings.near_zero:g}.")
    doc.table(["regulariser", "test accuracy", "test loss", "train accuracy", f"weights below {settings.near_zero:g}",
               "epochs run"],
              [[f"**{r['label']}**" if r["label"] in chosen else r["label"], _pm(r["test_accuracy"]),
                _pm(r["test_loss"], False), _pm(r["train_accuracy"]), f"{100 * r['near_zero'][0]:.1f} %",
                f"{r['epochs_run']:.0f}"] for r in t["trials"]])
    claims([f"{name}_gap", f"{name}_best_regularizer", f"{name}_test_loss_lowered", f"{name}_combinations",
            f"{name}_early_stopping", f"{name}_patience_same"])
    doc.image(f"regularize_{name}_accuracy.png", f"{name}: test accuracy and loss per regulariser")
    doc.paragraph("Seed 0's runs epoch by epoch. The training loss is the mean over the epoch's batches (one batch: "
                  "full batch) of the training-mode forward passes, with dropout and on augmented inputs; the "
                  "validation loss is measured in eval mode after each epoch.")
    doc.image(f"regularize_{name}_curves.png", f"{name}: training and validation loss per epoch")
    if f"regularize_{name}_boundaries.png" in files:
        doc.paragraph("Decision regions of seed 0's networks; each panel's title gives that network's own train and "
                      "test accuracy (the tables give means over seeds).")
        doc.image(f"regularize_{name}_boundaries.png", f"{name}: decision regions per regulariser")
    if f"regularize_{name}_shifts.png" in files:
        doc.paragraph("What the shift augmentation does: training images as given, and one random shift of each "
                      "(by at most the largest shift tried), drawn afresh every epoch.")
        doc.image(f"regularize_{name}_shifts.png", f"{name}: shifted training images")


def _weights_section(doc: Document, name: str, t: dict, settings, claims) -> None:
    doc.heading("L1 and L2: the weights they leave", 3)
    doc.paragraph(f"The same network with plain full-batch SGD at lr {t['sgd_lr']:g} ({t['sgd_epochs']} epochs), "
                  "where the penalty's gradient is the whole of its update, without a penalty and with L2 or L1 at "
                  f"each strength; weights below: the fraction of weight-matrix entries with |w| < "
                  f"{settings.near_zero:g}.")
    doc.table(["penalty", f"weights below {settings.near_zero:g}", "train accuracy", "test accuracy"],
              [[r["label"], _pm(r["near_zero"]), _pm(r["train_accuracy"]), _pm(r["test_accuracy"])]
               for r in t["weights_sgd"]])
    claims([f"{name}_l1_zeroes", "l1_l2_theory", f"{name}_adam_l2_zeroes", "adam_l2_theory"])
