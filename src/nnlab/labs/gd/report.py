"""The gradient-descent lab's page: its claims, built from summary.json's numbers, and the document around them.

``make_claims(summary)`` states what the run found, each sentence from the numbers it cites and stated as a finding
only where its predicate holds on this run; ``report(summary)`` is the page's document: what each part did, how to
read its tables and figures, and the claims beside them. Neither writes a finding as a fixed string.
"""
from __future__ import annotations

import math

from nnlab.claims import Claims
from nnlab.document import Document
from nnlab.labs.gd.basins import share_text

__all__ = ["make_claims", "report", "TITLE"]

TITLE = "The gradient-descent lab (exercise 1.3)"
FLOOR_TOLERANCE = 0.10      # a measured noise floor within 10 % of lr s^2 / (b (1 - lr)) agrees with it
RATE_TOLERANCE = 0.02       # a measured linear rate within 2 % of the theory's agrees with it
SETTLED = 1e-3              # a run that moves less than this in its last 10 % of steps has settled
SPREAD = 10.0               # tuned learning rates "differ by orders of magnitude" at a factor of 10 or more
BASIN_SHARE = 0.05          # optimizers "end at different minima" from at least 5 % of the starts
_MINIMA = ["(3, 2)", "(-2.81, 3.13)", "(-3.78, -3.28)", "(3.58, -1.85)"]


def _num(value, fmt: str = ".3g") -> str:
    return "-" if value is None else format(value, fmt)


def _updates(n: int) -> str:
    return f"{n} update" if n == 1 else f"{n} updates"


def _inf(value):
    """None (a value that never came: not reached, diverged) as infinity, for comparisons."""
    return math.inf if value is None else value


# -- claims -------------------------------------------------------------------------------------------------------

def make_claims(summary: dict) -> Claims:
    """Every sentence of the page that says what happened, each from this run's numbers."""
    quick = summary["settings"]["quick"]
    c = Claims(quick=quick)
    parts = summary["parts"]
    if "a" in parts:
        _claims_a(c, parts["a"])
    if "b" in parts:
        _claims_b(c, parts["b"])
    if "paths" in parts:
        _claims_paths(c, parts["paths"], quick)
    if "compare" in parts:
        _claims_compare(c, parts["compare"], quick)
    if "network" in parts:
        _claims_network(c, parts["network"])
    return c


def _claims_a(c: Claims, a: dict) -> None:
    c.theory("a_theory", "x_t + 2 = (1 - 2 lr)^t (x0 + 2): gradient descent on x^2 + 4x + 4 converges exactly when "
             "|1 - 2 lr| < 1, that is 0 < lr < 1; lr = 0.5 lands on the minimum in one update; lr = 1 jumps between "
             "x0 and -4 - x0 for ever; lr > 1 moves away ever faster. The number of updates until the stopping rule "
             "has a closed form.")
    statuses = ", ".join(f"{n} {k}" for k, n in a["lr_ge_1_statuses"].items()) or "none run"
    numbers = {"n_lt": a["lr_lt_1_count"], "conv_lt": a["lr_lt_1_converged"], "n_ge": a["lr_ge_1_count"],
               "conv_ge": a["lr_ge_1_converged"], "d": a["max_count_difference"],
               "low": a["grid"]["low"], "high": a["grid"]["high"], "statuses": a["lr_ge_1_statuses"]}
    holds = numbers["conv_lt"] == numbers["n_lt"] and numbers["conv_ge"] == 0 and numbers["d"] == 0
    c.check("a_converges_iff_lr_below_1", holds, headline=True, numbers=numbers,
            finding="Gradient descent converged at all {n_lt} learning rates below 1 (from {low:g}), each in exactly "
                    "as many updates as the closed form predicts, and at none of the {n_ge} from 1 to {high:g} "
                    f"({statuses}).",
            otherwise="Convergence does not follow lr < 1 exactly as the closed form says: of the {n_lt} learning "
                      "rates below 1, {conv_lt} converged (largest difference from the closed form's count: {d} "
                      "updates); of the {n_ge} at or above 1, {conv_ge} converged "
                      f"({statuses}).", cause=False)
    k, x = a["lr_0.5_iterations"], a["lr_0.5_x_end"]
    c.check("a_lr_half_one_update", k == 1 and x == -2.0, numbers={"k": k, "x": x},
            finding="At lr 0.5 a single update lands on the minimum exactly (x_1 = {x:g}).",
            otherwise=f"At lr 0.5 a single update does not land on the minimum exactly: the run took {_updates(k)} "
                      f"and ended at x = {{x:.6g}}.", cause=False)
    alone = a.get("gradient_rule_alone_max_difference")
    if alone is not None:
        c.check("a_gradient_rule_alone", alone == 0, numbers={"d": alone},
                finding="With the gradient rule alone, every count below lr 1 equals "
                        "ceil(ln(tol / |f'(x0)|) / ln|1 - 2 lr|) (largest difference {d}).",
                otherwise="With the gradient rule alone, the counts differ from "
                          "ceil(ln(tol / |f'(x0)|) / ln|1 - 2 lr|) by up to {d} updates.", cause=False)
    one = next((r for r in a["runs"] if r["lr"] == 1.0), None)
    if one is not None:
        other = -4.0 - a["x0"]
        c.check("a_lr_one_oscillates", one["status"] == "oscillating",
                numbers={"x0": a["x0"], "other": other, "n": one["iterations"], "x_end": one["x_end"],
                         "status": one["status"]},
                finding="At lr 1 the iterate jumps between x0 = {x0:g} and -4 - x0 = {other:g} for all {n} updates "
                        "(ending at x = {x_end:g}): neither rule fires.",
                otherwise="At lr 1 the iterate does not jump between x0 and -4 - x0 for ever: the run's status is "
                          "{status} after {n} updates (x = {x_end:.6g}).", cause=False)


