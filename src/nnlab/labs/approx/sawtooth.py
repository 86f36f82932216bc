"""Depth against width on a sawtooth: a deep ReLU net of width 2 computes 2^(k-1) teeth exactly with 6k + 1
parameters; a one-hidden-layer net needs a unit per kink, about 3 * 2^k parameters (Telgarsky, 2016).

The tent map t(x) = 2x on [0, 1/2], 2 - 2x on [1/2, 1] is t(x) = 2 relu(x) - 4 relu(x - 1/2) for x in [0, 1];
composing it k times gives the sawtooth s_k with 2^(k-1) teeth. Each composition is one hidden layer of two
ReLUs, so the deep net is built by setting weights, not by training.
"""
from __future__ import annotations

import numpy as np

__all__ = ["sawtooth", "deep_sawtooth_net", "shallow_sawtooth_params", "deep_sawtooth_params"]


def sawtooth(x: np.ndarray, k: int) -> np.ndarray:
    """The tent map composed k times, on [0, 1]."""
    y = np.asarray(x, dtype=np.float64)
    for _ in range(k):
        y = np.where(y < 0.5, 2 * y, 2 - 2 * y)
    return y


def deep_sawtooth_params(k: int) -> int:
    """Linear(1, 2): 4, then k - 1 layers Linear(2, 2): 6 each, then Linear(2, 1): 3."""
    return 4 + 6 * (k - 1) + 3


def shallow_sawtooth_params(k: int) -> int:
    """One hidden layer interpolating the 2^k + 1 breakpoints exactly: 2^k ReLUs, 3 * 2^k + 1 parameters."""
    return 3 * 2 ** k + 1


def deep_sawtooth_net(k: int):
    """An nnlab MLP (1 -> 2 x k -> 1, relu) whose weights compute s_k exactly on [0, 1]."""
    import torch

    from nnlab.config import ModelConfig
    from nnlab.nn import build_mlp

    model = build_mlp(ModelConfig(input_size=1, hidden_sizes=(2,) * k, activation="relu", output_size=1), seed=0)
    linears = model.linear_layers()
    with torch.no_grad():
        # first layer: h = relu([x, x - 1/2])
        linears[0].weight.copy_(torch.tensor([[1.0], [1.0]]))
        linears[0].bias.copy_(torch.tensor([0.0, -0.5]))
        # middle layers: t = 2 h1 - 4 h2, then h' = relu([t, t - 1/2])
        for layer in linears[1:-1]:
            layer.weight.copy_(torch.tensor([[2.0, -4.0], [2.0, -4.0]]))
            layer.bias.copy_(torch.tensor([0.0, -0.5]))
        # output: t = 2 h1 - 4 h2
        linears[-1].weight.copy_(torch.tensor([[2.0, -4.0]]))
        linears[-1].bias.zero_()
    return model
