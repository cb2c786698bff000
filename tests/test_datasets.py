"""The toy 2-D sets: shapes, balance, determinism, geometry, and the split."""

import numpy as np
import pytest

from engine import datasets

NAMES = ["spiral", "xor", "circles", "moons", "gaussians"]


def test_registry_lists_every_set_with_classes_and_bounds():
    assert datasets.names() == NAMES
    for name in NAMES:
        entry = datasets.entry(name)
        assert entry.extra["n_classes"] == datasets.n_classes(name) >= 2
        assert datasets.bounds(name) == datasets.BOUNDS
        assert entry.display_name and entry.formula


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", [7, 400, 401])
def test_shapes_dtypes_and_balance(name, n):
    x, y = datasets.make(name, n_samples=n, noise=0.1, seed=3)
    k = datasets.n_classes(name)
    assert x.shape == (n, 2) and x.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=k)
    assert len(counts) == k and counts.max() - counts.min() <= 1
    assert np.isfinite(x).all()


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_per_seed(name):
    a = datasets.make(name, 200, 0.2, seed=5)
    b = datasets.make(name, 200, 0.2, seed=5)
    c = datasets.make(name, 200, 0.2, seed=6)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("name", NAMES)
def test_clean_points_lie_in_the_unit_square_and_noise_spreads_them(name):
    x0, _ = datasets.make(name, 1000, noise=0.0, seed=1)
    assert np.abs(x0).max() <= 1.0 + 1e-12
    lo, hi = datasets.BOUNDS[0], datasets.BOUNDS[1]
    assert lo < x0.min() and x0.max() < hi
    x1, _ = datasets.make(name, 1000, noise=0.5, seed=1)
    assert np.abs(x1).max() > 1.2  # heavy noise leaves the square


@pytest.mark.parametrize("name", NAMES)
def test_noise_scales_the_same_jitter(name):
    """Moving the noise slider moves the same points; the jitter's std is noise × noise_scale."""
    x0, y0 = datasets.make(name, 2000, noise=0.0, seed=4)
    x1, y1 = datasets.make(name, 2000, noise=0.1, seed=4)
    x2, y2 = datasets.make(name, 2000, noise=0.2, seed=4)
    np.testing.assert_array_equal(y0, y1)
    np.testing.assert_array_equal(y0, y2)
    np.testing.assert_allclose(x2 - x0, 2 * (x1 - x0), atol=1e-12)
    scale = datasets.entry(name).extra["noise_scale"]
    assert np.std(x1 - x0) == pytest.approx(0.1 * scale, rel=0.05)


def test_clean_geometry():
    x, y = datasets.make("circles", 500, noise=0.0)
    r = np.hypot(x[:, 0], x[:, 1])
    assert r[y == 0].max() <= 0.5 and r[y == 1].min() >= 0.7
    x, y = datasets.make("xor", 500, noise=0.0)
    assert np.all((x[:, 0] * x[:, 1] > 0) == (y == 1))
    assert np.abs(x).min() >= 0.05
    x, y = datasets.make("spiral", 500, noise=0.0)
    r = np.hypot(x[:, 0], x[:, 1])
    assert r.max() < 1.0 and r.min() == 0.0
    # the two arms are point reflections of each other: same radii
    np.testing.assert_allclose(np.sort(r[y == 0]), np.sort(r[y == 1]))
    x, y = datasets.make("gaussians", 900, noise=0.0)
    centres = np.array([x[y == k].mean(axis=0) for k in range(3)])
    np.testing.assert_allclose(np.hypot(*centres.T), 0.55, atol=0.03)


def test_samples_are_shuffled():
    _, y = datasets.make("moons", 100, seed=0)
    assert 0 < y[:50].sum() < 50


@pytest.mark.parametrize(
    "kwargs",
    [dict(name="nope"), dict(name="spiral", n_samples=1), dict(name="gaussians", n_samples=2),
     dict(name="xor", noise=-0.1), dict(name="xor", noise=float("nan")),
     dict(name="xor", n_samples=10.5), dict(name="xor", noise="a lot")],
)
def test_bad_input_raises_value_error(kwargs):
    with pytest.raises(ValueError):
        datasets.make(**kwargs)


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match="spiral"):
        datasets.make("spirals!")


def test_minimum_sample_count_gives_one_per_class():
    _, y = datasets.make("gaussians", 3)
    assert sorted(y) == [0, 1, 2]


@pytest.mark.parametrize("stratify", [False, True])
def test_split_sizes_partition_and_determinism(stratify):
    x, y = datasets.make("spiral", 400, seed=0)
    xtr, ytr, xte, yte = datasets.train_test_split(x, y, 0.25, seed=1, stratify=stratify)
    assert len(xte) == len(yte) == 100 and len(xtr) == len(ytr) == 300
    both = np.concatenate([xtr, xte])
    # a partition: every sample exactly once, with its own label
    key = lambda a: np.lexsort(a.T)  # noqa: E731
    np.testing.assert_array_equal(both[key(both)], x[key(x)])
    pairs = {tuple(p): l for p, l in zip(x, y)}
    assert all(pairs[tuple(p)] == l for p, l in zip(xte, yte))
    again = datasets.train_test_split(x, y, 0.25, seed=1, stratify=stratify)
    for a, b in zip((xtr, ytr, xte, yte), again):
        np.testing.assert_array_equal(a, b)
    other = datasets.train_test_split(x, y, 0.25, seed=2, stratify=stratify)
    assert not np.array_equal(xte, other[2])


def test_stratified_split_keeps_the_class_ratio():
    x = np.arange(60.0).reshape(30, 2)
    y = np.array([0] * 20 + [1] * 10)
    _, ytr, _, yte = datasets.train_test_split(x, y, 0.3, seed=0, stratify=True)
    assert list(np.bincount(yte)) == [6, 3] and list(np.bincount(ytr)) == [14, 7]
    _, _, _, yte_big = datasets.train_test_split(
        np.zeros((400, 2)), np.repeat([0, 1], 200), 0.5, seed=0, stratify=True
    )
    assert not np.all(np.diff(yte_big) >= 0)  # not sorted by class


def test_tiny_split_keeps_both_parts_non_empty():
    x, y = np.zeros((2, 2)), np.array([0, 1])
    xtr, _, xte, _ = datasets.train_test_split(x, y, 0.01)
    assert len(xtr) == 1 and len(xte) == 1


@pytest.mark.parametrize("ratio", [0, 1, -0.5, 1.5, "x", None])
def test_split_rejects_bad_ratio(ratio):
    x, y = datasets.make("xor", 20)
    with pytest.raises(ValueError, match="test_ratio"):
        datasets.train_test_split(x, y, ratio)


def test_split_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        datasets.train_test_split(np.zeros((5, 2)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError):
        datasets.train_test_split(np.zeros((1, 2)), np.zeros(1, dtype=int))
