"""LabSettings: what one ``nnlab gd`` run does, validated on construction; ``Budget``: how big its grids are."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from nnlab._validation import InvalidArgument, check_choice, check_int, check_positive, check_seed
from nnlab.labs.gd.functions import FUNCTIONS
from nnlab.labs.gd.paths import PATH_OPTIMIZERS
from nnlab.training.optimizers import OPTIMIZERS

GOOD = 1e-6       # compare: an lr "works" when its run ends with f - f* at most this

__all__ = ["Budget", "BUDGETS", "LabSettings", "Settings", "QUICK", "FULL", "N_TERMS"]

N_TERMS = 64            # Part B's sum has this many terms


@dataclass(frozen=True)
class Budget:
    """Grid sizes and step budgets of the parts; ``BUDGETS["full"]`` is the default, ``"quick"`` a short run that
    still shows the lab's headline lessons."""
    b_epochs: int                 # Part B: passes over the n terms per run
    b_seeds: int                  # Part B: seeds per (lr, b)
    floor_steps: int              # Part B: steps per chain of the noise-floor measurement
    lr_points: int                # paths: learning rates in the log grid 1e-5 .. 10
    steps: int                    # paths: the fixed step budget of every run
    basin_points: int             # Himmelblau basins: starts per axis
    contour_points: int           # contour and surface grid per axis
    net_lrs: tuple[float, ...]    # network: the lr grid of the short sweep
    net_tune_epochs: int          # network: epochs per sweep run
    net_epochs: int               # network: epochs of the tuned run
    functions: tuple[str, ...]    # the 2-D functions drawn unless the run names its own
    b_lrs: tuple[float, ...]      # Part B's learning rates unless the run names its own


BUDGETS = {
    "full": Budget(b_epochs=100, b_seeds=5, floor_steps=20_000, lr_points=31, steps=500, basin_points=61,
                   contour_points=240, net_lrs=(1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0), net_tune_epochs=300,
                   net_epochs=2000, functions=tuple(FUNCTIONS), b_lrs=(0.01, 0.05, 0.1, 0.3)),
    # quick: the network part runs on the fast engine, so it keeps the full sweep and a third of the epochs
    # (enough for every optimizer to reach 97 %); the rest is smaller grids and one 2-D function
    "quick": Budget(b_epochs=20, b_seeds=3, floor_steps=3000, lr_points=13, steps=200, basin_points=15,
                    contour_points=90, net_lrs=(1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0), net_tune_epochs=300,
                    net_epochs=600, functions=("himmelblau",), b_lrs=(0.05, 0.3)),
}


def _names(name: str, values, registry, flag_name: str) -> tuple[str, ...]:
    values = tuple(values)
    if not values:
        raise InvalidArgument(f"The '{flag_name}' parameter needs at least one of {sorted(registry)}.", name)
    for v in values:
        check_choice(name, v, registry)
    return values


@dataclass(frozen=True)
class LabSettings:
    """Everything a lab run depends on besides its output directory.

    ``lrs`` are the learning rates Part A draws and Part B compares (None: their defaults); ``batch_sizes``
    Part B's batch sizes (each in [1, N_TERMS]); ``functions`` (None: the budget's) and ``optimizers`` restrict
    the paths, the comparison and the network (an optimizer runs where its registry has it: "gd" only on the
    2-D functions ("sgd" with full batches on the network), "adamw" only on the network).
    """
    quick: bool = False
    seed: int = 0
    x0: float = 10.0
    tol: float = 1e-6
    max_iter: int = 10_000
    lrs: tuple[float, ...] | None = None
    batch_sizes: tuple[int, ...] | None = None
    functions: tuple[str, ...] | None = None
    optimizers: tuple[str, ...] = tuple(dict.fromkeys([*PATH_OPTIMIZERS, *OPTIMIZERS]))
    budget: Budget = field(init=False)

    def __post_init__(self):
        check_positive("tol", self.tol)
        check_int("max_iter", self.max_iter)
        check_seed("seed", self.seed)
        if not isinstance(self.x0, (int, float)) or not math.isfinite(self.x0):
            raise InvalidArgument(f"The 'x0' parameter must be a finite number. Got {self.x0!r} instead.", "x0")
        if self.lrs is not None:
            if not self.lrs:
                raise InvalidArgument("The 'lr' parameter needs at least one learning rate.", "lr")
            for lr in self.lrs:
                check_positive("lr", lr)
        if self.batch_sizes is not None:
            if not self.batch_sizes:
                raise InvalidArgument("The 'batch_size' parameter needs at least one batch size.", "batch_size")
            for b in self.batch_sizes:
                if not isinstance(b, int) or isinstance(b, bool) or not 1 <= b <= N_TERMS:
                    raise InvalidArgument(f"The 'batch_size' parameter must be an integer in [1, {N_TERMS}] "
                                          f"(Part B's sum has {N_TERMS} terms). Got {b!r} instead.", "batch_size")
        object.__setattr__(self, "budget", BUDGETS["quick" if self.quick else "full"])
        functions = self.budget.functions if self.functions is None else self.functions
        object.__setattr__(self, "functions", _names("function", functions, FUNCTIONS, "function"))
        object.__setattr__(self, "optimizers", _names("optimizer", self.optimizers,
                                                      {**PATH_OPTIMIZERS, **OPTIMIZERS}, "optimizer"))

    @property
    def path_optimizers(self) -> tuple[str, ...]:
        return tuple(o for o in self.optimizers if o in PATH_OPTIMIZERS)

    @property
    def network_optimizers(self) -> tuple[str, ...]:
        """The optimizers of the network part; "gd" there is "sgd" (full batch)."""
        names = ("sgd" if o == "gd" else o for o in self.optimizers)
        return tuple(dict.fromkeys(o for o in names if o in OPTIMIZERS))

    @property
    def a_lrs(self) -> tuple[float, ...]:
        return self.lrs or (0.05, 0.45, 0.5, 0.9, 1.0, 1.05)

    @property
    def b_lrs(self) -> tuple[float, ...]:
        return self.lrs or self.budget.b_lrs

    @property
    def b_batch_sizes(self) -> tuple[int, ...]:
        return self.batch_sizes or (1, 4, 16, 64)


Settings = LabSettings                  # the name every lab's settings go by
QUICK = LabSettings(quick=True)         # seconds: the tour's run
FULL = LabSettings()
