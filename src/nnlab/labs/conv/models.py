"""The two networks the lab compares, trained the same way: a small CNN (conv, relu, max-pool, twice, then a
linear layer) and a one-hidden-layer relu MLP whose width is chosen to give about the CNN's parameter count.

Both see the same images, the same batches in the same order and the same optimiser (Adam); accuracy is the
finished model's on the whole held-out test set. ``shift_accuracy`` moves every test image by ``s`` pixels in each
of the four directions (zero fill) and averages the four accuracies.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from nnlab.data.images import shift_images

__all__ = ["CNN", "make_cnn", "make_mlp", "n_params", "mlp_width_for", "Trained", "train_model", "accuracy",
           "shift_accuracy", "costs", "split"]


class CNN(nn.Sequential):
    """conv(k1, pad k1 // 2) -> relu -> maxpool 2 -> conv(3, pad 1) -> relu -> maxpool 2 -> flatten -> linear."""

    def __init__(self, size: int, classes: int, channels: tuple[int, int], kernel: int):
        c1, c2 = channels
        side = size // 2 // 2
        super().__init__(nn.Conv2d(1, c1, kernel, padding=kernel // 2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(c2 * side * side, classes))

    # the stages whose outputs the lab draws, with their names
    STAGES = ((0, "conv 1"), (1, "relu 1"), (2, "pool 1"), (3, "conv 2"), (4, "relu 2"), (5, "pool 2"))

    def stages(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Every stage's output for input ``x`` (N, 1, H, W), by name."""
        out = {}
        for i, module in enumerate(self):
            x = module(x)
            for j, name in self.STAGES:
                if i == j:
                    out[name] = x
        return out


def make_cnn(size: int, classes: int, channels: tuple[int, int], seed: int) -> CNN:
    """The CNN for ``size`` x ``size`` images: a 5 x 5 first layer on images of 16 pixels or more, else 3 x 3."""
    torch.manual_seed(seed)
    return CNN(size, classes, channels, 5 if size >= 16 else 3)


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def mlp_width_for(params: int, inputs: int, classes: int) -> int:
    """The hidden width h whose MLP inputs -> h -> classes has the parameter count nearest ``params``."""
    return max(1, round((params - classes) / (inputs + 1 + classes)))


def make_mlp(size: int, classes: int, hidden: int, seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(size * size, hidden), nn.ReLU(), nn.Linear(hidden, classes))


def split(X: np.ndarray, y: np.ndarray, test_fraction: float, seed: int):
    """A stratified train/test split (scikit-learn's), the same for both networks."""
    from sklearn.model_selection import train_test_split
    return train_test_split(X, y, test_size=test_fraction, random_state=seed, stratify=y)


@dataclass
class Trained:
    name: str
    model: nn.Module
    initial: nn.Module                   # a copy of the model before training
    loss: list[float] = field(default_factory=list)         # mean training loss per epoch
    test_accuracy: list[float] = field(default_factory=list)  # after each epoch


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray, batch: int = 1024) -> float:
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(X), batch):
            correct += int((model(torch.from_numpy(X[i:i + batch])).argmax(1).numpy() == y[i:i + batch]).sum())
    return correct / len(X)


def train_model(name: str, model: nn.Module, data: dict, *, epochs: int, lr: float, batch_size: int, seed: int,
                progress=lambda message: None) -> Trained:
    """Adam on cross-entropy, mini-batches in a seeded order; the test accuracy after every epoch."""
    run = Trained(name, model, copy.deepcopy(model))
    X, y = torch.from_numpy(data["X_train"]), torch.from_numpy(data["y_train"])
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(X), generator=gen)
        total = 0.0
        for i in range(0, len(X), batch_size):
            idx = order[i:i + batch_size]
            opt.zero_grad()
            loss = loss_fn(model(X[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        run.loss.append(total / len(X))
        run.test_accuracy.append(accuracy(model, data["X_test"], data["y_test"]))
        progress(f"{name}: epoch {epoch}/{epochs}, test accuracy {run.test_accuracy[-1]:.3f}")
    return run


DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1))          # right, left, down, up


def shift_accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray, max_shift: int) -> dict[int, float]:
    """{s: accuracy on the test images moved s pixels, averaged over right, left, down and up} for s = 0..max."""
    out = {0: accuracy(model, X, y)}
    for s in range(1, max_shift + 1):
        out[s] = float(np.mean([accuracy(model, shift_images(X, s * dx, s * dy), y) for dx, dy in DIRECTIONS]))
    return out


def costs(model: nn.Module, size: int) -> dict:
    """Parameters and multiply-adds for one image, layer by layer (nnlab's cost counter, on the meta device)."""
    from nnlab.labs.architectures.counting import profile
    meta = copy.deepcopy(model).to("meta")
    p = profile(meta, (torch.empty(1, 1, size, size, device="meta"),), cross_check=False)
    return {"params": p.params, "macs": p.macs,
            "layers": [{"name": l.name, "kind": l.kind, "params": l.params, "macs": l.macs,
                        "output_shape": list(l.output_shape)} for l in p.layers if l.params or l.macs]}
