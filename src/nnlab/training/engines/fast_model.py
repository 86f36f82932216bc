"""FastMLP: a fully connected network held in NumPy, the model the fast engine trains.

All parameters live in one float32 vector ``theta`` in torch's parameter order (W1 (h1, d), b1, W2, b2, ...,
W_L (out, h_{L-1}), b_L). Forward: a_0 = x; a_l = act_l(W_l a_{l-1} + b_l) for the hidden layers; the output
layer has no activation. ``FastMLP.from_torch(model)`` makes the torch model's parameters views of ``theta``,
so training the FastMLP trains the torch model in place, with no copies.
"""
from __future__ import annotations

import numpy as np

from nnlab.training.engines.codes import ACTIVATION_CODES, TORCH_FREE_INITS

__all__ = ["FastMLP", "torch_layout", "model_problem"]

# torch.nn activation class -> nnlab activation name (with the settings the kernels implement)
_TORCH_ACTIVATIONS = {"ReLU": "relu", "LeakyReLU": "leaky_relu", "Tanh": "tanh", "Sigmoid": "sigmoid",
                      "Identity": "linear", "ELU": "elu", "SiLU": "silu", "Softplus": "softplus", "GELU": "gelu"}


def _activation_name(module) -> str | None:
    name = _TORCH_ACTIVATIONS.get(type(module).__name__)
    settings_ok = {"elu": lambda m: m.alpha == 1.0,
                   "softplus": lambda m: m.beta == 1.0 and m.threshold == 20.0,
                   "gelu": lambda m: m.approximate == "none"}
    return name if name and settings_ok.get(name, lambda m: True)(module) else None


def torch_layout(model) -> tuple[tuple[int, ...], tuple[str, ...], float]:
    """(sizes, hidden activation names, leaky_relu slope) of a torch ``nn.Sequential`` of Linear layers and
    activations, or ValueError saying what the fast engine cannot train."""
    import torch
    from torch import nn
    if not isinstance(model, nn.Sequential):
        raise ValueError(f"a {type(model).__name__} (the fast engine trains nn.Sequential MLPs)")
    sizes: list[int] = []
    acts: list[str] = []
    slope = 0.01
    expect_linear = True
    for m in model:
        if expect_linear:
            if not isinstance(m, nn.Linear) or m.bias is None:
                raise ValueError(f"a {type(m).__name__} layer")
            if sizes and m.in_features != sizes[-1]:
                raise ValueError("layers whose sizes do not chain")
            sizes = sizes or [m.in_features]
            sizes.append(m.out_features)
        else:
            name = _activation_name(m)
            if name is None:
                raise ValueError(f"a {type(m).__name__} layer")
            if name == "leaky_relu":
                slope = float(m.negative_slope)  # type: ignore[arg-type]  # a float on LeakyReLU
            acts.append(name)
        expect_linear = not expect_linear
    if not sizes or expect_linear:
        raise ValueError("a model that does not end in a Linear layer")
    for p in model.parameters():
        if p.dtype != torch.float32 or p.device.type != "cpu" or not p.requires_grad:
            raise ValueError(f"parameters that are not trainable float32 on the CPU ({p.dtype}, {p.device})")
    if model._forward_hooks or model._forward_pre_hooks or any(m._forward_hooks or m._forward_pre_hooks
                                                                for m in model):
        raise ValueError("forward hooks")
    return tuple(sizes), tuple(acts), float(slope)


