"""What the page is sent about a Session: the network, the data, and frames (maps, metrics, weights)."""
from __future__ import annotations

import numpy as np

from nnlab.data.features import FEATURES, feature_matrix
from nnlab.playground import maps

__all__ = ["network_message", "data_message", "frame", "unit_maps"]


def unit_maps(session, inputs) -> list[np.ndarray]:
    """Every layer's activations (units, n) for the network inputs (n, d), output layer last, as the page draws
    them: the engine's model now, through ``nnlab.nn.forward.layer_outputs``."""
    return maps.unit_maps(session.network(), inputs, session.output_activation)


def network_message(session) -> dict:
    """The network's shape, inputs and their (fixed) maps; sent after every rebuild."""
    s = session.settings
    feats = maps.feature_maps(list(FEATURES), session.domain)         # every feature, on or off
    return {"type": "network", "sizes": list(session.sizes), "features": list(s.features),
            "labels": [FEATURES[k].label for k in s.features], "mode": s.mode, "task": session.task,
            "classes": None if session.classes is None else session.classes.tolist(), "domain": session.domain,
            "engine": session.trainer.engine, "loss": session._loss(),
            "inputs": {k: maps.encode_signed(maps.thumbnail(v)) for k, v in feats.items()},
            "settings": s.model_dump()}


def data_message(session) -> dict:
    def points(X, y):
        labels = session.classes[y] if session.classes is not None else y
        return np.round(np.column_stack([X, labels]), 4).tolist()
    return {"type": "data", "train": points(session.X_train, session.y_train),
            "test": points(session.X_test, session.y_test),
            "domain": session.domain, "task": session.task}


def frame(session) -> dict:
    """The state now: metrics, new chart points, the output map, every unit's thumbnail, the weights."""
    if not session.history or session.history[-1][0] != session.epoch:
        session.record()
    grid = feature_matrix(maps.grid_points(session.domain), session.settings.features)
    layers = unit_maps(session, grid)
    logits = layers[-1]
    s = session.settings
    frame = {"type": "frame", "epoch": session.epoch, "learningRate": s.learningRate,
             "regularizationRate": s.regularizationRate, **session.metrics, "history": session.history[session.sent:],
             "thumbs": maps.thumbnails(layers[:-1]),
             "weights": np.round(session.trainer.parameters().astype(np.float64), 4).tolist()}
    session.sent = len(session.history)
    dead = session.trainer.dead_links
    frame["dead"] = [] if dead is None else np.flatnonzero(dead).tolist()
    loss = None if session.settings.mode == "classic" else session._loss()
    if logits.shape[0] > 2 and session.task == "classification":
        p = maps.class_probabilities(logits)
        frame["output_classes"] = maps.encode_bytes(p.argmax(axis=0))
        frame["output_confidence"] = maps.encode_bytes(np.round(p.max(axis=0) * 255))
    else:
        frame["output"] = maps.encode_signed(maps.output_value(logits, loss))
    frame["focus"] = _focus_map(session, grid, layers)
    frame.update(_scores(session, loss))
    return frame


def _focus_map(session, grid, layers):
    if not session.focus:
        return None
    kind, _, key = session.focus.partition(":")
    if kind == "in":
        return maps.encode_signed(grid[:, session.settings.features.index(key)]) if key in session.settings.features \
            else None
    layer, unit = int(kind), int(key)
    if 1 <= layer <= len(layers) and unit < layers[layer - 1].shape[0]:
        return maps.encode_signed(layers[layer - 1][unit])
    return None


def _scores(session, loss) -> dict:
    """R^2 (regression) or the confusion matrix (classification, test points else train points)."""
    X, y = (session.F_test, session.y_test) if len(session.y_test) else (session.F_train, session.y_train)
    logits = unit_maps(session, X)[-1]
    if session.task == "regression":
        r2 = {}
        sets = {"train": (session.F_train, session.y_train), "test": (session.F_test, session.y_test)}
        for name, (F, t) in sets.items():
            if len(t) > 1:
                pred = unit_maps(session, F)[-1][0].astype(np.float64)
                total = float(np.sum((t - t.mean()) ** 2))
                r2[name] = 1 - float(np.sum((t - pred) ** 2)) / total if total > 0 else None
        return {"r2_train": r2.get("train"), "r2_test": r2.get("test")}
    K = len(session.classes)
    pred = (maps.output_value(logits, loss) > 0).astype(int) if logits.shape[0] <= 2 else logits.argmax(axis=0)
    confusion = np.zeros((K, K), int)
    np.add.at(confusion, (y, pred), 1)
    return {"confusion": confusion.tolist(), "confusion_on": "test" if len(session.y_test) else "train"}
