"""The playground: a browser lab in the spirit of TensorFlow Playground, trained by nnlab on the server.

``Session`` (session.py) holds one browser tab's data, model and Trainer; ``protocol.py`` validates every
message; ``server.py`` serves the page and one WebSocket per tab (``nnlab playground``). Importing this package
does not import fastapi or torch.
"""
from nnlab.playground.features import FEATURES, feature_matrix

__all__ = ["FEATURES", "feature_matrix", "Session", "Settings", "create_app", "serve"]


def __getattr__(name):
    import importlib
    where = {"Session": "session", "Settings": "protocol", "create_app": "server", "serve": "server"}
    if name in where:
        return getattr(importlib.import_module(f"nnlab.playground.{where[name]}"), name)
    raise AttributeError(f"module 'nnlab.playground' has no attribute {name!r}")
