"""The playground's session is built from the library: its data from ``nnlab.data.prepare``, its network from the
model builder, its parameter layout from the engine's model (FastMLP), its unit maps from
``nnlab.nn.forward.layer_outputs``.

References: fingerprints (SHA-256) of what the session built and sent before it used the library, for the same
settings and seeds (``tests/data/playground_session_pins.json``, written by the session as it was); the torch
model's own forward pass for the unit maps; ``prepare``'s own split for the data.
"""
import base64
import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pytest

from nnlab.playground.protocol import Settings
from nnlab.playground.session import Session

PINS = Path(__file__).parent / "data" / "playground_session_pins.json"

# name -> (settings, uploaded CSV or None, the label of the clicked point)
CASES = {
    "classic-circle-stream": (dict(seed=14372), None, 1),
    "classic-reg-gauss-l1-zero": (dict(dataset="reg-gauss", noise=20, percTrainData=30, seed=77, initZero=True,
                                       features=["x", "y", "sinX", "xTimesY"], networkShape=[5, 3],
                                       regularization="L1", regularizationRate=0.003, learningRate=0.1), None, 0.4),
    "classic-moons-numpy": (dict(dataset="moons", noise=10, percTrainData=70, seed=5, networkShape=[3],
                                 activation="relu"), None, 0),
    "nnlab-spirals-fast": (dict(mode="nnlab", dataset="spirals", classes=3, noise=20, percTrainData=60, seed=9,
                                features=["x", "y", "xSquared"], networkShape=[6, 4], activation="relu",
                                batchSize=16), None, 2),
    "nnlab-xor-stream-zero": (dict(mode="nnlab", dataset="xor", seed=321, initZero=True, networkShape=[4],
                                   optimizer="sgd", learningRate=0.1), None, -1),
    "nnlab-csv-dropout-torch": (dict(mode="nnlab", dataset="csv", percTrainData=80, seed=3, networkShape=[5, 5],
                                     activation="tanh", dropout=0.2, regularization="L2", regularizationRate=0.01,
                                     batchSize=7), "csv", 1),
}


def _csv():
    rng = np.random.default_rng(12)
    X = rng.uniform(-3, 3, (60, 2))
    return X, np.where(X[:, 0] * X[:, 1] > 0, 1, -1).astype(np.int64)


def _digest(value) -> str:
    if isinstance(value, np.ndarray):
        data = value.dtype.str.encode() + str(value.shape).encode() + np.ascontiguousarray(value).tobytes()
    else:
        data = json.dumps(value, sort_keys=True, default=str).encode()
    return hashlib.sha256(data).hexdigest()[:20]


_METRICS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy", "history")    # the Trainer's evaluate


def _state(s, tag: str) -> dict:
    """Digests of the data, the parameters and the frame now; the frame's losses and accuracies as numbers."""
    arrays = {"X_train": s.X_train, "X_test": s.X_test, "y_train": s.y_train, "y_test": s.y_test,
              "F_train": s.F_train, "F_test": s.F_test, "theta": np.array(s.trainer.parameters())}
    out: dict = {f"{tag}.{k}": _digest(v) for k, v in arrays.items()}
    out[f"{tag}.facts"] = _digest([list(s.sizes), s.task, s.domain, None if s.classes is None else s.classes.tolist(),
                                   s.epoch, s.draws, s.settings.seed, s.trainer.engine])
    frame = s.frame()
    out[f"{tag}.frame"] = _digest({k: v for k, v in frame.items() if k not in _METRICS})
    out[f"{tag}.metrics"] = [frame[k] for k in _METRICS[:4]] + [v for point in frame["history"] for v in point]
    return out


def fingerprints(name: str, session_class=Session, export=None) -> dict:
    """What a session shows along one run of actions: data, parameters, messages and frames, as digests."""
    if export is None:
        from nnlab.playground import export
    settings, csv, label = CASES[name]
    s = session_class(Settings(**{**settings, "dataset": "circle"}) if csv else Settings(**settings), rng_seed=4)
    if csv:
        s.csv = _csv()
        s.configure(Settings(**settings))
    out = _state(s, "start")
    out["network"] = _digest(s.network_message())
    out["data"] = _digest(s.data_message())
    s.train_for(math.inf, 9)
    out.update(_state(s, "trained"))
    s.set_param(0, 1, 0, 0.25)
    s.set_param(len(s.sizes) - 2, 0, None, -0.5)
    out.update(_state(s, "set"))
    s.reset()
    out.update(_state(s, "reset"))
    s.train_for(math.inf, 4)
    s.regenerate()
    out.update(_state(s, "regenerated"))
    s.add_point(1.5, -2.0, label)
    out.update(_state(s, "clicked"))
    s.train_for(math.inf, 3)
    out.update(_state(s, "clicked-trained"))
    out["weights"] = _digest(export.export_weights(s))
    if not csv:
        out["config"] = _digest(export.export_config(s))
        out["python"] = _digest(export.export_python(s))
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_same_settings_give_the_same_data_weights_and_frames_as_before(name):
    pinned = json.loads(PINS.read_text())[name]
    got = fingerprints(name)
    assert set(got) == set(pinned)
    metrics = [k for k in pinned if k.endswith(".metrics")]
    assert [k for k in pinned if k not in metrics and got[k] != pinned[k]] == []
    for k in metrics:       # the Trainer's losses: to float32 rounding (its evaluation may sum in either width)
        assert [v is None for v in got[k]] == [v is None for v in pinned[k]], k
        assert [v for v in got[k] if v is not None] == pytest.approx([v for v in pinned[k] if v is not None],
                                                                     rel=1e-6, abs=1e-7, nan_ok=True), k


