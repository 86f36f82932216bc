"""The batched K-models engine's stepper: K MLPs of one architecture trained together, an epoch at a time.

``BatchedStepper(configs, datasets)`` is the ``nnlab.training.stepper.Stepper`` interface for K trials at once
(``nnlab.sweeps.batched.fit_batched`` drives it). The K models are one
:class:`~nnlab.sweeps.batched_model.StackedMLP` ((K, P) parameters, batched matmuls); the objective is the sum
over trials of each trial's mean loss (``LOSSES[loss].stacked_value``), so the gradient with respect to row k is
trial k's own gradient; :class:`~nnlab.sweeps.batched_optim.BatchedOptimizer` applies torch.optim's update with
per-trial rates. What differs from the one-model interface: every setter takes one value per trial (``set_lr``,
``set_penalties``) or names the trial (``set_inputs(k, X)``, ``weights(k)``, ...), ``freeze(trials)`` stops
trials for good, and ``run`` keeps its metrics in tensors (``StackedEpoch``) until the driver reads them.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
import torch

from nnlab.config import RunConfig
from nnlab.sweeps.batched_data import StackedData, evaluate_stacked
from nnlab.sweeps.batched_model import StackedMLP
from nnlab.sweeps.batched_optim import BatchedOptimizer
from nnlab.sweeps.executors import unsupported
from nnlab.training.losses import LOSSES
from nnlab.training.penalty import penalty
from nnlab.training.stepper import Interrupted

__all__ = ["BatchedStepper", "StackedEpoch", "batch_signature"]


def batch_signature(config: RunConfig, n_train: int, n_test: int, task: str) -> tuple:
    """Trials with equal signatures can share one batched pass: same architecture, optimizer, loss, epochs,
    batch size and data sizes (learning rate, schedule, seed, init, data values, penalties, early stopping,
    augmentation, dropout and residual connections may differ)."""
    m, t = config.model, config.train
    return (m.input_size, m.hidden_sizes, m.output_size, m.activation, t.optimizer, t.loss, t.epochs,
            t.batch_size, n_train, n_test, task)


@dataclass
class StackedEpoch:
    """One epoch of the K trials, its metrics still in tensors: ``loss_sum`` (K,) float32 (each trial's batch
    losses times batch sizes), ``correct`` (K,) int64 (classification), ``n`` training points; ``finite``: every
    trial still training had a finite loss."""
    loss_sum: torch.Tensor
    correct: torch.Tensor | None
    n: int
    finite: bool

    def per_trial(self) -> list[tuple[float, float]]:
        """Per trial (mean training loss, accuracy; 0 for regression), as the one-model ``Stepper.run`` gives
        them: one host sync."""
        losses = self.loss_sum.tolist()
        right = self.correct.tolist() if self.correct is not None else [0] * len(losses)
        return [(loss / self.n, c / self.n) for loss, c in zip(losses, right)]


class _Trial:
    """Trial k of a BatchedStepper seen as a one-model stepper by ``EpochStart``: its rate and its inputs."""

    def __init__(self, stepper: BatchedStepper, k: int):
        self.stepper, self.k = stepper, k

    def __repr__(self) -> str:
        return f"_Trial({self.k})"

    def set_lr(self, lr: float) -> None:
        self.stepper.rates[self.k] = lr
        self.stepper.rates_changed = True

    def set_inputs(self, X: np.ndarray) -> None:
        self.stepper.set_inputs(self.k, X)


class BatchedStepper:
    """The K sized configs ``configs`` on their PreparedData ``datasets``, trained together (one History each
    is the driver's job). Every config must have the same :func:`batch_signature` and none may be
    ``unsupported`` (else ValueError). Each trial starts from the weights, batch order, dropout masks and rates
    that ``fit`` gives it alone."""

    def __init__(self, configs: list[RunConfig], datasets: list):
        from nnlab.nn import build_mlp

        problems = sorted(p for p in {unsupported(c) for c in configs} if p is not None)
        if problems or len({batch_signature(c, len(d.X_train), len(d.X_test), d.task)
                            for c, d in zip(configs, datasets)}) != 1:
            raise ValueError(f"these trials cannot share one batched pass ({', '.join(problems) or 'they differ'})")
        # 1) the K models, built exactly as a single run builds them, then stacked; per-trial rates and penalties
        self.K, first = len(configs), configs[0]
        self.task, self.spec = datasets[0].task, LOSSES[first.train.loss]
        self.classify = self.task == "classification"
        self.net = StackedMLP([build_mlp(c.model, seed=c.train.seed) for c in configs])
        self.net.seed_dropout([c.train.seed for c in configs])       # each trial's dropout masks, as fit seeds them
        self.rates = [c.train.lr for c in configs]
        self.rates_changed = False
        self.optimizer = BatchedOptimizer(first.train.optimizer, self.net.flat, self.rates)
        self.set_penalties([c.train.l1 for c in configs], [c.train.l2 for c in configs])
        # 2) the data, stacked feature-major: X (K, d, n); the test sets likewise when there are any
        outputs = first.model.output_size
        self.train = StackedData([d.X_train for d in datasets], [d.y_train for d in datasets], self.spec, outputs,
                                 self.classify)
        self.has_test = len(datasets[0].X_test) > 0
        self.test = StackedData([d.X_test for d in datasets], [d.y_test for d in datasets], self.spec, outputs,
                                self.classify) if self.has_test else None
        self.inputs = self.train.X                          # this epoch's inputs: augmented rows replace theirs
        self.n = self.train.X.shape[2]
        self.batch = self.n if first.train.batch_size is None else min(first.train.batch_size, self.n)
        self.order_rngs = [torch.Generator().manual_seed(c.train.seed) for c in configs]   # each trial's order
        self.active = list(range(self.K))                   # trials still training (the others are frozen)
        self.model = self.net
        self.info: dict = {}

    def __repr__(self) -> str:
        return f"BatchedStepper(K={self.K}, active={len(self.active)}, batch {self.batch} of {self.n})"

    def running(self):
        return contextlib.nullcontext()

    def trial(self, k: int) -> _Trial:
        """Trial k as ``EpochStart`` sees a stepper: ``set_lr(lr)`` and ``set_inputs(X)`` for it alone."""
        return _Trial(self, k)

    def set_lr(self, rates) -> None:
        """The K learning rates from the next update on (optimizer state kept)."""
        self.rates = [float(r) for r in rates]
        self.rates_changed = True

    def set_penalties(self, l1, l2) -> None:
        """The K L1 and K L2 rates from the next update on."""
        self.l1 = torch.tensor(list(l1), dtype=torch.float32)
        self.l2 = torch.tensor(list(l2), dtype=torch.float32)
        self.regularize = bool(self.l1.any() or self.l2.any())

    def set_inputs(self, k: int, X: np.ndarray) -> None:
        """Trial k's training inputs X (n, d) float32 for the next epochs (an augmented variant)."""
        if self.inputs is self.train.X:
            self.inputs = self.train.X.clone()
        self.inputs[k] = torch.from_numpy(X.T)                                         # (d, n)

    def freeze(self, trials) -> None:
        """Stop ``trials`` for good: their weights and optimizer state stay as they are."""
        trials = [k for k in trials if k in self.active]
        if trials:
            self.optimizer.freeze(trials)
            self.active = [k for k in self.active if k not in trials]

    def run(self, epochs: int) -> list[StackedEpoch]:
        """Train up to ``epochs`` epochs; one ``StackedEpoch`` per epoch, stopping after the first epoch in which
        a trial still training had a non-finite loss. Ctrl-C raises KeyboardInterrupt with the finished epochs
        attached (``Interrupted``)."""
        net, spec, optimizer, train, K, n = self.net, self.spec, self.optimizer, self.train, self.K, self.n
        done: list[StackedEpoch] = []
        try:
            for _ in range(epochs):
                # 1) the rates of this epoch (a schedule's), if they changed
                if self.rates_changed:
                    optimizer.set_lr(self.rates)
                    self.rates_changed = False
                # 2) the epoch's batches: everything, or each trial's own seeded permutation cut into batches
                X = self.inputs
                if self.batch == n:
                    batches = [(X, train.targets, train.y)]
                else:
                    order = torch.stack([torch.randperm(n, generator=g) for g in self.order_rngs])   # (K, n)
                    batches = [train.columns(idx, X) for idx in order.split(self.batch, 1)]
                loss_sum = torch.zeros(K)
                correct = torch.zeros(K, dtype=torch.int64)
                for xb, tb, yb in batches:
                    # 3) forward and per-trial loss;  4) gradient of the summed objective;  5) batched step
                    params = [v.detach().requires_grad_() for v in net.views]
                    out = net.forward(xb, params, train=True)                               # (K, o, b)
                    loss = spec.stacked_value(out, tb)                                      # (K,)
                    objective = (loss + penalty(params[0::2], self.l1, self.l2)).sum() if self.regularize \
                        else loss.sum()
                    grads = torch.autograd.grad(objective, params)
                    optimizer.step(torch.cat([g.reshape(K, -1) for g in grads], dim=1))     # (K, P)
                    loss_sum += loss.detach() * xb.shape[2]
                    if self.classify:
                        correct += (spec.stacked_predict(out.detach()) == yb).sum(1)
                # 6) a trial whose loss is no longer finite ends the call: the driver books it and freezes it
                finite = bool(torch.isfinite(loss_sum[self.active]).all())
                done.append(StackedEpoch(loss_sum, correct if self.classify else None, n, finite))
                if not finite:
                    break
        except KeyboardInterrupt as stop:
            Interrupted.attach(stop, done)          # type: ignore[arg-type]
            raise
        return done

    def evaluate(self, split: str = "train") -> list[dict]:
        """Each trial's {"loss", "accuracy" (classification)} now on its "train" or "test" set, in eval mode."""
        data = self.train if split == "train" else self.test
        assert data is not None, "no test set"
        losses, acc = evaluate_stacked(self.net, data, self.spec, self.classify)
        if acc is None:
            return [{"loss": loss} for loss in losses]
        return [{"loss": loss, "accuracy": a} for loss, a in zip(losses, acc)]

    def weights(self, k: int) -> torch.Tensor:
        """A copy of trial k's parameters (its row); ``load_weights(k, ...)`` takes it."""
        return self.net.flat[k].clone()

    def load_weights(self, k: int, weights: torch.Tensor) -> None:
        with torch.no_grad():
            self.net.flat[k] = weights

    def parameters(self, k: int) -> np.ndarray:
        """Trial k's parameters, flat float32 in torch's order (W1, b1, W2, ...): a copy."""
        return self.net.flat[k].numpy().copy()

    def load_parameters(self, k: int, theta: np.ndarray) -> None:
        self.load_weights(k, torch.as_tensor(np.asarray(theta, np.float32)))
