"""The playground's messages: pydantic schemas for everything a browser may send, and the limits.

``parse_message(text)`` returns one validated message or raises ``ProtocolError`` with a one-line reason;
the server answers that with ``{"type": "error", ...}`` and carries on.
"""
from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

__all__ = ["LIMITS", "LEARNING_RATES", "REGULARIZATION_RATES", "CLASSIC_ACTIVATIONS", "Settings", "Message",
           "ProtocolError", "parse_message"]

LIMITS = {"layers": 6, "neurons": 8, "points": 5000, "upload_bytes": 512 * 1024, "message_bytes": 1024 * 1024,
          "sessions": 8, "batch_classic": 30, "batch_nnlab": 1000, "step_epochs": 10000}
# TensorFlow Playground's menus
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
REGULARIZATION_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
CLASSIC_ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
FeatureKey = Literal["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]


class ProtocolError(ValueError):
    """A message that cannot be accepted; the text says why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Settings(_Strict):
    """Everything that decides a run; the page keeps it in the URL hash (the Playground's key names)."""
    mode: Literal["classic", "nnlab"] = "classic"     # classic: TensorFlow Playground's training semantics
    dataset: str = "circle"                           # a key of nnlab.data.DATASETS, or "csv" (uploaded)
    noise: int = Field(0, ge=0, le=50)                # the Playground's slider: generator noise = noise / 100
    percTrainData: int = Field(50, ge=10, le=90)
    seed: int = Field(0, ge=0, le=99999)              # data, split, initial weights and batch order
    features: list[FeatureKey] = Field(default_factory=lambda: ["x", "y"], min_length=1, max_length=7)
    networkShape: list[Annotated[int, Field(ge=1, le=LIMITS["neurons"])]] = Field(
        default_factory=lambda: [4, 2], max_length=LIMITS["layers"])
    activation: str = "tanh"
    learningRate: float = Field(0.03, gt=0, le=10)
    regularization: Literal["none", "L1", "L2"] = "none"
    regularizationRate: float = Field(0.0, ge=0, le=10)
    batchSize: int = Field(10, ge=1, le=LIMITS["batch_nnlab"])
    initZero: bool = False                            # every weight and bias starts at 0 (the Playground's URL key)
    # nnlab mode only
    optimizer: str = "adam"
    loss: str = "auto"                                # auto: cross-entropy (classification), mse (regression)
    init: str = "pytorch"
    dropout: float = Field(0.0, ge=0, le=0.9)
    reshuffle: bool = True
    classes: int = Field(3, ge=2, le=8)               # spirals only
    # stopping (both modes)
    epochLimit: int = Field(0, ge=0, le=10_000_000)   # 0 = none
    targetLoss: float = Field(0.0, ge=0)              # 0 = none; stops when the test (else train) loss is below

    @field_validator("features")
    @classmethod
    def _unique(cls, v):
        if len(set(v)) != len(v):
            raise ValueError("features must not repeat")
        return v

    @model_validator(mode="after")
    def _registries(self):
        from nnlab.data import DATASETS
        from nnlab.nn import ACTIVATIONS, INITS
        from nnlab.training import LOSSES, OPTIMIZERS
        if self.dataset not in DATASETS and self.dataset != "csv":
            raise ValueError(f"dataset must be one of {sorted(DATASETS)} or 'csv'; got {self.dataset!r}")
        acts = CLASSIC_ACTIVATIONS if self.mode == "classic" else tuple(ACTIVATIONS)
        if self.activation not in acts:
            raise ValueError(f"activation must be one of {sorted(acts)} in {self.mode} mode; got {self.activation!r}")
        if self.mode == "classic" and self.batchSize > LIMITS["batch_classic"]:
            raise ValueError(f"batchSize must be 1..{LIMITS['batch_classic']} in classic mode; got {self.batchSize}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}; got {self.optimizer!r}")
        if self.loss != "auto" and self.loss not in LOSSES:
            raise ValueError(f"loss must be 'auto' or one of {sorted(LOSSES)}; got {self.loss!r}")
        if self.init not in INITS:
            raise ValueError(f"init must be one of {sorted(INITS)}; got {self.init!r}")
        return self


class Configure(_Strict):
    type: Literal["config"]
    settings: Settings


class Simple(_Strict):
    type: Literal["play", "pause", "reset", "regenerate", "ready", "catalog"]


class Step(_Strict):
    type: Literal["step"]
    epochs: int = Field(1, ge=1, le=LIMITS["step_epochs"])


class SetRate(_Strict):
    type: Literal["set_lr", "set_reg_rate"]
    value: float = Field(ge=0, le=10)


class Visibility(_Strict):
    type: Literal["visibility"]
    hidden: bool                                      # the page's document.hidden (Page Visibility API)


class Focus(_Strict):
    type: Literal["focus"]
    node: str | None = Field(None, max_length=16, pattern=r"^(in:\w+|\d+:\d+)$")   # "in:x" or "layer:unit"


class SetParam(_Strict):
    type: Literal["set_param"]
    layer: int = Field(ge=0, le=LIMITS["layers"])      # the Linear layer, 0 = inputs -> first hidden layer
    unit: int = Field(ge=0, le=LIMITS["neurons"])      # the unit it feeds
    source: int | None = Field(None, ge=0, le=8)    # the unit it comes from; None = the bias
    value: float = Field(ge=-100, le=100)


class AddPoint(_Strict):
    type: Literal["add_point"]
    x: float = Field(ge=-1e3, le=1e3)
    y: float = Field(ge=-1e3, le=1e3)
    label: float = Field(ge=-1e3, le=1e3)             # -1/+1 (two classes), a class index, or a target


class Upload(_Strict):
    type: Literal["upload_csv"]
    text: str = Field(max_length=LIMITS["upload_bytes"])


class Export(_Strict):
    type: Literal["export"]
    what: Literal["config", "weights", "python", "settings"]


class Import(_Strict):
    type: Literal["import"]
    text: str = Field(max_length=LIMITS["upload_bytes"])


Message = Annotated[Configure | Simple | Step | SetRate | Visibility | Focus | SetParam | AddPoint | Upload | Export
                    | Import,
                    Field(discriminator="type")]
_ADAPTER = TypeAdapter(Message)


def parse_message(text: str | bytes):
    """One validated message from a WebSocket text frame; ProtocolError with a short reason otherwise (not JSON,
    not an object, not a known message, a field out of range, ...)."""
    if len(text) > LIMITS["message_bytes"]:
        raise ProtocolError(f"message too large ({len(text)} bytes; the limit is {LIMITS['message_bytes']})")
    try:
        data = json.loads(text)
    except RecursionError:
        raise ProtocolError("not JSON this server reads: nested too deeply") from None
    except ValueError as err:       # JSONDecodeError, UnicodeDecodeError, an integer of over 4300 digits
        raise ProtocolError(f"not JSON: {err}") from None
    if not isinstance(data, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(data), "a number")
        raise ProtocolError(f'bad message: a message is a JSON object such as {{"type": "play"}}; got {kind}')
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ProtocolError(f"bad message{' at ' + where if where else ''}: {first['msg']}") from None
