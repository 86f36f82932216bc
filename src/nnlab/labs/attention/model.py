"""A tiny transformer encoder: token embedding, optional sinusoidal positional encoding, pre-norm blocks of
bidirectional multi-head self-attention and a feed-forward net, and one linear output per position. The
attention weights of every head are kept, so the lab can draw them."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["TinyEncoder", "sinusoidal_encoding"]


def sinusoidal_encoding(length: int, width: int) -> torch.Tensor:
    """Vaswani et al.'s encoding: PE[p, 2k] = sin(p / 10000^(2k/width)), PE[p, 2k+1] = cos(the same)."""
    position = torch.arange(length, dtype=torch.float32)[:, None]
    frequency = torch.exp(-math.log(10000.0) * torch.arange(0, width, 2, dtype=torch.float32) / width)
    pe = torch.zeros(length, width)
    pe[:, 0::2] = torch.sin(position * frequency)
    pe[:, 1::2] = torch.cos(position * frequency)
    return pe


class SelfAttention(nn.Module):
    """Multi-head scaled dot-product self-attention with no mask (every position sees every position)."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads, self.head_width = heads, width // heads
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.weights = None                       # the last forward's attention: batch x heads x query x key

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.heads, self.head_width).permute(2, 0, 3, 1, 4)
        if self.training:                         # torch's fused kernel; the weights are not kept
            mixed = F.scaled_dot_product_attention(q, k, v)
        else:
            weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(self.head_width), dim=-1)
            self.weights = weights.detach()
            mixed = weights @ v
        return self.out(mixed.transpose(1, 2).reshape(b, n, d))


class Block(nn.Module):
    def __init__(self, width: int, heads: int):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.attention = SelfAttention(width, heads)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.ReLU(), nn.Linear(4 * width, width))

    def forward(self, x):
        x = x + self.attention(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class TinyEncoder(nn.Module):
    """tokens (batch x length, ints) -> logits (batch x length x classes)."""

    def __init__(self, vocab: int, classes: int, length: int, width: int, layers: int, heads: int,
                 positional: bool):
        super().__init__()
        self.positional = positional
        self.embed = nn.Embedding(vocab, width)
        self.register_buffer("pe", sinusoidal_encoding(length, width))
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, classes)

    def forward(self, tokens):
        x = self.embed(tokens)
        if self.positional:
            x = x + self.pe[: tokens.shape[1]]
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x))

    def attention_maps(self) -> list[torch.Tensor]:
        """The last forward's attention weights (in eval mode), one batch x heads x query x key tensor per layer."""
        return [block.attention.weights for block in self.blocks]
