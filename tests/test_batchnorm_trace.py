"""The batch-norm step-through's numbers against engine.layers.BatchNorm and central differences."""

import numpy as np
import pytest

from engine import batchnorm_trace as bt
from engine.gradcheck import relative_error
from engine.layers import BatchNorm

SETUPS = [
    bt.BatchNormSetup(),  # 4×3, γ = (1, 2, 0.5), β = (0, 1, −0.5)
    bt.resized(bt.BatchNormSetup(), 2, 1, seed=1),
    bt.resized(bt.BatchNormSetup(momentum=0.5, batches=0), 8, 4, seed=2),
    bt.BatchNormSetup(x=((1.0, 5.0), (1.0, -2.0), (1.0, 0.5)), w=((0.3, -1.0), (0.2, 0.4), (-0.9, 0.6)),
                      gamma=(3.0, -1.5), beta=(0.2, 0.0), eps=1e-3, batches=1),  # a constant column
]
IDS = ["4x3", "2x1", "8x4", "constant-column"]


def layer_of(setup):
    x, w, gamma, beta = setup.arrays()
    bn = BatchNorm(setup.d, eps=setup.eps, momentum=setup.momentum)
    bn.params["gamma"][:] = gamma
    bn.params["beta"][:] = beta
    return bn, x, w


@pytest.mark.parametrize("setup", SETUPS, ids=IDS)
def test_step_through_equals_the_engine_layer(setup):
    tr = bt.trace(setup)
    bn, x, w = layer_of(setup)
    y = bn.forward(x, train=True).copy()
    dx = bn.backward(w).copy()
    assert relative_error(tr.values["y"], y) < 1e-12
    assert relative_error(tr.values["dx"], dx) < 1e-12
    assert relative_error(tr.values["dgamma"], bn.grads["gamma"]) < 1e-12
    assert relative_error(tr.values["dbeta"], bn.grads["beta"]) < 1e-12
    assert tr.values["loss"] == pytest.approx(float(np.sum(w * y)), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("setup", SETUPS, ids=IDS)
def test_backprop_matches_central_differences(setup):
    tr = bt.trace(setup)
    assert tr.max_rel_error() < 1e-7
    for key in ("dgamma", "dbeta", "dx"):
        assert tr.max_rel_error(key) < 1e-7, key
    assert len(tr.rows) == 2 * setup.d + setup.n * setup.d
    # the check can fail: a backward pass without the path through μ is off by O(1)
    wrong = tr.values["dxn"] / np.sqrt(tr.values["var"] + setup.eps)
    assert relative_error(wrong, tr.num_dx) > 1e-2


@pytest.mark.parametrize("setup", SETUPS, ids=IDS)
def test_running_statistics_and_eval_output_equal_the_engine_layer(setup):
    tr = bt.trace(setup)
    bn, x, _w = layer_of(setup)
    for _ in range(setup.batches):
        bn.forward(x, train=True)
    assert relative_error(tr.running_mean, bn.running_mean) < 1e-12 or setup.batches == 0
    assert relative_error(tr.running_var, bn.running_var) < 1e-12
    assert relative_error(tr.y_eval, bn.forward(x, train=False)) < 1e-12
    gaps = bt.eval_gap(setup, [setup.batches])
    assert gaps[0] == pytest.approx(np.max(np.abs(tr.y_eval - tr.y_train)), rel=1e-12)


def test_normalized_columns_and_gradient_sums():
    tr = bt.trace(bt.BatchNormSetup())
    xn = tr.values["xn"]
    assert np.max(np.abs(xn.mean(axis=0))) < 1e-12
    assert np.max(np.abs(xn.var(axis=0) - 1)) < 1e-3  # ε = 1e-5 keeps it just below 1
    assert np.max(np.abs(tr.values["dx"].sum(axis=0))) < 1e-12
    assert abs(tr.values["dvar"][0]) > 1e-3 and abs(tr.values["dmu"][0]) > 1e-3


def test_steps_are_named_in_the_lectures_order_with_numbers():
    tr = bt.trace(bt.BatchNormSetup())
    assert [s.key for s in tr.steps] == list(bt.SYMBOLS)
    assert [s.phase for s in tr.steps] == ["forward"] * 6 + ["backward"] * 7
    assert tr.index_of("backward") == 6 and tr.index_of("dx") == 12
    mu = tr.steps[0]
    assert mu.example == "μ[1] = (2.1 + 2.1 + 3.3 + 0.7) / 4 = 2.05"
    assert mu.example.endswith(bt.fmt(mu.value[0]))
    for s in tr.steps:
        assert s.example.rsplit("= ", 1)[1] == bt.fmt(s.value if s.value.ndim == 0 else s.value.flat[0]), s.key
    with pytest.raises(ValueError, match="unknown step"):
        tr.index_of("update")


def test_running_stats_converge_to_the_unbiased_variance():
    setup = bt.BatchNormSetup(batches=1000)
    tr = bt.trace(setup)
    assert np.max(np.abs(tr.running_mean - tr.values["mu"])) < 1e-12
    assert np.max(np.abs(tr.running_var - tr.values["var"] * 4 / 3)) < 1e-12
    ratio = (tr.y_eval - setup.beta) / (tr.y_train - setup.beta)
    assert np.max(np.abs(ratio - bt.unbiased_gap(setup))) < 1e-9
    gaps = bt.eval_gap(setup, [0, 1, 5, 20, 1000])
    assert np.all(np.diff(gaps) < 0) and gaps[1] > 1.0


@pytest.mark.parametrize("kwargs, message", [
    ({"x": ((1.0, 2.0),)}, "2–8 samples"),
    ({"x": ((1.0,) * 5,) * 4, "w": ((1.0,) * 5,) * 4}, "1–4 features"),
    ({"w": ((1.0, 2.0, 3.0),)}, "must be 4×3"),
    ({"gamma": (1.0, 2.0)}, "gamma needs 3 numbers"),
    ({"eps": 0.0}, "eps must be a finite number > 0"),
    ({"momentum": 1.5}, "momentum"),
    ({"batches": -1}, "training batches"),
    ({"x": ((1.0, 2.0, 3.0), (1.0, 2.0))}, "rows of equal length"),
    ({"x": ((1.0, float("nan"), 3.0),) * 4}, "every entry of the batch x"),
])
def test_bad_setups_say_what_is_wrong(kwargs, message):
    with pytest.raises(ValueError, match=message):
        bt.BatchNormSetup(**kwargs)


def test_resizing_keeps_what_fits():
    s = bt.BatchNormSetup()
    big = bt.resized(s, 5, 4, seed=3)
    assert big.x[:4] == tuple(row + (big.x[i][3],) for i, row in enumerate(s.x))
    assert big.gamma == s.gamma + (1.0,) and big.beta == s.beta + (0.0,)
    small = bt.resized(big, 4, 3)
    assert small.x == s.x and small.w == s.w
    assert bt.default_batch(4, 3, 7) != bt.default_batch(4, 3, 8)


def test_the_measured_eval_factor_is_the_unbiased_gap_once_converged():
    setup = bt.BatchNormSetup()
    assert np.max(np.abs(bt.eval_xn_ratio(setup, 1000) - bt.unbiased_gap(setup))) < 1e-9
    assert np.max(np.abs(bt.unbiased_gap(setup) - np.sqrt(3 / 4))) < 1e-3
    assert np.max(np.abs(bt.eval_xn_ratio(setup, 3) - bt.unbiased_gap(setup))) > 1e-2
