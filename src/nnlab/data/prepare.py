"""Turn a DataConfig into the arrays a run trains on."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlab._validation import InvalidArgument
from nnlab.config import DataConfig

__all__ = ["PreparedData", "prepare"]


@dataclass(frozen=True)
class PreparedData:
    """Train and test arrays; for classification, labels are class indices 0..K-1 and ``classes`` the originals."""
    X_train: np.ndarray             # (n_train, d) float64
    y_train: np.ndarray             # (n_train,) int64 class indices, or float64 targets
    X_test: np.ndarray              # (n_test, d); n_test may be 0
    y_test: np.ndarray
    task: str                       # "classification" or "regression"
    classes: np.ndarray | None      # original label of each class index, e.g. [-1, 1]
    domain: float                   # half-width of the square to draw
    stream: object = None           # rng "seedrandom": the Playground's stream after the data (for the weights)

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_classes(self) -> int:
        return 0 if self.classes is None else len(self.classes)


def prepare(cfg: DataConfig, loss: str | None = None) -> PreparedData:
    """Generate (or read) the data, split it with the config's seed, and standardise if asked.

    ``loss`` (a key of LOSSES), when given, is the loss the data will train: one that only classifies makes a CSV's
    labels class labels, so a label such as 1.5 fails naming its line rather than turning the data into a
    regression task the loss cannot train.
    """
    from nnlab.data import DATASETS, Standardizer, load_csv, make_dataset, to_class_indices, train_test_split

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
    classes = None
    if task == "classification":
        y, classes = to_class_indices(y)
        if len(classes) < 2 and cfg.dataset == "csv":
            from nnlab.data.csv import CSVFormatError
            raise CSVFormatError(cfg.path, None, f"column 'label' holds a single class, {classes[0]}; a classifier "
                                                 "needs at least two.")
        if len(classes) < 2:
            raise InvalidArgument(f"Drawing {len(y)} point(s) from {cfg.dataset!r} gave a single class, "
                                  f"{classes[0]}; a classifier needs at least two: draw more points.", "n")
    if cfg.test_fraction > 0 and stream is not None:     # the Playground cuts its shuffled points
        cut = int(np.floor(len(X) * (1.0 - cfg.test_fraction)))
        X_train, X_test, y_train, y_test = X[:cut], X[cut:], y[:cut], y[cut:]
    elif cfg.test_fraction > 0:
        X_train, X_test, y_train, y_test = train_test_split(X, y, cfg.test_fraction, cfg.seed)
    else:   # no split: keep the generation order, as the seed's programs do
        X_train, X_test, y_train, y_test = X, X[:0], y, y[:0]
    if len(X_train) == 0:
        raise InvalidArgument(f"The 'test_fraction' parameter of DataConfig leaves no training points "
                              f"({len(X)} points, test_fraction {cfg.test_fraction}).", "test_fraction",
                              owner="DataConfig")
    if cfg.standardize:
        scaler = Standardizer().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        domain = float(np.abs(X_train).max()) * 1.1
    return PreparedData(X_train, y_train, X_test, y_test, task, classes, domain, stream)
