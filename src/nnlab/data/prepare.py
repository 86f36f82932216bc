"""Turn a DataConfig (or points already in hand) into the arrays a run trains on."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlab._validation import InvalidArgument
from nnlab.config import DataConfig

__all__ = ["PreparedData", "prepare", "prepare_arrays"]


@dataclass(frozen=True)
class PreparedData:
    """Train and test arrays; for classification, labels are class indices 0..K-1 and ``classes`` the originals."""
    X_train: np.ndarray             # (n_train, d) float64; with ``features``, the points' feature columns (float32)
    y_train: np.ndarray             # (n_train,) int64 class indices, or float64 targets
    X_test: np.ndarray              # (n_test, d); n_test may be 0
    y_test: np.ndarray
    task: str                       # "classification" or "regression"
    classes: np.ndarray | None      # original label of each class index, e.g. [-1, 1]
    domain: float                   # half-width of the square to draw
    stream: object = None           # rng "seedrandom": the Playground's stream after the data (for the weights)
    points_train: np.ndarray | None = None   # the points X_train holds, or whose features it holds (n_train, 2)
    points_test: np.ndarray | None = None

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_classes(self) -> int:
        return 0 if self.classes is None else len(self.classes)


def prepare(cfg: DataConfig, loss: str | None = None, *, features=None, added=None) -> PreparedData:
    """Generate (or read) the data, split it with the config's seed, and standardise if asked.

    ``loss`` (a key of LOSSES), when given, is the loss the data will train: one that only classifies makes a CSV's
    labels class labels, so a label such as 1.5 fails naming its line rather than turning the data into a
    regression task the loss cannot train. ``features`` (keys of ``nnlab.data.features.FEATURES``) makes X_train
    and X_test those columns of the points; ``added``, points (x1, x2, label) with the data's own labels, join the
    training data after the split (the playground's clicked points).
    """
    from nnlab.data import DATASETS, load_csv, make_dataset

    # 1. The points, in the generator's order (on the Playground's stream, already shuffled as it shuffles).
    stream = None
    if cfg.dataset == "csv":
        from nnlab._validation import check_choice
        from nnlab.training.losses import LOSSES
        if loss is not None:
            check_choice("loss", loss, LOSSES, "prepare")
        classifies = loss is not None and "regression" not in LOSSES[loss].tasks
        assert cfg.path is not None                 # DataConfig requires a path for "csv"
        X, y = load_csv(cfg.path, labels="classes" if classifies else "auto")
        task = "classification" if y.dtype.kind == "i" else "regression"
        domain = float(np.abs(X).max()) * 1.1 if X.size else 1.0
    elif cfg.rng == "seedrandom":     # already in the Playground's shuffled order
        from nnlab.data.playground_stream import playground_stream
        spec = DATASETS[cfg.dataset]
        X, y, stream = playground_stream(cfg.dataset, spec.n if cfg.n is None else cfg.n,
                                         spec.noise if cfg.noise is None else cfg.noise, cfg.seed)
        task, domain = spec.task, spec.domain
    else:
        X, y = make_dataset(cfg.dataset, n=cfg.n, noise=cfg.noise, seed=cfg.seed, classes=cfg.classes)
        task, domain = DATASETS[cfg.dataset].task, DATASETS[cfg.dataset].domain
    # 2. Class indices; a classifier needs two classes.
    y, classes, added_y = _class_indices(y, task, added)
    if classes is not None and len(classes) < 2 and cfg.dataset == "csv":
        from nnlab.data.csv import CSVFormatError
        raise CSVFormatError(cfg.path, None, f"column 'label' holds a single class, {classes[0]}; a classifier "
                                             "needs at least two.")
    if classes is not None and len(classes) < 2:
        raise InvalidArgument(f"Drawing {len(y)} point(s) from {cfg.dataset!r} gave a single class, "
                              f"{classes[0]}; a classifier needs at least two: draw more points.", "n")
    # 3. Split, add, standardise, features.
    return _arrange(X, y, task, classes, domain, cfg.test_fraction, cfg.seed, stream=stream,
                    standardize=cfg.standardize, features=features, added=added, added_y=added_y)


def prepare_arrays(X: np.ndarray, y: np.ndarray, test_fraction: float = 0.0, seed: int = 0, *,
                   domain: float | None = None, features=None, added=None) -> PreparedData:
    """``prepare`` for points already in hand, X (n, d) and labels y (n,) (e.g. an uploaded CSV's): integer labels
    classify, others are regression targets. ``domain`` defaults to 1.1 times the largest |coordinate| (at least
    0.001). Split, ``features`` and ``added`` as in ``prepare``."""
    task = "classification" if y.dtype.kind == "i" else "regression"
    if domain is None:
        domain = float(max(np.abs(X).max() * 1.1, 1e-3)) if X.size else 1.0
    y, classes, added_y = _class_indices(y, task, added)
    return _arrange(X, y, task, classes, domain, test_fraction, seed, features=features, added=added,
                    added_y=added_y)


def _class_indices(y, task, added):
    """(labels as class indices, classes, the added points' labels likewise): the added labels are counted among
    the classes; for regression (y, None, the added targets)."""
    from nnlab.data import to_class_indices
    labels = y[:0] if added is None or not len(added) else \
        np.array([p[2] for p in added], y.dtype if task == "classification" else np.float64)
    if task != "classification":
        return y, None, labels
    indices, classes = to_class_indices(np.concatenate([y, labels]) if len(labels) else y)
    return indices[:len(y)], classes, indices[len(y):]


def _arrange(X, y, task, classes, domain, test_fraction, seed, *, stream=None, standardize=False, features=None,
             added=None, added_y=None) -> PreparedData:
    """Split (a stream's points are already shuffled: cut them), add, standardise, and take the features."""
    from nnlab.data import Standardizer, train_test_split
    if test_fraction > 0 and stream is not None:     # the Playground cuts its shuffled points
        cut = int(np.floor(len(X) * (1.0 - test_fraction)))
        X_train, X_test, y_train, y_test = X[:cut], X[cut:], y[:cut], y[cut:]
    elif test_fraction > 0:
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction, seed)
    else:   # no split: keep the generation order, as the seed's programs do
        X_train, X_test, y_train, y_test = X, X[:0], y, y[:0]
    if added is not None and len(added):
        X_train = np.concatenate([X_train, np.array([p[:2] for p in added])])
        y_train = np.concatenate([y_train, added_y])
    if len(X_train) == 0:
        raise InvalidArgument(f"The 'test_fraction' parameter of DataConfig leaves no training points "
                              f"({len(X)} points, test_fraction {test_fraction}).", "test_fraction",
                              owner="DataConfig")
    if standardize:
        scaler = Standardizer().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        domain = float(np.abs(X_train).max()) * 1.1
    points_train, points_test = X_train, X_test
    if features is not None:
        from nnlab.data.features import feature_matrix
        X_train, X_test = feature_matrix(points_train, features), feature_matrix(points_test, features)
    return PreparedData(X_train, y_train, X_test, y_test, task, classes, domain, stream, points_train, points_test)
