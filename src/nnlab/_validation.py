"""Argument checks with one message format, shared by the library and its shells.

Every check raises :class:`InvalidArgument` (a ``ValueError``) whose message names the argument, what is
allowed and what was given, e.g.::

    The 'activation' parameter of ModelConfig must be one of ['elu', 'gelu', ...]. Got 'rleu' instead.

The CLI turns an ``InvalidArgument`` into one line on stderr and exit code 2.
"""
from __future__ import annotations

import codecs
import math
import numbers
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["InvalidArgument", "NotFittedError", "check_choice", "check_positive", "check_fraction",
           "check_nonneg", "check_int", "check_bool", "check_seed", "check_sizes", "MAX_SEED", "MAX_INT",
           "decode_text", "undecodable", "read_text", "read_user_file"]

# The largest seed: torch's CPU generator (and so the fast engine's copy of it) keeps only a seed's low 32 bits,
# so seeds 0 and 2**32 would start the same weights and batch order over different data. Every seed fits the
# run store's 64-bit integer column too.
MAX_SEED = 2**32 - 1
# The largest count or size: no array dimension (NumPy's or torch's int64) can be larger.
MAX_INT = 2**63 - 1
_MISSING = object()


class InvalidArgument(ValueError):
    """A user-supplied value is out of range or unknown. ``argument`` names the offending parameter.

    A check made by this module also records ``owner`` (the function or class that was called), ``allowed``
    ("an integer >= 1") and ``value`` (what it got), so a shell can say the same in its own words
    (``--epochs must be an integer >= 1. Got 0 instead.``) without naming a function the user never called.
    """

    def __init__(self, message: str, argument: str | None = None, *, owner: str | None = None,
                 allowed: str | None = None, value: Any = _MISSING):
        super().__init__(message)
        self.argument, self.owner, self.allowed = argument, owner, allowed
        self.value = None if value is _MISSING else value
        self.has_value = value is not _MISSING

    def restated(self, name: str) -> str:
        """The message with the argument called ``name`` (e.g. the flag a user typed) and no owner."""
        if self.allowed is not None and self.has_value:
            return f"{name} must be {self.allowed}. Got {self.value!r} instead."
        text = str(self)
        if self.owner:
            text = text.replace(f" parameter of {self.owner} ", " parameter ", 1)
        return f"{name}: {text}"


class NotFittedError(RuntimeError):
    """An estimator was used before ``fit``."""


def _fail(name: str, owner: str, allowed: str, value: Any) -> InvalidArgument:
    where = f" of {owner}" if owner else ""
    return InvalidArgument(f"The '{name}' parameter{where} must be {allowed}. Got {value!r} instead.", name,
                           owner=owner or None, allowed=allowed, value=value)


def check_choice(name: str, value: Any, choices: Iterable[str], owner: str = "") -> str:
    """Return ``value`` if it is one of ``choices`` (a registry's keys), else raise."""
    choices = sorted(choices)
    if not isinstance(value, str) or value not in choices:
        raise _fail(name, owner, f"one of {choices}", value)
    return value


