"""Numbers as JSON, written once: what every summary, claim, page and playground message passes through."""
from __future__ import annotations

import math

__all__ = ["json_safe"]


def json_safe(value):
    """``value`` as JSON can hold it: NumPy scalars and arrays as Python numbers and lists, inf and NaN as null
    (JSON has neither; a non-finite number is reported by what happened, not as a number), tuples as lists,
    dict keys as strings."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):     # NumPy scalars and arrays
        value = value.tolist()
        if isinstance(value, list):
            return json_safe(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value
