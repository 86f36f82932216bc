"""A live training widget for Jupyter: change a setting, the MLP retrains and the figure redraws.

    from nnlab.widgets import TrainingWidget
    TrainingWidget()          # in a notebook: menus and sliders above the decision regions and the loss curves

Menus and sliders choose the data set, its noise, the hidden layers and their width, the activation, the
optimizer, the learning rate and the epochs. Every change retrains the network from the same seed on the fast
engine (``nnlab.train``, the same training as ``nnlab train --engine fast``) and redraws the decision regions
and the loss curves, with the run's final numbers beneath. The controls' own bounds refuse values outside the
settings nnlab accepts. Needs ``ipywidgets`` (the ``notebook`` extra, installed by ``make setup``).
"""
from __future__ import annotations

import io
import time

import numpy as np

__all__ = ["TrainingWidget", "DATASETS_2D"]

# The two-dimensional classification data sets, each with the largest noise its generator takes here.
DATASETS_2D = {"circle": 0.5, "xor": 0.5, "gauss": 0.5, "spiral": 0.5, "moons": 0.5, "seed-circle": 0.5}


class TrainingWidget:
    """Menus and sliders that retrain an MLP and redraw it on every change (see the module's docstring).

    ``controls`` maps a setting's name to its widget; ``last`` holds the latest run's config, final metrics and
    the seconds it took to train and to draw.
    """

    def __init__(self, dataset: str = "circle", noise: float = 0.0, layers: int = 2, width: int = 8,
                 activation: str = "tanh", optimizer: str = "adam", lr: float = 0.03, epochs: int = 300,
                 seed: int = 0, resolution: int = 80):
        import ipywidgets as W

        from nnlab.nn.activations import ACTIVATIONS
        from nnlab.training.optimizers import OPTIMIZERS
        self.seed, self.resolution = seed, resolution
        style = {"description_width": "90px"}
        self.controls = {
            "dataset": W.Dropdown(options=list(DATASETS_2D), value=dataset, description="data set", style=style),
            "noise": W.FloatSlider(value=noise, min=0.0, max=0.5, step=0.05, description="noise", style=style),
            "layers": W.IntSlider(value=layers, min=0, max=6, description="hidden layers", style=style),
            "width": W.IntSlider(value=width, min=1, max=16, description="units each", style=style),
            "activation": W.Dropdown(options=list(ACTIVATIONS), value=activation, description="activation",
                                     style=style),
            "optimizer": W.Dropdown(options=list(OPTIMIZERS), value=optimizer, description="optimizer",
                                    style=style),
            "lr": W.FloatLogSlider(value=lr, base=10, min=-4, max=0, step=0.25, description="learning rate",
                                   style=style, readout_format=".2g"),
            "epochs": W.IntSlider(value=epochs, min=10, max=2000, step=10, description="epochs", style=style),
        }
        self.image = W.Image(format="png")
        self.numbers = W.HTML()
        for control in self.controls.values():
            control.observe(lambda change: self.update(), names="value")
        names = list(self.controls)
        self.widget = W.VBox([W.HBox([W.VBox([self.controls[n] for n in names[:4]]),
                                      W.VBox([self.controls[n] for n in names[4:]])]),
                              self.image, self.numbers])
        self.last: dict = {}
        self.update()

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def config(self):
        """The RunConfig the current settings describe (fast engine, full batch, 30 % of the points held out)."""
        from nnlab.config import DataConfig, ModelConfig, RunConfig, TrainConfig
        v = self.values()
        return RunConfig(
            data=DataConfig(dataset=v["dataset"], noise=v["noise"], test_fraction=0.3, seed=self.seed),
            model=ModelConfig(hidden_sizes=(v["width"],) * v["layers"], activation=v["activation"]),
            train=TrainConfig(optimizer=v["optimizer"], lr=v["lr"], epochs=v["epochs"], engine="fast",
                              seed=self.seed))

    def update(self) -> dict:
        """Retrain with the current settings and redraw; returns (and keeps in ``last``) what the run gave."""
        from nnlab.data.prepare import prepare
        from nnlab.numbers import final_text
        from nnlab.training.run import sized_for_data, train

        start = time.perf_counter()
        config = self.config()
        data = prepare(config.data, loss=config.train.loss)
        config = sized_for_data(config, data)
        run = train(config, data=data)
        trained = time.perf_counter()
        self.image.value = self._draw(run)
        drawn = time.perf_counter()
        self.last = {"config": config, "final": dict(run.history.final), "train_s": trained - start,
                     "draw_s": drawn - trained, "seconds": drawn - start}
        self.numbers.value = (f"<p>{final_text(run.history.final)} (the finished model in eval mode); "
                              f"{run.history.epochs_run} epochs on the {run.history.engine} engine, "
                              f"{1000 * self.last['train_s']:.0f} ms to train, "
                              f"{1000 * self.last['draw_s']:.0f} ms to draw.</p>")
        return self.last

    def _draw(self, run) -> bytes:
        """Decision regions with the training and test points, beside the loss curves; PNG bytes."""
        from nnlab.viz._style import legend_outside, new_figure, region_cmap, scatter_classes
        data, history = run.data, run.history
        fig = new_figure(9.5, 4.2)
        regions, curves = fig.subplots(1, 2)
        # 1) decision regions: the network's class on a grid, from its own forward pass
        axis = np.linspace(-data.domain, data.domain, self.resolution)
        gx, gy = np.meshgrid(axis, axis)
        grid = run.network.predict(np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32))
        k = data.n_classes
        regions.imshow(grid.reshape(gx.shape), origin="lower", extent=(axis[0], axis[-1], axis[0], axis[-1]),
                       cmap=region_cmap(k), vmin=-0.5, vmax=k - 0.5, alpha=0.25, interpolation="nearest")
        labels = [str(c) for c in data.classes]
        scatter_classes(regions, data.X_train, data.y_train, labels=labels, size=10)
        if len(data.X_test):
            scatter_classes(regions, data.X_test, data.y_test, labels=[f"{c}, test" for c in labels], size=10,
                            edge="black")
        regions.set(xlabel="x1", ylabel="x2", xlim=(axis[0], axis[-1]), ylim=(axis[0], axis[-1]),
                    title="decision regions (test points outlined)")
        regions.set_aspect("equal")
        legend_outside(regions, "right", fontsize=7)
        # 2) loss curves
        epochs = np.arange(1, len(history.loss) + 1)
        curves.plot(epochs, history.loss, label="training (mean over the epoch's batches)")
        if history.test_loss:
            curves.plot(epochs[:len(history.test_loss)], history.test_loss, label="test (after the epoch)")
        curves.set(xlabel="epoch", ylabel="loss", yscale="log", title="loss")
        curves.grid(alpha=0.3, which="both")
        legend_outside(curves, "below", fontsize=7)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=70)
        return buffer.getvalue()

    def _ipython_display_(self):          # a notebook shows the widget itself
        from IPython.display import display
        display(self.widget)

    def __repr__(self) -> str:
        return f"TrainingWidget({', '.join(f'{k}={v!r}' for k, v in self.values().items())})"
