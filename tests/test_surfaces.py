"""engine.surfaces: analytic gradients, vectorized grids, sensible views and the data surface."""

import math

import numpy as np
import pytest

from engine import surfaces

REQUIRED = ["book_quadratic", "rosenbrock", "beale", "himmelblau", "saddle", "rastrigin", "data"]


def _numeric_grad(s, x, y, h=1e-3):
    """5-point central differences (error O(h⁴)), float64."""
    def d(f):
        return (-f(2 * h) + 8 * f(h) - 8 * f(-h) + f(-2 * h)) / (12 * h)
    return d(lambda e: s.value(x + e, y)), d(lambda e: s.value(x, y + e))


def test_registry_has_the_contract_names():
    assert set(REQUIRED) <= set(surfaces.names())
    for e in surfaces.entries():
        assert e.display_name and e.formula


@pytest.mark.parametrize("name", REQUIRED)
def test_gradient_matches_finite_differences(name):
    s = surfaces.get(name)
    rng = np.random.default_rng(1)
    (x0, x1), (y0, y1) = s.bounds
    x = rng.uniform(x0, x1, 40)
    y = rng.uniform(y0, y1, 40)
    gx, gy = s.grad(x, y)
    nx, ny = _numeric_grad(s, x, y)
    for a, n in ((gx, nx), (gy, ny)):
        rel = np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1e-3)
        assert rel.max() < 1e-7, (name, rel.max())


@pytest.mark.parametrize("name", REQUIRED)
def test_grid_is_vectorized_and_oriented(name):
    s = surfaces.get(name)
    xs, ys, z = s.grid(500)
    assert xs.shape == ys.shape == (500,) and z.shape == (500, 500)
    (x0, x1), (y0, y1) = s.bounds
    assert xs[0] == x0 and xs[-1] == x1 and ys[0] == y0 and ys[-1] == y1
    assert np.all(np.isfinite(z))
    for iy, ix in ((0, 499), (123, 45), (499, 0)):
        assert z[iy, ix] == pytest.approx(float(s.value(xs[ix], ys[iy])), rel=1e-12, abs=1e-12)
    xs2, ys2, z2 = s.grid(7, bounds=((0, 1), (2, 3)))
    assert z2.shape == (7, 7) and xs2[-1] == 1 and ys2[0] == 2


def test_grid_rejects_bad_arguments():
    s = surfaces.get("book_quadratic")
    for n in (1, 0, 2.5, True):
        with pytest.raises(ValueError):
            s.grid(n)
    with pytest.raises(ValueError):
        s.grid(10, bounds=((1, 0), (0, 1)))


@pytest.mark.parametrize("name", REQUIRED)
def test_views_minima_and_start_are_sensible(name):
    s = surfaces.get(name)
    assert s.contains(*s.start)
    assert s.minima
    start_loss = float(s.value(*s.start))
    for m in s.minima:
        assert s.contains(*m)
        assert float(s.value(*m)) < start_loss
        gx, gy = s.grad(*m)
        assert math.hypot(float(gx), float(gy)) < 1e-9  # a stationary point
    # the listed minima are the lowest points of the view (to grid resolution)
    _, _, z = s.grid(300)
    assert min(float(s.value(*m)) for m in s.minima) <= z.min() + 1e-9


def test_book_quadratic_is_the_books():
    s = surfaces.get("book_quadratic")
    assert s.bounds == ((-10.0, 10.0), (-5.0, 5.0)) and s.start == (-7.0, 2.0)
    assert float(s.value(-7, 2)) == pytest.approx(49 / 20 + 4)
    gx, gy = s.grad(-7.0, 2.0)
    assert (float(gx), float(gy)) == pytest.approx((-0.7, 4.0))


def test_value_and_grad_broadcast():
    s = surfaces.get("rosenbrock")
    v = s.value(np.zeros((3, 1)), np.ones((1, 4)))
    assert v.shape == (3, 4)
    gx, gy = surfaces.get("book_quadratic").grad(np.arange(3.0), 1.0)
    assert gx.shape == gy.shape == (3,) and np.all(gy == 2.0)
    gy[0] = 5  # a writable array of its own
    assert float(s.value(1.0, 1.0)) == 0.0


