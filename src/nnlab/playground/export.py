"""Export a session as nnlab JSON (the config ``nnlab train --config`` reads), its weights, or Python code that
rebuilds and trains the same model; import a config or the page's own settings."""
from __future__ import annotations

import json

from nnlab._validation import InvalidArgument
from nnlab.playground.protocol import Settings

__all__ = ["export_config", "export_weights", "export_python", "import_settings"]


def _run_config(session):
    from nnlab.config import RunConfig
    if session.settings.dataset == "csv":
        raise InvalidArgument("An uploaded CSV cannot be exported as a config (the file is not on disk).", "export")
    from dataclasses import replace
    train = replace(session.train_config, epochs=max(session.epoch, 1))
    return RunConfig(data=session.data_config, model=session.model_config, train=train)


def export_config(session) -> tuple[str, list[str]]:
    """The run as nnlab JSON, and what it cannot say (notes for the page)."""
    s, notes = session.settings, []
    if s.features != ["x", "y"]:
        notes.append(f"nnlab train feeds the raw x1, x2; the features {s.features} are not in this config.")
    if s.mode == "classic":
        notes.append("nnlab train has fit's semantics (shuffled mini-batches, penalty in the gradient, linear "
                     "output); the classic Playground rules (tanh output, stored order, L1 zero rule) are not in it.")
    elif not s.reshuffle:
        notes.append("nnlab train always reshuffles the batches each epoch.")
    if session.extra:
        notes.append(f"{len(session.extra)} clicked points are not in the config.")
    return _run_config(session).to_json(), notes


def export_weights(session) -> str:
    """Every layer's weight (out, in) and bias as JSON, with the shape and activations."""
    net = session.network()
    layers = [{"weight": weight.round(6).tolist(), "bias": bias.round(6).tolist()} for weight, bias in net.layers()]
    return json.dumps({"sizes": list(net.sizes), "features": session.settings.features,
                       "activation": session.settings.activation, "mode": session.settings.mode,
                       "epoch": session.epoch, "layers": layers}, indent=1)


def export_python(session) -> str:
    """Python that rebuilds the data, the model and its initial weights, and trains it as the page does."""
    s = session.settings
    cfg = _run_config(session)
    epochs = max(session.epoch, 1)
    semantics = "playground" if s.mode == "classic" else "nnlab"
    build = ("FastMLP.from_config(cfg.model, seed=cfg.train.seed)" if s.mode == "classic"
             else "build_mlp(cfg.model, seed=cfg.train.seed)")
    weights = ""
    if s.mode == "classic" and session.stream is not None:     # the Playground's draws, one network per Reset
        drawn = max(session.draws, 1)
        weights = ("# The page's network came from before Regenerate; this draws this seed's first network.\n"
                   if session.draws == 0 else "")
        weights += (f"for _ in range({drawn}):   # the network drawn after the data, then one per Reset\n"
                    f"    theta = stream_weights({tuple(session.sizes)!r}, data.stream, zero={s.initZero!r})\n"
                    "trainer.load_parameters(theta)\n")
    elif s.initZero:
        weights = "trainer.load_parameters(np.zeros_like(trainer.parameters()))   # initZero\n"
    return f'''"""Rebuild and train the playground's model ({s.mode} mode, {"-".join(map(str, session.sizes))})."""
import numpy as np

from nnlab.config import RunConfig
from nnlab.data.playground_stream import stream_weights
from nnlab.data.prepare import prepare
from nnlab.nn import build_mlp
from nnlab.playground.features import feature_matrix
from nnlab.training.engines.fast_model import FastMLP
from nnlab.training.trainer import Trainer

cfg = RunConfig.from_dict({cfg.to_dict()!r})
data = prepare(cfg.data)
features = {s.features!r}
X_train, X_test = feature_matrix(data.X_train, features), feature_matrix(data.X_test, features)
model = {build}
trainer = Trainer(model, X_train, data.y_train, cfg.train, task=data.task, semantics={semantics!r},
                  reshuffle={s.reshuffle if s.mode == "nnlab" else False!r})
{weights}trainer.step({epochs})
print("train", trainer.evaluate(X_train, data.y_train), "test", trainer.evaluate(X_test, data.y_test))
'''


def import_settings(text: str, current: Settings) -> Settings:
    """Settings from the page's own JSON (as exported) or from an nnlab run config ({"data", "model", "train"})."""
    try:
        values = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidArgument(f"The imported text is not JSON: {err.msg} at line {err.lineno}.", "import") from None
    except (ValueError, RecursionError) as err:     # an integer of over 4300 digits; nesting too deep
        raise InvalidArgument(f"The imported text is not JSON this page reads: {err or 'nested too deeply'}.",
                              "import") from None
    if isinstance(values, dict) and set(values) & {"data", "model", "train"}:
        from nnlab.config import RunConfig
        cfg = RunConfig.from_dict(values)
        if cfg.data.dataset == "csv":
            raise InvalidArgument("A CSV config cannot be imported; upload the CSV file instead.", "import")
        if cfg.model.input_size != 2:
            raise InvalidArgument(f"The playground's data is 2-D; the config's model takes {cfg.model.input_size} "
                                  "inputs.", "import")
        regularization = "L1" if cfg.train.l1 > 0 else ("L2" if cfg.train.l2 > 0 else "none")
        update = {"mode": "nnlab", "dataset": cfg.data.dataset, "seed": cfg.data.seed, "features": ["x", "y"],
                  "noise": int(round(100 * (cfg.data.noise or 0))),
                  "percTrainData": min(max(int(round(100 * (1 - cfg.data.test_fraction) / 10) * 10), 10), 90),
                  "networkShape": list(cfg.model.hidden_sizes), "activation": cfg.model.activation,
                  "dropout": cfg.model.dropout, "init": cfg.model.init, "optimizer": cfg.train.optimizer,
                  "loss": cfg.train.loss, "learningRate": cfg.train.lr, "regularization": regularization,
                  "regularizationRate": cfg.train.l1 or cfg.train.l2,
                  "batchSize": cfg.train.batch_size or 1000, "classes": cfg.data.classes or 3}
        values = {**current.model_dump(), **update}
    if not isinstance(values, dict):
        raise InvalidArgument("The imported JSON must be an object (settings or an nnlab config).", "import")
    from pydantic import ValidationError
    try:
        return Settings(**values)
    except ValidationError as err:
        first = err.errors()[0]
        raise InvalidArgument(f"Cannot import: {'.'.join(map(str, first['loc']))}: {first['msg']}", "import") from None
