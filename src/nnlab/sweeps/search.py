"""From a spec to its trials: grid points x random draws x seeds, each a full RunConfig with a stable key.

A trial's ``key`` is a hash of its config's canonical JSON. The run store tags every trial run with it
(``trial:<key>``), which is how a re-run of a sweep recognises the trials already finished (resume).
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnlab._validation import InvalidArgument
from nnlab.config import RunConfig
from nnlab.sweeps.spec import SweepSpec, with_values

__all__ = ["Trial", "expand", "config_key", "draw"]


def config_key(config: RunConfig) -> str:
    """12 hex digits identifying ``config`` (sha1 of its canonical JSON)."""
    text = json.dumps(config.to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Trial:
    """One point of a sweep: its index, the swept values that define it, and its full config."""
    index: int
    params: dict[str, Any]            # field path -> value, in spec order, e.g. {"train.lr": 0.01, "train.seed": 1}
    config: RunConfig

    @property
    def key(self) -> str:
        return config_key(self.config)

    def label(self) -> str:
        """``lr=0.01 seed=1``: the swept values, each under its field name."""
        return " ".join(f"{path.split('.', 1)[1]}={_short(v)}" for path, v in self.params.items()) or "base"

    def __repr__(self) -> str:
        return f"Trial({self.index}, {self.label()})"


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value)) or "''"
    return str(value)


def draw(kind: str, arg: list, rng: np.random.Generator) -> Any:
    """One value from a random-search distribution (see ``spec.DISTRIBUTIONS``), as a plain Python value."""
    if kind == "choice":
        return arg[int(rng.integers(len(arg)))]
    if kind == "uniform":
        return float(rng.uniform(arg[0], arg[1]))
    if kind == "log_uniform":
        return float(math.exp(rng.uniform(math.log(arg[0]), math.log(arg[1]))))
    if kind == "int_uniform":
        return int(rng.integers(arg[0], arg[1] + 1))
    raise ValueError(f"unknown distribution {kind!r}")


def expand(spec: SweepSpec) -> list[Trial]:
    """The spec's trials, in order: grid points (last field fastest) x random draws x seeds.

    Random draws come from ``np.random.default_rng(spec.random_seed)``, one trial after another, fields in spec
    order, so the same spec always gives the same trials. Trials with identical configs are kept once.
    """
    # 1) grid points: the product of every field's values
    grid_points = [dict(zip(spec.grid, combo)) for combo in itertools.product(*spec.grid.values())]
    # 2) random draws
    if spec.random_trials:
        rng = np.random.default_rng(spec.random_seed)
        draws = [{path: draw(kind, arg, rng) for path, (kind, arg) in spec.random_params.items()}
                 for _ in range(spec.random_trials)]
    else:
        draws = [{}]
    # 3) seeds
    seeds = [{"train.seed": s} for s in spec.seeds] if spec.seeds is not None else [{}]

    trials: list = []
    seen: set = set()
    for point, sample, seed in itertools.product(grid_points, draws, seeds):
        params = {**point, **sample, **seed}
        try:
            config = with_values(spec.base, params)
        except InvalidArgument as err:      # a combination that no single field rules out
            raise InvalidArgument(f"In the sweep spec: the trial {params} is not a valid config: {err}",
                                  "spec") from None
        trial = Trial(len(trials), params, config)
        if trial.key not in seen:
            seen.add(trial.key)
            trials.append(trial)
    return trials
