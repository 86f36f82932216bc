"""The names every registry a config refers to answers to, with no imports: the bottom layer.

``nnlab.config`` checks a name here without loading the registry that gives it a meaning (so config sits below
``data``, ``nn`` and ``training``). Each registry checks at import that its keys are exactly these names
(``check_registry``): adding an entry to a registry without its name here, or the other way round, fails at once
with a message saying where.
"""
from __future__ import annotations

__all__ = ["DATASET_NAMES", "STREAM_DATASET_NAMES", "ACTIVATION_NAMES", "INIT_NAMES", "ENGINE_NAMES", "LOSS_NAMES",
           "OPTIMIZER_NAMES", "DEVICE_NAMES", "PRECISION_NAMES", "LR_SCHEDULE_NAMES", "check_registry"]

DATASET_NAMES = ("seed-linear", "seed-circle", "circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss", "xor4",
                 "moons", "spirals")                                       # nnlab.data.DATASETS
STREAM_DATASET_NAMES = ("circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss")   # TF Playground's stream
ACTIVATION_NAMES = ("relu", "leaky_relu", "tanh", "sigmoid", "linear", "gelu", "silu", "elu", "softplus")
INIT_NAMES = ("pytorch", "xavier", "he", "lecun", "normal", "orthogonal", "playground")  # nnlab.nn.INITS
ENGINE_NAMES = ("auto", "torch", "fast")                                   # nnlab.training.engines.ENGINES
LOSS_NAMES = ("cross-entropy", "bce", "mse")                               # nnlab.training.LOSSES
OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")   # OPTIMIZERS
DEVICE_NAMES = ("auto", "cpu", "cuda")                                     # nnlab.training.precision
PRECISION_NAMES = ("fp32", "bf16", "fp16")                                 # nnlab.training.precision
LR_SCHEDULE_NAMES = ("constant", "cosine")                                 # nnlab.training.schedules


def check_registry(registry: str, keys, names: tuple[str, ...]) -> None:
    """Raise if a registry's keys are not exactly ``names`` (in order): a name added in one place only."""
    if tuple(keys) != tuple(names):
        raise RuntimeError(f"{registry} has {list(keys)} but nnlab/names.py lists {list(names)}: add or remove the "
                           "name in both places")
