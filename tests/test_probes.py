"""engine.probes: the numbers behind the Activation panel's depth, dying-ReLU and stacking views."""

import numpy as np
import pytest

from engine import activations, init, probes


def test_forward_backward_matches_finite_differences():
    rng = np.random.default_rng(1)
    act = activations.get("tanh")
    weights = [init.get("xavier")(4, 4, rng) for _ in range(3)]
    x = rng.standard_normal((2, 4))
    r = rng.standard_normal((2, 4))

    def loss(xx):
        h = xx
        for w in weights:
            h = act.forward(h @ w + 0.1)
        return float(np.sum(r * h))

    _, grads = probes.forward_backward(act, weights, x, r, bias=0.1)
    num = np.zeros_like(x)
    eps = 1e-6
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        num[idx] = (loss(xp) - loss(xm)) / (2 * eps)
    rel = np.linalg.norm(grads[0] - num) / np.linalg.norm(num)
    assert rel < 1e-7
    assert len(grads) == 4 and np.allclose(grads[-1], r)


def test_sigmoid_vanishes_relu_with_he_does_not():
    sig = probes.depth_probe("sigmoid", depth=10, initializer="xavier")
    relu = probes.depth_probe("relu", depth=10, initializer="he")
    assert sig.grad_rms.shape == (11,) and sig.grad_rms[-1] == 1.0
    assert sig.grad_rms[0] < 1e-4  # σ' ≤ 1/4 per layer
    assert 0.1 < relu.grad_rms[0] < 10  # He keeps ReLU gradients at scale
    assert np.all(np.diff(sig.grad_rms) > 0)  # shrinks monotonically toward the input


def test_negative_bias_kills_relu_but_not_leaky_relu():
    relu = probes.depth_probe("relu", depth=4, bias=-3.0)
    leaky = probes.depth_probe("leaky_relu", depth=4, bias=-3.0, alpha=0.1)
    assert relu.dead_share[0] > 0.4 and relu.dead_share[-1] == 1 and relu.depth == 4
    assert np.all(leaky.dead_share == 0) and np.all(leaky.zero_grad_share == 0)
    healthy = probes.depth_probe("relu", depth=4, bias=0.0)
    assert 0.3 < healthy.zero_grad_share[0] < 0.7  # about half the inputs are negative


def test_step_has_no_gradient_at_all():
    step = probes.depth_probe("step", depth=3)
    assert np.all(step.grad_rms[:-1] == 0) and np.all(step.dead_share == 1)


def test_same_seed_same_weights_for_every_activation():
    a = probes.depth_probe("identity", depth=3, seed=5)
    b = probes.depth_probe("identity", depth=3, seed=5)
    c = probes.depth_probe("identity", depth=3, seed=6)
    assert np.array_equal(a.grad_rms, b.grad_rms) and not np.array_equal(a.grad_rms, c.grad_rms)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"activation": "softmax"}, "elementwise"),
        ({"activation": "relu", "depth": 0}, "depth"),
        ({"activation": "relu", "width": 2.5}, "width"),
        ({"activation": "relu", "bias": float("nan")}, "bias"),
        ({"activation": "nope"}, "choose one of"),
        ({"activation": "relu", "initializer": "nope"}, "choose one of"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        probes.depth_probe(**kwargs)


def test_linear_stack_is_one_linear_layer():
    x = np.linspace(-3, 3, 7)
    outs = probes.linear_stack(x, depth=3, slope=0.9)
    assert len(outs) == 3
    np.testing.assert_allclose(outs[2], 0.9**3 * x, rtol=1e-15)
    tanh3 = probes.linear_stack(x, depth=3, slope=0.9, activation="tanh")[2]
    assert not np.allclose(tanh3, (tanh3[-1] / x[-1]) * x)  # a nonlinear stack is not a line


def test_curves_match_engine():
    x = np.linspace(-4, 4, 9)
    f, d = probes.curves(x, "elu", alpha=0.5)
    act = activations.get("elu", alpha=0.5)
    assert np.array_equal(f, act.forward(x)) and np.array_equal(d, act.derivative(x))
    with pytest.raises(ValueError, match="elementwise"):
        probes.curves(x, "softmax")


def test_depth_probe_is_the_init_experiment_with_square_layers():
    """Same draws, same forward and backward pass: the probe's gradients are the experiment's."""
    from engine.init_experiment import ActivationExperiment

    probe = probes.depth_probe("tanh", depth=3, width=8, batch=5, initializer="he", seed=2)
    result = ActivationExperiment(n_samples=5, n_features=8, n_layers=3, width=8, activation="tanh", init="he",
                                  init_kwargs={}, seed=2).run()
    rms = np.array([np.sqrt(np.mean(layer.grad ** 2)) for layer in result.layers])
    np.testing.assert_allclose(probe.grad_rms[1:], rms / rms[-1], rtol=1e-12)


def test_every_elementwise_list_is_the_registrys():
    from engine import backprop_trace, experiments

    everything = activations.elementwise_names()
    assert "softmax" not in everything and {"sigmoid", "relu", "prelu"} <= set(everything)
    assert list(backprop_trace.HIDDEN_ACTIVATIONS) == activations.elementwise_names(learned=False)
    assert "prelu" not in backprop_trace.HIDDEN_ACTIVATIONS
    assert list(experiments.FACTORS["activation"].choices) == everything
