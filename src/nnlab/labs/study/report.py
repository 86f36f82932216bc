"""The studies' report.md texts, written from their numbers."""
from __future__ import annotations

import math

import numpy as np

from nnlab.labs.study.sensitivity import batch_label

__all__ = ["one_layer_report", "activations_report", "sensitivity_report", "index_report", "pm"]


def pm(pair, percent: bool = False) -> str:
    """'97.8% ± 4.5%' or '0.0533 ± 0.1'; 'n/a' when the mean is not a number."""
    m, s = pair
    if m is None or not math.isfinite(m):
        return "n/a"
    return f"{m:.1%} ± {s:.1%}" if percent else f"{m:.3g} ± {s:.2g}"


def _setup(s, epochs: int | None = None) -> str:
    return (f"Data: `{s.dataset}` (nnlab.data.DATASETS), {s.test_fraction:.0%} held out for testing. Network: "
            f"2 -> {s.hidden} -> 2, one hidden layer, softmax cross-entropy. Plain SGD (w -= lr * g), "
            f"{epochs or s.epochs} epochs; `train.seed` sets the initial weights and the batch order.")


def one_layer_report(r: dict, s) -> str:
    cfg, final, hand = r["config"], r["torch"].history.final, r["hand"]
    g = r["gradient_check"]
    b = "full batch" if cfg.train.batch_size is None else f"batch size {cfg.train.batch_size}"
    lines = ["# A single hidden layer: forward, loss, backward", "",
             _setup(s) + f" Activation `{cfg.model.activation}`, lr {cfg.train.lr:g}, {b}, seed {cfg.train.seed}; "
             f"{g['parameters']} parameters.", "",
             "The network and its gradients, as `nnlab.scratch.HandMLP` computes them (NumPy, no autograd):", "",
             "```",
             "forward   z1 = X W1^T + b1          a1 = act(z1)           (n, h)",
             "          z2 = a1 W2^T + b2                                (n, 2) logits",
             "loss      L  = mean_i -log softmax(z2_i)[y_i]",
             "backward  dz2 = (softmax(z2) - onehot(y)) / n",
             "          dW2 = dz2^T a1     db2 = sum_i dz2_i",
             "          dz1 = (dz2 W2) * act'(z1)",
             "          dW1 = dz1^T X      db1 = sum_i dz1_i",
             "step      w  -= lr * dw",
             "```", "",
             "The same network was trained twice from the same initial weights and in the same batch order: by the "
             "hand-written loop above (float64) and by nnlab's one training loop (`nnlab.training.run.train`, "
             "float32).", "",
             "| check | value |", "|---|---:|",
             f"| hand gradients vs torch autograd at the start (max relative error) | {g['vs_autograd']:.1e} |",
             f"| hand gradients vs central differences, h = 1e-6 (max relative error) | "
             f"{g['vs_central_differences']:.1e} |",
             f"| training loss per epoch, hand vs torch (max absolute difference over {len(hand.loss)} epochs) | "
             f"{r['loss_max_abs_diff']:.1e} |",
             f"| trained weights, hand vs torch (max absolute difference) | {r['param_max_abs_diff']:.1e} |", "",
             f"Result: training loss {final['train_loss']:.4g}, training accuracy {final['train_accuracy']:.1%}, "
             f"test loss {final['test_loss']:.4g}, test accuracy {final['test_accuracy']:.1%} (the hand-written run: "
             f"test accuracy {r['hand_test_accuracy']:.1%}).", "",
             _training_story(r, s), "", _units_story(r), "",
             "![training](one_layer_training.png)", "", "![boundary](one_layer_boundary.png)", ""]
    return "\n".join(lines)


def _training_story(r: dict, s) -> str:
    """What the loss and accuracy curves of the torch run show, in numbers."""
    h = r["torch"].history
    acc, loss = h.test_accuracy, h.loss
    if not acc:
        return ""
    best = max(acc)
    at_best = acc.index(best) + 1
    hit = next((i + 1 for i, a in enumerate(acc) if a >= s.target), None)
    text = f"Test accuracy after the first epoch: {acc[0]:.1%}; "
    text += (f"first at {s.target:.0%} or more in epoch {hit}; " if hit else f"never {s.target:.0%} or more; ")
    text += f"its highest, {best:.1%}, first in epoch {at_best}."
    if at_best < len(loss):
        text += (f" The training loss goes on falling after that, from {loss[at_best - 1]:.3g} to {loss[-1]:.3g}: "
                 "the predicted classes hardly change any more, but the logits keep growing, and the "
                 "cross-entropy rewards the wider margins.")
    return text


