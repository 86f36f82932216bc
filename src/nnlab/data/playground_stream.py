"""TensorFlow Playground's six data sets drawn as the Playground draws them: from its seeded ``seedrandom`` stream,
point by point in its order, then shuffled with its Fisher-Yates loop. The same stream then gives the initial
weights (``stream_weights``). So nnlab's playground seed ``14372`` reproduces the Playground's page at
``#seed=0.14372``: the same draws, the same points in the same order, the same train/test cut and the same first
weights. The random numbers and the weights are equal bit for bit; a coordinate can differ from the browser's in
its last bit or two, because JavaScript's ``Math.sin``, ``cos`` and ``log`` are the engine's own (V8's fdlibm)
and Python's are the C library's (tests/test_playground_stream.py measures it).

``nnlab.data.playground`` holds the same formulas drawn from NumPy's generator (vectorised, for everything else).
"""
from __future__ import annotations

import math
from functools import partial

import numpy as np

from nnlab.data._common import check_args
from nnlab.data.seedrandom import SeedRandom, playground_seed
from nnlab.names import STREAM_DATASET_NAMES, check_registry

__all__ = ["STREAM_DATASETS", "playground_stream", "stream_weights"]


def _lerp(a: float, b: float, t: float) -> float:
    # d3 v3's linear scale, as the Playground uses it for label and variance maps: a (1 - t) + b t.
    return a * (1 - t) + b * t


def _uniform(rand, a: float, b: float) -> float:
    # The Playground's randUniform(a, b) = Math.random() * (b - a) + a.
    return rand() * (b - a) + a


def _circle(rand, n: int, noise: float):
    uniform = partial(_uniform, rand)
    radius, points = 5.0, []
    for r_lo, r_hi in ((0.0, radius * 0.5), (radius * 0.7, radius)):
        for _ in range(math.ceil(n / 2)):           # JavaScript's `i < n / 2`
            r, angle = uniform(r_lo, r_hi), uniform(0, 2 * math.pi)
            x, y = r * math.sin(angle), r * math.cos(angle)
            nx, ny = uniform(-radius, radius) * noise, uniform(-radius, radius) * noise
            dx, dy = x + nx, y + ny
            points.append((x, y, 1 if math.sqrt(dx * dx + dy * dy) < radius * 0.5 else -1))
    return points


def _xor(rand, n: int, noise: float):
    uniform = partial(_uniform, rand)
    points = []
    for _ in range(n):
        x = uniform(-5, 5)
        x += 0.3 if x > 0 else -0.3
        y = uniform(-5, 5)
        y += 0.3 if y > 0 else -0.3
        nx, ny = uniform(-5, 5) * noise, uniform(-5, 5) * noise
        points.append((x, y, 1 if (x + nx) * (y + ny) >= 0 else -1))
    return points


def _gauss(rand, n: int, noise: float):
    variance = _lerp(0.5, 4.0, noise / 0.5)

    def normal(mean):                               # Marsaglia's polar method, first of the pair
        while True:
            v1, v2 = 2 * rand() - 1, 2 * rand() - 1
            s = v1 * v1 + v2 * v2
            if s <= 1:
                return mean + math.sqrt(variance) * (math.sqrt(-2 * math.log(s) / s) * v1)
    points = []
    for c, label in ((2.0, 1), (-2.0, -1)):
        for _ in range(math.ceil(n / 2)):
            x = normal(c)
            points.append((x, normal(c), label))
    return points


def _spiral(rand, n: int, noise: float):
    half, points = n / 2, []
    for dt, label in ((0.0, 1), (math.pi, -1)):
        for i in range(math.ceil(half)):
            r, t = i / half * 5, 1.75 * i / half * 2 * math.pi + dt
            x = r * math.sin(t) + (rand() * 2 - 1) * noise
            points.append((x, r * math.cos(t) + (rand() * 2 - 1) * noise, label))
    return points


_BUMPS = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))


def _plane_label(x, y):
    return _lerp(-1.0, 1.0, ((x + y) + 10) / 20)


def _bumps_label(x, y):
    label = 0.0
    for cx, cy, sign in _BUMPS:
        dx, dy = x - cx, y - cy
        t = min(max(math.sqrt(dx * dx + dy * dy) / 2, 0.0), 1.0)
        value = sign * _lerp(1.0, 0.0, t)
        if abs(value) > abs(label):
            label = value
    return label


def _regression(label_at):
    def generate(rand, n: int, noise: float):
        points = []
        for _ in range(n):
            x, y = rand() * 12 - 6, rand() * 12 - 6
            nx, ny = (rand() * 12 - 6) * noise, (rand() * 12 - 6) * noise
            points.append((x, y, label_at(x + nx, y + ny)))
        return points
    return generate


STREAM_DATASETS = {"circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral,
                   "reg-plane": _regression(_plane_label), "reg-gauss": _regression(_bumps_label)}


def playground_stream(name: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray, SeedRandom]:
    """The Playground's data for its seed ``"0.%05d" % seed``: X (n, 2), y (n,) (int64 -1/+1 for classification,
    float64 for regression) in the Playground's shuffled order, and the stream, positioned for the weights."""
    if name not in STREAM_DATASETS:
        raise ValueError(f"{name!r} is not one of TensorFlow Playground's data sets {list(STREAM_DATASETS)}")
    check_args(name, n, noise, seed, 0.5, min_n=2 if name in ("circle", "gauss", "spiral") else 1)
    if n % 2 and name in ("circle", "gauss", "spiral"):
        raise ValueError(f"{name} draws n/2 points per class as the Playground does (an odd n would give n + 1); "
                         f"n must be even, got {n}")
    if seed > 99_999:
        raise ValueError(f"A playground seed is 0..99999 (the Playground's 0.00000..0.99999); got {seed}")
    stream = SeedRandom(playground_seed(seed))
    points = STREAM_DATASETS[name](stream.random, n, noise)
    counter = len(points)                             # the Playground's Fisher-Yates shuffle
    while counter > 0:
        index = math.floor(stream.random() * counter)
        counter -= 1
        points[counter], points[index] = points[index], points[counter]
    X = np.array([p[:2] for p in points], dtype=np.float64).reshape(-1, 2)
    labels = [p[2] for p in points]
    y = np.array(labels, dtype=np.float64 if name.startswith("reg") else np.int64)
    return X, y, stream


def stream_weights(sizes, stream: SeedRandom, zero: bool = False) -> np.ndarray:
    """The Playground's initial parameters for layer sizes ``(inputs, *hidden, outputs)``, drawn from ``stream``
    as ``nn.buildNetwork`` draws them (unit by unit, each unit's incoming weights in input order): weights
    U(-0.5, 0.5), biases 0.1; ``zero`` is its ``initZero``: everything 0, but the weights are still drawn (its
    ``Link`` draws in a field initialiser before the constructor zeroes the weight), so the stream moves on.

    Laid out as nnlab's flat parameter vector: per layer the weight (out, in) row-major, then the bias.
    """
    parts = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        weights = np.array([stream.random() - 0.5 for _ in range(a * b)])   # drawn even under initZero, as there
        parts += [np.zeros(a * b), np.zeros(b)] if zero else [weights, np.full(b, 0.1)]
    return np.concatenate(parts) if parts else np.zeros(0)

check_registry("nnlab.data.playground_stream.STREAM_DATASETS", STREAM_DATASETS, STREAM_DATASET_NAMES)