class FastMLP:
    """A NumPy MLP: ``sizes`` (d, h1, ..., out), one activation name per hidden layer, parameters in ``theta``.

    Build it with ``FastMLP.from_config(model_config, seed)`` (torch's initial weights, without torch) or
    ``FastMLP.from_torch(model)`` (shares the torch model's memory). ``forward(X)`` maps (n, d) to (n, out).
    """

    def __init__(self, sizes, activations, theta=None, negative_slope: float = 0.01, config=None):
        self.sizes = tuple(int(s) for s in sizes)
        self.activations = tuple(activations)
        if len(self.activations) != len(self.sizes) - 2:
            raise ValueError(f"{len(self.sizes) - 2} hidden layers need as many activations; "
                             f"got {self.activations}")
        size = sum((a + 1) * b for a, b in zip(self.sizes[:-1], self.sizes[1:]))
        self.theta = np.zeros(size, dtype=np.float32) if theta is None else theta
        self.grad = np.zeros_like(self.theta)    # the last batch's gradient, after training
        self.negative_slope = negative_slope
        self.config = config             # the ModelConfig that built it, if any
        self.torch_model = None          # the torch model whose parameters are views of theta, if any

    # -- construction ---------------------------------------------------------------------------------------
    @classmethod
    def from_config(cls, config, seed: int | None = None) -> FastMLP:
        """The network ``nnlab.nn.build_mlp(config, seed)`` builds, with the same initial weights, bit for bit,
        for the inits in TORCH_FREE_INITS; no torch needed. (seed None draws as torch's default seed would not:
        it uses seed 0.)"""
        from nnlab._validation import check_seed
        from nnlab.nn.activations import ACTIVATIONS as REGISTRY
        from nnlab.training.engines.torch_rng import init_linear_layers
        if seed is not None:
            seed = check_seed("seed", seed, "FastMLP.from_config", numpy_ok=True)
        if config.dropout > 0 or config.batch_norm:
            raise ValueError("the fast engine's MLP has no dropout or batch norm")
        if config.init not in TORCH_FREE_INITS:
            raise ValueError(f"init {config.init!r} needs torch; torch-free inits: {list(TORCH_FREE_INITS)}")
        sizes = (config.input_size, *config.hidden_sizes, config.output_size)
        gains = [REGISTRY[config.activation].gain_name] * len(config.hidden_sizes) + ["linear"]
        layers = init_linear_layers(sizes, config.init, gains, seed=seed)
        theta = np.concatenate([a.ravel() for layer in layers for a in layer]).astype(np.float32)
        return cls(sizes, [config.activation] * len(config.hidden_sizes), theta, config=config)

    @classmethod
    def from_torch(cls, model) -> FastMLP:
        """A FastMLP whose ``theta`` the torch ``model``'s parameters are views of (and ``grad``, their .grad).

        The parameter objects stay the same; their storage moves into one NumPy vector.
        """
        import torch
        sizes, acts, slope = torch_layout(model)
        net = cls(sizes, acts, negative_slope=slope, config=getattr(model, "config", None))
        flat, flat_grad = torch.from_numpy(net.theta), torch.from_numpy(net.grad)
        with torch.no_grad():
            at = 0
            for p in model.parameters():
                n = p.numel()
                flat[at:at + n].copy_(p.reshape(-1))
                p.data = flat[at:at + n].view_as(p)
                p.grad = flat_grad[at:at + n].view_as(p)
                at += n
        net.torch_model = model
        return net

    def to_torch(self):
        """A torch model with a copy of these weights: ``nnlab.nn.MLP`` when built from a ModelConfig, else an
        ``nn.Sequential`` of Linear layers and activations."""
        import torch
        from torch import nn

        from nnlab.nn.activations import ACTIVATIONS as REGISTRY
        if self.config is not None:
            from nnlab.nn import build_mlp
            model = build_mlp(self.config)
        else:
            layers = []
            for l, (a, b) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
                layers.append(nn.Linear(a, b))
                if l < len(self.activations):
                    act = REGISTRY[self.activations[l]]
                    kwargs = {"negative_slope": self.negative_slope} if act.name == "leaky_relu" else act.kwargs
                    layers.append(getattr(nn, act.torch_class)(**kwargs))
            model = nn.Sequential(*layers)
        with torch.no_grad():
            torch.nn.utils.vector_to_parameters(torch.from_numpy(self.theta.copy()), model.parameters())
        return model

    # -- views ----------------------------------------------------------------------------------------------
    @property
    def n_parameters(self) -> int:
        return len(self.theta)

    def layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(weight (out, in), bias (out,)) views into theta, input to output."""
        out, at = [], 0
        for a, b in zip(self.sizes[:-1], self.sizes[1:]):
            out.append((self.theta[at:at + a * b].reshape(b, a), self.theta[at + a * b:at + a * b + b]))
            at += a * b + b
        return out

    def named_parameters(self) -> list[tuple[str, np.ndarray]]:
        """("0.weight", W1), ("0.bias", b1), ("2.weight", W2), ...: torch's names for an MLP's Sequential."""
        return [(f"{2 * l}.{kind}", arr) for l, layer in enumerate(self.layers())
                for kind, arr in zip(("weight", "bias"), layer)]

    def codes(self) -> np.ndarray:
        """The kernels' activation code of every layer (the output layer's is 'linear')."""
        return np.array([ACTIVATION_CODES.index(a) for a in self.activations] + [0], dtype=np.int64)

    # -- inference ------------------------------------------------------------------------------------------
    def forward(self, X) -> np.ndarray:
        """Outputs (n, out) float32 for inputs X (n, d), computed by the fast engine's kernels."""
        from nnlab.training.engines.fast_state import predict_fast
        return predict_fast(self, X)

    __call__ = forward

    def predict(self, X) -> np.ndarray:
        """Class indices (n,): output > 0 for one output (bce, or mse on -1/+1), else the argmax."""
        out = self.forward(X)
        return (out[:, 0] > 0).astype(np.int64) if out.shape[1] == 1 else out.argmax(axis=1)

    def __repr__(self) -> str:
        hidden = "/".join(sorted(set(self.activations))) or "no hidden layer"
        return f"FastMLP({'->'.join(map(str, self.sizes))}, {hidden}, {self.n_parameters} parameters)"


def model_problem(model) -> str | None:
    """Why the fast engine cannot train ``model`` (a torch module or a FastMLP), or None."""
    from nnlab.training.engines.support import size_problem
    if isinstance(model, FastMLP):
        return size_problem(model.sizes)
    from nnlab.nn.mlp import Residual
    if any(isinstance(m, Residual) for m in model.modules()):
        return "residual connections"
    try:
        sizes, _, _ = torch_layout(model)
    except ValueError as err:
        return str(err)
    return size_problem(sizes)
