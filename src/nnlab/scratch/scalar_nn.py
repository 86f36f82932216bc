"""A multi-layer perceptron built from scalar ``Value`` nodes (micrograd's ``nn.py``), its losses and training.

Every weight is one ``Value``; a forward pass on one sample builds a graph of a few hundred scalar nodes per
layer. It is slow on purpose: it shows every multiply and add that a tensor library fuses into one matmul.
Parameters use the layout of ``nnlab.scratch.params`` (W (out, in), b (out,)), so the same arrays can be
loaded into the tensor engine, the hand-written MLP or a torch ``nnlab.nn.MLP``.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnlab._validation import check_choice, check_int, check_nonneg
from nnlab.scratch.params import check_architecture, check_params, init_params
from nnlab.scratch.value import Value

__all__ = ["SCALAR_ACTIVATIONS", "SCALAR_LOSSES", "ScalarMLP", "hinge_loss", "cross_entropy", "fit_scalar"]

# The activations a Value has as one operation of its own.
SCALAR_ACTIVATIONS = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": lambda v: v,
}


class ScalarMLP:
    """input -> [sum_i w_ji x_i + b_j, activation] per hidden layer -> sum_i w_ji x_i + b_j (logits).

    ``sizes``: (input, hidden..., output); ``activation``: a key of ``SCALAR_ACTIVATIONS``; initial weights
    from ``init_params(sizes, seed)`` unless ``params`` (a list of arrays, [W1, b1, ...]) is given.
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", seed: int = 0,
                 params: Sequence[np.ndarray] | None = None):
        self.sizes = check_architecture(sizes, activation, "ScalarMLP", SCALAR_ACTIVATIONS)
        self.activation = activation
        arrays = init_params(self.sizes, seed) if params is None else check_params(self.sizes, params, "ScalarMLP")
        # weights[l][j][i] = W_l[j, i]; biases[l][j] = b_l[j]
        self.weights = [[[Value(w) for w in row] for row in W] for W in arrays[0::2]]
        self.biases = [[Value(b) for b in bias] for bias in arrays[1::2]]

    def __call__(self, x: Sequence[float]) -> list[Value]:
        """The logits (a list of ``sizes[-1]`` Values) for one sample ``x`` (``sizes[0]`` numbers)."""
        act = SCALAR_ACTIVATIONS[self.activation]
        a: Sequence = [float(v) for v in x]
        last = len(self.weights) - 1
        for l, (W, b) in enumerate(zip(self.weights, self.biases)):
            # z_j = b_j + sum_i w_ji a_i, one sum node over the products
            z = [Value.sum([bj, *(w * ai for w, ai in zip(row, a))]) for row, bj in zip(W, b)]
            a = z if l == last else [act(zj) for zj in z]
        return list(a)

    def parameters(self) -> list[Value]:
        """Every weight and bias Value, in the order W1 (row by row), b1, W2, b2, ..."""
        out: list[Value] = []
        for W, b in zip(self.weights, self.biases):
            out += [w for row in W for w in row] + list(b)
        return out

    def arrays(self) -> list[np.ndarray]:
        """The current parameters as float64 arrays [W1 (d1, d0), b1 (d1,), ...]."""
        return [m for W, b in zip(self.weights, self.biases)
                for m in (np.array([[w.data for w in row] for row in W]), np.array([v.data for v in b]))]

    def grads(self) -> list[np.ndarray]:
        """The parameters' gradients, shaped like ``arrays()``."""
        return [m for W, b in zip(self.weights, self.biases)
                for m in (np.array([[w.grad for w in row] for row in W]), np.array([v.grad for v in b]))]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def __repr__(self) -> str:
        return f"ScalarMLP(sizes={self.sizes}, activation={self.activation!r})"


def hinge_loss(scores: list[Value], sign: int) -> Value:
    """max(0, 1 - y s) for one output ``scores[0]`` and a label ``sign`` in {-1, +1} (micrograd's demo loss)."""
    return (1.0 - scores[0] * float(sign)).relu()


def cross_entropy(logits: list[Value], label: int) -> Value:
    """-log softmax(z)_label = log sum_k exp(z_k - m) + m - z_label, with m = max_k z_k (a constant: no overflow)."""
    m = max(z.data for z in logits)
    total = Value.sum((z - m).exp() for z in logits)
    return total.log() + m - logits[label]


# name -> (loss of one sample, how class labels 0..K-1 become its target, output -> predicted class)
SCALAR_LOSSES = {
    "hinge": (hinge_loss, lambda label: 1 if label == 1 else -1, lambda out: int(out[0].data > 0)),
    "cross-entropy": (cross_entropy, int, lambda out: int(np.argmax([z.data for z in out]))),
}


def fit_scalar(model: ScalarMLP, X: np.ndarray, y: np.ndarray, steps: int = 100, loss: str = "hinge",
               optimizer: str = "adam", lr: float = 0.05, lr_final: float | None = None, l2: float = 1e-4,
               stop_at: float | None = 1.0) -> dict:
    """Full-batch training on the scalar engine (micrograd's demo loop, with any from-scratch optimizer).

    micrograd's own recipe is ``optimizer="sgd", lr=1.0, lr_final=0.1`` with weights ~ U(-1, 1); the defaults
    here (Adam, lr 0.05, PyTorch's initialisation) reach 100% on moons in fewer steps.

    Each step k = 0, 1, ...: 1) forward every sample, loss = mean_i loss_i + l2 * sum p^2; 2) training
    accuracy from the same forward pass (stop here when it reaches ``stop_at``); 3) zero grads, backward;
    4) one ``SCRATCH_OPTIMIZERS[optimizer]`` step on the vector of all parameters, with a learning rate that
    falls linearly from ``lr`` (k = 0) towards ``lr_final`` (k = steps; ``None`` keeps ``lr``).
    ``X``: (n, d), ``y``: (n,) class indices (0/1 for hinge). Returns {"loss": [...], "accuracy": [...],
    "steps": the number of updates made}.
    """
    from nnlab.scratch.optim import make_scratch_optimizer
    check_choice("loss", loss, SCALAR_LOSSES, "fit_scalar")
    check_int("steps", steps, "fit_scalar")
    check_nonneg("l2", l2, "fit_scalar")
    loss_fn, target, predict = SCALAR_LOSSES[loss]
    params = model.parameters()
    vector = np.array([p.data for p in params])            # (P,) the optimizer's view of the parameters
    opt = make_scratch_optimizer(optimizer, [vector], lr)
    history: dict = {"loss": [], "accuracy": [], "steps": 0}
    for k in range(steps):
        # 1) forward and loss
        outputs = [model(x) for x in X]
        data_loss = Value.sum(loss_fn(out, target(label)) for out, label in zip(outputs, y)) / len(X)
        total = data_loss + l2 * Value.sum(p * p for p in params) if l2 else data_loss
        # 2) accuracy of the model as it is now
        accuracy = float(np.mean([predict(out) == label for out, label in zip(outputs, y)]))
        history["loss"].append(total.data)
        history["accuracy"].append(accuracy)
        if stop_at is not None and accuracy >= stop_at:
            break
        # 3) backward
        model.zero_grad()
        total.backward()
        # 4) update
        if lr_final is not None:
            opt.lr = lr - (lr - lr_final) * k / steps
        opt.step([np.array([p.grad for p in params])])
        for p, new in zip(params, vector):
            p.data = float(new)
        history["steps"] = k + 1
    return history
