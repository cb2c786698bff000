"""engine.gradcheck: central differences and the relative error the gradient tests rely on."""

import numpy as np
import pytest

from engine.gradcheck import numerical_gradient, relative_error


def test_numerical_gradient_of_known_function_and_restores_arrays():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal(4)
    a0, b0 = a.copy(), b.copy()
    ga, gb = numerical_gradient(lambda: float(np.sum(np.sin(a) * b) + np.sum(b**3)), [a, b])
    assert relative_error(ga, np.cos(a) * b) < 1e-9
    assert relative_error(gb, np.sin(a).sum(axis=0) + 3 * b**2) < 1e-9
    assert np.array_equal(a, a0) and np.array_equal(b, b0)  # restored bit for bit


def test_single_array_returns_single_gradient():
    x = np.array([1.0, -2.0, 3.0])
    g = numerical_gradient(lambda: float(x @ x), x)
    assert isinstance(g, np.ndarray) and relative_error(g, 2 * x) < 1e-9


def test_array_restored_when_f_raises():
    x = np.array([1.0, 2.0])
    calls = []

    def f():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return float(x.sum())

    with pytest.raises(RuntimeError):
        numerical_gradient(f, x)
    assert np.array_equal(x, [1.0, 2.0])


def test_bad_arguments():
    with pytest.raises(ValueError, match="eps"):
        numerical_gradient(lambda: 0.0, np.zeros(2), eps=0)
    with pytest.raises(ValueError, match="float"):
        numerical_gradient(lambda: 0.0, np.zeros(2, dtype=int))
    with pytest.raises(ValueError, match="shapes"):
        relative_error(np.zeros(2), np.zeros(3))


def test_relative_error_is_max_abs_based():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    # a tiny entry's large *elementwise* relative difference does not dominate
    assert relative_error([100.0, 1e-9], [100.0, 2e-9]) < 1e-10
    assert relative_error([1.0, 0.0], [0.0, 1.0]) == 1.0
    assert relative_error([2.0], [1.0]) == pytest.approx(0.5)
