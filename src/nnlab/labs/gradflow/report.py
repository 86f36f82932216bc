"""The gradient-flow lab's page: its claims, built from summary.json's numbers, and the document around them."""
from __future__ import annotations

from nnlab.claims import Claims
from nnlab.document import Document
from nnlab.labs.gradflow.settings import FULL, Settings

__all__ = ["report", "make_claims"]

TITLE = "Gradient flow in deep MLPs"
THEORY_TOLERANCE = 0.1          # a measured factor per layer within 10 % of the theory's agrees with it
VANISHED = 1e-3                 # a first/last gradient ratio below this has vanished
SAME_SPREAD = 0.01              # He's and LeCun's spreads over seeds agree when within 1 % of each other
XAVIER = "xavier (with the activation's gain)"


def _g(x, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}g}"


def _factor(p: dict, which: str) -> str:
    """The fitted factor per layer where the curve is geometric, else what it is not."""
    return _g(p[f"{which}_ratio"]) if p.get(f"{which}_geometric", True) else "not geometric"


def _init_name(init: str) -> str:
    """How the page names an init: xavier here is Glorot's with the activation's gain (nnlab.nn.init), not the
    textbook gain 1, so it says so wherever it lists inits."""
    return init if XAVIER in init else init.replace("xavier", XAVIER)


def _net_name(key: str) -> str:
    """'relu/xavier' -> 'relu, xavier (with the activation's gain)'."""
    activation, _, init = key.partition("/")
    return f"{activation}, {_init_name(init)}" if init else key


def _nan(x):
    """A number a format spec can take: a missing (non-finite) value as NaN, printed "nan"."""
    return float("nan") if x is None else x


