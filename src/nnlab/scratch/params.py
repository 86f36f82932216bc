"""The parameters of a fully connected net as plain float64 arrays, and their round trip to ``nnlab.nn.MLP``.

A net with layer sizes ``(d0, d1, ..., dL)`` has, for each layer l = 1..L, a weight ``W_l`` of shape
(d_l, d_{l-1}) and a bias ``b_l`` of shape (d_l,): PyTorch's ``nn.Linear`` layout, in the order of
``MLP.parameters()`` (W1, b1, W2, b2, ...). Layer l computes ``a_l = act(a_{l-1} @ W_l.T + b_l)``, with no
activation after the last layer (its outputs are logits).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnlab._validation import InvalidArgument, check_choice, check_int
from nnlab.nn.activations import ACTIVATIONS

__all__ = ["init_params", "check_architecture", "check_params", "params_from_torch", "params_to_torch"]


def check_architecture(sizes: Sequence[int], activation: str, owner: str, choices=ACTIVATIONS) -> tuple[int, ...]:
    """Validate layer sizes (input, hidden..., output; at least two) and the activation (a key of ``choices``)."""
    sizes = tuple(sizes)
    if len(sizes) < 2:
        raise InvalidArgument(f"The 'sizes' parameter of {owner} must list at least the input and output sizes. "
                              f"Got {sizes!r} instead.", "sizes")
    for size in sizes:
        check_int("sizes", size, owner)
    check_choice("activation", activation, choices, owner)
    return sizes


def check_params(sizes: tuple[int, ...], params: Sequence[np.ndarray], owner: str) -> list[np.ndarray]:
    """Float64 copies of ``params``, after checking they are [W1 (d1, d0), b1 (d1,), ...] for ``sizes``."""
    arrays = [np.array(p, dtype=np.float64) for p in params]
    expected = [shape for d_in, d_out in zip(sizes, sizes[1:]) for shape in ((d_out, d_in), (d_out,))]
    if [a.shape for a in arrays] != expected:
        raise InvalidArgument(f"The 'params' of {owner}{sizes} must have shapes {expected}. "
                              f"Got {[a.shape for a in arrays]} instead.", "params")
    return arrays


def init_params(sizes: Sequence[int], seed: int = 0) -> list[np.ndarray]:
    """PyTorch's default ``nn.Linear`` initialisation, drawn with NumPy: W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

    Returns [W1 (d1, d0), b1 (d1,), W2 (d2, d1), b2 (d2,), ...], float64, from ``np.random.default_rng(seed)``.
    """
    rng = np.random.default_rng(seed)
    params: list[np.ndarray] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)))   # W (out, in)
        params.append(rng.uniform(-bound, bound, fan_out))             # b (out,)
    return params


def params_from_torch(model) -> tuple[tuple[int, ...], str, list[np.ndarray]]:
    """Read an ``nnlab.nn.MLP``: its layer sizes, activation name and float64 copies of [W1, b1, W2, b2, ...].

    Only plain MLPs qualify: dropout, batch norm and residual connections have no counterpart in the from-scratch nets.
    """
    config = model.config
    if config.dropout > 0 or config.batch_norm or config.residual:
        raise InvalidArgument("The from-scratch nets copy plain MLPs only (no dropout, no batch norm, no residual "
                              f"connections). Got dropout={config.dropout!r}, batch_norm={config.batch_norm!r}, "
                              f"residual={config.residual!r}.", "model")
    sizes = (config.input_size, *config.hidden_sizes, config.output_size)
    arrays = [p.detach().cpu().double().numpy().copy() for p in model.parameters()]
    return sizes, config.activation, arrays


def params_to_torch(sizes: Sequence[int], activation: str, params: Sequence[np.ndarray], dtype=None):
    """A new ``nnlab.nn.MLP`` (float64 unless ``dtype`` says otherwise) holding copies of ``params``."""
    import torch

    from nnlab.config import ModelConfig
    from nnlab.nn.mlp import build_mlp
    config = ModelConfig(input_size=sizes[0], hidden_sizes=tuple(sizes[1:-1]), activation=activation,
                         output_size=sizes[-1])
    with torch.random.fork_rng(devices=[]):   # building draws initial weights; leave the global RNG as it was
        model = build_mlp(config).to(torch.float64 if dtype is None else dtype)
    with torch.no_grad():
        for target, source in zip(model.parameters(), params):
            target.copy_(torch.from_numpy(np.asarray(source)))
    return model
