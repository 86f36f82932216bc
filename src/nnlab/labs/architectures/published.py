"""Published figures to check the computed costs against, each with its source and why the numbers differ.

Tolerance 1% where the architecture is known exactly (the paper or torchvision gives every layer and an
exact count), 10% where the publication rounds (65M, 110M) or leaves a size open (the vocabulary). Each ``why``
is a ``str.format`` template: numbers it cites come from this run (``computed``, the row's computed value, and
the ``facts`` that ``compare`` is given), never typed in.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Published", "PUBLISHED", "compare"]


@dataclass(frozen=True)
class Published:
    model: str            # a key of ARCHITECTURES
    quantity: str         # "params", "macs", "connections" or "train_flops"
    value: float
    source: str
    tolerance: float      # allowed |computed - published| / published
    why: str              # what explains a difference: a template over ``computed`` and the facts


PUBLISHED: list[Published] = [
    Published("lenet5", "params", 60_000, "LeCun et al. 1998, Sec. II.B: 156 + 12 + 1,516 + 32 + 48,120 + "
              "10,164 trainable parameters", 0.01,
              "architecture given exactly; the RBF output centres are fixed by hand in the paper, so they are not "
              "trainable"),
    Published("lenet5", "connections", 340_908, "LeCun et al. 1998, Sec. II.B (sum of the layers' "
              "connections, output layer 84 x 10)", 0.01,
              "architecture given exactly; connections count one per bias and the four inputs of each "
              "subsampling unit"),
    Published("alexnet", "params", 61_100_840, "torchvision AlexNet_Weights.IMAGENET1K_V1 (num_params)", 0.01,
              "architecture given exactly"),
    Published("alexnet", "macs", 0.71e9, "torchvision AlexNet_Weights.IMAGENET1K_V1 ('GFLOPS' 0.71, which "
              "counts multiply-adds) at 224 x 224", 0.01,
              "torchvision rounds to two decimals; element-wise work (ReLU, pooling) is not counted"),
    Published("alexnet-2012", "params", 60e6, "Krizhevsky et al. 2012, Sec. 4: '60 million parameters'", 0.10,
              "the paper rounds; the layer sizes of its Section 3.5 are counted exactly"),
    Published("resnet18", "params", 11_689_512, "torchvision ResNet18_Weights.IMAGENET1K_V1",
              0.01, "architecture given exactly"),
    Published("resnet18", "macs", 1.81e9, "torchvision ResNet18_Weights.IMAGENET1K_V1 ('GFLOPS' 1.81)", 0.01,
              "torchvision rounds to two decimals"),
    Published("resnet50", "params", 25_557_032, "torchvision ResNet50_Weights.IMAGENET1K_V1",
              0.01, "architecture given exactly"),
    Published("resnet50", "macs", 4.09e9, "torchvision ResNet50_Weights.IMAGENET1K_V1 ('GFLOPS' 4.09)", 0.01,
              "torchvision rounds to two decimals"),
    Published("resnet50", "macs", 3.8e9, "He et al. 2015, Table 1: 3.8 x 10^9 FLOPs (multiply-adds)", 0.10,
              "the paper's ResNet-50 strides its 1x1 convolutions; torchvision's (and ours) strides the 3x3 "
              "one (\"v1.5\"), which costs more at 56x56 -> 28x28; the paper also rounds to two digits"),
    Published("transformer-base", "params", 65e6, "Vaswani et al. 2017, Table 3 (base: 65 x 10^6)", 0.10,
              "the paper rounds and gives the shared vocabulary only as 'about 37,000 tokens'; every 1,000 "
              "tokens of vocabulary add {transformer_params_per_1000_tokens:,} parameters, so 65M corresponds "
              "to about {transformer_vocab_for_published:,} tokens"),
    Published("bert-base", "params", 110e6, "Devlin et al. 2018, Sec. 3 (BERT-base: 110M)", 0.10,
              "the paper rounds; our count includes the pooler and excludes the pre-training heads"),
    Published("gpt3", "params", 175e9, "Brown et al. 2020, Table 2.1 (175.0B)", 0.01,
              "the paper rounds to 175.0B; the sizes in its Table 2.1 give {computed_billions:.1f}B (embeddings "
              "{gpt3_embedding_billions:.2f}B)"),
    Published("gpt3", "train_flops", 3.14e23, "Brown et al. 2020, Table D.1 (3.14E+23 FLOPs, 3.64E+03 "
              "petaflop/s-days)", 0.01,
              "both use 6 N D with D = 300B tokens and leave out the attention term, which would add "
              "{gpt3_attention_share:.1%}"),
]


def compare(computed: dict[str, dict[str, float]], facts: dict | None = None) -> list[dict]:
    """Each published figure beside its computed value: ``computed[model][quantity]``; rows carry the
    relative difference, whether it lies within the tolerance, and the ``why`` filled from the row's computed
    value and ``facts`` (the numbers the templates cite)."""
    rows = []
    for p in PUBLISHED:
        value = computed[p.model][p.quantity]
        diff = (value - p.value) / p.value
        why = p.why.format(computed=value, computed_billions=value / 1e9, **(facts or {}))
        rows.append({"model": p.model, "quantity": p.quantity, "computed": value, "published": p.value,
                     "relative_difference": diff, "tolerance": p.tolerance, "within": abs(diff) <= p.tolerance,
                     "source": p.source, "why": why})
    return rows
