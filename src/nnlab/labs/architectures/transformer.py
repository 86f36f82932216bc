"""Sequence models as published: the Transformer (Vaswani et al. 2017), BERT (Devlin et al. 2018) and the
GPT decoder (Radford et al. 2018/2019; Brown et al. 2020 for GPT-3's sizes).

The attention products are ``MatMul`` modules, so forward hooks see them: per layer and sequence of n tokens
they cost 2 n^2 d multiply-adds (scores Q K^T and the weighted sum P V), against 4 n d^2 for the four
projections and 2 n d d_ff for the feed-forward block.
"""
from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["MatMul", "MultiHeadAttention", "FeedForward", "EncoderLayer", "DecoderLayer", "TiedProjection",
           "Transformer", "Bert", "GPTBlock", "GPT"]


class MatMul(nn.Module):
    """a @ b as a module (no parameters), so that hooks can count it: (..., n, k) @ (..., k, m)."""

    def forward(self, a, b):
        return a @ b


class MultiHeadAttention(nn.Module):
    """softmax(Q K^T / sqrt(d_head) + mask) V over h heads, then the output projection."""

    def __init__(self, d_model: int, heads: int, causal: bool = False):
        super().__init__()
        self.heads, self.causal = heads, causal
        self.q, self.k, self.v, self.o = (nn.Linear(d_model, d_model) for _ in range(4))
        self.scores, self.mix = MatMul(), MatMul()
        self.softmax = nn.Softmax(dim=-1)

    def forward(self, x, memory=None):        # x (B, n, d); memory (B, m, d) for cross-attention
        memory = x if memory is None else memory
        B, n, d = x.shape
        split = lambda t: t.view(B, t.shape[1], self.heads, d // self.heads).transpose(1, 2)   # (B, h, n, dh)
        q, k, v = split(self.q(x)), split(self.k(memory)), split(self.v(memory))
        s = self.scores(q, k.transpose(-2, -1)) / math.sqrt(d // self.heads)                  # (B, h, n, m)
        if self.causal:
            s = s.masked_fill(torch.ones(n, n, dtype=torch.bool, device=x.device).triu(1), float("-inf"))
        ctx = self.mix(self.softmax(s), v)                                                   # (B, h, n, dh)
        return self.o(ctx.transpose(1, 2).reshape(B, n, d))


class FeedForward(nn.Module):
    """Linear(d, d_ff) -> activation -> Linear(d_ff, d), applied to every position."""

    def __init__(self, d_model: int, d_ff: int, activation: type[nn.Module] = nn.ReLU):
        super().__init__()
        self.up, self.act, self.down = nn.Linear(d_model, d_ff), activation(), nn.Linear(d_ff, d_model)

    def forward(self, x):
        return self.down(self.act(self.up(x)))


class EncoderLayer(nn.Module):
    """Self-attention and feed-forward, each wrapped as LayerNorm(x + sublayer(x)) (post-norm, as published)."""

    def __init__(self, d_model: int, heads: int, d_ff: int, activation=nn.ReLU, eps: float = 1e-5):
        super().__init__()
        self.attn, self.ff = MultiHeadAttention(d_model, heads), FeedForward(d_model, d_ff, activation)
        self.norm1, self.norm2 = nn.LayerNorm(d_model, eps=eps), nn.LayerNorm(d_model, eps=eps)

    def forward(self, x):
        x = self.norm1(x + self.attn(x))
        return self.norm2(x + self.ff(x))


class DecoderLayer(nn.Module):
    """Masked self-attention, attention over the encoder's output, feed-forward; post-norm."""

    def __init__(self, d_model: int, heads: int, d_ff: int):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, heads, causal=True)
        self.cross_attn, self.ff = MultiHeadAttention(d_model, heads), FeedForward(d_model, d_ff)
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(d_model) for _ in range(3))

    def forward(self, x, memory):
        x = self.norm1(x + self.self_attn(x))
        x = self.norm2(x + self.cross_attn(x, memory))
        return self.norm3(x + self.ff(x))


class TiedProjection(nn.Module):
    """The pre-softmax projection that reuses the embedding matrix E (vocab, d): logits = x E^T."""

    def __init__(self, embedding: nn.Embedding):
        super().__init__()
        self.embedding = [embedding]          # a list, so the shared weight is not registered twice

    @property
    def weight(self):
        return self.embedding[0].weight

    def forward(self, x):                     # (B, n, d) -> (B, n, vocab)
        return x @ self.weight.T


