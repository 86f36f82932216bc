"""The L1/L2 penalty, written once for the torch paths: ``fit``'s torch engine, the Trainer and the batched sweeps.

The compiled kernels add its gradient themselves (``kernels.add_penalty_grad``: the same formula, differentiated
by hand); the playground's rules apply theirs per update, as TensorFlow Playground does (``classic_kernels``).
Importing this module does not import torch.
"""
from __future__ import annotations

__all__ = ["penalty", "linear_weights"]


def linear_weights(model) -> list:
    """The weight matrices of a torch model's Linear layers (biases are not penalised)."""
    from torch import nn
    return [m.weight for m in model.modules() if isinstance(m, nn.Linear)]


def penalty(weights, l1, l2):
    """l1 * sum|W| + l2 / 2 * sum W^2 over the weight matrices ``weights``.

    One model: 2-D matrices and float rates give a 0-d tensor. K stacked models: (K, out, in) matrices and (K,)
    rate tensors give each model's penalty, (K,). A zero rate (every trial's zero) adds nothing.
    """
    import torch

    def used(rate) -> bool:
        return bool(rate.any()) if isinstance(rate, torch.Tensor) else rate != 0

    total = torch.zeros(l1.shape if isinstance(l1, torch.Tensor) else ())
    if used(l1):
        total = total + l1 * sum(w.abs().sum((-2, -1)) for w in weights)
    if used(l2):
        total = total + 0.5 * l2 * sum((w * w).sum((-2, -1)) for w in weights)
    return total
