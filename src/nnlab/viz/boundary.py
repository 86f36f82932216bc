"""Decision regions of a trained classifier over a grid, with the data on top (classification_visualization)."""
from __future__ import annotations

import numpy as np

from nnlab.numbers import accuracy_text
from nnlab.viz._style import new_figure, region_cmap, scatter_classes

__all__ = ["seed_grid", "predict_grid", "plot_decision_boundary"]


def seed_grid(domain: float = 2.5, resolution: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """The seed's grid: x_i = -domain + 2 domain i / resolution for i = 0..resolution-1, on both axes.

    Returns ``axis`` (resolution,) and ``points`` (resolution^2, 2) with x varying slowest, as the seed's
    nested loops emit them.
    """
    axis = -domain + 2.0 * domain * np.arange(resolution) / resolution
    gx, gy = np.meshgrid(axis, axis, indexing="ij")
    return axis, np.stack([gx.ravel(), gy.ravel()], axis=1)


def predict_grid(model, loss, domain: float, resolution: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Class index predicted at every grid point: (axis (r,), classes (r, r) indexed [x, y])."""
    import torch
    axis, points = seed_grid(domain, resolution)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        pred = loss.predict(model(torch.as_tensor(points, dtype=torch.float32))).numpy()
    model.train(was_training)
    return axis, pred.reshape(resolution, resolution)


def plot_decision_boundary(model, X: np.ndarray, y: np.ndarray, loss, domain: float = 2.5,
                           resolution: int = 200, title: str = "MLP Classification and Predictions",
                           accuracy: float | None = None, labels=None, X_test: np.ndarray | None = None,
                           y_test: np.ndarray | None = None, test_accuracy: float | None = None):
    """Grid predictions as faint regions (the seed's mix(0.2)), the points coloured by true class on top.

    Test points, when given, are drawn with a black outline (as TensorFlow Playground draws them).
    """
    axis, grid = predict_grid(model, loss, domain, resolution)
    k = max(int(y.max()) + 1, int(grid.max()) + 1)
    fig = new_figure(8, 8)      # the seed draws an 800 x 800 canvas
    ax = fig.subplots()
    step = axis[1] - axis[0]
    extent = (axis[0] - step / 2, axis[-1] + step / 2, axis[0] - step / 2, axis[-1] + step / 2)
    ax.imshow(grid.T, origin="lower", extent=extent, cmap=region_cmap(k), vmin=-0.5, vmax=k - 0.5,
              alpha=0.25, interpolation="nearest")
    scatter_classes(ax, X, y, labels=labels, size=14)
    if X_test is not None and len(X_test):
        test_labels = [f"{name}, test" for name in (labels or [str(i) for i in range(k)])]
        scatter_classes(ax, X_test, y_test, labels=test_labels, size=14, edge="black")
    if accuracy is not None:
        title = f"{title}\ntraining accuracy {accuracy_text(accuracy)}"
        if test_accuracy is not None:
            title += f", test accuracy {accuracy_text(test_accuracy)}"
    fig.suptitle(title, fontsize=14)
    ax.set_xlim(-domain, domain)
    ax.set_ylim(-domain, domain)
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    handles, names = ax.get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncol=min(len(names), 4), fontsize=9)
    return fig
