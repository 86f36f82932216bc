"""The explain lab's page: ``checks`` (every property the lab tests, with its value and criterion, kept in
summary.json), the claims built from those numbers (``make_claims``) and the document around them (``report``).
Every sentence that says what happened is a claim; the prose says what was done and how to read it."""
from __future__ import annotations

from nnlab.claims import Claims
from nnlab.document import Document
from nnlab.labs.explain.settings import FULL

__all__ = ["checks", "make_claims", "report", "TITLE", "PROBE_TOLERANCE", "IG_TOLERANCE", "SHAP_TOLERANCE",
           "HESSIAN_TOLERANCE"]

PROBE_TOLERANCE = 0.02      # accuracy points a probe may fall short (of the previous layer, of the network)
IG_TOLERANCE = 0.01         # completeness: |sum IG - (f(x) - f(b))| <= 1 % of |f(x) - f(b)|
SHAP_TOLERANCE = 1e-6       # additivity, in logits
HESSIAN_TOLERANCE = 1e-6    # power iteration vs the full Hessian, relative
MP_MIN_SIZE = 32            # the Marchenko-Pastur check applies to matrices with min(m, n) >= this
EDGE_BAND = (0.85, 1.15)    # "hovers at 2 / lr": late mean sharpness within this share of 2 / lr
OVERSHOOT = 1.2             # "hovers", not "overshoots": the peak sharpness at most this x 2 / lr
LOSS_JUMP = 2.0             # a loss spike: an epoch loss at least this x the lowest epoch loss before it
CONTROL_MAX = 0.9           # the control's step size did not stop its sharpness: its peak P at most this x its 2 / lr
BELOW_LEVEL = 0.8           # a learning rate can show the cap: its 2 / lr at most this x the control's peak P
COINCIDE = (BELOW_LEVEL, 1.25)   # 2 / lr "lies close to" the control's peak P: their ratio strictly inside this
SHARPENING = 1.5            # progressive sharpening: the control's peak at least this x its sharpness at init
UNTANGLE = 0.2              # "the probe climbs": the last hidden layer's probe at least this above the input's
STAND_OUT = 1.2             # a learned direction stands out: the top singular value at least this x the MP edge
DISAGREE = 0.5              # methods disagree: some pair's rank agreement below this
TITLE = "Looking inside a trained network"


def _check(value, criterion: str, passed: bool) -> dict:
    return {"value": value, "criterion": criterion, "passed": bool(passed)}


def checks(summary: dict) -> dict:
    """name -> {value, criterion, passed} for every property the lab tests."""
    from nnlab.labs.explain.sanity import SANITY_THRESHOLD
    out = {}
    for task, probes in summary["probe_accuracy_per_layer"].items():
        net = summary["network_test_accuracy"][task]
        out[f"probe_rises_with_depth/{task}"] = _check(
            probes, f"every layer's probe >= the previous layer's - {PROBE_TOLERANCE}",
            all(b >= a - PROBE_TOLERANCE for a, b in zip(probes, probes[1:])))
        out[f"probe_reaches_network/{task}"] = _check(
            probes[-1], f"last hidden layer's probe >= the network's test accuracy ({net:.3f}) - {PROBE_TOLERANCE}",
            probes[-1] >= net - PROBE_TOLERANCE)
    for name, err in summary["ig_completeness_rel_error"].items():
        out[f"ig_completeness/{name}"] = _check(err, f"< {IG_TOLERANCE} of |f(x) - f(baseline)|, worst example",
                                                err < IG_TOLERANCE)
    for name, err in summary["shap_additivity_abs_error"].items():
        out[f"shap_additivity/{name}"] = _check(err, f"< {SHAP_TOLERANCE:g} (logits), worst example and class",
                                                err < SHAP_TOLERANCE)
    for method, corr in summary["sanity_rank_corr_randomized"].items():
        out[f"sanity_randomized/{method}"] = _check(corr, f"< {SANITY_THRESHOLD} (rank corr. trained vs random)",
                                                    corr < SANITY_THRESHOLD)
    for i, layer in enumerate(summary["spectra"]["layers"], start=1):
        if min(layer["shape"]) >= MP_MIN_SIZE:
            out[f"marchenko_pastur_at_init/layer{i}"] = _check(
                layer["init_ks_distance"], "KS distance to MP < 0.1 and >= 98 % of values inside the support",
                layer["init_ks_distance"] < 0.1 and layer["init_inside_support"] >= 0.98)
    power = summary["sharpness"]["power_iteration_check"]
    out["power_iteration_vs_full_hessian"] = _check(power["rel_error"], f"< {HESSIAN_TOLERANCE:g} relative (float64)",
                                                    power["rel_error"] < HESSIAN_TOLERANCE)
    cap = _cap_study(summary["sharpness"])
    if cap is not None:
        out["step_size_caps_sharpness"] = _check(
            {f"{r['lr']:g}": r["late_over_edge"] for r in cap["capped"]},
            f"the control's peak P at most {CONTROL_MAX} x its 2/lr; at least two learning rates with 2/lr <= "
            f"{BELOW_LEVEL} x P, each stable with its last-quarter mean within {EDGE_BAND} of 2/lr", cap["holds"])
    for run in summary["sharpness"]["runs"]:
        out[f"edge_of_stability/lr={run['lr']:g}"] = _check(
            run["late_over_edge"], f"sharpness rises to 2/lr from below (starts under 0.95 x 2/lr, reaches 0.95 x), "
            f"peaks at most {OVERSHOOT} x 2/lr, the epoch loss never jumps to {LOSS_JUMP:g} x its lowest before, and "
            f"its mean over the last quarter is within {EDGE_BAND} of 2/lr", not _edge_misses(run))
    return out