def _units_story(r: dict) -> str:
    """Where the hidden units' lines lie, and what they mean for this activation."""
    first = r["torch"].model.linear_layers()[0]
    W, b = first.weight.detach().numpy(), first.bias.detach().numpy()
    dist = np.abs(b) / np.maximum(np.linalg.norm(W, axis=1), 1e-12)          # (h,) distance of each line from 0
    act = r["config"].model.activation
    if act in ("relu", "leaky_relu"):
        meaning = (f"where a {act} unit switches on. The network's output is a sum of such units, piecewise "
                   "linear, so the decision boundary can change direction only where it crosses one of these lines")
    else:
        meaning = f"where a {act} unit is at the middle of its transition; the boundary bends smoothly around them"
    return (f"In the boundary figure the dashed lines are the hidden units' lines w . x + b = 0, {meaning}. "
            f"Their distances from the origin: median {np.median(dist):.2g}, largest {dist.max():.2g} (the data lie "
            f"in [-{r['data'].domain:g}, {r['data'].domain:g}]^2).")


_WHY_XOR = ("Why XOR: its classes are the signs of x * y, so no straight line separates them and all the work "
            "falls on the hidden layer's non-linearity; the `linear` activation makes the whole network linear "
            "and stays near chance. Its four quadrants also need units that bend exactly along the axes, which "
            "brings out how each activation trains. (On the Playground's `circle` data, with these settings, every "
            "non-linear activation reaches 99.9-100% test accuracy and the differences vanish.)")


def activations_report(r: dict, s) -> str:
    summ = r["summary"]
    ranked = sorted(summ, key=lambda n: (-summ[n]["test_accuracy"][0], summ[n]["train_loss"][0]))
    lines = ["# Activation functions compared", "",
             _setup(s) + f" lr {s.lr:g}, batch size {s.batch_size}; every activation of `nnlab.nn.ACTIVATIONS` on "
             f"the same data and the same {s.seeds} seeds (the same initial weight draws). The {len(summ) * s.seeds} "
             "runs are one sweep (`nnlab.sweeps`, vectorized executor) recorded in the run store `runs/` "
             "(`nnlab runs list --store runs`).", ""]
    if s.dataset == "xor":
        lines += [_WHY_XOR, ""]
    lines += [f"| activation | final test accuracy | final training loss | epochs to {s.target:.0%} test accuracy: "
              "median (seeds that reached it) | diverged |", "|---|---:|---:|---:|---:|"]
    for n in ranked:
        i = summ[n]
        med = "never" if i["epochs_to_target_median"] is None else f"{i['epochs_to_target_median']:g}"
        lines.append(f"| {n} | {pm(i['test_accuracy'], True)} | {pm(i['train_loss'])} | {med} "
                     f"({i['reached_target']}/{len(i['seeds'])}) | {i['diverged']} |")
    best, worst = ranked[0], ranked[-1]
    learners = [n for n in summ if summ[n]["test_accuracy"][0] >= 0.75] or list(summ)
    spread = max(learners, key=lambda n: summ[n]["test_accuracy"][1])
    slow = [n for n in summ if summ[n]["epochs_to_target_median"] is None]
    lowest_seed = min(zip(summ[spread]["test_accuracy_per_seed"], summ[spread]["seeds"]))
    lines += ["", "Mean ± std over seeds (population std). What the numbers show:", "",
              f"- Highest mean test accuracy: `{best}` ({pm(summ[best]['test_accuracy'], True)}); lowest: "
              f"`{worst}` ({pm(summ[worst]['test_accuracy'], True)}).",
              f"- The largest spread over seeds among the activations that learn (mean test accuracy 75% or more): "
              f"`{spread}` ({pm(summ[spread]['test_accuracy'], True)}); its worst "
              f"seed ({lowest_seed[1]}) ends at {lowest_seed[0]:.1%}. The data are the same for every seed; the seed "
              "decides the initial weights and the batch order, and with them which solution training lands in.",
              "- " + (f"Never at {s.target:.0%} test accuracy (median seed) within {s.epochs} epochs: "
                      + ", ".join(f"`{n}`" for n in slow) + "." if slow else
                      f"Every activation's median seed reached {s.target:.0%} test accuracy."),
              _speed(summ, s),
              f"- The decision-boundary figure retrains each run from its stored config; the reruns' test "
              f"accuracies match the sweep's to {r['retrain_max_abs_diff']:.1e}.", "",
              "![loss curves](activations_loss.png)", "", "![accuracy](activations_accuracy.png)", "",
              "![boundaries](activations_boundaries.png)", ""]
    return "\n".join(lines)


