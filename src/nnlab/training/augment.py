"""Data augmentation for the training loop: a fresh random variant of the training inputs every epoch.

Both engines call ``augment_inputs`` once per epoch with the run's own ``augmentation_rng``, so a seed means one
run on either engine.
"""
from __future__ import annotations

import math

import numpy as np

from nnlab.config import TrainConfig

__all__ = ["augmentation_rng", "augment_inputs"]


def augmentation_rng(seed: int) -> np.random.Generator:
    """The generator of a run's augmentation draws: its own stream, apart from weights, dropout and batch order."""
    return np.random.default_rng([seed, 1])


def augment_inputs(X: np.ndarray, jitter: float, shift: float, rng: np.random.Generator) -> np.ndarray:
    """One epoch's random variant of the training inputs ``X`` (n, d) float32 (data augmentation).

    ``shift``: each row is a square image (d = s * s pixels, row-major), moved by dy, dx ~ U(-shift, shift) pixels:
    out[r, c] = image(r - dy, c - dx), bilinear between pixels, 0 outside the image. ``jitter``: Gaussian noise of
    std ``jitter`` added to every input. Both engines call it once per epoch: every batch sees fresh draws.
    """
    out = X
    if shift:
        n, d = X.shape
        s, pad = math.isqrt(d), math.ceil(shift) + 1
        padded = np.zeros((n, s + 2 * pad, s + 2 * pad), X.dtype)
        padded[:, pad:pad + s, pad:pad + s] = X.reshape(n, s, s)
        dy, dx = rng.uniform(-shift, shift, size=(2, n))
        iy, ix = np.floor(dy).astype(np.int64), np.floor(dx).astype(np.int64)
        ty, tx = (dy - iy).astype(X.dtype)[:, None, None], (dx - ix).astype(X.dtype)[:, None, None]
        rows = pad - iy[:, None] + np.arange(s)               # (n, s): the padded row of r - floor(dy)
        cols = pad - ix[:, None] + np.arange(s)
        first = np.arange(n)[:, None, None]

        def pixels(oy, ox):                                   # (n, s, s): image(r - floor(dy) - oy, c - floor(dx) - ox)
            return padded[first, (rows - oy)[:, :, None], (cols - ox)[:, None, :]]
        out = ((1 - ty) * ((1 - tx) * pixels(0, 0) + tx * pixels(0, 1))
               + ty * ((1 - tx) * pixels(1, 0) + tx * pixels(1, 1))).reshape(n, d)
    if jitter:
        out = out + np.float32(jitter) * rng.standard_normal(X.shape, dtype=np.float32)
    return out


def _check_augmentation(config: TrainConfig, X) -> None:
    d = X.shape[1]
    if config.augment_shift and math.isqrt(d) ** 2 != d:
        from nnlab._validation import InvalidArgument
        raise InvalidArgument(f"The 'augment_shift' parameter of TrainConfig needs square images as inputs "
                              f"(d = s * s pixels). Got inputs of {d} features.", "augment_shift", owner="TrainConfig")
