"""The OPTIMIZERS registry: name -> a torch.optim class with nnlab's defaults, built only when used.

Each entry's ``formula`` is the update it performs, in torch.optim's conventions (g = gradient, lr = eta).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from nnlab.names import OPTIMIZER_NAMES, check_registry

__all__ = ["Optimizer", "OPTIMIZERS", "make_optimizer"]


@dataclass(frozen=True)
class Optimizer:
    name: str
    torch_class: str
    formula: str
    defaults: dict = field(default_factory=dict)

    def make(self, params, lr: float):
        """A torch optimizer over ``params`` with learning rate ``lr``."""
        import torch.optim
        return getattr(torch.optim, self.torch_class)(params, lr=lr, **self.defaults)

    def __repr__(self) -> str:
        return f"Optimizer({self.name!r}: {self.formula})"


OPTIMIZERS: dict[str, Optimizer] = {o.name: o for o in [
    Optimizer("sgd", "SGD", "w -= lr * g"),
    Optimizer("momentum", "SGD", "v = 0.9 v + g; w -= lr * v", {"momentum": 0.9}),
    Optimizer("nesterov", "SGD", "v = 0.9 v + g; w -= lr * (g + 0.9 v)", {"momentum": 0.9, "nesterov": True}),
    Optimizer("adagrad", "Adagrad", "s += g^2; w -= lr * g / (sqrt(s) + 1e-10)"),
    Optimizer("rmsprop", "RMSprop", "s = 0.99 s + 0.01 g^2; w -= lr * g / (sqrt(s) + 1e-8)"),
    Optimizer("adam", "Adam", "m = 0.9 m + 0.1 g; v = 0.999 v + 0.001 g^2; w -= lr * m^ / (sqrt(v^) + 1e-8)"),
    Optimizer("adamw", "AdamW", "w -= lr * 0.01 w, then the Adam step", {"weight_decay": 0.01}),
]}


def make_optimizer(name: str, params, lr: float):
    """Build ``OPTIMIZERS[name]`` over ``params``."""
    return OPTIMIZERS[name].make(params, lr)

check_registry("nnlab.training.OPTIMIZERS", OPTIMIZERS, OPTIMIZER_NAMES)