def _floor_listing(floors, outer: str, inner: str) -> str:
    groups = {}
    for r in floors:
        groups.setdefault(r[outer], []).append(r)
    name = {"lr": "lr", "batch_size": "b"}
    return "; ".join(f"{name[outer]} = {key:g}: " + ", ".join(f"{r['measured']:.3g} at {name[inner]} {r[inner]:g}"
                                                             for r in sorted(rows, key=lambda r: r[inner]))
                     for key, rows in groups.items())


def _increasing(rows, key: str, by: str) -> bool:
    values = [r[key] for r in sorted(rows, key=lambda r: r[by])]
    return all(a < b for a, b in zip(values, values[1:]))


def _claims_b(c: Claims, b: dict) -> None:
    co = b["coefficients"]
    c.check("b_identity", co == [1.0, 4.0, 4.0] and b["identity_max_relative_error"] < 1e-12,
            numbers={"n": b["n_terms"], "c0": co[0], "c1": co[1], "c2": co[2],
                     "err": b["identity_max_relative_error"]},
            finding="The mean of the {n} terms is x^2 + 4x + 4 coefficient by coefficient ({c0:g}, {c1:g}, {c2:g}); "
                    "the largest relative difference on 2001 points in [-100, 100] is {err:.1e}.",
            otherwise="The mean of the {n} terms has coefficients {c0:g}, {c1:g}, {c2:g}; the largest relative "
                      "difference from x^2 + 4x + 4 on 2001 points is {err:.1e}.", cause=False)
    c.theory("b_floor_theory", "Constant-lr SGD with batches of b terms drawn with replacement does not converge: "
             "Var(x + 2) settles at lr s^2 / (b (1 - lr)) for 0 < lr < 1 (s^2 = Var(a) = {s2:.4g}), which grows "
             "with lr and falls as 1/b. Drawing without replacement, as the comparison runs do, is less noisy "
             "(b = n: no noise at all).", {"s2": b["sigma2"]})
    floors = b["noise_floor"]
    if floors:
        worst = max(floors, key=lambda r: abs(r["relative_error"]))
        c.check("b_floor_matches_theory", abs(worst["relative_error"]) <= FLOOR_TOLERANCE, headline=True,
                numbers={"worst": abs(worst["relative_error"]), "lr": worst["lr"], "b": worst["batch_size"],
                         "n": len(floors), "tolerance": FLOOR_TOLERANCE, "steps": b["noise_floor_steps"]},
                finding="The measured noise floor (16 chains x {steps} steps with replacement) matches "
                        "lr s^2 / (b (1 - lr)) at all {n} settings, within {worst:.1%} (furthest: lr {lr:g}, "
                        "b {b}).",
                otherwise="The measured noise floor is {worst:.1%} from lr s^2 / (b (1 - lr)) at lr {lr:g}, b {b}: "
                          "more than {tolerance:.0%}.")
        lrs = sorted({r["lr"] for r in floors})
        sizes = sorted({r["batch_size"] for r in floors})
        numbers = {f"floor_lr{r['lr']:g}_b{r['batch_size']}": r["measured"] for r in floors}
        if len(lrs) >= 2:
            by_b = [[r for r in floors if r["batch_size"] == s] for s in sizes]
            listing = _floor_listing(floors, "batch_size", "lr")
            c.check("b_floor_grows_with_lr", all(_increasing(rows, "measured", "lr") for rows in by_b),
                    headline=True, numbers=numbers,
                    finding=f"The noise floor grows with the learning rate: at every batch size it is higher at the "
                            f"higher lr ({listing}).",
                    otherwise=f"The noise floor does not grow with the learning rate at every batch size "
                              f"({listing}).")
        if len(sizes) >= 2:
            by_lr = [[r for r in floors if r["lr"] == lr] for lr in lrs]
            listing = _floor_listing(floors, "lr", "batch_size")
            c.check("b_floor_shrinks_with_b",
                    all(_increasing([{**r, "neg": -r["measured"]} for r in rows], "neg", "batch_size")
                        for rows in by_lr), numbers=numbers,
                    finding=f"The noise floor falls as the batch grows: at every lr it is lower at the larger b "
                            f"({listing}).",
                    otherwise=f"The noise floor does not fall with the batch size at every lr ({listing}).")

    table = [r for r in b["table"] if r["lr"] < 1]
    lrs = sorted({r["lr"] for r in table})
    level, start = b["level"], b["start_error"]

    def reach(r, key):
        """'b = 4 after 96 examples' or 'b = 64 not within 1280' (its whole budget)."""
        v = r[f"{key}_to_level"]
        return (f"b = {r['batch_size']} after {v} {key}" if v is not None
                else f"b = {r['batch_size']} not within its {r[key]}")

    if lrs and len({r["batch_size"] for r in table}) >= 2:
        ordered = {lr: sorted((r for r in table if r["lr"] == lr), key=lambda r: r["batch_size"]) for lr in lrs}
        examples = {f"examples_lr{r['lr']:g}_b{r['batch_size']}": r["examples_to_level"] for r in table}
        listing = "; ".join(f"lr {lr:g}: " + ", ".join(reach(r, "examples") for r in rows)
                            for lr, rows in ordered.items())
        holds = all(rows[0]["examples_to_level"] is not None
                    and all(_inf(p["examples_to_level"]) < _inf(q["examples_to_level"])
                            or p["examples_to_level"] is q["examples_to_level"] is None
                            for p, q in zip(rows, rows[1:])) for rows in ordered.values())
        c.check("b_small_batches_first_per_example", holds, headline=True,
                numbers={**examples, "level": level, "start": start},
                finding=f"Per example seen, small batches get close first: the median run reaches f - f* < "
                        f"{{level:g}} (from {{start:g}}) after the fewest examples at b = 1, and later the larger "
                        f"the batch ({listing}).",
                otherwise=f"Examples seen until the median run reaches f - f* < {{level:g}} (from {{start:g}}): "
                          f"{listing}; they do not grow with the batch size at every lr.")
        steps = {f"steps_lr{r['lr']:g}_b{r['batch_size']}": r["steps_to_level"] for r in table}
        reached = {lr: [r["steps_to_level"] for r in rows if r["steps_to_level"] is not None]
                   for lr, rows in ordered.items()}
        listing = "; ".join(f"lr {lr:g}: " + ", ".join(reach(r, "steps") for r in rows)
                            for lr, rows in ordered.items())
        c.check("b_same_steps", all(v and max(v) <= 1.5 * max(1, min(v)) for v in reached.values()),
                numbers={**steps, "level": level},
                finding=f"Per step, the batch sizes get there alike (a larger batch spends more examples on each "
                        f"step): steps until f - f* < {{level:g}}: {listing}.",
                otherwise=f"The batch sizes do not get there in about the same number of steps (within 1.5 x of the "
                          f"fewest at every lr): steps until f - f* < {{level:g}}: {listing}.")
        best = {lr: min(rows, key=lambda r: r["final_median"]) for lr, rows in ordered.items()}
        listing = "; ".join(f"at lr {lr:g} b = {r['batch_size']} ({r['final_median']:.3g}, in {r['steps']} steps)"
                            for lr, r in best.items())
        numbers = {f"best_b_lr{lr:g}": r["batch_size"] for lr, r in best.items()}
        numbers |= {f"final_lr{r['lr']:g}_b{r['batch_size']}": r["final_median"] for r in table}
        numbers["examples"] = table[0]["examples"]
        if len(lrs) >= 2:
            c.check("b_best_batch_depends_on_lr", len({r["batch_size"] for r in best.values()}) > 1, numbers=numbers,
                    finding=f"With the same {{examples}} examples, which batch size ends lowest depends on the lr: "
                            f"{listing} (median final f - f*).",
                    otherwise=f"With the same {{examples}} examples, the same batch size ends lowest at every lr: "
                              f"{listing} (median final f - f*).")
    typical = [r["ms_per_step_typical"] for r in b["table"]]
    if len(typical) >= 2:
        lo, hi = min(typical), max(typical)
        c.check("b_step_cost_similar", hi <= 2 * lo, numbers={"lo": lo, "hi": hi},
                finding="A step takes about as long at every batch size here ({lo:.4f} to {hi:.4f} ms, median "
                        "per step), so wall time follows the number of steps, not the examples seen.",
                otherwise="A step does not take about as long at every batch size: {lo:.4f} to {hi:.4f} ms (median "
                          "per step), more than a factor 2 apart.", cause=False)


