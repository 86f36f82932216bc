"""Cost of a model, computed from the module: parameters, multiply-adds and activation memory, layer by layer.

One forward pass of a batch of one (usually on the ``meta`` device, so nothing is allocated) with forward
hooks. Multiply-adds (MACs; 1 MAC = 2 FLOPs) are counted by the rules in ``MAC_RULES``:

- ``Linear``: rows * in * out;   ``Conv2d``: output elements * (in_channels / groups) * kh * kw;
- ``MatMul`` (attention): output elements * k;   ``TiedProjection``: rows * d * vocab;
- LeNet's ``PartialConv2d``: sum over maps of H * W * |inputs| * 25; ``Subsampling``: one multiply per output;
  ``RBFOutput``: one squared difference per centre coordinate.

Element-wise work (activations, normalisation, pooling, softmax, additions) is not counted, as in torchvision's
and the papers' figures. "Connections" (LeNet-5's unit) add one per bias and count each input of a subsampling
unit. Activation memory is the sum of the outputs of every leaf module in fp32: an estimate of what training
keeps for the backward pass. ``torch.utils.flop_counter.FlopCounterMode`` runs on the same pass and must give
exactly twice the MACs of the dense rules (all but subsampling and RBF), a cross-check of the hooks.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from nnlab.labs.architectures.transformer import MatMul, TiedProjection
from nnlab.labs.architectures.vision import PartialConv2d, RBFOutput, Subsampling

__all__ = ["LayerCost", "CostProfile", "MAC_RULES", "profile", "count_parameters"]


@dataclass(frozen=True)
class Rule:
    """How one layer type costs: ``count(module, inputs, output) -> (macs, connections)``; ``dense`` when
    FlopCounterMode sees the same work (a matmul or a convolution)."""
    count: Callable
    dense: bool = True


def _linear(m, inputs, out):
    rows = out.numel() // m.out_features
    macs = rows * m.in_features * m.out_features
    return macs, macs + (out.numel() if m.bias is not None else 0)


def _conv(m, inputs, out):
    kh, kw = m.kernel_size
    macs = out.numel() * (m.in_channels // m.groups) * kh * kw
    return macs, macs + (out.numel() if m.bias is not None else 0)


def _matmul(m, inputs, out):
    macs = out.numel() * inputs[0].shape[-1]
    return macs, macs


def _tied(m, inputs, out):
    macs = out.numel() * m.weight.shape[1]
    return macs, macs


def _partial(m, inputs, out):
    per_map = out.shape[-2] * out.shape[-1] * out.shape[0]
    macs = sum(per_map * c.in_channels * c.kernel_size[0] * c.kernel_size[1] for c in m.convs)
    return macs, macs + out.numel()


def _subsampling(m, inputs, out):
    return out.numel(), out.numel() * 5        # 4 inputs + bias per unit (the paper's connections)


def _rbf(m, inputs, out):
    macs = out.numel() * m.centres.shape[1]
    return macs, macs


MAC_RULES: dict[type, Rule] = {
    nn.Linear: Rule(_linear), nn.Conv2d: Rule(_conv), MatMul: Rule(_matmul), TiedProjection: Rule(_tied),
    PartialConv2d: Rule(_partial), Subsampling: Rule(_subsampling, dense=False), RBFOutput: Rule(_rbf, dense=False),
}


@dataclass
class LayerCost:
    """One counted layer (or one uncounted leaf such as ReLU, which only holds activations)."""
    name: str
    kind: str
    output_shape: tuple
    params: int
    macs: int
    connections: int
    activation_bytes: int


@dataclass
class CostProfile:
    """A model's costs for one example of ``input_desc``."""
    name: str
    input_desc: str
    params: int
    layers: list[LayerCost] = field(default_factory=list)
    flop_counter_flops: int | None = None      # FlopCounterMode's total on the same pass

    @property
    def macs(self) -> int:
        return sum(l.macs for l in self.layers)

    @property
    def connections(self) -> int:
        return sum(l.connections for l in self.layers)

    @property
    def activation_bytes(self) -> int:
        return sum(l.activation_bytes for l in self.layers)

    def dense_macs(self) -> int:
        """MACs of the layers FlopCounterMode also sees (everything but subsampling and RBF units)."""
        sparse = {t.__name__ for t, r in MAC_RULES.items() if not r.dense}
        return sum(l.macs for l in self.layers if l.kind not in sparse)

    def param_bytes(self, bytes_per_param: int = 4) -> int:
        return self.params * bytes_per_param

    def by_kind(self) -> dict[str, dict]:
        """MACs, parameters and activation bytes summed per layer type."""
        totals: dict[str, dict] = {}
        for l in self.layers:
            t = totals.setdefault(l.kind, {"layers": 0, "params": 0, "macs": 0, "activation_bytes": 0})
            t["layers"] += 1
            t["params"] += l.params
            t["macs"] += l.macs
            t["activation_bytes"] += l.activation_bytes
        return totals

    def to_dict(self, layers: bool = False) -> dict:
        d = {"name": self.name, "input": self.input_desc, "params": self.params, "macs": self.macs,
             "flops": 2 * self.macs, "connections": self.connections, "activation_bytes": self.activation_bytes,
             "param_bytes_fp32": self.param_bytes(4), "param_bytes_fp16": self.param_bytes(2),
             "flop_counter_flops": self.flop_counter_flops, "dense_macs": self.dense_macs()}
        if layers:
            d["layers"] = [asdict(l) for l in self.layers]
        return d


def count_parameters(model: nn.Module) -> int:
    """Trainable scalars, each shared tensor once (buffers such as LeNet's RBF centres are not parameters)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _units(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """Modules that become rows: those with a MAC rule (their insides are not rows) and the other leaves."""
    rows, inside = [], set()
    for name, module in model.named_modules():
        if any(name.startswith(prefix + ".") for prefix in inside):
            continue
        if type(module) in MAC_RULES:
            rows.append((name, module))
            inside.add(name)
        elif not list(module.children()):
            rows.append((name, module))
    return rows


def profile(model: nn.Module, inputs: tuple, name: str = "", input_desc: str = "",
            cross_check: bool = True) -> CostProfile:
    """Run ``model(*inputs)`` once (batch of one) and count every layer; returns a CostProfile.

    ``inputs`` live on the model's device (``meta`` for counting without memory). With ``cross_check``,
    FlopCounterMode records its own FLOP total on the same pass.
    """
    result = CostProfile(name or type(model).__name__, input_desc, count_parameters(model))
    handles, seen = [], set()        # a module called twice (a shared embedding) owns its parameters once

    def hook(row_name):
        def record(module, args, out):
            out = out[0] if isinstance(out, tuple) else out
            rule = MAC_RULES.get(type(module))
            macs, conns = rule.count(module, args, out) if rule else (0, 0)
            own = [p for p in module.parameters() if p.requires_grad and id(p) not in seen]
            seen.update(id(p) for p in own)
            params = sum(p.numel() for p in own)
            result.layers.append(LayerCost(row_name, type(module).__name__, tuple(out.shape), params, int(macs),
                                           int(conns), out.numel() * 4))
        return record

    for row_name, module in _units(model):
        handles.append(module.register_forward_hook(hook(row_name)))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            if cross_check:
                from torch.utils.flop_counter import FlopCounterMode
                with FlopCounterMode(display=False) as counter:
                    model(*inputs)
                result.flop_counter_flops = int(counter.get_total_flops())
            else:
                model(*inputs)
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    return result
