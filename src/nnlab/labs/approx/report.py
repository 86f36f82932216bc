"""The universal-approximation lab's page: its claims, built from summary.json's numbers, and the document around
them. Every sentence that says what happened is a claim; the prose says what was done and how to read it."""
from __future__ import annotations

import numpy as np

from nnlab.claims import Claims
from nnlab.document import Document
from nnlab.labs.approx.targets import TARGETS

__all__ = ["report", "make_claims", "TITLE", "POWER_LAW_FACTOR"]

TITLE = "Universal approximation, measured"
POWER_LAW_FACTOR = 1.5      # a log-log slope is shown where every point lies within this factor of the line
STEP_MAX_ERROR = 0.4        # "keeps a large max error": at least this at every width (half the jump: 0.5)
ABS_CLOSE = 0.05            # relu "fits |x| closely": RMS below this at the widest layer
DEEP_EXACT = 1e-5           # the deep sawtooth net is exact: max error below this
SHALLOW_FAR = 0.05          # a shallow net with the deep budget stays far from exact: best RMS at least this
W2_TOLERANCE = 0.2          # "falls like w^2": each step's ratio within 20 % of (w / w')^2


def _g(x, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}g}"


def _rms(summary, t, a, w, key="rms"):
    return summary["errors"][t][a][str(w)][key]


def _widths(summary) -> list[int]:
    return list(summary["settings"]["widths"])


def _rises(summary, t, a) -> list[tuple[int, int, float, float, float, float]]:
    """Each widening step where the dense-grid RMS rose: (w, w', rms, rms', train rms, train rms')."""
    ws = _widths(summary)
    out = []
    for w, w2 in zip(ws, ws[1:]):
        e, e2 = _rms(summary, t, a, w), _rms(summary, t, a, w2)
        if e2 > e:
            out.append((w, w2, e, e2, _rms(summary, t, a, w, "train_rms"), _rms(summary, t, a, w2, "train_rms")))
    return out


