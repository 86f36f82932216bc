"""Sharpness: the largest eigenvalue of the training loss's Hessian, by power iteration on Hessian-vector products,
tracked over full-batch gradient descent (the edge of stability, Cohen et al. 2021).

Gradient descent w <- w - lr g on a quadratic with curvature lambda is stable only while lambda < 2 / lr. Cohen et
al. observed that on neural networks the sharpness rises during training ("progressive sharpening") until it
reaches 2 / lr, then hovers there while the loss keeps falling, non-monotonically. A control learning rate, whose
2 / lr lies well above where the sharpness rises to on its own, shows that level; only learning rates whose 2 / lr lies
below it can show the step size capping the sharpness.

Hessian-vector product (double backward): H v = d/dw (g(w) . v), with g = d loss / dw built with create_graph.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnlab.labs.explain.settings import Settings
from nnlab.training.observers import Observer

__all__ = ["hessian_vector_product", "top_eigenvalue", "full_hessian", "SharpnessTracker", "SharpnessRun",
           "sharpness_study"]


def _loss(model, X, T, loss: str):
    from nnlab.training.losses import LOSSES
    return LOSSES[loss].value(model(X), T)


def hessian_vector_product(model, X, T, loss: str = "mse"):
    """A function v -> H v for the Hessian of ``loss`` of ``model`` on (X, T) w.r.t. all parameters; v and H v are
    lists of tensors shaped like ``model.parameters()``. One forward and first backward are shared by every call."""
    import torch
    params = [p for p in model.parameters() if p.requires_grad]
    grads = torch.autograd.grad(_loss(model, X, T, loss), params, create_graph=True)

    def hvp(v):
        return [h.detach() for h in torch.autograd.grad(grads, params, grad_outputs=v, retain_graph=True)]
    return hvp


def _dot(a, b):
    return sum(float((x * y).sum()) for x, y in zip(a, b))


def _power(hvp, v, shift: float, iters: int, tol: float):
    """Power iteration on H - shift I from v: returns (Rayleigh quotient of H, unit eigenvector, iterations)."""
    norm = np.sqrt(_dot(v, v))
    v = [x / norm for x in v]
    lam = None
    for k in range(1, iters + 1):
        # 1) w = (H - shift I) v;  2) Rayleigh quotient v.w;  3) normalise w into the next v
        w = [h - shift * x for h, x in zip(hvp(v), v)]
        new = _dot(v, w)
        norm = np.sqrt(_dot(w, w))
        if norm == 0:
            return shift, v, k
        v = [x / norm for x in w]
        if lam is not None and abs(new - lam) <= tol * abs(new):
            return new + shift, v, k
        lam = new
    return lam + shift, v, iters


def top_eigenvalue(hvp, params, v0=None, iters: int = 200, tol: float = 1e-8, seed: int = 0):
    """The largest eigenvalue of the Hessian behind ``hvp`` (see ``hessian_vector_product``).

    Power iteration finds the eigenvalue of largest magnitude; if that one is negative, a second run on
    H - lambda_neg I (all eigenvalues >= 0) finds the largest. ``v0`` warm-starts from an earlier eigenvector.
    Returns ``(lambda_max, eigenvector, hvp calls)``.
    """
    import torch
    if v0 is None:
        gen = torch.Generator().manual_seed(seed)
        v0 = [torch.randn(p.shape, generator=gen, dtype=p.dtype) for p in params]
    lam, v, calls = _power(hvp, v0, 0.0, iters, tol)
    if lam < 0:
        lam, v, more = _power(hvp, v, lam, iters, tol)
        calls += more
    return lam, v, calls


def full_hessian(model, X, T, loss: str = "mse"):
    """The full (P, P) Hessian of ``loss`` w.r.t. all P parameters, flattened in ``model.parameters()`` order,
    by ``torch.autograd.functional.hessian`` (a reference for small models)."""
    import torch
    from torch.func import functional_call
    names = [n for n, _ in model.named_parameters()]
    shapes = [p.shape for _, p in model.named_parameters()]
    flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])

    def f(theta):
        chunks = theta.split([int(np.prod(s)) for s in shapes])
        params = {n: c.reshape(s) for n, c, s in zip(names, chunks, shapes)}
        from nnlab.training.losses import LOSSES
        return LOSSES[loss].value(functional_call(model, params, (X,)), T)
    return torch.autograd.functional.hessian(f, flat)


class SharpnessTracker(Observer):
    """The top Hessian eigenvalue of the full-batch loss at the start and every ``every`` epochs.

    Each measurement warm-starts power iteration from the last eigenvector, so a few Hessian-vector products
    suffice. After ``fit``: ``epochs_``, ``sharpness_`` and ``loss_`` (the loss at each measured epoch).
    """

    def __init__(self, X, T, loss: str = "mse", every: int = 20, iters: int = 20, tol: float = 1e-3):
        self.X, self.T, self.loss, self.every, self.iters, self.tol = X, T, loss, every, iters, tol
        self.epochs_: list[int] = []
        self.sharpness_: list[float] = []
        self.loss_: list[float] = []
        self._v = None

    def _measure(self, epoch: int, model, loss_value: float) -> None:
        if not np.isfinite(loss_value):
            return
        params = [p for p in model.parameters() if p.requires_grad]
        hvp = hessian_vector_product(model, self.X, self.T, self.loss)
        iters = self.iters if self._v is not None else 5 * self.iters
        lam, self._v, _ = top_eigenvalue(hvp, params, self._v, iters=iters, tol=self.tol)
        self.epochs_.append(epoch)
        self.sharpness_.append(lam)
        self.loss_.append(loss_value)

    def on_fit_start(self, model, config) -> None:
        import torch
        with torch.no_grad():
            start = float(_loss(model, self.X, self.T, self.loss))
        self._measure(0, model, start)

    def on_epoch_end(self, epoch: int, logs: dict, model) -> None:
        if epoch % self.every == 0:
            self._measure(epoch, model, logs["loss"])


@dataclass
class SharpnessRun:
    """Full-batch gradient descent at one learning rate, with the sharpness along the way."""
    lr: float
    epochs: list[int] = field(default_factory=list)
    sharpness: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)          # every epoch's training loss (its one full batch)
    diverged: bool = False
    final_loss: float | None = None                          # the finished model's training loss (history.final)

    @property
    def edge(self) -> float:
        return 2.0 / self.lr

    def loss_jump(self) -> dict:
        """The largest jump of the epoch loss above its lowest value so far: ``loss_jump`` = max over epochs t of
        loss[t] / min(loss[1..t-1]) (1.0: the loss never rose above its running minimum), the epoch it happened
        (1-based, as fit counts epochs), the loss then and the running minimum before it. None without two
        finite epoch losses."""
        loss = np.asarray(self.loss, dtype=float)
        loss = loss[:np.argmax(~np.isfinite(loss))] if not np.isfinite(loss).all() else loss
        if len(loss) < 2:
            return {"loss_jump": None, "loss_jump_epoch": None, "loss_jump_to": None, "loss_jump_from": None}
        low = np.minimum.accumulate(loss)[:-1]
        ratio = loss[1:] / low
        t = int(np.argmax(ratio))
        return {"loss_jump": float(ratio[t]), "loss_jump_epoch": t + 2, "loss_jump_to": float(loss[t + 1]),
                "loss_jump_from": float(low[t])}

    def summary(self) -> dict:
        """Peak sharpness (and the measured epoch it came at) and its mean over the last quarter, both also relative
        to 2 / lr; the first measured epoch at >= 95 % of 2 / lr; the largest jump of the epoch loss above its
        running minimum (``loss_jump``); the final loss (the finished model on the whole training set), the last
        epoch's loss (before its step) and the lowest epoch loss of the first half."""
        s = np.asarray(self.sharpness)
        late = s[len(s) - max(1, len(s) // 4):] if len(s) else s
        at_edge = [e for e, v in zip(self.epochs, s) if v >= 0.95 * self.edge]
        return {"lr": self.lr, "two_over_lr": self.edge, "diverged": self.diverged, **self.loss_jump(),
                "initial_sharpness": float(s[0]) if len(s) else None,
                "max_sharpness": float(s.max()) if len(s) else None,
                "max_epoch": self.epochs[int(np.argmax(s))] if len(s) else None,
                "late_mean_sharpness": float(late.mean()) if len(s) else None,
                "max_over_edge": float(s.max() / self.edge) if len(s) else None,
                "late_over_edge": float(late.mean() / self.edge) if len(s) else None,
                "epoch_at_edge": at_edge[0] if at_edge else None,
                "final_loss": self.final_loss,
                "last_epoch_loss": self.loss[-1] if self.loss else None,
                "min_loss_first_half": float(np.min(self.loss[:max(1, len(self.loss) // 2)])) if self.loss else None}


def sharpness_study(settings: Settings, progress=lambda message: None, lrs=None) -> list[SharpnessRun]:
    """Train tanh 2 -> 16 -> 16 -> 1 with MSE (targets -1/+1) on ``settings.sharpness_n`` seed-circle points by
    full-batch gradient descent (``sgd``), once per learning rate (``lrs``, default ``settings.sharpness_lrs``), from
    the same initial weights."""
    import torch

    from nnlab.config import ModelConfig, TrainConfig
    from nnlab.data import Standardizer, make_dataset, to_class_indices
    from nnlab.nn import build_mlp
    from nnlab.training import fit
    from nnlab.training.losses import LOSSES

    X, labels = make_dataset("seed-circle", n=settings.sharpness_n, seed=settings.seed)
    y, _ = to_class_indices(labels)
    X = Standardizer().fit_transform(X)
    Xt = torch.as_tensor(X, dtype=torch.float32)
    T = LOSSES["mse"].targets(torch.as_tensor(y), 1)                         # (n, 1) in {-1, +1}
    runs = []
    for lr in settings.sharpness_lrs if lrs is None else lrs:
        progress(f"sharpness, lr {lr}")
        model = build_mlp(ModelConfig(hidden_sizes=(16, 16), activation="tanh", output_size=1), seed=settings.seed)
        tracker = SharpnessTracker(Xt, T, "mse", every=settings.sharpness_every)
        history = fit(model, X, y, TrainConfig(optimizer="sgd", lr=lr, epochs=settings.sharpness_epochs, loss="mse",
                                               seed=settings.seed), task="classification", observers=[tracker])
        runs.append(SharpnessRun(lr, tracker.epochs_, tracker.sharpness_, history.loss, history.diverged,
                                 history.final.get("train_loss")))
    return runs


def power_iteration_check(seed: int = 0) -> dict:
    """Power iteration against the full Hessian's largest eigenvalue (``torch.linalg.eigvalsh``) on a small tanh
    net, 2 -> 6 -> 1 (25 parameters), MSE on 40 seed-circle points, in float64. Returns both and their relative
    difference."""
    import torch

    from nnlab.config import ModelConfig
    from nnlab.data import make_dataset, to_class_indices
    from nnlab.nn import build_mlp
    from nnlab.training.losses import LOSSES

    X, labels = make_dataset("seed-circle", n=40, seed=seed)
    y, _ = to_class_indices(labels)
    model = build_mlp(ModelConfig(hidden_sizes=(6,), activation="tanh", output_size=1), seed=seed).double()
    Xt = torch.as_tensor(X, dtype=torch.float64)
    T = LOSSES["mse"].targets(torch.as_tensor(y), 1).double()
    exact = float(torch.linalg.eigvalsh(full_hessian(model, Xt, T, "mse")).max())
    power, _, calls = top_eigenvalue(hessian_vector_product(model, Xt, T, "mse"), list(model.parameters()),
                                     iters=5000, tol=1e-14, seed=seed)
    return {"power_iteration": power, "full_hessian": exact, "hvp_calls": calls,
            "rel_error": abs(power - exact) / abs(exact)}