def _speed(summ: dict, s) -> str:
    """Which activations reach the target fastest and slowest (median epochs), and why sigmoid is slow."""
    timed = sorted((v["epochs_to_target_median"], n) for n, v in summ.items()
                   if v["epochs_to_target_median"] is not None)
    if not timed:
        return f"- No activation's median seed reached {s.target:.0%} test accuracy."
    text = (f"- Median epochs to {s.target:.0%} test accuracy: fastest `{timed[0][1]}` ({timed[0][0]:g}), slowest "
            f"`{timed[-1][1]}` ({timed[-1][0]:g}).")
    if timed[-1][1] == "sigmoid":
        text += (" The sigmoid's slope is at most 1/4, so the gradients reaching the first layer are small, and its "
                 "outputs are all positive, so for each training point the gradients of the weights into an output "
                 "unit share one sign: at the same learning rate it starts slowly.")
    return text


def _cell_table(r: dict, s, fmt) -> list[str]:
    n_train = r["n_train"]
    head = "| lr \\ batch | " + " | ".join(batch_label(b, n_train) for b in s.batch_sizes) + " |"
    lines = [head, "|---:|" + "---:|" * len(s.batch_sizes)]
    for lr in s.lrs:
        row = [fmt(c) for b in s.batch_sizes for c in r["cells"] if c["lr"] == lr and c["batch_size"] == b]
        lines.append(f"| {lr:g} | " + " | ".join(row) + " |")
    return lines


def _epochs(e: float) -> str:
    return f"{e:g} epoch" + ("" if e == 1 else "s")


def _steps(epochs: float, b, n_train: int) -> int:
    per_epoch = 1 if b is None else math.ceil(n_train / b)
    return int(round(epochs * per_epoch))


def sensitivity_report(r: dict, s) -> str:
    n_train, cells = r["n_train"], r["cells"]

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

    lines = ["# Sensitivity to learning rate and batch size", "",
             _setup(s, s.grid_epochs) + f" Activation `{s.activation}`; {n_train} training points. Grid: learning "
             f"rates {', '.join(f'{lr:g}' for lr in s.lrs)} x batch sizes "
             f"{', '.join(batch_label(b, n_train) for b in s.batch_sizes)}, {s.seeds} seeds each: "
             f"{len(r['trials'])} runs, one sweep on the vectorized executor, recorded in `runs/`.", "",
             "A run *diverged* when its training loss (of an epoch, or of the final weights) stopped being finite "
             f"or rose above {s.blow_up:g} x log 2 = "
             f"{s.blow_up_loss:.3g} (log 2 is the loss of a 50/50 guess). Final loss: mean ± std over the seeds "
             "that did not diverge. Epochs to target: the first epoch whose test accuracy is at least "
             f"{s.target:.0%}, median over all seeds (never reached or diverged = never), and in brackets how many "
             "seeds reached it.", "", "![heatmaps](sensitivity_heatmaps.png)", "",
             "## Final training loss", ""] + _cell_table(r, s, loss_fmt) + [
             "", "## Epochs to target", ""] + _cell_table(r, s, epoch_fmt) + ["", "## What the numbers show", ""]
    best = r["best"]
    for key, what in (("lowest_loss", "Lowest final loss"), ("fastest", "Fewest epochs to target")):
        c = best[key]
        if c is None:
            lines.append(f"- {what}: no cell without a diverged seed qualifies.")
            continue
        med = c["epochs_to_target_median"]
        lines.append(f"- {what}: lr {c['lr']:g}, batch {batch_label(c['batch_size'], n_train)}: final loss "
                     f"{pm(c['train_loss'])}, test accuracy {pm(c['test_accuracy'], True)}, "
                     + ("never at target" if med is None else f"{_epochs(med)} to target "
                        f"({_steps(med, c['batch_size'], n_train)} SGD steps)") + ".")
    div = [c for c in cells if c["diverged"]]
    lines.append("- Diverged (seeds out of " + str(s.seeds) + "): " + (", ".join(
        f"lr {c['lr']:g} x batch {batch_label(c['batch_size'])} ({c['diverged']})" for c in div) or "none") + ".")
    lines += ["", "| batch size | best lr (lowest mean loss) | its loss | largest lr with no diverged seed | "
              "smallest lr with a diverged seed |", "|---:|---:|---:|---:|---:|"]
    for row in r["per_batch_size"]:
        def g(v):
            return "-" if v is None else f"{v:g}"
        lines.append(f"| {batch_label(row['batch_size'], n_train)} | {g(row['best_lr'])} | "
                     f"{pm(row['best_loss']) if row['best_loss'] else '-'} | {g(row['largest_stable_lr'])} | "
                     f"{g(row['smallest_diverging_lr'])} |")
    lines += ["", *_trends(r, s), "", "![curves](sensitivity_curves.png)", ""]
    return "\n".join(lines)


