"""The lab's three experiments, every run trained by ``nnlab.fit``: a capacity sweep (width and depth), the
regularisers alone and combined, and the weights that L1 and L2 leave. ``settings.Settings`` holds the grids."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from nnlab.labs.regularize.regularizers import Trial, configs, label
from nnlab.labs.regularize.settings import FULL, QUICK, Settings

__all__ = ["Settings", "QUICK", "FULL", "Run", "train_one", "capacity_sweep", "regularizer_study",
           "weight_study", "near_zero_fraction", "mean_std", "best_by_validation", "early_stopping_detail"]

@dataclass
class Run:
    """One trained network: its final metrics (eval mode, inputs as given) and, when kept, the network itself."""
    task: str
    label: str
    seed: int
    hidden: tuple[int, ...]
    params: int
    metrics: dict                 # train_/val_/test_ loss and accuracy
    near_zero: float              # fraction of weight-matrix entries with |w| < Settings.near_zero
    epochs_run: int
    best_epoch: int | None
    seconds: float
    history: object = field(default=None, repr=False)     # kept runs: the History (curves)
    model: object = field(default=None, repr=False)       # kept runs: the trained torch model


def weights_of(model) -> np.ndarray:
    """Every entry of the Linear layers' weight matrices (biases excluded), as one vector."""
    return np.concatenate([m.weight.detach().cpu().numpy().ravel() for m in model.linear_layers()])


def near_zero_fraction(weights: np.ndarray, threshold: float) -> float:
    return float(np.mean(np.abs(weights) < threshold))


def train_one(task, split, hidden, trial: Trial, seed: int, settings: Settings, *, monitor: bool = True,
              optimizer: str = "adam", lr: float | None = None, epochs: int | None = None,
              keep: bool = False) -> Run:
    """Build ``task``'s network with ``hidden`` layers, regularised by ``trial``, and train it with ``nnlab.fit``
    on the split's training set (full batch). With ``monitor`` the validation set is fit's test data: evaluated
    every epoch and watched by early stopping. The test set is only evaluated at the end."""
    from nnlab.nn import build_mlp, count_parameters
    from nnlab.training import evaluate, fit
    model_config, train_config = configs(task, tuple(hidden), trial, seed,
                                         epochs or settings.epochs_for(task), optimizer, lr)
    model = build_mlp(model_config, seed=seed)
    start = time.perf_counter()
    history = fit(model, split.X_train, split.y_train, train_config,
                  X_test=split.X_val if monitor else None, y_test=split.y_val if monitor else None)
    metrics = {}
    for part in ("train", "val", "test"):
        X, y = getattr(split, f"X_{part}"), getattr(split, f"y_{part}")
        metrics.update({f"{part}_{k}": v for k, v in evaluate(model, X, y).items()})
    return Run(task.name, label(trial), seed, tuple(hidden), count_parameters(model), metrics,
               near_zero_fraction(weights_of(model), settings.near_zero), history.epochs_run, history.best_epoch,
               time.perf_counter() - start, history if keep else None, model if keep else None)


def mean_std(runs: list[Run], key: str) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof 1; 0 for one run) of a metric or attribute over runs."""
    values = np.array([r.metrics[key] if key in r.metrics else getattr(r, key) for r in runs], float)
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0


def capacity_sweep(task, splits, settings: Settings, progress=lambda message: None) -> dict[tuple, list[Run]]:
    """Networks from far too small to far too large, unregularised: two hidden layers of each width, and each
    depth at ``depth_width``. Returns {hidden sizes: runs over seeds}; seed 0's network is kept."""
    shapes = [(w, w) for w in settings.widths] + [(settings.depth_width,) * k for k in settings.depths]
    out: dict[tuple, list[Run]] = {}
    for hidden in dict.fromkeys(shapes):
        progress(f"{task.name} capacity {'x'.join(map(str, hidden))}")
        out[hidden] = [train_one(task, split, hidden, (), seed, settings, monitor=False, keep=seed == 0)
                       for seed, split in enumerate(splits)]
    return out


