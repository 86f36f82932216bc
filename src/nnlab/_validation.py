"""Argument checks with one message format, shared by the library and its shells.

Every check raises :class:`InvalidArgument` (a ``ValueError``) whose message names the argument, what is
allowed and what was given, e.g.::

    The 'activation' parameter of ModelConfig must be one of ['elu', 'gelu', ...]. Got 'rleu' instead.

The CLI turns an ``InvalidArgument`` into one line on stderr and exit code 2.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

__all__ = ["InvalidArgument", "NotFittedError", "check_choice", "check_positive", "check_fraction",
           "check_nonneg", "check_int", "check_sizes"]


class InvalidArgument(ValueError):
    """A user-supplied value is out of range or unknown. ``argument`` names the offending parameter."""

    def __init__(self, message: str, argument: str | None = None):
        super().__init__(message)
        self.argument = argument


class NotFittedError(RuntimeError):
    """An estimator was used before ``fit``."""


def _fail(name: str, owner: str, allowed: str, value: Any) -> InvalidArgument:
    where = f" of {owner}" if owner else ""
    return InvalidArgument(f"The '{name}' parameter{where} must be {allowed}. Got {value!r} instead.", name)


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
    """An integer >= ``minimum`` (bools are rejected)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise _fail(name, owner, f"an integer >= {minimum}", value)
    return value


def check_sizes(name: str, value: Any, owner: str = "") -> tuple[int, ...]:
    """A sequence of positive integers (layer widths); an empty sequence is allowed."""
    try:
        sizes = tuple(value)
    except TypeError:
        raise _fail(name, owner, "a sequence of positive integers such as (8, 8)", value) from None
    if not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes):
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
    return sizes
