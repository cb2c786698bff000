"""Summaries of activations, gradients and weights for the training monitor.

``summary`` gives the numbers TensorBoard's distribution view draws: min, max and the
percentiles at ±0.5σ, ±1σ, ±1.5σ of a normal (``BAND_LEVELS``), plus the two failure signs of
the lecture: the share of exact zeros (dead ReLUs) and the share of saturated units (sigmoid
below 0.01 or above 0.99, tanh beyond ±0.99, where the derivative is < 0.01 resp. < 0.02).
Non-finite entries are left out of every statistic and counted in ``share_nonfinite``.
"""

from __future__ import annotations

import numpy as np

from engine import activations, validate

#: Percentile levels of TensorBoard's bands: Φ(k) for k = −∞, −1.5, −1, −0.5, 0, 0.5, 1, 1.5, +∞.
BAND_LEVELS = np.array([0.0, 6.68, 15.87, 30.85, 50.0, 69.15, 84.13, 93.32, 100.0])

#: |a| at or below this counts as zero (ReLU outputs are exactly 0; this only absorbs round-off).
ZERO_TOL = 1e-12

#: Saturation thresholds on the activation *output*: sigmoid < 0.01 or > 0.99, tanh |a| > 0.99.
SIGMOID_SATURATION = 0.01
TANH_SATURATION = 0.99


def _saturated(a: np.ndarray, kind: str | None):
    """Boolean mask of saturated outputs, or None when ``kind`` has no saturation notion."""
    if kind is None:
        return None
    kind = activations.REGISTRY.canonical(kind)
    if kind == "sigmoid":
        return (a < SIGMOID_SATURATION) | (a > 1.0 - SIGMOID_SATURATION)
    if kind == "tanh":
        return np.abs(a) > TANH_SATURATION
    return None


def summary(a, kind: str | None = None) -> dict:
    """Statistics of all entries of ``a``.

    Keys: ``n``, ``mean``, ``std``, ``min``, ``max``, ``percentiles`` (array at ``BAND_LEVELS``),
    ``share_zero``, ``share_saturated`` (None unless ``kind`` is "sigmoid" or "tanh"; ``kind`` is
    an activation name, validated) and ``share_nonfinite``. Shares are fractions of all entries;
    the other numbers are NaN when no entry is finite. An empty ``a`` raises ``ValueError``.
    """
    a = np.asarray(a, dtype=np.float64).ravel()
    if a.size == 0:
        raise ValueError("cannot summarize an empty array")
    saturated = _saturated(a, kind)  # validates kind before any work
    finite = np.isfinite(a)
    n_finite = int(np.count_nonzero(finite))
    values = a if n_finite == a.size else a[finite]
    if n_finite:
        mean, std = float(values.mean()), float(values.std())
        percentiles = np.percentile(values, BAND_LEVELS)
    else:
        mean = std = float("nan")
        percentiles = np.full(len(BAND_LEVELS), np.nan)
    return {
        "n": int(a.size),
        "mean": mean,
        "std": std,
        "min": float(percentiles[0]),
        "max": float(percentiles[-1]),
        "percentiles": percentiles,
        "share_zero": float(np.count_nonzero(np.abs(values) <= ZERO_TOL)) / a.size,
        "share_saturated": None if saturated is None else float(np.count_nonzero(saturated)) / a.size,
        "share_nonfinite": (a.size - n_finite) / a.size,
    }


def histogram(a, bins: int = 30, range: tuple[float, float] | None = None):
    """``(counts, edges)`` of the finite entries of ``a``, like ``np.histogram``.

    ``range=None`` spans the finite data (a constant array gets the unit interval around its
    value); entries outside an explicit ``range`` are not counted. ``len(edges) == bins + 1``.
    """
    n_bins = validate.integer(bins, "bins")
    a = np.asarray(a, dtype=np.float64).ravel()
    a = a[np.isfinite(a)]
    if range is not None:
        lo, hi = (float(v) for v in range)
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(f"range must be two finite numbers lo < hi, got {range!r}")
        range = (lo, hi)
    elif a.size == 0:
        range = (0.0, 1.0)
    return np.histogram(a, bins=n_bins, range=range)


def dead_unit_share(pre_activations) -> float:
    """Share of units (columns) whose pre-activation is ≤ 0 for every sample of the batch.

    For ReLU those units output 0 and pass no gradient for this batch: "dead".
    """
    z = np.asarray(pre_activations)
    if z.ndim != 2 or z.shape[1] == 0:
        raise ValueError(f"pre_activations must have shape (batch, units), got {z.shape}")
    if z.shape[0] == 0:
        raise ValueError("pre_activations has no samples")
    return float(np.count_nonzero(np.all(z <= 0, axis=0))) / z.shape[1]


def zero_counts(arrays, small: float = 1e-3) -> tuple[int, int, int]:
    """``(entries exactly 0, entries with |a| < small, all entries)`` over ``arrays``.

    Tells L1's two implementations apart: subgradient steps leave weights *near* 0 (many below
    ``small``, none exactly 0), the proximal soft-threshold sets them to exactly 0.
    """
    exact = near = total = 0
    for a in arrays:
        a = np.asarray(a)
        exact += int(np.count_nonzero(a == 0))
        near += int(np.count_nonzero(np.abs(a) < small))
        total += int(a.size)
    return exact, near, total
