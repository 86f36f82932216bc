"""The one training loop. The CLI, the tour and every lab call ``fit``; it reports through observers.

``fit`` = the engine's stepper (``TrainConfig.engine``, see ``nnlab.training.engines``: ``TorchStepper``, or the
fast engine's compiled kernels for small MLPs) driven by ``nnlab.training.driver.drive``, the epoch bookkeeping
written once for every engine. Importing this module does not import torch; the torch engine imports it when it
runs.
"""
from __future__ import annotations

from nnlab.config import TrainConfig
from nnlab.training.augment import _check_augmentation, augment_inputs, augmentation_rng
from nnlab.training.history import History
from nnlab.training.stepper import Stepper

__all__ = ["History", "fit", "evaluate", "augment_inputs", "augmentation_rng"]


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
    from nnlab.training.engines.torch_stepper import evaluate_torch
    return evaluate_torch(model, X, y, loss, task, precision)


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

    from nnlab.training.driver import drive
    from nnlab.training.engines import choose_engine
    if device is not None or precision is not None:
        config = replace(config, device=config.device if device is None else device,
                         precision=config.precision if precision is None else precision)
    _check_augmentation(config, X)
    choice = choose_engine(config.engine, config, model=model, observers=observers, data=(X, X_test))
    stepper: Stepper
    if choice.engine == "fast":
        from nnlab.training.engines.fast_fit import FastStepper
        stepper = FastStepper(model, X, y, config, task, eval_points=0 if X_test is None else len(X_test))
    else:
        from nnlab.training.engines.torch_stepper import TorchStepper
        stepper = TorchStepper(model, X, y, config, task, observers=observers)
    return drive(stepper, config, X, y, X_test=X_test, y_test=y_test, task=task, observers=observers)
