"""The torch engine's stepper: PyTorch eager epochs on any model, any device, fp32, bf16 or fp16.

One epoch (``TorchStepper.run``): the batches (the whole set, or a fresh seeded ``torch.randperm`` order), and per
batch 1) forward and loss under autocast, 2) the L1/L2 penalty, 3) backward (through the gradient scaler for fp16)
and the ``on_after_backward`` observers, 4) the optimizer step. The per-epoch metrics stay in tensors until ``run``
ends: one host sync per call, so a driver that reads no metrics in between asks for many epochs at once.
"""
from __future__ import annotations

import contextlib
import math

import numpy as np
import torch
from torch import nn

from nnlab.threads import torch_threads
from nnlab.training.losses import LOSSES
from nnlab.training.observers import Observer
from nnlab.training.penalty import linear_weights, penalty
from nnlab.training.precision import GradScaler, autocast, resolve_device
from nnlab.training.stepper import Interrupted

__all__ = ["TorchStepper", "evaluate_torch"]


def _tensor(a, dtype):
    return a.to(dtype) if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a)).to(dtype)


def _output_size(model, X) -> int:
    """The model's number of outputs, from its last Linear layer, else from an eval-mode forward pass."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if linears:
        return linears[-1].out_features
    was_training = model.training
    model.eval()
    with torch.no_grad():
        size = model(X[:1]).shape[1]
    model.train(was_training)
    return size


def _threads_for(model, batch: int) -> int:
    """Threads worth using: small models spend their time in per-op overhead, where extra threads only add
    synchronisation (the seed's 330-parameter MLP runs slower on 2 threads than on 1)."""
    work = batch * sum(p.numel() for p in model.parameters())      # ~ multiply-adds per forward pass
    return 1 if work < 5_000_000 else torch.get_num_threads()


def _on_threads(n: int):
    """Torch on ``n`` threads for a block; nothing to do when it already is (inside ``TorchStepper.running``):
    switching the count costs more than a small model's epoch can spare, twice per epoch."""
    return contextlib.nullcontext() if torch.get_num_threads() == n else torch_threads(n)


def evaluate_torch(model, X, y, loss: str = "cross-entropy", task: str = "classification",
                   precision: str = "fp32") -> dict:
    """Loss and (classification) accuracy of a torch ``model`` on X (n, d), y (n,), in eval mode, on its
    parameters' device, under autocast for bf16/fp16."""
    spec = LOSSES[loss]
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device if any(True for _ in model.parameters()) else torch.device("cpu")
    X = _tensor(X, torch.float32).to(device)
    y = _tensor(y, torch.int64 if task == "classification" else torch.float32).to(device)
    with torch.no_grad(), autocast(device.type, precision):
        out = model(X)
        result = {"loss": float(spec.value(out.float(), spec.targets(y, out.shape[1])))}
        if task == "classification":
            result["accuracy"] = float((spec.predict(out) == y).float().mean())
    model.train(was_training)
    return result


class TorchStepper:
    """``model`` (a torch module) trained on X (n, d), y (n,) as ``config`` says, on ``config.device`` in
    ``config.precision``; ``reshuffle`` False keeps the stored batch order; ``observers`` overriding
    ``on_after_backward`` are called after every backward pass. See ``nnlab.training.stepper.Stepper``."""

    def __init__(self, model, X, y, config, task: str = "classification", reshuffle: bool = True, *,
                 observers=()):
        # 1) device, data, targets
        self.device = resolve_device(config.device, config.precision)
        self.precision = config.precision
        model.to(self.device)
        self.model, self.spec, self.loss_name = model, LOSSES[config.loss], config.loss
        self.task, self.classify = task, task == "classification"
        self.X = _tensor(X, torch.float32).to(self.device)                                        # (n, d)
        self.y = _tensor(y, torch.int64 if self.classify else torch.float32).to(self.device)      # (n,)
        self.inputs = self.X                                              # this epoch's (augmented) inputs
        self.n = self.X.shape[0]
        self.targets = self.spec.targets(self.y, _output_size(model, self.X))                     # (n,) or (n, o)
        self.has_batch_norm = any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())
        # 2) batch order and dropout masks from the seed
        self.batch = self.n if config.batch_size is None else min(config.batch_size, self.n)
        self.order_rng = torch.Generator().manual_seed(config.seed)       # mini-batch order only
        torch.manual_seed(config.seed)                                    # dropout masks
        self.reshuffle = reshuffle
        # 3) optimizer (fused where torch has it; fp16's gradient scaler steps torch.optim optimizers)
        from nnlab.training.engines.torch_optim import make_torch_optimizer
        self.params = [p for p in model.parameters() if p.requires_grad]
        if config.precision == "fp16":
            from nnlab.training.optimizers import OPTIMIZERS
            self.optimizer = OPTIMIZERS[config.optimizer].make(self.params, config.lr)
        else:
            self.optimizer = make_torch_optimizer(config.optimizer, self.params, config.lr)
        self.scaler = GradScaler(self.device, config.precision)
        self.l1, self.l2 = config.l1, config.l2
        self.after_backward = [o for o in observers
                               if type(o).on_after_backward is not Observer.on_after_backward]
        self.threads = _threads_for(model, self.batch)
        model.train()
        self.info = {"engine": "torch", "device": self.device, "precision": config.precision}
        self._evaluated: tuple = (None, None, None)                       # (X, y, their tensors): one-entry cache

    def __repr__(self) -> str:
        return f"TorchStepper({self.device}, {self.precision}, batch {self.batch} of {self.n})"

    def running(self):
        """Torch's thread count for this model, held by a driver around a whole fit."""
        return torch_threads(self.threads)

    def set_lr(self, lr: float) -> None:
        from nnlab.training.schedules import set_optimizer_lr
        set_optimizer_lr(self.optimizer, lr)

    def set_penalties(self, l1: float, l2: float) -> None:
        self.l1, self.l2 = l1, l2

    def set_inputs(self, X: np.ndarray) -> None:
        self.inputs = torch.from_numpy(X).to(self.X.device)

    def _batches(self) -> list:
        """A mini-batch epoch's (inputs, targets, labels) batches: a seeded permutation's slices."""
        order = torch.randperm(self.n, generator=self.order_rng) if self.reshuffle else torch.arange(self.n)
        chunks = list(order.split(self.batch))
        if self.has_batch_norm and len(chunks) > 1 and len(chunks[-1]) == 1:
            chunks[-2:] = [torch.cat(chunks[-2:])]             # batch norm cannot train on a single sample
        return [(self.inputs[i], self.targets[i], self.y[i]) for i in chunks]

    def _metrics(self, losses, corrects, done: int) -> list[tuple[float, float]]:
        """The first ``done`` epochs' (mean loss, accuracy), one host sync, cut after a non-finite loss."""
        out = []
        for loss_sum, right in zip(losses[:done].tolist(), corrects[:done].tolist()):
            out.append((loss_sum / self.n, right / self.n))
            if not math.isfinite(out[-1][0]):
                break
        return out

    def run(self, epochs: int) -> list[tuple[float, float]]:
        # what cannot change during a call, in locals: this loop's Python is part of every epoch's time
        model, spec, params, scaler, optimizer = self.model, self.spec, self.params, self.scaler, self.optimizer
        device, precision, classify, after_backward = self.device, self.precision, self.classify, self.after_backward
        l1, l2 = self.l1, self.l2
        regularize, full = l1 > 0 or l2 > 0, self.batch == self.n
        losses = torch.zeros(epochs, device=device)                           # per epoch: loss sum
        corrects = torch.zeros(epochs, dtype=torch.int64, device=device)      # per epoch: correct count
        done = 0
        with _on_threads(self.threads):
            if not model.training:          # evaluate() restores the mode; train() walks every module
                model.train()
            try:
                for done in range(epochs):
                    loss_sum, correct = losses[done], corrects[done]
                    for xb, tb, yb in [(self.inputs, self.targets, self.y)] if full else self._batches():
                        # 1) forward and loss;  2) penalty;  3) backward;  4) step
                        with autocast(device, precision):
                            out = model(xb)                                           # (b, outputs)
                            loss = spec.value(out, tb)
                        objective = loss + penalty(linear_weights(model), l1, l2) if regularize else loss
                        for p in params:         # optimizer.zero_grad(set_to_none=True), minus its overhead
                            p.grad = None
                        scaler.backward(objective)
                        for o in after_backward:
                            o.on_after_backward(model)
                        scaler.step(optimizer)
                        loss_sum.add_(loss.detach(), alpha=xb.shape[0])
                        if classify:
                            correct += (spec.predict(out.detach()) == yb).sum()
                done = epochs
            except KeyboardInterrupt as stop:
                Interrupted.attach(stop, self._metrics(losses, corrects, done))
                raise
        return self._metrics(losses, corrects, done)

    def evaluate(self, X, y) -> dict:
        if self._evaluated[0] is not X or self._evaluated[1] is not y:     # convert a test set once, not per epoch
            self._evaluated = (X, y, (_tensor(X, torch.float32).to(self.device),
                                      _tensor(y, torch.int64 if self.classify else torch.float32).to(self.device)))
        X_t, y_t = self._evaluated[2]
        with _on_threads(self.threads):
            return evaluate_torch(self.model, X_t, y_t, self.loss_name, self.task, self.precision)

    def weights(self) -> dict:
        return {k: v.detach().clone() for k, v in self.model.state_dict().items()}

    def load_weights(self, weights: dict) -> None:
        self.model.load_state_dict(weights)

    def parameters(self) -> np.ndarray:
        return nn.utils.parameters_to_vector(self.model.parameters()).detach().cpu().numpy().copy()

    def load_parameters(self, theta) -> None:
        with torch.no_grad():
            nn.utils.vector_to_parameters(torch.as_tensor(np.asarray(theta, np.float32)).to(self.device),
                                          self.model.parameters())