def _claims_paths(c: Claims, p: dict, quick: bool) -> None:
    r = p["rates"]
    c.theory("rates_theory", "On a quadratic with condition number kappa, gd at lr 2 / (lambda_min + lambda_max) "
             "shrinks the distance to the minimum by (kappa - 1) / (kappa + 1) per step, heavy ball at its optimal "
             "lr and momentum by (sqrt kappa - 1) / (sqrt kappa + 1) (Goh, 2017): at kappa = {kappa:g}, {gd:.4f} "
             "and {hb:.4f}.", {"kappa": r["kappa"], "gd": r["gd_rate"], "hb": r["hb_rate"]})
    numbers = {"gd": r["gd_measured"], "gd_off": r["gd_relative_error"], "hb": r["heavy_ball_measured"],
               "hb_off": r["heavy_ball_relative_error"], "kappa": r["kappa"], "tolerance": RATE_TOLERANCE}
    c.check("rates_match_theory", max(_inf(numbers["gd_off"]), _inf(numbers["hb_off"])) <= RATE_TOLERANCE,
            numbers=numbers,
            finding="On the kappa = {kappa:g} quadratic the measured rates match the theory: gd {gd:.4f} "
                    "({gd_off:.2%} off), heavy ball {hb:.4f} ({hb_off:.2%} off).",
            otherwise="On the kappa = {kappa:g} quadratic the measured rates are gd {gd} ({gd_off} off) and heavy "
                      "ball {hb} ({hb_off} off): not both within {tolerance:.0%} of the theory.")
    gd, hb = r["gd_steps_to_1e-6"], r["heavy_ball_steps_to_1e-6"]
    took = {k: f"{v} steps" if v is not None else f"not within {r['steps']} steps" for k, v in (("gd", gd), ("hb", hb))}
    c.check("heavy_ball_faster", hb is not None and _inf(gd) > hb, headline=True,
            numbers={"gd": gd, "hb": hb, "kappa": r["kappa"], "ratio": gd / hb if gd and hb else None},
            finding=f"Momentum pays on an ill-conditioned bowl: at kappa = {{kappa:g}} heavy ball shrinks the "
                    f"distance to the minimum a million-fold in {took['hb']}, gd in {took['gd']}"
                    + (", {ratio:.1f} x as many." if gd else "."),
            otherwise=f"At kappa = {{kappa:g}} heavy ball shrinks the distance to the minimum a million-fold in "
                      f"{took['hb']} and gd in {took['gd']}: heavy ball is not faster.")

    functions = p["functions"]
    diffs = {name: per["gd_vs_sgd_max_difference"] for name, per in functions.items()
             if "gd_vs_sgd_max_difference" in per}
    if diffs:
        worst = max(diffs.values())
        c.check("paths_sgd_is_gd", worst == 0, numbers={"worst": worst, "functions": list(diffs)},
                finding=f"On {', '.join(diffs)}, torch.optim.SGD takes exactly gd's steps at gd's lr (largest "
                        f"difference {{worst:g}}): the runner adds nothing.",
                otherwise="torch.optim.SGD and gd at gd's lr differ by up to {worst:.2g}.")
    opts = p["optimizers"]
    scored = {name: per for name, per in functions.items() if all("escape_step" not in per[o] for o in opts)}
    if scored:
        from nnlab.labs.gd.settings import GOOD
        short = {name: {o: per[o]["final_gap"] for o in opts if _inf(per[o]["final_gap"]) > GOOD}
                 for name, per in scored.items()}
        short = {name: v for name, v in short.items() if v}
        listing = "; ".join(f"{name}: " + ", ".join(f"{o} {_num(g, '.2g') if g is not None else 'diverged'}"
                                                     for o, g in v.items()) for name, v in short.items())
        c.check("paths_tuned_reach_minimum", not short,
                numbers={"good": GOOD, "steps": p["steps"],
                         "final_gaps": {n: {o: per[o]["final_gap"] for o in opts} for n, per in scored.items()}},
                finding=f"Within {{steps}} steps at its tuned lr, every optimizer ends within {{good:g}} of f* on "
                        f"{', '.join(scored)}.",
                otherwise=f"Within {{steps}} steps at its tuned lr, not every optimizer ends within {{good:g}} of f* "
                          f"(final f - f*: {listing}).")
    _claim_saddle(c, p, quick)
    _claim_rastrigin(c, p)
    h = p.get("himmelblau")
    if h and len(opts) >= 2:
        origin = h["reached_from"].get("(0, 0)") or next(iter(h["reached_from"].values()))
        start = "(0, 0)" if "(0, 0)" in h["reached_from"] else next(iter(h["reached_from"]))
        groups = {}
        for o, code in origin.items():
            groups.setdefault(code, []).append(o)
        listing = "; ".join(f"{', '.join(names)} {_minimum(code)}" for code, names in groups.items())
        c.check("himmelblau_minimum_depends_on_optimizer", h["different_minima_share"] >= BASIN_SHARE,
                numbers={"share": h["different_minima_share"], "grid": h["basin_grid"], "from_start": origin,
                         "threshold": BASIN_SHARE},
                finding=f"Which of Himmelblau's four minima a run reaches depends on the optimizer: from "
                        f"{{share:.0%}} of a {{grid}} x {{grid}} grid of starts, two optimizers at their tuned lr end "
                        f"at two different minima (from {start}: {listing}).",
                otherwise=f"Which minimum a run reaches hardly depends on the optimizer: two optimizers end at two "
                          f"different minima from only {{share:.0%}} of a {{grid}} x {{grid}} grid of starts, below "
                          f"the "
                          f"{{threshold:.0%}} looked for (from {start}: {listing}).")
        _claim_basins_settle(c, h)


