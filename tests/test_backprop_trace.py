"""The backprop step-through's numbers against the engine's layers/network and central differences."""

import numpy as np
import pytest

from engine import backprop_trace as bt
from engine.gradcheck import relative_error
from engine.layers import ActivationLayer, Dense
from engine.network import MLP

SETUPS = [
    bt.BackpropSetup(),  # 2-2-1, sigmoid, ½·squared error with a sigmoid output
    bt.BackpropSetup(activation="tanh").with_sizes((2, 3, 2), seed=1).with_loss("cross_entropy"),
    bt.BackpropSetup(activation="relu").with_sizes((3, 4, 4, 2), seed=2).with_loss("cross_entropy"),
    bt.BackpropSetup(activation="elu", loss="mse_identity").with_sizes((4, 2, 3, 2), seed=3),
    bt.BackpropSetup(activation="leaky_relu").with_sizes((1, 1), seed=4),
]


def engine_grads_mse(setup):
    """∂L/∂W, ∂L/∂b from engine.layers (Dense + ActivationLayer) with dL/dy = y − t."""
    W, b = setup.arrays()
    layers = []
    for l, (w, v) in enumerate(zip(W, b)):
        layers.append(Dense(w, v))
        last = l == len(W) - 1
        layers.append(ActivationLayer(setup.output_activation if last else setup.activation))
    out = np.array([setup.x])
    for layer in layers:
        out = layer.forward(out)
    dout = out - np.array([setup.target])
    for layer in reversed(layers):
        dout = layer.backward(dout)
    dense = layers[::2]
    return [d.grads["W"].copy() for d in dense], [d.grads["b"].copy() for d in dense]


def engine_grads_ce(setup):
    """∂L/∂W, ∂L/∂b from engine.network.MLP (softmax cross-entropy) on the same weights."""
    net = MLP(setup.sizes[0], list(setup.sizes[1:-1]), setup.sizes[-1], activation=setup.activation)
    W, b = setup.arrays()
    state = {}
    for l, (w, v) in enumerate(zip(W, b), start=1):
        state[f"dense{l}.W"], state[f"dense{l}.b"] = w, v
    net.load_state_dict(state)
    loss, grads = net.loss_and_gradient(np.array([setup.x]), [setup.label])
    by_name = dict(zip(net.param_names, grads))
    n = len(W)
    return (loss, [by_name[f"dense{l}.W"].copy() for l in range(1, n + 1)],
            [by_name[f"dense{l}.b"].copy() for l in range(1, n + 1)])


@pytest.mark.parametrize("setup", SETUPS, ids=lambda s: f"{'-'.join(map(str, s.sizes))}-{s.activation}-{s.loss}")
def test_step_through_gradients_equal_the_engine_and_the_numerical_ones(setup):
    tr = bt.trace(setup)
    if setup.loss == "cross_entropy":
        loss, gW, gb = engine_grads_ce(setup)
        assert tr.loss == pytest.approx(loss, rel=1e-12)
    else:
        gW, gb = engine_grads_mse(setup)
    for mine, theirs in zip(tr.grad_W + tr.grad_b, gW + gb):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-15)
    for mine, num in zip(tr.grad_W + tr.grad_b, tr.num_W + tr.num_b):
        assert relative_error(mine, num) < 1e-7
    assert max(r.rel_error for r in tr.rows) < 1e-7
    # the steps reveal exactly the same numbers the table shows
    known = tr.known(len(tr.steps) - 1)
    for row in tr.rows:
        grad_key = ("dW",) + row.key[1:] if row.key[0] == "W" else ("db",) + row.key[1:]
        new_key = ("W_new",) + row.key[1:] if row.key[0] == "W" else ("b_new",) + row.key[1:]
        assert known[grad_key] == row.grad
        assert known[new_key] == pytest.approx(row.value - setup.lr * row.grad, abs=1e-15)
    assert known[("loss",)] == tr.loss


