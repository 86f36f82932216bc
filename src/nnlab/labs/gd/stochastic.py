"""Part B: SGD and mini-batch gradient descent on x^2 + 4x + 4, written as an exact sum of terms.

    f(x) = (1/n) sum_i (x - a_i)^2 - c = x^2 - 2 mean(a) x + mean(a^2) - c

equals x^2 + 4x + 4 when mean(a) = -2 and c = mean(a^2) - 4 = Var(a). ``make_terms`` draws the a_i as
-2 +- w_j with w_j multiples of 1/8 (symmetric, so the mean is -2 exactly) and n a power of two, so every sum
and mean here is exact in float64: the identity holds coefficient by coefficient, not just up to rounding.

A batch B of b term indices gives the unbiased gradient 2 (x - mean(a_B)); its error 2 (mean(a) - mean(a_B))
has variance 4 sigma^2 / b when the b indices are drawn with replacement (sigma^2 = Var(a)). The error
e_t = x_t + 2 then obeys e_{t+1} = (1 - 2 lr) e_t + 2 lr (mean(a_B) + 2), whose stationary variance is

    Var(e) = 4 lr^2 (sigma^2 / b) / (1 - (1 - 2 lr)^2) = lr sigma^2 / (b (1 - lr))     (0 < lr < 1),

the noise floor of constant-lr SGD: f - f* = e^2 levels off at about that value instead of going to 0.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from nnlab._validation import InvalidArgument, check_choice, check_int, check_positive

__all__ = ["SumOfSquares", "make_terms", "MinibatchRun", "run_minibatch", "SAMPLINGS", "noise_floor",
           "measure_noise_floor", "compare"]

# How a step picks its b terms.
SAMPLINGS = {
    "epoch": "a fresh permutation each epoch, cut into batches of b (without replacement; the last batch of an "
             "epoch may be smaller)",
    "replacement": "b indices drawn uniformly with replacement at every step",
}


@dataclass(frozen=True)
class SumOfSquares:
    """f(x) = (1/n) sum_i (x - a_i)^2 - c over the terms ``a`` (n,)."""
    a: np.ndarray
    c: float

    @property
    def n(self) -> int:
        return len(self.a)

    @property
    def sigma2(self) -> float:
        """Var(a) (population variance): the variance of one term's gradient error is 4 sigma^2."""
        return float(np.mean((self.a - self.a.mean()) ** 2))

    def value(self, x):
        """f at ``x`` (scalar or array of any shape), summing the n terms."""
        x = np.asarray(x, dtype=float)
        return np.mean((x[..., None] - self.a) ** 2, axis=-1) - self.c

    def batch_gradient(self, x: float, idx: np.ndarray) -> float:
        """Gradient of the mean of the terms ``idx`` at x: 2 (x - mean(a_idx))."""
        return 2.0 * (x - float(self.a[idx].mean()))

    def __repr__(self) -> str:
        return f"SumOfSquares(n={self.n}, mean(a)={self.a.mean():g}, c={self.c:g})"


