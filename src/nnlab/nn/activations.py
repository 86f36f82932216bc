"""The ACTIVATIONS registry: name -> activation, resolved to a torch module only when a model is built.

Importing this module does not import torch, so the CLI can list and check names instantly.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Activation", "ACTIVATIONS"]


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
