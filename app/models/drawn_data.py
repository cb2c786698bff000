"""Data drawn with the mouse in the Training panel's boundary view, without Qt.

The points are a tuple of ``(x, y, class)`` triples, stored in the Training state
(``DataState.points``) so they save with the session as a JSON list and rebuild the same run.
The view only forwards clicks here: ``add`` a point of a class, ``erase`` the points near a
position, ``clear``; ``to_csv`` writes them as a table ``engine.csv_data.load_csv`` reads back.
``live_update`` swaps the edited points into a running trainer so training goes on from the
current weights instead of starting over.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from engine import csv_data, datasets
from engine.training_setup import DRAWN_MAX_CLASSES, drawn_data

#: Erase radius in data units (the view spans 3 units: about 2 % of its width on each side)
ERASE_RADIUS = 0.12
#: Limit of drawn points: a few hundred is plenty to teach, and keeps the state small
MAX_POINTS = 1000


def _rounded(v: float) -> float:
    return round(float(v), 4)  # 0.1 mm of a 3-unit view: enough, and short in the session file


def default_points() -> tuple:
    """Something to start from: two small clusters of 2 classes (8 points each), trainable at once."""
    rng = np.random.default_rng(0)
    a = rng.normal([-0.5, 0.4], 0.15, size=(8, 2))
    b = rng.normal([0.5, -0.4], 0.15, size=(8, 2))
    return tuple((_rounded(x), _rounded(y), c) for c, pts in ((0, a), (1, b)) for x, y in pts)


def inside(x: float, y: float) -> bool:
    """A click inside the boundary view's square (``datasets.BOUNDS``)."""
    x0, x1, y0, y1 = datasets.BOUNDS
    return math.isfinite(x) and math.isfinite(y) and x0 <= x <= x1 and y0 <= y <= y1


def add(points: tuple, x: float, y: float, cls: int) -> tuple:
    """``points`` plus ``(x, y, cls)``; unchanged outside the view or at the point limit."""
    cls = int(cls)
    if not 0 <= cls < DRAWN_MAX_CLASSES:
        raise ValueError(f"class must be 0…{DRAWN_MAX_CLASSES - 1}, got {cls}")
    if not inside(x, y) or len(points) >= MAX_POINTS:
        return tuple(points)
    return (*points, (_rounded(x), _rounded(y), cls))


def erase(points: tuple, x: float, y: float, radius: float = ERASE_RADIUS) -> tuple:
    """``points`` without those within ``radius`` of ``(x, y)`` (vectorized)."""
    if not points:
        return ()
    xy = np.asarray(points, dtype=np.float64)[:, :2]
    keep = np.hypot(xy[:, 0] - x, xy[:, 1] - y) > radius
    return tuple(p for p, k in zip(points, keep) if k)


def other_class(cls: int) -> int:
    """Shift-click's class: 1 for class 0, else 0 (the classic two-class drawing)."""
    return 1 if int(cls) == 0 else 0


def scatter(points: tuple) -> tuple:
    """``(x_train, y_train, x_test, y_test)`` to show ``points`` (also too few to train on)."""
    table = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    x, y = table[:, :2], table[:, 2].astype(np.int64)
    return x, y, x, y


def problem(points: tuple) -> str | None:
    """Why ``points`` cannot train yet (None if they can)."""
    try:
        drawn_data(points)
    except ValueError as err:
        return str(err)
    return None


def live_update(run, points: tuple) -> bool:
    """Swap ``points`` into ``run``'s trainer in place (same weights); False if a rebuild is needed.

    A rebuild is needed when the points cannot train or need more output classes than the
    network has.
    """
    if problem(points) is not None:
        return False
    data = drawn_data(points)
    if data.n_classes > run.data.n_classes:
        return False
    data = dataclasses.replace(data, n_classes=run.data.n_classes, class_names=run.data.class_names)
    run.trainer.replace_data(data.x_train, data.y_train, data.x_test, data.y_test)
    partner = run.partner  # the network beside it trains on the same points
    if partner is not None and partner.trainer is not run.trainer:
        partner.trainer.replace_data(data.x_train, data.y_train, data.x_test, data.y_test)
    run.data = data
    run.spec = dataclasses.replace(run.spec, points=tuple(points))
    return True


def to_csv(path, points: tuple) -> None:
    """Write the drawn points as ``x1,x2,label`` (``engine.csv_data.load_csv`` reads it back)."""
    if not points:
        raise ValueError("there are no drawn points to export")
    table = np.asarray(points, dtype=np.float64)
    csv_data.save_csv(path, table[:, :2], table[:, 2].astype(np.int64))
