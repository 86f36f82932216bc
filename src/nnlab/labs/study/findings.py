"""What the exercise 1.1 studies found: claims built from their summaries' numbers, each stated as a finding only
where its predicate holds on this run (``nnlab.claims``).

Headline claims (the lab's lessons, tested to hold in quick mode):

- ``hand_gradients_match``: the hand-written backward pass gives autograd's and central differences' gradients;
- ``one_layer_learns``: the single hidden layer reaches the target test accuracy on the data set;
- ``linear_cannot_learn``: with the linear activation the network stays near chance while the others learn;
- ``sigmoid_learns_slowest``: at the same learning rate and epochs, sigmoid ends with the highest training loss
  of the non-linear activations;
- ``large_lr_diverges``: the largest learning rate of the grid diverges at every batch size, the smallest never;
- ``small_lr_slow``: full batch, the smallest learning rate ends far above the best one's loss.
"""
from __future__ import annotations

import math

from nnlab.claims import Claims
from nnlab.labs.study.sensitivity import batch_label

__all__ = ["make_claims", "HEADLINES", "steps_per_epoch", "order_by_batch"]

HEADLINES = {"one-layer": ("hand_gradients_match", "one_layer_learns"),
             "activations": ("linear_cannot_learn", "sigmoid_learns_slowest"),
             "sensitivity": ("large_lr_diverges", "small_lr_slow")}

GRADIENT_TOLERANCE = {"vs_autograd": 1e-10, "vs_central_differences": 1e-6}   # largest relative error
AGREEMENT_TOLERANCE = {"loss": 1e-5, "params": 1e-4}     # float32 torch against float64 NumPy, absolute
LINEAR_CEILING = 0.7            # "near chance": a mean test accuracy below this
LEARN_MARGIN = 0.2              # ... and every non-linear activation at least this much higher
SLOWEST_RATIO = 1.5             # sigmoid's loss at least this many times the next highest
SLOW_LR_RATIO = 5.0             # the smallest lr's loss at least this many times the best lr's
SEED_SPREAD = 0.05              # a spread of test accuracy over seeds that "matters"
NEAR_ORIGIN = 0.2               # hidden units' lines within this fraction of the data's half-width


def _pct(x) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.1%}"


def _g(x, spec: str = ".3g") -> str:
    return "n/a" if x is None or not math.isfinite(x) else format(x, spec)


def _epochs(n) -> str:
    """'1 epoch', '6 epochs', '8.5 epochs'."""
    return f"{n:g} epoch" + ("" if n == 1 else "s")


def _and(items) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def make_claims(parts: dict, s, quick: bool) -> Claims:
    """The claims of the studies in ``parts`` ({study: summary}), in study order."""
    c = Claims(quick=quick)
    if "one-layer" in parts:
        _one_layer(c, parts["one-layer"], s)
    if "activations" in parts:
        _activations(c, parts["activations"], s)
    if "sensitivity" in parts:
        _sensitivity(c, parts["sensitivity"], s)
    return c


# -- one-layer ------------------------------------------------------------------------------------------------