def _edge_misses(r: dict) -> list[str]:
    """What keeps one sharpness run from the edge of stability's pattern (rise to 2 / lr from below, then hover
    there), as short phrases; empty where the run shows the pattern."""
    if r["diverged"] or r["max_sharpness"] is None:
        return ["training diverged"]
    misses = []
    if r["initial_sharpness"] >= 0.95 * r["two_over_lr"]:
        misses.append("it started above 2 / lr instead of rising to it")
    elif r["max_over_edge"] < 0.95:
        misses.append("it never reached 2 / lr")
    if r["max_over_edge"] > OVERSHOOT:
        misses.append(f"it overshot 2 / lr (peak above {OVERSHOOT:g} times it)")
    if r.get("loss_jump") is not None and r["loss_jump"] >= LOSS_JUMP:
        misses.append(f"its loss jumped to {LOSS_JUMP:g} or more times its lowest before")
    if r["late_over_edge"] is None or not EDGE_BAND[0] <= r["late_over_edge"] <= EDGE_BAND[1]:
        misses.append(f"its last-quarter mean lies outside {EDGE_BAND[0]}-{EDGE_BAND[1]} times 2 / lr")
    return misses



def _cap_study(sharpness: dict) -> dict | None:
    """The control against the other learning rates: the control's peak P (the level the sharpness reaches where
    the step size does not stop it), the runs whose 2 / lr lies at or below BELOW_LEVEL x P (they can show the cap),
    those whose 2 / lr lies close to P (COINCIDE), what keeps the comparison from showing the cap moving with lr
    (short phrases) and whether it shows it. None without a control run."""
    control = sharpness.get("control")
    if control is None:
        return None
    runs = sharpness["runs"]
    if control["diverged"] or control["max_sharpness"] is None:
        return {"control": control, "runs": runs, "P": None, "capped": [], "coincident": [], "holds": False,
                "misses": [f"the control run (lr {control['lr']:g}) diverged, so it shows no level of its own"]}
    P = control["max_sharpness"]
    capped = [r for r in runs if r["two_over_lr"] <= BELOW_LEVEL * P]
    coincident = [r for r in runs if COINCIDE[0] * P < r["two_over_lr"] < COINCIDE[1] * P]
    misses = []
    if control["max_over_edge"] > CONTROL_MAX:
        misses.append(f"the control's peak P = {P:.2f} is {control['max_over_edge']:.2f} times its own 2 / lr, above "
                      f"{CONTROL_MAX:g}: its step size may have stopped it too")
    if len(capped) < 2:
        which = ", ".join(f"lr {r['lr']:g}" for r in capped) or "none"
        misses.append(f"{len(capped)} learning rate(s) have 2 / lr at or below {BELOW_LEVEL:g} P = "
                      f"{BELOW_LEVEL * P:.2f} ({which}), fewer than the two a moving cap needs")
    for r in capped:
        if r["diverged"] or r["late_over_edge"] is None:
            misses.append(f"lr {r['lr']:g} (2 / lr = {r['two_over_lr']:g}) diverged")
        elif not EDGE_BAND[0] <= r["late_over_edge"] <= EDGE_BAND[1]:
            misses.append(f"at lr {r['lr']:g} the last-quarter mean is {r['late_over_edge']:.2f} times 2 / lr, outside "
                          f"{EDGE_BAND[0]}-{EDGE_BAND[1]}")
    return {"control": control, "runs": runs, "P": P, "capped": capped, "coincident": coincident, "misses": misses,
            "holds": not misses}


def _pct(x) -> str:
    return f"{x:.1%}"


def _short(method: str) -> str:
    return method.replace("integrated-gradients", "IG").replace("gradient-x-input", "grad x input")


def _edge_sentence(r: dict) -> str:
    """What the sharpness did at one learning rate, from its numbers."""
    if r["max_sharpness"] is None:
        return f"lr {r['lr']:g}: training diverged before the sharpness could be measured"
    if r["epoch_at_edge"] is None:
        text = (f"lr {r['lr']:g}: the sharpness never reached 2 / lr = {r['two_over_lr']:g} (at most "
                f"{r['max_sharpness']:.2f}, {r['max_over_edge']:.2f} times it)")
    else:
        start = r["initial_sharpness"] / r["two_over_lr"]
        reached = (f"started at {start:.2f} times 2 / lr = {r['two_over_lr']:g}, already past it"
                   if r["epoch_at_edge"] == 0 else
                   f"rose from {start:.2f} times 2 / lr = {r['two_over_lr']:g} to it by epoch {r['epoch_at_edge']}")
        peak = f", peaked at {r['max_over_edge']:.2f} times it" if r["max_over_edge"] > OVERSHOOT else ""
        if r.get("loss_jump") is not None and r["loss_jump"] >= LOSS_JUMP:
            peak += (f", while the training loss jumped to {r['loss_jump']:.1f} times its lowest before "
                     f"({r['loss_jump_from']:.3g} to {r['loss_jump_to']:.3g} at epoch {r['loss_jump_epoch']}),")
        text = (f"lr {r['lr']:g}: the sharpness {reached}{peak} and ended at {r['late_over_edge']:.2f} times it "
                "(mean of the last quarter)")
    if r["diverged"]:
        return text + ", and training diverged"
    if r["final_loss"] is not None and r["min_loss_first_half"] is not None:
        text += (f"; the final training loss {r['final_loss']:.4f} is below the first half's lowest "
                 f"{r['min_loss_first_half']:.4f}" if r["final_loss"] < r["min_loss_first_half"] else
                 f"; the final training loss {r['final_loss']:.4f} is not below the first half's lowest "
                 f"{r['min_loss_first_half']:.4f}")
    return text


