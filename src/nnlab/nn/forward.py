"""An MLP's forward pass in NumPy from its flat parameters: every layer's activations at once, as the playground
draws them (a map per unit) and as a check on any engine. The parameters are in torch's order (W1 (h1, d), b1,
W2, b2, ...), as ``torch.nn.utils.parameters_to_vector`` and ``FastMLP.theta`` hold them; the activations are
the ``ACTIVATIONS`` registry's own formulas. Vectorised over the inputs (BLAS and SIMD), float32 like the models.
"""
from __future__ import annotations

import numpy as np

from nnlab.nn.activations import ACTIVATIONS

__all__ = ["layer_outputs"]


def layer_outputs(theta, sizes, activations, inputs, negative_slope: float = 0.01) -> list[np.ndarray]:
    """Every layer's activations, (units, n) float32 each, for inputs (n, d): hidden layers, then the output layer.

    sizes : (d, h1, ..., out); activations : one name per Linear layer, the output layer's included ("linear" for
    logits, "tanh" for TensorFlow Playground's classic output); negative_slope : leaky_relu's.
    """
    theta = np.asarray(theta, np.float32)
    a = np.ascontiguousarray(np.asarray(inputs).T, dtype=np.float32)                 # (d, n)
    if len(activations) != len(sizes) - 1 or theta.size != sum((i + 1) * o for i, o in zip(sizes[:-1], sizes[1:])):
        raise ValueError(f"{len(activations)} activations and {theta.size} parameters do not fit the layer sizes "
                         f"{tuple(sizes)}")
    out, at = [], 0
    for n_in, n_out, name in zip(sizes[:-1], sizes[1:], activations):
        W = theta[at:at + n_in * n_out].reshape(n_out, n_in)
        b = theta[at + n_in * n_out:at + n_in * n_out + n_out]
        at += n_in * n_out + n_out
        extra = {"negative_slope": np.float32(negative_slope)} if name == "leaky_relu" else {}
        a = ACTIVATIONS[name].numpy(W @ a + b[:, None], **extra)
        out.append(a)
    return out
