"""The model builder's entry point: a ModelConfig -> a network with its initial weights, in the form an engine
trains (a torch ``nnlab.nn.MLP``, or the fast engine's ``FastMLP``), and the parameter layout the engines share.

The initial weights are ``config.init``'s draws from ``seed`` unless replaced: by given parameters, by TensorFlow
Playground's own draws from its seeded stream (``nnlab.data.playground_stream.stream_weights``), or by zeros. The
parameters are one flat vector in torch's order (W1 (h1, d), b1, W2, b2, ...), as ``FastMLP.theta`` holds them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nnlab.config import ModelConfig

if TYPE_CHECKING:
    from nnlab.nn.mlp import MLP
    from nnlab.training.engines.fast_model import FastMLP

__all__ = ["build_model", "fast_layout", "model_sizes"]


def model_sizes(config: ModelConfig) -> tuple[int, ...]:
    """The layer sizes (inputs, *hidden, outputs)."""
    return (config.input_size, *config.hidden_sizes, config.output_size)


def build_model(config: ModelConfig, seed: int | None = None, *, fast: bool = False, theta=None, stream=None,
                zero: bool = False) -> MLP | FastMLP:
    """The network ``config`` describes, with its initial weights.

    fast : False, ``nnlab.nn.build_mlp(config, seed)`` (a torch MLP); True, the same network as the fast engine's
        FastMLP (``FastMLP.from_config``: the same draws, bit for bit, without torch)
    theta : the initial parameters (flat, torch's order) instead of the init's draws
    stream : else TensorFlow Playground's initial weights, drawn from its stream (a ``SeedRandom``, moved on by
        the draws) as its ``buildNetwork`` draws them: weights U(-0.5, 0.5), biases 0.1
    zero : else (or with ``stream``, after its draws, as the Playground's initZero) every parameter 0
    """
    model: MLP | FastMLP
    if fast:
        from nnlab.training.engines.fast_model import FastMLP
        model = FastMLP.from_config(config, seed=seed)
    else:
        from nnlab.nn.mlp import build_mlp
        model = build_mlp(config, seed=seed)
    if theta is None and stream is not None:
        from nnlab.data.playground_stream import stream_weights
        theta = stream_weights(model_sizes(config), stream, zero=zero)
    elif theta is None and zero:
        theta = np.zeros(sum((a + 1) * b for a, b in zip(model_sizes(config)[:-1], model_sizes(config)[1:])))
    if theta is not None:
        _load(model, theta, fast)
    return model


def _load(model, theta, fast: bool) -> None:
    """Overwrite the model's parameters with ``theta`` (flat, torch's order)."""
    if fast:
        model.theta[:] = np.asarray(theta, np.float32)
        return
    import torch
    with torch.no_grad():
        torch.nn.utils.vector_to_parameters(torch.as_tensor(np.asarray(theta, np.float32)), model.parameters())


def fast_layout(config: ModelConfig, theta=None) -> FastMLP:
    """``config``'s network as the fast engine holds it, over the parameters ``theta`` (shared, not copied; zeros
    if None), whatever its init or dropout (neither has parameters): its layout, ``sizes``, ``activations`` and
    each layer's weight and bias as views of theta (``layers()``)."""
    from nnlab.training.engines.fast_model import FastMLP
    return FastMLP(model_sizes(config), [config.activation] * len(config.hidden_sizes), theta, config=config)
