"""Every activation's derivative and backward agree with central differences (float64, < 1e-7).

Inputs stay ≥ 0.05 away from 0 so kinks (ReLU, leaky ReLU, PReLU, ELU, step) are never
straddled by the ±1e-6 perturbation. Parametrized over the registry, so a newly registered
activation is checked automatically.
"""

import numpy as np
import pytest

from engine import activations
from engine.gradcheck import numerical_gradient, relative_error

TOL = 1e-7
# non-default parameters too, so a derivative that ignores alpha would fail
PARAMS = {"leaky_relu": [{}, {"alpha": 0.1}], "prelu": [{}, {"alpha": 0.6}], "elu": [{}, {"alpha": 2.5}]}
CASES = [(name, kw) for name in activations.names() for kw in PARAMS.get(name, [{}])]


def off_kinks(shape, seed=0, scale=2.0):
    x = np.random.default_rng(seed).standard_normal(shape) * scale
    return np.where(x >= 0, x + 0.05, x - 0.05)


@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}{kw or ''}" for n, kw in CASES])
def test_backward_matches_numerical(name, kw):
    act = activations.get(name, **kw)
    x = off_kinks((4, 5))
    dout = np.random.default_rng(1).standard_normal(x.shape)
    num = numerical_gradient(lambda: float(np.sum(dout * act.forward(x))), x)
    got = act.backward(x, act.forward(x), dout)
    assert got.shape == x.shape
    assert relative_error(got, num) < TOL


@pytest.mark.parametrize("name,kw", [c for c in CASES if activations.REGISTRY.entry(c[0]).extra["elementwise"]],
                         ids=lambda v: str(v))
def test_derivative_matches_numerical(name, kw):
    act = activations.get(name, **kw)
    x = off_kinks((3, 7), seed=2)
    num = numerical_gradient(lambda: float(np.sum(act.forward(x))), x)  # elementwise: ∂Σf/∂x_i = f'(x_i)
    assert relative_error(act.derivative(x), num) < TOL


def test_every_elementwise_activation_except_step_has_a_nonzero_gradient():
    """Guards the checks above against vacuous passes (0 == 0)."""
    x = off_kinks((3, 7), seed=2)
    for name in activations.names():
        act = activations.get(name)
        if act.elementwise and name != "step":
            assert np.abs(act.derivative(x)).max() > 0.1, name


def test_softmax_jacobian_matches_numerical():
    sm = activations.get("softmax")
    z = np.random.default_rng(3).standard_normal(5) * 3
    jac = sm.jacobian(z)
    num = np.array([numerical_gradient(lambda: float(sm.forward(z)[i]), z) for i in range(5)])
    assert relative_error(jac, num) < TOL


def test_softmax_backward_is_jacobian_vector_product_at_large_logits():
    sm = activations.get("softmax")
    z = np.random.default_rng(4).standard_normal((3, 4)) + np.array([[1000.0], [-1000.0], [0.0]])
    dout = np.random.default_rng(5).standard_normal(z.shape)
    p = sm.forward(z)
    got = sm.backward(z, p, dout)
    expected = np.einsum("ni,nij->nj", dout, sm.jacobian(z))
    assert np.all(np.isfinite(got)) and relative_error(got, expected) < 1e-12
    num = numerical_gradient(lambda: float(np.sum(dout * sm.forward(z))), z)
    assert relative_error(got, num) < TOL


@pytest.mark.parametrize("alpha", [0.25, 0.7])
def test_prelu_alpha_gradient_matches_numerical(alpha):
    x = off_kinks((4, 5), seed=6)
    dout = np.random.default_rng(7).standard_normal(x.shape)
    a = np.array([alpha])

    def f():
        return float(np.sum(dout * activations.get("prelu", alpha=float(a[0])).forward(x)))

    num = numerical_gradient(f, a)
    got = activations.get("prelu", alpha=alpha).alpha_gradient(x, dout)
    assert relative_error(np.atleast_1d(got), num) < TOL
