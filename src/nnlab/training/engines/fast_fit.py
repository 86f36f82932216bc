"""The fast engine's stepper: a small MLP trained by compiled kernels, one call per epoch.

Each epoch is one call of ``kernels.run_epoch``: every batch's forward pass, loss, backward pass, penalty and
optimizer step, fused, with no Python in between. What ``fit`` promises per epoch (history, test evaluation,
observers, divergence, schedules, augmentation, early stopping, Ctrl-C) is the driver's
(``nnlab.training.driver``), the same for every engine. The meaning is the torch engine's: the same initial weights
(the model given, or torch's draws for the seed), the same batch order (torch.randperm's, reproduced from the
seed), the same augmented inputs, the same optimizer formulas in float32.
"""
from __future__ import annotations

import contextlib
import math

import numpy as np

from nnlab.training.engines.fast_model import FastMLP
from nnlab.training.engines.fast_state import _arrays, _State, load_kernels, predict_fast
from nnlab.training.engines.torch_rng import TorchCPUGenerator
from nnlab.training.stepper import Interrupted

__all__ = ["FastStepper", "fit_fast", "evaluate_fast", "predict_fast", "load_kernels"]

_NO_RAW = np.zeros(0, np.uint64)
_MAX_WIDTH = 1024          # workspace columns: batches and evaluations run in slices of at most this many points


class FastStepper:
    """``model`` (a FastMLP, or a torch MLP trained in place through shared memory) on X (n, d), y (n,);
    ``reshuffle`` False keeps the stored batch order. See ``nnlab.training.stepper.Stepper``."""

    def __init__(self, model, X, y, config, task: str = "classification", reshuffle: bool = True, *,
                 eval_points: int = 0):
        # 1) the network, the kernels, the data in the kernels' layout
        self.model = model
        self.net = model if isinstance(model, FastMLP) else FastMLP.from_torch(model)
        self.kernels, compile_s, how = load_kernels()
        self.loss_name, self.classify = config.loss, task == "classification"
        self.x, self.labels, self.targets = _arrays(X, y, config.loss, self.classify, self.net.sizes[-1])
        self.inputs = self.x                                               # this epoch's (augmented), (d, n)
        self.n = self.x.shape[1]
        # 2) the optimizer state and workspace (wide enough for an evaluation of ``eval_points`` in one slice)
        self.batch = self.n if config.batch_size is None else min(config.batch_size, self.n)
        width = max(self.batch, min(max(self.n, eval_points), _MAX_WIDTH))
        self.state = _State(self.net, config.optimizer, config.loss, self.classify, config.l1, config.l2,
                            self.batch, width, self.targets.shape[0], lr=config.lr)
        # 3) torch.randperm's batch order from the seed (a permutation of zeros: the stored order)
        self.order = TorchCPUGenerator(config.seed)
        self.perm = np.arange(self.n)
        self.fixed = np.zeros(max(self.n - 1, 0), np.uint64)
        self.reshuffle = reshuffle
        self.info = {"engine": "fast", "compile_time_s": compile_s, "kernels": how}
        self._evaluated: tuple = (None, None, None)                        # (X, y, their arrays): one-entry cache

    def __repr__(self) -> str:
        return f"FastStepper({self.net!r}, batch {self.batch} of {self.n})"

    def running(self):
        return contextlib.nullcontext()

    def set_lr(self, lr: float) -> None:
        self.state.hyper[self.kernels.LR] = lr

    def set_penalties(self, l1: float, l2: float) -> None:
        self.state.hyper[self.kernels.L1], self.state.hyper[self.kernels.L2] = l1, l2

    def set_inputs(self, X: np.ndarray) -> None:
        self.inputs = np.ascontiguousarray(X.T)                            # (d, n)

    def run(self, epochs: int) -> list[tuple[float, float]]:
        k, out, n, batch, epoch = self.kernels, [], self.n, self.batch, self.state.run    # locals: a hot loop
        x, labels, targets, net, perm = self.inputs, self.labels, self.targets, self.net, self.perm
        shuffled = batch < n and self.reshuffle
        raw = self.fixed if batch < n else _NO_RAW
        try:
            if not shuffled and epochs > 1:        # one batch order for every epoch: the chunk in one call
                sums = self.state.run_epochs(k, epochs, net, x, labels, targets, raw, perm, batch)
                return [(float(loss_sum) / n, float(right) / n) for loss_sum, right in sums]
            for _ in range(epochs):
                if shuffled:
                    raw = self.order.raw(n - 1)
                loss_sum, right = epoch(k, k.TRAIN, net, x, labels, targets, raw, perm, batch)
                out.append((loss_sum / n, right / n))
                if not math.isfinite(loss_sum):
                    break
        except KeyboardInterrupt as stop:
            Interrupted.attach(stop, out)
            raise
        return out

    def evaluate(self, X, y) -> dict:
        if self._evaluated[0] is not X or self._evaluated[1] is not y:     # convert a test set once, not per epoch
            arrays = _arrays(X, y, self.loss_name, self.classify, self.net.sizes[-1])
            self._evaluated = (X, y, (*arrays, np.arange(arrays[0].shape[1])))
        x, labels, targets, order = self._evaluated[2]
        n = x.shape[1]
        loss_sum, right = self.state.run(self.kernels, self.kernels.EVALUATE, self.net, x, labels, targets,
                                         _NO_RAW, order, self.batch)
        return {"loss": loss_sum / n, "accuracy": right / n} if self.classify else {"loss": loss_sum / n}

    def weights(self) -> np.ndarray:
        return self.net.theta.copy()

    def load_weights(self, weights: np.ndarray) -> None:
        self.net.theta[:] = weights                                        # in place: torch views stay valid

    def parameters(self) -> np.ndarray:
        return self.net.theta

    def load_parameters(self, theta) -> None:
        self.net.theta[:] = np.asarray(theta, np.float32)


def fit_fast(model, X, y, config, *, X_test=None, y_test=None, task: str = "classification", observers=()):
    """``nnlab.fit`` on the fast engine: a FastStepper driven by ``nnlab.training.driver.drive``. ``model`` is a
    FastMLP or a torch MLP (trained in place, shared memory). Returns a History with ``engine="fast"`` and the
    kernels' load or compile time apart."""
    from nnlab.training.driver import drive
    stepper = FastStepper(model, X, y, config, task, eval_points=0 if X_test is None else len(X_test))
    return drive(stepper, config, X, y, X_test=X_test, y_test=y_test, task=task, observers=observers)


def evaluate_fast(net: FastMLP, X, y, loss: str = "cross-entropy", task: str = "classification") -> dict:
    """``nnlab.evaluate`` for a FastMLP: loss and (classification) accuracy on X (n, d), y (n,)."""
    kernels, _, _ = load_kernels()
    classify = task == "classification"
    x, labels, targets = _arrays(X, y, loss, classify, net.sizes[-1])
    n = x.shape[1]
    state = _State(net, "sgd", loss, classify, 0.0, 0.0, batch=1, width=max(1, min(n, _MAX_WIDTH)),
                   n_targets=targets.shape[0])
    loss_sum, right = state.run(kernels, kernels.EVALUATE, net, x, labels, targets, _NO_RAW, np.arange(n), 1)
    result = {"loss": loss_sum / n}
    if classify:
        result["accuracy"] = right / n
    return result
