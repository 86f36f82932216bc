"""The sequence lab's page: its claims, built from summary.json's numbers, and the document around them."""
from __future__ import annotations

import math

from nnlab.claims import Claims
from nnlab.document import Document
from nnlab.labs.sequence.settings import FULL, MODELS, Settings

__all__ = ["report", "make_claims", "TITLE"]

TITLE = "Sequences and gradients through time"
SOLVED = 0.01           # held-out MSE below this: the net adds the two marked values (the baseline is 1/6)
NEAR_BASELINE = 0.7     # an MSE at least this fraction of the baseline's has stayed near it
BEATS = 0.1             # "clearly beats": an MSE below this fraction of the other's
VANISHED = 1e-3         # ||dL/dh_1|| / ||dL/dh_T|| below this: the gradient has vanished by the start
GEOMETRIC_R2 = 0.9      # a straight line in log ||dL/dh_t|| against t explains this much: geometric
SURVIVES = 0.01         # ||dL/dh_1|| / ||dL/dh_T|| at least this (and 100 x the vanilla RNN's): it survives
OVER_RNN = 100
SCALE_TOLERANCE = 0.05  # the exploding net's factor per step back within 5 % of its weight scale
SCRATCH_TOLERANCE = 1e-10


def _nan(x):
    return float("nan") if x is None else x