def _claim_basins_settle(c: Claims, h: dict) -> None:
    """Does every optimizer end at some minimum from (nearly) every start? In the table's two categories: 'near
    none' (within 1e-3 of no minimum after the budget) and 'diverged'."""
    shares = h["basin_shares"]
    loose = {o: sh["none"] + sh["diverged"] for o, sh in shares.items()}
    bad = [o for o, v in loose.items() if v > BASIN_SHARE]
    small = [o for o, v in loose.items() if 0 < v <= BASIN_SHARE]

    def what(o):
        return " and ".join(f"{what} from {share_text(shares[o][k])}" for k, what in
                            (("none", "near none"), ("diverged", "diverged")) if shares[o][k] > 0)

    numbers = {"near_none": {o: sh["none"] for o, sh in shares.items()},
               "diverged": {o: sh["diverged"] for o, sh in shares.items()},
               "allowed": BASIN_SHARE, "settled": 1 - BASIN_SHARE, "grid": h["basin_grid"]}
    minor = ", ".join(f"{o} {what(o)}" for o in small)
    c.check("himmelblau_runs_settle", not bad, numbers=numbers, cause=False,
            finding="At the lr tuned from one start, every optimizer ends within 1e-3 of a minimum from at least "
                    "{settled:.0%} of the {grid} x {grid} starts"
                    + (f" (within the {{allowed:.0%}} allowed: {minor})." if small else
                       ": none ends near none or diverges from any."),
            otherwise="At the lr tuned from one start, not every optimizer ends within 1e-3 of a minimum from at "
                      "least {settled:.0%} of the {grid} x {grid} starts: "
                      + "; ".join(f"{o} ends {what(o)} of them" for o in bad)
                      + (f"; within the {{allowed:.0%}} allowed: {minor}" if small else "")
                      + " ('near none': within 1e-3 of no minimum after the budget).")


def _minimum(code: int) -> str:
    return {-1: "near none", -2: "diverged"}.get(code) or f"minimum {code + 1} {_MINIMA[code]}"


def _claim_saddle(c: Claims, p: dict, quick: bool) -> None:
    per = p["functions"].get("saddle")
    lesson = "Which optimizers leave the saddle x^2 - y^2 first, and how long plain gd takes"
    if per is None:
        if quick:
            c.not_shown("saddle_escape", lesson)
        return
    opts = p["optimizers"]
    steps = {o: per[o]["escape_step"] for o in opts}
    if "gd" not in steps or len(steps) < 2:
        return
    others = {o: s for o, s in steps.items() if o not in ("gd", "sgd")}
    first = min(others, key=lambda o: _inf(others[o])) if others else None
    listing = ", ".join(f"{o} {'at step ' + str(s) if s is not None else 'not within the budget'}"
                        for o, s in sorted(steps.items(), key=lambda kv: _inf(kv[1])))
    holds = first is not None and others[first] is not None and others[first] < _inf(steps["gd"])
    c.check("saddle_escape", holds, numbers={"escape_steps": steps, "steps": p["steps"]},
            finding=f"Started next to the saddle point, {first} leaves |y| <= 1 before gd does; in order: {listing} "
                    f"(lr 0.01 for all, budget {{steps}} steps).",
            otherwise=f"No optimizer leaves the saddle's |y| <= 1 before gd: {listing} (budget {{steps}} steps).")


def _claim_rastrigin(c: Claims, p: dict) -> None:
    per = p["functions"].get("rastrigin")
    if per is None:
        return
    moving = {o: per[o]["end_movement"] for o in p["optimizers"]}
    unsettled = {o: m for o, m in moving.items() if m is None or m > SETTLED}
    listing = ", ".join(f"{o} {_num(m, '.2g') if m is not None else 'diverged'}" for o, m in unsettled.items())
    c.check("rastrigin_unsettled", bool(unsettled), numbers={"end_movement": moving, "settled": SETTLED},
            finding=f"On Rastrigin the tuned runs of {', '.join(unsettled)} have not settled: in their last 10 % "
                    f"of steps they were still this far from where they end ({listing}), so their final f is a "
                    f"snapshot of a run hopping between basins; a tuned Rastrigin path is an anecdote, not a verdict.",
            otherwise="On Rastrigin every tuned run has settled (it moves less than {settled:g} in its last 10 % of "
                      "steps).")


