"""What the exercise 1.1 studies train: one data set, one single-hidden-layer network, its grids and seeds."""
from __future__ import annotations

import math
from dataclasses import dataclass

from nnlab._validation import InvalidArgument, check_choice, check_fraction, check_int, check_positive

__all__ = ["Settings", "FULL", "QUICK", "STUDIES", "binary_datasets", "ALL_ACTIVATIONS"]

# Study name -> what it shows. "all" runs them in this order.
STUDIES = {
    "one-layer": "a single hidden layer written out (forward, loss, backward) and checked against the torch run",
    "activations": "every activation of the registry on the same data and seeds",
    "sensitivity": "a learning rate x batch size grid",
}


def binary_datasets() -> list[str]:
    """The 2-D two-class data sets of ``nnlab.data.DATASETS`` the studies accept (spirals has K >= 3 classes,
    xor4 only four points, the reg-* sets are regression)."""
    from nnlab.data import DATASETS
    return [name for name, d in DATASETS.items() if d.task == "classification" and name not in ("spirals", "xor4")]


def _all_activations() -> tuple[str, ...]:
    from nnlab.nn.activations import ACTIVATIONS
    return tuple(ACTIVATIONS)


ALL_ACTIVATIONS = _all_activations()


@dataclass(frozen=True)
class Settings:
    dataset: str = "xor"                 # TF Playground's XOR: the class is the sign of x * y
    test_fraction: float = 0.5           # held out, as the Playground splits it
    hidden: int = 8                      # the one hidden layer's width: 2 -> hidden -> 2
    activation: str = "relu"             # of the one-layer run and the sensitivity grid (the seed's choice)
    lr: float = 0.1                      # plain SGD (w -= lr * g), for the one-layer run and the activations
    batch_size: int = 32
    epochs: int = 200
    seeds: int = 5                       # train.seed 0..seeds-1: initial weights and batch order
    target: float = 0.95                 # test accuracy for "epochs to target"
    activations: tuple[str, ...] = ALL_ACTIVATIONS
    lrs: tuple[float, ...] = (1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0)
    batch_sizes: tuple[int | None, ...] = (1, 4, 16, 64, None)   # None = full batch
    grid_epochs: int = 200               # epochs of every sensitivity trial
    blow_up: float = 10.0                # a run diverged when its loss is not finite or exceeds blow_up * log 2
    snapshots: tuple[int, ...] = (0, 1, 3, 10, 30, 200)          # epochs whose decision boundary is drawn

    def __post_init__(self):
        check_choice("dataset", self.dataset, binary_datasets(), "study")
        check_fraction("test_fraction", self.test_fraction, "study", low=0.1, high=0.9, closed_high=True)
        check_int("hidden", self.hidden, "study")
        from nnlab.nn.activations import ACTIVATIONS
        for a in (self.activation, *self.activations):
            check_choice("activation", a, ACTIVATIONS, "study")
        check_positive("lr", self.lr, "study")
        check_int("batch_size", self.batch_size, "study")
        check_int("epochs", self.epochs, "study")
        check_int("seeds", self.seeds, "study")
        if self.seeds > 50:
            raise InvalidArgument(f"The 'seeds' parameter of study must be at most 50. Got {self.seeds!r} instead.",
                                  "seeds", owner="study", allowed="an integer in the range [1, 50]", value=self.seeds)
        check_fraction("target", self.target, "study", low=0.5, high=1.0, closed_high=True)
        for lr in self.lrs:
            check_positive("lr", lr, "study")
        for b in self.batch_sizes:
            if b is not None:
                check_int("batch_size", b, "study")
        check_int("grid_epochs", self.grid_epochs, "study")
        check_positive("blow_up", self.blow_up, "study")

    @property
    def blow_up_loss(self) -> float:
        """The loss above which a two-class run counts as diverged: ``blow_up`` times the chance loss log 2."""
        return self.blow_up * math.log(2.0)

    def base_config(self, activation: str | None = None, seed: int = 0):
        """The single-hidden-layer RunConfig every study starts from."""
        from nnlab.config import DataConfig, ModelConfig, RunConfig, TrainConfig
        return RunConfig(
            data=DataConfig(dataset=self.dataset, test_fraction=self.test_fraction),
            model=ModelConfig(hidden_sizes=(self.hidden,), activation=activation or self.activation),
            train=TrainConfig(optimizer="sgd", lr=self.lr, epochs=self.epochs, batch_size=self.batch_size,
                              loss="cross-entropy", seed=seed))


FULL = Settings()
QUICK = Settings(epochs=60, seeds=2, lrs=(0.01, 0.1, 1.0, 3.0), batch_sizes=(4, 32, None), grid_epochs=40,
                 snapshots=(0, 1, 5, 20, 60))
