"""torch.optim's update rules on K stacked parameter vectors at once, each row with its own learning rate.

The K trials of a vectorized sweep keep their parameters in one (K, P) tensor (row k = trial k's parameters,
flattened). :class:`BatchedOptimizer` applies the update of ``OPTIMIZERS[name]`` to every row in one pass,
following torch.optim's single-tensor code (what torch uses on the CPU) operation by operation, so that row k
takes the same float32 steps as ``torch.optim`` on trial k alone. Hyperparameters other than the learning rate
(betas, eps, momentum, ...) are read from the torch optimizer that ``OPTIMIZERS[name]`` builds, so the two
can never disagree. With g = gradient, lr = (K, 1) learning rates, t = step count:

    sgd       w -= lr g
    momentum  v = mu v + g (v = g at t = 1);  w -= lr v              (nesterov: w -= lr (g + mu v))
    adagrad   s += g^2;  w -= lr g / (sqrt(s) + eps)
    rmsprop   s = a s + (1 - a) g^2;  w -= lr g / (sqrt(s) + eps)
    adam      m = lerp(m, g, 1 - b1);  v = b2 v + (1 - b2) g^2;
              w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    adamw     w *= 1 - lr wd, then the adam step

The rates may change between steps (``set_lr``: a schedule, each row its own rate), and rows may be frozen for
good (``freeze``: an early-stopped or diverged trial keeps its weights and optimizer state while the rest go on).
"""
from __future__ import annotations

import torch

__all__ = ["BatchedOptimizer", "BATCHED_RULES"]


def _hyperparameters(name: str) -> dict:
    """The param group of the torch optimizer that ``OPTIMIZERS[name]`` builds (lr aside)."""
    from nnlab.training.optimizers import OPTIMIZERS
    probe = OPTIMIZERS[name].make([torch.zeros(1, requires_grad=True)], lr=1.0)
    group = dict(probe.param_groups[0])
    group.pop("params")
    return group


class BatchedOptimizer:
    """``OPTIMIZERS[name]``'s update on ``params`` (K, P), in place, with learning rates ``lr`` (K,).

    ``step(grad)`` takes the (K, P) gradient. Row k is updated exactly as torch.optim updates trial k's
    parameters, up to float32 rounding. ``set_lr(lr)`` changes the rates between steps (a schedule);
    ``freeze(rows)`` stops rows for good: their parameters and optimizer state are left as they are.
    """

    def __init__(self, name: str, params: torch.Tensor, lr):
        if name not in BATCHED_RULES:
            raise ValueError(f"no batched update rule for optimizer {name!r}; have {sorted(BATCHED_RULES)}")
        self.name, self.params = name, params
        self.hp = _hyperparameters(name)
        unsupported = {k: v for k, v in self.hp.items() if k in _MUST_BE_OFF and v}
        if unsupported:
            raise ValueError(f"the batched {name!r} update does not implement {unsupported}")
        # step sizes are formed in float64 (as torch.optim does with Python floats), then rounded to float32
        self.set_lr(lr)
        self.frozen: torch.Tensor | None = None                                         # row indices
        self.t = 0
        self.state: dict[str, torch.Tensor] = {}
        self._rule = BATCHED_RULES[name]

    def __repr__(self) -> str:
        return f"BatchedOptimizer({self.name!r}, K={self.params.shape[0]}, P={self.params.shape[1]})"

    def set_lr(self, lr) -> None:
        """The rates of the next steps, (K,) (torch.optim's ``group["lr"] = ...`` for every row at once)."""
        self.lr64 = torch.as_tensor(lr, dtype=torch.float64).reshape(-1, 1)            # (K, 1)
        self.neg_lr = (-self.lr64).to(self.params.dtype)                               # (K, 1)

    def freeze(self, rows) -> None:
        """Leave the parameters and optimizer state of ``rows`` (indices) as they are from now on."""
        frozen = set(rows) | (set(self.frozen.tolist()) if self.frozen is not None else set())
        self.frozen = torch.tensor(sorted(frozen), dtype=torch.int64) if frozen else None

    @torch.no_grad()
    def step(self, grad: torch.Tensor) -> None:
        self.t += 1
        if self.frozen is None:
            self._rule(self, self.params, grad)
            return
        # the rules update every row in place; the frozen rows are put back after (cheaper than masking)
        kept = [t.index_select(0, self.frozen) for t in (self.params, *self.state.values())]
        self._rule(self, self.params, grad)
        for t, rows in zip((self.params, *self.state.values()), kept):
            t.index_copy_(0, self.frozen, rows)

    def _zeros(self, key: str) -> torch.Tensor:
        if key not in self.state:
            self.state[key] = torch.zeros_like(self.params)
        return self.state[key]


