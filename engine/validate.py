"""Argument checks shared by the engine: one clear ``ValueError`` wording everywhere.

Bad input from a panel (a typed-in size, a slider at an odd value) must never become a
traceback deep in NumPy; every constructor checks its numbers with these two helpers.
"""

from __future__ import annotations

import math
import numbers


def integer(value, what: str, minimum: int | None = 1, maximum: int | None = None,
            allow_none: bool = False) -> int | None:
    """``value`` as an int in [minimum, maximum] (integral floats accepted, bools not)."""
    if value is None and allow_none:
        return None
    bounds = _bounds_text(minimum, maximum) + (" or None" if allow_none else "")
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        try:
            ok = math.isfinite(value) and int(value) == value
        except (TypeError, ValueError, OverflowError):
            ok = False
    if ok and ((minimum is not None and value < minimum) or (maximum is not None and value > maximum)):
        ok = False
    if not ok:
        raise ValueError(f"{what} must be an integer{bounds}, got {value!r}")
    return int(value)


def number(value, what: str, minimum: float | None = None, maximum: float | None = None,
           positive: bool = False, allow_none: bool = False) -> float | None:
    """``value`` as a finite float in [minimum, maximum] (> 0 when ``positive``)."""
    if value is None and allow_none:
        return None
    bounds = " > 0" if positive else _bounds_text(minimum, maximum)
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    v = float(value) if ok else math.nan
    ok = ok and math.isfinite(v)
    if ok and positive and v <= 0:
        ok = False
    if ok and ((minimum is not None and v < minimum) or (maximum is not None and v > maximum)):
        ok = False
    if not ok:
        raise ValueError(f"{what} must be a finite number{bounds}, got {value!r}")
    return v


def _bounds_text(minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f" in [{minimum:g}, {maximum:g}]"
    if minimum is not None:
        return f" ≥ {minimum:g}"
    if maximum is not None:
        return f" ≤ {maximum:g}"
    return ""