def _torch_layers(model, X, tanh_output: bool) -> list[np.ndarray]:
    """Every Linear layer's activations (units, n), from the torch model's own modules, in eval mode."""
    import torch
    model.eval()
    out, a = [], torch.as_tensor(X, dtype=torch.float32)
    modules = list(model)
    with torch.no_grad():
        for i, module in enumerate(modules):
            a = module(a)
            last = i == len(modules) - 1
            if last or not isinstance(module, (torch.nn.Linear, torch.nn.Dropout)):     # an activation
                out.append((torch.tanh(a) if last and tanh_output else a).T.numpy())
    return out


@pytest.mark.parametrize("settings", [
    dict(seed=14372, networkShape=[4, 3]),                                               # classic: tanh output
    dict(dataset="reg-plane", activation="relu", features=["x", "y", "xTimesY"], seed=2),  # classic regression
    dict(mode="nnlab", dataset="spirals", classes=4, activation="gelu", networkShape=[6, 5], seed=3),   # fast
    dict(mode="nnlab", dataset="moons", activation="leaky_relu", dropout=0.3, seed=4, batchSize=8),     # torch
])
def test_the_unit_maps_are_the_torch_models_own_forward_pass(settings):
    """What the page draws (view.unit_maps) against the trained torch model's modules, layer by layer; in classic
    mode the engine's FastMLP as a torch model (its ``to_torch``), with the Playground's tanh output."""
    from nnlab.playground import maps, view
    s = Session(Settings(**settings))
    s.train_for(math.inf, 25)
    model = s.trainer.model if s.settings.mode == "nnlab" else s.trainer.model.to_torch()
    grid = maps.feature_matrix(maps.grid_points(s.domain), s.settings.features)
    got = view.unit_maps(s, grid)
    expected = _torch_layers(model, grid, tanh_output=s.output_activation == "tanh")
    assert [g.shape for g in got] == [e.shape for e in expected] == [(n, len(grid)) for n in s.sizes[1:]]
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(e).max()))   # float32 sums
    frame, logits = s.frame(), expected[-1]
    sent = lambda key, dtype: np.frombuffer(base64.b64decode(frame[key]), dtype).astype(int)   # noqa: E731
    if "output" in frame:               # one value in [-1, 1] per cell, sent as clip(v) * 127
        loss = s.train_config.loss if s.settings.mode == "nnlab" else None
        want = np.round(np.clip(maps.output_value(logits, loss), -1, 1) * 127)
        assert np.abs(sent("output", np.int8) - want).max() <= 1
    else:                               # the most probable class per cell
        assert np.mean(sent("output_classes", np.uint8) == logits.argmax(axis=0)) > 0.999


@pytest.mark.parametrize("settings", [dict(seed=31), dict(mode="nnlab", dataset="moons", dropout=0.2, seed=6)])
def test_set_param_writes_the_weight_the_engines_model_holds_there(settings):
    """Layer, unit and source name the torch model's ``weight[unit, source]`` (bias ``bias[unit]``)."""
    s = Session(Settings(**settings, networkShape=[4, 3]))
    s.set_param(1, 2, 3, 0.375)
    s.set_param(2, 0, None, -0.625)
    model = s.trainer.model if s.settings.mode == "nnlab" else s.trainer.model.to_torch()
    linears = [m for m in model.modules() if type(m).__name__ == "Linear"]
    assert linears[1].weight[2, 3].item() == 0.375 and linears[2].bias[0].item() == -0.625
    theta = s.trainer.parameters()
    assert np.count_nonzero(theta == np.float32(0.375)) == 1 and np.count_nonzero(theta == np.float32(-0.625)) == 1
    with pytest.raises(Exception, match="No parameter at layer 1, unit 3, source 0"):
        s.set_param(1, 3, 0, 1.0)


@pytest.mark.parametrize("settings", [
    dict(seed=14372, percTrainData=30),
    dict(mode="nnlab", dataset="spirals", classes=3, noise=20, percTrainData=70, seed=8, features=["x", "sinY"]),
    dict(dataset="seed-circle", percTrainData=10, seed=99),
])
def test_the_session_trains_on_what_prepare_gives_for_its_settings(settings):
    from nnlab.data.features import feature_matrix
    from nnlab.data.prepare import prepare
    from nnlab.playground.session import data_config
    s = Session(Settings(**settings))
    data = prepare(data_config(s.settings))
    assert np.array_equal(s.X_train, data.X_train) and np.array_equal(s.y_train, data.y_train)
    assert np.array_equal(s.X_test, data.X_test) and np.array_equal(s.y_test, data.y_test)
    assert np.array_equal(s.F_train, feature_matrix(data.X_train, s.settings.features))
    assert len(s.X_train) == (len(s.X_train) + len(s.X_test)) * s.settings.percTrainData // 100   # the cut
    label = s.classes[-1]
    s.add_point(0.25, -0.5, label)          # a clicked point joins the training data, its label indexed
    assert s.X_train[-1].tolist() == [0.25, -0.5] and s.classes[s.y_train[-1]] == label
    assert np.array_equal(s.X_train[:-1], data.X_train)


if __name__ == "__main__":      # writes the pins: run by the session as it was (see the module's docstring)
    import sys
    module = sys.argv[1] if len(sys.argv) > 1 else "nnlab.playground"
    import importlib
    session_class = importlib.import_module(f"{module}.session").Session
    export = importlib.import_module(f"{module}.export")
    PINS.write_text(json.dumps({name: fingerprints(name, session_class, export) for name in CASES}, indent=1) + "\n")