def make_claims(summary: dict, quick: bool) -> Claims:
    """What this run shows, each sentence from the numbers, each stated as a finding only where it holds."""
    c = Claims(quick=quick)
    s = summary["settings"]
    ws = _widths(summary)
    lo, hi = min(ws), max(ws)
    targets, activations = list(summary["errors"]), list(s["activations"])
    pairs = [(t, a) for t in targets for a in activations]

    c.theory("uat_theory", "Universal approximation: one hidden layer with enough units of a non-polynomial "
             "activation fits any continuous function on an interval as closely as one likes. It does not say how "
             "fast the error falls with width, nor that training finds the fit. A wider layer can represent every "
             "function a narrower one can (zero the extra units' output weights), so the best error a width can "
             "reach never rises with width; a measured rise is the optimiser's.")

    # -- the width sweep
    if hi > lo:
        ratios = {(t, a): _rms(summary, t, a, hi) / _rms(summary, t, a, lo) for t, a in pairs}
        best, worst = min(ratios, key=ratios.get), max(ratios, key=ratios.get)
        rose = [f"{a} on {t} ({_rms(summary, t, a, lo):.3g} -> {_rms(summary, t, a, hi):.3g})"
                for (t, a), r in ratios.items() if r >= 1]
        c.check("error_falls_with_width", not rose, headline=True,
                numbers={"lo": lo, "hi": hi, "best": ratios[best], "worst": ratios[worst],
                         "best_case": f"{best[1]} on {best[0]}", "worst_case": f"{worst[1]} on {worst[0]}",
                         "rose": "; ".join(rose), "ratios": {f"{t}/{a}": r for (t, a), r in ratios.items()}},
                finding="For every target and activation the RMS error at width {hi} is below the error at width "
                        "{lo}: {best:.2g} times it at best ({best_case}), {worst:.2g} times it at worst "
                        "({worst_case}).",
                otherwise="Widening from {lo} to {hi} did not lower the RMS error everywhere; it rose for {rose}.")
        for a in activations:
            rises = {t: _rises(summary, t, a) for t in targets}
            rises = {t: r for t, r in rises.items() if r}
            listing = "; ".join(f"{t} {w} -> {w2} ({e:.3g} -> {e2:.3g})" for t, r in rises.items()
                                for w, w2, e, e2, *_ in r)
            steps = [step for r in rises.values() for step in r]
            train_rose = sum(tr2 > tr for *_, tr, tr2 in steps)
            cause = None
            if steps:
                cause = (f"at {train_rose} of these {len(steps)} steps the error on the training points rose too: "
                         "the wider net was not trained to what it can represent, an optimisation shortfall"
                         if train_rose else
                         "at each of these steps the error on the training points fell: the wider net fits the "
                         "training points better and the dense grid between them worse")
                if quick and train_rose:        # longer training could lower a training error that rose
                    cause += f"; this quick run trains {s['epochs']} epochs, run without --quick"
            c.check(f"falls_every_step_{a}", not rises, cause=cause or False,
                    numbers={"activation": a, "rises": listing, "steps": len(steps), "train_rose": train_rose,
                             "widths": ws},
                    finding="{activation}: the RMS error falls at every widening step, on every target.",
                    otherwise="{activation}: the RMS error does not fall at every widening step; it rises on "
                              "{rises}.")
        smooth = [t for t in targets if TARGETS[t].smooth]
        if "step" in targets and smooth:
            per = {a: {t: ratios[(t, a)] for t in smooth + ["step"]} for a in activations}
            slower = [f"{a} on {t} ({r:.2g} against the step's {per[a]['step']:.2g})"
                      for a in activations for t, r in per[a].items() if t != "step" and r >= per[a]["step"]]
            listing = "; ".join(f"{a}: " + ", ".join(f"{t} {r:.2g}" for t, r in per[a].items())
                                for a in activations)
            c.check("smooth_fall_faster_than_step", not slower,
                    numbers={"lo": lo, "hi": hi, "listing": listing, "slower": "; ".join(slower), "ratios": per},
                    finding="Every smooth target's error fell further than the step's from width {lo} to {hi} "
                            "(RMS at {hi} over RMS at {lo}: {listing}).",
                    otherwise="Not every smooth target's error fell further than the step's from width {lo} to "
                              "{hi}: {slower} (RMS at {hi} over RMS at {lo}: {listing}).")

    if "abs" in targets and "relu" in activations:
        c.theory("abs_two_relus", "|x| = relu(x) + relu(-x): two relu units represent |x| exactly; a tanh layer "
                 "of any width is smooth and has no kink, so it only approaches |x|.")
        from4 = [w for w in ws if w >= 4]
        if from4:
            others = [a for a in activations if a != "relu"]
            worse = [(w, a) for w in from4 for a in others if _rms(summary, "abs", "relu", w)
                     >= _rms(summary, "abs", a, w)]
            listing = "; ".join(f"width {w}: relu {_rms(summary, 'abs', 'relu', w):.2g}"
                                + "".join(f", {a} {_rms(summary, 'abs', a, w):.2g}" for a in others)
                                for w in from4)
            numbers = {"hi": hi, "relu_hi": _rms(summary, "abs", "relu", hi), "listing": listing,
                       "close": ABS_CLOSE, "others": " or ".join(others) or "another activation"}
            two = ""
            if 2 in ws:
                numbers["relu_2"] = _rms(summary, "abs", "relu", 2)
                two = " At width 2, where two relu units are exact, training reached {relu_2:.2g}."
            close = numbers["relu_hi"] < ABS_CLOSE
            numbers["worse"] = ", ".join(f"{a} at width {w}" for w, a in worse)
            numbers["worse_count"], numbers["compared"] = len(worse), len(from4) * len(others)
            missed = ([] if close else ["its RMS at width {hi} is {relu_hi:.2g}, not below {close}"]) + (
                ["it is not better than {worse} ({worse_count} of {compared} comparisons)"] if worse else [])
            c.check("relu_fits_abs", close and not worse, headline=True, numbers=numbers,
                    finding="relu fits |x| closely (RMS {relu_hi:.2g} at width {hi}, below {close}) and better than "
                            "{others} at every width from 4 on ({listing})." + two,
                    otherwise="relu does not fit |x| both closely and better than {others} at every width from 4 "
                              "on: " + "; ".join(missed) + " ({listing})." + two)

    if "step" in targets:
        h = 4.0 / (s["n_test"] - 1)
        c.theory("step_theory", "Every continuous function differs from the step by at least 0.5 (half the jump) "
                 "just beside x = 0, whatever the width; the dense grid (spacing {h:.4f}) sees this unless the "
                 "net's ramp fits between two of its points.", {"h": h})
        maxes = {(a, w): summary["errors"]["step"][a][str(w)]["max"] for a in activations for w in ws}
        low = min(maxes, key=maxes.get)
        rms_hi = {a: _rms(summary, "step", a, hi) for a in activations}
        kept = maxes[low] >= STEP_MAX_ERROR
        not_lower = [a for a in activations if rms_hi[a] >= _rms(summary, "step", a, lo)]
        missed = ([] if kept else ["its max error fell to {min_max:.2f} ({at}), below {threshold}"]) + (
            ["its RMS error did not fall from width {lo} to {hi} for {not_lower}"] if not_lower else [])
        c.check("step_keeps_max_error", kept and not not_lower, headline=True,
                cause=False if not kept else None,      # a max error that fell is not what a longer run would undo
                numbers={"min_max": maxes[low], "at": f"{low[0]} at width {low[1]}", "hi": hi, "lo": lo,
                         "threshold": STEP_MAX_ERROR, "not_lower": ", ".join(not_lower),
                         "rms": ", ".join(f"{a} {_rms(summary, 'step', a, lo):.2g} -> {r:.2g}"
                                          for a, r in rms_hi.items())},
                finding="The step keeps a max error of {min_max:.2f} or more at every width and activation (lowest: "
                        "{at}), while its RMS error falls from width {lo} to {hi} ({rms}): widening lowers the "
                        "error on average, not at the jump.",
                otherwise="The step does not show a max error that stays while the RMS error falls: "
                          + "; ".join(missed) + " (RMS error from width {lo} to {hi}: {rms}).")

    crit = summary["criterion_tenth_of_width_2"]
    if crit:
        key = f"rms_at_{hi}"
        met = [f"{k} {v['ratio']:.2g}" for k, v in crit.items() if v["met"]]
        unmet = [f"{k} {v['ratio']:.2g}" for k, v in crit.items() if not v["met"]]
        c.check("criterion_tenth_of_width_2", not unmet,
                numbers={"hi": hi, "met": ", ".join(met) or "none", "unmet": ", ".join(unmet),
                         "met_count": len(met), "total": len(crit),
                         "ratios": {k: v["ratio"] for k, v in crit.items()},
                         "rms": {k: [v["rms_at_2"], v[key]] for k, v in crit.items()}},
                finding="On every smooth target and activation the RMS error at width {hi} is below a tenth of "
                        "width 2's (RMS at {hi} / RMS at 2: {met}).",
                otherwise="Not every smooth target and activation has an RMS error at width {hi} below a tenth of "
                          "width 2's (RMS at {hi} / RMS at 2 below 0.1): {met_count} of {total} are ({met}); not: "
                          "{unmet}.")

    # -- two tanh units on x^2
    rows = summary["square_by_two_tanh_units"]
    c.theory("two_tanh_theory", "a (tanh(b + w x) + tanh(b - w x)) - 2 a tanh(b) = x^2 + O(w^2 x^4) with "
             "a = 1 / (tanh''(b) w^2), b = -atanh(1/sqrt 3) (Taylor's theorem): two tanh units fit x^2 as closely "
             "as one likes, and the error falls like w^2.")
    steps = [(a["w"], b["w"], a["rms_float64"] / b["rms_float64"], (a["w"] / b["w"]) ** 2)
             for a, b in zip(rows, rows[1:])]
    if steps:
        like = all(abs(got / want - 1) <= W2_TOLERANCE for *_, got, want in steps)
        last = rows[-1]
        off = [f"{w:g} -> {w2:g}" for w, w2, got, want in steps if abs(got / want - 1) > W2_TOLERANCE]
        c.check("two_tanh_units_fit_square", like, headline=True, cause=False,     # set weights: nothing to train
                numbers={"w": last["w"], "rms": last["rms_float64"], "steps": len(steps), "off": ", ".join(off),
                         "off_count": len(off),
                         "ratios": "; ".join(f"{w:g} -> {w2:g}: {got:.3g} against {want:.3g}"
                                             for w, w2, got, want in steps),
                         "tolerance": W2_TOLERANCE},
                finding="Two tanh units set by the construction fit x^2 to RMS {rms:.2g} at w = {w} (float64), and "
                        "the error falls like w^2: at each of the {steps} steps from w to w' it is divided by "
                        "(w / w')^2 within {tolerance:.0%} (divided by, against (w / w')^2: {ratios}).",
                otherwise="The construction's float64 error does not fall like w^2 at every step of w: at "
                          "{off_count} of {steps} steps ({off}) the factor it is divided by lies more than "
                          "{tolerance:.0%} from (w / w')^2 (divided by, against (w / w')^2: {ratios}).")
        f32 = min(rows, key=lambda r: r["rms_float32"])
        u = float(np.finfo(np.float32).eps) / 2
        c.theory("float32_theory", "In float32 each tanh carries a rounding error of about {u:.0e} of its value, and "
                 "the output weight a ~ 1 / w^2 multiplies it: the float32 error grows like 1 / w^2 as w shrinks "
                 "while the construction's own error falls like w^2, so the float32 error is expected to be lowest "
                 "near w ~ ({u:.0e})^(1/4) = {w_star:.2g}, up to constant factors.", {"u": u, "w_star": u ** 0.25})
        c.check("float32_floor", last["rms_float32"] > 10 * last["rms_float64"], cause=False,
                numbers={"w": last["w"], "f32": last["rms_float32"], "f64": last["rms_float64"], "w_best": f32["w"],
                         "f32_best": f32["rms_float32"]},
                finding="In float32 the construction stops improving: at w = {w} its RMS is {f32:.2g} against "
                        "{f64:.2g} in float64 (more than 10 x), and its float32 error is lowest at w = {w_best} "
                        "({f32_best:.2g}).",
                otherwise="In float32 the construction did not stop improving: at w = {w} its RMS is {f32:.2g} "
                          "against {f64:.2g} in float64, within a factor 10 (its float32 error is lowest at "
                          "w = {w_best}, {f32_best:.2g}).")
        if "square" in targets and "tanh" in activations and 2 in ws:
            trained = _rms(summary, "square", "tanh", 2)
            c.check("trained_tanh_square_width2", trained > 10 * f32["rms_float32"], cause=False,
                    numbers={"trained": trained, "best": f32["rms_float32"], "w": f32["w"]},
                    finding="The trained width-2 tanh net fits x^2 to RMS {trained:.2g}, while two units set by the "
                            "construction reach {best:.2g} (w = {w}, float32): at width 2 the trained error "
                            "measures the optimiser, not the capacity.",
                    otherwise="The trained width-2 tanh net came within a factor 10 of the construction on x^2: RMS "
                              "{trained:.2g} against the construction's {best:.2g} (w = {w}, float32), so this run "
                              "does not show the optimiser falling short at width 2.")

    # -- the sawtooth
    saw = summary["sawtooth"]
    if saw:
        c.theory("sawtooth_counting", "A deep relu net of width 2 computes the sawtooth with 2^(k-1) teeth exactly "
                 "with 6k + 1 parameters (each layer one tent map); one hidden layer needs a unit per kink, "
                 "3 * 2^k + 1 parameters ({counts}). Where the deep count is the smaller, no one-hidden-layer net of "
                 "that size is exact.",
                 {"counts": "; ".join(f"k = {r['k']}: {r['deep_params']} against {r['shallow_exact_params']}"
                                      for r in saw)})
        beyond = [r for r in saw if r["deep_params"] < r["shallow_exact_params"]]
        deep_max = max(r["deep_max_error"] for r in saw)
        shallow = ", ".join(f"{r['shallow_equal_budget_rms']:.3f} at k = {r['k']}" for r in beyond)
        if beyond:
            near = [r for r in beyond if r["shallow_equal_budget_rms"] < SHALLOW_FAR]
            exact = deep_max < DEEP_EXACT
            missed = ([] if exact else ["the deep width-2 net with set weights is not exact (max error {deep_max:.1e}, "
                                        "not below {exact:g})"]) + (
                ["a trained one-hidden-layer net with the deep budget came close to exact for {near_count} of "
                 "{beyond_count} values of k (RMS below {far})"] if near else [])
            c.check("depth_beats_width", exact and not near, headline=True, cause=False,
                    numbers={"deep_max": deep_max, "shallow": shallow, "far": SHALLOW_FAR, "exact": DEEP_EXACT,
                             "near_count": len(near), "beyond_count": len(beyond),
                             "seeds": beyond[0]["shallow_seeds"]},
                    finding="The deep width-2 net with set weights is exact at every k (max error {deep_max:.1e}); "
                            "where its budget is below the exact one-hidden-layer count, the best of {seeds} trained "
                            "one-hidden-layer nets with the same parameters reached RMS {shallow}.",
                    otherwise="Depth did not beat width here: " + "; ".join(missed) + " (deep net's max error "
                              "{deep_max:.1e}; best of {seeds} trained one-hidden-layer nets with its parameters: RMS "
                              "{shallow}).")
        c.theory("mean_stationary", "The teeth are symmetric about x = 1/2: a relu whose kink lies outside [0, 1] is "
                 "linear there, a linear function is uncorrelated with the target, so a net whose kinks all lie "
                 "outside fits at best the constant mean, and there the gradient is zero: the mean is a stationary "
                 "point of training.")
        left, total = sum(r["shallow_seeds_below_mean"] for r in saw), sum(r["shallow_seeds"] for r in saw)
        stayed = total - left
        near = sum(r.get("shallow_seeds_near_mean", 0) for r in saw) if all("shallow_seeds_near_mean" in r
                                                                            for r in saw) else None
        how_many = (f"All {total} trained one-hidden-layer nets" if stayed == total else
                    f"Most trained one-hidden-layer nets ({stayed} of {total})" if 2 * stayed > total else
                    f"{stayed} of {total} trained one-hidden-layer nets")
        c.check("shallow_stay_at_mean", 4 * left <= total, cause=False,
                numbers={"left": left, "total": total, "stayed": stayed, "how_many": how_many, "near": near,
                         "per_k": ", ".join(f"{r['shallow_seeds'] - r['shallow_seeds_below_mean']} of "
                                            f"{r['shallow_seeds']} at k = {r['k']}" for r in saw),
                         "left_per_k": ", ".join(f"{r['shallow_seeds_below_mean']} of {r['shallow_seeds']} at "
                                                 f"k = {r['k']}" for r in saw)},
                finding="{how_many} did no better than the best constant: "
                        "their RMS ended at 95 % of the constant's or above ({per_k})"
                        + ("; {near} of {total} ended within 5 % of it." if near is not None else "."),
                otherwise="More than a quarter of the trained one-hidden-layer nets did better than the best "
                          "constant: {left} of {total} ended below 95 % of its RMS ({left_per_k}).")
        k2 = next((r for r in saw if r["deep_params"] >= r["shallow_exact_params"]), None)
        if k2:
            # cause=False: the full run (more seeds, more epochs) did not find it either; no quick-mode excuse
            c.check("exact_budget_found", k2["shallow_equal_budget_rms"] < 0.1 * k2["target_std"], cause=False,
                    numbers={"k": k2["k"], "params": k2["deep_params"], "rms": k2["shallow_equal_budget_rms"],
                             "std": k2["target_std"], "seeds": k2["shallow_seeds"]},
                    finding="At k = {k}, where {params} parameters allow an exact one-hidden-layer fit, training "
                            "came close to it: the best of {seeds} trained seeds reached RMS {rms:.3f}, below a tenth "
                            "of the best constant's {std:.3f}.",
                    otherwise="At k = {k}, where {params} parameters allow an exact one-hidden-layer fit, training "
                              "did not come close to it: the best of {seeds} trained seeds reached RMS {rms:.3f}, "
                              "not below a tenth of the best constant's {std:.3f}.")
    return c


