"""The INITS registry: how a Linear layer's weights and biases start.

Each entry is a function ``(linear, activation) -> None`` that rewrites ``linear.weight`` and ``linear.bias`` in
place, drawing from torch's global generator (seeded by the training loop). "pytorch" leaves nn.Linear's own
default (Kaiming-uniform with a = sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), bias the same). "normal" also
takes ``std`` (``ModelConfig.init_std``): N(0, std^2) whatever the layer's size.
"""
from __future__ import annotations

import math

from nnlab.names import INIT_NAMES, check_registry

__all__ = ["INITS", "initialize"]


def _pytorch(linear, activation) -> None:
    pass   # nn.Linear.reset_parameters() already ran in its constructor


def _xavier(linear, activation) -> None:
    import torch.nn as nn
    nn.init.xavier_uniform_(linear.weight, gain=nn.init.calculate_gain(activation.gain_name))
    nn.init.zeros_(linear.bias)


def _he(linear, activation) -> None:
    import torch.nn as nn
    nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
    nn.init.zeros_(linear.bias)


def _lecun(linear, activation) -> None:
    import torch.nn as nn
    nn.init.normal_(linear.weight, 0.0, 1.0 / math.sqrt(linear.in_features))
    nn.init.zeros_(linear.bias)


def _normal(linear, activation, std: float = 0.01) -> None:
    import torch.nn as nn
    nn.init.normal_(linear.weight, 0.0, std)
    nn.init.zeros_(linear.bias)


def _orthogonal(linear, activation) -> None:
    import torch.nn as nn
    nn.init.orthogonal_(linear.weight, gain=nn.init.calculate_gain(activation.gain_name))
    nn.init.zeros_(linear.bias)


def _playground(linear, activation) -> None:
    # TensorFlow Playground: every weight ~ U(-0.5, 0.5), every bias 0.1.
    import torch.nn as nn
    nn.init.uniform_(linear.weight, -0.5, 0.5)
    nn.init.constant_(linear.bias, 0.1)


INITS = {
    "pytorch": _pytorch,        # U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases
    "xavier": _xavier,          # Glorot uniform with the activation's gain; zero bias
    "he": _he,                  # Kaiming normal, std sqrt(2 / fan_in); zero bias
    "lecun": _lecun,            # N(0, 1 / fan_in); zero bias
    "normal": _normal,          # N(0, std^2) with a chosen std (ModelConfig.init_std); zero bias
    "orthogonal": _orthogonal,  # orthogonal rows/columns scaled by the gain; zero bias
    "playground": _playground,  # U(-0.5, 0.5), bias 0.1
}


def initialize(linear, activation, scheme: str, std: float = 0.01) -> None:
    """Apply INITS[scheme] to one Linear layer; ``std`` is the weights' std for "normal" (the others ignore it)."""
    if scheme == "normal":
        _normal(linear, activation, std=std)
    else:
        INITS[scheme](linear, activation)

check_registry("nnlab.nn.INITS", INITS, INIT_NAMES)
