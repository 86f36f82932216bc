"""The ACTIVATIONS registry: name -> activation, resolved to a torch module only when a model is built, and
applied to NumPy arrays by ``Activation.numpy`` (the same formula with torch's settings, for drawing maps and
evaluating without torch).

Importing this module does not import torch, so the CLI can list and check names instantly.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nnlab.names import ACTIVATION_NAMES, check_registry

__all__ = ["Activation", "ACTIVATIONS"]


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))          # no overflow for large |z|


def _gelu(z):
    from scipy.special import erf  # torch's exact GELU, x Phi(x)
    return 0.5 * z * (1 + erf(z * np.float32(0.7071067811865476)))


_NUMPY: dict[str, Callable] = {
    "relu": lambda z, **_: np.maximum(z, 0),
    "leaky_relu": lambda z, negative_slope=0.01: np.where(z > 0, z, negative_slope * z),
    "tanh": lambda z, **_: np.tanh(z),
    "sigmoid": lambda z, **_: _sigmoid(z),
    "linear": lambda z, **_: z,
    "gelu": lambda z, **_: _gelu(z),
    "silu": lambda z, **_: z * _sigmoid(z),
    "elu": lambda z, **_: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
    "softplus": lambda z, **_: np.where(z > 20, z, np.log1p(np.exp(np.minimum(z, 20)))),   # torch: threshold 20
}


@dataclass(frozen=True)
class Activation:
    name: str
    torch_class: str             # the class in torch.nn
    formula: str                 # shown in help and docs
    kwargs: dict = field(default_factory=dict)
    gain_name: str = "linear"    # torch.nn.init.calculate_gain's name for this non-linearity

    def module(self):
        """A fresh torch module applying this activation."""
        import torch.nn
        return getattr(torch.nn, self.torch_class)(**self.kwargs)

    def numpy(self, z: np.ndarray, **kwargs) -> np.ndarray:
        """The activation of the array ``z``, in its dtype; ``kwargs`` override the module's (``negative_slope``)."""
        return np.asarray(_NUMPY[self.name](z, **{**self.kwargs, **kwargs}), dtype=np.asarray(z).dtype)

    def __repr__(self) -> str:
        return f"Activation({self.name!r}: {self.formula})"


ACTIVATIONS: dict[str, Activation] = {a.name: a for a in [
    Activation("relu", "ReLU", "max(0, x)", gain_name="relu"),
    Activation("leaky_relu", "LeakyReLU", "max(0.01 x, x)", {"negative_slope": 0.01}, gain_name="leaky_relu"),
    Activation("tanh", "Tanh", "tanh(x)", gain_name="tanh"),
    Activation("sigmoid", "Sigmoid", "1 / (1 + exp(-x))", gain_name="sigmoid"),
    Activation("linear", "Identity", "x"),
    Activation("gelu", "GELU", "x * Phi(x)", gain_name="relu"),
    Activation("silu", "SiLU", "x * sigmoid(x)", gain_name="relu"),
    Activation("elu", "ELU", "x if x > 0 else exp(x) - 1", gain_name="relu"),
    Activation("softplus", "Softplus", "log(1 + exp(x))", gain_name="relu"),
]}

check_registry("nnlab.nn.ACTIVATIONS", ACTIVATIONS, ACTIVATION_NAMES)