# Settings of torch's optimizers that these rules do not implement (nnlab's registry leaves them off).
_MUST_BE_OFF = ("amsgrad", "maximize", "centered", "differentiable", "capturable", "dampening", "lr_decay",
                "initial_accumulator_value")


def _sgd(opt: BatchedOptimizer, w, g) -> None:
    hp = opt.hp
    if hp["weight_decay"]:
        g = g.add(w, alpha=hp["weight_decay"])
    mu = hp["momentum"]
    if mu:
        if "momentum" not in opt.state:
            opt.state["momentum"] = g.detach().clone()          # v = g at the first step
        else:
            opt.state["momentum"].mul_(mu).add_(g)
        buf = opt.state["momentum"]
        g = g.add(buf, alpha=mu) if hp["nesterov"] else buf
    w.addcmul_(g, opt.neg_lr)                                   # w + (g * -lr)


def _adagrad(opt: BatchedOptimizer, w, g) -> None:
    if opt.hp["weight_decay"]:
        g = g.add(w, alpha=opt.hp["weight_decay"])
    s = opt._zeros("sum")
    s.addcmul_(g, g, value=1)
    std = s.sqrt().add_(opt.hp["eps"])
    w.add_(torch.mul(g, opt.neg_lr).div_(std))                  # = addcdiv_(g, std, value=-lr)


def _rmsprop(opt: BatchedOptimizer, w, g) -> None:
    hp = opt.hp
    if hp["momentum"]:
        raise ValueError("the batched 'rmsprop' update does not implement momentum")
    if hp["weight_decay"]:
        g = g.add(w, alpha=hp["weight_decay"])
    s = opt._zeros("square_avg")
    s.mul_(hp["alpha"]).addcmul_(g, g, value=1 - hp["alpha"])
    avg = s.sqrt().add_(hp["eps"])
    w.add_(torch.mul(g, opt.neg_lr).div_(avg))


def _adam(opt: BatchedOptimizer, w, g) -> None:
    hp = opt.hp
    beta1, beta2 = hp["betas"]
    if hp["weight_decay"]:
        if hp.get("decoupled_weight_decay"):                   # AdamW
            w.mul_((1 - opt.lr64 * hp["weight_decay"]).to(w.dtype))
        else:
            g = g.add(w, alpha=hp["weight_decay"])
    m, v = opt._zeros("exp_avg"), opt._zeros("exp_avg_sq")
    m.lerp_(g, 1 - beta1)
    v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
    bias_correction1 = 1 - beta1 ** opt.t
    bias_correction2_sqrt = (1 - beta2 ** opt.t) ** 0.5
    neg_step = (-(opt.lr64 / bias_correction1)).to(w.dtype)                  # (K, 1)
    denom = (v.sqrt() / bias_correction2_sqrt).add_(hp["eps"])
    w.add_(torch.mul(m, neg_step).div_(denom))                  # = addcdiv_(m, denom, value=-step_size)


BATCHED_RULES = {"sgd": _sgd, "momentum": _sgd, "nesterov": _sgd, "adagrad": _adagrad, "rmsprop": _rmsprop,
                 "adam": _adam, "adamw": _adam}
