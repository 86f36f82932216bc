"""The torch engine's optimizers: torch.optim's fused kernels, with as little Python around them as torch allows.

A fused optimizer updates every parameter in one kernel call, where the for-loop version makes several calls
per parameter tensor (the seed's Adam: one call instead of about 90). For Adam and AdamW, ``FusedAdam`` calls
torch's fused kernel with its own state: the same numbers as ``torch.optim.Adam(fused=True)``, without
``Optimizer.step``'s per-call bookkeeping (about 110 of its 120 microseconds on the seed's MLP, most of it
Python and a per-tensor step-count increment) and without the ~1-2 s import of ``torch._dynamo`` that
constructing any ``torch.optim`` optimizer triggers. Other optimizers are torch.optim's, fused where torch has
a fused version.
"""
from __future__ import annotations

__all__ = ["FusedAdam", "make_torch_optimizer"]


class FusedAdam:
    """Adam (or AdamW with ``decoupled=True``) over ``params`` by torch's fused kernel.

    m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  w -= lr m^ / (sqrt(v^) + eps), with m^, v^ the bias-corrected
    moments; AdamW first shrinks w by (1 - lr weight_decay). Parameters without a gradient are skipped.

    While every parameter has a gradient at every step (as in ``fit``), a step is two calls: one step-count
    increment and the fused kernel (``torch._fused_adam_`` / ``_fused_adamw_``, which ``torch.optim.adam.adam``
    calls after grouping the tensors and incrementing a step count per tensor). From the first step that lacks
    a gradient on, or on a torch without those kernels, steps go through ``torch.optim.adam.adam`` with a count
    per tensor, as torch.optim keeps them; tests check both paths against ``torch.optim.Adam(fused=True)``.
    """

    def __init__(self, params, lr: float, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 decoupled: bool = False):
        import torch
        self.params = list(params)
        self.lr, self.betas, self.eps, self.weight_decay, self.decoupled = lr, betas, eps, weight_decay, decoupled
        self.exp_avgs = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params]
        self.exp_avg_sqs = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params]
        self.step_count = torch.zeros((), dtype=torch.float32, device=self.params[0].device if self.params else None)
        self._kernel = getattr(torch, "_fused_adamw_" if decoupled else "_fused_adam_", None)
        self._steps: list | None = None  # per-tensor step counts, once some step lacked a gradient

    def step(self) -> None:
        grads = [p.grad for p in self.params]
        if self._kernel is not None and self._steps is None and all(g is not None for g in grads):
            self.step_count.add_(1)            # one count, read by every tensor's update
            try:
                self._kernel(self.params, grads, self.exp_avgs, self.exp_avg_sqs, [],
                             [self.step_count] * len(self.params), amsgrad=False, lr=self.lr, beta1=self.betas[0],
                             beta2=self.betas[1], weight_decay=self.weight_decay, eps=self.eps, maximize=False)
                return
            except (TypeError, RuntimeError):   # a torch whose kernel takes other arguments
                self.step_count.sub_(1)
                self._kernel = None
        self._functional_step()

    def _functional_step(self) -> None:
        """torch.optim's own path, with one step count per tensor (a tensor without a gradient skips a step)."""
        from torch.optim.adam import adam
        if self._steps is None:
            self._steps = [self.step_count.clone() for _ in self.params]
        live = [i for i, p in enumerate(self.params) if p.grad is not None]
        if not live:
            return
        pick = lambda items: [items[i] for i in live]   # noqa: E731
        adam(pick(self.params), [self.params[i].grad for i in live], pick(self.exp_avgs), pick(self.exp_avg_sqs),
             [], pick(self._steps), fused=True, decoupled_weight_decay=self.decoupled, amsgrad=False,
             beta1=self.betas[0], beta2=self.betas[1], lr=self.lr, weight_decay=self.weight_decay, eps=self.eps,
             maximize=False)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def __repr__(self) -> str:
        return f"FusedAdam(lr={self.lr}, decoupled={self.decoupled}, {len(self.params)} tensors)"


def _fusable(params) -> bool:
    """torch's fused optimizers take floating-point tensors on the CPU or a GPU, all on one device."""
    return bool(params) and all(p.is_floating_point() for p in params) and len({p.device for p in params}) == 1


def make_torch_optimizer(name: str, params, lr: float):
    """``OPTIMIZERS[name]`` over ``params`` for the torch engine: fused where torch has a fused version."""
    from nnlab.training.optimizers import OPTIMIZERS
    spec = OPTIMIZERS[name]
    params = list(params)
    if not _fusable(params):
        return spec.make(params, lr)
    if spec.torch_class in ("Adam", "AdamW") and set(spec.defaults) <= {"weight_decay"}:
        decay = spec.defaults.get("weight_decay", 0.01 if spec.torch_class == "AdamW" else 0.0)
        return FusedAdam(params, lr, weight_decay=decay, decoupled=spec.torch_class == "AdamW")
    import torch.optim
    try:
        return getattr(torch.optim, spec.torch_class)(params, lr=lr, fused=True, **spec.defaults)
    except (TypeError, RuntimeError, ValueError):   # no fused version of this optimizer
        return spec.make(params, lr)
