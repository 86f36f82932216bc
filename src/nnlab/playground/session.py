"""One browser tab's lab: its settings, data, model and Trainer, and the messages that show them.

A Session is plain Python (no web code): the server calls ``configure``, ``train_for``, ``frame`` and friends,
and sends what they return. It is built from the library: the data from ``nnlab.data.prepare`` (on TensorFlow
Playground's data sets its own stream and cut), the network from the model builder (``nnlab.nn.build``), the
parameter layout from the engine's model (a FastMLP), the unit maps from ``nnlab.nn.forward.layer_outputs``.
Training goes through ``nnlab.training.trainer.Trainer``: TensorFlow Playground's semantics in classic mode,
``fit``'s in nnlab mode.
"""
from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np

from nnlab._validation import InvalidArgument
from nnlab.config import DataConfig
from nnlab.data.playground_stream import STREAM_DATASETS
from nnlab.data.seedrandom import seed_from_random
from nnlab.data.split import split_fraction
from nnlab.playground import view
from nnlab.playground.protocol import LIMITS, Settings

if TYPE_CHECKING:
    from nnlab.training.engines.fast_model import FastMLP

__all__ = ["Session", "data_config"]

_LIVE = {"learningRate", "regularizationRate", "epochLimit", "targetLoss"}   # changed without a reset
_SLICE_CHUNK_S = 0.004          # one Trainer.step call lasts about this long


def data_config(settings: Settings) -> DataConfig:
    """The DataConfig of the settings' generated data set (not "csv"): on TensorFlow Playground's own data sets
    its stream, seed and cut, so that the points, their order and the split are the Playground's."""
    from nnlab.data import DATASETS
    s = settings
    return DataConfig(dataset=s.dataset, noise=s.noise / 100, seed=s.seed,
                      test_fraction=split_fraction(DATASETS[s.dataset].n, s.percTrainData),
                      classes=s.classes if s.dataset == "spirals" else None,
                      rng="seedrandom" if s.dataset in STREAM_DATASETS else "numpy")