def _one_layer(c: Claims, sm: dict, s) -> None:
    g, final, epochs = sm["gradient_check"], sm["final"], len(sm["loss"])
    c.check("hand_gradients_match", all(g[k] < tol for k, tol in GRADIENT_TOLERANCE.items()), headline=True,
            numbers={"autograd": g["vs_autograd"], "central": g["vs_central_differences"],
                     "parameters": g["parameters"]},
            finding="The hand-written backward pass is right: at the initial weights its gradients of all "
                    "{parameters} parameters match torch autograd's to {autograd:.1e} and central differences to "
                    "{central:.1e} (largest relative error).",
            otherwise="The hand-written gradients differ from autograd's by {autograd:.1e} and from central "
                      "differences by {central:.1e} (largest relative error): more than rounding.",
            cause="a bug in the backward pass")
    c.check("hand_training_matches", sm["loss_max_abs_diff"] < AGREEMENT_TOLERANCE["loss"]
            and sm["param_max_abs_diff"] < AGREEMENT_TOLERANCE["params"],
            numbers={"loss": sm["loss_max_abs_diff"], "params": sm["param_max_abs_diff"], "epochs": epochs},
            finding="Trained by the hand-written loop (NumPy, float64) and by nnlab's training loop (torch, "
                    "float32) from the same weights in the same batch order, the two runs agree to rounding over "
                    "{epochs} epochs: training losses per epoch within {loss:.1e}, trained weights within "
                    "{params:.1e}.",
            otherwise="The hand-written run and the torch run drift apart: training losses per epoch differ by up "
                      "to {loss:.1e}, trained weights by {params:.1e} after {epochs} epochs.",
            cause="the two loops do not take the same steps")
    c.check("one_layer_learns", final["test_accuracy"] >= s.target, headline=True,
            numbers={"dataset": s.dataset, "hidden": s.hidden, "activation": sm["config"]["model"]["activation"],
                     "epochs": epochs, "train_accuracy": final["train_accuracy"],
                     "test_accuracy": final["test_accuracy"], "train_loss": final["train_loss"],
                     "test_loss": final["test_loss"], "hand_test_accuracy": sm["hand_final"]["test_accuracy"],
                     "target": s.target},
            finding="One hidden layer of {hidden} {activation} units learns {dataset}: after {epochs} epochs the "
                    "finished network classifies {test_accuracy:.1%} of the test points correctly (training "
                    "points {train_accuracy:.1%}; final training loss {train_loss:.3g}, test loss {test_loss:.3g}; "
                    "the hand-written run: test accuracy {hand_test_accuracy:.1%}).",
            otherwise="After {epochs} epochs the 2 -> {hidden} -> 2 {activation} network classifies "
                      "{test_accuracy:.1%} of the {dataset} test points correctly, below {target:.0%} (training "
                      "points {train_accuracy:.1%}, final training loss {train_loss:.3g}).")
    _one_layer_curve(c, sm, s)
    _one_layer_units(c, sm)


def _one_layer_curve(c: Claims, sm: dict, s) -> None:
    """The test accuracy curve and the training loss after its best epoch."""
    acc, loss = sm["test_accuracy"], sm["loss"]
    if not acc:
        return
    best = max(acc)
    at_best = acc.index(best) + 1
    hit = next((i + 1 for i, a in enumerate(acc) if a >= s.target), None)
    c.check("accuracy_curve", hit is not None,
            numbers={"first": acc[0], "hit": hit, "best": best, "at_best": at_best, "target": s.target,
                     "epochs": len(acc)},
            finding="Test accuracy after the first epoch: {first:.1%}; at {target:.0%} or more first in epoch "
                    "{hit}; its highest, {best:.1%}, first in epoch {at_best}.",
            otherwise="Test accuracy after the first epoch: {first:.1%}; never {target:.0%} or more in {epochs} "
                      "epochs; its highest, {best:.1%}, first in epoch {at_best}.")
    if at_best >= len(loss):
        return
    after = acc[at_best - 1:]
    numbers = {"best": best, "at_best": at_best, "loss_then": loss[at_best - 1], "loss_end": loss[-1],
               "epochs": len(loss), "lowest_after": min(after)}
    c.theory("cross_entropy_margins",
             "Once a point is on the right side of the boundary, its cross-entropy -log p(y | x) still falls as "
             "its logit margin grows: the loss keeps rewarding wider margins after the predicted classes stop "
             "changing.")
    c.check("loss_falls_after_best_accuracy",
            numbers["loss_end"] < 0.5 * numbers["loss_then"] and numbers["lowest_after"] >= best - 0.01,
            numbers=numbers,
            finding="After the test accuracy first reaches its highest ({best:.1%}, epoch {at_best}), the training "
                    "loss (mean over each epoch's batches) goes on falling, from {loss_then:.3g} to {loss_end:.3g} "
                    "in epoch {epochs}, while the test accuracy stays between {lowest_after:.1%} and {best:.1%}.",
            otherwise="After the test accuracy first reaches its highest ({best:.1%}, epoch {at_best}), the training "
                      "loss (mean over each epoch's batches) does not both fall below half while the test accuracy "
                      "stays within 1 point: the loss goes from {loss_then:.3g} to {loss_end:.3g} by epoch "
                      "{epochs}, and the test accuracy stays between {lowest_after:.1%} and {best:.1%}.")


