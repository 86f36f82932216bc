"""The gradient-flow lab's page: its claims, built from summary.json's numbers, and the document around them."""
from __future__ import annotations

from nnlab.claims import Claims
from nnlab.document import Document
from nnlab.labs.gradflow.settings import Settings

__all__ = ["report", "make_claims"]

TITLE = "Gradient flow in deep MLPs"
THEORY_TOLERANCE = 0.1          # a measured factor per layer within 10 % of the theory's agrees with it
VANISHED = 1e-3                 # a first/last gradient ratio below this has vanished


def _g(x, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}g}"


def _factor(p: dict, which: str) -> str:
    """The fitted factor per layer where the curve is geometric, else what it is not."""
    return _g(p[f"{which}_ratio"]) if p.get(f"{which}_geometric", True) else "not geometric"


def make_claims(summary: dict, s: Settings, quick: bool) -> Claims:
    """What this run shows, each sentence from the numbers, each stated as a finding only where it holds."""
    c = Claims(quick=quick)
    he, lecun = summary["he_relu_var_ratio_per_layer"], summary["lecun_relu_var_ratio_per_layer"]
    w = summary["var_ratio_width"]
    c.theory("init_theory", "In the infinite-width limit, relu with He init (std sqrt(2/fan_in)) keeps Var(z_l) "
             "from layer to layer (factor 1) and LeCun init (std 1/sqrt(fan_in)) halves it (factor 0.5).")
    for id_, name, x, expected in (("he_keeps_variance", "He", he, 1.0), ("lecun_halves_variance", "LeCun", lecun, 0.5)):
        off = abs(x / expected - 1) if x is not None else float("inf")
        c.check(id_, off <= THEORY_TOLERANCE, headline=True,
                numbers={"factor": x, "theory": expected, "off": off, "width": w},
                finding=f"relu with {name} init at width {{width}}: the forward variance changes by x{{factor:.3f}} "
                        f"per layer, {{off:.1%}} from the theory's {{theory:g}}.",
                otherwise=f"relu with {name} init at width {{width}}: the forward variance changes by "
                          f"x{{factor:.3f}} per layer, {{off:.1%}} from the theory's {{theory:g}} (more than "
                          f"{THEORY_TOLERANCE:.0%}).")
    worst = max(((abs(p["forward_ratio"] / p["theory_forward_ratio"] - 1), key)
                 for key, p in summary["init_variance"].items()
                 if p["forward_geometric"] and p["theory_forward_ratio"]), default=(0.0, "none"))
    c.check("geometric_factors_match_theory", worst[0] <= THEORY_TOLERANCE,
            numbers={"worst": worst[0], "net": worst[1]},
            finding="Every geometric forward curve's factor per layer lies within 10 % of the theory's (furthest: "
                    "{net}, {worst:.1%}).",
            otherwise="The forward factor of {net} lies {worst:.1%} from the theory's, more than 10 %.")
    spread = summary["width_spread"]
    if len(spread) >= 2:
        narrow, wide = min(spread, key=int), max(spread, key=int)
        pairs = [(label, spread[narrow][label]["log_var_std_last_layer"], spread[wide][label]["log_var_std_last_layer"])
                 for label in spread[narrow] if label in spread[wide]]
        numbers = {"narrow": int(narrow), "wide": int(wide), "depth": s.depth,
                   **{f"std_{label.split(', ')[1]}_{w_}": v for label, a, b in pairs for w_, v in ((narrow, a), (wide, b))}}
        listing = "; ".join(f"{label.split(', ')[1]}: std {a:.2f} at width {narrow}, {b:.2f} at width {wide}"
                            for label, a, b in pairs)
        c.check("narrow_nets_stray_more", all(a > b for _, a, b in pairs), numbers=numbers,
                finding=f"Single initialisations stray further from the mean when the net is narrow (std over seeds "
                        f"of log Var(z) at layer {{depth}}; {listing}).",
                otherwise=f"Single initialisations do not stray further when the net is narrow ({listing}).")

    t = summary["training"]
    plain = t["sigmoid"]
    ratio = plain["grad_ratio_first_last_epoch1"]
    c.check("sigmoid_gradient_vanishes", ratio is not None and ratio < VANISHED and not plain["learned"],
            headline=True,
            numbers={"ratio": ratio, "accuracy": plain["test_accuracy"], "depth": s.depth, "epochs": s.epochs},
            finding="The plain sigmoid net of {depth} hidden layers did not learn under SGD in {epochs} epochs (test "
                    "accuracy {accuracy:.3f}, chance 0.5): its first layer's gradient was {ratio:.2g} x the head's.",
            otherwise="The plain sigmoid net of {depth} hidden layers reached test accuracy {accuracy:.3f}; its first "
                      "layer's gradient was {ratio} x the head's.")
    fixes = {name: r for name, r in t.items() if name != "sigmoid"}
    c.check("fixes_learn", all(r["learned"] for r in fixes.values()), headline=True,
            numbers={name: r["test_accuracy"] for name, r in fixes.items()} | {"threshold": s.learned_accuracy},
            finding="At the same depth, width and learning rate, " + ", ".join(
                f"{name} learned (test accuracy {r['test_accuracy']:.3f})" for name, r in fixes.items())
                    + " (learned: >= {threshold}).",
            otherwise="At the same depth, width and learning rate: " + ", ".join(
                f"{name} {'learned' if r['learned'] else 'did not learn'} ({r['test_accuracy']:.3f})"
                for name, r in fixes.items()) + " (learned: >= {threshold}).")

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
        c.check("adam_moves_vanishing_layers", moved and tiny and adam["learned"] and not sgd["learned"],
                headline=True, numbers=numbers,
                finding="On the plain sigmoid net of {depth} hidden layers the first layer's gradient starts as a "
                        "vanishing fraction of the head's under both optimizers (epoch 1: SGD {sgd_grad:.2g}, Adam "
                        "{adam_grad:.2g}), yet Adam moves the first layer's weights {adam_move:.2g} x as far as the "
                        "head's per epoch against SGD's {sgd_move:.2g} x, and learns (test accuracy {adam_acc:.3f} "
                        "against SGD's {sgd_acc:.3f}): Adam's per-parameter scaling hides the vanishing gradient.",
                otherwise="On the plain sigmoid net of {depth} hidden layers: first-layer gradient in epoch 1 SGD "
                          "{sgd_grad} and Adam {adam_grad} x the head's; weights moved SGD {sgd_move} and Adam "
                          "{adam_move} x as far as the head's; test accuracy SGD {sgd_acc:.3f}, Adam {adam_acc:.3f}.")
    deep = by.get(("adam", s.depth))
    if deep and s.depth != s.adam_depth:
        c.theory("adam_eps", "Adam's step is lr * m / (sqrt(v) + eps) with eps = 1e-8: where a gradient is far "
                 "below eps the step shrinks with it, so Adam no longer hides the vanishing.")
        c.check("adam_fails_deeper", not deep["learned"],
                numbers={"depth": s.depth, "grad": deep["grad_ratio_first_last_epoch1"],
                         "move": deep["update_ratio_first_last_mean"], "acc": deep["test_accuracy"]},
                finding="At {depth} hidden layers (first-layer gradient {grad:.2g} x the head's) Adam did not learn "
                        "either (test accuracy {acc:.3f}; the first layer moved {move:.2g} x as far as the head).",
                otherwise="At {depth} hidden layers Adam still learned (test accuracy {acc:.3f}).")

    for i, (name, e) in enumerate(summary["exploding"].items()):
        f = e["non_finite"]
        c.check(f"explosion_caught_{i + 1}", f is not None, headline=True,
                numbers={"scenario": name, "lr": e["lr"], "epoch": f and f["epoch"], "step": f and f["step"],
                         "layer": f and f["layer_name"], "where": f and f["where"]},
                finding="{scenario} (lr {lr:g}): the first non-finite value was caught in epoch {epoch}, step "
                        "{step}, in the {where} pass at {layer}.",
                otherwise="{scenario} (lr {lr:g}): every value stayed finite, nothing exploded.")
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
    doc.claims(["init_theory", "he_keeps_variance", "lecun_halves_variance", "geometric_factors_match_theory"])
    doc.table(["activation", "init", "forward x/layer", "theory", "backward x/layer", "theory"],
              [[key.split("/")[0], p["label"].split(", ", 1)[1], _factor(p, "forward"),
                _g(p["theory_forward_ratio"]), _factor(p, "backward"), _g(p["theory_backward_ratio"])]
               for key, p in summary["init_variance"].items()])
    doc.paragraph("The trained nets' architectures at the same width and depth:")
    doc.table(["net", "forward x/layer", "theory", "backward x/layer", "theory"],
              [[label, _factor(p, "forward"), _g(p["theory_forward_ratio"]), _factor(p, "backward"),
                _g(p["theory_backward_ratio"])] for label, p in summary["architectures_init"].items()])
    doc.claims(["narrow_nets_stray_more"])
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
    doc.paragraph("Adam divides each parameter's step by a running root-mean-square of its own gradient. The same "
                  "plain sigmoid net is trained with SGD and with Adam, at a moderate depth and at the full depth; "
                  "the weight-change ratio is the first layer's mean ||dW|| / ||W|| per epoch over the head's.")
    doc.table(["optimizer", "depth", "test accuracy", "grad ratio, epoch 1", "weight-change ratio first/last layer"],
              [[f"{r['optimizer']} (lr {r['lr']:g})", r["depth"], _g(r["test_accuracy"]),
                _g(r["grad_ratio_first_last_epoch1"], 2), _g(r["update_ratio_first_last_mean"], 2)]
               for r in summary["adam"]])
    doc.claims(["adam_moves_vanishing_layers", "adam_eps", "adam_fails_deeper"])
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
