"""Build a torch MLP from a frozen ModelConfig."""
from __future__ import annotations

import torch
from torch import nn

from nnlab.config import ModelConfig
from nnlab.nn.activations import ACTIVATIONS
from nnlab.nn.init import initialize

__all__ = ["MLP", "build_mlp", "count_parameters"]


class MLP(nn.Sequential):
    """input -> [Linear -> (BatchNorm) -> activation -> (Dropout)] per hidden size -> Linear -> logits.

    A plain ``nn.Sequential`` so that its layers can be walked in order; ``config`` keeps what built it.
    """

    def __init__(self, config: ModelConfig):
        activation = ACTIVATIONS[config.activation]
        layers: list[nn.Module] = []
        width = config.input_size
        for size in config.hidden_sizes:
            linear = nn.Linear(width, size)
            initialize(linear, activation, config.init)
            layers.append(linear)
            if config.batch_norm:
                layers.append(nn.BatchNorm1d(size))
            layers.append(activation.module())
            if config.dropout > 0:
                layers.append(nn.Dropout(config.dropout))
            width = size
        head = nn.Linear(width, config.output_size)
        initialize(head, ACTIVATIONS["linear"], config.init)
        layers.append(head)
        super().__init__(*layers)
        self.config = config

    def linear_layers(self) -> list[nn.Linear]:
        """The Linear layers, input to output."""
        return [m for m in self if isinstance(m, nn.Linear)]


def build_mlp(config: ModelConfig, seed: int | None = None) -> MLP:
    """A new MLP; with ``seed``, ``torch.manual_seed(seed)`` is called first so the initial weights repeat.

    Layers draw their initial weights in order, input to output, exactly as the seed's
    ``nn::seq().add(nn::linear(...))`` chain and PyTorch's own ``nn.Sequential`` do.
    """
    if seed is not None:
        torch.manual_seed(seed)
    return MLP(config)


def count_parameters(model: nn.Module) -> int:
    """The number of trainable scalars."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