def _agreement_claim(c: Claims, name: str, methods: list, rho) -> None:
    """Which pairs of attribution methods rank the features alike and which do not (rank agreement < DISAGREE)."""
    pairs = [(rho[i][j], methods[i], methods[j]) for i in range(len(methods)) for j in range(i + 1, len(methods))]
    low = sorted(p for p in pairs if p[0] < DISAGREE)
    rest = [p for p in pairs if p[0] >= DISAGREE]
    lo, hi = min(pairs), max(pairs)
    numbers = {"dataset": name, "threshold": DISAGREE, "k": len(low), "n": len(pairs),
               "low": ", ".join(f"{a} and {b} {r:.2f}" for r, a, b in low),
               "lo": lo[0], "lo_pair": f"{lo[1]} and {lo[2]}", "hi": hi[0], "hi_pair": f"{hi[1]} and {hi[2]}"}
    finding = "{dataset}: {k} of the {n} pairs of methods rank the features' importances with an agreement below " \
              "{threshold} ({low})"
    common = set(methods)
    for _, a, b in low:
        common &= {a, b}
    if len(low) >= 2 and len(common) == 1:
        (odd,) = common
        others = [p for p in pairs if odd not in p[1:]]
        numbers.update(odd=odd, o_lo=min(others)[0], o_hi=max(others)[0], m=len(methods) - 1,
                       odd_lo=min(p[0] for p in pairs if odd in p[1:]), odd_hi=max(p[0] for p in pairs
                                                                                  if odd in p[1:]))
        finding += (", every one of them with {odd}: the other {m} methods agree with each other at {o_lo:.2f}-"
                    "{o_hi:.2f}, {odd} with them at {odd_lo:.2f}-{odd_hi:.2f}.")
    elif rest:
        numbers.update(r_lo=min(rest)[0], r_hi=max(rest)[0], r_n=len(rest))
        finding += "; the other {r_n} pairs agree at {r_lo:.2f}-{r_hi:.2f}."
    else:
        finding += "."
    c.check(f"methods_disagree_{name}", bool(low), numbers=numbers, cause=False, finding=finding,
            otherwise="{dataset}: no pair of methods falls below a rank agreement of {threshold}: every pair agrees at "
                      "{lo:.2f} or more (lowest: {lo_pair}; highest: {hi_pair}, {hi:.2f}).")


def _cap_claims(c: Claims, cap: dict, cause) -> None:
    """The control's own level (progressive sharpening), the headline comparison (the step size caps the
    sharpness, and the cap moves with lr) and which learning rates' 2 / lr lies close to the control's level."""
    ctl, P = cap["control"], cap["P"]
    base = {"c_lr": ctl["lr"], "c_edge": ctl["two_over_lr"], "band": list(EDGE_BAND), "below": BELOW_LEVEL,
            "control_max": CONTROL_MAX, "misses": "; ".join(cap["misses"])}
    if P is None:
        c.check("natural_level", False, cause=False, numbers=base,
                finding="", otherwise="Control, lr {c_lr:g} (2 / lr = {c_edge:g}): training diverged, so the run "
                                      "shows no level of the sharpness's own.")
        c.check("edge_of_stability", False, headline=True, cause=False, numbers=base, finding="",
                otherwise="The comparison with the control does not show the step size capping the sharpness: "
                          "{misses}.")
        return
    start = ctl["initial_sharpness"]
    numbers = {**base, "P": P, "P_epoch": ctl["max_epoch"], "P_ratio": ctl["max_over_edge"], "start": start,
               "rise": P / start if start else float("nan"), "late": ctl["late_mean_sharpness"],
               "sharpening": SHARPENING, "below_P": BELOW_LEVEL * P}
    ok = P >= SHARPENING * start and ctl["max_over_edge"] <= CONTROL_MAX
    why = [] if P >= SHARPENING * start else ["it rose less than {sharpening:g} times its start"]
    why += [] if ctl["max_over_edge"] <= CONTROL_MAX else ["its peak is above {control_max:g} times its 2 / lr, "
                                                            "so the step size may have stopped it"]
    c.check("natural_level", ok, cause=False, numbers=numbers,
            finding="Control, lr {c_lr:g}: the sharpness rose on its own from {start:.2f} at init to a peak of "
                    "P = {P:.2f} at epoch {P_epoch} ({rise:.1f} times its start; progressive sharpening), "
                    "{P_ratio:.2f} times its 2 / lr = {c_edge:g}, at most {control_max:g}: the step size did not stop "
                    "it. Its mean over the last quarter was {late:.2f}.",
            otherwise="Control, lr {c_lr:g}: the sharpness went from {start:.2f} at init to a peak of {P:.2f} at epoch "
                      "{P_epoch} ({rise:.1f} times its start, {P_ratio:.2f} times its 2 / lr = {c_edge:g}): "
                      + "; ".join(why) + ".")

    held = "; ".join(f"lr {r['lr']:g}, 2 / lr = {r['two_over_lr']:g}: diverged" if r["diverged"]
                     or r["late_over_edge"] is None else
                     f"lr {r['lr']:g}, 2 / lr = {r['two_over_lr']:g}: {r['late_mean_sharpness']:.2f}, that is "
                     f"{r['late_over_edge']:.2f} times 2 / lr and {r['late_mean_sharpness'] / P:.2f} times P"
                     for r in cap["capped"])
    numbers.update(held=held or "none", n=len(cap["capped"]))
    c.check("edge_of_stability", cap["holds"], headline=True, cause=cause, numbers=numbers,
            finding="At the control lr {c_lr:g}, whose 2 / lr = {c_edge:g}, the sharpness peaked at P = {P:.2f}, "
                    "{P_ratio:.2f} times its 2 / lr; at every learning rate whose 2 / lr lies at or below {below:g} P "
                    "= {below_P:.2f}, the sharpness's mean over the last quarter lay within {band[0]}-{band[1]} times "
                    "that learning rate's own 2 / lr, below P ({held}): the step size caps the sharpness, and the cap "
                    "moves with lr.",
            otherwise="The comparison with the control does not show the step size capping the sharpness: {misses}. "
                      "Control, lr {c_lr:g}: peak P = {P:.2f}, {P_ratio:.2f} times its 2 / lr = {c_edge:g}; learning "
                      "rates with 2 / lr at or below {below:g} P, last-quarter means: {held}.")

    near = cap["coincident"]
    ratios = ", ".join(f"lr {r['lr']:g} {r['two_over_lr'] / P:.2f}" for r in cap["runs"])
    which = " and ".join(f"lr {r['lr']:g}, 2 / lr = {r['two_over_lr']:g} is {r['two_over_lr'] / P:.2f} times P"
                         for r in near)
    lates = ", ".join(f"lr {r['lr']:g} " + ("diverged" if r["diverged"] or r["late_over_edge"] is None else
                                            f"{r['late_over_edge']:.2f} times 2 / lr") for r in near)
    c.check("edge_meets_natural_level", bool(near), cause=False,
            numbers={"P": P, "c_lr": ctl["lr"], "lo": COINCIDE[0], "hi": COINCIDE[1], "which": which,
                     "ratios": ratios, "lrs": [r["lr"] for r in near], "lates": lates},
            finding="At {which} = {P:.2f} (within {lo:g}-{hi:g}), the level the control's sharpness reached with no "
                    "cap: at such a learning rate a sharpness that stops near 2 / lr does not tell the edge of "
                    "stability apart from the network stopping there by itself (last-quarter mean: {lates}).",
            otherwise="No learning rate's 2 / lr lies within {lo:g}-{hi:g} times the control's peak P = {P:.2f} "
                      "(2 / lr over P: {ratios}).")


