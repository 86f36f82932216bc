"""K MLPs of one architecture trained together: batched matmuls over a leading trial axis.

Trial k's parameters are row k of one (K, P) tensor; layer l's weight is a (K, out, in) view of it and its bias
a (K, out) view. Activations are kept feature-major, (K, features, b), and flow through
``h = act(baddbmm(bias, W, h))``, so one ``torch.baddbmm`` does the work of K ``nn.Linear`` calls. (Feature-major
makes each product a short-by-long (out, in) @ (in, b) one, which CPU BLAS runs several times faster than the
(b, in) @ (in, out) product with a tiny last dimension.) The objective is the sum over trials of each trial's
mean loss; since trial k's parameters enter only its own loss, the gradient of the sum with respect to row k
is trial k's own gradient. :class:`~nnlab.sweeps.batched_optim.BatchedOptimizer` then applies torch.optim's
update with per-trial learning rates.

:func:`fit_batched` follows ``nnlab.training.loop.fit`` step by step (the same initial weights, the same seeded
batch order per trial, the epoch loss as the mean of the pre-step batch losses, the same final evaluation), so
each trial's History matches the trial trained alone up to float32 rounding: the two differ only in the order
of summation inside the matrix products. (Where training itself is chaotic, e.g. Adam at a large learning
rate, those rounding differences grow with the epochs, as they do between torch's own optimizer variants.)
It batches any activation, init, loss and registry optimizer, full or mini-batches, per-trial learning rate,
seed, data, l1 and l2. Dropout, batch norm and early stopping are not batched
(``nnlab.sweeps.executors.unsupported``).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from nnlab.config import RunConfig
from nnlab.nn.activations import ACTIVATIONS
from nnlab.sweeps.batched_optim import BatchedOptimizer
from nnlab.sweeps.executors import unsupported
from nnlab.training.loop import History
from nnlab.training.losses import LOSSES
from nnlab.training.penalty import penalty

__all__ = ["StackedMLP", "BatchedFit", "fit_batched", "batch_signature"]


def batch_signature(config: RunConfig, n_train: int, n_test: int, task: str) -> tuple:
    """Trials with equal signatures can share one batched pass: same architecture, optimizer, loss, epochs,
    batch size and data sizes (learning rate, seed, init, data values and penalties may differ)."""
    m, t = config.model, config.train
    return (m.input_size, m.hidden_sizes, m.output_size, m.activation, t.optimizer, t.loss, t.epochs,
            t.batch_size, n_train, n_test, task)


class StackedMLP:
    """The Linear layers of K MLPs (``nnlab.nn.MLP``, one architecture) stacked into one (K, P) tensor."""

    def __init__(self, models: list):
        layers = [m.linear_layers() for m in models]
        self.shapes = [(lin.out_features, lin.in_features) for lin in layers[0]]      # (out, in) per layer
        rows = [torch.cat([t.detach().reshape(-1) for lin in ls for t in (lin.weight, lin.bias)]) for ls in layers]
        self.flat = torch.stack(rows)                                                   # (K, P)
        self.activation = ACTIVATIONS[models[0].config.activation].module()             # after each hidden layer
        self.views = self._views()

    def __repr__(self) -> str:
        return f"StackedMLP(K={self.flat.shape[0]}, layers={self.shapes})"

    def _views(self) -> list[torch.Tensor]:
        """[W1 (K, out, in), b1 (K, out), W2, b2, ...]: views into ``flat``, updated by in-place steps."""
        K, views, at = self.flat.shape[0], [], 0
        for out, inp in self.shapes:
            views.append(self.flat[:, at:at + out * inp].view(K, out, inp))
            at += out * inp
            views.append(self.flat[:, at:at + out])
            at += out
        return views

    def forward(self, x: torch.Tensor, params: list[torch.Tensor] | None = None) -> torch.Tensor:
        """(K, in, b) inputs -> (K, outputs, b); ``params`` defaults to the current views."""
        params = self.views if params is None else params
        h, last = x, len(self.shapes) - 1
        for i in range(len(self.shapes)):
            W, b = params[2 * i], params[2 * i + 1]
            h = torch.baddbmm(b.unsqueeze(2), W, h)                                    # (K, out, b)
            if i < last:
                h = self.activation(h)
        return h

    def parameters(self, k: int) -> list[torch.Tensor]:
        """Trial k's parameters in ``MLP.parameters()`` order: W1, b1, W2, b2, ..."""
        return [v[k].clone() for v in self.views]


