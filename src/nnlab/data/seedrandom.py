"""The random stream TensorFlow Playground draws from: David Bau's ``seedrandom`` (version 2.4), an ARC4 keystream
turned into doubles in [0, 1). Pure Python, exact to the last bit.

The Playground calls ``Math.seedrandom(seed)`` with the seed string from its URL (``"0.14372"``), then every
``Math.random()`` - the data, the shuffle, the initial weights - comes from this one stream. nnlab's integer
playground seed ``s`` is the Playground's string ``"0.%05d" % s`` (``playground_seed``).

>>> SeedRandom("hello.").random()    # the value seedrandom's own documentation promises
0.9282578795792454
"""
from __future__ import annotations

__all__ = ["SeedRandom", "playground_seed", "seed_from_random"]

_WIDTH = 256                  # one ARC4 output is a byte
_MASK = _WIDTH - 1
_CHUNKS = 6                   # a double starts from 6 bytes (48 bits) ...
_START_DENOM = float(_WIDTH ** _CHUNKS)
_SIGNIFICANCE = float(2 ** 52)  # ... and is filled up to 52 significant bits
_OVERFLOW = float(2 ** 53)


class SeedRandom:
    """``new Math.seedrandom(seed)``: ``random()`` returns the same doubles, in the same order."""

    def __init__(self, seed: str):
        if not isinstance(seed, str):
            raise TypeError(f"SeedRandom takes the seed as a string (as the Playground's URL holds it); got {seed!r}")
        key = _mix_key(seed)
        # ARC4 key schedule.
        s = list(range(_WIDTH))
        j = 0
        keylen = len(key) or 1
        key = key or [0]
        for i in range(_WIDTH):
            t = s[i]
            j = (j + key[i % keylen] + t) & _MASK
            s[i], s[j] = s[j], t
        self._s, self._i, self._j = s, 0, 0
        self._bytes(_WIDTH)           # seedrandom discards the first 256 bytes of the keystream

    def _bytes(self, count: int) -> int:
        """The next ``count`` keystream bytes as one big-endian integer."""
        s, i, j, r = self._s, self._i, self._j, 0
        for _ in range(count):
            i = (i + 1) & _MASK
            t = s[i]
            j = (j + t) & _MASK
            s[i] = s[j]
            s[j] = t
            r = r * _WIDTH + s[(s[i] + t) & _MASK]
        self._i, self._j = i, j
        return r

    def random(self) -> float:
        """A double in [0, 1) with 52 random bits, as ``Math.random()`` after ``Math.seedrandom``."""
        n, d, x = float(self._bytes(_CHUNKS)), _START_DENOM, 0
        while n < _SIGNIFICANCE:
            n = (n + x) * _WIDTH
            d *= _WIDTH
            x = self._bytes(1)
        while n >= _OVERFLOW:
            n /= 2
            d /= 2
            x >>= 1
        return (n + x) / d


def _mix_key(seed: str) -> list[int]:
    """seedrandom's ``mixkey``: the seed's characters folded into a key of at most 256 bytes."""
    key: list[int] = []
    smear = 0
    for j, ch in enumerate(seed):
        at = j & _MASK
        if at < len(key):
            smear ^= key[at] * 19
            key[at] = (smear + ord(ch)) & _MASK
        else:                           # JavaScript: undefined * 19 is NaN, and smear ^ NaN is smear
            key.append((smear + ord(ch)) & _MASK)
    return key


def playground_seed(seed: int) -> str:
    """The Playground's seed string for nnlab's integer seed 0..99999: ``14372 -> "0.14372"``."""
    return f"0.{int(seed):05d}"


def seed_from_random(value: float) -> int:
    """The seed the Playground's Regenerate takes from a draw, ``Math.random().toFixed(5)``, as nnlab's integer
    (a draw that rounds to "1.00000", one in 200,000, wraps to 0)."""
    from decimal import ROUND_HALF_UP, Decimal
    text = str(Decimal(value).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP))   # toFixed: ties round up
    return 0 if text.startswith("1") else int(text[2:])
