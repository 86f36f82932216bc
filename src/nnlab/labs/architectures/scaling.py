"""How cost grows with the input: a Transformer encoder over n tokens against an MLP reading the same input.

BERT-base is counted on the meta device at each length n (one model, positions for the longest); the
attention products (Q K^T and P V, the ``MatMul`` layers) grow as n^2, everything else as n. Of the attention's
outputs only the score and probability matrices (h of n x n per layer: Q K^T and its softmax) grow as n^2 in
memory; the attention-weighted values P V are n x d, like every other layer's output. The MLP baseline
reads the n x 768 token vectors flattened into one input (one hidden layer of 3,072, output 768), the way a
perceptron or MLP must see a sequence: its parameters grow with n, its multiply-adds only linearly.
"""
from __future__ import annotations

__all__ = ["sequence_scaling", "attention_matrix_layers", "LENGTHS"]

LENGTHS = (64, 128, 256, 512, 1024, 2048, 4096)
_D, _FF, _LAYERS = 768, 3072, 12


def attention_matrix_layers(layers) -> list:
    """The layers whose outputs are attention's score and probability matrices (h x n x n each): the ``scores``
    product Q K^T and the softmax over it. The other product, ``mix`` (P V), outputs n x d_model values."""
    return [l for l in layers if l.kind == "Softmax" or (l.kind == "MatMul" and l.name.endswith(".scores"))]


def sequence_scaling(lengths=LENGTHS) -> list[dict]:
    """One row per length n: BERT-base MACs (total, attention products, the rest), activation bytes (total;
    ``attention_activation_bytes``: every output of the attention products and softmax, P V's n x d included;
    ``attention_matrix_bytes``: the score and probability matrices alone), the closed-form count, and the
    flattened-input MLP's params and MACs."""
    import torch

    from nnlab.config import ModelConfig
    from nnlab.labs.architectures.counting import profile
    from nnlab.labs.architectures.formulas import encoder_layer_macs
    from nnlab.labs.architectures.transformer import Bert
    from nnlab.nn import build_mlp

    with torch.device("meta"):
        bert = Bert(positions=max(512, max(lengths))).eval()
    rows = []
    for n in lengths:
        ids = torch.zeros(1, n, dtype=torch.long, device="meta")
        p = profile(bert, (ids,), "bert-base", f"{n} tokens", cross_check=False)
        attention = [l for l in p.layers if l.kind == "MatMul"]
        attention_act = [l for l in p.layers if l.kind in ("MatMul", "Softmax")]
        with torch.device("meta"):
            mlp = build_mlp(ModelConfig(input_size=n * _D, hidden_sizes=(_FF,), output_size=_D))
        m = profile(mlp, (torch.zeros(1, n * _D, device="meta"),), "mlp", cross_check=False)
        rows.append({"n": n, "macs": p.macs, "attention_macs": sum(l.macs for l in attention),
                     "other_macs": p.macs - sum(l.macs for l in attention),
                     "formula_macs": _LAYERS * encoder_layer_macs(n, _D, _FF) + _D * _D,
                     "activation_bytes": p.activation_bytes,
                     "attention_activation_bytes": sum(l.activation_bytes for l in attention_act),
                     "attention_matrix_bytes": sum(l.activation_bytes for l in attention_matrix_layers(p.layers)),
                     "bert_params": p.params, "mlp_params": m.params, "mlp_macs": m.macs})
    return rows
