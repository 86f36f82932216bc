"""The Trainer's steppers: one epoch at a time on each engine, as ``fit`` trains it. ``TorchStepper`` repeats
``_fit_torch``'s epoch op for op, ``FastStepper`` calls the fast engine's compiled epoch, and ``PlaygroundStepper``
runs TensorFlow Playground's rules (``classic_kernels``). Each has ``run(epochs)`` -> [(loss, accuracy)], stopping
after the first non-finite loss, ``set_lr`` and ``set_penalties``; the torch and fast ones take ``set_inputs``.
"""
from __future__ import annotations

import math

import numpy as np

from nnlab._validation import InvalidArgument
from nnlab.threads import torch_threads

__all__ = ["TorchStepper", "FastStepper", "PlaygroundStepper"]


class TorchStepper:
    """``_fit_torch``'s epoch, op for op."""

    def __init__(self, model, X, y, config, task, reshuffle):
        import torch

        from nnlab.training.engines.torch_optim import make_torch_optimizer
        from nnlab.training.loop import _output_size, _tensor, _threads_for
        from nnlab.training.losses import LOSSES
        self.spec = LOSSES[config.loss]
        self.classify = task == "classification"
        self.X = _tensor(X, torch.float32)                                              # (n, d)
        self.y = _tensor(y, torch.int64 if self.classify else torch.float32)            # (n,)
        self.n = self.X.shape[0]
        self.inputs = self.X                                                            # this epoch's (augmented)
        self.targets = self.spec.targets(self.y, _output_size(model, self.X))
        self.batch = self.n if config.batch_size is None else min(config.batch_size, self.n)
        self.order_rng = torch.Generator().manual_seed(config.seed)                     # mini-batch order
        torch.manual_seed(config.seed)                                                  # dropout masks
        self.model = model
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = make_torch_optimizer(config.optimizer, self.params, config.lr)
        self.threads = _threads_for(model, self.batch)
        self.reshuffle = reshuffle
        self.l1, self.l2 = config.l1, config.l2

    def set_lr(self, lr: float) -> None:
        from nnlab.training.schedules import set_optimizer_lr
        set_optimizer_lr(self.optimizer, lr)

    def set_inputs(self, X: np.ndarray) -> None:
        """The next epoch's inputs (n, d): an augmented variant of the training inputs."""
        import torch
        self.inputs = torch.from_numpy(X).to(self.X.device)

    def epoch(self) -> tuple[float, float]:
        import torch

        from nnlab.training.penalty import linear_weights, penalty
        X = self.inputs
        if self.batch == self.n:
            batches = [(X, self.targets, self.y)]
        else:
            order = torch.randperm(self.n, generator=self.order_rng) if self.reshuffle else torch.arange(self.n)
            batches = [(X[i], self.targets[i], self.y[i]) for i in order.split(self.batch)]
        loss_sum, correct = torch.zeros(()), torch.zeros((), dtype=torch.int64)
        regularize = self.l1 > 0 or self.l2 > 0
        self.model.train()
        for xb, tb, yb in batches:
            out = self.model(xb)                                                        # (b, outputs)
            loss = self.spec.value(out, tb)
            objective = loss + penalty(linear_weights(self.model), self.l1, self.l2) if regularize else loss
            for p in self.params:
                p.grad = None
            objective.backward()
            self.optimizer.step()
            loss_sum.add_(loss.detach(), alpha=xb.shape[0])
            if self.classify:
                correct += (self.spec.predict(out.detach()) == yb).sum()
        return float(loss_sum) / self.n, int(correct) / self.n

    def run(self, epochs: int):
        with torch_threads(self.threads):
            out = []
            for _ in range(epochs):
                out.append(self.epoch())
                if not math.isfinite(out[-1][0]):
                    break
            return out


class FastStepper:
    """``fit_fast``'s epoch: one ``kernels.run_epoch`` call."""

    def __init__(self, model, X, y, config, task, reshuffle):
        from nnlab.training.engines.fast_fit import _arrays, _State, load_kernels
        from nnlab.training.engines.fast_model import FastMLP
        from nnlab.training.engines.torch_rng import TorchCPUGenerator
        self.model = model
        self.net = model if isinstance(model, FastMLP) else FastMLP.from_torch(model)
        self.kernels, _, _ = load_kernels()
        self.classify = task == "classification"
        self.x, self.labels, self.targets = _arrays(X, y, config.loss, self.classify, self.net.sizes[-1])
        self.inputs = self.x                                                # this epoch's (augmented), (d, n)
        self.n = self.x.shape[1]
        self.batch = self.n if config.batch_size is None else min(config.batch_size, self.n)
        self.state = _State(self.net, config.optimizer, config.loss, self.classify, config.l1, config.l2,
                            self.batch, max(self.batch, min(self.n, 1024)), self.targets.shape[0], lr=config.lr)
        self.order = TorchCPUGenerator(config.seed)
        self.perm = np.arange(self.n)
        self.fixed = np.zeros(max(self.n - 1, 0), np.uint64)     # randperm of zeros = the stored order
        self.reshuffle = reshuffle

    def set_lr(self, lr: float) -> None:
        self.state.hyper[self.kernels.LR] = lr

    def set_penalties(self, l1: float, l2: float) -> None:
        self.state.hyper[self.kernels.L1], self.state.hyper[self.kernels.L2] = l1, l2

    def set_inputs(self, X: np.ndarray) -> None:
        """The next epoch's inputs (n, d): an augmented variant of the training inputs."""
        self.inputs = np.ascontiguousarray(X.T)

    def run(self, epochs: int):
        k, out = self.kernels, []
        no_raw = np.zeros(0, np.uint64)
        for _ in range(epochs):
            raw = (self.order.raw(self.n - 1) if self.reshuffle else self.fixed) if self.batch < self.n else no_raw
            loss_sum, right = self.state.run(k, k.TRAIN, self.net, self.inputs, self.labels, self.targets, raw,
                                             self.perm, self.batch)
            out.append((loss_sum / self.n, right / self.n))
            if not math.isfinite(out[-1][0]):
                break
        return out


