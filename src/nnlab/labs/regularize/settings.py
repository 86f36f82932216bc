"""The regularisation lab's settings: the data sets, regularisers and seeds, the capacity grids and every
regulariser's strengths. ``QUICK`` (seconds to a minute, for ``--quick`` and the tour) and ``FULL``."""
from __future__ import annotations

from dataclasses import dataclass

from nnlab._validation import InvalidArgument, check_choice, check_fraction, check_int, check_nonneg, check_sizes
from nnlab.labs.regularize.regularizers import REGULARIZERS
from nnlab.labs.regularize.tasks import TASKS

__all__ = ["Settings", "QUICK", "FULL"]

_COMBOS = (("l2", "dropout"), ("l2", "early-stopping"), ("l2", "augment"), ("l1", "l2"), ("dropout", "augment"),
           ("batch-norm", "dropout"), ("l2", "dropout", "augment", "early-stopping"))


@dataclass(frozen=True)
class Settings:
    datasets: tuple[str, ...] = tuple(TASKS)
    regularizers: tuple[str, ...] = tuple(REGULARIZERS)
    seeds: int = 5                                     # seeds 0..seeds-1: data sample, split, weights, noise
    epochs: int | None = None                          # None: each task's own (spiral 1000, digits 300)
    widths: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128, 256)   # capacity: two hidden layers of this width
    depths: tuple[int, ...] = (1, 2, 3, 4, 6, 8)       # capacity: this many hidden layers of `depth_width`
    depth_width: int = 32
    l2: tuple[float, ...] = (1e-4, 1e-3, 1e-2)
    l1: tuple[float, ...] = (1e-4, 1e-3, 1e-2)
    dropout: tuple[float, ...] = (0.1, 0.3, 0.5)
    patience: tuple[int, ...] = (10, 50, 200)          # early stopping
    jitter: tuple[float, ...] = (0.1, 0.25, 0.5)       # augment on 2-D points: input noise std
    shift: tuple[float, ...] = (0.5, 1.0, 2.0)         # augment on images: largest shift in pixels
    combos: tuple[tuple[str, ...], ...] = _COMBOS      # each member at its validation-chosen strength
    weight_lambdas: tuple[float, ...] = (1e-3, 1e-2)   # the SGD weight study: L1 and L2 at these strengths
    near_zero: float = 1e-2                            # |w| below this counts as zero (typical |w| ~ 0.1)

    def __post_init__(self):
        for name in self.datasets:
            check_choice("dataset", name, TASKS, "regularize")
        for name in self.regularizers:
            check_choice("regularizers", name, REGULARIZERS, "regularize")
        for name, values in (("datasets", self.datasets), ("regularizers", self.regularizers)):
            if not values:
                raise InvalidArgument(f"The '{name}' parameter of regularize must name at least one.", name,
                                      owner="regularize")
        check_int("seeds", self.seeds, "regularize")
        if self.epochs is not None:
            check_int("epochs", self.epochs, "regularize")
        object.__setattr__(self, "widths", check_sizes("widths", self.widths, "regularize"))
        object.__setattr__(self, "depths", check_sizes("depths", self.depths, "regularize"))
        check_int("depth_width", self.depth_width, "regularize")
        for name in ("l2", "l1", "dropout", "patience", "jitter", "shift", "weight_lambdas"):
            values = getattr(self, name)
            if not values:
                raise InvalidArgument(f"The '{name}' parameter of regularize must list at least one value.", name,
                                      owner="regularize")
            for v in values:
                if name == "dropout":
                    check_fraction("dropout", v, "regularize")
                elif name == "patience":
                    check_int("patience", v, "regularize")
                else:
                    check_nonneg(name, v, "regularize")

    def grid(self, name: str, task) -> tuple[float, ...]:
        """The strengths tried for regulariser ``name`` on ``task``."""
        if name == "augment":
            return self.jitter if task.augment == "jitter" else self.shift
        return {"batch-norm": (1.0,), "early-stopping": self.patience}.get(name) or getattr(self, name)

    def epochs_for(self, task) -> int:
        return task.epochs if self.epochs is None else self.epochs


FULL = Settings()
QUICK = Settings(seeds=2, epochs=200, widths=(2, 8, 64), depths=(1, 3), l2=(1e-3,), l1=(1e-3,), dropout=(0.3,),
                 patience=(20,), jitter=(0.25,), shift=(1.0,), combos=(("l2", "dropout"),), weight_lambdas=(1e-3,))