def make_claims(summary: dict, s: Settings, quick: bool) -> Claims:
    """What this run shows, each sentence from its numbers, a finding only where its predicate holds."""
    c = Claims(quick=quick)
    base = summary["baseline_mse"]
    mse = {m: {int(T): _nan(v) for T, v in by.items()} for m, by in summary["adding_mse"].items()}
    long, short = max(s.lengths), min(s.lengths)
    fit = summary["grad_fit"]
    short_cause = (f"this quick run trains {s.steps} steps at T up to {long}; the full run {FULL.steps} steps at T up "
                   f"to {max(FULL.lengths)}; run without --quick") if quick else None

    c.theory("baseline_theory", "The target is the sum of two independent values uniform in [0, 1]: mean 1, "
             "variance 2 x 1/12. A net that ignores the markers and predicts 1 scores MSE 1/6 = {base:.3f}; an MSE "
             "below {solved:g} needs both marked values, read T steps apart.", {"base": base, "solved": SOLVED})
    c.theory("bptt_theory", "Backpropagation through time in a vanilla RNN multiplies the gradient by one Jacobian "
             "per step back, dL/dh_(t-1) = W_hh^T diag(1 - h_t^2) dL/dh_t, so over T - t steps it shrinks (or grows) "
             "geometrically unless every factor keeps its norm near 1. The LSTM's cell state c_t = f_t c_(t-1) + "
             "i_t g_t passes its gradient back through the forget gate f_t alone, which training can hold near 1; "
             "the GRU's update gate does the same for its state.")

    if "rnn" in mse:
        r = fit["rnn"]
        c.check("rnn_gradient_vanishes", r["factor"] < 1 and r["r2"] >= GEOMETRIC_R2 and r["ratio"] < VANISHED,
                headline=True, cause=short_cause,
                numbers={"T": long, "factor": _nan(r["factor"]), "r2": _nan(r["r2"]), "ratio": _nan(r["ratio"]),
                         "vanished": VANISHED, "geometric": GEOMETRIC_R2},
                finding="In the trained vanilla RNN at T = {T} the gradient decays geometrically back in time: each "
                        "step back multiplies ||dL/dh_t|| by {factor:.3f} on average (a straight line in log scale, "
                        "R^2 {r2:.3f}), and ||dL/dh_1|| is {ratio:.2g} x ||dL/dh_T||.",
                otherwise="In the trained vanilla RNN at T = {T} this run does not show a geometric decay to below "
                          "{vanished:g}: factor per step back {factor:.3f}, R^2 of the log-linear fit {r2:.3f} (needs "
                          ">= {geometric}), ||dL/dh_1|| / ||dL/dh_T|| = {ratio:.2g}.")
        v = mse["rnn"][long]
        c.check("rnn_near_baseline", v >= NEAR_BASELINE * base, headline=True, cause=False,
                numbers={"T": long, "mse": v, "base": base, "share": v / base, "steps": s.steps,
                         "near": NEAR_BASELINE},
                finding="At T = {T} the vanilla RNN stays near the baseline: held-out MSE {mse:.4f} after {steps} "
                        "steps, {share:.0%} of the mean predictor's {base:.4f}.",
                otherwise="At T = {T} the vanilla RNN got away from the baseline: held-out MSE {mse:.4f} after "
                          "{steps} steps, {share:.0%} of the mean predictor's {base:.4f} (near: >= {near:.0%}).")

    if "lstm" in mse:
        ratio = _nan(fit["lstm"]["ratio"])
        init_ratio = _nan(summary["grad_fit_init"]["lstm"]["ratio"])
        numbers = {"T": long, "ratio": ratio, "survives": SURVIVES, "init": init_ratio,
                   "factor": _nan(fit["lstm"]["factor"])}
        holds, extra = ratio >= SURVIVES, ""
        if "rnn" in fit:
            numbers |= {"rnn_ratio": _nan(fit["rnn"]["ratio"]), "over": OVER_RNN}
            holds = holds and ratio >= OVER_RNN * numbers["rnn_ratio"]
            extra = ", against the vanilla RNN's {rnn_ratio:.2g}"
        c.check("lstm_gradient_survives", holds, headline=True, cause=short_cause, numbers=numbers,
                finding="In the trained LSTM at T = {T} the gradient survives back to the first step: ||dL/dh_1|| is "
                        "{ratio:.2g} x ||dL/dh_T||" + extra + "; the fitted factor per step back is {factor:.3f}.",
                otherwise="In the trained LSTM at T = {T} this run does not show the gradient surviving to the first "
                          "step: ||dL/dh_1|| is {ratio:.2g} x ||dL/dh_T||" + extra + " (survives: >= {survives:g}"
                          + (" and >= {over} x the vanilla RNN's" if "rnn" in fit else "") + ").")
        c.check("lstm_learns_to_keep_gradient", init_ratio < VANISHED <= SURVIVES <= ratio, cause=short_cause,
                numbers=numbers | {"vanished": VANISHED},
                finding="The LSTM is not born with it: at initialisation its gradient vanishes as well (||dL/dh_1|| "
                        "= {init:.2g} x ||dL/dh_T||, the dashed blue line); after training it "
                        "survives ({ratio:.2g}).",
                otherwise="This run does not show the LSTM's gradient vanishing at initialisation and surviving "
                          "after training: ||dL/dh_1|| / ||dL/dh_T|| = {init:.2g} at initialisation (vanished: "
                          "< {vanished:g}), {ratio:.2g} trained (survives: >= {survives:g}).")
        v = mse["lstm"][long]
        numbers = {"T": long, "mse": v, "base": base, "solved": SOLVED, "steps": s.steps, "beats": BEATS,
                   "step": _nan(summary["solved_step"]["lstm"][str(long)])}
        holds = v < SOLVED and v < BEATS * base
        text = "At T = {T} the LSTM solves the adding problem: held-out MSE {mse:.2g} after {steps} steps (below " \
               "{solved:g} from step {step:.0f}), against the baseline's {base:.4f}"
        if "rnn" in mse:
            numbers["rnn"] = mse["rnn"][long]
            holds = holds and v < BEATS * numbers["rnn"]
            text += " and the vanilla RNN's {rnn:.4f}"
        c.check("lstm_solves_long", holds, headline=True, cause=short_cause, numbers=numbers,
                finding=text + ".",
                otherwise="At T = {T} the LSTM did not clearly solve the adding problem: held-out MSE {mse:.4f} after "
                          "{steps} steps (solved: below {solved:g} and below {beats:g} x the baseline's {base:.4f}"
                          + (" and the vanilla RNN's {rnn:.4f}" if "rnn" in mse else "") + ").")
        if quick and long < max(FULL.lengths):
            c.not_shown("lstm_solves_full", f"The LSTM solving T = {max(FULL.lengths)} (held-out MSE below "
                        f"{SOLVED:g} within the full run's {FULL.steps} steps)")

    if "gru" in mse:
        v = mse["gru"][long]
        c.check("gru_solves_long", v < SOLVED, cause=short_cause,
                numbers={"T": long, "mse": v, "solved": SOLVED, "steps": s.steps,
                         "step": _nan(summary["solved_step"]["gru"][str(long)])},
                finding="The GRU solves T = {T} too: held-out MSE {mse:.2g} after {steps} steps (below {solved:g} "
                        "from step {step:.0f}).",
                otherwise="The GRU did not solve T = {T}: held-out MSE {mse:.4f} after {steps} steps (solved: below "
                          "{solved:g}).")
    if short < long:
        finals = {m: mse[m][short] for m in mse}
        c.check("short_sequences_all_learn", all(v < BEATS * base for v in finals.values()), cause=short_cause,
                numbers={"T": short, "level": BEATS * base, **{f"mse_{m}": v for m, v in finals.items()}},
                finding="At T = {T} every model learns it, to below a tenth of the baseline's MSE (" + ", ".join(
                    f"{MODELS[m]} {{mse_{m}:.2g}}" for m in finals) + "): what stops the vanilla RNN is the "
                    "length, not its size.",
                otherwise="At T = {T} not every model learns it (" + ", ".join(
                    f"{MODELS[m]} {{mse_{m}:.2g}}" for m in finals) + "; learned: below {level:.4f}).")

    e = summary["exploding"]
    g = e["grad_fit_init"]
    off = abs(_nan(g["factor"]) / e["scale"] - 1)
    c.theory("explode_theory", "A relu RNN with W_hh = {scale:g} I: a unit that stays active passes dL/dh_(t-1) = "
             "{scale:g} x dL/dh_t back, so ||dL/dh_1|| = {scale:g}^(T - 1) x ||dL/dh_T|| (T = {T}: x{power:.3g}), "
             "and its state grows like {scale:g}^t on the way forward.",
             {"scale": e["scale"], "T": e["length"], "power": e["scale"] ** (e["length"] - 1)})
    c.check("explode_gradient_grows", off <= SCALE_TOLERANCE and _nan(g["ratio"]) > 1, headline=True, cause=False,
            numbers={"scale": e["scale"], "T": e["length"], "factor": _nan(g["factor"]), "ratio": _nan(g["ratio"]),
                     "off": off, "tolerance": SCALE_TOLERANCE},
            finding="Measured at initialisation, the gradient grows by x{factor:.3f} per step back ({off:.1%} from "
                    "the weight scale {scale:g}): ||dL/dh_1|| is {ratio:.3g} x ||dL/dh_T||.",
            otherwise="Measured at initialisation, the gradient changes by x{factor:.3f} per step back, {off:.1%} "
                      "from the weight scale {scale:g} (tolerance {tolerance:.0%}); ||dL/dh_1|| / ||dL/dh_T|| = "
                      "{ratio:.3g}.")
    runs = list(e["runs"].values())
    plain = next(r for r in runs if r["clip"] is None)
    clipped = next(r for r in runs if r["clip"] is not None)
    f = plain["non_finite"]
    c.check("explosion_caught", f is not None, headline=True, cause=False,
            numbers={"lr": e["lr"], "step": f and f["step"], "where": f and f["where"],
                     "first": _nan(plain["first_loss"]), "grad": _nan(plain["max_grad_norm"]),
                     "steps": s.explode_steps},
            finding="Plain SGD (lr {lr:g}) on it diverges: step 1's loss is {first:.3g} with a gradient norm of "
                    "{grad:.3g}; the first non-finite value was caught at step {step}, in the {where}, and the run "
                    "stopped there.",
            otherwise="Plain SGD (lr {lr:g}) on it did not diverge: every value stayed finite through its {steps} "
                      "steps (first loss {first:.3g}).")
    last = clipped["last_loss"]
    c.theory("clipping_theory", "Clipping rescales the gradient to norm at most {clip:g} when it is larger, so no "
             "step moves the weights by more than lr x {clip:g}, however large the gradient: the direction is kept, "
             "the size bounded.", {"clip": clipped["clip"]})
    c.check("clipping_keeps_finite", clipped["non_finite"] is None and last is not None
            and last < clipped["first_loss"] / 1000, headline=True, cause=False,
            numbers={"clip": clipped["clip"], "lr": e["lr"], "steps": clipped["steps_run"],
                     "first": _nan(clipped["first_loss"]), "last": _nan(last), "base": summary["baseline_mse"],
                     "step": (clipped["non_finite"] or {}).get("step")},
            finding="With the gradient clipped to norm {clip:g}, the same SGD run stays finite for all {steps} "
                    "steps and its loss falls from {first:.3g} to {last:.3g} (the baseline: {base:.3f}).",
            otherwise="With the gradient clipped to norm {clip:g}, the run did not both stay finite and bring its "
                      "loss down a thousandfold: first non-finite step {step}, loss {first:.3g} -> {last:.3g}.")

    err = summary["scratch_rnn_max_rel_error"]
    c.check("scratch_rnn_matches_torch", err <= SCRATCH_TOLERANCE, headline=True, cause=False,
            numbers={"err": err, "tolerance": SCRATCH_TOLERANCE},
            finding="The vanilla RNN written by hand in NumPy (float64, backpropagation through time by hand) equals "
                    "torch.nn.RNN in float64: states and every gradient within a relative error of {err:.2g} "
                    "(needed: <= {tolerance:g}).",
            otherwise="The vanilla RNN written by hand in NumPy does not match torch.nn.RNN in float64: relative "
                      "error {err:.2g}, more than {tolerance:g}.")
    return c