class PlaygroundStepper:
    """TensorFlow Playground's oneStep on a FastMLP (``classic_kernels.classic_epoch``)."""

    def __init__(self, model, X, y, config, task):
        from nnlab.training.engines import classic_kernels as ck
        from nnlab.training.engines.fast_fit import load_kernels
        from nnlab.training.engines.fast_model import FastMLP
        if not isinstance(model, FastMLP):
            raise InvalidArgument("The playground semantics train a FastMLP; got a "
                                  f"{type(model).__name__}.", "model")
        if config.l1 > 0 and config.l2 > 0:
            raise InvalidArgument("The playground semantics take one penalty, L1 or L2; got l1 and l2.", "l1")
        load_kernels()
        self.ck, self.net = ck, model
        self.model = model
        self.classify = task == "classification"
        self.x = np.ascontiguousarray(np.asarray(X, np.float32).T)                         # (d, n)
        y = np.asarray(y, np.float32)
        self.t = np.ascontiguousarray(np.where(y > 0, 1.0, -1.0).astype(np.float32) if self.classify else y)
        self.n = self.x.shape[1]
        self.batch = min(config.batch_size or self.n, self.n)
        sizes = model.sizes
        self.sizes = np.array(sizes, np.int64)
        self.acts = model.codes()
        if self.classify:
            self.acts[-1] = self.ck.TANH
        blocks, widest = sum(sizes[1:]), max(sizes[1:])
        w = self.batch
        self.work = (np.zeros(blocks * w, np.float32), np.zeros(blocks * w, np.float32),
                     np.zeros(widest * w, np.float32), np.zeros(widest * w, np.float32),
                     np.zeros((sizes[0], w), np.float32))
        self.acc, self.grad = np.zeros_like(model.theta), np.zeros_like(model.theta)
        self.dead = np.zeros(len(model.theta), np.uint8)
        self.carry = np.zeros(1, np.int64)
        self.hyper = np.zeros(ck.N_CLASSIC_HYPER)
        self.hyper[ck.C_LR], self.hyper[ck.C_SLOPE] = config.lr, model.negative_slope
        self.set_penalties(config.l1, config.l2)

    def set_lr(self, lr: float) -> None:
        self.hyper[self.ck.C_LR] = lr

    def set_penalties(self, l1: float, l2: float) -> None:
        ck = self.ck
        self.hyper[ck.C_KIND] = ck.L1_REG if l1 > 0 else (ck.L2_REG if l2 > 0 else ck.NO_REG)
        self.hyper[ck.C_RATE] = l1 if l1 > 0 else l2

    def outputs(self, X) -> np.ndarray:
        """The output unit (n,) for inputs X (n, d): tanh or linear, as trained."""
        x = np.ascontiguousarray(np.asarray(X, np.float32).T)
        n, blocks = x.shape[1], int(self.sizes[1:].sum())
        Z, A = np.zeros(blocks * n, np.float32), np.zeros(blocks * n, np.float32)
        self.ck.forward_all(self.net.theta, self.sizes, self.acts, self.hyper[self.ck.C_SLOPE], x, Z, A)
        return A[(blocks - 1) * n:].copy()

    def evaluate(self, X, y) -> dict:
        y = np.asarray(y, np.float64)
        if len(y) == 0:
            return {}
        out = self.outputs(X).astype(np.float64)
        t = np.where(y > 0, 1.0, -1.0) if self.classify else y
        result = {"loss": float(np.mean(0.5 * (out - t) ** 2))}
        if self.classify:
            result["accuracy"] = float(np.mean((out > 0) == (t > 0)))
        return result

    def run(self, epochs: int):
        """Up to ``epochs`` epochs in one compiled call (which releases Python's lock); stops after the first
        non-finite loss."""
        sums = np.zeros((epochs, 2))
        done = self.ck.classic_epochs(epochs, self.net.theta, self.grad, self.acc, self.dead, self.carry, self.sizes,
                                      self.acts, self.hyper, self.x, self.t, self.batch, self.work, sums)
        return [(float(a) / self.n, float(b) / self.n) for a, b in sums[:done]]
