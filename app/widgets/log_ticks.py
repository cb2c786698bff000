"""Tick labels of a log₁₀ colour bar that fit its height (no pile-up of minor labels).

pyqtgraph labels every minor tick (2, 3, … 9 per decade) of a short log axis, so at 1920×1080
the Landscape colour bar showed "1 0.9 0.8 0.7" stacked on each other (issue #14). ``log_ticks``
keeps the decades (every k-th one if even they crowd) and adds the richest set of minor
multiples whose labels are at least a label's height apart. Qt-free: the axis calls it with
its length in pixels whenever it is resized or gets new levels.
"""

from __future__ import annotations

import math

#: Minor multiples to try, richest first.
MINOR_SETS = ((2, 3, 4, 5, 6, 7, 8, 9), (2, 3, 5), (2, 5), (3,), ())
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def label(value: float) -> str:
    """``10**value`` as pyqtgraph writes log ticks: plain between 0.001 and 10⁴, else m·10ᵏ."""
    x = 10.0 ** value
    if 1e-3 <= x < 1e4:
        return f"{x:.3g}"
    k = math.floor(value + 1e-9)
    m = round(x / 10.0 ** k)
    power = "10" + str(k).translate(_SUPERSCRIPT)
    return power if m == 1 else f"{m}·{power}"


def _min_gap(multiples) -> float:
    marks = [0.0] + [math.log10(m) for m in multiples] + [1.0]
    return min(b - a for a, b in zip(marks, marks[1:]))


def log_ticks(lo: float, hi: float, pixels: float, label_px: float) -> list[list[tuple[float, str]]]:
    """``[major, minor]`` tick levels (log₁₀ position, text) for an axis from ``lo`` to ``hi``.

    ``pixels``: the axis length; ``label_px``: the height a label needs (with its spacing).
    """
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo or pixels <= 0:
        return [[], []]
    per_decade = pixels / (hi - lo)
    step = max(1, math.ceil(label_px / per_decade))  # every step-th decade
    first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    major = [(float(k), label(k)) for k in range(first, last + 1) if k % step == 0]
    minor = []
    if step == 1:
        for multiples in MINOR_SETS:
            if _min_gap(multiples) * per_decade >= label_px:
                break
        for k in range(math.floor(lo), last + 1):
            for m in multiples:
                v = k + math.log10(m)
                if lo <= v <= hi:
                    minor.append((v, label(v)))
    if len(major) + len(minor) < 2:  # less than a decade shown: label both ends
        minor += [(lo, label(lo)), (hi, label(hi))]
    return [major, minor]
