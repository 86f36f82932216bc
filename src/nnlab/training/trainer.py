"""A resumable trainer: ``fit``'s epochs a few at a time, with the learning rate and penalties changeable between.

``Trainer(model, X, y, config).step(n)`` trains n epochs and returns their metrics; calling ``step(N)`` then
``step(M)`` is the same run as ``fit`` for N + M epochs (same seed: same batch order, same updates). The pieces
are ``fit``'s own: the LOSSES specs, ``_penalty``, ``make_torch_optimizer`` and ``evaluate`` on the torch engine;
the fast engine's ``_State`` and ``kernels.run_epoch``.

``semantics="playground"`` trains as TensorFlow Playground does instead (``engines/classic_kernels.py``):
squared loss 0.5 (out - y)^2 on a tanh output (classification, labels -1/+1) or a linear one (regression),
plain SGD, samples in stored order, per-update regularisation with the L1 zero rule. ``config.l1`` or
``config.l2`` gives the penalty kind and rate (not both).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnlab._validation import InvalidArgument, check_nonneg, check_positive
from nnlab.config import TrainConfig
from nnlab.threads import torch_threads

__all__ = ["Trainer", "TrainerState"]


@dataclass(frozen=True)
class TrainerState:
    epoch: int          # epochs trained so far
    lr: float
    l1: float
    l2: float
    engine: str         # "torch", "fast" or "playground"
    diverged: bool      # a training loss was not finite


# TrainConfig fields (and their defaults) that only ``fit`` implements; the Trainer refuses other values.
# TrainConfig fields a driver cannot do, with their defaults: the Trainer steps fp32 training on the CPU, and
# TensorFlow Playground's rules know no schedule or augmentation.
_NOT_STEPPED = {"precision": "fp32"}
_NOT_PLAYGROUND = {"augment_jitter": 0.0, "augment_shift": 0.0, "lr_schedule": "constant"}


class _TorchStepper:
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

        from nnlab.training.loop import _penalty
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
            objective = loss + _penalty(self.model, self.l1, self.l2) if regularize else loss
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


class _FastStepper:
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


class _PlaygroundStepper:
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


class Trainer:
    """Train ``model`` on ``X`` (n, d), ``y`` (n,) a few epochs at a time.

    Parameters
    ----------
    model : a torch MLP or a FastMLP (``semantics="playground"`` needs a FastMLP)
    config : TrainConfig; ``early_stopping`` is ignored (the caller decides when to stop); a learning-rate
        schedule runs over ``epochs`` epochs as in ``fit`` (stepping on past them keeps its last rate), and
        augmentation draws a fresh variant of the inputs every epoch, the same as ``fit``'s
        (``semantics="playground"``: neither, as TensorFlow Playground has neither)
    task : "classification" (class indices 0..K-1, or -1/+1 labels for the playground semantics) or "regression"
    reshuffle : a fresh seeded batch order every epoch (``fit``'s behaviour); False keeps the stored order
    semantics : "nnlab" (``fit``'s meaning, on ``config.engine``) or "playground" (TensorFlow Playground's)
    """

    def __init__(self, model, X, y, config: TrainConfig = TrainConfig(), *, task: str = "classification",
                 reshuffle: bool = True, semantics: str = "nnlab"):
        if semantics not in ("nnlab", "playground"):
            raise InvalidArgument(f"The 'semantics' parameter of Trainer must be one of ['nnlab', 'playground']. "
                                  f"Got {semantics!r} instead.", "semantics")
        unsupported = [name for name, default in _NOT_STEPPED.items() if getattr(config, name, default) != default]
        if unsupported:
            raise InvalidArgument(f"The Trainer steps fp32 training on the CPU; {unsupported} of TrainConfig "
                                  "need nnlab.fit.", unsupported[0])
        unsupported = [name for name, default in _NOT_PLAYGROUND.items() if getattr(config, name, default) != default]
        if semantics == "playground" and unsupported:
            raise InvalidArgument(f"TensorFlow Playground's training rules have no {unsupported} (TrainConfig); "
                                  "use the nnlab semantics.", unsupported[0])
        self.config, self.task, self.semantics = config, task, semantics
        self.epoch_, self.diverged_ = 0, False
        self._lr, self._l1, self._l2 = config.lr, config.l1, config.l2
        self._impl: _PlaygroundStepper | _FastStepper | _TorchStepper
        if semantics == "playground":
            self._impl, self.engine = _PlaygroundStepper(model, X, y, config, task), "playground"
        else:
            from nnlab.training.engines import choose_engine
            self.engine = choose_engine(config.engine, config, model=model, data=(X,)).engine
            cls = _FastStepper if self.engine == "fast" else _TorchStepper
            self._impl = cls(model, X, y, config, task, reshuffle)
        self.model = model
        self._augment = (config.augment_jitter, config.augment_shift)
        self._per_epoch = config.lr_schedule != "constant" or any(self._augment)
        if any(self._augment):
            from nnlab.training.augment import augmentation_rng
            self._plain = np.ascontiguousarray(np.asarray(X.detach().cpu() if hasattr(X, "detach") else X,
                                                          dtype=np.float32))
            self._aug_rng = augmentation_rng(config.seed)

    def _start_epoch(self, epoch: int) -> None:
        """What ``fit`` does before epoch ``epoch`` (1-based): its scheduled rate, its augmented inputs."""
        c = self.config
        if c.lr_schedule != "constant":
            from nnlab.training.schedules import lr_at
            self._impl.set_lr(lr_at(c.lr_schedule, self._lr, min(epoch, c.epochs), c.epochs))
        if any(self._augment):
            from nnlab.training.augment import augment_inputs
            assert not isinstance(self._impl, _PlaygroundStepper)
            self._impl.set_inputs(augment_inputs(self._plain, *self._augment, self._aug_rng))

    def step(self, epochs: int = 1) -> dict:
        """Train ``epochs`` more epochs; stop early at the first non-finite training loss.

        Returns {"epoch": epochs so far, "loss": [per-epoch mean training loss], "train_accuracy": [...]
        (classification), "diverged": bool}. The losses are those of the training forward passes (``History.loss``).
        """
        n = max(int(epochs), 0)
        if not self._per_epoch:
            results = self._impl.run(n) if n else []
        else:                                   # epoch by epoch: a scheduled rate, fresh augmented inputs
            results = []
            for _ in range(n):
                self._start_epoch(self.epoch_ + len(results) + 1)
                results += self._impl.run(1)
                if not math.isfinite(results[-1][0]):
                    break
        self.epoch_ += len(results)
        if results and not math.isfinite(results[-1][0]):
            self.diverged_ = True
        metrics = {"epoch": self.epoch_, "loss": [r[0] for r in results], "diverged": self.diverged_}
        if self.task == "classification":
            metrics["train_accuracy"] = [r[1] for r in results]
        return metrics

    def evaluate(self, X, y) -> dict:
        """Loss (and accuracy) of the model now on X, y, in eval mode; {} for no points."""
        if len(y) == 0:
            return {}
        if isinstance(self._impl, _PlaygroundStepper):
            return self._impl.evaluate(X, y)
        from nnlab.training.loop import evaluate
        return evaluate(self.model, X, y, self.config.loss, self.task)

    def set_lr(self, lr: float) -> None:
        """Change the learning rate from the next update on (optimizer state is kept); with a schedule, its base
        rate, from the next epoch on."""
        self._lr = check_positive("lr", lr, "Trainer")
        if self.config.lr_schedule == "constant":
            self._impl.set_lr(lr)

    def set_regularization(self, l1: float = 0.0, l2: float = 0.0) -> None:
        """Change the L1/L2 rates from the next update on."""
        self._l1, self._l2 = check_nonneg("l1", l1, "Trainer"), check_nonneg("l2", l2, "Trainer")
        if isinstance(self._impl, _TorchStepper):
            self._impl.l1, self._impl.l2 = l1, l2
        else:
            self._impl.set_penalties(l1, l2)

    def parameters(self) -> np.ndarray:
        """Every parameter, flat float32 in torch's order (W1, b1, W2, ...): the live vector on the fast and
        playground engines, a copy on torch (write it back with ``load_parameters``)."""
        net = getattr(self._impl, "net", None)
        if net is not None:
            return net.theta
        import torch
        return torch.nn.utils.parameters_to_vector(self.model.parameters()).detach().numpy().copy()

    def load_parameters(self, theta) -> None:
        """Overwrite every parameter with ``theta`` (flat, torch's order); optimizer state is kept."""
        net = getattr(self._impl, "net", None)
        if net is not None:
            net.theta[:] = np.asarray(theta, np.float32)
            return
        import torch
        with torch.no_grad():
            torch.nn.utils.vector_to_parameters(torch.as_tensor(np.asarray(theta, np.float32)),
                                                self.model.parameters())

    @property
    def dead_links(self) -> np.ndarray | None:
        """Playground semantics: a 0/1 flag per parameter (theta order), 1 where L1 killed the link."""
        return getattr(self._impl, "dead", None)

    @property
    def state(self) -> TrainerState:
        return TrainerState(self.epoch_, self._lr, self._l1, self._l2, self.engine, self.diverged_)

    def __repr__(self) -> str:
        return f"Trainer({self.engine}, epoch {self.epoch_}, lr {self._lr})"