def make_terms(n: int = 64, spread: float = 1.0, seed: int = 0) -> SumOfSquares:
    """Terms with mean(a) = -2 and c = Var(a) exactly, so f == x^2 + 4x + 4.

    ``n`` must be an even power of two (exact means); a_i = -2 +- w_j, w_j = round(8 spread z_j) / 8 with
    z_j ~ N(0, 1) from ``np.random.default_rng(seed)``.
    """
    check_int("n", n, minimum=2)
    if n & (n - 1):
        raise InvalidArgument(f"The 'n' parameter must be a power of two (exact means). Got {n!r} instead.", "n")
    check_positive("spread", spread)
    rng = np.random.default_rng(seed)
    w = np.round(8.0 * spread * rng.standard_normal(n // 2)) / 8.0           # (n/2,) dyadic
    a = -2.0 + np.concatenate([w, -w])                                        # (n,), mean exactly -2
    c = float(np.mean(a * a)) - 4.0                                           # = Var(a), exact
    return SumOfSquares(a, c)


@dataclass(frozen=True)
class MinibatchRun:
    """One run: ``x`` (T+1,), ``examples`` (T+1,) terms seen so far, ``seconds`` (T+1,) wall time so far.

    ``diverged_at`` is the step whose x or f(x) was not finite (the arrays stop before it), or None.
    """
    lr: float
    batch_size: int
    seed: int
    x: np.ndarray
    examples: np.ndarray
    seconds: np.ndarray
    diverged_at: int | None

    @property
    def error(self) -> np.ndarray:
        """f(x_t) - f* = (x_t + 2)^2."""
        return (self.x + 2.0) ** 2


def _check_batch(batch_size, n: int) -> int:
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or not 1 <= batch_size <= n:
        raise InvalidArgument(f"The 'batch_size' parameter must be an integer in [1, {n}] (the sum has {n} terms). "
                              f"Got {batch_size!r} instead.", "batch_size")
    return batch_size


def _batches(n: int, b: int, steps: int, sampling: str, rng) -> list[np.ndarray]:
    """The index sets of ``steps`` consecutive steps."""
    if sampling == "replacement":
        return list(rng.integers(0, n, size=(steps, b)))
    out = []
    while len(out) < steps:
        out.extend(np.array_split(rng.permutation(n), range(b, n, b)))
    return out[:steps]


def run_minibatch(terms: SumOfSquares, lr: float, batch_size: int, steps: int, seed: int = 0,
                  x0: float = 10.0, sampling: str = "epoch") -> MinibatchRun:
    """``steps`` updates x <- x - lr * 2 (x - mean(a_B)) with batches B of ``batch_size`` terms.

    b = 1 is SGD, b = n with ``sampling="epoch"`` is full-batch gradient descent. Stops at the first
    non-finite x or f(x) - f* = (x + 2)^2. ``seed`` drives ``np.random.default_rng`` for the batch order only.
    """
    check_positive("lr", lr)
    b = _check_batch(batch_size, terms.n)
    check_int("steps", steps)
    check_choice("sampling", sampling, SAMPLINGS)
    rng = np.random.default_rng(seed)
    batches = _batches(terms.n, b, steps, sampling, rng)
    x, a = float(x0), terms.a
    xs, seen, seconds = [x], [0], [0.0]
    diverged_at = None
    start = time.perf_counter()
    for t, idx in enumerate(batches, start=1):
        # 1) the batch gradient;  2) the step;  3) stop at the first non-finite value
        x = x - lr * 2.0 * (x - float(a[idx].mean()))          # Python floats: overflow gives inf quietly
        if not math.isfinite((x + 2.0) * (x + 2.0)):
            diverged_at = t
            break
        xs.append(x)
        seen.append(seen[-1] + len(idx))
        seconds.append(time.perf_counter() - start)
    return MinibatchRun(lr, b, seed, np.array(xs), np.array(seen), np.array(seconds), diverged_at)


def noise_floor(lr: float, batch_size: int, sigma2: float) -> float:
    """Stationary Var(x_t + 2) of constant-lr SGD with replacement: lr sigma^2 / (b (1 - lr)), for 0 < lr < 1."""
    return lr * sigma2 / (batch_size * (1.0 - lr))


def measure_noise_floor(terms: SumOfSquares, lr: float, batch_size: int, steps: int = 40_000, chains: int = 16,
                        seed: int = 0) -> float:
    """Var(x_t + 2) over ``chains`` independent with-replacement chains started at the minimum, after a
    burn-in of 10 / (2 lr) steps, pooled over time and chains."""
    check_positive("lr", lr)
    b = _check_batch(batch_size, terms.n)
    rng = np.random.default_rng(seed)
    burn = int(math.ceil(10 / (2 * lr)))
    e = np.zeros(chains)                                       # (chains,) error x + 2, starts at 0
    total, total_sq, count = 0.0, 0.0, 0
    centred = terms.a + 2.0                                    # (n,) a_i - mean(a)
    chunk = 2000
    for start in range(0, burn + steps, chunk):
        m = min(chunk, burn + steps - start)
        xi = centred[rng.integers(0, terms.n, size=(m, chains, b))].mean(axis=2)   # (m, chains)
        for t in range(m):
            e = (1.0 - 2.0 * lr) * e + 2.0 * lr * xi[t]
            if start + t >= burn:
                total += e.sum()
                total_sq += (e * e).sum()
                count += chains
    mean = total / count
    return total_sq / count - mean * mean


def compare(terms: SumOfSquares, lrs, batch_sizes, seeds, epochs: int, x0: float = 10.0,
            sampling: str = "epoch") -> list[dict]:
    """Every (lr, b) for every seed with the same budget of examples (``epochs`` passes over the n terms).

    Returns one row per (lr, b): the runs, and the final f - f* over seeds (median, min, max).
    """
    check_int("epochs", epochs)
    rows = []
    for lr in lrs:
        for b in batch_sizes:
            steps = epochs * math.ceil(terms.n / b) if sampling == "epoch" else epochs * terms.n // b
            runs = [run_minibatch(terms, float(lr), int(b), steps, seed, x0, sampling) for seed in seeds]
            final = np.array([r.error[-1] if r.diverged_at is None else np.inf for r in runs])
            rows.append({"lr": float(lr), "batch_size": int(b), "steps": steps, "runs": runs,
                         "final_median": float(np.median(final)), "final_min": float(final.min()),
                         "final_max": float(final.max()), "diverged": int(np.sum(~np.isfinite(final)))})
    return rows
