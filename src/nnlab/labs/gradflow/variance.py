"""Per-layer variances at initialisation, measured over many seeds.

The net: ``nnlab.nn.MLP`` with ``width`` inputs, ``depth`` hidden layers of ``width`` and a Linear head
width -> width. Each seed draws the weights (``build_mlp(config, seed)``), a batch of inputs x ~ N(0, 1) and a
cotangent c ~ N(0, 1) of the head's shape; the loss is <logits, c>, so the gradient reaching the head has
variance 1 and every layer's gradient is the backpropagated signal alone. For each hidden layer l it records

    forward[l]   Var(z_l): the variance, over the batch and the units, of what layer l's activation receives
                 (the pre-activation; with batch norm, BN's output; in a residual net, the residual stream)
    backward[l]  Var(dL/dz_l) over the batch and the units

Batch norm runs in training mode (batch statistics), as it does in the first step of training.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnlab.labs.gradflow.theory import theory_lines

__all__ = ["Profile", "measure", "ratio_per_layer", "is_geometric"]

# A curve is geometric when a line through log(values) against the layer misses no point by more than this factor.
GEOMETRIC_TOLERANCE = 1.25


@dataclass
class Profile:
    """Measured (seeds, depth) variances of one net at initialisation, and the theory's lines."""
    activation: str
    init: str
    width: int
    batch_norm: bool = False
    residual: bool = False
    std: float = 0.01
    forward: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)     # (seeds, depth)
    backward: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)    # (seeds, depth)
    theory_forward: np.ndarray | None = field(default=None, repr=False)                   # (depth,)
    theory_backward: np.ndarray | None = field(default=None, repr=False)                  # (depth,) or None

    @property
    def label(self) -> str:
        extra = "".join([" + batch norm" if self.batch_norm else "", " + residual" if self.residual else ""])
        init = f"normal({self.std:g})" if self.init == "normal" else self.init
        return f"{self.activation}, {init}{extra}"

    def summary(self) -> dict:
        """Per-layer means over seeds, and ratios per layer (measured and theory)."""
        fwd, bwd = self.forward.mean(axis=0), self.backward.mean(axis=0)
        return {"label": self.label, "width": self.width, "seeds": int(self.forward.shape[0]),
                "forward_ratio": ratio_per_layer(fwd), "backward_ratio": ratio_per_layer(bwd[::-1]),
                "forward_geometric": is_geometric(fwd), "backward_geometric": is_geometric(bwd),
                "theory_forward_ratio": ratio_per_layer(self.theory_forward),
                "theory_backward_ratio": (None if self.theory_backward is None
                                          else ratio_per_layer(self.theory_backward[::-1])),
                "forward": fwd.tolist(), "backward": bwd.tolist(),
                "theory_forward": self.theory_forward.tolist(),
                "theory_backward": None if self.theory_backward is None else self.theory_backward.tolist()}


def ratio_per_layer(values) -> float:
    """exp(slope) of a least-squares line through log(values) against the layer: the factor per layer.
    Non-positive or non-finite values (underflow, overflow) are left out; NaN if fewer than two remain."""
    v = np.asarray(values, dtype=np.float64)
    layers = np.arange(len(v))
    keep = np.isfinite(v) & (v > 0)
    if keep.sum() < 2:
        return float("nan")
    return float(np.exp(np.polyfit(layers[keep], np.log(v[keep]), 1)[0]))


def is_geometric(values, tolerance: float = GEOMETRIC_TOLERANCE) -> bool:
    """Whether ``values`` fall by one factor per layer: the fitted line through log(values) misses every point by
    less than a factor ``tolerance``. Only then is a factor per layer a fair summary of the curve (a sigmoid net's
    forward variance drops once and stays flat: no factor describes it)."""
    v = np.asarray(values, dtype=np.float64)
    keep = np.isfinite(v) & (v > 0)
    if keep.sum() < 3 or keep.sum() < len(v):
        return False
    layers = np.arange(len(v))
    logs = np.log(v)
    slope, intercept = np.polyfit(layers, logs, 1)
    return bool(np.abs(logs - (slope * layers + intercept)).max() <= np.log(tolerance))


def measure(activation: str, init: str, *, width: int, depth: int, seeds: int, batch: int, std: float = 0.01,
            batch_norm: bool = False, residual: bool = False) -> Profile:
    """Build the net ``seeds`` times (seeds 0..seeds-1) and record each hidden layer's forward and backward
    variance (float64 statistics of the float32 net). Deterministic: the same arguments give the same numbers."""
    import torch

    from nnlab.config import ModelConfig
    from nnlab.nn import ACTIVATIONS, build_mlp

    config = ModelConfig(input_size=width, hidden_sizes=(width,) * depth, activation=activation, output_size=width,
                         init=init, init_std=std, batch_norm=batch_norm, residual=residual)
    act_class = getattr(torch.nn, ACTIVATIONS[activation].torch_class)
    forward, backward = np.zeros((seeds, depth)), np.zeros((seeds, depth))
    for seed in range(seeds):
        model = build_mlp(config, seed=seed).train()
        data = torch.Generator().manual_seed(10_000 + seed)
        x = torch.randn(batch, width, generator=data)                              # (batch, width)
        c = torch.randn(batch, width, generator=data)                              # (batch, width)
        inputs = []                                                                # z_1 .. z_depth

        def keep(module, args):
            args[0].retain_grad()
            inputs.append(args[0])      # noqa: B023 - the hook runs and is removed within this iteration

        acts = [m for m in model.modules() if isinstance(m, act_class)]
        hooks = [m.register_forward_pre_hook(keep) for m in acts]
        try:
            (model(x) * c).sum().backward()
        finally:
            for h in hooks:
                h.remove()
        assert len(inputs) == depth, (len(inputs), depth)
        for layer, z in enumerate(inputs):
            forward[seed, layer] = z.detach().double().var().item()
            backward[seed, layer] = z.grad.double().var().item()
    theory_fwd, theory_bwd = theory_lines(activation, init, width, depth, std=std, residual=residual,
                                          batch_norm=batch_norm)
    return Profile(activation, init, width, batch_norm, residual, std, forward, backward, theory_fwd, theory_bwd)