def best_by_validation(options: dict):
    """The key of ``options`` ({key: runs over seeds}) with the highest mean validation accuracy; ties go to the
    lower mean validation loss."""
    return min(options, key=lambda k: (-mean_std(options[k], "val_accuracy")[0], mean_std(options[k], "val_loss")[0]))


def regularizer_study(task, splits, settings: Settings, progress=lambda message: None):
    """Every regulariser alone at every strength, then the combinations with each member at the strength the
    validation set chose (``best_by_validation``). Returns (trials {label: (trial, runs)}, chosen {name: strength}).
    Every run keeps its network and History (small networks; the figures and the early-stopping detail read
    them)."""
    trials: dict[str, tuple[Trial, list[Run]]] = {}

    def run(trial: Trial) -> None:
        name = label(trial)
        if name in trials:
            return
        progress(f"{task.name} {name}")
        trials[name] = (trial, [train_one(task, split, task.hidden, trial, seed, settings, keep=True)
                                for seed, split in enumerate(splits)])

    run(())
    chosen = {}
    for name in settings.regularizers:
        for strength in settings.grid(name, task):
            run(((name, strength),))
        chosen[name] = best_by_validation({s: trials[label(((name, s),))][1] for s in settings.grid(name, task)})
    for combo in settings.combos:
        if all(name in chosen for name in combo):
            run(tuple((name, chosen[name]) for name in combo))
    return trials, chosen


def weight_study(task, splits, settings: Settings, progress=lambda message: None) -> dict[str, list[Run]]:
    """The regulariser study's network trained with plain full-batch SGD (3x the epochs), without penalty and
    with L1 or L2 at each of ``weight_lambdas``: under SGD the penalty's gradient is the whole of its update, so
    L1's constant pull (l1 sign w) and L2's proportional one (l2 w) show as they are. Every run keeps its network
    (the weight histograms pool all seeds)."""
    trials: list[Trial] = [()] + [((name, lam),) for lam in settings.weight_lambdas for name in ("l2", "l1")]
    out = {}
    for trial in trials:
        progress(f"{task.name} sgd {label(trial)}")
        out[label(trial)] = [train_one(task, split, task.hidden, trial, seed, settings, monitor=False,
                                       optimizer="sgd", lr=task.sgd_lr, epochs=3 * settings.epochs_for(task),
                                       keep=True) for seed, split in enumerate(splits)]
    return out


def early_stopping_detail(unstopped: list[Run], stopped: list[Run]) -> list[dict]:
    """Per seed, what early stopping kept and what the same network did when left to run: ``unstopped`` are the
    unregularised runs, ``stopped`` the early-stopping runs of the same seeds (both with their History).

    Without other regularisers, full-batch training is deterministic, so a stopped run is the first epochs of the
    unstopped one (``same_run`` checks it on the training-loss curve); the unstopped run's validation curve then
    says whether the validation loss went lower after the run was stopped (patience too short to outlast a
    plateau), or never did while the validation accuracy still rose (the loss bottomed out first)."""
    out = []
    for a, b in zip(unstopped, stopped):
        ha, hb = a.history, b.history
        n = len(hb.loss)
        kept = b.best_epoch or b.epochs_run
        same = len(ha.loss) >= n and bool(np.allclose(ha.loss[:n], hb.loss, rtol=1e-5, atol=1e-7))
        loss, acc = np.asarray(ha.test_loss, float), np.asarray(ha.test_accuracy, float)
        low, top = int(np.argmin(loss)), int(np.argmax(acc))
        out.append({"seed": b.seed, "kept_epoch": int(kept), "epochs_run": int(b.epochs_run),
                    "test_accuracy": b.metrics["test_accuracy"], "unstopped_test_accuracy": a.metrics["test_accuracy"],
                    "same_run": same, "val_loss_kept": float(loss[kept - 1]), "val_accuracy_kept": float(acc[kept - 1]),
                    "unstopped_val_loss_min": float(loss[low]), "unstopped_val_loss_min_epoch": low + 1,
                    "unstopped_val_accuracy_max": float(acc[top]), "unstopped_val_accuracy_max_epoch": top + 1,
                    "unstopped_epochs": len(ha.loss)})
    return out