def _claims_compare(c: Claims, cmp: dict, quick: bool) -> None:
    functions = cmp["functions"]
    c.theory("compare_theory", "Adam's step is about lr in size whatever the scale of the gradient; gd's is lr |g|, "
             "and on a quadratic gd diverges once lr > 2 / lambda_max. So the lr that works depends on the optimizer "
             "and, for gd, on the curvature: only learning rates tuned per optimizer compare.")
    if not functions:
        return
    spans = {}
    for name, per in functions.items():
        lrs = {o: x["lr"] for o, x in per.items() if o != "sgd" or "gd" not in per}
        if len(lrs) >= 2:
            lo, hi = min(lrs, key=lrs.get), max(lrs, key=lrs.get)
            spans[name] = (lo, lrs[lo], hi, lrs[hi])
    if spans:
        listing = "; ".join(f"{name}: from {a:.2g} ({o1}) to {b:.2g} ({o2}), x{b / a:.0f}"
                            for name, (o1, a, o2, b) in spans.items())
        c.check("tuned_lrs_differ", all(b >= SPREAD * a for _, a, _, b in spans.values()), headline=True,
                numbers={"spans": {n: {"low": a, "high": b, "ratio": b / a} for n, (_, a, _, b) in spans.items()},
                         "factor": SPREAD},
                finding=f"The tuned learning rates differ by orders of magnitude between optimizers ({listing}).",
                otherwise=f"The tuned learning rates lie within a factor {{factor:g}} of each other on some function "
                          f"({listing}).")
    _claim_shared_lr(c, cmp)
    quads = sorted((n for n in functions if n.startswith("quadratic-k")), key=lambda n: float(n[11:]))
    if len(quads) >= 2 and all({"gd", "adam"} <= set(functions[n]) for n in quads):
        gd = [functions[n]["gd"]["lr"] for n in quads]
        adam = [functions[n]["adam"]["lr"] for n in quads]
        good_gd = [functions[n]["gd"]["good_lrs"] for n in quads]
        good_adam = [functions[n]["adam"]["good_lrs"] for n in quads]
        kappas = ", ".join(n[11:] for n in quads)
        fmt = lambda xs: ", ".join(f"{x:.2g}" for x in xs)
        holds = all(a > b for a, b in zip(gd, gd[1:])) and max(adam) <= 2 * min(adam)
        c.check("gd_lr_tracks_curvature", holds,
                numbers={"kappas": [float(n[11:]) for n in quads], "gd_lrs": gd, "adam_lrs": adam,
                         "gd_good": good_gd, "adam_good": good_adam, "good": cmp.get("good")},
                finding=f"On the quadratic bowls with kappa {kappas}, gd's tuned lr falls with the curvature "
                        f"({fmt(gd)}) and so does the number of grid lrs at which it ends within {{good:g}} of f* "
                        f"({', '.join(map(str, good_gd))}); adam's tuned lr stays ({fmt(adam)}), and so does its "
                        f"count ({', '.join(map(str, good_adam))}).",
                otherwise=f"On the quadratic bowls with kappa {kappas} gd's tuned lr does not fall with the curvature "
                          f"while adam's stays: gd's tuned lr {fmt(gd)}, adam's {fmt(adam)}; "
                          f"grid lrs ending within {{good:g}} of f*: gd {', '.join(map(str, good_gd))}, adam "
                          f"{', '.join(map(str, good_adam))}.")
    elif quick:
        c.not_shown("gd_lr_tracks_curvature", "How gd's tuned lr falls with the curvature of a quadratic bowl while "
                    "adam's stays")
    edge = [(name, o, x["lr"]) for name, per in functions.items() for o, x in per.items() if x["at_grid_edge"]]
    c.check("tuned_inside_grid", not edge, numbers={"at_edge": [list(e) for e in edge]},
            finding="Every tuned lr lies inside the grid, none at either end.",
            otherwise="Not every tuned lr lies inside the grid: some lie at its edge, where the best lr may lie "
                      "beyond it: " + ", ".join(f"{name} {o} lr {lr:.2g}" for name, o, lr in edge) + ".",
            cause=False)


def _shared_lr(per: dict, grid, good: float) -> dict:
    """On one function: the most optimizers any single grid lr brings within ``good`` of f*, at which lrs, and
    how many their own tuned lrs bring there."""
    opts = list(per)
    ok = [[o for o in opts if per[o]["scores"][i] is not None and per[o]["scores"][i] <= good]
          for i in range(len(grid))]
    most = max(len(x) for x in ok)
    at = [i for i in range(len(grid)) if len(ok[i]) == most]
    sets = {tuple(ok[i]) for i in at}
    return {"n": len(opts), "most": most, "lrs": [grid[i] for i in at],
            "who": list(next(iter(sets))) if len(sets) == 1 else None,
            "tuned": sum(per[o]["final_gap"] is not None and per[o]["final_gap"] <= good for o in opts)}


