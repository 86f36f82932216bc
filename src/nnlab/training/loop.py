"""The one training loop. The CLI, the tour and every lab call ``fit``; it reports through observers.

``fit`` hands the epochs to an engine (``TrainConfig.engine``, see ``nnlab.training.engines``): the torch loop
below, or the fast engine's compiled kernels for small MLPs. Importing this module does not import torch; the
torch engine imports it when it runs.
"""
from __future__ import annotations

import math
import time

import numpy as np

from nnlab.config import TrainConfig
from nnlab.threads import torch_threads
from nnlab.training.augment import _check_augmentation, augment_inputs, augmentation_rng
from nnlab.training.history import History
from nnlab.training.losses import LOSSES
from nnlab.training.observers import Observer
from nnlab.training.penalty import linear_weights, penalty
from nnlab.training.stopping import EarlyStopping

__all__ = ["History", "fit", "evaluate", "augment_inputs", "augmentation_rng"]

_SYNC_EVERY = 100     # epochs between host syncs when nothing reads the metrics every epoch


def _tensor(a, dtype):
    import torch
    return a.to(dtype) if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a)).to(dtype)


def _output_size(model, X) -> int:
    """The model's number of outputs, from its last Linear layer, else from an eval-mode forward pass."""
    import torch
    from torch import nn
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
    import torch
    work = batch * sum(p.numel() for p in model.parameters())      # ~ multiply-adds per forward pass
    return 1 if work < 5_000_000 else torch.get_num_threads()


def evaluate(model, X, y, loss: str = "cross-entropy", task: str = "classification",
             precision: str = "fp32") -> dict:
    """Loss and (for classification) accuracy of ``model`` on ``X`` (n, d) and labels ``y`` (n,), in eval mode.

    ``model`` is a torch module (evaluated on its parameters' device, under autocast for bf16/fp16) or a FastMLP
    (evaluated by the fast engine's kernels, without torch).
    """
    from nnlab.training.engines.fast_model import FastMLP
    if isinstance(model, FastMLP):
        from nnlab.training.engines.fast_fit import evaluate_fast
        return evaluate_fast(model, X, y, loss, task)
    import torch
    spec = LOSSES[loss]
    was_training = model.training
    model.eval()
    from nnlab.training.precision import autocast
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


def fit(model, X, y, config: TrainConfig = TrainConfig(), *, X_test=None, y_test=None,
        task: str = "classification", observers=(), device: str | None = None,
        precision: str | None = None) -> History:
    """Train ``model`` in place on ``X`` (n, d) and ``y`` (n,) and return its History.

    Parameters
    ----------
    model : torch.nn.Module mapping (batch, d) inputs to (batch, outputs), or a FastMLP
    X, y : arrays or tensors. For classification ``y`` holds class indices 0..K-1; for regression, targets.
    config : TrainConfig (optimizer, lr, epochs, batch_size, loss, l1, l2, early_stopping, augment_jitter,
        augment_shift, seed, engine)
    X_test, y_test : optional held-out data, evaluated after every epoch
    task : "classification" or "regression"
    observers : Observer instances, called at fit start, after each backward, at each epoch end, at fit end
    device, precision : override ``config.device`` ("auto", "cpu", "cuda") and ``config.precision`` ("fp32",
        "bf16", "fp16"); see ``nnlab.training.precision``. The torch engine moves the model to the device.

    Notes
    -----
    ``config.engine`` picks who runs the epochs (``nnlab.training.engines``): "auto" gives small MLPs on the CPU
    to the fast engine and everything else to torch; both mean the same run. On the fast engine the model's
    parameters become views of one NumPy vector that the kernels update in place, so observers see the model
    as it is after each epoch; ``on_after_backward`` observers need torch gradients, so "auto" gives them torch.

    Early stopping monitors the test loss if there is test data, else the training loss; training stops after
    ``early_stopping`` epochs without improvement, and the model is then given back the weights it had at the end
    of its best epoch (``History.best_epoch``), also when the epochs ran out first. Augmentation
    (``augment_jitter``, ``augment_shift``; see ``augment_inputs``) draws a fresh variant of the training inputs
    every epoch; the metrics of ``final`` are measured on the inputs as given.

    Ctrl-C stops training after the current step and returns the history so far with ``interrupted=True``.
    """
    from dataclasses import replace

    from nnlab.training.engines import choose_engine
    if device is not None or precision is not None:
        config = replace(config, device=config.device if device is None else device,
                         precision=config.precision if precision is None else precision)
    _check_augmentation(config, X)
    choice = choose_engine(config.engine, config, model=model, observers=observers, data=(X, X_test))
    if choice.engine == "fast":
        from nnlab.training.engines.fast_fit import fit_fast
        return fit_fast(model, X, y, config, X_test=X_test, y_test=y_test, task=task, observers=observers)
    return _fit_torch(model, X, y, config, X_test=X_test, y_test=y_test, task=task, observers=observers)