def _is_real(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_positive(name: str, value: Any, owner: str = "") -> float:
    """A finite real number > 0."""
    if not _is_real(value) or value <= 0:
        raise _fail(name, owner, "a finite number in the range (0, inf)", value)
    return value


def check_nonneg(name: str, value: Any, owner: str = "") -> float:
    """A finite real number >= 0."""
    if not _is_real(value) or value < 0:
        raise _fail(name, owner, "a finite number in the range [0, inf)", value)
    return value


def check_fraction(name: str, value: Any, owner: str = "", low: float = 0.0, high: float = 1.0,
                   closed_high: bool = False) -> float:
    """A real number in [low, high) (or [low, high] with ``closed_high``)."""
    ok = _is_real(value) and low <= value and (value <= high if closed_high else value < high)
    if not ok:
        raise _fail(name, owner, f"a number in the range [{low}, {high}{']' if closed_high else ')'}", value)
    return value


def check_int(name: str, value: Any, owner: str = "", minimum: int = 1) -> int:
    """An integer >= ``minimum`` and at most MAX_INT (bools are rejected)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise _fail(name, owner, f"an integer >= {minimum}", value)
    if value > MAX_INT:
        raise _fail(name, owner, f"an integer in the range [{minimum}, {MAX_INT}] (2**63 - 1)", value)
    return value


def check_bool(name: str, value: Any, owner: str = "") -> bool:
    """True or False (not 1, "yes" or None)."""
    if not isinstance(value, bool):
        raise _fail(name, owner, "true or false", value)
    return value


def check_seed(name: str, value: Any, owner: str = "", *, numpy_ok: bool = False) -> int:
    """A seed: an integer in [0, MAX_SEED] (bools are rejected). ``numpy_ok``: a NumPy integer counts too, and
    comes back as a Python int (for a seed used at once; a config keeps only what JSON can write)."""
    if numpy_ok and isinstance(value, numbers.Integral) and type(value).__module__ == "numpy":
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_SEED:
        raise _fail(name, owner, f"an integer in the range [0, {MAX_SEED}] (2**32 - 1)", value)
    return value


def check_sizes(name: str, value: Any, owner: str = "") -> tuple[int, ...]:
    """A sequence of positive integers (layer widths); an empty sequence is allowed."""
    try:
        sizes = tuple(value)
    except TypeError:
        raise _fail(name, owner, "a sequence of positive integers such as (8, 8)", value) from None
    if not all(isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= MAX_INT for s in sizes):
        raise _fail(name, owner, "a sequence of positive integers such as (8, 8)", value)
    return sizes


def parse_sizes(text: str, name: str = "hidden") -> tuple[int, ...]:
    """Parse ``"8,8,8"`` (or ``""`` for no hidden layer) into ``(8, 8, 8)``."""
    text = text.strip()
    if not text:
        return ()
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise _fail(name, "", "comma-separated positive integers such as '8,8,8'", text) from None
    if any(s < 1 for s in sizes):
        raise _fail(name, "", "comma-separated positive integers such as '8,8,8'", text)
    if any(s > MAX_INT for s in sizes):
        raise _fail(name, "", f"comma-separated integers in the range [1, {MAX_INT}] (2**63 - 1)", text)
    return sizes


def decode_text(data: bytes) -> str:
    """The bytes of a text file a user gave, decoded: UTF-8, or UTF-16 with its byte-order mark (Windows'
    "Unicode text"). A UTF-8 byte-order mark, which spreadsheets and Notepad write, is dropped. Anything else
    raises ``UnicodeDecodeError`` (see :func:`undecodable`)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def undecodable(err: UnicodeDecodeError) -> str:
    """Where decoding failed, for a message: "byte 0xe9 on line 3"."""
    data = err.object
    line = data[:err.start].count(b"\n") + 1
    return f"byte 0x{data[err.start]:02x} on line {line}"


def read_user_file(path: str | Path) -> bytes:
    """The bytes of a file a user named. Only a regular file is read: a device (/dev/zero), a pipe or a socket
    would be read forever or block, so they raise ``OSError`` too, with ``strerror`` saying what the path is."""
    import stat
    path = Path(path)
    mode = path.stat().st_mode                              # FileNotFoundError, PermissionError, ...
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "it is a directory, not a file")
    if not stat.S_ISREG(mode):
        kind = "a pipe" if stat.S_ISFIFO(mode) else ("a socket" if stat.S_ISSOCK(mode) else "a device")
        raise OSError(0, f"it is {kind}, not a regular file")
    return path.read_bytes()


def read_text(path: str | Path, what: str, argument: str | None) -> str:
    """The text of the file ``path`` a user named (see :func:`decode_text`); a file that cannot be read or is not
    text raises InvalidArgument naming ``what`` ("the config file"), the path and ``argument``."""
    try:
        data = read_user_file(path)
    except OSError as err:
        raise InvalidArgument(f"Cannot read {what} '{path}': {err.strerror or err}.", argument) from None
    try:
        return decode_text(data)
    except UnicodeDecodeError as err:
        raise InvalidArgument(f"Cannot read {what} '{path}': it is not UTF-8 text ({undecodable(err)}). Save it "
                              "as UTF-8.", argument) from None
