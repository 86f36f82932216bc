"""The cost lab's counting: every architecture's CostProfile (GPT-3's from two shallow copies), where the CNNs
spend, the layer tables, and the facts the published rows cite."""
from __future__ import annotations

import csv
from pathlib import Path

from nnlab.labs.architectures.catalog import ARCHITECTURES, build, example_inputs

__all__ = ["profile_all", "profile_gpt3_by_depth", "cnn_case_study", "write_layers", "published_facts", "QUICK_TIMED"]

QUICK_TIMED = ("perceptron", "seed-mlp", "lenet5")
_CONV_KINDS = ("Conv2d", "PartialConv2d")


def profile_all(names=None, quick: bool = False) -> dict:
    """CostProfile of each architecture (all by default), counted on the meta device; with ``quick``, GPT-3
    by ``profile_gpt3_by_depth`` (the same numbers, a few seconds sooner)."""
    from nnlab.labs.architectures.counting import profile
    names = list(ARCHITECTURES) if names is None else names
    return {n: profile_gpt3_by_depth() if quick and n == "gpt3" else
            profile(build(n), example_inputs(n), n, ARCHITECTURES[n].input_desc) for n in names}


def profile_gpt3_by_depth():
    """GPT-3's CostProfile from two shallow copies of it (1 and 2 blocks, every other size GPT-3's).

    The 96 blocks are identical, so the rows of block 1 of the two-block copy, renamed, are exactly the rows of
    blocks 2..95: cost(96) = cost(1) + 95 (cost(2) - cost(1)), layer by layer, parameters included.
    """
    import dataclasses

    import torch

    from nnlab.labs.architectures.counting import profile
    from nnlab.labs.architectures.formulas import GPT3
    from nnlab.labs.architectures.transformer import GPT
    arch, g = ARCHITECTURES["gpt3"], GPT3
    with torch.device("meta"):
        one, two = (GPT(g["vocab"], g["d_model"], g["heads"], depth, g["context"]).eval() for depth in (1, 2))
    p1 = profile(one, example_inputs("gpt3"), "gpt3", arch.input_desc)
    p2 = profile(two, example_inputs("gpt3"), "gpt3", arch.input_desc)
    block = [l for l in p2.layers if l.name.startswith("blocks.1.")]
    cut = max(i for i, l in enumerate(p1.layers) if l.name.startswith("blocks.0.")) + 1
    copies = [dataclasses.replace(l, name=l.name.replace("blocks.1.", f"blocks.{i}.", 1))
              for i in range(1, g["layers"]) for l in block]
    extra = g["layers"] - 1
    p1.layers[cut:cut] = copies
    p1.params += extra * (p2.params - p1.params)
    p1.flop_counter_flops += extra * (p2.flop_counter_flops - p1.flop_counter_flops)
    return p1


def cnn_case_study(profiles: dict, names=("lenet5", "alexnet-2012", "resnet50")) -> list[dict]:
    """Where each CNN's parameters and arithmetic sit: convolutions vs the rest, and how much weight sharing
    saves (connections of the convolutions / their parameters = what an unshared, locally connected layer
    would need per shared weight)."""
    cases = []
    for name in names:
        p = profiles[name]
        conv = [l for l in p.layers if l.kind in _CONV_KINDS]
        cases.append({"model": name, "title": ARCHITECTURES[name].title, "year": ARCHITECTURES[name].year,
                      "params": p.params, "macs": p.macs, "conv_params": sum(l.params for l in conv),
                      "conv_macs": sum(l.macs for l in conv), "conv_connections": sum(l.connections for l in conv),
                      "conv_layers": len(conv)})
    return cases


def write_layers(profile, path: Path) -> None:
    """Every counted layer of ``profile`` as one CSV row."""
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["layer", "type", "output_shape", "params", "macs", "connections", "activation_bytes"])
        for l in profile.layers:
            writer.writerow([l.name, l.kind, "x".join(map(str, l.output_shape)), l.params, l.macs, l.connections,
                             l.activation_bytes])


def published_facts(profiles: dict, gpt3_attention_share: float) -> dict:
    """The numbers the published rows' explanations cite, from the counted modules."""
    from nnlab.labs.architectures.published import PUBLISHED
    t = build("transformer-base")
    vocab, d = t.embed.weight.shape
    published = next(p.value for p in PUBLISHED if (p.model, p.quantity) == ("transformer-base", "params"))
    extra = (published - profiles["transformer-base"].params) / d
    gpt3_embedding = sum(l.params for l in profiles["gpt3"].layers if l.kind == "Embedding")
    return {"transformer_params_per_1000_tokens": 1000 * d,
            "transformer_vocab_for_published": int(round((vocab + extra) / 100) * 100),
            "gpt3_embedding_billions": gpt3_embedding / 1e9, "gpt3_attention_share": gpt3_attention_share}