def test_only_the_data_surface_is_stochastic_and_log_colours_where_values_explode():
    for name in REQUIRED:
        s = surfaces.get(name)
        assert s.stochastic == (name == "data")
        _, _, z = s.grid(200)
        ratio = z.max() / np.percentile(z, 10)
        if s.log_colors:  # a log colour scale needs values ≥ 0 spanning decades
            assert z.min() >= 0 and ratio > 30, name
        elif z.min() > 0:
            assert ratio < 100, name


def test_saddle_has_a_saddle_at_the_origin():
    s = surfaces.get("saddle")
    assert float(s.value(0, 0)) == 0.0
    assert float(s.value(0.1, 0)) > 0 > float(s.value(0, 0.1))
    assert float(s.value(*s.minima[0])) == pytest.approx(-1.0)


class TestDataSurface:
    def test_full_batch_equals_mean_squared_error(self):
        s = surfaces.get("data")
        assert s.n_samples == 200
        for w, b in ((0.3, -2.0), (2.0, 1.5)):
            r = w * s.data_x + b - s.data_t
            assert float(s.value(w, b)) == pytest.approx(np.mean(r * r), rel=1e-12)
            gx, gy = s.grad(w, b)
            assert float(gx) == pytest.approx(2 * np.mean(r * s.data_x), rel=1e-12)
            assert float(gy) == pytest.approx(2 * np.mean(r), rel=1e-12)

    def test_batch_value_and_grad_use_only_the_batch(self):
        s = surfaces.get("data")
        idx = np.array([3, 17, 42, 199])
        w, b = 0.5, 0.25
        r = w * s.data_x[idx] + b - s.data_t[idx]
        assert float(s.batch_value(w, b, idx)) == pytest.approx(np.mean(r * r), rel=1e-12)
        gx, gy = s.batch_grad(w, b, idx)
        assert (float(gx), float(gy)) == pytest.approx((2 * np.mean(r * s.data_x[idx]), 2 * np.mean(r)), rel=1e-12)
        assert float(gx) != pytest.approx(float(s.grad(w, b)[0]), rel=1e-3)
        all_idx = np.arange(s.n_samples)
        assert float(s.batch_value(w, b, all_idx)) == pytest.approx(float(s.value(w, b)), rel=1e-12)
        with pytest.raises(ValueError):
            s.batch_grad(w, b, np.array([200]))
        with pytest.raises(ValueError):
            s.batch_grad(w, b, np.array([], dtype=int))

    def test_batch_gradient_checks_numerically(self):
        s = surfaces.get("data")
        idx = np.arange(0, 200, 7)
        w, b = np.array([-1.0, 0.7, 3.9]), np.array([2.5, -4.0, 0.1])
        h = 1e-3
        gx, gy = s.batch_grad(w, b, idx)
        nx = (s.batch_value(w + h, b, idx) - s.batch_value(w - h, b, idx)) / (2 * h)  # exact for a quadratic
        ny = (s.batch_value(w, b + h, idx) - s.batch_value(w, b - h, idx)) / (2 * h)
        assert np.max(np.abs(gx - nx) / (np.abs(gx) + np.abs(nx))) < 1e-7
        assert np.max(np.abs(gy - ny) / (np.abs(gy) + np.abs(ny))) < 1e-7

    def test_is_ill_conditioned_and_deterministic(self):
        s = surfaces.get("data")
        m = np.mean(s.data_x)
        hessian = 2 * np.array([[np.mean(s.data_x**2), m], [m, 1.0]])
        ev = np.linalg.eigvalsh(hessian)
        assert ev[1] / ev[0] > 15  # an elongated valley
        again = surfaces.get("data")
        np.testing.assert_array_equal(s.data_t, again.data_t)
        assert not np.array_equal(s.data_t, surfaces.get("data", seed=1).data_t)
        w, b = s.minima[0]
        assert abs(w - s.TRUE_W) < 0.2 and abs(b - s.TRUE_B) < 0.3

    def test_bad_arguments(self):
        with pytest.raises(ValueError):
            surfaces.get("data", n_samples=1)
        with pytest.raises(ValueError):
            surfaces.get("data", noise=-1)
        with pytest.raises(ValueError):
            surfaces.get("data", colour="red")
        with pytest.raises(ValueError):
            surfaces.get("book_quadratic", scale=2)