def _claim_shared_lr(c: Claims, cmp: dict) -> None:
    """Would one lr for all have done? Counted from the sweep: at the best shared grid lr, how many optimizers end
    within ``good`` of f*, against how many do at their own tuned lrs."""
    good, grid = cmp["good"], cmp["grid"]
    shared = {name: _shared_lr(per, grid, good) for name, per in cmp["functions"].items()
              if len(per) >= 2}
    tuned_any = {name: x for name, x in shared.items() if x["tuned"] > 0}
    none = [name for name, x in shared.items() if x["tuned"] == 0]
    if not tuned_any:
        return

    def lrs(x):
        v = x["lrs"]
        return (" or ".join(f"{lr:.2g}" for lr in v) if len(v) <= 3
                else f"any of {len(v)} grid lrs between {v[0]:.2g} and {v[-1]:.2g}")

    def one(name, x):
        who = "" if x["who"] is None or not x["who"] else f": {', '.join(x['who'])}"
        return (f"{name}: one shared lr brings at most {x['most']} of the {x['n']} there (lr {lrs(x)}{who}), "
                f"each one's own tuned lr {x['tuned']} of {x['n']}")

    listing = "; ".join(one(name, x) for name, x in tuned_any.items())
    rest = (f" On {', '.join(none)} no optimizer ends within {{good:g}} of f* even at its tuned lr." if none else "")
    short = [name for name, x in tuned_any.items() if x["most"] < x["tuned"]]
    c.check("shared_lr_falls_short", len(short) == len(tuned_any),
            numbers={"good": good, "steps": cmp["steps"], "shared": shared},
            finding=f"No single lr of the grid does what tuning each optimizer does: the best shared lr brings fewer "
                    f"optimizers within {{good:g}} of f* in {{steps}} steps than their own tuned lrs ({listing})."
                    + rest,
            otherwise="Tuning each optimizer does not beat one shared lr everywhere: on "
                      + ", ".join(n for n in tuned_any if n not in short)
                      + f" one lr of the grid brings as many optimizers within {{good:g}} of f* in {{steps}} steps as "
                        f"their own tuned lrs ({listing})." + rest, cause=False)


def _claims_network(c: Claims, n: dict) -> None:
    rows, target, epochs = n["optimizers"], n["target_accuracy"], n["epochs"]

    def when(o):
        e = rows[o]["epochs_to_97"]
        return f"at epoch {e}" if e is not None else f"not within {epochs} epochs"

    if {"adam", "sgd"} <= set(rows):
        a, s = rows["adam"]["epochs_to_97"], rows["sgd"]["epochs_to_97"]
        c.check("net_adam_before_sgd", a is not None and a < _inf(s), headline=True,
                numbers={"adam": a, "sgd": s, "adam_lr": rows["adam"]["lr"], "sgd_lr": rows["sgd"]["lr"],
                         "target": target, "epochs": epochs},
                finding=f"On the seed's MLP, adam (lr {{adam_lr:g}}) reaches {{target:.0%}} training accuracy "
                        f"{when('adam')}, full-batch sgd, which is gradient descent (lr {{sgd_lr:g}}), {when('sgd')}.",
                otherwise=f"On the seed's MLP, adam (lr {{adam_lr:g}}) reaches {{target:.0%}} training accuracy "
                          f"{when('adam')} and full-batch sgd (lr {{sgd_lr:g}}) {when('sgd')}: adam is not first.")
    missed = [o for o, r in rows.items() if r["epochs_to_97"] is None]
    order = sorted(rows, key=lambda o: _inf(rows[o]["epochs_to_97"]))
    listing = ", ".join(f"{o} {when(o)}" + (" (diverged later)" if rows[o]["diverged"] else "") for o in order)
    c.check("net_all_reach_target", not missed,
            numbers={"target": target, "epochs": epochs, "epochs_to_target": {o: r["epochs_to_97"]
                                                                              for o, r in rows.items()}},
            finding=f"Every optimizer reaches {{target:.0%}} training accuracy at its tuned lr within {{epochs}} "
                    f"epochs: {listing}.",
            otherwise=f"Not every optimizer reaches {{target:.0%}} training accuracy within {{epochs}} epochs: "
                      f"{listing}.")
    reached = {o: r for o, r in rows.items() if r["epochs_to_97"] is not None}
    dropped = {o: r["final_accuracy"] for o, r in reached.items()
               if r["final_accuracy"] is None or r["final_accuracy"] < target}
    if reached:
        def kept(o):
            share, first = rows[o].get("share_at_97_after"), rows[o]["epochs_to_97"]
            return (f"{o}, first at {{target:.0%}} in epoch {first}, ends at {_num(dropped[o], '.1%')} (the finished "
                    f"model, eval mode)" + ("" if share is None else
                                            f", and its per-epoch accuracy was at {{target:.0%}} or more in "
                                            f"{share:.0%} of the epochs after epoch {first}"))

        c.check("net_kept_target", not dropped,
                numbers={"target": target, "epochs": epochs,
                         "final_accuracy": {o: r["final_accuracy"] for o, r in reached.items()},
                         "share_at_target_after": {o: r.get("share_at_97_after") for o, r in reached.items()}},
                finding="Every optimizer that reached {target:.0%} still has it at the end of the {epochs} epochs "
                        "(final training accuracy of the finished model, eval mode).",
                otherwise="Not every optimizer that reached {target:.0%} training accuracy still has it at the end "
                          "of the {epochs} epochs: " + "; ".join(kept(o) for o in dropped) + ".", cause=False)


# -- the document -------------------------------------------------------------------------------------------------

def report(summary: dict) -> Document:
    """The page's document: what each part did and how to read it, its tables and figures; findings are claims."""
    doc = Document(TITLE)
    s = summary["settings"]
    doc.paragraph(f"Seed {s['seed']}. Parts run: {', '.join(summary['parts'])}; wall time per part: "
                  + ", ".join(f"{k} {t:.1f} s" for k, t in summary["seconds"].items()) + ".")
    files = summary["files"]
    sections = {"a": _doc_a, "b": _doc_b, "paths": _doc_paths, "compare": _doc_compare, "network": _doc_network}
    for name, part in summary["parts"].items():
        sections[name](doc, part, files)
    return doc


def _images(doc: Document, files, prefix: str, alt: str) -> None:
    for f in files:
        if f.startswith(prefix):
            doc.image(f, f"{alt}: {f}")


