"""Closed-form costs, for models too large to train here and to check the module counts against.

- Training compute (Kaplan et al. 2020, Section 2.1): C ~ 6 N D FLOPs for N parameters and D tokens: 2 N per
  token forward, twice that backward. Their finer count adds the attention term 2 n_layer n_ctx d_model per
  token forward, so C ~ 6 N D + 6 n_layer n_ctx d_model D.
- A GPT decoder (pre-norm, d_ff = 4 d, tied output, learned positions) has
  N = L (12 d^2 + 13 d) + (V + n_ctx) d + 2 d parameters, and costs, per token over a context of n,
  L 12 d^2 + V d + 2 L n d multiply-adds (projections and MLP, the output layer, dense attention).
- A post-norm encoder layer over n tokens costs 4 n d^2 + 2 n^2 d + 2 n d d_ff multiply-adds.
"""
from __future__ import annotations

__all__ = ["GPT3", "training_flops", "attention_training_flops", "gpt_params", "gpt_forward_macs_per_token",
           "encoder_layer_macs"]

# Brown et al. 2020, Table 2.1 (GPT-3 175B) and Section 2.2 (300 billion training tokens).
GPT3 = {"layers": 96, "d_model": 12288, "heads": 96, "context": 2048, "vocab": 50257, "tokens": 300e9}


def training_flops(params: float, tokens: float) -> float:
    """C = 6 N D: forward 2 N FLOPs per token, backward 4 N."""
    return 6.0 * params * tokens


def attention_training_flops(layers: int, context: int, d_model: int, tokens: float) -> float:
    """Kaplan's attention term, 3 x (2 n_layer n_ctx d_model) FLOPs per token, over D tokens."""
    return 6.0 * layers * context * d_model * tokens


def gpt_params(layers: int, d_model: int, vocab: int, context: int) -> int:
    """Parameters of a GPT decoder: per block 12 d^2 weights + 13 d biases and norm gains; the embeddings;
    the final LayerNorm. The output projection reuses the token embedding."""
    return layers * (12 * d_model ** 2 + 13 * d_model) + (vocab + context) * d_model + 2 * d_model


def gpt_forward_macs_per_token(layers: int, d_model: int, vocab: int, n: int) -> int:
    """Multiply-adds per token of a forward pass over n tokens, with dense (unmasked-cost) attention."""
    return layers * 12 * d_model ** 2 + vocab * d_model + 2 * layers * n * d_model


def encoder_layer_macs(n: int, d_model: int, d_ff: int) -> int:
    """Q, K, V and output projections (4 n d^2), scores and mixing (2 n^2 d), feed-forward (2 n d d_ff)."""
    return 4 * n * d_model ** 2 + 2 * n * n * d_model + 2 * n * d_model * d_ff
