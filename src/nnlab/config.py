"""Frozen, JSON-serialisable configs: a run is fully described by DataConfig + ModelConfig + TrainConfig.

The CLI flags, ``--config FILE`` and every run's ``config.json`` speak this same JSON::

    {"data": {...}, "model": {...}, "train": {...}}

Each field is checked on construction against the registries' names (``nnlab.names``: data sets, activations,
inits, optimizers, losses, schedules, engines, devices, precisions), so a bad value fails early with a message
naming it. This module imports nothing from ``data``, ``nn`` or ``training``: configs are the bottom layer.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnlab._validation import (
    InvalidArgument,
    check_bool,
    check_choice,
    check_fraction,
    check_int,
    check_nonneg,
    check_positive,
    check_seed,
    check_sizes,
    read_text,
)
from nnlab.names import (
    ACTIVATION_NAMES,
    DATASET_NAMES,
    DEVICE_NAMES,
    ENGINE_NAMES,
    INIT_NAMES,
    LOSS_NAMES,
    LR_SCHEDULE_NAMES,
    OPTIMIZER_NAMES,
    PRECISION_NAMES,
    STREAM_DATASET_NAMES,
)

__all__ = ["DataConfig", "ModelConfig", "TrainConfig", "RunConfig", "PRESETS"]


@dataclass(frozen=True)
class DataConfig:
    """Which data set, how much of it, and how it is split."""
    dataset: str = "seed-circle"      # a key of nnlab.data.DATASETS, or "csv" to read `path`
    n: int | None = None              # number of points; None = the data set's own default size
    noise: float | None = None        # generator noise on the data set's own scale; None = its default
    path: str | None = None           # the CSV file when dataset == "csv" (header x1,x2[,...],label)
    seed: int = 0                     # seeds the generator and the train/test split
    test_fraction: float = 0.0        # share held out as test data, in [0, 1); 0 = train on everything
    standardize: bool = False         # rescale features to zero mean, unit variance (fit on train only)
    classes: int | None = None        # number of classes, for generators that take it (spirals)
    rng: str = "numpy"                # "numpy"; or "seedrandom": TensorFlow Playground's own stream for its six
                                      # data sets (seed s is its "0.%05d" % s), its shuffle and its cut

    def __post_init__(self):
        check_choice("dataset", self.dataset, [*DATASET_NAMES, "csv"], "DataConfig")
        if self.dataset == "csv" and not self.path:
            raise InvalidArgument("DataConfig with dataset='csv' needs 'path', the CSV file to read.", "path")
        if self.n is not None:
            check_int("n", self.n, "DataConfig", minimum=1)
        if self.noise is not None:
            check_nonneg("noise", self.noise, "DataConfig")
        check_seed("seed", self.seed, "DataConfig")
        check_fraction("test_fraction", self.test_fraction, "DataConfig")
        check_bool("standardize", self.standardize, "DataConfig")
        if self.classes is not None:
            check_int("classes", self.classes, "DataConfig", minimum=2)
            if self.dataset != "spirals":
                raise InvalidArgument(f"The 'classes' parameter of DataConfig applies only to dataset 'spirals'. "
                                      f"Got classes={self.classes!r} with dataset {self.dataset!r}.", "classes",
                                      owner="DataConfig")
        check_choice("rng", self.rng, ("numpy", "seedrandom"), "DataConfig")
        if self.rng == "seedrandom":
            if self.dataset not in STREAM_DATASET_NAMES:
                raise InvalidArgument(f"DataConfig rng='seedrandom' draws TensorFlow Playground's data sets "
                                      f"{list(STREAM_DATASET_NAMES)}; got dataset {self.dataset!r}.", "rng")
            if self.seed > 99_999:
                raise InvalidArgument(f"With rng='seedrandom' the seed is 0..99999 (the Playground's "
                                      f"0.00000..0.99999). Got {self.seed}.", "seed")
            if self.n is not None and self.n % 2 and self.dataset in ("circle", "gauss", "spiral"):
                raise InvalidArgument(f"With rng='seedrandom', {self.dataset} draws n/2 points per class as the "
                                      f"Playground does (an odd n would give n + 1); n must be even. Got "
                                      f"{self.n}.", "n")


@dataclass(frozen=True)
class ModelConfig:
    """A fully connected network: input -> hidden layers (each Linear + activation) -> output logits."""
    input_size: int = 2
    hidden_sizes: tuple[int, ...] = (8, 8, 8, 8, 8)   # the seed's five hidden layers of 8
    activation: str = "relu"          # a key of nnlab.nn.ACTIVATIONS, used after every hidden Linear
    output_size: int = 2              # number of logits (classes); 1 for bce or regression
    dropout: float = 0.0              # dropout probability after each hidden activation
    batch_norm: bool = False          # BatchNorm1d between each hidden Linear and its activation
    init: str = "pytorch"             # a key of nnlab.nn.INITS
    init_std: float = 0.01            # the weights' std for init "normal" (N(0, init_std^2)); other inits ignore it
    residual: bool = False            # skips z_l = z_{l-1} + Linear_l(act(z_{l-1})) where widths match (nnlab.nn.MLP)

    def __post_init__(self):
        check_int("input_size", self.input_size, "ModelConfig")
        object.__setattr__(self, "hidden_sizes", check_sizes("hidden_sizes", self.hidden_sizes, "ModelConfig"))
        check_choice("activation", self.activation, ACTIVATION_NAMES, "ModelConfig")
        check_int("output_size", self.output_size, "ModelConfig")
        check_fraction("dropout", self.dropout, "ModelConfig")
        check_choice("init", self.init, INIT_NAMES, "ModelConfig")
        check_positive("init_std", self.init_std, "ModelConfig")
        check_bool("batch_norm", self.batch_norm, "ModelConfig")
        check_bool("residual", self.residual, "ModelConfig")


@dataclass(frozen=True)
class TrainConfig:
    """How the one training loop (`nnlab.fit`) runs."""
    optimizer: str = "adam"           # a key of nnlab.training.OPTIMIZERS
    lr: float = 1e-3                  # learning rate
    lr_schedule: str = "constant"     # a key of nnlab.training.schedules.LR_SCHEDULES: "constant" or "cosine"
    epochs: int = 2000                # passes over the training data
    batch_size: int | None = None     # None = full batch (the seed); else seeded, reshuffled mini-batches
    loss: str = "cross-entropy"       # a key of nnlab.training.LOSSES
    l1: float = 0.0                   # adds l1 * sum|W| over weight matrices (biases are not penalised)
    l2: float = 0.0                   # adds l2/2 * sum W^2 over weight matrices (gradient l2 * W)
    early_stopping: int | None = None # stop after this many epochs without improvement of the monitored loss
                                      # (test loss if there is test data, else training loss), then restore the
                                      # weights of the best epoch
    augment_jitter: float = 0.0       # data augmentation: Gaussian noise of this std added to every training
                                      # input, drawn afresh each epoch
    augment_shift: float = 0.0        # data augmentation for square images (d = s * s pixels): each training
                                      # image moved by up to this many pixels on each axis, afresh each epoch
    seed: int = 0                     # seeds the initial weights, dropout, the mini-batch order and augmentation
    engine: str = "auto"              # a key of nnlab.training.engines.ENGINES: "auto", "torch" or "fast"
    device: str = "auto"              # "auto", "cpu" or "cuda" (see nnlab.training.precision)
    precision: str = "fp32"           # "fp32", "bf16" (autocast) or "fp16" (autocast + gradient scaler, CUDA)

    def __post_init__(self):
        check_choice("optimizer", self.optimizer, OPTIMIZER_NAMES, "TrainConfig")
        check_positive("lr", self.lr, "TrainConfig")
        check_choice("lr_schedule", self.lr_schedule, LR_SCHEDULE_NAMES, "TrainConfig")
        check_int("epochs", self.epochs, "TrainConfig")
        if self.batch_size is not None:
            check_int("batch_size", self.batch_size, "TrainConfig")
        check_choice("loss", self.loss, LOSS_NAMES, "TrainConfig")
        check_nonneg("l1", self.l1, "TrainConfig")
        check_nonneg("l2", self.l2, "TrainConfig")
        if self.early_stopping is not None:
            check_int("early_stopping", self.early_stopping, "TrainConfig")
        check_nonneg("augment_jitter", self.augment_jitter, "TrainConfig")
        check_nonneg("augment_shift", self.augment_shift, "TrainConfig")
        check_seed("seed", self.seed, "TrainConfig")
        check_choice("engine", self.engine, ENGINE_NAMES, "TrainConfig")
        check_choice("device", self.device, DEVICE_NAMES, "TrainConfig")
        check_choice("precision", self.precision, PRECISION_NAMES, "TrainConfig")
        if self.precision == "fp16" and self.device == "cpu":
            raise InvalidArgument("The 'precision' parameter 'fp16' needs a CUDA device (float16 autocast with a "
                                  "gradient scaler); on the CPU use 'bf16' or 'fp32'.", "precision")


def _from_dict(cls, values: Any, where: str):
    if not isinstance(values, dict):
        raise InvalidArgument(f"'{where}' in the config must be a JSON object. Got {values!r} instead.", where)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise InvalidArgument(f"Unknown field(s) {unknown} in '{where}'; allowed fields are {sorted(known)}.",
                              where)
    try:
        return cls(**values)
    except TypeError as err:   # e.g. a list where a number belongs
        raise InvalidArgument(f"Bad value in '{where}': {err}", where) from None


_SECTION_OF = {DataConfig.__name__: "data", ModelConfig.__name__: "model", TrainConfig.__name__: "train"}


def field_message(err: InvalidArgument, prefix: str = "") -> str:
    """A config class's error told by the field's place in the JSON: "'train.seed' must be ... Got ... instead."
    (``prefix`` "base." gives 'base.train.seed'); other errors as they are."""
    section = _SECTION_OF.get(err.owner or "")
    if section and err.argument and err.allowed is not None:
        return err.restated(f"'{prefix}{section}.{err.argument}'")
    return str(err)


@dataclass(frozen=True)
class RunConfig:
    """Everything that decides a training run."""
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["model"]["hidden_sizes"] = list(self.model.hidden_sizes)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, values: Any) -> RunConfig:
        if not isinstance(values, dict):
            raise InvalidArgument(f"A run config must be a JSON object. Got {values!r} instead.", "config")
        unknown = sorted(set(values) - {"data", "model", "train"})
        if unknown:
            raise InvalidArgument(f"Unknown section(s) {unknown} in the config; allowed are "
                                  "['data', 'model', 'train'].", "config")
        return cls(data=_from_dict(DataConfig, values.get("data", {}), "data"),
                   model=_from_dict(ModelConfig, values.get("model", {}), "model"),
                   train=_from_dict(TrainConfig, values.get("train", {}), "train"))

    @classmethod
    def from_json(cls, path: str | Path) -> RunConfig:
        """Read a config file; a missing, unreadable or malformed file, or a bad value in it, raises
        ``InvalidArgument`` naming the file (argument ``config``) and, for a value, its ``section.field``."""
        text = read_text(path, "the config file", "config")
        try:
            values = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidArgument(f"The config file '{path}' is not valid JSON: {err.msg} at line {err.lineno}.",
                                  "config") from None
        except RecursionError:
            raise InvalidArgument(f"The config file '{path}' is not a run config: its JSON is nested too deeply.",
                                  "config") from None
        try:
            return cls.from_dict(values)
        except InvalidArgument as err:
            raise InvalidArgument(f"In the config file '{path}': {field_message(err)}", "config") from None

    def replace(self, **sections: dict) -> RunConfig:
        """A copy with some fields changed, e.g. ``cfg.replace(train={"epochs": 500})``."""
        d = self.to_dict()
        for section, changes in sections.items():
            d[section].update(changes)
        return RunConfig.from_dict(d)


# The seed's circle-data MLP: 1000 points, 2 -> 8 ReLU, four 8 -> 8 ReLU, 8 -> 2, Adam 1e-3, full batch,
# cross-entropy, 2000 epochs. (The seed's comment says "6 hidden layers"; its code builds 5. We follow the code.)
SEED_CIRCLE = RunConfig(
    data=DataConfig(dataset="seed-circle"),   # 1000 points, the data set's default
    model=ModelConfig(input_size=2, hidden_sizes=(8, 8, 8, 8, 8), activation="relu", output_size=2),
    train=TrainConfig(optimizer="adam", lr=1e-3, epochs=2000, batch_size=None, loss="cross-entropy"),
)

PRESETS: dict[str, RunConfig] = {
    "seed-circle": SEED_CIRCLE,
    # The seed's classification program: the same model, trained for 500 epochs.
    "seed-circle-500": SEED_CIRCLE.replace(train={"epochs": 500}),
}
