"""The study lab's page: how each study was run, its tables and figures, and its claims (``findings``), which
are the only sentences that say what happened."""
from __future__ import annotations

import math

from nnlab.document import Document
from nnlab.labs.study.findings import make_claims, order_by_batch
from nnlab.labs.study.sensitivity import batch_label

__all__ = ["report", "make_claims", "TITLES", "pm"]     # make_claims: written in findings.py

TITLE = "Exercise 1.1: a single hidden layer, its activations and its hyperparameters"
TITLES = {"one-layer": "A single hidden layer: forward, loss, backward",
          "activations": "Activation functions compared",
          "sensitivity": "Sensitivity to learning rate and batch size"}


def pm(pair, percent: bool = False) -> str:
    """'97.8% ± 4.5%' or '0.0533 ± 0.1'; 'n/a' when the mean is not a number."""
    m, s = pair
    if m is None or not math.isfinite(m):
        return "n/a"
    return f"{m:.1%} ± {s:.1%}" if percent else f"{m:.3g} ± {s:.2g}"


def _setup(s, epochs: int | None = None) -> str:
    return (f"Data: `{s.dataset}` (nnlab.data.DATASETS), {s.test_fraction:.0%} held out for testing. Network: "
            f"2 -> {s.hidden} -> 2, one hidden layer, softmax cross-entropy. Plain SGD (w -= lr * g), "
            f"{epochs or s.epochs} epochs; `train.seed` sets the initial weights and the batch order. Final loss "
            "and accuracy: the finished network in eval mode on the whole training (or test) set.")


def report(parts: dict, s) -> Document:
    """The page for the studies in ``parts`` ({study: summary}): one study's page, or (several) the exercise's
    page with a section per study, whose figures lie in the study's sub-directory."""
    single = len(parts) == 1
    name = next(iter(parts))
    doc = Document(TITLES[name] if single else TITLE)
    if not single:
        doc.paragraph("The exercise: a network with a single hidden layer on a 2-D binary task, with forward "
                      "propagation, loss and backpropagation; its decision boundary and loss over the epochs; "
                      "activation functions compared; its sensitivity to learning rate and batch size. Each study "
                      "below states its claims beside the numbers they come from.")
    for study, summary in parts.items():
        prefix, level = ("", 2) if single else (f"{study}/", 3)
        if not single:
            doc.heading(TITLES[study], 2)
        _SECTIONS[study](doc, summary, s, prefix, level)
    return doc


# -- one-layer ------------------------------------------------------------------------------------------------

_FORMULAS = """```
forward   z1 = X W1^T + b1          a1 = act(z1)           (n, h)
          z2 = a1 W2^T + b2                                (n, 2) logits
loss      L  = mean_i -log softmax(z2_i)[y_i]
backward  dz2 = (softmax(z2) - onehot(y)) / n
          dW2 = dz2^T a1     db2 = sum_i dz2_i
          dz1 = (dz2 W2) * act'(z1)
          dW1 = dz1^T X      db1 = sum_i dz1_i
step      w  -= lr * dw
```"""