def make_claims(summary: dict, s: Settings, quick: bool) -> Claims:
    """What this run shows, each sentence from the numbers, each stated as a finding only where it holds; where it
    does not, what was expected and what the run shows instead."""
    c = Claims(quick=quick)
    he, lecun = summary["he_relu_var_ratio_per_layer"], summary["lecun_relu_var_ratio_per_layer"]
    w = summary["var_ratio_width"]
    # At initialisation the quick run differs from the full one in seeds and depth, not in training time.
    deeper_cause = (f"this quick run's nets have {s.depth} hidden layers, the full run's {FULL.depth}; run without "
                    "--quick") if quick else None
    init_cause = (f"this quick run averages {s.seeds} seeds over {s.depth} layers; run without --quick" if quick
                  else None)
    c.theory("init_theory", "In the infinite-width limit, relu with He init (std sqrt(2/fan_in)) keeps Var(z_l) "
             "from layer to layer (factor 1) and LeCun init (std 1/sqrt(fan_in)) halves it (factor 0.5).")
    for id_, name, x, expected in (("he_keeps_variance", "He", he, 1.0),
                                   ("lecun_halves_variance", "LeCun", lecun, 0.5)):
        off = abs(x / expected - 1) if x is not None else float("inf")
        c.check(id_, off <= THEORY_TOLERANCE, headline=True, cause=init_cause,
                numbers={"factor": _nan(x), "theory": expected, "off": off, "width": w,
                         "tolerance": THEORY_TOLERANCE},
                finding=f"relu with {name} init at width {{width}}: the forward variance changes by x{{factor:.3f}} "
                        f"per layer, {{off:.1%}} from the theory's {{theory:g}}.",
                otherwise=f"relu with {name} init at width {{width}} does not follow the theory's factor "
                          f"{{theory:g}} per layer within {{tolerance:.0%}}: the forward variance changes by "
                          f"x{{factor:.3f}} per layer, {{off:.1%}} from it.")
    compared = sorted(((abs(p["forward_ratio"] / p["theory_forward_ratio"] - 1), key)
                       for key, p in summary["init_variance"].items()
                       if p["forward_geometric"] and p["theory_forward_ratio"]), reverse=True)
    worst = compared[0] if compared else (0.0, "none")
    far = [key for off, key in compared if off > THEORY_TOLERANCE]
    c.check("geometric_factors_match_theory", not far, cause=init_cause,
            numbers={"worst": worst[0], "net": _net_name(worst[1]), "far": len(far), "curves": len(compared),
                     "far_nets": ", ".join(_net_name(k) for k in far), "tolerance": THEORY_TOLERANCE},
            finding="Every geometric forward curve's factor per layer lies within {tolerance:.0%} of the theory's "
                    "({curves} curves; furthest: {net}, {worst:.1%}).",
            otherwise="Not every geometric forward curve's factor per layer lies within {tolerance:.0%} of the "
                      "theory's: {far} of {curves} miss it ({far_nets}); furthest: {net}, {worst:.1%}.")
    spread = summary["width_spread"]
    if len(spread) >= 2:
        narrow, wide = min(spread, key=int), max(spread, key=int)
        pairs = [(label, spread[narrow][label]["log_var_std_last_layer"], spread[wide][label]["log_var_std_last_layer"])
                 for label in spread[narrow] if label in spread[wide]]
        numbers = {"narrow": int(narrow), "wide": int(wide), "depth": s.depth,
                   **{f"std_{label.split(', ')[1]}_{w_}": v
                      for label, a, b in pairs for w_, v in ((narrow, a), (wide, b))}}
        listing = "; ".join(f"{label.split(', ')[1]}: std {a:.2f} at width {narrow}, {b:.2f} at width {wide}"
                            for label, a, b in pairs)
        c.check("narrow_nets_stray_more", all(a > b for _, a, b in pairs), numbers=numbers, cause=init_cause,
                finding=f"Single initialisations stray further from the mean when the net is narrow (std over seeds "
                        f"of log Var(z) at layer {{depth}}; {listing}).",
                otherwise=f"Single initialisations do not stray further from the mean at width {{narrow}} than at "
                          f"width {{wide}} for every init (std over seeds of log Var(z) at layer {{depth}}; "
                          f"{listing}).")
        by_init = {label.split(", ")[1]: (a, b) for label, a, b in pairs}
        if "he" in by_init and "lecun" in by_init:
            c.theory("he_lecun_same_spread_theory", "relu is positively homogeneous (relu(a z) = a relu(z) for "
                     "a > 0), and with the same seed He and LeCun draw the same standard normal weights, scaled by "
                     "sqrt(2/fan_in) and sqrt(1/fan_in), with zero biases. So each seed's LeCun net computes "
                     "z_l = 2^(-l/2) x the He net's z_l: log Var(z_l) differs by l log 2, the same constant for every "
                     "seed, and the spread over seeds of log Var(z_l) is the same for both inits (up to float32 "
                     "rounding).")
            gaps = [abs(by_init["he"][i] - by_init["lecun"][i]) / max(by_init["he"][i], by_init["lecun"][i], 1e-12)
                    for i in (0, 1)]
            c.check("he_lecun_same_spread", max(gaps) <= SAME_SPREAD, cause=False,
                    numbers={"narrow": int(narrow), "wide": int(wide), "gap": max(gaps), "tolerance": SAME_SPREAD,
                             "he_narrow": by_init["he"][0], "lecun_narrow": by_init["lecun"][0],
                             "he_wide": by_init["he"][1], "lecun_wide": by_init["lecun"][1]},
                    finding="As that predicts, He and LeCun stray equally: std over seeds of log Var(z) "
                            "{he_narrow:.3f} and {lecun_narrow:.3f} at width {narrow}, {he_wide:.3f} and "
                            "{lecun_wide:.3f} at width {wide} (at most {gap:.1e} apart, relative).",
                    otherwise="He and LeCun do not stray equally, against that prediction: std over seeds of "
                              "log Var(z) {he_narrow:.3f} and {lecun_narrow:.3f} at width {narrow}, {he_wide:.3f} "
                              "and {lecun_wide:.3f} at width {wide} ({gap:.1%} apart, more than {tolerance:.0%}).")

    t = summary["training"]
    plain = t["sigmoid"]
    ratio = plain["grad_ratio_first_last_epoch1"]
    vanished = ratio is not None and ratio < VANISHED
    missed = ([] if vanished else ["its first layer's gradient in epoch 1 was {ratio:.2g} x the head's, not below "
                                   "{vanished:g}"]) + (
        ["it learned (test accuracy {accuracy:.3f}, learned: >= {threshold})"] if plain["learned"] else [])
    c.check("sigmoid_gradient_vanishes", vanished and not plain["learned"], headline=True,
            cause=deeper_cause,
            numbers={"ratio": _nan(ratio), "accuracy": _nan(plain["test_accuracy"]), "depth": s.depth,
                     "epochs": s.epochs, "vanished": VANISHED, "threshold": s.learned_accuracy},
            finding="The plain sigmoid net of {depth} hidden layers did not learn under SGD in {epochs} epochs (test "
                    "accuracy {accuracy:.3f}, chance 0.5): its first layer's gradient in epoch 1 was {ratio:.2g} x "
                    "the head's.",
            otherwise="The plain sigmoid net of {depth} hidden layers did not show a vanished gradient that stops "
                      "learning: " + "; ".join(missed) + ".")
    fixes = {name: r for name, r in t.items() if name != "sigmoid"}
    learned = [name for name, r in fixes.items() if r["learned"]]
    c.check("fixes_learn", len(learned) == len(fixes), headline=True,
            numbers={name: r["test_accuracy"] for name, r in fixes.items()} | {
                "threshold": s.learned_accuracy, "learned": len(learned), "fixes": len(fixes)},
            finding="At the same depth, width and learning rate, " + ", ".join(
                f"{name} learned (test accuracy {r['test_accuracy']:.3f})" for name, r in fixes.items())
                    + " (learned: >= {threshold}).",
            otherwise="Not every fix learned at the same depth, width and learning rate: {learned} of {fixes} did ("
                      + "; ".join(f"{name} {'learned' if r['learned'] else 'did not learn'} (test accuracy "
                                  f"{_nan(r['test_accuracy']):.3f})" for name, r in fixes.items())
                      + "; learned: >= {threshold}).")

    by = {(r["optimizer"], r["depth"]): r for r in summary["adam"]}
    sgd, adam = by.get(("sgd", s.adam_depth)), by.get(("adam", s.adam_depth))
    if sgd and adam:
        numbers = {"depth": s.adam_depth, "sgd_grad": sgd["grad_ratio_first_last_epoch1"],
                   "adam_grad": adam["grad_ratio_first_last_epoch1"], "sgd_move": sgd["update_ratio_first_last_mean"],
                   "adam_move": adam["update_ratio_first_last_mean"], "sgd_acc": sgd["test_accuracy"],
                   "adam_acc": adam["test_accuracy"]}
        moved = (numbers["sgd_move"] is not None and numbers["adam_move"] is not None
                 and numbers["adam_move"] >= 100 * numbers["sgd_move"])
        tiny = all(x is not None and x < VANISHED for x in (numbers["sgd_grad"], numbers["adam_grad"]))
        numbers = {k: _nan(v) for k, v in numbers.items()} | {"vanished": VANISHED,
                                                              "threshold": s.learned_accuracy}
        missed = (([] if tiny else ["the first layer's gradient in epoch 1 was not below {vanished:g} x the head's "
                                    "under both optimizers (SGD {sgd_grad:.2g}, Adam {adam_grad:.2g})"])
                  + ([] if moved else ["Adam moved the first layer's weights {adam_move:.2g} x as far as the head's "
                                       "per epoch, not 100 x SGD's {sgd_move:.2g} x"])
                  + ([] if adam["learned"] else ["Adam did not learn (test accuracy {adam_acc:.3f}, learned: >= "
                                                 "{threshold})"])
                  + (["SGD learned too (test accuracy {sgd_acc:.3f})"] if sgd["learned"] else []))
        c.theory("adam_scaling_theory", "Adam divides each parameter's step by a running root-mean-square of its "
                 "own gradient, so the size of a step does not depend on the scale of the gradient: a layer whose "
                 "gradient is a vanishing fraction of the head's still moves about as far per step.")
        c.check("adam_moves_vanishing_layers", moved and tiny and adam["learned"] and not sgd["learned"],
                headline=True, numbers=numbers,
                finding="On the plain sigmoid net of {depth} hidden layers the first layer's gradient starts as a "
                        "vanishing fraction of the head's under both optimizers (epoch 1: SGD {sgd_grad:.2g}, Adam "
                        "{adam_grad:.2g}), yet Adam moves the first layer's weights {adam_move:.2g} x as far as the "
                        "head's per epoch against SGD's {sgd_move:.2g} x, and learns (test accuracy {adam_acc:.3f} "
                        "against SGD's {sgd_acc:.3f}).",
                otherwise="On the plain sigmoid net of {depth} hidden layers this run does not show Adam learning "
                          "where SGD's vanishing gradient stalls: " + "; ".join(missed) + ".")
    deep = by.get(("adam", s.depth))
    if deep and s.depth != s.adam_depth:
        c.theory("adam_eps", "Adam's step is lr * m / (sqrt(v) + eps) with eps = 1e-8: where a gradient is far "
                 "below eps the step shrinks with it, so Adam no longer hides the vanishing.")
        c.check("adam_fails_deeper", not deep["learned"],
                cause=deeper_cause or False,
                numbers={"depth": s.depth, "grad": _nan(deep["grad_ratio_first_last_epoch1"]),
                         "move": _nan(deep["update_ratio_first_last_mean"]), "acc": _nan(deep["test_accuracy"]),
                         "threshold": s.learned_accuracy},
                finding="At {depth} hidden layers (first-layer gradient {grad:.2g} x the head's) Adam did not learn "
                        "either (test accuracy {acc:.3f}; the first layer moved {move:.2g} x as far as the head).",
                otherwise="At {depth} hidden layers Adam still learned (test accuracy {acc:.3f}, learned: >= "
                          "{threshold}; first-layer gradient {grad:.2g} x the head's): this run does not show Adam "
                          "failing at the greater depth.")

    for i, (name, e) in enumerate(summary["exploding"].items()):
        f = e["non_finite"]
        c.check(f"explosion_caught_{i + 1}", f is not None, headline=True,
                numbers={"scenario": name, "lr": e["lr"], "epoch": f and f["epoch"], "step": f and f["step"],
                         "layer": f and f["layer_name"], "where": f and f["where"], "epochs": len(e["loss"])},
                finding="{scenario} (lr {lr:g}): the first non-finite value was caught in epoch {epoch}, step "
                        "{step}, in the {where} pass at {layer}.",
                otherwise="{scenario} (lr {lr:g}) did not explode: every value stayed finite through its {epochs} "
                          "epochs, so there was no non-finite value to catch.")
    return c