def _doc_a(doc: Document, a: dict, files) -> None:
    doc.heading("Part A: gradient descent on f(x) = x^2 + 4x + 4")
    doc.paragraph(f"x <- x - lr (2x + 4) from x0 = {a['x0']:g}; stop when |f'(x)| < {a['tol']:g} (the gradient "
                  f"rule), when |x_t+1 - x_t| < {a['tol']:g} (the step rule), at the first non-finite value, or "
                  f"after {a['max_iter']} updates. {a['grid']['n']} learning rates from {a['grid']['low']:g} to "
                  f"{a['grid']['high']:g} are run and their counts set beside the closed form "
                  "(`nnlab.labs.gd.scalar.predicted_iterations`). A run that stops on neither rule is 'diverged' "
                  "(a non-finite value), 'diverging' (its gradient grew), 'oscillating' (its steps alternate without "
                  "shrinking) or 'not converged'.")
    doc.claims(["a_theory", "a_converges_iff_lr_below_1", "a_lr_half_one_update", "a_lr_one_oscillates",
                "a_gradient_rule_alone"])
    doc.paragraph("The runs drawn in the figures:")
    doc.table(["lr", "updates", "rule that fired", "status", "x at the end"],
              [[f"{r['lr']:g}", r["iterations"], r["reason"], r["status"], _num(r["x_end"], ".6g")]
               for r in a["runs"]])
    doc.paragraph("Left: updates until the stopping rule against lr, measured (markers by status) and the closed "
                  "form (line). Right: the error |x_t + 2| against the step for the runs above, measured (dots) "
                  "beside the theory |1 - 2 lr|^t |x0 + 2| (dashed). Below: the first iterates on the parabola.")
    _images(doc, files, "part_a", "Part A")


def _doc_b(doc: Document, b: dict, files) -> None:
    doc.heading("Part B: SGD and mini-batch on the same function")
    doc.paragraph(f"f(x) = (1/n) sum (x - a_i)^2 - c with n = {b['n_terms']} terms, mean(a) = {b['mean_a']:g} and "
                  f"c = Var(a) = {b['c']:g}, so f = x^2 + 4x + 4. A step takes the gradient of the mean of b terms; "
                  f"batches are drawn without replacement within each epoch, so b = 1 is SGD and b = n is gradient "
                  f"descent. Every (lr, b) gets the same budget of {b['epochs']} epochs of examples, over "
                  f"{b['seeds']} seeds from x0 = {b['x0']:g} (f - f* = {b['start_error']:g}); 'final' is f - f* "
                  f"after the budget, median (min, max) over the seeds; 'examples to {b['level']:g}' is when the "
                  f"median over seeds first falls below {b['level']:g}; 'ms / step' the median duration of one step.")
    doc.claims(["b_identity"])
    doc.table(["lr", "b", "steps", "examples", f"examples to {b['level']:g}", f"steps to {b['level']:g}",
               "final f - f*, median", "min", "max", "diverged", "ms / step"],
              [[f"{r['lr']:g}", r["batch_size"], r["steps"], r["examples"],
                "not reached" if r["examples_to_level"] is None else r["examples_to_level"],
                "not reached" if r["steps_to_level"] is None else r["steps_to_level"], _num(r["final_median"]),
                _num(r["final_min"]), _num(r["final_max"]),
                r["diverged"], _num(r["ms_per_step_typical"], ".4f")] for r in b["table"]])
    doc.claims(["b_small_batches_first_per_example", "b_same_steps", "b_best_batch_depends_on_lr",
                "b_step_cost_similar"])
    doc.paragraph("Each figure: one lr, f - f* against steps, examples seen and wall time (which counts whatever "
                  "else the machine did meanwhile: a pause shows as a jump); a line is the median over "
                  "the seeds, its band the min..max. The dotted lines are the theory's noise floor for sampling with "
                  "replacement, for b < n: a reference for the level at which the runs stop improving, not a "
                  "prediction for these without-replacement runs.")
    _images(doc, [f for f in files if f != "part_b_noise_floor.png"], "part_b_lr", "Part B")
    if b["noise_floor"]:
        doc.heading("The noise floor", 3)
        doc.paragraph(f"Constant-lr SGD with replacement, started at the minimum, measured as Var(x_t + 2) over 16 "
                      f"chains x {b['noise_floor_steps']} steps after a burn-in, beside the theory.")
        doc.claims(["b_floor_theory", "b_floor_matches_theory", "b_floor_grows_with_lr", "b_floor_shrinks_with_b"])
        doc.table(["lr", "b", "theory", "measured", "relative error"],
                  [[f"{r['lr']:g}", r["batch_size"], _num(r["theory"]), _num(r["measured"]),
                    f"{r['relative_error']:+.1%}"] for r in b["noise_floor"]])
        _images(doc, files, "part_b_noise_floor", "noise floor")