def _one_layer(doc: Document, sm: dict, s, prefix: str, level: int) -> None:
    cfg, g, final = sm["config"], sm["gradient_check"], sm["final"]
    b = cfg["train"]["batch_size"]
    batch = "full batch" if b is None else f"batch size {b}"
    doc.paragraph(_setup(s) + f" Activation `{cfg['model']['activation']}`, lr {cfg['train']['lr']:g}, {batch}, "
                  f"seed {cfg['train']['seed']}; {g['parameters']} parameters.")
    doc.paragraph("The network and its gradients, as `nnlab.scratch.HandMLP` computes them (NumPy, no autograd):")
    doc.markdown(_FORMULAS)
    doc.paragraph("The same network was trained twice from the same initial weights and in the same batch order: "
                  "by the hand-written loop above (float64) and by nnlab's one training loop "
                  "(`nnlab.training.run.train`, float32).")
    doc.table(["check", "value"], [
        ["hand gradients vs torch autograd at the initial weights (largest relative error)",
         f"{g['vs_autograd']:.1e}"],
        ["hand gradients vs central differences, h = 1e-6 (largest relative error)",
         f"{g['vs_central_differences']:.1e}"],
        [f"training loss per epoch (mean over the epoch's batches), hand vs torch: largest absolute difference "
         f"over {len(sm['hand_loss'])} epochs", f"{sm['loss_max_abs_diff']:.1e}"],
        ["trained weights, hand vs torch: largest absolute difference", f"{sm['param_max_abs_diff']:.1e}"]])
    doc.claims(["hand_gradients_match", "hand_training_matches"])
    doc.heading("Training", level)
    hand = sm["hand_final"]
    doc.table(["finished network", "torch run: loss", "accuracy", "hand-written run: loss", "accuracy"],
              [[f"{where} set", f"{final[f'{key}_loss']:.3g}", f"{final[f'{key}_accuracy']:.1%}",
                f"{hand[f'{key}_loss']:.3g}", f"{hand[f'{key}_accuracy']:.1%}"]
               for where, key in (("training", "train"), ("test", "test"))])
    doc.claims(["one_layer_learns", "accuracy_curve", "loss_falls_after_best_accuracy", "cross_entropy_margins"])
    doc.paragraph("The figure: above, at the snapshot epochs of the hand-written run, the regions where the "
                  "network predicts each class (blue -1, red 1) with the training points; below, the training loss "
                  "per epoch (mean over the epoch's batches) of both runs and the torch run's test loss, on log "
                  "axes.")
    doc.image(f"{prefix}one_layer_training.png", "training: decision regions at the snapshot epochs and loss curves")
    doc.heading("What the hidden units do", level)
    doc.paragraph("In the boundary figure the dashed lines are the hidden units' lines w . x + b = 0, one per "
                  "unit, from the first layer's trained weights; the test points are outlined."
                  + (" XOR's boundary has to turn at the origin, where its four quadrants meet." if s.dataset == "xor"
                     else ""))
    doc.claims(["units_make_the_kinks", "units_near_origin"])
    doc.image(f"{prefix}one_layer_boundary.png", "decision boundary with the hidden units' lines")


# -- activations ----------------------------------------------------------------------------------------------

def _activations(doc: Document, sm: dict, s, prefix: str, level: int) -> None:
    summ = sm["activations"]
    seeds = len(next(iter(summ.values()))["seeds"])
    doc.paragraph(_setup(s) + f" lr {s.lr:g}, batch size {s.batch_size}; every activation of "
                  f"`nnlab.nn.ACTIVATIONS` on the same data and the same {seeds} seeds (the same initial weight "
                  f"draws). The {len(summ) * seeds} runs are one sweep (`nnlab.sweeps`, vectorized executor) "
                  f"recorded in the run store `{prefix}runs/` (`nnlab runs list --store {prefix}runs`).")
    if s.dataset == "xor":
        doc.paragraph("Why XOR: its class is the sign of x * y, so the boundary between the classes has to bend, "
                      "and all the bending is the hidden layer's non-linearity.")
    ranked = sorted(summ, key=lambda n: (-_num(summ[n]["test_accuracy"][0]), _num(summ[n]["train_loss"][0])))
    rows = []
    for n in ranked:
        i = summ[n]
        med = "never" if i["epochs_to_target_median"] is None else f"{i['epochs_to_target_median']:g}"
        rows.append([n, pm(i["test_accuracy"], True), pm(i["train_loss"]),
                     f"{med} ({i['reached_target']}/{len(i['seeds'])})", str(i["diverged"])])
    doc.table(["activation", "final test accuracy", "final training loss",
               f"epochs to {s.target:.0%} test accuracy: median (seeds that reached it)", "diverged"], rows)
    doc.paragraph("Mean ± std over seeds (population std), sorted by mean test accuracy. A seed that never reached "
                  "the target counts as never in the median.")
    doc.claims(["linear_is_one_line", "linear_cannot_learn", "sigmoid_slope", "sigmoid_learns_slowest",
                "every_nonlinear_learns", "seed_matters", "epochs_to_target"])
    doc.paragraph("The loss figure: a panel per activation, each seed's training loss per epoch (mean over the "
                  "epoch's batches; thin), their median (bold) and min-max band, the other activations' medians in "
                  "grey behind.")
    doc.image(f"{prefix}activations_loss.png", "training loss per activation")
    doc.paragraph("The outcome figure: left, every seed's final test accuracy (dots) and the mean ± std; right, "
                  f"the epoch each seed first reached {s.target:.0%} test accuracy, 'never' at the right edge.")
    doc.image(f"{prefix}activations_accuracy.png", "final test accuracy and epochs to target per seed")
    doc.paragraph("The boundary figure: a column per activation, a row per seed; the predicted class over the "
                  "plane with the training points, and each run's final test accuracy under its panel. The store "
                  "keeps metrics, not weights, so these networks were trained again from their stored configs.")
    doc.claims(["reruns_reproduce"])
    doc.image(f"{prefix}activations_boundaries.png", "decision boundaries per activation and seed")


