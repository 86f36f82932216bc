"""The activations of ``nnlab.nn.ACTIVATIONS`` in closed form on NumPy arrays: each value and its derivative.

Each entry gives ``forward(x) -> y`` and ``derivative(x, y) -> dy/dx`` (elementwise; ``y = forward(x)`` is
passed in so that tanh, sigmoid and friends reuse it). The tensor engine and the hand-written MLP both read
this registry; every formula follows PyTorch's module of the same name, including its choices at the edges
(derivative 0 at the ReLU kink, Softplus turning linear above x = 20).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnlab.nn.activations import ACTIVATIONS

__all__ = ["ScratchActivation", "SCRATCH_ACTIVATIONS", "erf", "sigmoid"]

_SLOPE = ACTIVATIONS["leaky_relu"].kwargs["negative_slope"]    # 0.01, the same number torch's module uses
_SOFTPLUS_THRESHOLD = 20.0                                       # torch.nn.Softplus: x > 20 -> x
_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_erf_object = np.frompyfunc(math.erf, 1, 1)


def erf(x: np.ndarray) -> np.ndarray:
    """The error function elementwise (Python's ``math.erf``, accurate to a few ulp), float64 out."""
    return np.asarray(_erf_object(np.asarray(x, dtype=np.float64)), dtype=np.float64)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) without overflow: with e = exp(-|x|), 1/(1 + e) for x >= 0 and e/(1 + e) below."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _gelu(x):
    return 0.5 * x * (1.0 + erf(x / _SQRT2))                     # x Phi(x)


def _gelu_derivative(x, y):
    return 0.5 * (1.0 + erf(x / _SQRT2)) + x * _INV_SQRT_2PI * np.exp(-0.5 * x * x)   # Phi(x) + x phi(x)


def _silu_derivative(x, y):
    s = sigmoid(x)
    return s * (1.0 + x * (1.0 - s))                             # s + x s (1 - s)


def _softplus(x):
    return np.where(x > _SOFTPLUS_THRESHOLD, x, np.log1p(np.exp(np.minimum(x, _SOFTPLUS_THRESHOLD))))


@dataclass(frozen=True)
class ScratchActivation:
    name: str
    forward: Callable[[np.ndarray], np.ndarray]                  # y = f(x)
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]   # f'(x), given x and y = f(x)
    formula: str                                                 # f and f', for docs and help

    def __repr__(self) -> str:
        return f"ScratchActivation({self.name!r}: {self.formula})"


SCRATCH_ACTIVATIONS: dict[str, ScratchActivation] = {a.name: a for a in [
    ScratchActivation("relu", lambda x: np.where(x > 0, x, 0.0), lambda x, y: (x > 0).astype(np.float64),
                      "max(0, x); 1 if x > 0 else 0"),
    ScratchActivation("leaky_relu", lambda x: np.where(x > 0, x, _SLOPE * x),
                      lambda x, y: np.where(x > 0, 1.0, _SLOPE), "max(0.01 x, x); 1 if x > 0 else 0.01"),
    ScratchActivation("tanh", np.tanh, lambda x, y: 1.0 - y * y, "tanh(x); 1 - tanh(x)^2"),
    ScratchActivation("sigmoid", sigmoid, lambda x, y: y * (1.0 - y), "s = 1 / (1 + exp(-x)); s (1 - s)"),
    ScratchActivation("linear", lambda x: x, lambda x, y: np.ones_like(x), "x; 1"),
    ScratchActivation("gelu", _gelu, _gelu_derivative, "x Phi(x); Phi(x) + x phi(x)"),
    ScratchActivation("silu", lambda x: x * sigmoid(x), _silu_derivative, "x s(x); s(x) (1 + x (1 - s(x)))"),
    ScratchActivation("elu", lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),
                      lambda x, y: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0.0))),
                      "x if x > 0 else exp(x) - 1; 1 if x > 0 else exp(x)"),
    ScratchActivation("softplus", _softplus, lambda x, y: np.where(x > _SOFTPLUS_THRESHOLD, 1.0, sigmoid(x)),
                      "log(1 + exp(x)) (x if x > 20); sigmoid(x) (1 if x > 20)"),
]}
