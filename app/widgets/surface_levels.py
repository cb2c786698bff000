"""Colour scaling and contour lines for a loss-surface grid: pure NumPy + contourpy, no Qt.

Runs in a worker thread next to ``Surface.grid``. Contour levels sit at quantiles of the grid
values, so every surface gets lines spread over the whole view (a fixed linear spacing leaves
the valley of Rosenbrock or the centre of the book's bowl empty). All lines of a surface come back
as one NaN-separated polyline: one plot item with ``connect="finite"`` draws them in one call.
"""

from __future__ import annotations

from dataclasses import dataclass

import contourpy
import numpy as np


#: Above this many contour vertices the map is more lines than colour: use fewer levels.
MAX_CONTOUR_POINTS = 40_000


@dataclass(frozen=True)
class SurfaceImage:
    """What the map draws for one surface: the colour data, its range and the contour lines."""

    xs: np.ndarray            # (nx,) grid x coordinates
    ys: np.ndarray            # (ny,) grid y coordinates
    image: np.ndarray         # (ny, nx) values to colour: Z, or log10(Z − Zmin + floor) when log
    levels: tuple[float, float]  # colour range of ``image``
    log: bool                 # True when ``image`` holds log10 values
    offset: float             # Zmin − floor subtracted before the log (0 when linear)
    contour_x: np.ndarray     # NaN-separated contour polyline
    contour_y: np.ndarray


def contour_levels(Z: np.ndarray, n: int = 14) -> np.ndarray:
    """``n`` distinct levels at evenly spaced quantiles of the finite values of ``Z``."""
    finite = Z[np.isfinite(Z)]
    if finite.size == 0 or n < 1:
        return np.empty(0)
    qs = np.linspace(0.0, 1.0, n + 2)[1:-1] ** 1.5  # denser near the minimum, where paths end
    levels = np.unique(np.quantile(finite, qs))
    return levels[(levels > finite.min()) & (levels < finite.max())]


def contour_polyline(xs, ys, Z, levels) -> tuple[np.ndarray, np.ndarray]:
    """All iso-lines of ``Z`` at ``levels`` as one (x, y) pair with NaN between the pieces."""
    if len(levels) == 0:
        return np.empty(0), np.empty(0)
    gen = contourpy.contour_generator(
        xs, ys, np.ma.masked_invalid(Z), line_type=contourpy.LineType.Separate
    )
    pieces = []
    gap = np.array([[np.nan, np.nan]])
    for level in levels:
        for line in gen.lines(float(level)):
            if len(line) >= 2:
                pieces.append(line)
                pieces.append(gap)
    if not pieces:
        return np.empty(0), np.empty(0)
    xy = np.concatenate(pieces)
    return xy[:, 0].copy(), xy[:, 1].copy()


def surface_image(xs, ys, Z, log_colors: bool, n_levels: int = 12) -> SurfaceImage:
    """Colour data and contour lines for a grid ``Z[iy, ix]`` (log10 colours when asked)."""
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    Z = np.asarray(Z, dtype=float)
    finite = Z[np.isfinite(Z)]
    if finite.size == 0:
        raise ValueError("the surface has no finite values in this view")
    zmin, zmax = float(finite.min()), float(finite.max())
    levels = contour_levels(Z, n_levels)
    cx, cy = contour_polyline(xs, ys, Z, levels)
    while len(cx) > MAX_CONTOUR_POINTS and len(levels) > 4:
        levels = levels[1::2]  # a bumpy surface (Rastrigin): half the levels, still readable
        cx, cy = contour_polyline(xs, ys, Z, levels)
    if log_colors:
        floor = max((zmax - zmin) * 1e-6, 1e-12)
        offset = zmin - floor
        with np.errstate(invalid="ignore", divide="ignore"):
            image = np.log10(Z - offset)
        # colours span the 1st percentile to the maximum: the few pixels at the exact
        # minimum would otherwise stretch the scale and leave the rest of the map one shade
        lo = float(np.nanquantile(image[np.isfinite(image)], 0.01))
        hi = float(np.log10(zmax - offset))
        return SurfaceImage(xs, ys, image, (lo, hi), True, offset, cx, cy)
    if zmax <= zmin:
        zmax = zmin + 1.0
    return SurfaceImage(xs, ys, Z, (zmin, zmax), False, 0.0, cx, cy)
