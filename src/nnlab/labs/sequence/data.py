"""The adding problem (Hochreiter and Schmidhuber, 1997): a sequence of T (value, marker) pairs, values uniform in
[0, 1], exactly two markers set (one in each half); the target is the sum of the two marked values."""
from __future__ import annotations

import torch

__all__ = ["adding_problem", "BASELINE_MSE"]

# The sum of two independent U(0, 1) values has mean 1 and variance 2 x 1/12: predicting 1 scores MSE 1/6.
BASELINE_MSE = 1.0 / 6.0


def adding_problem(n: int, length: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` sequences: inputs (n, length, 2) (value, marker), targets (n, 1). Pure function of the generator."""
    values = torch.rand(n, length, generator=generator)
    half = length // 2
    first = torch.randint(0, half, (n,), generator=generator)
    second = torch.randint(half, length, (n,), generator=generator)
    markers = torch.zeros(n, length)
    rows = torch.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    target = (values * markers).sum(dim=1, keepdim=True)
    return torch.stack([values, markers], dim=-1), target