def _one_layer_units(c: Claims, sm: dict) -> None:
    act = sm["config"]["model"]["activation"]
    if act in ("relu", "leaky_relu"):
        c.theory("units_make_the_kinks",
                 f"A {act} unit is linear on each side of its line w . x + b = 0, so the network's output is "
                 "piecewise linear and the decision boundary can change direction only where it crosses one of "
                 "these lines.")
    else:
        c.theory("units_make_the_kinks",
                 f"A {act} unit changes fastest across its line w . x + b = 0, so the decision boundary bends "
                 "smoothly around these lines.")
    dist, d = sm["hidden_unit_line_distance"], sm["domain"]
    if not dist:
        return
    ordered = sorted(dist)
    numbers = {"median": ordered[len(ordered) // 2] if len(ordered) % 2 else
               0.5 * (ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]),
               "largest": ordered[-1], "domain": d, "units": len(dist), "share": ordered[-1] / d,
               "limit": NEAR_ORIGIN}
    c.check("units_near_origin", numbers["share"] <= NEAR_ORIGIN, numbers=numbers,
            finding="All {units} hidden units' lines pass close to the origin, the centre of the data: distance "
                    "from the origin median {median:.2g}, largest {largest:.2g}, that is {share:.0%} of the data's "
                    "half-width {domain:g}.",
            otherwise="Not all {units} hidden units' lines pass within {limit:.0%} of the data's half-width "
                      "({domain:g}) of the origin: their distances from it are median {median:.2g} and up to "
                      "{largest:.2g}, {share:.0%} of the half-width.")


# -- activations ----------------------------------------------------------------------------------------------

def _activations(c: Claims, sm: dict, s) -> None:
    acts, epochs = sm["activations"], s.epochs
    nonlinear = [n for n in acts if n != "linear"]
    mean = {n: acts[n]["test_accuracy"][0] for n in acts}
    loss = {n: acts[n]["train_loss"][0] for n in acts}
    if "linear" in acts:
        c.theory("linear_is_one_line",
                 "With the linear activation the network computes z2 = (X W1^T + b1) W2^T + b2, a linear function "
                 "of x, so its decision boundary is one straight line"
                 + (": no straight line separates XOR's classes, the signs of x * y." if s.dataset == "xor" else "."))
    if "linear" in acts and nonlinear:
        lowest = min(nonlinear, key=lambda n: mean[n])
        c.check("linear_cannot_learn", mean["linear"] < LINEAR_CEILING
                and mean[lowest] - mean["linear"] >= LEARN_MARGIN, headline=True,
                numbers={"linear": mean["linear"], "linear_sd": acts["linear"]["test_accuracy"][1],
                         "lowest": mean[lowest], "lowest_name": lowest, "dataset": s.dataset, "epochs": epochs,
                         "ceiling": LINEAR_CEILING, "margin": LEARN_MARGIN},
                finding="Without a non-linearity the network cannot learn {dataset}: with the linear activation "
                        "it ends at {linear:.1%} ± {linear_sd:.1%} test accuracy (chance: 50%), every non-linear "
                        "activation at {lowest:.1%} or more ({lowest_name} lowest).",
                otherwise="The linear activation is not left near chance while the others learn {dataset}: it ends "
                          "at {linear:.1%} ± {linear_sd:.1%} test accuracy (looked for: below {ceiling:.0%}), the "
                          "lowest non-linear activation ({lowest_name}) at {lowest:.1%} (looked for: at least "
                          "{margin:.0%} higher).",
                # a linear network that learns shows the cause: one straight line separates these classes
                cause=f"one straight line separates {s.dataset}'s classes" if mean["linear"] >= s.target else None)
    if "sigmoid" in acts and len(nonlinear) >= 2:
        others = [n for n in nonlinear if n != "sigmoid"]
        runner_up = max(others, key=lambda n: loss[n])
        ratio = loss["sigmoid"] / loss[runner_up] if loss[runner_up] > 0 else math.inf
        med = acts["sigmoid"]["epochs_to_target_median"]
        c.theory("sigmoid_slope",
                 "The sigmoid's slope is at most 1/4 (tanh's reaches 1, relu's is 1 wherever the unit is on), so "
                 "the gradients that reach the first layer through it are small and, at the same learning rate, "
                 "its weights move slowly.")
        c.check("sigmoid_learns_slowest", ratio >= SLOWEST_RATIO, headline=True,
                numbers={"loss": loss["sigmoid"], "next": runner_up, "next_loss": loss[runner_up], "ratio": ratio,
                         "epochs": epochs, "lr": s.lr, "target": s.target,
                         "median": "never" if med is None else f"{med:g}",
                         "reached": acts["sigmoid"]["reached_target"], "seeds": len(acts["sigmoid"]["seeds"]),
                         "need": SLOWEST_RATIO},
                finding="At the same learning rate ({lr:g}) and epochs ({epochs}), sigmoid learns slowest: its final "
                        "training loss, {loss:.3g} (mean over seeds), is the highest of the non-linear "
                        "activations, {ratio:.1f} x the next highest ({next}, {next_loss:.3g}); median epochs to "
                        "{target:.0%} test accuracy: {median} ({reached}/{seeds} seeds got there).",
                otherwise="Sigmoid is not clearly the slowest: its final training loss, {loss:.3g} (mean over "
                          "seeds), is {ratio:.2f} x that of the highest other non-linear activation ({next}, "
                          "{next_loss:.3g}), under the {need:g} x looked for.")
    if nonlinear:
        below = [n for n in nonlinear if mean[n] < s.target]
        lowest = min(nonlinear, key=lambda n: mean[n])
        listing = ", ".join(f"{n} {_pct(mean[n])}" for n in below)
        c.check("every_nonlinear_learns", not below,
                numbers={"lowest": mean[lowest], "lowest_name": lowest, "target": s.target, "epochs": epochs,
                         "dataset": s.dataset, "below": {n: mean[n] for n in below}},
                finding="Every non-linear activation learns {dataset} within {epochs} epochs: mean test accuracy "
                        "{lowest:.1%} or more ({lowest_name} lowest).",
                otherwise=f"Not every non-linear activation learns {{dataset}} within {{epochs}} epochs; below "
                          f"{{target:.0%}} mean test accuracy: {listing}.")
    _seed_spread(c, acts, nonlinear, epochs)
    _speed(c, acts, s)
    c.check("reruns_reproduce", sm["retrain_max_abs_diff"] < 1e-3,
            numbers={"diff": sm["retrain_max_abs_diff"], "runs": len(sm["run_ids"])},
            finding="Retrained from their stored configs for the decision-boundary figure, the {runs} runs "
                    "reproduce the sweep's test accuracies to {diff:.1e}.",
            otherwise="Retrained from their stored configs, the runs' test accuracies differ from the sweep's by "
                      "up to {diff:.1e}: the boundary figure may not show the runs of the table.",
            cause="the training is not deterministic")