def report(summary: dict, s: Settings) -> Document:
    """The page's document: how each part was measured, its tables and figures; findings are claims."""
    doc = Document(TITLE)
    doc.heading("At initialisation")
    doc.paragraph(f"Nets of {s.depth} hidden layers of width {s.width} (and a width -> width head), inputs "
                  f"x ~ N(0, 1), loss <logits, c> with c ~ N(0, 1); {s.seeds} seeds per line, {s.batch} inputs each. "
                  "Forward: the variance of z_l, what layer l's activation receives; backward: the variance of "
                  "dL/dz_l. The factor per layer is exp(slope) of a line through log(variance) against the layer "
                  "(backward: from the head towards the input), shown only where the curve is geometric (the line "
                  "misses no layer by more than a factor 1.25); theory: the infinite-width recursion.")
    doc.paragraph("The inits (every bias zero unless said): pytorch, nn.Linear's default, weights and biases "
                  "U(-1/sqrt(fan_in), 1/sqrt(fan_in)); xavier (with the activation's gain), Glorot uniform "
                  "U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)), with torch's gain for the activation (sigmoid "
                  "1, tanh 5/3, relu sqrt 2): on these square layers its weight variance is gain^2 / fan_in, so for "
                  "relu it matches He and for sigmoid LeCun (textbook Glorot, gain 1, would match LeCun for every "
                  "activation); he, N(0, 2 / fan_in); lecun, N(0, 1 / fan_in); "
                  f"normal({s.init_std:g}), N(0, {s.init_std:g}^2) whatever the width; orthogonal, orthonormal "
                  "rows scaled by the activation's gain.")
    doc.claims(["init_theory", "he_keeps_variance", "lecun_halves_variance", "geometric_factors_match_theory"])
    doc.table(["activation", "init", "forward x/layer", "theory", "backward x/layer", "theory"],
              [[key.split("/")[0], _init_name(p["label"].split(", ", 1)[1]), _factor(p, "forward"),
                _g(p["theory_forward_ratio"]), _factor(p, "backward"), _g(p["theory_backward_ratio"])]
               for key, p in summary["init_variance"].items()])
    doc.paragraph("The trained nets' architectures at the same width and depth:")
    doc.table(["net", "forward x/layer", "theory", "backward x/layer", "theory"],
              [[_init_name(label), _factor(p, "forward"), _g(p["theory_forward_ratio"]), _factor(p, "backward"),
                _g(p["theory_backward_ratio"])] for label, p in summary["architectures_init"].items()])
    doc.claims(["narrow_nets_stray_more", "he_lecun_same_spread_theory", "he_lecun_same_spread"])
    for name, alt in (("gradflow_init_variance.png", "variance at initialisation"),
                      ("gradflow_init_architectures.png", "architectures at initialisation"),
                      ("gradflow_init_width.png", "spread over seeds")):
        doc.image(name, alt)

    doc.heading("Training with plain SGD")
    doc.paragraph(f"The seed's circle data (1000 points, {s.test_fraction:.0%} held out), {s.depth} hidden layers of "
                  f"{s.train_width}, SGD at lr {s.lr}, mini-batches of {s.batch_size}, {s.epochs} epochs, seed 0. "
                  f"Learned means test accuracy >= {s.learned_accuracy} (chance: 0.5). The gradient ratio is the "
                  "first Linear layer's gradient norm over the head's. Final loss and accuracy: the finished model "
                  "in eval mode on the whole training and test sets.")
    doc.table(["net", "learned", "test accuracy", "final training loss", "grad ratio, epoch 1",
               "grad ratio, last epoch"],
              [[name, "yes" if t["learned"] else "no", _g(t["test_accuracy"]), _g(t["final_loss"]),
                _g(t["grad_ratio_first_last_epoch1"], 2), _g(t["grad_ratio_first_last_final"], 2)]
               for name, t in summary["training"].items()])
    doc.claims(["sigmoid_gradient_vanishes", "fixes_learn"])
    doc.image("gradflow_heatmaps.png", "gradient heatmaps")
    doc.image("gradflow_curves.png", "loss and accuracy")

    doc.heading("SGD against Adam on a vanishing gradient")
    doc.paragraph("The same plain sigmoid net is trained with SGD and with Adam, at a moderate depth and at the "
                  "full depth; the weight-change ratio is the first layer's mean ||dW|| / ||W|| per epoch over the "
                  "head's.")
    doc.table(["optimizer", "depth", "test accuracy", "grad ratio, epoch 1", "weight-change ratio first/last layer"],
              [[f"{r['optimizer']} (lr {r['lr']:g})", r["depth"], _g(r["test_accuracy"]),
                _g(r["grad_ratio_first_last_epoch1"], 2), _g(r["update_ratio_first_last_mean"], 2)]
               for r in summary["adam"]])
    doc.claims(["adam_scaling_theory", "adam_moves_vanishing_layers", "adam_eps", "adam_fails_deeper"])
    doc.image("gradflow_adam.png", "SGD against Adam")

    doc.heading("Exploding")
    doc.paragraph(f"Init std {s.explode_init_std} for the too-large init (lr {s.lr}); He init with lr {s.explode_lr} "
                  f"for the too-large learning rate; full-batch SGD, {s.depth} hidden layers of {s.train_width}. "
                  "Non-finite cells are drawn in cyan and the first one starred, not plotted as values.")
    doc.bullets([f"{name} (lr {e['lr']:g}): training loss per epoch (mean over the epoch's batches): "
                 + ", ".join("non-finite" if v is None else f"{v:.3g}" for v in e["loss"])
                 for name, e in summary["exploding"].items()])
    doc.claims([f"explosion_caught_{i + 1}" for i in range(len(summary["exploding"]))])
    doc.image("gradflow_explode.png", "exploding")
    return doc
