"""The perceptron lab's page: its claims, built from summary.json's numbers, and the document around them."""
from __future__ import annotations

from nnlab.claims import Claims
from nnlab.document import Document

__all__ = ["TITLE", "make_claims", "report"]

TITLE = "The perceptron: the line after each update, the pocket algorithm and the capacity of a line"
NEAR_BEST = 0.02            # the pocket is "near the best line" within 2 points of training accuracy


def make_claims(summary: dict, quick: bool) -> Claims:
    c = Claims(quick=quick)
    s = summary["settings"]
    f4 = summary["figure4"]
    c.theory("rule_theory", "The seed's rule predicts +1 where w . x + b > 0 and, on a mistake, adds lr (y - y_hat) x "
             "to w and lr (y - y_hat) to b: the line turns and shifts towards the point it got wrong. Novikoff "
             "(1962): on separable data it stops after at most (R / gamma)^2 updates, R the largest |(x, 1)| and "
             "gamma the widest margin a unit-length (w, b) leaves.")
    c.check("figure4_converges", f4["converged"] and f4["same_as_fit"] and f4["right_last"] == f4["n"],
            headline=True, cause=False,
            numbers={**{k: f4[k] for k in ("n", "updates", "epochs", "shown", "frames", "w1", "w2", "b", "right_last")},
                     "lines": f4["updates"] + 1},
            finding="On the seed's {n} points the rule made {updates} updates in {epochs} epochs, the last one "
                    "without a mistake: its last line classifies all {n} right and is the seed program's own "
                    "(w = ({w1:.4g}, {w2:.4g}), b = {b:.4g}); the strip shows {shown} of its {lines} lines (the "
                    "start included), the GIF {frames}.",
            otherwise="On the seed's {n} points the rule did not finish with a mistake-free epoch in {epochs} "
                      "epochs ({updates} updates); its last line classifies {right_last} of {n} right.")
    nv = f4["novikoff"]
    if nv is not None:
        c.check("novikoff_holds", f4["updates"] <= nv["bound"], cause=False,
                numbers={"updates": f4["updates"], "bound": nv["bound"], "R": nv["R"], "gamma": nv["gamma"]},
                finding="Novikoff's bound holds, loosely: {updates} updates against at most {bound:,.0f} "
                        "(R = {R:.3f}, gamma = {gamma:.2g}).",
                otherwise="Against Novikoff's bound the rule made {updates} updates, more than {bound:,.0f} "
                          "(R = {R:.3f}, gamma = {gamma:.2g}): the margin was computed wrong.")
    c.check("updates_not_monotone", f4["worse"] > 0, headline=True, cause=False,
            numbers={k: f4[k] for k in ("worse", "better", "updates", "largest_drop", "n")},
            finding="An update fixes the point it was made on, not the count: {worse} of the {updates} updates left "
                    "fewer of the {n} points right than before (the largest drop: {largest_drop} points), "
                    "{better} left more.",
            otherwise="Every one of the {updates} updates left at least as many of the {n} points right as before "
                      "({better} left more).")

    p = summary["pocket"]
    nums = {"dataset": s["dataset"], "noise": s["noise"], "n": p["n"], "flipped": p["flipped"],
            "best": p["best_line_right"], "best_acc": p["best_line_train"],
            "how": "exact: every line through two points" if p["best_line_exact"]
            else "approximate: three points lie on one line"}
    c.check("noisy_not_separable", not p["separable"], cause=False, numbers=nums,
            finding="On {dataset} with {flipped} of the {n} training labels flipped ({noise:g}%) no line separates "
                    "the classes (the linear program y_i (w . x_i + b) >= 1 is infeasible); the best any line does "
                    "is {best} of {n} ({best_acc:.1%}; {how}).",
            otherwise="On {dataset} with {flipped} of the {n} training labels flipped ({noise:g}%) the classes are "
                      "still linearly separable (the linear program is feasible), so the plain rule can settle.")
    nums = {"epochs": p["epochs"], "min_mistakes": p["min_mistakes"], "low": p["plain_second_half_low"],
            "high": p["plain_second_half_high"], "last": p["plain_train"], "noise": s["noise"]}
    if p["converged"]:
        otherwise = ("The plain rule settled: epoch {epochs} had no mistake, so these points are separable and "
                     "the pocket has nothing to add.")
    elif p["min_mistakes"] == 0:
        otherwise = "The plain rule had a mistake-free epoch but stopped at the epoch limit."
    else:
        otherwise = ("The plain rule never had a mistake-free epoch in {epochs}, but in the second half its "
                     "accuracy at the end of an epoch no longer moved ({low:.1%}).")
    c.check("plain_never_settles", not p["converged"] and p["min_mistakes"] > 0 and nums["high"] > nums["low"],
            headline=True, cause=False, numbers=nums,
            finding="The plain rule never settled: every one of its {epochs} epochs had mistakes (at least "
                    "{min_mistakes}), and in the second half its training accuracy at the end of an epoch still "
                    "ranged from {low:.1%} to {high:.1%}; it stopped where the last mistake left it, at {last:.1%}.",
            otherwise=otherwise)
    nums = {"pocket": p["pocket_train"], "plain": p["plain_train"],
            "gain": 100 * (p["pocket_train"] - p["plain_train"]), "at": p["pocket_update"],
            "total": p["pocket_updates_total"]}
    c.check("pocket_keeps_best", p["pocket_train"] > p["plain_train"], cause=False, numbers=nums,
            finding="The pocket kept the best weights the rule visited: training accuracy {pocket:.1%} against the "
                    "plain rule's last {plain:.1%} ({gain:+.1f} points); it found them at update {at} of {total}.",
            otherwise="The pocket's weights score {pocket:.1%} on the training points (found at update {at} of "
                      "{total}), no better than the plain rule's last ({plain:.1%}): this run's rule happened to "
                      "stop on weights as good as the best it saw.")
    gap = p["best_line_train"] - p["pocket_train"]
    c.check("pocket_near_best", gap <= NEAR_BEST + 1e-12, headline=True, cause=None if quick else False,
            numbers={"pocket": p["pocket_train"], "best": p["best_line_train"], "gap": 100 * gap,
                     "tol": 100 * NEAR_BEST, "epochs": p["epochs"]},
            finding="After {epochs} epochs the pocket's training accuracy ({pocket:.1%}) is {gap:.1f} points short "
                    "of the best any line does ({best:.1%}): within {tol:g} points.",
            otherwise="After {epochs} epochs the pocket's training accuracy ({pocket:.1%}) is {gap:.1f} points "
                      "short of the best any line does ({best:.1%}): more than {tol:g}.")
    nums = {"pocket": p["pocket_test"], "mean": p["plain_test_second_half_mean"],
            "low": p["plain_test_second_half_low"], "high": p["plain_test_second_half_high"],
            "last": p["plain_test"], "n_test": p["n_test"], "noise": s["noise"],
            "half": p["epochs"] - p["epochs"] // 2}
    c.check("pocket_held_out", p["pocket_test"] > nums["mean"], headline=True, cause=False, numbers=nums,
            finding="Held out ({n_test} points, labels flipped alike, {noise:g}%), the pocket's line scores "
                    "{pocket:.1%}; the plain rule's lines at the ends of its last {half} epochs score "
                    "{mean:.1%} on average, from {low:.1%} to {high:.1%} (its last line: {last:.1%}).",
            otherwise="Held out ({n_test} points, labels flipped alike, {noise:g}%), the pocket's line scores "
                      "{pocket:.1%}, not above the {mean:.1%} the plain rule's lines at the ends of its last "
                      "{half} epochs score on average (from {low:.1%} to {high:.1%}; its last line: {last:.1%}).")
    c.theory("pocket_theory", "The pocket algorithm (Gallant 1990) runs the same rule and keeps aside the weights "
             "that classify the most training points; it changes nothing on the rule's path, only what is "
             "returned. With the samples presented in random order the pocket's weights become optimal with "
             "probability approaching 1 as training goes on; here they come in a fixed order (the seed's), so that "
             "guarantee does not apply, and the page compares with the exact best line instead.")

    cap = summary["capacity"]
    c.theory("cover_theory", "Cover's counting theorem (1965): of the 2^N labellings of N points in general position "
             "in the plane, a line (two weights and a bias) separates C(N, 3) = 2 (1 + (N - 1) + (N - 1)(N - 2) / 2): "
             "8 of 8 for N = 3, 14 of 16 for N = 4, 22 of 32 for N = 5, 32 of 64 for N = 6. A line shatters three "
             "points and no four: its VC dimension is 3.")
    t = cap["three"]
    c.check("three_shattered", t["separable"] == t["labellings"] == t["converged_separable"], headline=True,
            cause=False, numbers={"sep": t["separable"], "all": t["labellings"], "conv": t["converged_separable"],
                                  "most": t["max_epochs_separable"], "budget": s["max_epochs"]},
            finding="A line shatters three points in general position: all {all} labellings of (0, 0), (1, 0), "
                    "(0, 1) are separable (linear program), and the perceptron found a separating line for each, "
                    "in at most {most} epochs.",
            otherwise="Of the {all} labellings of three points {sep} are separable (linear program) and the "
                      "perceptron converged on {conv} of them within {budget} epochs.")
    q = cap["square"]
    xor_pair = sorted(map(tuple, q["not_separable"])) == sorted([(-1, 1, 1, -1), (1, -1, -1, 1)])
    c.check("xor_not_shattered", q["separable"] == 14 and xor_pair and q["agree"] and q["stuck_min_mistakes"] > 0,
            headline=True, cause=False,
            numbers={"sep": q["separable"], "all": q["labellings"], "conv": q["converged"],
                     "most": q["max_epochs_separable"], "budget": s["max_epochs"],
                     "stuck": q["stuck_min_mistakes"], "bad": ", ".join(str(tuple(l)) for l in q["not_separable"])},
            finding="A line does not shatter the four XOR points: {sep} of their {all} labellings are separable "
                    "(linear program); the two that are not are XOR and its complement ({bad}, points (0,0), "
                    "(0,1), (1,0), (1,1)). The perceptron converged on exactly the {sep} (in at most {most} epochs) "
                    "and on the other two made at least {stuck} mistakes in every one of its {budget} epochs.",
            otherwise="Of the {all} labellings of the four XOR points {sep} are separable by the linear program "
                      "(not separable: {bad}) and the perceptron converged on {conv} within {budget} epochs.")
    rows = cap["cover"]
    listing = "; ".join(f"N = {r['n']}: {r['separable']} of {r['labellings']} (Cover: {r['cover']})" for r in rows)
    c.check("cover_count_matches", all(r["separable"] == r["cover"] for r in rows), headline=True, cause=False,
            numbers={"sizes": [r["n"] for r in rows], "counts": [r["separable"] for r in rows],
                     "cover": [r["cover"] for r in rows]},
            finding=f"Random points in general position give Cover's counts exactly: separable labellings by linear "
                    f"program, {listing}.",
            otherwise=f"Random points do not give Cover's counts: {listing}.")
    missed = sum(r["separable"] - r["converged_separable"] for r in rows)
    separable_total = sum(r["separable"] for r in rows)
    where = ", ".join(f"N = {r['n']}: {r['separable'] - r['converged_separable']}" for r in rows
                      if r["separable"] > r["converged_separable"])
    bounds = [(b, r["budget_updates"]) for r in rows for b in r["missed_bounds"]]
    beyond = all(b > budget for b, budget in bounds)
    smallest = min(bounds, default=(0.0, 0))
    why = ("; their widest margins are thin, so Novikoff's bound for them is {bound:,.0f} updates or more, beyond "
           "the {budget:,} the budget can make" if beyond else
           "; Novikoff's bound ({bound:,.0f} updates for one of them) does not exceed the budget's {budget:,}")
    c.check("perceptron_within_budget", missed == 0, cause=False,
            numbers={"missed": missed, "separable": separable_total, "budget": s["max_epochs"], "where": where,
                     "most": max(r["max_epochs_separable"] for r in rows), "bound": smallest[0],
                     "budget_updates": smallest[1]},
            finding="On the random point sets the perceptron found a line for every one of the {separable} "
                    "separable labellings within its budget of {budget} epochs (at most {most}).",
            otherwise="On {missed} of the {separable} separable labellings of the random point sets ({where}) the "
                      "perceptron had not found a line after its budget of {budget} epochs, though the linear "
                      "program finds one" + why.replace("{budget:,}", "{budget_updates:,}") + ".")
    return c


def _pct(x) -> str:
    return f"{x:.1%}"


def report(summary: dict, claims: Claims) -> Document:
    s, p, cap = summary["settings"], summary["pocket"], summary["capacity"]
    seed = summary["seed_program"]
    doc = Document(TITLE)
    doc.paragraph("Rosenblatt's perceptron learning algorithm, exactly as the seed's program runs it (w = 0, b = 0, "
                  f"lr = {s['lr']:g}, samples in their order, at most {s['max_epochs']} epochs), then what the seed "
                  "only describes: its Figure 4 (the line after each update), data no line separates (the pocket "
                  "algorithm), and how many labellings a line can realise at all.")
    doc.heading("1. The seed's program")
    doc.paragraph(f"On the seed's 200 points (seed {s['seed']}) the rule converged after {seed['linear']['epochs']} "
                  f"epochs with training accuracy {_pct(seed['linear']['accuracy'])}; on the four XOR points it ran "
                  f"all {seed['xor']['epochs']} epochs, ending at accuracy {_pct(seed['xor']['accuracy'])}.")
    doc.image("perceptron_visualization.png", "the seed's perceptron program")
    doc.heading("2. Figure 4: the line after each update")
    doc.claims(["rule_theory", "figure4_converges"] + (["novikoff_holds"] if "novikoff_holds" in claims else [])
               + ["updates_not_monotone"])
    doc.paragraph("Each panel shows the line after one update (black), the line before it (grey, dashed) and the "
                  "point the rule got wrong (ringed); the shading is the side the line calls +1 (red) or -1 (blue). "
                  "The GIF shows every update in order (thinned evenly when there are more than "
                  f"{s['gif_frames']}), beside the number of points each line gets right.")
    doc.image("perceptron_updates.png", "the line after each update")
    doc.image("perceptron_updates.gif", "the line after each update, animated")
    doc.heading("3. Data no line separates: the plain rule and the pocket")
    doc.claims(["noisy_not_separable", "plain_never_settles", "pocket_keeps_best", "pocket_held_out",
                "pocket_near_best", "pocket_theory"])
    doc.table(["weights", "training accuracy", "held-out accuracy"],
              [["plain rule, last", _pct(p["plain_train"]), _pct(p["plain_test"])],
               [f"plain rule, epoch ends (mean of the last {p['epochs'] - p['epochs'] // 2})",
                _pct(p["plain_second_half_mean"]), _pct(p["plain_test_second_half_mean"])],
               ["pocket", _pct(p["pocket_train"]), _pct(p["pocket_test"])],
               ["best line (exact)" if p["best_line_exact"] else "best line (approximate)",
                _pct(p["best_line_train"]), "n/a"]])
    doc.paragraph(f"Data: {s['dataset']}, {p['n']} training and {p['n_test']} held-out points, exactly "
                  f"{s['noise']:g}% of each part's labels flipped ({p['flipped']} and {p['flipped_test']}); "
                  f"{p['epochs']} epochs. Change them with `--dataset`, `--noise` (percent, 0 to 50) and `--n`.")
    doc.image("perceptron_pocket.png", "the plain rule and the pocket")
    doc.heading("4. Capacity: which labellings a line realises")
    doc.claims(["cover_theory", "three_shattered", "xor_not_shattered", "cover_count_matches",
                "perceptron_within_budget"])
    doc.paragraph("Separable or not is decided exactly by a linear program (scipy's HiGHS): find w, b with "
                  "y_i (w . x_i + b) >= 1 for every point. The perceptron's verdict is what it reached in its "
                  f"budget of {s['max_epochs']} epochs. A red frame marks a labelling no line separates; a panel "
                  "title in red marks a disagreement between the two. The rule calls +1 only "
                  "where w . x + b > 0, so a point exactly on its line counts as -1: with these integer points and "
                  f"lr = {s['lr']:g} that happens, and a converged line may pass through points labelled -1.")
    doc.image("perceptron_capacity.png", "every labelling of three points and of the four XOR points")
    doc.table(["random points N", "labellings", "separable (LP)", "Cover's count", "perceptron converged",
               "most epochs it needed", "separable, no line in the budget", "Novikoff's bound for those (updates)"],
              [[r["n"], r["labellings"], r["separable"], r["cover"], r["converged"], r["max_epochs_separable"],
                len(r["missed"]), ", ".join(f"{b:,.0f}" for b in r["missed_bounds"]) or "-"]
               for r in cap["cover"]])
    return doc