def _seed_spread(c: Claims, acts: dict, nonlinear: list, epochs: int) -> None:
    """The non-linear activation whose seeds end furthest apart."""
    ranges = {}
    for n in nonlinear:
        pairs = [(a, seed) for a, seed in zip(acts[n]["test_accuracy_per_seed"], acts[n]["seeds"])
                 if a is not None and math.isfinite(a)]
        if len(pairs) >= 2:
            ranges[n] = (min(pairs), max(pairs))
    if not ranges:
        return
    name = max(ranges, key=lambda n: ranges[n][1][0] - ranges[n][0][0])
    (worst, worst_seed), (best, best_seed) = ranges[name]
    c.check("seed_matters", best - worst >= SEED_SPREAD,
            numbers={"name": name, "worst": worst, "worst_seed": worst_seed, "best": best, "best_seed": best_seed,
                     "spread": best - worst, "epochs": epochs, "threshold": SEED_SPREAD},
            finding="The seed matters: with {name}, on the same data, seed {worst_seed} ends at {worst:.1%} test "
                    "accuracy and seed {best_seed} at {best:.1%}. The seed sets the initial weights and the batch "
                    "order, and with them where training lands, or how far it gets, in {epochs} epochs.",
            otherwise="The seed hardly changes the outcome here: over the seeds, every non-linear activation's "
                      "test accuracy stays within {spread:.1%} (widest: {name}, {worst:.1%} to {best:.1%}), under "
                      "the {threshold:.0%} looked for.")


def _speed(c: Claims, acts: dict, s) -> None:
    timed = sorted((v["epochs_to_target_median"], n) for n, v in acts.items()
                   if v["epochs_to_target_median"] is not None)
    never = [n for n, v in acts.items() if v["epochs_to_target_median"] is None]
    numbers = {"target": s.target, "epochs": s.epochs, "never": never,
               "timed": {n: e for e, n in timed}}
    missed = (f"; the median seed of {', '.join(never)} did not get there within {s.epochs} epochs" if never
              else "")
    if timed:
        numbers |= {"fastest": timed[0][1], "fastest_epochs": timed[0][0], "slowest": timed[-1][1],
                    "slowest_epochs": timed[-1][0]}
    c.check("epochs_to_target", bool(timed), numbers=numbers,
            finding="Median epochs to {target:.0%} test accuracy: fastest {fastest} ({fastest_epochs:g}), slowest "
                    "{slowest} ({slowest_epochs:g}), among the activations whose median seed got there" + missed
                    + ".",
            otherwise="No activation's median seed reached {target:.0%} test accuracy within {epochs} epochs.")


