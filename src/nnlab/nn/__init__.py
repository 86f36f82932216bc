"""Neural-network building blocks on PyTorch: the ACTIVATIONS and INITS registries and the MLP builder.

The registries import without torch; ``MLP``, ``build_mlp`` and ``count_parameters`` load torch on first use.
"""
from nnlab.nn.activations import ACTIVATIONS, Activation
from nnlab.nn.init import INITS

__all__ = ["ACTIVATIONS", "Activation", "INITS", "MLP", "build_mlp", "count_parameters"]

_LAZY = {"MLP", "build_mlp", "count_parameters"}


def __getattr__(name):
    if name in _LAZY:
        from nnlab.nn import mlp
        return getattr(mlp, name)
    raise AttributeError(f"module 'nnlab.nn' has no attribute {name!r}")
