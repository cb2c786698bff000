"""Argument checks shared by the engine: one clear ``ValueError`` wording everywhere.

Bad input from a panel (a typed-in size, a slider at an odd value) must never become a
traceback deep in NumPy; every constructor checks its numbers with these two helpers.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


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


def seed(value, what: str = "seed") -> int:
    """A random seed: an integer ≥ 0 (NumPy's own error would not say which argument was bad)."""
    return integer(value, what, minimum=0)


def finite_rows(x, what: str) -> np.ndarray:
    """``x`` (rows of features) unchanged if every value is finite, else ``ValueError`` naming the
    first NaN/inf by row and column, so bad data is refused when it is loaded, not reported later
    as a diverged first step."""
    x = np.asarray(x)
    if x.dtype.kind in "fc":
        bad = ~np.isfinite(x)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            where = f"row {index[0]}" + (f", column {index[1]}" if len(index) > 1 else "")
            raise ValueError(f"{what} has {x[index]} at {where} ({int(bad.sum())} values are not finite); "
                             "remove or fill them before training")
    return x


def _bounds_text(minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f" in [{minimum:g}, {maximum:g}]"
    if minimum is not None:
        return f" ≥ {minimum:g}"
    if maximum is not None:
        return f" ≤ {maximum:g}"
    return ""


def choice(value, allowed, what: str):
    """``value`` if it is one of ``allowed``, else a ValueError listing the choices."""
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; choose one of: {', '.join(allowed)}")
    return value
