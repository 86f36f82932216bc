"""The playground engine's stepper (``nnlab.training.stepper.Stepper``): TensorFlow Playground's rules
(``classic_kernels``) on a FastMLP, for the playground's Trainer. The other engines' steppers: ``TorchStepper``
(``torch_stepper.py``) and ``FastStepper`` (``fast_fit.py``); ``fit`` drives those two, the Trainer all three.
"""
from __future__ import annotations

import contextlib

import numpy as np

from nnlab._validation import InvalidArgument
from nnlab.training.stepper import Interrupted

__all__ = ["PlaygroundStepper"]


class PlaygroundStepper:
    """TensorFlow Playground's oneStep on a FastMLP (``classic_kernels.classic_epoch``): the samples always in
    stored order (``reshuffle`` is ignored), squared loss on a tanh (classification) or linear output."""

    def __init__(self, model, X, y, config, task: str = "classification", reshuffle: bool = False):
        from nnlab.training.engines import classic_kernels as ck
        from nnlab.training.engines.capabilities import argument_of, playground_supports
        from nnlab.training.engines.fast_state import load_kernels
        problem = playground_supports(config, driver="trainer", model=model)
        if problem is not None:
            raise InvalidArgument(f"TensorFlow Playground's training rules cannot train this run: {problem}.",
                                  argument_of(problem))
        _, compile_s, how = load_kernels()
        self.info = {"engine": "playground", "compile_time_s": compile_s, "kernels": how}
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

    def running(self):
        return contextlib.nullcontext()

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

    def set_inputs(self, X: np.ndarray) -> None:
        raise InvalidArgument("TensorFlow Playground's training rules have no augmentation.", "augment_jitter")

    def run(self, epochs: int) -> list[tuple[float, float]]:
        """Up to ``epochs`` epochs in one compiled call (which releases Python's lock); stops after the first
        non-finite loss."""
        sums = np.zeros((epochs, 2))
        try:
            done = self.ck.classic_epochs(epochs, self.net.theta, self.grad, self.acc, self.dead, self.carry,
                                          self.sizes, self.acts, self.hyper, self.x, self.t, self.batch, self.work,
                                          sums)
        except KeyboardInterrupt as stop:        # the compiled call is not interruptible: nothing half done
            Interrupted.attach(stop, [])
            raise
        return [(float(a) / self.n, float(b) / self.n) for a, b in sums[:done]]

    def weights(self) -> np.ndarray:
        return self.net.theta.copy()

    def load_weights(self, weights: np.ndarray) -> None:
        self.net.theta[:] = weights

    def parameters(self) -> np.ndarray:
        return self.net.theta

    def load_parameters(self, theta) -> None:
        self.net.theta[:] = np.asarray(theta, np.float32)
