"""Training the encoder on a task, with and without positional encoding, and what is measured on it: held-out
token accuracy, the attention maps of chosen inputs, the token embeddings, and permutation equivariance."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from nnlab.labs.attention.model import TinyEncoder
from nnlab.labs.attention.settings import Settings
from nnlab.labs.attention.tasks import VOCAB, Batch, make_batch, n_classes

__all__ = ["Run", "train", "test_set", "predictions", "attention", "mirror_attention", "same_token_attention",
           "same_token_uniform", "equivariance_gap", "embeddings_pca"]

_TEST_SEED = 1_000_003                # the test sequences' stream, apart from every training stream


@dataclass
class Run:
    task: str
    positional: bool
    model: TinyEncoder
    losses: list[float] = field(default_factory=list)      # training loss per step
    accuracy: float = float("nan")                         # held-out token accuracy
    accuracy_by_length: dict = field(default_factory=dict)
    skipped: int = 0                                       # generated training sequences dropped as test ones

    @property
    def name(self) -> str:
        return f"{self.task}, {'with' if self.positional else 'without'} positions"


def test_set(task: str, s: Settings) -> Batch:
    return make_batch(np.random.default_rng([_TEST_SEED, s.seed]), s.test_size, s.min_length, s.max_length, task)


def _keys(batch: Batch) -> set:
    return {row.tobytes() for row in batch.tokens}


def _logits(model, tokens: np.ndarray) -> torch.Tensor:
    return model(torch.from_numpy(tokens))


def train(task: str, positional: bool, s: Settings, test: Batch, progress=lambda message: None) -> Run:
    """Adam on fresh generated batches (any that equals a test sequence is dropped), cosine-decayed learning rate,
    the same seed for the weights and the batches with and without positions."""
    index = list(("reverse", "sort", "histogram")).index(task)
    torch.manual_seed(s.seed * 7 + index)
    rng = np.random.default_rng([s.seed, index])
    model = TinyEncoder(VOCAB, n_classes(s.max_length), s.max_length, s.width, s.layers, s.heads, positional)
    optimizer = torch.optim.Adam(model.parameters(), lr=s.lr, foreach=True)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer,
                                                 lambda step: 0.5 * (1 + math.cos(math.pi * step / s.steps)))
    run = Run(task, positional, model)
    held = _keys(test)
    model.train()
    for step in range(s.steps):
        batch = make_batch(rng, s.batch_size, s.min_length, s.max_length, task)
        keep = np.array([row.tobytes() not in held for row in batch.tokens])
        run.skipped += int((~keep).sum())
        real = torch.from_numpy(batch.real[keep])
        logits = _logits(model, batch.tokens[keep])[real]
        loss = F.cross_entropy(logits, torch.from_numpy(batch.targets[keep])[real])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        run.losses.append(float(loss.detach()))
        if not math.isfinite(run.losses[-1]):
            break
        if (step + 1) % max(1, s.steps // 4) == 0:
            progress(f"{run.name}: step {step + 1}/{s.steps}, loss {run.losses[-1]:.3f}")
    model.eval()
    right = predictions(model, test) == test.targets
    run.accuracy = float(right[test.real].mean())
    run.accuracy_by_length = {int(n): float(right[test.lengths == n][test.real[test.lengths == n]].mean())
                              for n in np.unique(test.lengths)}
    return run


@torch.no_grad()
def predictions(model, batch: Batch, chunk: int = 2000) -> np.ndarray:
    return np.concatenate([_logits(model, batch.tokens[i:i + chunk]).argmax(-1).numpy()
                           for i in range(0, len(batch), chunk)])


@torch.no_grad()
def attention(model, tokens: np.ndarray) -> np.ndarray:
    """Attention weights for ``tokens``: layers x batch x heads x query x key."""
    model.eval()
    model(torch.from_numpy(tokens))
    return np.stack([w.numpy() for w in model.attention_maps()])


def mirror_attention(model, batch: Batch) -> np.ndarray:
    """Mean weight each head puts on the mirrored key (j = n - 1 - i), over the batch's digits: layers x heads."""
    maps = attention(model, batch.tokens)                   # L x B x H x Q x K
    mass = np.zeros(maps.shape[0:1] + maps.shape[2:3])
    count = 0
    for b in range(len(batch)):
        n = batch.lengths[b]
        i = np.arange(n)
        mass += maps[:, b][:, :, i, n - 1 - i].sum(-1)
        count += n
    return mass / count


def same_token_attention(model, batch: Batch) -> np.ndarray:
    """Mean weight each head puts on keys holding the query's own digit, over the batch's digits: layers x heads."""
    maps = attention(model, batch.tokens)
    same = (batch.tokens[:, :, None] == batch.tokens[:, None, :]) & batch.real[:, :, None]     # B x Q x K
    mass = (maps * same[None, :, None]).sum(-1)             # L x B x H x Q
    return (mass * batch.real[None, :, None]).sum((1, 3)) / batch.real.sum()


def same_token_uniform(batch: Batch) -> float:
    """The same-token weight of uniform attention over all positions (padding included): the mean over the
    batch's digits of count(own digit) / max_length."""
    same = (batch.tokens[:, :, None] == batch.tokens[:, None, :]).sum(-1)      # B x Q
    return float(same[batch.real].mean() / batch.tokens.shape[1])


@torch.no_grad()
def equivariance_gap(model, batch: Batch, seed: int = 0) -> float:
    """max |f(P x) - P f(x)| over the batch's logits, for a random permutation P of each whole (padded) sequence."""
    rng = np.random.default_rng(seed)
    perm = np.stack([rng.permutation(batch.tokens.shape[1]) for _ in range(len(batch))])
    permuted = np.take_along_axis(batch.tokens, perm, axis=1)
    a = _logits(model, permuted)
    b = torch.take_along_dim(_logits(model, batch.tokens), torch.from_numpy(perm)[:, :, None], dim=1)
    return float((a - b).abs().max())


def embeddings_pca(model) -> tuple[np.ndarray, np.ndarray]:
    """The token embeddings projected on their first two principal components, and the share of variance each
    explains."""
    e = model.embed.weight.detach().numpy().astype(np.float64)
    centred = e - e.mean(0)
    _, sv, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T, (sv ** 2 / (sv ** 2).sum())[:2]
