"""The rules behind the fast engine's row of the capability table, without importing torch or numba.

The fast engine trains a plain MLP: Linear layers with biases, one supported activation after each hidden
layer, nothing after the last, float32 on the CPU, no dropout, batch norm or residual connections, at
most ``MAX_PARAMETERS`` parameters and ``MAX_WIDTH`` units in a layer (beyond that torch's matrix kernels win). It
supports every loss in LOSSES, the optimizers in OPTIMIZERS whose torch.optim settings it knows, L1/L2 penalties,
mini-batches and early stopping. Observers that override ``on_after_backward`` (GradientCapture) read torch
gradients once per batch, which the fused kernels never stop for, so they need the torch engine.

Each ``*_problem`` function returns None when the fast engine can serve, else a short reason ("dropout"). They are
the pieces; ``capabilities.fast_supports`` puts them together, and it is the table that decides (``choose_engine``,
``fit``, the Trainer) and words the refusals.
"""
from __future__ import annotations

from nnlab.training.engines.codes import ACTIVATION_CODES, LOSS_CODES, OPTIMIZER_CODES, TORCH_FREE_INITS

__all__ = ["ACTIVATION_CODES", "LOSS_CODES", "OPTIMIZER_CODES", "MAX_PARAMETERS", "MAX_WIDTH", "TORCH_FREE_INITS",
           "config_problem", "size_problem", "observer_problem", "train_problem", "optimizer_settings",
           "parameter_count"]

# Measured on 1000 points, two hidden layers, one thread: the fast engine takes 0.10x torch's time per epoch at
# width 16, 0.29x at 64, 0.79x at 128 and 1.45x at 256; from about width 128 torch also gets more threads.
MAX_PARAMETERS = 20_000
MAX_WIDTH = 64

# torch.optim class name -> the settings the fast engine implements, with torch's defaults
_TORCH_DEFAULTS: dict[str, dict[str, object]] = {
    "SGD": {"momentum": 0.0, "nesterov": False},
    "Adagrad": {"eps": 1e-10},
    "RMSprop": {"alpha": 0.99, "eps": 1e-8},
    "Adam": {"betas": (0.9, 0.999), "eps": 1e-8},
    "AdamW": {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01},
}


def parameter_count(sizes) -> int:
    """Weights and biases of Linear layers sizes[0] -> sizes[1] -> ... -> sizes[-1]."""
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


def optimizer_settings(name: str) -> tuple[str, dict] | None:
    """(fast optimizer name, its hyperparameters) for OPTIMIZERS[name], or None if the fast engine lacks it.

    Read from the registry entry's torch class and defaults, so a new registry entry with settings the fast
    engine does not implement falls back to torch instead of training differently.
    """
    from nnlab.training.optimizers import OPTIMIZERS as REGISTRY
    spec = REGISTRY[name]
    known = _TORCH_DEFAULTS.get(spec.torch_class)
    if known is None or not set(spec.defaults) <= set(known):
        return None
    settings = {**known, **spec.defaults}
    if spec.torch_class == "SGD":
        if settings["momentum"] == 0:
            return None if settings["nesterov"] else ("sgd", settings)
        return ("nesterov" if settings["nesterov"] else "momentum"), settings
    return {"Adagrad": "adagrad", "RMSprop": "rmsprop", "Adam": "adam", "AdamW": "adamw"}[spec.torch_class], settings


def size_problem(sizes) -> str | None:
    if parameter_count(sizes) > MAX_PARAMETERS:
        return f"{parameter_count(sizes)} parameters (the fast engine takes up to {MAX_PARAMETERS})"
    if max(sizes) > MAX_WIDTH:
        return f"a layer of {max(sizes)} units (the fast engine takes up to {MAX_WIDTH})"
    return None


def train_problem(train_config) -> str | None:
    """Why the fast engine cannot run this TrainConfig, or None."""
    if train_config.loss not in LOSS_CODES:
        return f"loss {train_config.loss!r}"
    if optimizer_settings(train_config.optimizer) is None:
        return f"optimizer {train_config.optimizer!r}"
    if getattr(train_config, "precision", "fp32") != "fp32":
        return f"precision {train_config.precision}"
    if getattr(train_config, "device", "auto") == "cuda":
        return "device cuda"
    return None


def config_problem(model_config, train_config) -> str | None:
    """Why the fast engine cannot train the MLP that ``model_config`` describes with ``train_config``, or None."""
    if model_config.dropout > 0:
        return "dropout"
    if model_config.batch_norm:
        return "batch norm"
    if model_config.residual:
        return "residual connections"
    if model_config.activation not in ACTIVATION_CODES:
        return f"activation {model_config.activation!r}"
    sizes = (model_config.input_size, *model_config.hidden_sizes, model_config.output_size)
    return size_problem(sizes) or train_problem(train_config)


def observer_problem(observers) -> str | None:
    """Observers that need torch gradients after every backward pass, e.g. GradientCapture."""
    from nnlab.training.observers import Observer
    for o in observers:
        if type(o).on_after_backward is not Observer.on_after_backward:
            return f"{type(o).__name__} reads torch gradients after each backward pass"
    return None