def report(summary: dict) -> Document:
    """The page's document: what was run, its tables and figures; findings are claims."""
    s = summary["settings"]
    ws = _widths(summary)
    lo, hi = min(ws), max(ws)
    doc = Document(TITLE)
    doc.heading("One hidden layer of growing width")
    doc.paragraph(f"Nets 1 -> width -> 1, widths {', '.join(map(str, ws))}, activations "
                  f"{', '.join(s['activations'])}; full-batch Adam (lr {s['lr']}, {s['lr_schedule']} schedule, "
                  f"{s['epochs']} epochs; best of {s['restarts']} seed(s) by the RMS error on the training points), "
                  f"{s['n_train']} evenly spaced training points on [-2, 2]. Errors are measured on a denser grid of "
                  f"{s['n_test']} points (the dense grid): the RMS error is the root mean square of net minus target "
                  "there, the max error the largest absolute difference.")
    doc.claims(["uat_theory"])
    doc.paragraph("RMS error on the dense grid per width. The log-log slope is the least-squares slope of log RMS "
                  f"against log width, shown only where every point lies within a factor {POWER_LAW_FACTOR} of that "
                  "line (a power law).")
    doc.table(["target", "activation", *[f"width {w}" for w in ws], f"{hi} / {lo}", "log-log slope"],
              [[t, a, *[_g(_rms(summary, t, a, w)) for w in ws],
                _g(_rms(summary, t, a, hi) / _rms(summary, t, a, lo)),
                f"{summary['rms_slope'][t][a]:.2f}" if summary["rms_power_law"][t][a] else "not a power law"]
               for t in summary["errors"] for a in s["activations"]])
    doc.claims(["error_falls_with_width", *[f"falls_every_step_{a}" for a in s["activations"]],
                "smooth_fall_faster_than_step"])
    doc.paragraph(f"The same nets' RMS error on the {s['n_train']} training points (where the error rises with "
                  "width here too, the wider net was trained less far, not given less capacity):")
    doc.table(["target", "activation", *[f"width {w}" for w in ws]],
              [[t, a, *[_g(_rms(summary, t, a, w, "train_rms")) for w in ws]]
               for t in summary["errors"] for a in s["activations"]])
    doc.paragraph("Max error on the dense grid per width:")
    doc.table(["target", "activation", *[f"width {w}" for w in ws]],
              [[t, a, *[_g(summary["errors"][t][a][str(w)]["max"]) for w in ws]]
               for t in summary["errors"] for a in s["activations"]])
    doc.claims(["abs_two_relus", "relu_fits_abs", "step_theory", "step_keeps_max_error"])
    doc.paragraph("The fits: the target in grey, each activation's net in colour, the panel's title gives their RMS "
                  "errors; ticks along the bottom mark where a relu unit switches on. Then the errors against width "
                  "on log-log axes: RMS solid, max dashed.")
    doc.image("approx_fits.png", "fits per target and width")
    doc.image("approx_error_vs_width.png", "error against width")

    crit = summary["criterion_tenth_of_width_2"]
    if crit:
        doc.heading(f"Smooth targets: the error at width {hi} against a tenth of the error at width 2")
        doc.table(["target / activation", "RMS at 2", f"RMS at {hi}", "ratio", "below a tenth"],
                  [[k, _g(v["rms_at_2"]), _g(v[f"rms_at_{hi}"]), _g(v["ratio"]), "yes" if v["met"] else "no"]
                   for k, v in crit.items()])
        doc.claims(["criterion_tenth_of_width_2"])

    doc.heading("Two tanh units against x^2: a construction")
    doc.claims(["two_tanh_theory"])
    doc.paragraph("The construction's RMS error against x^2 on [-2, 2], computed in float64 and in float32, per w "
                  "(its weights are set, not trained):")
    doc.table(["w", "RMS (float64)", "RMS (float32)"],
              [[f"{r['w']:g}", _g(r["rms_float64"], 2), _g(r["rms_float32"], 2)]
               for r in summary["square_by_two_tanh_units"]])
    doc.claims(["two_tanh_units_fit_square", "float32_theory", "float32_floor", "trained_tanh_square_width2"])

    saw = summary["sawtooth"]
    if saw:
        doc.heading("Depth against width: the sawtooth")
        doc.paragraph("The sawtooth s_k on [0, 1] is the tent map composed k times: 2^(k-1) teeth. The deep net "
                      "(width 2, k hidden layers, relu) has its weights set to compute it; the one-hidden-layer relu "
                      "net with the deep net's parameter count is trained (the same Adam settings, on every fourth of "
                      f"2049 points) from {saw[0]['shallow_seeds']} seeds, and the best is kept. The best constant "
                      "(the mean) has RMS error equal to the target's standard deviation.")
        doc.claims(["sawtooth_counting"])
        doc.table(["k", "teeth", "deep net: params", "its max error", "one hidden layer, exact: params",
                   "one hidden layer, same params, trained: best RMS", "seeds below 0.95 x the mean's RMS",
                   "seeds within 5 % of the mean's RMS", "RMS of the best constant"],
                  [[str(r["k"]), str(r["teeth"]), str(r["deep_params"]), f"{r['deep_max_error']:.1e}",
                    str(r["shallow_exact_params"]), f"{r['shallow_equal_budget_rms']:.3f}",
                    f"{r['shallow_seeds_below_mean']} of {r['shallow_seeds']}",
                    f"{r['shallow_seeds_near_mean']} of {r['shallow_seeds']}" if "shallow_seeds_near_mean" in r
                    else "n/a", f"{r['target_std']:.3f}"]
                   for r in saw])
        doc.claims(["depth_beats_width", "exact_budget_found", "mean_stationary", "shallow_stay_at_mean"])
        doc.image("approx_sawtooth.png", "sawtooth: deep against shallow")
    return doc