def _trends(r: dict, s) -> list[str]:
    """How the best learning rate, the edge of divergence and the cost in steps move with the batch size."""
    n_train, rows = r["n_train"], r["per_batch_size"]
    order = sorted(rows, key=lambda row: n_train if row["batch_size"] is None else row["batch_size"])

    def trend(key: str, what: str) -> str:
        values = [(batch_label(row["batch_size"]), row[key]) for row in order if row[key] is not None]
        if len(values) < 2:
            return f"- {what}: too few stable cells to tell."
        seq = ", ".join(f"{v:g} at batch {b}" for b, v in values)
        rising = all(a[1] <= b[1] for a, b in zip(values, values[1:])) and values[0][1] < values[-1][1]
        return f"- {what} {'grows with the batch size' if rising else 'does not grow steadily with the batch size'}: " \
               f"{seq}."
    lines = [trend("best_lr", "The best learning rate"),
             trend("largest_stable_lr", "The largest learning rate at which no seed diverged")]
    fastest = []
    for row in order:
        mine = [c for c in r["cells"] if c["batch_size"] == row["batch_size"] and c["epochs_to_target_median"]]
        if mine:
            c = min(mine, key=lambda c: c["epochs_to_target_median"])
            e = c["epochs_to_target_median"]
            fastest.append(f"batch {batch_label(c['batch_size'])}: {_epochs(e)} = "
                           f"{_steps(e, c['batch_size'], n_train)} steps (lr {c['lr']:g})")
    if fastest:
        lines.append("- Fewest epochs to target per batch size, and the SGD steps they take: " + "; ".join(fastest)
                     + ". An epoch of batch size b is ceil(n / b) steps, so small batches reach the target in few "
                     "epochs but many steps. Each of their steps follows the gradient of a few points, which can be "
                     "far larger than the average gradient, so a learning rate that suits a large batch can throw a "
                     "small one off.")
    div = [c for c in r["cells"] if c["diverged"]]
    n_div = sum(c["diverged"] for c in div)
    back = sum(c["diverged_reached_target"] for c in div)
    lines.append(f"- {n_div} runs diverged; {back} of them still ended at {s.target:.0%} test accuracy or more.")
    lines.append(_missing_seeds(r["cells"], s))
    return lines


def _missing_seeds(cells: list[dict], s) -> str:
    """Which seed most often never reached the target in runs that did not diverge (it sets much of the std)."""
    missed, runs = {}, {}
    for c in cells:
        for seed, bad, reach in zip(c["seed_ids"], c["diverged_per_seed"], c["epochs_to_target_per_seed"]):
            if not bad:
                runs[seed] = runs.get(seed, 0) + 1
                missed[seed] = missed.get(seed, 0) + (reach is None)
    if not runs:
        return "- No run stayed stable."
    worst = max(runs, key=lambda k: (missed[k] / runs[k], -k))
    others = sum(missed[k] for k in runs if k != worst), sum(runs[k] for k in runs if k != worst)
    text = (f"- Seed {worst} never reached {s.target:.0%} test accuracy in {missed[worst]} of its {runs[worst]} runs "
            f"that did not diverge; the other seeds together missed it in {others[0]} of {others[1]}.")
    if missed[worst] >= runs[worst] / 2 and others[1] and others[0] <= others[1] / 4:
        text += (" Much of the ± in the loss table is that one seed: from its initial weights SGD finds a poorer "
                 "solution at most settings (same data, same grid).")
    return text


def index_report(parts: dict) -> str:
    lines = ["# Exercise 1.1: a simple neural network, its activations and its hyperparameters", "",
             "The exercise: a network with a single hidden layer on a 2-D binary task, with forward propagation, "
             "loss and backpropagation; its decision boundary and loss over the epochs; at least three activation "
             "functions compared; its sensitivity to learning rate and batch size.", ""]
    titles = {"one-layer": "A single hidden layer: forward, loss, backward",
              "activations": "Activation functions compared", "sensitivity": "Learning rate x batch size"}
    for name, line in parts.items():
        lines.append(f"- [{titles[name]}]({name}/report.md): {line}")
    return "\n".join(lines + [""])
