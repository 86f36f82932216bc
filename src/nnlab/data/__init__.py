"""Data sets: pure, seeded generators in one registry, plus split, scaling and CSV import.

Every generator is ``make_<name>(n, noise=..., seed=...) -> (X, y)`` with ``X`` of shape (n, 2) and the same
arrays, bit for bit, for the same arguments. ``DATASETS`` maps each name to its generator and facts; the CLI,
the configs and the error messages read their choices from it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnlab._validation import check_choice
from nnlab.data.csv import CSVFormatError, load_csv
from nnlab.data.playground import make_circle, make_gauss, make_reg_gauss, make_reg_plane, make_spiral, make_xor
from nnlab.data.seed import make_seed_circle, make_seed_linear
from nnlab.data.shapes import make_moons, make_spirals, make_xor4
from nnlab.data.split import Standardizer, split_fraction, to_class_indices, train_test_split
from nnlab.names import DATASET_NAMES, check_registry

__all__ = ["Dataset", "DATASETS", "make_dataset", "load_csv", "CSVFormatError", "train_test_split",
           "split_fraction", "Standardizer", "to_class_indices", "make_seed_linear", "make_seed_circle", "make_circle",
           "make_xor", "make_gauss", "make_spiral", "make_reg_plane", "make_reg_gauss", "make_xor4",
           "make_moons", "make_spirals"]


@dataclass(frozen=True)
class Dataset:
    """A registry entry: the generator and what a user needs to know to pick it."""
    name: str
    make: Callable[..., tuple[np.ndarray, np.ndarray]]
    task: str                  # "classification" or "regression"
    n: int                     # default size
    noise: float               # default noise
    noise_meaning: str         # what the noise argument does, on which scale
    description: str
    domain: float              # points lie (mostly) in [-domain, domain]^2; plots use it


DATASETS: dict[str, Dataset] = {d.name: d for d in [
    Dataset("seed-linear", make_seed_linear, "classification", 200, 0.0, "label-flip probability in [0, 1]",
            "the seed's perceptron data: U[-1,1]^2, +1 if x1 + x2 > 0", 1.5),
    Dataset("seed-circle", make_seed_circle, "classification", 1000, 0.0, "label-flip probability in [0, 1]",
            "the seed's MLP data: r ~ U[0,2), class 1 if r >= 1", 2.5),
    Dataset("circle", make_circle, "classification", 500, 0.0, "label noise in [0, 0.5] (Playground scale)",
            "Playground: inner disc r < 2.5 (+1) vs ring 3.5..5 (-1)", 6.0),
    Dataset("xor", make_xor, "classification", 500, 0.0, "label noise in [0, 0.5] (Playground scale)",
            "Playground: +1 where x*y >= 0, U(-5,5)^2 padded off the axes", 6.0),
    Dataset("gauss", make_gauss, "classification", 500, 0.0, "blob variance 0.5..4 for noise 0..0.5",
            "Playground: two Gaussian blobs at (2,2) and (-2,-2)", 6.0),
    Dataset("spiral", make_spiral, "classification", 500, 0.0, "point jitter U(-1,1)*noise, noise in [0, 0.5]",
            "Playground: two interleaved spirals", 6.0),
    Dataset("reg-plane", make_reg_plane, "regression", 1200, 0.0, "position noise in [0, 0.5] (Playground scale)",
            "Playground regression: target (x + y) / 10", 6.0),
    Dataset("reg-gauss", make_reg_gauss, "regression", 1200, 0.0, "position noise in [0, 0.5] (Playground scale)",
            "Playground regression: six bumps of alternating sign", 6.0),
    Dataset("xor4", make_xor4, "classification", 4, 0.0, "Gaussian jitter std on the corners",
            "the four boolean XOR points (n a multiple of 4)", 1.5),
    Dataset("moons", make_moons, "classification", 200, 0.1, "Gaussian noise std on every coordinate",
            "two interleaving half circles", 2.5),
    Dataset("spirals", make_spirals, "classification", 300, 0.2, "Gaussian noise std on the angle",
            "K interleaved spiral arms, one class each (default K = 3)", 1.2),
]}


def make_dataset(name: str, n: int | None = None, noise: float | None = None, seed: int = 0,
                 classes: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Generate data set ``name`` with its default size and noise unless given."""
    spec = DATASETS[check_choice("dataset", name, DATASETS, "make_dataset")]
    kwargs = {"n": spec.n if n is None else n, "noise": spec.noise if noise is None else noise, "seed": seed}
    if name == "spirals" and classes is not None:
        kwargs["classes"] = classes
    return spec.make(**kwargs)

check_registry("nnlab.data.DATASETS", DATASETS, DATASET_NAMES)