def _per_trial_loss(name: str, out: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """(K, o, b) outputs and targets ((K, b) class indices for cross-entropy, else (K, o, b)) -> (K,) mean loss
    of each trial (what LOSSES[name].value gives for that trial alone)."""
    if name == "cross-entropy":
        return F.cross_entropy(out, targets, reduction="none").mean(1)
    if name == "bce":
        return F.binary_cross_entropy_with_logits(out, targets, reduction="none").flatten(1).mean(1)
    return F.mse_loss(out, targets, reduction="none").flatten(1).mean(1)


def _predict(out: torch.Tensor) -> torch.Tensor:
    """(K, o, b) outputs -> (K, b) class indices (LOSSES[...].predict for each trial)."""
    return (out[:, 0] > 0).long() if out.shape[1] == 1 else out.max(dim=1).indices   # = argmax, faster here


class _Data:
    """The K trials' arrays stacked feature-major: X (K, d, n) float32, y (K, n), targets (K, n) class indices
    for cross-entropy, else (K, o, n)."""

    def __init__(self, Xs, ys, loss: str, outputs: int, classify: bool):
        spec = LOSSES[loss]
        X = torch.stack([torch.as_tensor(np.asarray(x)).to(torch.float32) for x in Xs])       # (K, n, d)
        self.X = X.transpose(1, 2).contiguous()                                                # (K, d, n)
        self.y = torch.stack([torch.as_tensor(np.asarray(y)).to(torch.int64 if classify else torch.float32)
                              for y in ys])                                                    # (K, n)
        targets = torch.stack([spec.targets(y, outputs) for y in self.y])                     # (K, n[, o])
        self.targets = targets if targets.dim() == 2 else targets.transpose(1, 2).contiguous()

    def columns(self, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The points ``idx`` (K, b) of each trial: X (K, d, b), targets, y (K, b)."""
        def take(t):
            if t.dim() == 2:
                return t.gather(1, idx)
            return t.gather(2, idx.unsqueeze(1).expand(-1, t.shape[1], -1))
        return take(self.X), take(self.targets), take(self.y)


def _evaluate(net: StackedMLP, data: _Data, loss: str, classify: bool) -> tuple[list[float], list[float] | None]:
    """Each trial's loss (and accuracy) on ``data``, as ``nnlab.training.evaluate`` computes it."""
    with torch.no_grad():
        out = net.forward(data.X)
        losses = _per_trial_loss(loss, out, data.targets).tolist()
        acc = (_predict(out) == data.y).float().mean(1).tolist() if classify else None
    return losses, acc


@dataclass
class BatchedFit:
    """What :func:`fit_batched` returns: one History per trial, and the trained stack (``net.parameters(k)``)."""
    histories: list[History]
    net: StackedMLP


def fit_batched(configs: list[RunConfig], datasets: list, *, on_epoch_end: Callable | None = None,
                report_every_s: float = 0.25) -> BatchedFit:
    """Train the K sized configs ``configs`` on their PreparedData ``datasets`` together; one History each.

    Every config must have the same :func:`batch_signature` and none may be ``unsupported`` (else ValueError).
    ``on_epoch_end(k, logs)`` receives trial k's per-epoch logs (the dict ``fit`` gives its observers), in
    chunks at most every ``report_every_s`` seconds and at the end. Ctrl-C stops after the current epoch and
    returns histories with ``interrupted=True``.
    """
    from nnlab.nn import build_mlp

    problems = sorted(p for p in {unsupported(c) for c in configs} if p is not None)
    if problems or len({batch_signature(c, len(d.X_train), len(d.X_test), d.task)
                        for c, d in zip(configs, datasets)}) != 1:
        raise ValueError(f"these trials cannot share one batched pass ({', '.join(problems) or 'they differ'})")
    # 1) the K models, built exactly as a single run builds them, then stacked
    K, first = len(configs), configs[0]
    task, loss_name = datasets[0].task, first.train.loss
    classify = task == "classification"
    net = StackedMLP([build_mlp(c.model, seed=c.train.seed) for c in configs])
    optimizer = BatchedOptimizer(first.train.optimizer, net.flat, [c.train.lr for c in configs])
    l1 = torch.tensor([c.train.l1 for c in configs], dtype=torch.float32)
    l2 = torch.tensor([c.train.l2 for c in configs], dtype=torch.float32)
    regularize = bool(l1.any() or l2.any())

    # 2) the data, stacked feature-major: X (K, d, n); the test sets likewise when there are any
    outputs = first.model.output_size
    train = _Data([d.X_train for d in datasets], [d.y_train for d in datasets], loss_name, outputs, classify)
    has_test = len(datasets[0].X_test) > 0
    test = _Data([d.X_test for d in datasets], [d.y_test for d in datasets], loss_name, outputs, classify) \
        if has_test else None
    n = train.X.shape[2]
    batch = n if first.train.batch_size is None else min(first.train.batch_size, n)
    order_rngs = [torch.Generator().manual_seed(c.train.seed) for c in configs]   # each trial's batch order

    histories = [History() for _ in range(K)]
    active = list(range(K))                 # trials still training (a diverged one stops, as fit stops it)
    pending: list[dict] = []
    last_report = time.monotonic()
    start = time.perf_counter()

    def flush() -> None:
        """Turn the pending epochs' tensors into floats, extend the histories, report, drop diverged trials."""
        nonlocal pending
        for logs in pending:
            values = {key: v.tolist() if isinstance(v, torch.Tensor) else v for key, v in logs.items()}
            for k in values["active"]:
                h = histories[k]
                if h.diverged:
                    continue
                entry = {"epoch": values["epoch"], "loss": values["loss_sum"][k] / n}
                if classify:
                    entry["train_accuracy"] = values["correct"][k] / n
                if has_test:
                    entry["test_loss"] = values["test_loss"][k]
                    if classify:
                        entry["test_accuracy"] = values["test_accuracy"][k]
                h.loss.append(entry["loss"])
                for key in ("train_accuracy", "test_loss", "test_accuracy"):
                    if key in entry:
                        getattr(h, key).append(entry[key])
                h.epochs_run = entry["epoch"]
                if on_epoch_end is not None:
                    on_epoch_end(k, entry)
                if not math.isfinite(entry["loss"]):
                    h.diverged = True
        pending = []

    finals: dict[int, dict] = {}
    try:
        for epoch in range(1, first.train.epochs + 1):
            # 3) the epoch's batches: everything, or each trial's own seeded permutation cut into batches
            if batch == n:
                batches = [(train.X, train.targets, train.y)]
            else:
                order = torch.stack([torch.randperm(n, generator=g) for g in order_rngs])   # (K, n)
                batches = [train.columns(idx) for idx in order.split(batch, 1)]
            loss_sum = torch.zeros(K)
            correct = torch.zeros(K, dtype=torch.int64)
            for xb, tb, yb in batches:
                # 4) forward and per-trial loss;  5) gradient of the summed objective;  6) batched step
                params = [v.detach().requires_grad_() for v in net.views]
                out = net.forward(xb, params)                                           # (K, o, b)
                loss = _per_trial_loss(loss_name, out, tb)                              # (K,)
                objective = (loss + penalty(params[0::2], l1, l2)).sum() if regularize else loss.sum()
                grads = torch.autograd.grad(objective, params)
                optimizer.step(torch.cat([g.reshape(K, -1) for g in grads], dim=1))     # (K, P)
                loss_sum += loss.detach() * xb.shape[2]
                if classify:
                    correct += (_predict(out.detach()) == yb).sum(1)
            logs = {"epoch": epoch, "active": list(active), "loss_sum": loss_sum, "correct": correct}
            if test is not None:
                logs["test_loss"], logs["test_accuracy"] = _evaluate(net, test, loss_name, classify)
            pending.append(logs)
            # 7) a trial whose loss is no longer finite stops here, as fit stops it: keep its final metrics
            if not bool(torch.isfinite(loss_sum[active]).all()):
                flush()
                for k in [k for k in active if histories[k].diverged]:
                    finals[k] = _final_metrics(net, train, test, loss_name, classify, k)
                active = [k for k in active if not histories[k].diverged]
                if not active:
                    break
            if time.monotonic() - last_report >= report_every_s:
                flush()
                last_report = time.monotonic()
    except KeyboardInterrupt:
        for h in histories:
            h.interrupted = True
    flush()
    wall = time.perf_counter() - start
    all_finals = _final_metrics(net, train, test, loss_name, classify)
    for k, h in enumerate(histories):
        h.wall_time_s = wall
        h.final = finals.get(k, {key: v[k] for key, v in all_finals.items()})
    return BatchedFit(histories, net)


def _final_metrics(net, train, test, loss_name, classify, k=None) -> dict:
    """``fit``'s History.final for every trial ({key: [K values]}), or for trial ``k`` alone ({key: value})."""
    result: dict[str, list[float] | None] = {}
    for prefix, data in (("train", train), ("test", test)):
        if data is None:
            continue
        losses, acc = _evaluate(net, data, loss_name, classify)
        result[f"{prefix}_loss"] = losses
        if classify:
            result[f"{prefix}_accuracy"] = acc
    return result if k is None else {key: v[k] for key, v in result.items() if v is not None}