def _doc_paths(doc: Document, p: dict, files) -> None:
    r = p["rates"]
    doc.heading("Paths in 2-D and 3-D")
    doc.paragraph("gd is nnlab's own loop; the others are torch.optim (float64, registry defaults, no clipping), "
                  "and sgd on these deterministic functions is the same update as gd. Each optimizer runs from the "
                  f"function's start at the lr its sweep chose ({p['steps']} steps; see the next section); the "
                  "saddle has no f* to tune against, so every optimizer uses lr 0.01 there.")
    doc.heading("Linear rates on the kappa = 100 quadratic", 3)
    doc.paragraph(f"gd at lr {r['gd_lr']:.4g} and heavy ball (torch.optim.SGD's momentum) at lr {r['hb_lr']:.4g}, "
                  f"momentum {r['hb_momentum']:.4g}: Goh's optimal parameters. The measured rate is the geometric "
                  "mean shrink factor of the distance to the minimum between 1e-4 and 1e-12 of its start, where "
                  "both curves are straight lines on a log axis.")
    doc.claims(["rates_theory", "rates_match_theory", "heavy_ball_faster"])
    doc.table(["method", "lr", "momentum", "measured rate", "theory", "off", "steps to 1e-6"],
              [["gd", f"{r['gd_lr']:.4g}", "-", _num(r["gd_measured"], ".4f"), f"{r['gd_rate']:.4f}",
                _num(r["gd_relative_error"], ".2%"), _num(r["gd_steps_to_1e-6"], "d")],
               ["heavy ball", f"{r['hb_lr']:.4g}", f"{r['hb_momentum']:.4g}", _num(r["heavy_ball_measured"], ".4f"),
                f"{r['hb_rate']:.4f}", _num(r["heavy_ball_relative_error"], ".2%"),
                _num(r["heavy_ball_steps_to_1e-6"], "d")]])
    doc.image("rates_quadratic-k100.png", "gd and heavy ball on the kappa = 100 quadratic")
    opts = p["optimizers"]
    rows = []
    for name, per in p["functions"].items():
        cells = []
        for o in opts:
            x = per[o]
            if x["diverged_at"] is not None:
                cells.append(f"diverged at {x['diverged_at']}")
            elif "escape_step" in x:
                cells.append(f"|y| > 1 at {x['escape_step']}" if x["escape_step"] is not None else "no escape")
            else:
                cells.append(f"{_num(x['final_gap'], '.2g')} (lr {x['lr']:.2g})")
        rows.append([name, *cells, _num(per.get("gd_vs_sgd_max_difference"), ".1e")])
    doc.heading("The tuned paths", 3)
    doc.paragraph("Final f - f* at the tuned lr (the saddle: the step at which |y| first exceeds 1); the last column "
                  "is the largest difference between gd's and torch.optim.SGD's positions at gd's lr.")
    doc.table(["function", *opts, "max abs(gd - sgd)"], rows)
    doc.claims(["paths_sgd_is_gd", "paths_tuned_reach_minimum", "saddle_escape", "rastrigin_unsettled"])
    if "himmelblau" in p:
        h = p["himmelblau"]
        doc.heading("Himmelblau's four minima", 3)
        doc.paragraph("The minimum each optimizer reaches at its tuned lr from each start (minima 1-4: "
                      + ", ".join(_MINIMA) + "; 'near none': not within 1e-3 of a minimum after the budget), then "
                      f"the share of a {h['basin_grid']} x {h['basin_grid']} grid of starts that ends at each.")
        doc.table(["start", *opts], [[s, *[_minimum(codes[o]) for o in opts]] for s, codes in
                                     h["reached_from"].items()])
        doc.table(["optimizer", "1", "2", "3", "4", "near none", "diverged"],
                  [[o, *[share_text(sh[k]) for k in ("0", "1", "2", "3", "none", "diverged")]]
                   for o, sh in h["basin_shares"].items()])
        doc.claims(["himmelblau_minimum_depends_on_optimizer", "himmelblau_runs_settle"])
        doc.image("himmelblau_basins.png", "Himmelblau basins per optimizer")
    doc.paragraph("Each function: every tuned path on its contour map (log levels of f - f*), then on the surface.")
    for f in files:
        if f.startswith("paths_"):
            doc.image(f, f"paths on {f[6:-4]}")
        if f.startswith("surface_"):
            doc.image(f, f"surface of {f[8:-4]}")


def _doc_compare(doc: Document, cmp: dict, files) -> None:
    doc.heading("Fair comparison: learning-rate sensitivity")
    if not cmp["functions"]:
        doc.paragraph("No function with a minimum value was selected, so nothing was compared.")
        return
    grid = cmp["grid"]
    doc.paragraph(f"Per optimizer and function: {len(grid)} learning rates on a log grid {grid[0]:.0e} .. "
                  f"{grid[-1]:.0e}, {cmp['steps']} steps each, scored by the final f - f* (a diverged run scores "
                  "inf); every other hyperparameter at its default. The runs are deterministic, so one run per lr is "
                  "exact; a run that never settles is scored wherever its last step lands. Tuned "
                  f"learning rates (* = at the edge of the grid), and in brackets how many grid lrs end within "
                  f"{cmp['good']:g} of f*:")
    opts = list(next(iter(cmp["functions"].values())))
    doc.table(["function", *opts],
              [[fn, *[f"{per[o]['lr']:.2g}{'*' if per[o]['at_grid_edge'] else ''} ({per[o]['good_lrs']})"
                      for o in opts]] for fn, per in cmp["functions"].items()])
    doc.claims(["compare_theory", "tuned_lrs_differ", "shared_lr_falls_short", "gd_lr_tracks_curvature",
                "tuned_inside_grid"])
    doc.paragraph("Each figure: the tuned paths (left), final f - f* against lr (middle; a star marks the lr chosen, "
                  "a cross on the top edge a diverged run) and f - f* against step at the tuned lr (right).")
    _images(doc, files, "compare_", "learning-rate sweep")


def _doc_network(doc: Document, n: dict, files) -> None:
    doc.heading("On a network: the seed's MLP on seed-circle")
    doc.paragraph(f"`PRESETS['seed-circle']` (1000 points, 2-8x5-2 ReLU, full batch, cross-entropy) trained through "
                  f"`nnlab.fit`. Each optimizer's lr is the best of {n['lr_grid']} after {n['tune_epochs']} epochs "
                  f"(lowest final training loss); then {n['epochs']} epochs at that lr. Full batch: sgd is gradient "
                  "descent. Final loss and accuracy: the finished model in eval mode on the whole training set. "
                  "Epochs to 97 %: the first epoch whose training accuracy, counted on the forward pass before the "
                  "epoch's step, reaches it; seconds to 97 % = training time x (epochs to 97 %) / (epochs run), "
                  "every full-batch epoch being the same work.")
    doc.table(["optimizer", "lr", "epochs to 97 %", "seconds to 97 %", "final loss", "final accuracy",
               "seconds in all", "engine"],
              [[o, f"{r['lr']:g}", _num(r["epochs_to_97"], "d") if r["epochs_to_97"] else "not reached",
                _num(r["seconds_to_97"], ".2f"), _num(r["final_loss"], ".4f"),
                _num(r["final_accuracy"], ".1%"), _num(r["seconds"], ".2f"), r.get("engine", "torch")]
               for o, r in n["optimizers"].items()])
    doc.claims(["net_adam_before_sgd", "net_all_reach_target", "net_kept_target"])
    doc.paragraph("The curves: training loss per epoch (the mean over the epoch's batches; with full batch, the one "
                  "batch's loss before its step) and training accuracy per epoch, counted on the same forward pass.")
    _images(doc, files, "network", "network training")
