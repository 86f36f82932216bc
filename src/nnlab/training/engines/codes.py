"""The fast engine's codes: the kernels know an activation, a loss or an optimizer by its position in these
tuples (``kernels.py`` holds the same numbers as constants; tests check that they agree). They are names the
kernels implement, not the registries (``nnlab.nn.ACTIVATIONS``, ``nnlab.training.LOSSES``, ...), which hold
behaviour. No imports, so anything may read them.
"""
__all__ = ["ACTIVATION_CODES", "LOSS_CODES", "OPTIMIZER_CODES", "TORCH_FREE_INITS"]

ACTIVATION_CODES = ("linear", "relu", "leaky_relu", "tanh", "sigmoid", "elu", "silu", "softplus", "gelu")
LOSS_CODES = ("cross-entropy", "bce", "mse")
OPTIMIZER_CODES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")

# Inits whose draws nnlab.training.engines.torch_rng reproduces without torch (they draw uniform numbers).
TORCH_FREE_INITS = ("pytorch", "xavier", "playground")
