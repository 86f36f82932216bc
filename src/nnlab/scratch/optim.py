"""Optimizers from scratch on NumPy arrays, step for step the updates of ``torch.optim``.

An optimizer holds a list of float64 parameter arrays and updates them **in place**; ``step(grads)`` takes
one gradient array per parameter, in the same order. Per-parameter state (momentum buffers, running
averages) lives in ``state[i]``, the step count in ``t``. Notation: p = parameter, g = gradient, lr = eta,
t = step number starting at 1, wd = weight decay; every operation is elementwise.

``SCRATCH_OPTIMIZERS`` has the names and defaults of ``nnlab.training.OPTIMIZERS`` (which wraps torch.optim):
sgd, momentum (0.9), nesterov (0.9), adagrad, rmsprop, adam, adamw (weight decay 0.01).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from nnlab._validation import InvalidArgument, check_choice, check_fraction, check_nonneg, check_positive

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "ScratchOptimizer", "SCRATCH_OPTIMIZERS",
           "make_scratch_optimizer"]


class Optimizer(ABC):
    """Base class: stores the parameters and hyperparameters, keeps per-parameter state, counts steps."""

    def __init__(self, params: Sequence[np.ndarray], lr: float, weight_decay: float = 0.0):
        name = type(self).__name__
        self.params = list(params)
        for p in self.params:
            if not isinstance(p, np.ndarray) or p.dtype != np.float64:
                raise InvalidArgument(f"The 'params' of {name} must be float64 NumPy arrays (updated in place). "
                                      f"Got {type(p).__name__} {getattr(p, 'dtype', '')} instead.", "params")
        self.lr = check_positive("lr", lr, name)
        self.weight_decay = check_nonneg("weight_decay", weight_decay, name)
        self.state: list[dict] = [{} for _ in self.params]
        self.t = 0

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """One update of every parameter from its gradient (same order and shapes as ``params``)."""
        if len(grads) != len(self.params):
            raise InvalidArgument(f"{type(self).__name__}.step needs one gradient per parameter "
                                  f"({len(self.params)}). Got {len(grads)} instead.", "grads")
        self.t += 1
        for p, g, state in zip(self.params, grads, self.state):
            self._update(p, np.asarray(g, dtype=np.float64), state)

    @abstractmethod
    def _update(self, p: np.ndarray, g: np.ndarray, state: dict) -> None:
        """Update ``p`` in place from its gradient ``g``; ``state`` is this parameter's (moments, step buffers)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr}, {len(self.params)} parameters, t={self.t})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional heavy-ball or Nesterov momentum (torch.optim.SGD).

        g <- g + wd p
        momentum = 0:   p <- p - lr g
        momentum = mu:  b <- g at t = 1, else b <- mu b + (1 - dampening) g
                        p <- p - lr b                 (heavy ball, torch's form: lr outside the buffer)
                        p <- p - lr (g + mu b)        (nesterov)
    """

    def __init__(self, params, lr: float, momentum: float = 0.0, dampening: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0):
        super().__init__(params, lr, weight_decay)
        self.momentum = check_nonneg("momentum", momentum, "SGD")
        self.dampening = check_nonneg("dampening", dampening, "SGD")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise InvalidArgument("SGD with nesterov=True needs momentum > 0 and dampening = 0. "
                                  f"Got momentum={momentum!r}, dampening={dampening!r}.", "nesterov")
        self.nesterov = bool(nesterov)

    def _update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p
        if self.momentum:
            if "b" not in state:
                state["b"] = g.copy()
            else:
                state["b"] = self.momentum * state["b"] + (1.0 - self.dampening) * g
            g = g + self.momentum * state["b"] if self.nesterov else state["b"]
        p -= self.lr * g


class Adagrad(Optimizer):
    """Adagrad (torch.optim.Adagrad): a per-coordinate step that shrinks with the sum of squared gradients.

        g <- g + wd p;  s <- s + g^2  (s starts at initial_accumulator_value)
        p <- p - lr_t g / (sqrt(s) + eps),   lr_t = lr / (1 + (t - 1) lr_decay),   eps = 1e-10
    """

    def __init__(self, params, lr: float = 0.01, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10):
        super().__init__(params, lr, weight_decay)
        self.lr_decay = check_nonneg("lr_decay", lr_decay, "Adagrad")
        self.initial_accumulator_value = check_nonneg("initial_accumulator_value", initial_accumulator_value,
                                                      "Adagrad")
        self.eps = check_nonneg("eps", eps, "Adagrad")

    def _update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p
        s = state.setdefault("s", np.full_like(p, self.initial_accumulator_value))
        s += g * g
        lr_t = self.lr / (1.0 + (self.t - 1) * self.lr_decay)
        p -= lr_t * g / (np.sqrt(s) + self.eps)


class RMSprop(Optimizer):
    """RMSprop (torch.optim.RMSprop): divide by a running root mean square of the gradients.

        g <- g + wd p;  s <- alpha s + (1 - alpha) g^2            (alpha = 0.99)
        centered:  m <- alpha m + (1 - alpha) g;  d = sqrt(s - m^2) + eps,  else d = sqrt(s) + eps   (eps = 1e-8)
        momentum = 0:  p <- p - lr g / d;   momentum = mu:  b <- mu b + g / d,  p <- p - lr b
    """

    def __init__(self, params, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0,
                 momentum: float = 0.0, centered: bool = False):
        super().__init__(params, lr, weight_decay)
        self.alpha = check_fraction("alpha", alpha, "RMSprop")
        self.eps = check_nonneg("eps", eps, "RMSprop")
        self.momentum = check_nonneg("momentum", momentum, "RMSprop")
        self.centered = bool(centered)

    def _update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p
        a = self.alpha
        s = state.setdefault("s", np.zeros_like(p))
        s[...] = a * s + (1.0 - a) * g * g
        if self.centered:
            m = state.setdefault("m", np.zeros_like(p))
            m[...] = a * m + (1.0 - a) * g
            d = np.sqrt(s - m * m) + self.eps
        else:
            d = np.sqrt(s) + self.eps
        if self.momentum:
            b = state.setdefault("b", np.zeros_like(p))
            b[...] = self.momentum * b + g / d
            p -= self.lr * b
        else:
            p -= self.lr * g / d


class Adam(Optimizer):
    """Adam (torch.optim.Adam), with weight decay as an L2 term added to the gradient.

        g <- g + wd p
        m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2                    (b1, b2 = 0.9, 0.999)
        amsgrad: v_max <- max(v_max, v) and v_max replaces v below
        p <- p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)      (eps = 1e-8)
    """
    decoupled = False

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        super().__init__(params, lr, weight_decay)
        name = type(self).__name__
        self.betas = (check_fraction("betas", betas[0], name), check_fraction("betas", betas[1], name))
        self.eps = check_nonneg("eps", eps, name)
        self.amsgrad = bool(amsgrad)

    def _update(self, p, g, state):
        if self.weight_decay:
            if self.decoupled:
                p *= 1.0 - self.lr * self.weight_decay       # AdamW: shrink p itself, before the Adam step
            else:
                g = g + self.weight_decay * p                 # Adam: L2 through the gradient
        b1, b2 = self.betas
        m = state.setdefault("m", np.zeros_like(p))
        v = state.setdefault("v", np.zeros_like(p))
        m[...] = b1 * m + (1.0 - b1) * g
        v[...] = b2 * v + (1.0 - b2) * g * g
        if self.amsgrad:
            v_max = state.setdefault("v_max", np.zeros_like(p))
            np.maximum(v_max, v, out=v_max)
            v = v_max
        step_size = self.lr / (1.0 - b1 ** self.t)
        denom = np.sqrt(v) / np.sqrt(1.0 - b2 ** self.t) + self.eps
        p -= step_size * m / denom


class AdamW(Adam):
    """AdamW (torch.optim.AdamW): Adam with decoupled weight decay (default wd = 0.01).

        p <- p (1 - lr wd), then the Adam step above with no L2 term in g
    """
    decoupled = True

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.01, amsgrad: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


@dataclass(frozen=True)
class ScratchOptimizer:
    """A registry entry: the class and the defaults that ``nnlab.training.OPTIMIZERS`` gives its torch twin."""
    name: str
    cls: type
    defaults: dict = field(default_factory=dict)

    def make(self, params: Sequence[np.ndarray], lr: float, **overrides) -> Optimizer:
        """An optimizer over ``params`` (float64 arrays, updated in place) with learning rate ``lr``."""
        return self.cls(params, lr=lr, **{**self.defaults, **overrides})

    def __repr__(self) -> str:
        return f"ScratchOptimizer({self.name!r}: {self.cls.__name__}, {self.defaults})"


SCRATCH_OPTIMIZERS: dict[str, ScratchOptimizer] = {o.name: o for o in [
    ScratchOptimizer("sgd", SGD),
    ScratchOptimizer("momentum", SGD, {"momentum": 0.9}),
    ScratchOptimizer("nesterov", SGD, {"momentum": 0.9, "nesterov": True}),
    ScratchOptimizer("adagrad", Adagrad),
    ScratchOptimizer("rmsprop", RMSprop),
    ScratchOptimizer("adam", Adam),
    ScratchOptimizer("adamw", AdamW, {"weight_decay": 0.01}),
]}


def make_scratch_optimizer(name: str, params: Sequence[np.ndarray], lr: float, **overrides) -> Optimizer:
    """Build ``SCRATCH_OPTIMIZERS[name]`` over ``params``; ``overrides`` replace its defaults."""
    check_choice("optimizer", name, SCRATCH_OPTIMIZERS, "make_scratch_optimizer")
    return SCRATCH_OPTIMIZERS[name].make(params, lr, **overrides)
