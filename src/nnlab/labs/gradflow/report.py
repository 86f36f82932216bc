"""report.md of the gradient-flow lab, written from summary.json's numbers."""
from __future__ import annotations

from nnlab.labs.gradflow.settings import Settings

__all__ = ["report"]


def _g(x, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}g}"


def report(summary: dict, s: Settings) -> str:
    he, lecun = summary["he_relu_var_ratio_per_layer"], summary["lecun_relu_var_ratio_per_layer"]
    lines = ["# Gradient flow in deep MLPs", "",
             "## At initialisation", "",
             f"Nets of {s.depth} hidden layers of width {s.width} (and a width -> width head), inputs x ~ N(0, 1), "
             f"loss <logits, c> with c ~ N(0, 1); {s.seeds} seeds per line, {s.batch} inputs each. Forward: the "
             "variance of z_l, what layer l's activation receives; backward: the variance of dL/dz_l. The factor "
             "per layer is exp(slope) of a line through log(variance) against the layer (backward: from the head "
             "towards the input); theory: the infinite-width recursion.", "",
             f"- relu with He init (std sqrt(2/fan_in)): forward variance x **{_g(he, 4)}** per layer "
             f"(theory 1: preserved){_verdict(he, 1.0)}.",
             f"- relu with LeCun init (std 1/sqrt(fan_in)): x **{_g(lecun, 4)}** per layer "
             f"(theory 0.5: halves){_verdict(lecun, 0.5)}.", "",
             "| activation | init | forward x/layer | theory | backward x/layer | theory |",
             "|---|---|---:|---:|---:|---:|"]
    for key, p in summary["init_variance"].items():
        activation, init = key.split("/")
        lines.append(f"| {activation} | {p['label'].split(', ', 1)[1]} | {_g(p['forward_ratio'])} | "
                     f"{_g(p['theory_forward_ratio'])} | {_g(p['backward_ratio'])} | "
                     f"{_g(p['theory_backward_ratio'])} |")
    lines += ["", "The trained nets' architectures at the same width and depth:", "",
              "| net | forward x/layer | theory | backward x/layer | theory |", "|---|---:|---:|---:|---:|"]
    for label, p in summary["architectures_init"].items():
        lines.append(f"| {label} | {_g(p['forward_ratio'])} | {_g(p['theory_forward_ratio'])} | "
                     f"{_g(p['backward_ratio'])} | {_g(p['theory_backward_ratio'])} |")
    spread = "; ".join(f"width {w}: " + ", ".join(f"{label.split(', ')[1]} std {v['log_var_std_last_layer']:.2f}"
                                                   for label, v in per.items())
                       for w, per in summary["width_spread"].items())
    lines += ["", f"Single nets stray from the mean, more when narrow (std over seeds of log Var(z) at layer "
              f"{s.depth}: {spread}).", "",
              "![variance at initialisation](gradflow_init_variance.png)",
              "![architectures at initialisation](gradflow_init_architectures.png)",
              "![spread over seeds](gradflow_init_width.png)", "",
              "## Training with plain SGD", "",
              f"The seed's circle data (1000 points, {s.test_fraction:.0%} held out), {s.depth} hidden layers of "
              f"{s.train_width}, SGD at lr {s.lr}, mini-batches of {s.batch_size}, {s.epochs} epochs, seed 0. "
              f"Learned means test accuracy >= {s.learned_accuracy} (chance: 0.5). The gradient ratio is the first "
              "Linear layer's gradient norm over the head's.", "",
              "| net | learned | test accuracy | final loss | grad ratio, epoch 1 | grad ratio, last epoch |",
              "|---|---|---:|---:|---:|---:|"]
    for name, t in summary["training"].items():
        lines.append(f"| {name} | {'yes' if t['learned'] else 'no'} | {_g(t['test_accuracy'])} | "
                     f"{_g(t['final_loss'])} | {_g(t['grad_ratio_first_last_epoch1'], 2)} | "
                     f"{_g(t['grad_ratio_first_last_final'], 2)} |")
    learned, failed = summary["learned"], summary["not_learned"]
    lines += ["", f"Learned: {', '.join(learned) or 'none'}. Did not learn: {', '.join(failed) or 'none'}.", ""]
    lines += [_sentence(name, t) for name, t in summary["training"].items()]
    lines += ["", "![gradient heatmaps](gradflow_heatmaps.png)", "![loss and accuracy](gradflow_curves.png)", "",
              "## Adam hides vanishing gradients", "",
              "Adam divides each parameter's step by a running root-mean-square of its own gradient, so a layer whose "
              "gradient is a millionth of the head's still moves about as far: the loss curve looks healthy while "
              "the gradient heatmap shows the same vanishing. Judge gradient flow with SGD (or look at the "
              "gradients), not with Adam's loss curve. Below Adam's eps (1e-8) even Adam's steps shrink.", "",
              "| optimizer | depth | test accuracy | grad ratio, epoch 1 | weight-change ratio first/last layer |",
              "|---|---:|---:|---:|---:|"]
    for r in summary["adam"]:
        lines.append(f"| {r['optimizer']} (lr {r['lr']:g}) | {r['depth']} | {_g(r['test_accuracy'])} | "
                     f"{_g(r['grad_ratio_first_last_epoch1'], 2)} | {_g(r['update_ratio_first_last_mean'], 2)} |")
    lines.append("")
    for depth in dict.fromkeys(r["depth"] for r in summary["adam"]):
        by = {r["optimizer"]: r for r in summary["adam"] if r["depth"] == depth}
        if {"sgd", "adam"} <= set(by):
            sgd, adam = by["sgd"], by["adam"]
            lines.append(f"- depth {depth}: the first layer's gradient is "
                         f"{_g(sgd['grad_ratio_first_last_epoch1'], 2)} x the head's; under SGD its weights move "
                         f"{_g(sgd['update_ratio_first_last_mean'], 2)} x as far as the head's per epoch, under Adam "
                         f"{_g(adam['update_ratio_first_last_mean'], 2)} x. "
                         f"SGD {'learned' if sgd['learned'] else 'did not learn'} (test accuracy "
                         f"{_g(sgd['test_accuracy'])}), Adam {'learned' if adam['learned'] else 'did not learn'} "
                         f"({_g(adam['test_accuracy'])}).")
    lines += ["", "![SGD against Adam](gradflow_adam.png)", "", "## Exploding", ""]
    for name, e in summary["exploding"].items():
        f = e["non_finite"]
        losses = ", ".join("non-finite" if v is None else f"{v:.3g}" for v in e["loss"])
        where = (f"the first non-finite value appeared in epoch {f['epoch']}, step {f['step']}, in the "
                 f"{f['where']} pass at {f['layer_name']} ({f['value']})" if f else "every value stayed finite")
        lines.append(f"- {name} (lr {e['lr']:g}): {where}; training loss per epoch: {losses}.")
    lines += ["", f"Settings: init std {s.explode_init_std} for the too-large init (lr {s.lr}); He init with lr "
              f"{s.explode_lr} for the too-large learning rate; full-batch SGD, {s.depth} hidden layers of "
              f"{s.train_width}. Non-finite cells are drawn in cyan and the first one starred, not plotted as values.",
              "", "![exploding](gradflow_explode.png)", ""]
    return "\n".join(lines)


def _verdict(measured, expected) -> str:
    if measured is None:
        return ""
    off = abs(measured / expected - 1)
    return f", {off:.1%} off" + ("" if off <= 0.1 else " (more than 10 %)")


def _sentence(name: str, t: dict) -> str:
    verb = "learned" if t["learned"] else "did not learn"
    return (f"- {name}: {verb} (test accuracy {_g(t['test_accuracy'])}); its first layer's gradient was "
            f"{_g(t['grad_ratio_first_last_epoch1'], 2)} x the head's in epoch 1 and "
            f"{_g(t['grad_ratio_first_last_final'], 2)} x in the last.")