def test_the_default_example_by_hand():
    tr = bt.trace(bt.BackpropSetup())
    # z(h₁) = 0.5·1 + 0.8·0.5 + 0.1 = 1, a = σ(1)
    assert tr.z[1][0] == pytest.approx(1.0)
    assert tr.a[1][0] == pytest.approx(1 / (1 + np.exp(-1)))
    y = tr.a[2][0]
    assert tr.loss == pytest.approx(0.5 * (y - 1.0) ** 2)
    dz_out = (y - 1.0) * y * (1 - y)
    assert tr.grad_W[1][0, 0] == pytest.approx(dz_out * tr.a[1][0])
    assert tr.new_W[1][0, 0] == pytest.approx(0.7 - 0.5 * dz_out * tr.a[1][0])


def test_steps_come_in_phase_order_with_text_formula_and_highlights():
    tr = bt.trace(bt.BackpropSetup().with_sizes((2, 3, 2)).with_loss("cross_entropy"))
    phases = [s.phase for s in tr.steps]
    assert phases == sorted(phases, key=bt.PHASES.index)
    assert phases.count("loss") == 1
    assert phases.count("update") == 3 + 2  # one per node with incoming weights
    for s in tr.steps:
        assert s.text and "{" not in s.text and s.formula and s.nodes and s.reveals
    # every weight gets its own backward step, highlighting its edge
    edges = {s.edges[0] for s in tr.steps if s.kind == "dweight"}
    assert edges == {(0, i, j) for i in range(2) for j in range(3)} | {(1, i, j) for i in range(3) for j in range(2)}
    assert tr.index_of("backward") == phases.index("backward")
    with pytest.raises(ValueError, match="choose one of"):
        tr.index_of("sideways")


def test_editing_a_weight_changes_the_trace():
    setup = bt.BackpropSetup()
    edited = bt.with_parameter(setup, ("W", 1, 0, 0), -1.5)
    assert edited.weights[1][0][0] == -1.5 and setup.weights[1][0][0] == 0.7
    a, b = bt.trace(setup), bt.trace(edited)
    assert a.loss != b.loss and not np.allclose(a.grad_W[0], b.grad_W[0])
    with pytest.raises(ValueError, match="no parameter"):
        bt.with_parameter(setup, ("W", 5, 0, 0), 1.0)


@pytest.mark.parametrize("kwargs, match", [
    ({"sizes": (2, 5, 1)}, "every layer size"),
    ({"activation": "softmax"}, "hidden activation"),
    ({"loss": "hinge"}, "unknown loss"),
    ({"loss": "cross_entropy"}, "at least 2 outputs"),
    ({"x": (1.0,)}, "input needs 2"),
    ({"target": (1.0, 0.0)}, "target needs 1"),
    ({"lr": 0.0}, "learning rate"),
    ({"x": (1.0, float("nan"))}, "every input"),
    ({"weights": (((0.5, -0.3),), ((0.7,), (-0.4,)))}, "must be 2×2"),
])
def test_bad_setups_raise_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        bt.BackpropSetup(**kwargs)


def test_cross_entropy_target_must_be_one_hot():
    setup = bt.BackpropSetup().with_sizes((2, 2, 2)).with_loss("cross_entropy")
    assert setup.target in ((1.0, 0.0), (0.0, 1.0))
    with pytest.raises(ValueError, match="one-hot"):
        bt.BackpropSetup(setup.sizes, setup.activation, setup.loss, setup.weights, setup.biases, setup.x, (0.5, 0.5))


def test_parsing_typed_text():
    assert bt.parse_number(" −0.25 ", "x") == -0.25
    assert bt.parse_numbers("1, −0.5", "input", 2) == (1.0, -0.5)
    assert bt.parse_sizes("2-3-2") == (2, 3, 2)
    with pytest.raises(ValueError, match="weight must be a number, got 'abc'"):
        bt.parse_number("abc", "weight")
    with pytest.raises(ValueError, match="needs 2 numbers"):
        bt.parse_numbers("1", "input", 2)
    with pytest.raises(ValueError, match="like 2-2-1"):
        bt.parse_sizes("2-9-1")


def test_resizing_keeps_the_values_that_still_fit():
    setup = bt.BackpropSetup()
    bigger = setup.with_sizes((2, 3, 1))
    assert bigger.weights[0][1][0] == setup.weights[0][1][0]
    assert bigger.x == setup.x and len(bigger.weights[1]) == 3
    assert bt.fmt(-0.000123456) == "−0.0001235" and bt.fmt(-0.0) == "0"