# -- sensitivity ----------------------------------------------------------------------------------------------

def steps_per_epoch(batch_size, n_train: int) -> int:
    return 1 if batch_size is None else math.ceil(n_train / batch_size)


def order_by_batch(rows: list[dict], n_train: int) -> list[dict]:
    """Rows (with a ``batch_size``) from the smallest batch to full batch."""
    return sorted(rows, key=lambda row: n_train if row["batch_size"] is None else row["batch_size"])


def _cell(cells: list[dict], lr, batch_size) -> dict | None:
    return next((c for c in cells if c["lr"] == lr and c["batch_size"] == batch_size), None)


def _sensitivity(c: Claims, sm: dict, s) -> None:
    cells, n_train, epochs = sm["cells"], sm["n_train"], sm["epochs"]
    big, small = max(s.lrs), min(s.lrs)
    big_cells = [x for x in cells if x["lr"] == big]
    small_cells = [x for x in cells if x["lr"] == small]
    runs = sum(x["seeds"] for x in cells)
    diverged = [x for x in cells if x["diverged"]]
    n_div = sum(x["diverged"] for x in diverged)
    c.check("large_lr_diverges", len(s.lrs) >= 2 and all(x["diverged"] == x["seeds"] for x in big_cells)
            and not any(x["diverged"] for x in small_cells), headline=True,
            numbers={"big": big, "small": small, "big_diverged": sum(x["diverged"] for x in big_cells),
                     "big_runs": sum(x["seeds"] for x in big_cells),
                     "small_diverged": sum(x["diverged"] for x in small_cells),
                     "small_runs": sum(x["seeds"] for x in small_cells), "diverged": n_div, "runs": runs,
                     "limit": s.blow_up_loss},
            finding="Too large a learning rate diverges: at lr {big:g} every run diverged, at every batch size "
                    "({big_diverged} of {big_runs}: the training loss stopped being finite or rose above "
                    "{limit:.3g}), at lr {small:g} none did ({small_diverged} of {small_runs}); {diverged} of "
                    "the grid's {runs} runs diverged in all.",
            otherwise="The grid does not diverge at its largest learning rate only: at lr {big:g}, {big_diverged} "
                      "of {big_runs} runs diverged (looked for: all), at lr {small:g}, {small_diverged} of "
                      "{small_runs} (looked for: none); {diverged} of the grid's {runs} runs in all.")
    _small_lr(c, cells, s, n_train, epochs)
    _batch_trends(c, sm, s)
    for key, id_, what in (("lowest_loss", "lowest_loss_cell", "Lowest final training loss"),
                           ("fastest", "fastest_cell", f"Fewest epochs to {s.target:.0%} test accuracy")):
        best = sm["best"][key]
        numbers = {} if best is None else {
            "lr": best["lr"], "batch": batch_label(best["batch_size"], n_train), "loss": best["train_loss"][0],
            "loss_sd": best["train_loss"][1], "accuracy": best["test_accuracy"][0],
            "accuracy_sd": best["test_accuracy"][1], "median": best["epochs_to_target_median"],
            "steps": None if best["epochs_to_target_median"] is None else
            round(best["epochs_to_target_median"] * steps_per_epoch(best["batch_size"], n_train))}
        reach = ("never at the target" if best is None or numbers["median"] is None else
                 f"{_epochs(numbers['median'])} to the target ({{steps}} SGD steps)")
        c.check(id_, best is not None, numbers=numbers,
                finding=f"{what} among the cells where no seed diverged: lr {{lr:g}}, batch {{batch}}: final "
                        "training loss {loss:.3g} ± {loss_sd:.2g}, test accuracy {accuracy:.1%} ± "
                        f"{{accuracy_sd:.1%}}, {reach}.",
                otherwise=f"{what}: no cell without a diverged seed qualifies.")
    back = sum(x["diverged_reached_target"] for x in diverged)
    c.check("diverged_runs_lost", n_div > 0 and back == 0,
            numbers={"diverged": n_div, "back": back, "target": s.target},
            finding="None of the {diverged} diverged runs ended at {target:.0%} test accuracy or more (a run whose "
                    "loss stops being finite stops training there).",
            otherwise=("No run diverged." if n_div == 0 else
                       "{back} of the {diverged} diverged runs still ended at {target:.0%} test accuracy or more."))
    _missing_seed(c, cells, s)