def _num(x) -> float:
    return -math.inf if x is None or not math.isfinite(x) else x


# -- sensitivity ----------------------------------------------------------------------------------------------

def _sensitivity(doc: Document, sm: dict, s, prefix: str, level: int) -> None:
    n_train, cells = sm["n_train"], sm["cells"]
    runs = sum(c["seeds"] for c in cells)
    doc.paragraph(_setup(s, sm["epochs"]) + f" Activation `{s.activation}`; {n_train} training points. Grid: "
                  f"learning rates {', '.join(f'{lr:g}' for lr in s.lrs)} x batch sizes "
                  f"{', '.join(batch_label(b, n_train) for b in s.batch_sizes)}, {s.seeds} seeds each: {runs} runs, "
                  f"one sweep on the vectorized executor, recorded in `{prefix}runs/`.")
    doc.paragraph("A run *diverged* when its training loss (of an epoch, or of the finished network) stopped being "
                  f"finite or rose above {s.blow_up:g} x log 2 = {sm['blow_up_loss']:.3g} (log 2 is the loss of a "
                  "50/50 guess). Final training loss: mean ± std over the seeds that did not diverge. Epochs to "
                  f"target: the first epoch whose test accuracy is at least {s.target:.0%}, median over all seeds "
                  "(never reached or diverged = never), and in brackets how many seeds reached it. The heatmaps "
                  "show both tables; the pink frame marks each panel's best cell among those where no seed "
                  "diverged.")
    doc.image(f"{prefix}sensitivity_heatmaps.png", "final loss and epochs to target over learning rate x batch size")

    def loss_fmt(c):
        if c["diverged"] == c["seeds"]:
            return "diverged"
        extra = f" ({c['diverged']}/{c['seeds']} diverged)" if c["diverged"] else ""
        return pm(c["train_loss"]) + extra

    def epoch_fmt(c):
        if c["diverged"] == c["seeds"]:
            return "diverged"
        med = c["epochs_to_target_median"]
        return ("never" if med is None else f"{med:g}") + f" ({c['reached_target']}/{c['seeds']})"

    doc.heading("Final training loss", level)
    doc.table(*_cell_table(sm, s, loss_fmt))
    doc.heading("Epochs to target", level)
    doc.table(*_cell_table(sm, s, epoch_fmt))
    doc.claims(["large_lr_diverges", "small_lr_slow", "lowest_loss_cell", "fastest_cell", "diverged_runs_lost"])
    doc.heading("By batch size", level)
    rows = []
    for row in order_by_batch(sm["per_batch_size"], n_train):
        def g(v):
            return "-" if v is None else f"{v:g}"
        rows.append([batch_label(row["batch_size"], n_train), g(row["best_lr"]),
                     pm(row["best_loss"]) if row["best_loss"] else "-", g(row["largest_stable_lr"]),
                     g(row["smallest_diverging_lr"])])
    doc.table(["batch size", "best lr (lowest mean final loss)", "its loss", "largest lr with no diverged seed",
               "smallest lr with a diverged seed"], rows)
    doc.paragraph("An epoch of batch size b is ceil(n / b) SGD steps (one with full batch).")
    doc.claims(["stable_lr_grows_with_batch", "best_lr_grows_with_batch", "small_batch_noise",
                "small_batches_fewer_epochs_more_steps", "one_seed_poorer"])
    doc.paragraph("The curves figure: a panel per batch size, every seed's training loss per epoch (mean over the "
                  "epoch's batches; thin), a colour per learning rate, and in bold the median of the seeds that did "
                  "not diverge (none where every seed diverged). A run that diverged is drawn as it went until the "
                  "epoch its loss first passed the dashed divergence threshold (or stopped being finite) and at the "
                  "cap, 3 x the threshold, from that epoch on, whatever its loss did afterwards.")
    doc.image(f"{prefix}sensitivity_curves.png", "loss curves per batch size and learning rate")


def _cell_table(sm: dict, s, fmt) -> tuple[list[str], list[list[str]]]:
    n_train = sm["n_train"]
    headers = ["lr \\ batch"] + [batch_label(b, n_train) for b in s.batch_sizes]
    rows = []
    for lr in s.lrs:
        row = [fmt(c) for b in s.batch_sizes for c in sm["cells"] if c["lr"] == lr and c["batch_size"] == b]
        rows.append([f"{lr:g}", *row])
    return headers, rows


_SECTIONS = {"one-layer": _one_layer, "activations": _activations, "sensitivity": _sensitivity}