class Session:
    """The state behind one tab. ``settings`` decide the run; ``resets`` counts Reset presses (new weights)."""

    def __init__(self, settings: Settings | None = None, rng_seed: int | None = None):
        self.rng = np.random.default_rng(rng_seed)
        self.csv: tuple[np.ndarray, np.ndarray] | None = None
        self.focus: str | None = None
        self.configure(settings or Settings())

    # -- building -------------------------------------------------------------------------------------------
    def configure(self, settings: Settings, *, keep_weights: bool = False) -> None:
        """Apply new settings: live changes where possible, else new data and a new network (epoch 0).
        On bad settings (InvalidArgument) the session stays as it was."""
        saved = dict(self.__dict__)
        try:
            self._configure(settings, keep_weights)
        except Exception:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    def _configure(self, settings: Settings, keep_weights: bool) -> None:
        old = getattr(self, "settings", None)
        self.settings = settings
        if old is not None and not keep_weights:
            changed = {k for k in type(settings).model_fields if getattr(old, k) != getattr(settings, k)}
            if changed and changed <= _LIVE:
                self.trainer.set_lr(settings.learningRate)
                self._apply_regularization()
                return
        if settings.dataset == "csv" and self.csv is None:
            raise InvalidArgument("The 'csv' data set needs an uploaded CSV file first.", "dataset")
        theta = self.trainer.parameters().copy() if keep_weights else None
        self.resets = 0 if not keep_weights else self.resets
        self.extra: list[tuple[float, float, float]] = [] if not keep_weights else self.extra
        self._make_data(keep_weights)
        self._make_trainer(theta)
        if not keep_weights:
            self.history: list[list[float]] = []
            self.epoch0 = 0
        self.sent = 0
        self.stop_reason: str | None = None
        self._chunk = 1

    def _make_data(self, keep_weights: bool = False) -> None:
        """The data, split and features, from ``nnlab.data.prepare``. On the Playground's data sets also its stream,
        positioned after the data: ``self.draws`` networks have been drawn from it since. Clicked points keep the
        stream where it is."""
        from nnlab.data.prepare import prepare, prepare_arrays
        s = self.settings
        added = self.extra or None
        if s.dataset == "csv":
            X, y = self.csv
            self.data_config = None
            data = prepare_arrays(X, y, split_fraction(len(X), s.percTrainData), s.seed, features=s.features,
                                  added=added)
        else:
            self.data_config = data_config(s)
            data = prepare(self.data_config, features=s.features, added=added)
        stream = data.stream
        key = (s.dataset, s.noise, s.seed) if stream is not None else None
        if not (keep_weights and key is not None and key == getattr(self, "stream_key", None)):
            self.stream, self.stream_key, self.draws = stream, key, 0
        self.task, self.classes, self.domain = data.task, data.classes, data.domain
        if s.mode == "classic" and data.n_classes not in (0, 2):
            raise InvalidArgument(f"Classic mode trains two classes (a tanh output); this data has "
                                  f"{data.n_classes}. Switch to nnlab mode (softmax output).", "mode")
        self.X_train, self.X_test, self.y_train, self.y_test = data.points_train, data.points_test, data.y_train, \
            data.y_test
        self.F_train, self.F_test = data.X_train, data.X_test

    def _loss(self) -> str:
        s = self.settings
        if s.mode == "classic":
            return "mse"
        return s.loss if s.loss != "auto" else ("cross-entropy" if self.task == "classification" else "mse")

    def _make_trainer(self, theta=None) -> None:
        from nnlab.config import ModelConfig, TrainConfig
        from nnlab.nn.build import build_model, fast_layout
        from nnlab.training.losses import check_compatible, output_size_for
        from nnlab.training.trainer import Trainer
        s = self.settings
        seed = s.seed + 100_000 * self.resets                          # Reset draws new weights, repeatably
        rate = s.regularizationRate
        l1, l2 = (rate, 0.0) if s.regularization == "L1" else ((0.0, rate) if s.regularization == "L2" else (0.0, 0.0))
        loss, K = self._loss(), (len(self.classes) if self.classes is not None else 0)
        out = 1 if s.mode == "classic" else output_size_for(loss, self.task, K)
        if s.mode != "classic":
            check_compatible(loss, self.task, K, out)
        self.model_config = ModelConfig(input_size=len(s.features), hidden_sizes=tuple(s.networkShape),
                                        activation=s.activation, output_size=out,
                                        dropout=s.dropout if s.mode == "nnlab" else 0.0,
                                        init="playground" if s.mode == "classic" else s.init)
        # The network, from the model builder: in classic mode the fast engine's FastMLP, with the Playground's
        # draws on its data sets (a Reset draws the next network); else the config's init, or zeros (initZero).
        classic = s.mode == "classic"
        stream = self.stream if theta is None and classic else None
        model = build_model(self.model_config, seed, fast=classic, theta=theta, stream=stream, zero=s.initZero)
        if stream is not None:
            self.draws += 1
        batch = min(s.batchSize, len(self.F_train))
        if classic:
            self.train_config = TrainConfig(optimizer="sgd", lr=s.learningRate, batch_size=batch, loss="mse",
                                            l1=l1, l2=l2, seed=seed)
            self.trainer = Trainer(model, self.F_train, self.y_train, self.train_config, task=self.task,
                                   semantics="playground")
        else:
            self.train_config = TrainConfig(optimizer=s.optimizer, lr=s.learningRate, batch_size=batch, loss=loss,
                                            l1=l1, l2=l2, seed=seed)
            self.trainer = Trainer(model, self.F_train, self.y_train, self.train_config, task=self.task,
                                   reshuffle=s.reshuffle)
        # The parameter layout: the engine's model (FastMLP), in nnlab mode its form of the torch model.
        self.layout = model if classic else fast_layout(self.model_config)
        self.sizes = self.layout.sizes
        self.output_activation = "tanh" if classic and self.task == "classification" else "linear"

    def network(self) -> FastMLP:
        """The engine's model (a FastMLP) holding the parameters now: the live vector on the fast engines, a copy
        on torch (write changes back with ``trainer.load_parameters``). Its ``layers()`` are each layer's
        (weight (out, in), bias) as views of its ``theta``."""
        from nnlab.training.engines.fast_model import FastMLP
        net = self.layout
        return FastMLP(net.sizes, net.activations, self.trainer.parameters(), net.negative_slope, net.config)

    def _apply_regularization(self) -> None:
        s = self.settings
        rate = s.regularizationRate
        self.trainer.set_regularization(rate if s.regularization == "L1" else 0.0,
                                        rate if s.regularization == "L2" else 0.0)

    # -- controls -------------------------------------------------------------------------------------------
    @property
    def epoch(self) -> int:
        return self.epoch0 + self.trainer.epoch_

    def reset(self) -> None:
        """New random weights (the next in this seed's series; on the Playground's data sets in classic mode, the
        stream's next draws, as its Reset), same data; epoch 0, chart cleared."""
        self.resets += 1
        self._make_trainer()
        self.history, self.epoch0, self.sent, self.stop_reason = [], 0, 0, None

    def regenerate(self) -> None:
        """A new seed and new data; the network keeps its weights and epoch. On the Playground's data sets the
        seed is its next draw, ``Math.random().toFixed(5)``, as its Regenerate takes it."""
        epoch = self.epoch
        seed = seed_from_random(self.stream.random()) if self.stream is not None else int(self.rng.integers(100_000))
        self.configure(self.settings.model_copy(update={"seed": seed}), keep_weights=True)
        self.epoch0 = epoch

    def set_param(self, layer: int, unit: int, source: int | None, value: float) -> None:
        """Set one weight (source unit -> unit of Linear layer ``layer``) or bias (source None), live."""
        if layer >= len(self.sizes) - 1 or unit >= self.sizes[layer + 1] or (
                source is not None and source >= self.sizes[layer]):
            raise InvalidArgument(f"No parameter at layer {layer}, unit {unit}, source {source} in a "
                                  f"{'-'.join(map(str, self.sizes))} network.", "set_param")
        net = self.network()
        weight, bias = net.layers()[layer]
        if source is None:
            bias[unit] = value
        else:
            weight[unit, source] = value
        self.trainer.load_parameters(net.theta)

    def add_point(self, x: float, y: float, label: float) -> None:
        """A clicked point joins the training data (network kept)."""
        if len(self.X_train) + len(self.X_test) >= LIMITS["points"]:
            raise InvalidArgument(f"At most {LIMITS['points']} points.", "add_point")
        if self.task == "classification" and label not in set(self.classes.tolist()):
            raise InvalidArgument(f"The label must be one of {self.classes.tolist()}; got {label}.", "add_point")
        epoch = self.epoch
        self.extra.append((x, y, label))
        self.configure(self.settings, keep_weights=True)
        self.epoch0 = epoch

    # -- training -------------------------------------------------------------------------------------------
    def train_for(self, seconds: float, max_epochs: int | None = None, record: bool = True) -> str | None:
        """Train for about ``seconds`` (whole epochs, in chunks of ~4 ms), then record one chart point (unless
        ``record`` is False: ``frame`` records one, and ``check_target`` then tests the target loss).

        Returns why training must stop ("diverged", "epoch limit", "target") or None. On a non-finite loss the
        weights go back to the last finite chunk's and ``stop_reason`` says what happened.
        """
        s, start, done = self.settings, time.perf_counter(), 0
        while True:
            n = self._chunk if max_epochs is None else min(self._chunk, max_epochs - done)
            if s.epochLimit:
                n = min(n, s.epochLimit - self.epoch)
                if n <= 0:
                    return self._stop("epoch limit", f"Stopped at the epoch limit ({s.epochLimit}).")
            if n <= 0:
                break
            snapshot, t0 = self.trainer.parameters().copy(), time.perf_counter()
            metrics = self.trainer.step(n)
            spent = time.perf_counter() - t0
            done += n
            self._chunk = int(min(max(n * _SLICE_CHUNK_S / max(spent, 1e-6), 1), 2000))
            if metrics["diverged"]:
                return self._diverged(snapshot, metrics)
            if time.perf_counter() - start >= seconds:
                break
        if not record:
            return None
        self.record()
        return self.check_target()

    def check_target(self) -> str | None:
        """"target" once the last chart point's test loss (train loss without test data) is <= targetLoss."""
        s = self.settings
        if s.targetLoss and self.history:
            monitored = self.history[-1][2] if len(self.y_test) else self.history[-1][1]
            if monitored <= s.targetLoss:
                return self._stop("target", f"Reached the target loss {s.targetLoss} at epoch {self.epoch}.")
        return None

    def _stop(self, reason: str, message: str) -> str:
        self.stop_reason, self.stop_message = reason, message
        return reason

    def _diverged(self, snapshot, metrics) -> str:
        bad = metrics["loss"][-1]
        epoch = self.epoch
        lr = self.settings.learningRate
        self.epoch0 = self.epoch - len(metrics["loss"])
        self._make_trainer(snapshot)              # finite weights back; optimizer state starts afresh
        what = "NaN" if math.isnan(bad) else "infinite"
        return self._stop("diverged", f"Training paused at epoch {epoch}: the training loss became {what}. The "
                          f"learning rate {lr:g} is too high for this network; lower it and press play (the "
                          f"weights are back at epoch {self.epoch}, the last finite state), or reset.")

    def record(self) -> None:
        """Append (epoch, train loss, test loss) to the chart's history."""
        train = self.trainer.evaluate(self.F_train, self.y_train)
        test = self.trainer.evaluate(self.F_test, self.y_test)
        point = [self.epoch, train.get("loss", math.nan), test.get("loss", math.nan)]
        if not self.history or self.history[-1][0] != point[0]:
            self.history.append(point)
        else:
            self.history[-1] = point
        self.metrics = {"train_loss": point[1], "test_loss": point[2],
                        "train_accuracy": train.get("accuracy"), "test_accuracy": test.get("accuracy")}

    # -- what the page shows (view.py) -------------------------------------------------------------------------
    def network_message(self) -> dict:
        return view.network_message(self)

    def data_message(self) -> dict:
        return view.data_message(self)

    def frame(self) -> dict:
        return view.frame(self)
