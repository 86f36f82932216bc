"""torch's CPU random number generator in NumPy: the same initial weights and batch orders, without torch.

``torch.manual_seed(s)`` seeds a 32-bit Mersenne Twister (mt19937) with the reference ``init_genrand(s mod
2^32)``. From its stream of 32-bit outputs u, torch 2.x on the CPU draws:

- ``tensor.uniform_(lo, hi)`` (float32), one output per element, in memory order::

      x = (u & (2^24 - 1)) / 2^24                      exact, in float64
      value = float32(x * float64(float32(hi) - float32(lo)) + float32(lo))

- ``torch.randperm(n)``, n - 1 outputs: ``perm = 0..n-1``; for i in 0..n-2 swap perm[i] with
  perm[i + u_i mod (n - i)].
- ``nn.Linear(fan_in, fan_out)``: weight (fan_out, fan_in) then bias, each U(-bound, bound). The weight comes
  from ``kaiming_uniform_(a=sqrt(5))``: bound = sqrt(3) * gain / sqrt(fan_in), gain = sqrt(2 / (1 + a^2)),
  i.e. 1 / sqrt(fan_in) up to rounding; the bias bound is 1 / sqrt(fan_in).

tests/test_engines.py checks all of this bit for bit against torch.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["TorchCPUGenerator", "init_linear_layers"]

# torch.nn.init.calculate_gain for the names ACTIVATIONS use as gain_name
_GAINS = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3, "relu": math.sqrt(2.0),
          "leaky_relu": math.sqrt(2.0 / (1 + 0.01 ** 2))}


def _mt19937_key(seed: int) -> np.ndarray:
    """The reference init_genrand: key[0] = seed, key[i] = 1812433253 (key[i-1] ^ (key[i-1] >> 30)) + i."""
    key = [seed & 0xFFFFFFFF]
    for i in range(1, 624):
        prev = key[-1]
        key.append((1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF)
    return np.array(key, dtype=np.uint32)


class TorchCPUGenerator:
    """The stream that ``torch.manual_seed(seed)`` (or ``torch.Generator().manual_seed(seed)``) starts."""

    def __init__(self, seed: int):
        self.seed = seed
        self._bits = np.random.MT19937()
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": _mt19937_key(seed), "pos": 624}}

    def raw(self, n: int) -> np.ndarray:
        """The next ``n`` 32-bit outputs, (n,) uint64."""
        return self._bits.random_raw(n)

    def uniform(self, shape, low: float, high: float) -> np.ndarray:
        """``torch.empty(shape).uniform_(low, high)``: float32."""
        lo, hi = np.float32(low), np.float32(high)
        x = (self.raw(int(np.prod(shape))) & np.uint64(0xFFFFFF)).astype(np.float64) / float(1 << 24)
        return (x * np.float64(hi - lo) + np.float64(lo)).astype(np.float32).reshape(shape)

    def randperm(self, n: int) -> np.ndarray:
        """``torch.randperm(n)``: int64 (a Python loop; the fast engine does the same swaps compiled)."""
        perm = np.arange(n)
        for i, u in enumerate(self.raw(max(n - 1, 0)).tolist()):
            j = i + u % (n - i)
            perm[i], perm[j] = perm[j], perm[i]
        return perm

    def __repr__(self) -> str:
        return f"TorchCPUGenerator(seed={self.seed})"


def init_linear_layers(sizes, init: str = "pytorch", gain_names=None, seed: int | None = None,
                       generator: TorchCPUGenerator | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight (out, in), bias (out,)) float32 for each layer sizes[l] -> sizes[l+1], drawn as
    ``torch.manual_seed(seed)`` followed by ``nnlab.nn.MLP`` would draw them.

    ``init`` is one of "pytorch", "xavier", "playground" (nnlab.nn.INITS entries that draw uniform numbers);
    ``gain_names`` gives, per layer, the activation's gain name for "xavier" (default "linear").
    Every layer first draws nn.Linear's own default; "xavier" then redraws the weight with bound
    gain * sqrt(6 / (fan_in + fan_out)) and zeroes the bias; "playground" redraws it from U(-0.5, 0.5) and sets
    the bias to 0.1.
    """
    if init not in ("pytorch", "xavier", "playground"):
        raise ValueError(f"init {init!r} draws normal numbers; only torch can reproduce it")
    gen = generator or TorchCPUGenerator(0 if seed is None else seed)
    gain_names = gain_names or ["linear"] * (len(sizes) - 1)
    layers = []
    for fan_in, fan_out, gain_name in zip(sizes[:-1], sizes[1:], gain_names):
        # nn.Linear.reset_parameters: kaiming_uniform_(weight, a=sqrt(5)), then the bias
        gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))
        bound = math.sqrt(3.0) * (gain / math.sqrt(fan_in))
        weight = gen.uniform((fan_out, fan_in), -bound, bound)
        bias_bound = 1 / math.sqrt(fan_in)
        bias = gen.uniform((fan_out,), -bias_bound, bias_bound)
        if init == "xavier":
            a = math.sqrt(3.0) * (_GAINS[gain_name] * math.sqrt(2.0 / float(fan_in + fan_out)))
            weight = gen.uniform((fan_out, fan_in), -a, a)
            bias = np.zeros(fan_out, dtype=np.float32)
        elif init == "playground":
            weight = gen.uniform((fan_out, fan_in), -0.5, 0.5)
            bias = np.full(fan_out, 0.1, dtype=np.float32)
        layers.append((weight, bias))
    return layers