def _small_lr(c: Claims, cells: list[dict], s, n_train: int, epochs: int) -> None:
    largest = order_by_batch([{"batch_size": b} for b in s.batch_sizes], n_train)[-1]["batch_size"]
    column = [x for x in cells if x["batch_size"] == largest]
    small = min(s.lrs)
    slow = _cell(cells, small, largest)
    stable = [x for x in column if x["diverged"] == 0 and x["train_loss"][0] is not None
              and math.isfinite(x["train_loss"][0])]
    best = min(stable, key=lambda x: x["train_loss"][0], default=None)
    if slow is None or best is None:
        return
    ok = slow["diverged"] == 0 and best["lr"] != small
    ratio = slow["train_loss"][0] / best["train_loss"][0] if ok and best["train_loss"][0] > 0 else 0.0
    if slow["diverged"]:
        instead = "at batch size {batch}, {diverged} of {seeds} seeds at lr {small:g} diverged"
    elif best["lr"] == small:
        instead = ("at batch size {batch}, lr {small:g} is itself the lr with the lowest final training loss "
                   "({loss:.3g})")
    else:
        instead = ("at batch size {batch}, lr {small:g} ends {epochs} epochs at training loss {loss:.3g}, "
                   "{ratio:.1f} x the {best_loss:.3g} of the best lr ({best_lr:g}), under the {need:g} x looked for")
    c.check("small_lr_slow", ok and ratio >= SLOW_LR_RATIO, headline=True,
            numbers={"batch": batch_label(largest, n_train), "small": small, "loss": slow["train_loss"][0],
                     "chance": math.log(2), "reached": slow["reached_target"], "seeds": slow["seeds"],
                     "best_lr": best["lr"], "best_loss": best["train_loss"][0], "ratio": ratio, "epochs": epochs,
                     "target": s.target, "need": SLOW_LR_RATIO, "diverged": slow["diverged"]},
            finding="Too small a learning rate is slow: at batch size {batch}, lr {small:g} is still at training "
                    "loss {loss:.3g} after {epochs} epochs (a 50/50 guess: {chance:.3g}; {reached}/{seeds} seeds "
                    "reached {target:.0%} test accuracy), {ratio:.0f} x the {best_loss:.3g} of lr {best_lr:g}.",
            otherwise="The smallest learning rate is not clearly slow: " + instead + ".")