def make_claims(summary: dict, quick: bool) -> Claims:
    """What this run shows, each sentence from the numbers, each stated as a finding only where it holds."""
    from nnlab.labs.explain.sanity import SANITY_THRESHOLD
    c = Claims(quick=quick)
    chk = summary["checks"]
    st = summary["settings"]

    # 1) probes
    probes, nets = summary["probe_accuracy_per_layer"], summary["network_test_accuracy"]
    c.theory("probe_theory", "A linear probe on the last hidden layer can reproduce the network's decisions (the "
             "network's own output layer is such a linear map), so it can match the network's accuracy; a probe "
             "accuracy that rises with depth means each layer leaves the classes more linearly separable.")
    ok = []
    for task, p in probes.items():
        rises, reaches = chk[f"probe_rises_with_depth/{task}"]["passed"], chk[f"probe_reaches_network/{task}"]["passed"]
        layers = ", ".join(_pct(a) for a in p)
        worst = min(range(1, len(p)), key=lambda k: p[k] - p[k - 1]) if len(p) > 1 else 0
        numbers = {"task": task, "input": p[0], "last": p[-1], "net": nets[task], "tol": PROBE_TOLERANCE,
                   "layers": layers, "drop_layer": worst, "drop": p[worst - 1] - p[worst] if worst else 0.0}
        ok.append(reaches and p[-1] - p[0] >= UNTANGLE)
        c.check(f"probe_{task}", rises and reaches, numbers=numbers,
                finding="{task}: the probe's test accuracy rises with depth, from {input:.1%} on the raw input to "
                        "{last:.1%} at the last hidden layer (per layer: {layers}), where it matches the network's "
                        "{net:.1%} within {tol}.",
                otherwise="{task}: the probe's test accuracy does not both rise with depth and reach the "
                          "network's: per layer {layers} (network {net:.1%})"
                          + ("" if rises else "; layer {drop_layer} falls {drop:.1%} below the one before")
                          + ("" if reaches else "; the last hidden layer falls short of the network by more than "
                                                "{tol}") + ".")
    if probes:
        c.check("probes_untangle", all(ok), headline=True,
                numbers={"pairs": "; ".join(f"{t} {_pct(p[0])} -> {_pct(p[-1])}" for t, p in probes.items()),
                         "gain": 100 * UNTANGLE, "tol": PROBE_TOLERANCE},
                finding="On every task a linear probe's test accuracy climbs by {gain:.0f} percentage points or more "
                        "from the raw input to the last hidden layer ({pairs}) and reaches the network's own within "
                        "{tol}: the layers make the classes linearly separable.",
                otherwise="Not on every task does the probe climb by {gain:.0f} percentage points or more from the "
                          "raw input to the last hidden layer and reach the network's accuracy within {tol} ({pairs}).")

    # 2) attributions
    ig, shap = summary["ig_completeness_rel_error"], summary["shap_additivity_abs_error"]
    c.theory("attribution_definitions", "Integrated gradients are complete: sum_j IG_j = f_t(x) - f_t(baseline) (up "
             "to the quadrature of the path integral). Kernel SHAP values are additive: the background's mean of f_t "
             "plus sum_j phi_j = f_t(x). Both are properties of the definitions, so a run that breaks them has a "
             "bug or too few steps.")
    gaps = summary.get("ig_completeness_gaps", {})
    if gaps:
        c.check("ig_completeness", headline=True,
                holds=all(g["worst_abs_error"] <= IG_TOLERANCE * g["mean_abs_gap"] for g in gaps.values()),
                numbers={"errors": "; ".join(f"{n} {g['worst_abs_error']:.2g} against a mean |f(x) - f(b)| of "
                                             f"{g['mean_abs_gap']:.3g}" for n, g in gaps.items()),
                         "tol": IG_TOLERANCE, "steps": st["ig_steps"]},
                finding="Integrated gradients are complete: on every data set the sum of the attributions misses "
                        "f(x) - f(baseline) by at most {tol:.0%} of its typical size (worst absolute error {errors}; "
                        "{steps} Gauss-Legendre nodes).",
                otherwise="Integrated gradients miss completeness by more than {tol:.0%} of f(x) - f(baseline)'s "
                          "typical size (worst absolute error {errors}; {steps} Gauss-Legendre nodes).")
    if ig:
        c.check("ig_completeness_per_example", all(chk[f"ig_completeness/{n}"]["passed"] for n in ig),
                cause="the relative error divides by the example's own |f(x) - f(baseline)|, which for an example "
                      "whose logit is close to the baseline's is near zero"
                      if any(g["smallest_abs_gap"] < 0.1 * g["mean_abs_gap"] for g in gaps.values()) else None,
                numbers={"errors": ", ".join(f"{n} {e:.2g}" for n, e in ig.items()), "tol": IG_TOLERANCE,
                         "smallest": ", ".join(f"{n} {g['smallest_abs_gap']:.2g}" for n, g in gaps.items())},
                finding="Per example, too: the worst relative completeness error is below {tol:.0%} ({errors}).",
                otherwise="Per example, the worst relative completeness error is {errors}, not below {tol:.0%} "
                          "(smallest |f(x) - f(baseline)|: {smallest}).")
    if shap:
        c.check("shap_additivity", all(chk[f"shap_additivity/{n}"]["passed"] for n in shap),
                numbers={"errors": ", ".join(f"{n} {e:.2g}" for n, e in shap.items()), "tol": SHAP_TOLERANCE},
                finding="Kernel SHAP values add up to the logit to within {tol:g} (worst absolute error: {errors}).",
                otherwise="Kernel SHAP values miss additivity by more than {tol:g} (worst absolute error: {errors}).")
    for name, a in summary["attributions"].items():
        rho, methods = a["rank_agreement"]["spearman"], a["rank_agreement"]["methods"]
        if rho is None:
            continue
        _agreement_claim(c, name, methods, rho)
    sanity = summary.get("sanity")
    if sanity:
        corr = summary["sanity_rank_corr_randomized"]
        if {"gradient-x-input", "integrated-gradients"} & set(corr):
            c.theory("input_factor", "Gradient x input multiplies the gradient by the input x, integrated gradients "
                     "by (x - baseline), which on the digits is zero wherever a pixel is blank (the baseline is the "
                     "blank image). These factors are the same for every network, trained or random, and carry the "
                     "input's pattern into the map; saliency |df/dx| has no such factor. So a method whose maps "
                     "follow its factor can keep its ranking when the weights are randomised.")
        factors = sanity.get("factor_rank_corr", {})
        for m, r in corr.items():
            numbers = {"method": m, "corr": r, "threshold": SANITY_THRESHOLD, "dataset": sanity["dataset"],
                       "cascade": " -> ".join(f"{v:.2f}" for v in sanity["rank_corr"][m]),
                       "layers": sanity["layers_randomized"][-1]}
            factor = ""
            if m in factors:
                f = factors[m]
                numbers.update(factor=f["factor"], factor_random=f["randomized"], factor_trained=f["trained"])
                factor = ("; the randomised network's maps have rank correlation {factor_random:.2f} with "
                          "|{factor}| itself (the trained network's: {factor_trained:.2f})")
            c.check(f"sanity_{m}", chk[f"sanity_randomized/{m}"]["passed"], cause=False, numbers=numbers,
                    finding="{method} ({dataset}): its maps of the fully randomised network have rank correlation "
                            "{corr:.2f} with the trained network's, below {threshold}: they depend on what the "
                            "network learned (rank correlation as 0 to {layers} layers are re-initialised: "
                            "{cascade})" + factor + ".",
                    otherwise="{method} ({dataset}): fails the randomisation check: its maps of the fully randomised "
                              "network keep rank correlation {corr:.2f} with the trained network's, at or above "
                              "the {threshold} a method must fall below (as 0 to {layers} layers are re-initialised: "
                              "{cascade})" + factor + ".")
        if "saliency" in corr and "integrated-gradients" in corr:
            c.check("sanity_separates_methods", corr["saliency"] < SANITY_THRESHOLD <= corr["integrated-gradients"],
                    headline=True,
                    numbers={"saliency": corr["saliency"], "ig": corr["integrated-gradients"],
                             "threshold": SANITY_THRESHOLD, "dataset": sanity["dataset"]},
                    finding="The randomisation check separates the methods on {dataset}: with every layer "
                            "re-initialised, saliency's maps lose their ranking (rank correlation {saliency:.2f} with "
                            "the trained network's) while integrated gradients' keep it ({ig:.2f}).",
                    otherwise="The randomisation check on {dataset}: rank correlation with the trained network's "
                              "maps after re-initialising every layer: saliency {saliency:.2f}, integrated "
                              "gradients {ig:.2f} (threshold {threshold}).")

    # 3) spectra and sharpness
    sp = summary["spectra"]
    layers = sp["layers"]
    c.theory("marchenko_pastur", "Marchenko-Pastur: the singular values of an m x n matrix of i.i.d. entries with "
             "variance sigma^2 fill the interval from sigma |sqrt m - sqrt n| to sigma (sqrt m + sqrt n) with a "
             "known density as m and n grow; nn.Linear's default init has sigma^2 = 1 / (3 fan_in).")
    judged = [(i, l) for i, l in enumerate(layers, start=1) if f"marchenko_pastur_at_init/layer{i}" in chk]
    if judged:
        fit = [i for i, _ in judged if chk[f"marchenko_pastur_at_init/layer{i}"]["passed"]]
        misfit = [i for i, _ in judged if i not in fit]
        c.check("marchenko_pastur_at_init", not misfit,
                numbers={"layers": ", ".join(map(str, fit)), "misfit": ", ".join(map(str, misfit)),
                         "ks": ", ".join(f"layer {i} {l['init_ks_distance']:.3f}" for i, l in judged),
                         "inside": ", ".join(f"{l['init_inside_support']:.0%}" for _, l in judged)},
                finding="At init the singular values of layer(s) {layers} follow the Marchenko-Pastur law (KS "
                        "distance {ks}, below 0.1; {inside} of them inside the support).",
                otherwise="At init layer(s) {misfit} do not fit the Marchenko-Pastur law (KS distance {ks}; inside "
                          "the support: {inside}).")
    if layers:
        epochs = sp["epochs"][-1]
        c.check("learned_directions_stand_out", all(l["trained_top_over_edge"] >= STAND_OUT for l in layers),
                headline=True,
                numbers={"epochs": epochs, "dataset": sp["dataset"], "factor": STAND_OUT,
                         "ratios": ", ".join(f"{l['trained_top_over_edge']:.2f}" for l in layers),
                         "outliers": ", ".join(f"{l['trained_outliers']} of {min(l['shape'])}" for l in layers)},
                finding="After {epochs} epochs on {dataset} every layer's largest singular value lies well past the "
                        "init law's upper edge ({ratios} times it, layer by layer; past the edge: {outliers}): "
                        "training grows directions the random init did not have.",
                otherwise="After {epochs} epochs on {dataset} the largest singular value is {ratios} times the "
                          "init law's upper edge, layer by layer (not every layer reaches {factor}; past the edge: "
                          "{outliers}).")
        fell = [i for i, l in enumerate(layers, start=1) if l["effective_rank_final"] < l["effective_rank_init"]]
        rose = [i for i in range(1, len(layers) + 1) if i not in fell]
        c.check("effective_rank_falls", not rose, cause=False,
                numbers={"fell": ", ".join(map(str, fell)) or "none", "rose": ", ".join(map(str, rose)),
                         "ranks": "; ".join(f"layer {i} {l['effective_rank_init']:.1f} -> "
                                            f"{l['effective_rank_final']:.1f}" for i, l in enumerate(layers, 1))},
                finding="Training lowered the effective rank of every layer ({ranks}).",
                otherwise="Training did not lower the effective rank of every layer: it fell in layer(s) {fell} "
                          "and did not fall in layer(s) {rose} ({ranks}).")

    runs = summary["sharpness"]["runs"]
    # the quick run's sharpness study is the full run's; a shorter one may leave a run short of 2 / lr or its band
    short = quick and st["sharpness_epochs"] < FULL.sharpness_epochs
    c.theory("edge_theory", "Gradient descent with step lr on a quadratic of curvature lambda is stable only while "
             "lambda < 2 / lr. Cohen et al. (2021) observed that on neural networks the sharpness (the loss "
             "Hessian's top eigenvalue) rises during training (progressive sharpening) and, where it would rise past "
             "2 / lr, stops there and hovers near 2 / lr while the loss keeps falling: the edge of stability. So the "
             "step size caps the sharpness, and the cap moves with lr; at a learning rate whose 2 / lr lies above "
             "the level the sharpness reaches on its own (a control), nothing stops it, and the run shows that level.")
    c.theory("catapult_theory", "Lewkowycz et al. (2020): where the sharpness is well above 2 / lr, gradient "
             "descent is unstable along the top eigenvector, so the loss grows for a few steps until the sharpness "
             "has fallen below 2 / lr, and then falls again: the catapult.")
    cap = _cap_study(summary["sharpness"])
    near = {r["lr"] for r in cap["coincident"]} if cap else set()
    for r in runs:
        misses = _edge_misses(r)
        close = (f"; its 2 / lr is {r['two_over_lr'] / cap['P']:.2f} times the control's peak P, so the pattern "
                 "alone does not show a cap" if r["lr"] in near else "")
        catapult = (not r["diverged"] and r["max_sharpness"] is not None and r["max_over_edge"] > OVERSHOOT
                    and (r.get("loss_jump") or 0) >= LOSS_JUMP and r["late_over_edge"] <= EDGE_BAND[1])
        c.check(f"sharpness_lr_{r['lr']:g}", chk[f"edge_of_stability/lr={r['lr']:g}"]["passed"],
                # a longer run can still carry the sharpness up to 2 / lr or settle it in the band; it cannot undo
                # a start above 2 / lr, an overshoot, a loss jump or a divergence
                cause=None if short and all("never reached" in m or "outside" in m for m in misses) else False,
                numbers={"text": _edge_sentence(r), "lr": r["lr"], "late": r["late_over_edge"],
                         "peak": r["max_over_edge"], "jump": r.get("loss_jump"), "band": list(EDGE_BAND),
                         "overshoot": OVERSHOOT, "loss_jump": LOSS_JUMP, "misses": "; ".join(misses),
                         "catapult": catapult, "close": close},
                finding="{text}: the edge of stability's pattern (it rose to 2 / lr from below, peaked at most "
                        "{overshoot:g} times it, its loss never jumped to {loss_jump:g} times its lowest before, and "
                        "its last-quarter mean lies within {band[0]}-{band[1]} times 2 / lr){close}.",
                otherwise="{text}: not the edge of stability's pattern of rising to 2 / lr from below and hovering "
                          "there: {misses}" + ("; the overshoot, the loss jump and the fall back to {late:.2f} "
                                               "times 2 / lr are the catapult's pattern (theory)" if catapult else "")
                          + ".")
    if cap is not None:
        _cap_claims(c, cap, cause=None if short else False)
    if runs:
        stable = [r for r in runs if not r["diverged"] and r["late_over_edge"] is not None]
        if stable:
            c.check("never_above_edge", all(r["late_over_edge"] <= EDGE_BAND[1] for r in stable),
                    numbers={"runs": ", ".join(f"lr {r['lr']:g} {r['late_over_edge']:.2f}" for r in stable),
                             "top": EDGE_BAND[1], "diverged": ", ".join(f"{r['lr']:g}" for r in runs
                                                                        if r["diverged"]) or "none"},
                    finding="No stable run held its sharpness clearly above 2 / lr: its last-quarter mean over 2 / lr "
                            "was {runs}, none above {top} (diverged: {diverged}).",
                    otherwise="A stable run kept its sharpness above {top} times 2 / lr: last-quarter mean over "
                              "2 / lr {runs} (diverged: {diverged}).")
    p = summary["sharpness"]["power_iteration_check"]
    c.check("power_iteration_matches_hessian", chk["power_iteration_vs_full_hessian"]["passed"],
            numbers={"power": p["power_iteration"], "full": p["full_hessian"], "calls": p["hvp_calls"],
                     "err": p["rel_error"], "tol": HESSIAN_TOLERANCE},
            finding="Power iteration on Hessian-vector products gives {power:.12g} after {calls} products, the full "
                    "Hessian's largest eigenvalue {full:.12g}: they agree to {err:.1e} (relative), below {tol:g}.",
            otherwise="Power iteration gives {power:.12g} after {calls} products, the full Hessian {full:.12g}: "
                      "relative difference {err:.1e}, not below {tol:g}.")
    return c


