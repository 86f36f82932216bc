"""Build a torch MLP from a frozen ModelConfig."""
from __future__ import annotations

import torch
from torch import nn

from nnlab.config import ModelConfig
from nnlab.nn.activations import ACTIVATIONS
from nnlab.nn.init import initialize

__all__ = ["MLP", "Residual", "build_mlp", "count_parameters"]


class Residual(nn.Sequential):
    """A skip connection: z -> z + branch(z), with branch = [activation -> (Dropout) -> Linear -> (BatchNorm)]
    acting on the previous layer's pre-activation z (batch, width) and keeping its width."""

    def forward(self, z):
        return z + super().forward(z)                                   # (batch, width)


class MLP(nn.Sequential):
    """input -> [Linear -> (BatchNorm) -> activation -> (Dropout)] per hidden size -> Linear -> logits.

    A plain ``nn.Sequential`` so that its layers can be walked in order; ``config`` keeps what built it.

    With ``config.residual`` the same layers, with the same initial weights, are regrouped into pre-activation
    residual blocks (He et al. 2016, "Identity mappings in deep residual networks"), one per hidden Linear after
    the first::

        z_1 = BN(Linear_1(x))                                    # the first layer projects the input: plain
        z_l = z_{l-1} + BN(Linear_l(Dropout(act(z_{l-1}))))      # l = 2..L, a Residual where widths match
        logits = Linear_out(Dropout(act(z_L)))

    (BN and Dropout only where the config has them.) A hidden layer that changes the width stays plain,
    z_l = BN(Linear_l(Dropout(act(z_{l-1})))), which is exactly what the net computes without ``residual``.
    """

    def __init__(self, config: ModelConfig):
        activation = ACTIVATIONS[config.activation]
        layers: list[nn.Module] = []
        width = config.input_size
        for size in config.hidden_sizes:
            linear = nn.Linear(width, size)
            initialize(linear, activation, config.init, config.init_std)
            layers.append(linear)
            if config.batch_norm:
                layers.append(nn.BatchNorm1d(size))
            layers.append(activation.module())
            if config.dropout > 0:
                layers.append(nn.Dropout(config.dropout))
            width = size
        head = nn.Linear(width, config.output_size)
        initialize(head, ACTIVATIONS["linear"], config.init, config.init_std)
        layers.append(head)
        if config.residual:
            layers = _with_skips(layers, config)
        super().__init__(*layers)
        self.config = config

    def linear_layers(self) -> list[nn.Linear]:
        """The Linear layers, input to output (inside Residual blocks too)."""
        return [m for m in self.modules() if isinstance(m, nn.Linear)]


def _with_skips(layers: list[nn.Module], config: ModelConfig) -> list[nn.Module]:
    """Regroup the flat [Linear, (BN), act, (Dropout)] * L + [head] into MLP's pre-activation residual blocks."""
    per_layer = 2 + config.batch_norm + (config.dropout > 0)          # modules per hidden layer
    chunks = [layers[i:i + per_layer] for i in range(0, len(layers) - 1, per_layer)]
    if not chunks:
        return layers
    lead = 1 + config.batch_norm                                      # Linear, (BN): the part before act
    grouped = chunks[0][:lead]
    sizes = (config.input_size, *config.hidden_sizes)
    for l in range(1, len(chunks)):
        branch = chunks[l - 1][lead:] + chunks[l][:lead]               # act, (Dropout) of l-1; Linear, (BN) of l
        grouped += [Residual(*branch)] if sizes[l + 1] == sizes[l] else branch
    return grouped + chunks[-1][lead:] + [layers[-1]]


def build_mlp(config: ModelConfig, seed: int | None = None) -> MLP:
    """A new MLP; with ``seed``, ``torch.manual_seed(seed)`` is called first so the initial weights repeat.

    Layers draw their initial weights in order, input to output, exactly as the seed's
    ``nn::seq().add(nn::linear(...))`` chain and PyTorch's own ``nn.Sequential`` do.
    """
    if seed is not None:
        from nnlab._validation import check_seed
        torch.manual_seed(check_seed("seed", seed, "build_mlp", numpy_ok=True))
    return MLP(config)


def count_parameters(model: nn.Module) -> int:
    """The number of trainable scalars."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
