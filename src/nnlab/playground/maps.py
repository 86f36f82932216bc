"""What the page draws, computed on the server: every unit's map over the plot square, and compact encodings.

The grid is the Playground's: 100 x 100 cell centres over [-domain, domain]^2, rows from top (+x2) to bottom.
Every unit's activation on it comes from one vectorised forward pass (all layers at once); thumbnails are the
100 x 100 maps averaged in 5 x 5 blocks (20 x 20). Values go out as signed bytes,
clip(v, -1, 1) * 127, base64-encoded: the Playground's colour scale spans [-1, 1].
"""
from __future__ import annotations

import base64

import numpy as np

from nnlab.data.features import feature_matrix

__all__ = ["GRID", "THUMB", "grid_points", "unit_maps", "output_value", "encode_signed", "encode_bytes", "thumbnail",
           "thumbnails"]

GRID = 100
THUMB = 20


def grid_points(domain: float, size: int = GRID) -> np.ndarray:
    """Cell centres (size * size, 2), row-major from the top-left corner (-domain, +domain)."""
    step = 2 * domain / size
    centres = -domain + step * (np.arange(size) + 0.5)
    xx, yy = np.meshgrid(centres, centres[::-1])
    return np.stack([xx.ravel(), yy.ravel()], axis=1)


def unit_maps(net, inputs: np.ndarray, output: str = "linear") -> list[np.ndarray]:
    """Every layer's activations (units, n) for network inputs (n, d) of ``net`` (a FastMLP, the engines' model):
    hidden layers, then the output layer, whose activation is ``output`` ("linear": logits, nnlab's; "tanh":
    TensorFlow Playground's classic classifier). ``nnlab.nn.forward.layer_outputs``, vectorised NumPy: about ten
    times the fused kernel's speed on a 100 x 100 grid, where its scalar tanh dominates."""
    from nnlab.nn.forward import layer_outputs
    return layer_outputs(net.theta, net.sizes, [*net.activations, output], inputs, negative_slope=net.negative_slope)


def output_value(logits: np.ndarray, loss: str | None) -> np.ndarray:
    """The output as one value in [-1, 1] per point (n,) for two classes or regression, from the output layer
    (K, n): classic/mse the unit itself, bce 2 sigmoid(z) - 1, two-logit cross-entropy p1 - p0."""
    if logits.shape[0] == 1:
        z = logits[0].astype(np.float64)
        return 2.0 / (1.0 + np.exp(-z)) - 1.0 if loss == "bce" else z
    return np.tanh((logits[1].astype(np.float64) - logits[0]) / 2)       # p1 - p0 of a softmax over two


def class_probabilities(logits: np.ndarray) -> np.ndarray:
    """Softmax over the K outputs (K, n)."""
    z = logits.astype(np.float64) - logits.max(axis=0)
    e = np.exp(z)
    return e / e.sum(axis=0)


def encode_signed(values: np.ndarray) -> str:
    v = np.nan_to_num(np.asarray(values, np.float64), nan=0.0, posinf=1.0, neginf=-1.0)
    return base64.b64encode(np.round(np.clip(v, -1, 1) * 127).astype(np.int8).tobytes()).decode()


def encode_bytes(values: np.ndarray) -> str:
    return base64.b64encode(np.asarray(values, np.uint8).tobytes()).decode()


def thumbnail(flat_map: np.ndarray, size: int = GRID, thumb: int = THUMB) -> np.ndarray:
    """A (size * size,) map averaged down to (thumb * thumb,)."""
    k = size // thumb
    return flat_map.reshape(thumb, k, thumb, k).mean(axis=(1, 3)).ravel()


def thumbnails(hidden) -> dict:
    """Every hidden unit's 20 x 20 thumbnail, keyed "layer:unit" (layer 1 = the first hidden layer)."""
    if not hidden:
        return {}
    k = GRID // THUMB
    rows = np.concatenate(hidden).reshape(-1, THUMB, k, GRID).sum(axis=2)       # (U, 20, 100)
    small = rows.reshape(-1, THUMB, THUMB, k).sum(axis=3) / (k * k)           # (U, 20, 20)
    small = np.round(np.clip(np.nan_to_num(small), -1, 1) * 127).astype(np.int8)
    keys = [f"{l + 1}:{j}" for l, m in enumerate(hidden) for j in range(len(m))]
    return {key: encode_bytes(row.view(np.uint8).ravel()) for key, row in zip(keys, small)}


def feature_maps(keys, domain: float) -> dict[str, np.ndarray]:
    """Each input feature's own map over the grid, (GRID * GRID,) per key."""
    F = feature_matrix(grid_points(domain), keys)
    return {k: F[:, i] for i, k in enumerate(keys)}