def report(summary: dict) -> Document:
    """The page's document: what each part ran, its tables and figures; findings are claims."""
    st = summary["settings"]
    doc = Document(TITLE)
    versions = ", ".join(f"{k} {v}" for k, v in summary["versions"].items() if v)
    doc.paragraph(f"Seed {st['seed']}; 2-D nets trained {st['epochs_2d']} epochs, tabular nets "
                  f"{st['epochs_tabular']}, sharpness runs {st['sharpness_epochs']}. Libraries: {versions}. Test "
                  "accuracy is the finished model's, in eval mode, on the held-out points.")

    # 1) neurons and hidden spaces
    probes, net = summary["probe_accuracy_per_layer"], summary["network_test_accuracy"]
    depth = max(len(p) for p in probes.values())
    doc.heading("1. Neurons and hidden spaces")
    doc.paragraph(f"A tanh MLP ({' -> '.join(['2', *map(str, st['hidden_2d']), 'classes'])}, full-batch Adam, lr "
                  "0.03, 30 % of the points held out) per 2-D task. The probe is a logistic regression fitted on a "
                  "layer's activations of the training points and scored on the test points; entry 'input' probes "
                  "the raw coordinates.")
    doc.claims(["probe_theory"])
    doc.table(["task", "network test accuracy", "input", *[f"layer {i}" for i in range(1, depth)]],
              [[task, _pct(net[task]), *[_pct(a) for a in p]] for task, p in probes.items()])
    doc.claims(["probes_untangle", *[f"probe_{t}" for t in probes]])
    doc.paragraph("How to read the neuron maps: each small square is one hidden unit's tanh output over the input "
                  "plane (blue -1, red +1), one column per layer; the large panel is the network's output with the "
                  "test points. The evolution figure shows the same units at the snapshot epochs of one run. The "
                  "hidden spaces project every point's layer activations on their first two principal components; "
                  "'PCA keeps' is the share of the variance those two keep.")
    for f in [f for f in summary["files"] if f.startswith("neurons")] + ["hidden_spaces.png"]:
        doc.image(f, f[:-4].replace("_", " "))

    # 2) attributions
    doc.heading("2. Attributions")
    doc.paragraph(f"Every method explains the predicted class's logit of the first {st['n_explain']} test examples "
                  "(permutation importance: the whole test set). A local method's global importance is its mean "
                  "|attribution| per feature; permutation's is the mean rise in the test set's log loss "
                  "(cross-entropy) when the feature is shuffled. The rank agreement is the Spearman correlation "
                  "between two methods' importances. "
                  "Breast cancer's baseline (integrated gradients) is the training mean, the digits' the blank image.")
    doc.claims(["attribution_definitions", "ig_completeness", "ig_completeness_per_example", "shap_additivity"])
    for name, a in summary["attributions"].items():
        methods = a["rank_agreement"]["methods"]
        doc.heading(f"{name} (test accuracy {_pct(a['test_accuracy'])}, {a['n_explained']} test examples "
                    "explained)", 3)
        doc.table(["method", "top features"], [[m, ", ".join(f)] for m, f in a["top_features"].items()])
        rho = a["rank_agreement"]["spearman"]
        if rho is not None:
            doc.paragraph("Spearman rank agreement of the global importances:")
            doc.table(["", *methods], [[m, *[f"{v:.2f}" for v in row]] for m, row in zip(methods, rho)])
        doc.claims([f"methods_disagree_{name}"])
        doc.image(f"attributions_{name}.png", f"attributions {name}")
        if f"class_maps_{name}.png" in summary["files"]:
            doc.paragraph("Per class: the mean test image, and the mean saliency and integrated-gradients maps of the "
                          "class's own logit over its test examples, each map scaled to its largest |value|.")
            doc.image(f"class_maps_{name}.png", f"class maps {name}")
    sanity = summary.get("sanity")
    if sanity:
        doc.heading(f"Sanity check: randomised weights ({sanity['dataset']})", 3)
        doc.paragraph("Cascading randomisation (Adebayo et al. 2018): the Linear layers are re-initialised from the "
                      "output down, and the same examples and classes explained again. Each number is the mean over "
                      "examples of the Spearman correlation between |map| of the trained and of the randomised "
                      "network; a method passes when the fully randomised network's maps correlate below "
                      f"{_sanity_threshold()}.")
        doc.table(["method", *[f"{k} layers random" for k in sanity["layers_randomized"]]],
                  [[m, *[f"{v:.2f}" for v in corr]] for m, corr in sanity["rank_corr"].items()])
        factors = sanity.get("factor_rank_corr") or {}
        if factors:
            doc.paragraph("The input factor a method's map multiplies the gradient by (gradient x input: x; integrated "
                          "gradients: x - baseline): the same mean rank correlation, between |map| and |factor|, for "
                          "the trained and the fully randomised network.")
            doc.table(["method", "factor", "trained network", "fully randomised"],
                      [[m, f["factor"], f"{f['trained']:.2f}", f"{f['randomized']:.2f}"] for m, f in factors.items()])
        doc.claims(["sanity_separates_methods", "input_factor", *[f"sanity_{m}" for m in sanity["rank_corr"]]])
        doc.image(f"sanity_check_{sanity['dataset']}.png", "sanity check")

    # 3) spectra and sharpness
    sp = summary["spectra"]
    doc.heading("3. Weight spectra and sharpness")
    doc.paragraph(f"Every weight matrix of the {sp['dataset']} model (nn.Linear's default init), at init and after "
                  f"{sp['epochs'][-1]} epochs. The KS distance compares the init singular values with the "
                  f"Marchenko-Pastur law; a layer with fewer than {MP_MIN_SIZE} singular values is not judged "
                  "against it (its KS distance is shown only). The effective rank is exp of the entropy of the "
                  "singular values' shares.")
    doc.claims(["marchenko_pastur"])
    doc.table(["layer", "W (m x n)", "MP support", "init range", "KS to MP", "trained top s", "top s / edge",
               "values past the edge", "effective rank init -> trained"],
              [[str(i), f"{l['shape'][0]} x {l['shape'][1]}", f"[{l['mp_edges'][0]:.3f}, {l['mp_edges'][1]:.3f}]",
                f"[{l['init_range'][0]:.3f}, {l['init_range'][1]:.3f}]", f"{l['init_ks_distance']:.3f}",
                f"{l['trained_top']:.2f}", f"{l['trained_top_over_edge']:.2f}", str(l["trained_outliers"]),
                f"{l['effective_rank_init']:.1f} -> {l['effective_rank_final']:.1f}"]
               for i, l in enumerate(sp["layers"], start=1)])
    doc.claims(["marchenko_pastur_at_init", "learned_directions_stand_out", "effective_rank_falls"])
    doc.image("spectra.png", "spectra")
    doc.image("effective_rank.png", "effective rank")

    doc.paragraph(f"Sharpness: a tanh MLP 2 -> 16 -> 16 -> 1 trained with MSE (targets -1/+1) on "
                  f"{st['sharpness_n']} seed-circle points by full-batch gradient descent, "
                  f"{st['sharpness_epochs']} epochs per learning rate, from the same initial weights; the top "
                  f"eigenvalue of the loss Hessian by power iteration every {st['sharpness_every']} epochs. A control "
                  f"run at lr {st['sharpness_control_lr']:g} (2 / lr = {2 / st['sharpness_control_lr']:g}) shows the "
                  "level the sharpness reaches when the step size does not stop it: its peak P, valid as such where P "
                  f"is at most {CONTROL_MAX:g} times the control's 2 / lr. Only a learning rate whose 2 / lr lies at "
                  f"or below {BELOW_LEVEL:g} P can show the step size capping the sharpness below that level; where "
                  f"2 / lr lies within {COINCIDE[0]:g}-{COINCIDE[1]:g} times P, a sharpness stopping near 2 / lr "
                  "could be stopping at its own level. Final "
                  "loss: the finished model on the whole training set; the first half's lowest: the lowest epoch "
                  "loss (the loss of the epoch's one full batch, before its step) of the first half. Largest loss "
                  "jump: the largest ratio of an epoch loss to the lowest epoch loss before it (1: the loss never "
                  f"rose). A run shows the edge of stability's pattern when its sharpness rises to 2 / lr from below "
                  f"(reaching 0.95 times it), peaks at most {OVERSHOOT:g} times it, its loss never jumps to "
                  f"{LOSS_JUMP:g} times its lowest before, and its last-quarter mean lies within "
                  f"{EDGE_BAND[0]}-{EDGE_BAND[1]} times 2 / lr.")
    doc.claims(["edge_theory", "catapult_theory"])
    sh = summary["sharpness"]
    control = sh.get("control")
    rows = ([{**control, "name": f"{control['lr']:g} (control)"}] if control else []) + sh["runs"]
    P = control["max_sharpness"] if control and not control["diverged"] else None
    doc.table(["lr", "2 / lr", "(2 / lr) / P", "sharpness at start", "max", "mean, last quarter",
               "last quarter / (2 / lr)", "largest loss jump", "final training loss"],
              [[r.get("name", f"{r['lr']:g}"), f"{r['two_over_lr']:g}", "", "diverged", "", "", "", "", ""]
               if r["max_sharpness"] is None
               else [r.get("name", f"{r['lr']:g}"), f"{r['two_over_lr']:g}",
                     "n/a" if P is None else f"{r['two_over_lr'] / P:.2f}", f"{r['initial_sharpness']:.2f}",
                     f"{r['max_sharpness']:.2f}", f"{r['late_mean_sharpness']:.2f}", f"{r['late_over_edge']:.2f}",
                     "n/a" if r.get("loss_jump") is None else "none (it never rose)" if r["loss_jump"] <= 1 else
                     f"{r['loss_jump']:.1f}x (epoch {r['loss_jump_epoch']})",
                     "n/a" if r["final_loss"] is None else f"{r['final_loss']:.4f}"]
               for r in rows])
    doc.claims(["edge_of_stability", "natural_level", "edge_meets_natural_level",
                *[f"sharpness_lr_{r['lr']:g}" for r in sh["runs"]], "never_above_edge",
                "power_iteration_matches_hessian"])
    doc.paragraph("How to read the figure: one column per learning rate, the control first; every sharpness panel "
                  "has the same scale. The dashed line is 2 / lr (theory), the dotted line the control's peak P "
                  "(measured); the bottom row is the training loss of each epoch's one full batch.")
    doc.image("sharpness.png", "sharpness")
    return doc


def _sanity_threshold():
    from nnlab.labs.explain.sanity import SANITY_THRESHOLD
    return SANITY_THRESHOLD
