"""What each engine can train, in one table: ``supports(engine, config, ...) -> None | reason``.

One row per engine (``CAPABILITIES``): a function ``row(config, *, driver, model, model_config, observers, data)``
that returns None when the engine can run ``config`` for that driver, else a short phrase naming what it cannot
("dropout", "precision bf16", "lr_schedule cosine"). ``choose_engine``, ``fit`` and the Trainer decide and word
their refusals from it; another engine (the sweeps' batched one) adds its row with ``CAPABILITIES[name] = row``.

- ``driver``: "fit" (``nnlab.fit``) or "trainer" (the playground's resumable ``Trainer``).
- ``model``: the torch module or FastMLP to train, or None before one exists, when ``model_config`` (a
  ModelConfig) describes it. ``observers``: fit's observers. ``data``: the arrays or tensors trained on.

The Trainer has no early stopping (its caller decides when to stop): every engine ignores ``early_stopping``
there rather than refusing it. Importing this module loads neither torch nor numba.
"""
from __future__ import annotations

from collections.abc import Callable

from nnlab.training.engines import support

__all__ = ["CAPABILITIES", "DRIVERS", "supports", "argument_of", "torch_supports", "fast_supports",
           "playground_supports"]

DRIVERS = ("fit", "trainer")

Row = Callable[..., "str | None"]


def _is_fast_mlp(model) -> bool:
    if model is None:
        return False
    from nnlab.training.engines.fast_model import FastMLP
    return isinstance(model, FastMLP)


def _device_problem(*arrays) -> str | None:
    for a in arrays:
        device = getattr(a, "device", None)
        if device is not None and getattr(device, "type", "cpu") != "cpu":
            return f"data on {device}"
    return None


def torch_supports(config, *, driver: str = "fit", model=None, model_config=None, observers=(),
                   data=()) -> str | None:
    """PyTorch eager: any torch model, device and precision, every TrainConfig field, on both drivers."""
    if _is_fast_mlp(model):
        return "a FastMLP (pass model.to_torch())"
    return None


def fast_supports(config, *, driver: str = "fit", model=None, model_config=None, observers=(),
                  data=()) -> str | None:
    """The compiled CPU kernels: a small plain MLP in float32 (``support.py`` has the rules), on both drivers."""
    from nnlab.training.engines.fast_model import model_problem
    return (support.observer_problem(observers) or support.train_problem(config) or _device_problem(*data)
            or (model_problem(model) if model is not None else support.config_problem(model_config, config)))


# TrainConfig fields TensorFlow Playground's rules know nothing of, with the value that means "not used"
_NOT_IN_PLAYGROUND = {"lr_schedule": "constant", "augment_jitter": 0.0, "augment_shift": 0.0, "precision": "fp32"}


def playground_supports(config, *, driver: str = "fit", model=None, model_config=None, observers=(),
                        data=()) -> str | None:
    """TensorFlow Playground's rules (``classic_kernels``): the Trainer only, a FastMLP, one penalty, plain SGD
    on squared loss; no schedule, augmentation or reduced precision."""
    if driver != "trainer":
        return f"driver {driver!r} (only the Trainer steps TensorFlow Playground's rules)"
    if model is not None and not _is_fast_mlp(model):
        return f"a {type(model).__name__} (the playground's rules train a FastMLP)"
    for name, unused in _NOT_IN_PLAYGROUND.items():
        if getattr(config, name) != unused:
            return f"{name} {getattr(config, name)}"
    if config.l1 > 0 and config.l2 > 0:
        return "l1 and l2 together (one penalty, L1 or L2)"
    return None


CAPABILITIES: dict[str, Row] = {"torch": torch_supports, "fast": fast_supports, "playground": playground_supports}


def supports(engine: str, config, *, driver: str = "fit", model=None, model_config=None, observers=(),
             data=()) -> str | None:
    """None when ``engine`` can run ``config`` on ``driver``, else the reason it cannot (see the module doc)."""
    return CAPABILITIES[engine](config, driver=driver, model=model, model_config=model_config,
                                observers=observers, data=data)


def argument_of(reason: str) -> str:
    """The argument a reason is about, for InvalidArgument: "model" for "a Sequential ...", else its first word
    (a TrainConfig field such as "lr_schedule", or "driver")."""
    return "model" if reason.startswith("a ") else reason.split()[0]