def _fit_torch(model, X, y, config: TrainConfig, *, X_test, y_test, task: str, observers) -> History:
    """The torch engine. Per-epoch metrics stay in tensors and reach Python (one host sync) every epoch only
    when something reads them then: test data, early stopping or an observer's ``on_epoch_end``; otherwise
    every ``_SYNC_EVERY`` epochs, when the loss is also checked for divergence."""
    import torch
    from torch import nn

    from nnlab.training.precision import GradScaler, autocast, resolve_device
    device = resolve_device(config.device, config.precision)
    model.to(device)
    spec = LOSSES[config.loss]
    classify = task == "classification"
    X = _tensor(X, torch.float32).to(device)                                 # (n, d)
    y = _tensor(y, torch.int64 if classify else torch.float32).to(device)    # (n,)
    has_test = X_test is not None and len(X_test) > 0
    if has_test:
        X_test = _tensor(X_test, torch.float32).to(device)
        y_test = _tensor(y_test, torch.int64 if classify else torch.float32).to(device)
    n = X.shape[0]
    out_size = _output_size(model, X)
    has_batch_norm = any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())
    targets = spec.targets(y, out_size)                                      # (n,) or (n, outputs)
    batch = n if config.batch_size is None else min(config.batch_size, n)
    order_rng = torch.Generator().manual_seed(config.seed)                   # mini-batch order only
    torch.manual_seed(config.seed)                                           # dropout masks
    from nnlab.training.engines.torch_optim import make_torch_optimizer
    params = [p for p in model.parameters() if p.requires_grad]
    if config.precision == "fp16":        # the gradient scaler steps torch.optim optimizers
        from nnlab.training.optimizers import OPTIMIZERS
        optimizer = OPTIMIZERS[config.optimizer].make(params, config.lr)
    else:
        optimizer = make_torch_optimizer(config.optimizer, params, config.lr)  # fused where torch has it
    scaler = GradScaler(device, config.precision)
    from nnlab.training.schedules import lr_at, set_optimizer_lr
    scheduled = config.lr_schedule != "constant"
    regularize = config.l1 > 0 or config.l2 > 0
    after_backward = [o for o in observers if type(o).on_after_backward is not Observer.on_after_backward]
    every_epoch = (has_test or config.early_stopping is not None
                   or any(type(o).on_epoch_end is not Observer.on_epoch_end for o in observers))
    chunk = min(config.epochs, _SYNC_EVERY)
    history = History()
    pending = 0                                               # epochs in the buffers, not in history yet

    def buffers():
        return (torch.zeros(chunk, device=device),                          # per epoch: loss sum, correct count
                torch.zeros(chunk, dtype=torch.int64, device=device))

    losses, corrects = buffers()

    def sync() -> bool:
        """Move the pending epochs into history (one host sync); False, history cut there, at a non-finite loss."""
        nonlocal pending, losses, corrects
        values = zip(losses[:pending].tolist(), corrects[:pending].tolist())
        pending, (losses, corrects) = 0, buffers()
        for epoch_loss, right in values:
            history.loss.append(epoch_loss / n)
            if classify:
                history.train_accuracy.append(right / n)
            if not math.isfinite(history.loss[-1]):
                return False
        return True

    stopping = EarlyStopping(config.early_stopping)
    augmenting = config.augment_jitter > 0 or config.augment_shift > 0
    if augmenting:
        plain, aug_rng = X.cpu().numpy(), augmentation_rng(config.seed)
    with torch_threads(_threads_for(model, batch)):
        for o in observers:
            o.on_fit_start(model, config)
        model.train()
        start = time.perf_counter()
        try:
            for epoch in range(1, config.epochs + 1):
                if scheduled:
                    set_optimizer_lr(optimizer, lr_at(config.lr_schedule, config.lr, epoch, config.epochs))
                # 1) the epoch's batches: the whole set (full batch) or a fresh seeded permutation, of the inputs
                #    as given or of this epoch's augmented variant
                inputs = X if not augmenting else torch.from_numpy(
                    augment_inputs(plain, config.augment_jitter, config.augment_shift, aug_rng)).to(X.device)
                if batch == n:
                    batches = [(inputs, targets, y)]
                else:
                    chunks = list(torch.randperm(n, generator=order_rng).split(batch))
                    if has_batch_norm and len(chunks) > 1 and len(chunks[-1]) == 1:
                        chunks[-2:] = [torch.cat(chunks[-2:])]   # batch norm cannot train on a single sample
                    batches = [(inputs[i], targets[i], y[i]) for i in chunks]
                loss_sum, correct = losses[pending], corrects[pending]
                for xb, tb, yb in batches:
                    # 2) forward and loss;  3) backward;  4) step
                    with autocast(device, config.precision):                     # bf16/fp16: autocast
                        out = model(xb)                                          # (b, outputs)
                        loss = spec.value(out, tb)
                    objective = loss + penalty(linear_weights(model), config.l1, config.l2) if regularize else loss
                    for p in params:                 # optimizer.zero_grad(set_to_none=True), minus its overhead
                        p.grad = None
                    scaler.backward(objective)
                    for o in after_backward:
                        o.on_after_backward(model)
                    scaler.step(optimizer)
                    loss_sum.add_(loss.detach(), alpha=xb.shape[0])
                    if classify:
                        correct += (spec.predict(out.detach()) == yb).sum()
                pending += 1
                history.epochs_run = epoch
                # 5) the epoch's metrics: a host sync now only if something reads them now
                if not every_epoch:
                    if pending == chunk and not sync():
                        history.diverged, history.epochs_run = True, len(history.loss)
                        break
                    continue
                finite = sync()
                logs = {"epoch": epoch, "loss": history.loss[-1]}
                if classify:
                    logs["train_accuracy"] = history.train_accuracy[-1]
                if has_test:
                    test = evaluate(model, X_test, y_test, config.loss, task, config.precision)
                    logs["test_loss"] = test["loss"]
                    history.test_loss.append(test["loss"])
                    if classify:
                        logs["test_accuracy"] = test["accuracy"]
                        history.test_accuracy.append(test["accuracy"])
                for o in observers:
                    o.on_epoch_end(epoch, logs, model)
                if not finite:
                    history.diverged = True
                    break
                # 6) early stopping: keep the best epoch's weights
                if stopping.update(epoch, logs, history,
                                   lambda: {k: v.detach().clone() for k, v in model.state_dict().items()}):
                    break
        except KeyboardInterrupt:
            history.interrupted = True
    if stopping.best_weights is not None:
        model.load_state_dict(stopping.best_weights)          # early stopping: back to the best epoch's weights
    if pending and not sync():
        history.diverged = True
    history.epochs_run = len(history.loss)
    history.wall_time_s = time.perf_counter() - start
    history.device, history.precision = device, config.precision
    history.final = {f"train_{k}": v for k, v in evaluate(model, X, y, config.loss, task, config.precision).items()}
    if has_test:
        history.final.update({f"test_{k}": v for k, v in
                              evaluate(model, X_test, y_test, config.loss, task, config.precision).items()})
    for o in observers:
        o.on_fit_end(history, model)
    return history
