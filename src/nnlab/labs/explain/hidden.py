"""Neurons and hidden spaces: what every hidden unit computes over the input plane, each layer's representation
projected to 2-D, and how linearly separable the classes are at each depth (linear probes)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnlab.labs.explain.models import Snapshots, Trained, train_2d
from nnlab.labs.explain.settings import Settings

__all__ = ["hidden_activations", "neuron_maps", "pca_2d", "probe_accuracy_per_layer", "HiddenResult",
           "hidden_study"]


def hidden_activations(model, X: np.ndarray) -> list[np.ndarray]:
    """Every hidden layer's output, input to output: ``[(n, width_1), ..., (n, width_L)]``.

    A hidden layer's representation is what enters the next Linear layer: after the activation (and batch norm
    or dropout, in eval mode). ``model`` is an ``nnlab.nn.MLP`` (a Sequential); ``X`` is (n, d) in its input space.
    """
    import torch
    from torch import nn

    layers = list(model)
    was_training = model.training
    model.eval()
    outputs = []
    h = torch.as_tensor(np.asarray(X), dtype=torch.float32)              # (n, d)
    with torch.no_grad():
        for i, layer in enumerate(layers):
            h = layer(h)
            if i + 1 < len(layers) and isinstance(layers[i + 1], nn.Linear):
                outputs.append(h.numpy().copy())                          # (n, width)
    model.train(was_training)
    return outputs


def neuron_maps(trained: Trained, model, domain: float, resolution: int):
    """Each hidden unit's output, and the network's class probabilities, over the input plane.

    The grid covers [-domain, domain]^2 in the data's own coordinates and is standardised as the training data
    was. Returns ``axis`` (r,), ``layers``: one (width, r, r) array per hidden layer, and ``output`` (K, r, r), the
    softmax probability of each class. Arrays are indexed [unit, y, x] for imshow.
    """
    import torch

    axis = np.linspace(-domain, domain, resolution)
    gx, gy = np.meshgrid(axis, axis)                                      # (r, r) each, row = y
    points = trained.scaler.transform(np.stack([gx.ravel(), gy.ravel()], axis=1))
    layers = [a.T.reshape(-1, resolution, resolution) for a in hidden_activations(model, points)]
    with torch.no_grad():
        probs = torch.softmax(model(torch.as_tensor(points, dtype=torch.float32)), dim=1).numpy()
    return axis, layers, probs.T.reshape(-1, resolution, resolution)


def pca_2d(A: np.ndarray) -> tuple[np.ndarray, float]:
    """Project the rows of ``A`` (n, w) on their first two principal axes: (n, 2) and the variance share kept."""
    centered = A - A.mean(axis=0)
    _, s, vt = np.linalg.svd(centered, full_matrices=False)
    k = min(2, vt.shape[0])
    proj = centered @ vt[:k].T
    if k == 1:
        proj = np.hstack([proj, np.zeros((len(A), 1))])
    total = float((s ** 2).sum())
    return proj, float((s[:k] ** 2).sum() / total) if total > 0 else 1.0


def probe_accuracy_per_layer(trained: Trained, model=None) -> list[float]:
    """Test accuracy of a logistic regression fitted on each layer's training activations.

    Entry 0 probes the input itself; entry l probes hidden layer l. The last hidden layer feeds the network's own
    linear output layer, so its probe can match the network's accuracy; a rise with depth is the untangling.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = trained.model if model is None else model
    train_layers = [trained.X_train, *hidden_activations(model, trained.X_train)]
    test_layers = [trained.X_test, *hidden_activations(model, trained.X_test)]
    accuracies = []
    for A_train, A_test in zip(train_layers, test_layers):
        probe = make_pipeline(StandardScaler(), LogisticRegression(C=10.0, max_iter=5000))
        probe.fit(A_train, trained.y_train)
        accuracies.append(float(probe.score(A_test, trained.y_test)))
    return accuracies


@dataclass
class HiddenResult:
    """One 2-D task: the trained net, its probes, and snapshots of the net over training (evolution task only)."""
    task: str
    trained: Trained
    probes: list[float]                          # input, hidden 1..L
    snapshots: dict = field(default_factory=dict)  # epoch -> model copy


def hidden_study(settings: Settings, progress=lambda message: None) -> list[HiddenResult]:
    """Train a net on every task in ``settings.tasks``; probe its layers; keep snapshots for the evolution task."""
    results = []
    for task in settings.tasks:
        progress(f"2-D task {task}")
        snaps = Snapshots(settings.snapshot_epochs) if task == settings.evolution else None
        trained = train_2d(task, settings, observers=[snaps] if snaps else [])
        results.append(HiddenResult(task, trained, probe_accuracy_per_layer(trained),
                                    snaps.models_ if snaps else {}))
    return results