def _f(x, spec=".4f") -> str:
    return "n/a" if x is None or (isinstance(x, float) and not math.isfinite(x)) else format(x, spec)


def report(summary: dict, s: Settings) -> Document:
    """The page's document: what was run, tables and figures; the findings are claims."""
    doc = Document(TITLE)
    long = max(s.lengths)
    doc.heading("The task")
    doc.paragraph(f"The adding problem (Hochreiter and Schmidhuber, 1997): a sequence of T (value, marker) pairs, "
                  f"values uniform in [0, 1], one marker in each half; the target is the sum of the two marked values. "
                  f"Every net reads the whole sequence, and a linear head reads its last state h_T. Trained with Adam "
                  f"(lr {s.lr:g}, batch {s.batch}, a fresh batch every step, gradient norm clipped to {s.clip:g} for "
                  f"every model alike), {s.steps} steps per model and length, hidden size {s.hidden}, torch's default "
                  f"initialisation; the MSE is measured on {s.test_size} held-out sequences per length.")
    doc.image("sequence_task.png", "one adding-problem sequence")
    doc.claims(["baseline_theory"])
    doc.heading("Held-out MSE")
    rows = [[MODELS[m], *[_f(summary["adding_mse"][m][str(T)], ".3g") for T in s.lengths],
             *[_f(summary["solved_step"][m][str(T)], "d") if summary["solved_step"][m][str(T)] is not None else "-"
               for T in s.lengths]] for m in s.models]
    doc.table(["model", *[f"MSE, T = {T}" for T in s.lengths], *[f"first step < {SOLVED:g}, T = {T}"
                                                                   for T in s.lengths]], rows)
    doc.paragraph(f"The mean predictor scores {summary['baseline_mse']:.4f}.")
    doc.image("sequence_curves.png", "held-out MSE against steps")
    doc.claims([i for i in ("rnn_near_baseline", "lstm_solves_long", "lstm_solves_full", "gru_solves_long",
                            "short_sequences_all_learn")])
    doc.heading("Gradients through time")
    doc.paragraph(f"For {s.grad_batch} sequences of length {long}, each trained net is unrolled one step at a time in "
                  f"float64 and autograd gives dL/dh_t at every state h_t (everything that reaches it from later "
                  f"steps included); the figure shows the mean over sequences of its norm, after training (solid) "
                  f"and at initialisation (dashed). The factor per step back is 10^-slope of a straight line through "
                  f"log10 ||dL/dh_t|| against t.")
    rows = [[MODELS[m], _f(summary["grad_fit"][m]["factor"], ".3f"), _f(summary["grad_fit"][m]["r2"], ".3f"),
             _f(summary["grad_ratio_first_last"][m], ".3g"), _f(summary["grad_fit_init"][m]["factor"], ".3f"),
             _f(summary["grad_fit_init"][m]["ratio"], ".3g")] for m in s.models]
    doc.table(["model", "factor per step back (trained)", "R^2", "||dL/dh_1|| / ||dL/dh_T|| (trained)",
               "factor (at init)", "ratio (at init)"], rows)
    doc.image("sequence_gradients.png", "norm of dL/dh_t against t")
    doc.claims(["bptt_theory", "rnn_gradient_vanishes", "lstm_gradient_survives", "lstm_learns_to_keep_gradient"])
    e = summary["exploding"]
    doc.heading("Exploding gradients and clipping")
    doc.paragraph(f"A relu RNN (hidden {s.hidden}) whose recurrent matrix is {e['scale']:g} x identity, on the adding "
                  f"problem at T = {e['length']}, trained by plain SGD (lr {e['lr']:g}, batch {s.batch}) for up to "
                  f"{s.explode_steps} steps, once as it is and once with the gradient's norm clipped to "
                  f"{s.explode_clip:g}. Every step checks the loss, the gradients and the updated weights, and a run "
                  f"stops at its first non-finite value, reported as such (never plotted as a number).")
    doc.image("sequence_explode.png", "the exploding RNN with and without clipping")
    doc.claims(["explode_theory", "explode_gradient_grows", "explosion_caught", "clipping_theory",
                "clipping_keeps_finite"])
    doc.heading("From scratch")
    errs = summary["scratch_rnn_rel_errors"]
    doc.paragraph("`nnlab.scratch.rnn`: h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh) forward, and "
                  "backpropagation through time by hand in NumPy float64, against torch.nn.RNN in float64 on the same "
                  "weights, inputs and h_0, with a loss that reads every h_t.")
    doc.table(["quantity", "relative error"], [[k, f"{v:.2g}"] for k, v in errs.items() if k != "max"])
    doc.claims(["scratch_rnn_matches_torch"])
    return doc