def _sinusoids(length: int, d_model: int, device=None) -> torch.Tensor:
    """PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...): (length, d_model), no parameters."""
    pos = torch.arange(length, device=device, dtype=torch.float32)[:, None]
    rate = torch.exp(torch.arange(0, d_model, 2, device=device, dtype=torch.float32) * (-math.log(1e4) / d_model))
    pe = torch.zeros(length, d_model, device=device)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(pos * rate), torch.cos(pos * rate)
    return pe


class Transformer(nn.Module):
    """The encoder-decoder of "Attention is all you need": N layers each side, one embedding matrix shared by
    source, target and the pre-softmax projection (Section 3.4), sinusoidal positions. Base model: N = 6,
    d_model = 512, d_ff = 2048, h = 8; vocabulary about 37,000 shared byte-pair tokens (English-German)."""

    def __init__(self, vocab: int = 37000, d_model: int = 512, heads: int = 8, d_ff: int = 2048, layers: int = 6):
        super().__init__()
        self.d_model = d_model
        self.embed = nn.Embedding(vocab, d_model)
        self.encoder = nn.ModuleList(EncoderLayer(d_model, heads, d_ff) for _ in range(layers))
        self.decoder = nn.ModuleList(DecoderLayer(d_model, heads, d_ff) for _ in range(layers))
        self.generator = TiedProjection(self.embed)

    def forward(self, src, tgt):              # token ids (B, n_src), (B, n_tgt) -> logits (B, n_tgt, vocab)
        scale = math.sqrt(self.d_model)
        x = self.embed(src) * scale + _sinusoids(src.shape[1], self.d_model, src.device)
        for layer in self.encoder:
            x = layer(x)
        y = self.embed(tgt) * scale + _sinusoids(tgt.shape[1], self.d_model, tgt.device)
        for layer in self.decoder:
            y = layer(y, x)
        return self.generator(y)


class Bert(nn.Module):
    """BERT's encoder: token + position + segment embeddings, LayerNorm, L post-norm GELU layers, and the
    pooler (Linear + tanh on the first token). Base: L = 12, H = 768, A = 12, d_ff = 3072, WordPiece vocabulary
    30,522 (the released uncased model), 512 positions."""

    def __init__(self, vocab: int = 30522, d_model: int = 768, heads: int = 12, d_ff: int = 3072,
                 layers: int = 12, positions: int = 512, segments: int = 2):
        super().__init__()
        self.tokens, self.positions = nn.Embedding(vocab, d_model), nn.Embedding(positions, d_model)
        self.segments, self.norm = nn.Embedding(segments, d_model), nn.LayerNorm(d_model, eps=1e-12)
        self.layers = nn.ModuleList(EncoderLayer(d_model, heads, d_ff, nn.GELU, eps=1e-12) for _ in range(layers))
        self.pooler, self.pool_act = nn.Linear(d_model, d_model), nn.Tanh()

    def forward(self, ids):                   # (B, n) -> sequence (B, n, d), pooled (B, d)
        pos = torch.arange(ids.shape[1], device=ids.device)[None]
        x = self.norm(self.tokens(ids) + self.positions(pos) + self.segments(torch.zeros_like(ids)))
        for layer in self.layers:
            x = layer(x)
        return x, self.pool_act(self.pooler(x[:, 0]))


class GPTBlock(nn.Module):
    """Pre-norm decoder block (GPT-2/3): x + attn(LN(x)), then x + mlp(LN(x)) with d_ff = 4 d and GELU."""

    def __init__(self, d_model: int, heads: int):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(d_model), MultiHeadAttention(d_model, heads, causal=True)
        self.norm2, self.mlp = nn.LayerNorm(d_model), FeedForward(d_model, 4 * d_model, nn.GELU)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class GPT(nn.Module):
    """A GPT decoder with learned positions and the output projection tied to the token embedding.

    GPT-3 175B (Brown et al. 2020, Table 2.1): 96 layers, d_model 12,288, 96 heads of 128, context 2,048,
    vocabulary 50,257 (GPT-2's byte-level BPE). GPT-3 alternates dense and locally banded sparse attention
    layers; that changes the attention cost, not the parameters, and this module uses dense attention.
    """

    def __init__(self, vocab: int = 50257, d_model: int = 12288, heads: int = 96, layers: int = 96,
                 context: int = 2048):
        super().__init__()
        self.tokens, self.positions = nn.Embedding(vocab, d_model), nn.Embedding(context, d_model)
        self.blocks = nn.ModuleList(GPTBlock(d_model, heads) for _ in range(layers))
        self.norm, self.head = nn.LayerNorm(d_model), TiedProjection(self.tokens)

    def forward(self, ids):                   # (B, n) -> logits (B, n, vocab)
        x = self.tokens(ids) + self.positions(torch.arange(ids.shape[1], device=ids.device)[None])
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x))
