"""One run from a RunConfig: prepare the data, build the model, fit. What the CLI and the tour call."""
from __future__ import annotations

from dataclasses import replace

from nnlab.config import RunConfig
from nnlab.data.prepare import PreparedData, prepare
from nnlab.training.losses import check_compatible, output_size_for

__all__ = ["TrainedRun", "train", "sized_for_data", "initial_model"]


class TrainedRun:
    """A finished run: its config (sizes matched to the data), data, model and History.

    ``model`` is always a torch ``nnlab.nn.MLP``. When the fast engine trained a torch-free ``FastMLP``
    (``network``), ``model`` builds the torch MLP from its trained weights on first access, so a run that never
    asks for it never imports torch. ``engine`` is the Choice that ran (``str(run.engine)`` says why).
    """

    def __init__(self, config: RunConfig, data: PreparedData, model, history, engine=None):
        self.config = config
        self.data = data
        self.network = model          # what was trained: an nnlab.nn.MLP or a FastMLP
        self.history = history
        self.engine = engine
        self._torch_model = None

    @property
    def model(self):
        """The trained network as a torch ``nnlab.nn.MLP``."""
        from nnlab.training.engines.fast_model import FastMLP
        if not isinstance(self.network, FastMLP):
            return self.network
        if self._torch_model is None:
            self._torch_model = self.network.to_torch()
        return self._torch_model

    @property
    def n_parameters(self) -> int:
        """Trainable scalars, without building a torch model."""
        from nnlab.training.engines.support import parameter_count
        m = self.config.model
        batch_norm = 2 * sum(m.hidden_sizes) if m.batch_norm else 0      # a weight and a bias per unit
        return parameter_count((m.input_size, *m.hidden_sizes, m.output_size)) + batch_norm

    def __repr__(self) -> str:
        return (f"TrainedRun({self.config.data.dataset}, {self.history.epochs_run} epochs, "
                f"{self.engine or self.history.engine})")


def sized_for_data(config: RunConfig, data: PreparedData) -> RunConfig:
    """``config`` with the model's input and output sizes set from the data and the loss."""
    out = output_size_for(config.train.loss, data.task, data.n_classes)
    model = replace(config.model, input_size=data.n_features, output_size=out)
    return replace(config, model=model)


def initial_model(config: RunConfig, engine: str):
    """The untrained model of a sized ``config``: ``build_mlp``'s for the seed, or, when the fast engine trains it
    and the init draws uniform numbers (``support.TORCH_FREE_INITS``), a FastMLP with those same weights, drawn
    without torch. Seeds torch's global generator on the torch path, so build models on one thread."""
    from nnlab.training.engines.support import TORCH_FREE_INITS
    if engine == "fast" and config.model.init in TORCH_FREE_INITS:
        from nnlab.training.engines.fast_model import FastMLP
        return FastMLP.from_config(config.model, seed=config.train.seed)
    from nnlab.nn import build_mlp
    return build_mlp(config.model, seed=config.train.seed)


def train(config: RunConfig, observers=(), data: PreparedData | None = None) -> TrainedRun:
    """Run ``config`` end to end. The model's input/output sizes are set to fit the data and the loss.

    The initial weights are those of ``torch.manual_seed(config.train.seed)`` and ``nnlab.nn.build_mlp``; the
    data come from ``config.data.seed``. When the fast engine serves the run and the init draws uniform numbers
    (``support.TORCH_FREE_INITS``), the model is a FastMLP with those same weights, drawn without torch.
    """
    from nnlab.training.engines import choose_engine
    from nnlab.training.loop import fit

    data = prepare(config.data, loss=config.train.loss) if data is None else data
    config = sized_for_data(config, data)
    check_compatible(config.train.loss, data.task, data.n_classes, config.model.output_size)
    choice = choose_engine(config.train.engine, config.train, model_config=config.model, observers=observers)
    model = initial_model(config, choice.engine)
    history = fit(model, data.X_train, data.y_train, config.train, X_test=data.X_test, y_test=data.y_test,
                  task=data.task, observers=observers)
    return TrainedRun(config, data, model, history, choice)