def _batch_trends(c: Claims, sm: dict, s) -> None:
    """How the best learning rate, the edge of divergence and the cost in epochs and steps move with batch size."""
    n_train = sm["n_train"]
    rows = order_by_batch(sm["per_batch_size"], n_train)
    for key, id_, what in (("largest_stable_lr", "stable_lr_grows_with_batch",
                            "The largest learning rate at which no seed diverged"),
                           ("best_lr", "best_lr_grows_with_batch", "The learning rate with the lowest final "
                                                                    "training loss")):
        values = [(batch_label(row["batch_size"]), row[key]) for row in rows if row[key] is not None]
        if len(values) < 2:
            continue
        rising = all(a[1] <= b[1] for a, b in zip(values, values[1:])) and values[0][1] < values[-1][1]
        seq = ", ".join(f"{v:g} at batch {b}" for b, v in values)
        if rising:
            text = f"{what} never falls as the batch grows, and is larger at the largest batch: {_steps_up(values)}."
        elif len({v for _, v in values}) == 1:
            text = f"{what} is the same, {values[0][1]:g}, at every batch size ({_and([b for b, _ in values])})."
        else:
            a, b = next((a, b) for a, b in zip(values, values[1:]) if b[1] < a[1])
            text = (f"{what} does not only rise with the batch size: {seq}; it falls from {a[1]:g} at batch {a[0]} "
                    f"to {b[1]:g} at batch {b[0]}.")
        c.check(id_, rising, numbers={f"batch {b}": v for b, v in values}, finding=text, otherwise=text)
    fastest = []
    for row in rows:
        mine = [x for x in sm["cells"] if x["batch_size"] == row["batch_size"] and x["epochs_to_target_median"]]
        if mine:
            x = min(mine, key=lambda x: x["epochs_to_target_median"])
            e = x["epochs_to_target_median"]
            fastest.append({"batch": batch_label(x["batch_size"]), "lr": x["lr"], "epochs": e,
                            "steps": round(e * steps_per_epoch(x["batch_size"], n_train))})
    never = [batch_label(row["batch_size"]) for row in rows
             if batch_label(row["batch_size"]) not in {f["batch"] for f in fastest}]
    if len(fastest) >= 2:
        c.theory("small_batch_noise",
                 "A mini-batch gradient is the mean of b points' gradients, so it scatters around the full "
                 "gradient with a variance that shrinks like 1/b: a small batch takes many cheap, noisy steps per "
                 "epoch, and a learning rate that suits a large batch can throw a small one off.")
        first, last = fastest[0], fastest[-1]
        listing = "; ".join(f"batch {f['batch']}: {_epochs(f['epochs'])} = {f['steps']} steps (lr {f['lr']:g})"
                            for f in fastest)
        compared = _and([f["batch"] for f in fastest])
        missing = (f"; batch {_and(never)} never got there (median seed) at any learning rate within "
                   f"{sm['epochs']} epochs" if never else "")
        pairs = list(zip(fastest, fastest[1:]))
        holds = (all(a["epochs"] <= b["epochs"] and a["steps"] > b["steps"] for a, b in pairs)
                 and first["epochs"] < last["epochs"])
        if len(fastest) == 2:
            claim = (f", batch {first['batch']} gets there in fewer epochs than batch {last['batch']} but in more "
                     "SGD steps")
        else:
            claim = f" ({compared}), each smaller one gets there in as few or fewer epochs but in more SGD steps"
        c.check("small_batches_fewer_epochs_more_steps", holds,
                numbers={"per_batch": fastest, "target": s.target, "never": never, "epochs": sm["epochs"]},
                finding="Of the batch sizes whose median seed reached {target:.0%} test accuracy" + claim
                        + f" (each batch size at its fastest learning rate: {listing}){missing}.",
                otherwise="Of the batch sizes whose median seed reached {target:.0%} test accuracy (" + compared
                          + "), the smaller ones do not all get there in as few or fewer epochs but more SGD "
                          f"steps (each batch size at its fastest learning rate: {listing}){missing}.")


def _steps_up(values) -> str:
    """'0.1 at batch 4, rising to 1 at batch 32 and full': a non-falling sequence of (batch, value), equal
    neighbours grouped."""
    groups = []
    for b, v in values:
        if groups and groups[-1][1] == v:
            groups[-1][0].append(b)
        else:
            groups.append(([b], v))
    head = f"{groups[0][1]:g} at batch {_and(groups[0][0])}"
    rest = [f"{v:g} at batch {_and(bs)}" for bs, v in groups[1:]]
    return head + (", rising to " + _and(rest) if rest else "")


def _missing_seed(c: Claims, cells: list[dict], s) -> None:
    """Which seed most often never reached the target in runs that did not diverge (it sets much of the std)."""
    missed, runs = {}, {}
    for x in cells:
        for seed, bad, reach in zip(x["seed_ids"], x["diverged_per_seed"], x["epochs_to_target_per_seed"]):
            if not bad:
                runs[seed] = runs.get(seed, 0) + 1
                missed[seed] = missed.get(seed, 0) + (reach is None)
    if len(runs) < 2:
        return
    worst = max(runs, key=lambda k: (missed[k] / runs[k], -k))
    others = sum(missed[k] for k in runs if k != worst), sum(runs[k] for k in runs if k != worst)
    numbers = {"seed": worst, "missed": missed[worst], "runs": runs[worst], "others_missed": others[0],
               "others_runs": others[1], "target": s.target}
    c.check("one_seed_poorer", missed[worst] >= runs[worst] / 2 and others[0] <= others[1] / 4, numbers=numbers,
            finding="One seed misses far more often than the others: seed {seed} never reached {target:.0%} test "
                    "accuracy in {missed} of its {runs} runs that did not diverge, the other seeds together in "
                    "{others_missed} of {others_runs}.",
            otherwise="No one seed misses far more often than the others (looked for: one missing in at least half "
                      "its runs, the others in at most a quarter of theirs): seed {seed}, the one that most often "
                      "missed, never reached {target:.0%} test accuracy in {missed} of its {runs} runs that did not "
                      "diverge; the other seeds together missed it in {others_missed} of {others_runs}.")
