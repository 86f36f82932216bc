"""One run from a RunConfig: prepare the data, build the model, fit. What the CLI and the tour call."""
from __future__ import annotations

from dataclasses import dataclass, replace

from nnlab.config import RunConfig
from nnlab.data.prepare import PreparedData, prepare
from nnlab.training.losses import check_compatible, output_size_for

__all__ = ["TrainedRun", "train", "sized_for_data"]


@dataclass
class TrainedRun:
    config: RunConfig        # with the model's input/output sizes matched to the data
    data: PreparedData
    model: object            # nnlab.nn.MLP
    history: object          # nnlab.training.History


def sized_for_data(config: RunConfig, data: PreparedData) -> RunConfig:
    """``config`` with the model's input and output sizes set from the data and the loss."""
    out = output_size_for(config.train.loss, data.task, data.n_classes)
    model = replace(config.model, input_size=data.n_features, output_size=out)
    return replace(config, model=model)


def train(config: RunConfig, observers=(), data: PreparedData | None = None) -> TrainedRun:
    """Run ``config`` end to end. The model's input/output sizes are set to fit the data and the loss.

    The initial weights come from ``torch.manual_seed(config.train.seed)``; the data from ``config.data.seed``.
    """
    from nnlab.nn import build_mlp
    from nnlab.training.loop import fit

    data = prepare(config.data) if data is None else data
    config = sized_for_data(config, data)
    check_compatible(config.train.loss, data.task, data.n_classes, config.model.output_size)
    model = build_mlp(config.model, seed=config.train.seed)
    history = fit(model, data.X_train, data.y_train, config.train, X_test=data.X_test, y_test=data.y_test,
                  task=data.task, observers=observers)
    return TrainedRun(config, data, model, history)
