"""Toy 2-D classification sets (TensorFlow Playground's and scikit-learn's), plus a split.

``make(name, n_samples, noise, seed) -> (x, labels)``: ``x`` is float64 ``(n, 2)``, ``labels``
int64 ``(n,)`` in ``0 … n_classes−1``, shuffled, deterministic per seed, class sizes differing by
at most one. The *clean* points of every set lie in [−1, 1]² (the Gaussian blobs' tails reach
its edge only at 4.5σ). ``noise`` adds Gaussian jitter to both coordinates with standard
deviation ``noise × noise_scale`` in those units; labels keep the clean class, so jitter makes
the classes overlap. ``noise_scale`` is 1, except 0.5 for the spiral, whose arms are only 0.29
apart (the Playground, too, jitters its spiral 5× less than its circles). So 0 = clean,
0.1 = mild, 0.5 = heavy overlap on every set: the range of the Playground's noise slider
(0–50 %). Every registry entry carries ``n_classes``, ``noise_scale`` and ``bounds``
(``BOUNDS``, the same square for all sets so the decision-boundary view never has to rescale;
noisy points may fall outside).
"""

from __future__ import annotations

import math

import numpy as np

from engine import validate
from engine.csv_data import CsvData, load_csv  # noqa: F401 - the student's own data, beside the toy sets
from engine.registry import Registry

REGISTRY: Registry = Registry("dataset")

#: (x_min, x_max, y_min, y_max) of the decision-boundary view: the clean [−1, 1]² plus a margin.
BOUNDS: tuple[float, float, float, float] = (-1.5, 1.5, -1.5, 1.5)


