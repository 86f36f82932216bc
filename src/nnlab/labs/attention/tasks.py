"""The generated token tasks: sequences of digits 0-9 and, per position, the token to output.

- reverse: position i outputs the token at position n - 1 - i;
- sort: position i outputs the i-th smallest token;
- histogram: position i outputs how many times its own token occurs in the sequence (1 to n).

A sequence has n digits, n drawn uniformly from [min_length, max_length], each digit uniform and independent
(seeded); shorter sequences are padded to max_length with the token PAD, which the model sees like any other
token (no attention mask) and which is neither trained on nor scored. ``equivariant_ceiling`` is the best token
accuracy a permutation-equivariant model can expect on a set of sequences (see its docstring).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["TASKS", "DIGITS", "PAD", "VOCAB", "Batch", "make_batch", "targets", "n_classes", "equivariant_ceiling",
           "token_names"]

DIGITS = 10                         # tokens 0-9
PAD = DIGITS                        # token 10 fills a sequence up to max_length
VOCAB = DIGITS + 1
TASKS = {
    "reverse": "each position outputs the token at the mirrored position n - 1 - i",
    "sort": "each position outputs the i-th smallest token",
    "histogram": "each position outputs how many times its own token occurs in the sequence",
}


def token_names() -> list[str]:
    return [str(d) for d in range(DIGITS)] + ["PAD"]


def n_classes(max_length: int) -> int:
    """One output layer for every task: the digits 0-9 and the counts 1..max_length."""
    return max(DIGITS, max_length + 1)


def targets(task: str, x: np.ndarray) -> np.ndarray:
    """The output sequence of ``task`` for each row of ``x`` (ints, batch x n, no padding)."""
    if task == "reverse":
        return x[:, ::-1].copy()
    if task == "sort":
        return np.sort(x, axis=1)
    if task == "histogram":
        counts = np.stack([(x == d).sum(1) for d in range(DIGITS)], axis=1)     # batch x 10
        return np.take_along_axis(counts, x, axis=1)
    raise ValueError(f"unknown task {task!r}")


@dataclass
class Batch:
    """tokens (batch x max_length, PAD after the n-th), targets (0 at padding), real (bool: a digit, not PAD),
    lengths (n per sequence)."""
    tokens: np.ndarray
    targets: np.ndarray
    real: np.ndarray
    lengths: np.ndarray

    def __len__(self) -> int:
        return len(self.tokens)

    def sequence(self, row: int) -> np.ndarray:
        return self.tokens[row, : self.lengths[row]]


def make_batch(rng: np.random.Generator, size: int, min_length: int, max_length: int, task: str) -> Batch:
    """``size`` sequences with their ``task`` targets."""
    lengths = rng.integers(min_length, max_length + 1, size=size)
    tokens = rng.integers(0, DIGITS, size=(size, max_length))
    real = np.arange(max_length)[None, :] < lengths[:, None]
    y = np.zeros_like(tokens)
    for n in np.unique(lengths):
        rows = lengths == n
        y[rows, :n] = targets(task, tokens[rows, :n])
    tokens[~real] = PAD
    return Batch(tokens, y, real, lengths)


def _expected_right(task: str, x: np.ndarray) -> np.ndarray:
    """For sequences of one length n (batch x n): the expected number of positions the best equivariant rule gets
    right, over the orderings of each sequence's digits (see ``equivariant_ceiling``)."""
    n = x.shape[1]
    counts = np.stack([(x == d).sum(1) for d in range(DIGITS)], axis=1).astype(float)        # batch x v
    if task == "histogram":
        return np.full(len(x), float(n))
    if task == "sort":
        # a position holding v is position k of the sorted sequence for a uniform k: guess g is right c_g / n of
        # the time, for every v; the best g is the most frequent digit
        return counts.max(1)
    if task == "reverse":
        # over the n - odd positions that are not their own mirror, the pair (x_i, x_mirror) is (v, g) with
        # probability c_v (c_g - [g = v]) / (n (n - 1)); the middle of an odd length holds v with probability c_v / n
        # and is its own target
        odd = n % 2
        same = np.eye(DIGITS)[None]                                                          # [g = v]
        score = (n - odd) * (counts[:, None, :] - same) / (n - 1) + odd * same               # batch x v x g
        return (counts / n * score.max(-1)).sum(1)
    raise ValueError(f"unknown task {task!r}")


def equivariant_ceiling(task: str, batch: Batch) -> float:
    """The best expected token accuracy of any permutation-equivariant model on ``batch``'s sequences.

    Without positions, the output at a position is one function of (its token, the multiset of all tokens,
    padding included), the same at every position: for a given sequence, one guess g(v) per digit v it holds.
    Every ordering of a sequence's digits is equally likely, so the best g(v) is the one right most often over
    the orderings:
    - sort: a position holding v is the k-th smallest for a uniform k, so any guess g is right with probability
      count(g) / n; the best is the most frequent digit, right max_t count(t) / n of the time;
    - reverse: at a position that is not its own mirror, the target is a draw from the other n - 1 digits, so
      g(v) is right with probability (count(g) - [g = v]) / (n - 1); at the middle of an odd length the target is
      v itself; the best g(v) weighs both;
    - histogram: count(v) is a function of (v, the multiset): always right.
    Returns the expected share of the batch's digits the best rule gets right.
    """
    right = sum(_expected_right(task, batch.tokens[batch.lengths == n, :n]).sum() for n in np.unique(batch.lengths))
    return float(right / batch.lengths.sum())
