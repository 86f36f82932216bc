"""The lab's 2-D data: pure seeded functions. The ring of 8 Gaussians is made here; the spiral and the moons are
nnlab's own data sets (``nnlab.data``), rescaled so that every data set lies in about [-2.5, 2.5]^2 and one kernel
bandwidth and one plot range serve them all."""
from __future__ import annotations

import numpy as np

from nnlab._validation import check_choice, check_int, check_seed
from nnlab.labs.generative.settings import DATASETS

__all__ = ["ring_centres", "make_ring", "make_data", "RING_MODES", "RING_RADIUS", "RING_STD", "EXTENT"]

RING_MODES = 8
RING_RADIUS = 2.0
RING_STD = 0.1
EXTENT = 2.8                      # every plot shows [-EXTENT, EXTENT]^2


def ring_centres(k: int = RING_MODES, radius: float = RING_RADIUS) -> np.ndarray:
    """The k centres (radius cos(2 pi j / k), radius sin(2 pi j / k)), j = 0..k-1."""
    angle = 2 * np.pi * np.arange(k) / k
    return radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def make_ring(n: int, seed: int = 0, std: float = RING_STD) -> np.ndarray:
    """n points from the equal mixture of N(centre_j, std^2 I) over the 8 ring centres."""
    check_int("n", n, "make_ring")
    check_seed("seed", seed, "make_ring")
    rng = np.random.default_rng(seed)
    which = rng.integers(0, RING_MODES, n)
    return ring_centres()[which] + rng.normal(0.0, std, (n, 2))


def make_data(name: str, n: int, seed: int = 0) -> np.ndarray:
    """n points of data set ``name`` (a key of ``settings.DATASETS``), shape (n, 2), float64, in random order."""
    from nnlab.data import make_dataset
    check_choice("dataset", name, DATASETS, "make_data")
    check_int("n", n, "make_data", minimum=2)
    if name == "ring":
        return make_ring(n, seed)
    if name == "spiral":
        X, _ = make_dataset("spiral", n=n, noise=0.25, seed=seed)
        X = 0.4 * X
    else:
        X, _ = make_dataset("moons", n=n, noise=0.08, seed=seed)
        X = X - np.array([0.5, 0.25])
    # the generators lay points out along the curve in order; a random order keeps minibatches fair
    return X[np.random.default_rng(seed + 1).permutation(n)].astype(np.float64)