def _class_sizes(n: int, n_classes: int) -> np.ndarray:
    """Balanced sizes: the first ``n % k`` classes get one extra sample."""
    sizes = np.full(n_classes, n // n_classes, dtype=np.int64)
    sizes[: n % n_classes] += 1
    return sizes


def _labels(sizes: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)


def _polar(r, t) -> np.ndarray:
    return np.column_stack([r * np.cos(t), r * np.sin(t)])


@REGISTRY.register(
    "spiral", "Spiral", "two arms r = s, θ = 3.5π·s + kπ, s ∈ [0, 1)",
    n_classes=2, bounds=BOUNDS, noise_scale=0.5,
)
def _spiral(n: int, rng: np.random.Generator):
    """The Playground's two interleaved arms (1.75 turns): the one set that needs depth.

    Arms cross every ray 0.29 apart: jitter of std 0.05 (noise 0.1) leaves them apart.
    """
    sizes = _class_sizes(n, 2)
    labels = _labels(sizes)
    # position along each arm, evenly spaced from the centre outwards (as the Playground does)
    s = np.concatenate([np.arange(m) / m for m in sizes])
    return _polar(s, 1.75 * 2 * math.pi * s + math.pi * labels), labels


@REGISTRY.register(
    "xor", "XOR", "label = [x₁·x₂ > 0], |x₁|, |x₂| ∈ [0.05, 1]",
    n_classes=2, bounds=BOUNDS, noise_scale=1.0,
)
def _xor(n: int, rng: np.random.Generator):
    """Four quadrants, opposite ones alike: not linearly separable (why a hidden layer is needed).

    A 0.05 gap along the axes (the Playground's padding) keeps the clean set separable.
    """
    sizes = _class_sizes(n, 2)
    labels = _labels(sizes)
    magnitude = rng.uniform(0.05, 1.0, size=(n, 2))
    sign_x = rng.choice(np.array([-1.0, 1.0]), size=n)
    sign_y = np.where(labels == 1, sign_x, -sign_x)  # class 1: quadrants I and III
    return magnitude * np.column_stack([sign_x, sign_y]), labels


@REGISTRY.register(
    "circles", "Circles", "class 0: r ∈ [0, 0.5];  class 1: r ∈ [0.7, 1]",
    n_classes=2, bounds=BOUNDS, noise_scale=1.0,
)
def _circles(n: int, rng: np.random.Generator):
    """A disc inside a ring (the Playground's circle set): separable by radius, not by a line."""
    sizes = _class_sizes(n, 2)
    labels = _labels(sizes)
    r = np.where(labels == 0, rng.uniform(0.0, 0.5, size=n), rng.uniform(0.7, 1.0, size=n))
    return _polar(r, rng.uniform(0.0, 2 * math.pi, size=n)), labels


@REGISTRY.register(
    "moons", "Two moons", "upper (cos t, sin t), lower (1 − cos t, ½ − sin t), rescaled",
    n_classes=2, bounds=BOUNDS, noise_scale=1.0,
)
def _moons(n: int, rng: np.random.Generator):
    """scikit-learn's interleaved half circles, centred and scaled into x ∈ [−1, 1], y ∈ [−½, ½]."""
    sizes = _class_sizes(n, 2)
    labels = _labels(sizes)
    t = rng.uniform(0.0, math.pi, size=n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    x = np.where((labels == 0)[:, None], upper, lower)
    return (x - np.array([0.5, 0.25])) / 1.5, labels


_GAUSSIAN_SPREAD = 0.1  # each blob's own std, before any noise; 4.5σ from the edge


@REGISTRY.register(
    "gaussians", "Gaussian blobs", "3 blobs N(μ_k, 0.1²), |μ_k| = 0.55, 120° apart",
    n_classes=3, bounds=BOUNDS, noise_scale=1.0,
)
def _gaussians(n: int, rng: np.random.Generator):
    """Three round blobs (the Playground has two): the multi-class set, linearly separable."""
    sizes = _class_sizes(n, 3)
    labels = _labels(sizes)
    angles = math.pi / 2 + 2 * math.pi / 3 * np.arange(3)
    centres = _polar(0.55, angles)
    return centres[labels] + rng.normal(0.0, _GAUSSIAN_SPREAD, size=(n, 2)), labels


def make(name: str, n_samples: int = 400, noise: float = 0.1, seed: int = 0):
    """``(x, labels)`` for the set ``name``; see the module docstring for units and noise."""
    entry = REGISTRY.entry(name)
    n_classes = entry.extra["n_classes"]
    try:
        n = int(n_samples)
        noise = float(noise)
    except (TypeError, ValueError):
        raise ValueError(f"n_samples and noise must be numbers, got {n_samples!r}, {noise!r}") from None
    if n != n_samples or n < n_classes:
        raise ValueError(f"n_samples must be an integer ≥ {n_classes} for {entry.name!r}, got {n_samples!r}")
    if not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number ≥ 0, got {noise!r}")
    rng = np.random.default_rng(validate.seed(seed))
    x, labels = entry.factory(n, rng)
    # always drawn, so that changing only the noise moves the same points (a smooth slider)
    jitter = rng.standard_normal(x.shape)
    x = x + (noise * entry.extra["noise_scale"]) * jitter
    order = rng.permutation(n)  # so any prefix of the set holds every class
    return np.ascontiguousarray(x[order], dtype=np.float64), labels[order]


def train_test_split(x, labels, test_ratio: float = 0.2, seed: int = 0, stratify: bool = False):
    """Shuffle and split into ``(x_train, y_train, x_test, y_test)``, deterministic per seed.

    The test part has ``round(n·test_ratio)`` samples, at least one, leaving at least one for
    training. ``stratify=True`` splits every class in the same ratio (so a small test set still
    holds every class).
    """
    x = np.asarray(x)
    labels = np.asarray(labels)
    if x.ndim != 2 or labels.ndim != 1 or len(x) != len(labels):
        raise ValueError(f"need x of shape (n, d) and labels of shape (n,), got {x.shape} and {labels.shape}")
    try:
        ratio = float(test_ratio)
    except (TypeError, ValueError):
        raise ValueError(f"test_ratio must be a number in (0, 1), got {test_ratio!r}") from None
    if not 0.0 < ratio < 1.0:
        raise ValueError(f"test_ratio must be in (0, 1), got {test_ratio!r}")
    n = len(x)
    if n < 2:
        raise ValueError(f"need at least 2 samples to split, got {n}")
    rng = np.random.default_rng(validate.seed(seed))
    order = rng.permutation(n)
    if stratify:
        # stable sort by label keeps the shuffled order inside each class; take each class's head
        by_class = order[np.argsort(labels[order], kind="stable")]
        classes, starts, counts = np.unique(labels[by_class], return_index=True, return_counts=True)
        n_test = np.clip(np.rint(counts * ratio).astype(np.int64), 0, counts)
        rank = np.arange(n) - np.repeat(starts, counts)  # position within its class
        is_test = rank < np.repeat(n_test, counts)
        if not is_test.any() or is_test.all():
            raise ValueError(f"test_ratio {ratio} leaves an empty train or test set for {n} samples")
        test, train = by_class[is_test], by_class[~is_test]
        test, train = rng.permutation(test), rng.permutation(train)  # not sorted by class
    else:
        n_test = min(max(int(round(n * ratio)), 1), n - 1)
        test, train = order[:n_test], order[n_test:]
    return x[train], labels[train], x[test], labels[test]


def entry(name: str):
    """The registry entry of ``name``: ``.extra['n_classes']``, ``.extra['bounds']``, display name."""
    return REGISTRY.entry(name)


def n_classes(name: str) -> int:
    return REGISTRY.entry(name).extra["n_classes"]


def bounds(name: str) -> tuple[float, float, float, float]:
    return REGISTRY.entry(name).extra["bounds"]


def names() -> list[str]:
    return REGISTRY.names()
