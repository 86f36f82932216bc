"""The universal-approximation experiments: one hidden layer of growing width fitted to 1-D targets, and the
sawtooth's depth-against-width parameter counts. Every fit goes through ``nnlab.fit``."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnlab.labs.approx.sawtooth import deep_sawtooth_net, deep_sawtooth_params, sawtooth, shallow_sawtooth_params
from nnlab.labs.approx.settings import FULL, QUICK, Settings
from nnlab.labs.approx.targets import INTERVAL, sample

__all__ = ["Settings", "QUICK", "FULL", "Fit", "fit_width", "width_sweep", "loglog_slope", "sawtooth_study",
           "two_tanh_square"]


@dataclass
class Fit:
    target: str
    activation: str
    width: int
    seed: int
    params: int
    rms: float            # on the dense test grid
    max: float
    train_rms: float = float("nan")     # on the training points (what picks the best restart)
    model: object = field(repr=False, default=None)


def fit_width(target: str, activation: str, width: int, s: Settings, seed: int) -> Fit:
    """Train 1 -> width -> 1 on the target; errors measured on the dense grid."""
    import torch

    from nnlab.config import ModelConfig, TrainConfig
    from nnlab.nn import build_mlp, count_parameters
    from nnlab.training import fit

    X, y = sample(target, s.n_train)
    model = build_mlp(ModelConfig(input_size=1, hidden_sizes=(width,), activation=activation, output_size=1),
                      seed=seed)
    fit(model, X, y, TrainConfig(optimizer="adam", lr=s.lr, lr_schedule=s.lr_schedule, epochs=s.epochs, loss="mse",
                                 seed=seed),
        task="regression")
    Xt, yt = sample(target, s.n_test)
    with torch.no_grad():
        pred = model(torch.as_tensor(Xt, dtype=torch.float32)).numpy()[:, 0]
        train_pred = model(torch.as_tensor(X, dtype=torch.float32)).numpy()[:, 0]
    err = pred - yt
    return Fit(target, activation, width, seed, count_parameters(model), float(np.sqrt(np.mean(err ** 2))),
               float(np.max(np.abs(err))), float(np.sqrt(np.mean((train_pred - y) ** 2))), model)


def width_sweep(s: Settings, progress=lambda message: None) -> list[Fit]:
    """The best of ``s.restarts`` fits (lowest training-grid RMS) for every target, activation and width."""
    fits = []
    for target in s.targets:
        for activation in s.activations:
            for width in s.widths:
                progress(f"{target} {activation} width {width}")
                tries = [fit_width(target, activation, width, s, seed) for seed in range(s.restarts)]
                fits.append(min(tries, key=lambda f: (f.train_rms, f.seed)))
    return fits


def loglog_slope(widths, errors) -> float:
    """Least-squares slope of log(error) against log(width): error ~ width^slope."""
    w, e = np.log(np.asarray(widths, float)), np.log(np.maximum(np.asarray(errors, float), 1e-12))
    return float(np.polyfit(w, e, 1)[0])


def sawtooth_study(s: Settings) -> list[dict]:
    """Per k: the exact deep construction's size and error, the exact shallow size, and a trained shallow net with
    the deep net's parameter budget (and its error)."""
    import torch

    from nnlab.config import ModelConfig, TrainConfig
    from nnlab.nn import build_mlp, count_parameters
    from nnlab.training import fit

    x = np.linspace(0.0, 1.0, 2049)
    rows = []
    for k in s.sawtooth_ks:
        target = sawtooth(x, k)
        deep = deep_sawtooth_net(k)
        with torch.no_grad():
            deep_pred = deep(torch.as_tensor(x[:, None], dtype=torch.float32)).numpy()[:, 0]
        budget = deep_sawtooth_params(k)
        width = max(1, (budget - 1) // 3)              # 1 -> width -> 1 has 3 * width + 1 parameters
        tries = []
        for seed in range(s.sawtooth_seeds):
            shallow = build_mlp(ModelConfig(input_size=1, hidden_sizes=(width,), activation="relu",
                                            output_size=1), seed=seed)
            fit(shallow, x[::4, None], target[::4],
                TrainConfig(optimizer="adam", lr=s.lr, lr_schedule=s.lr_schedule, epochs=s.epochs, loss="mse",
                            seed=seed), task="regression")
            with torch.no_grad():
                pred = shallow(torch.as_tensor(x[:, None], dtype=torch.float32)).numpy()[:, 0]
            tries.append((float(np.sqrt(np.mean((pred - target) ** 2))), seed, shallow, pred))
        _, _, shallow, shallow_pred = min(tries, key=lambda t: t[:2])
        rows.append({"k": k, "teeth": 2 ** (k - 1), "deep_params": count_parameters(deep),
                     "deep_max_error": float(np.max(np.abs(deep_pred - target))),
                     "shallow_exact_params": shallow_sawtooth_params(k),
                     "shallow_equal_budget_width": width, "shallow_equal_budget_params": count_parameters(shallow),
                     "shallow_equal_budget_rms": float(np.sqrt(np.mean((shallow_pred - target) ** 2))),
                     "target_std": float(np.std(target)),      # the RMS of the best constant
                     "shallow_seeds": len(tries),
                     "shallow_seeds_below_mean": int(sum(t[0] < 0.95 * np.std(target) for t in tries)),
                     "shallow_seeds_near_mean": int(sum(abs(t[0] / np.std(target) - 1) <= 0.05 for t in tries)),
                     "x": x, "target": target, "deep_pred": deep_pred, "shallow_pred": shallow_pred})
    return rows


def relu_kinks(model, interval=INTERVAL) -> np.ndarray:
    """Where each hidden ReLU of a 1 -> width -> 1 net switches: x = -b / w, inside the interval."""
    first = model.linear_layers()[0]
    w = first.weight.detach().numpy()[:, 0]
    b = first.bias.detach().numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        x = -b / w
    x = x[np.isfinite(x)]
    return np.sort(x[(x > interval[0]) & (x < interval[1])])


def two_tanh_square(w: float, dtype=np.float64, interval=INTERVAL, n: int = 2001) -> float:
    """RMS error against x^2 of the width-2 tanh net a [tanh(b + w x) + tanh(b - w x)] - 2 a tanh(b), computed in
    ``dtype``, with b = -atanh(1/sqrt(3)) (where tanh'' peaks) and a = 1 / (tanh''(b) w^2).

    By Taylor's theorem the two units' sum is 2 tanh(b) + tanh''(b) w^2 x^2 + O(w^4 x^4), so the error falls like
    w^2: two tanh units fit x^2 as closely as one likes, with ever larger output weights (in float32 those
    amplify rounding, which sets a floor)."""
    x = np.linspace(interval[0], interval[1], n)
    b = -np.arctanh(1 / np.sqrt(3))
    t = np.tanh(b)
    a = 1.0 / (-2 * t * (1 - t * t) * w * w)
    X, W, B, A = x.astype(dtype), dtype(w), dtype(b), dtype(a)
    f = A * (np.tanh(B + W * X) + np.tanh(B - W * X)) - dtype(2 * a * t)
    return float(np.sqrt(np.mean((f.astype(np.float64) - x ** 2) ** 2)))
