"""The book's activation-histogram experiment (DLFS ch. 6): its findings and gradients.

Its speed is measured by bench/bench_init_panel.py ("engine only"), not asserted here: a
wall-clock threshold fails on a loaded machine.
"""

import numpy as np
import pytest

from engine.gradcheck import numerical_gradient, relative_error
from engine.init_experiment import ActivationExperiment


def run(**kw):
    return ActivationExperiment(**kw).run()


def extreme_share(a):
    """Share of sigmoid outputs in the book's outer bins: below 0.1 or above 0.9."""
    return float(np.mean((a < 0.1) | (a > 0.9)))


# -- the book's figures --------------------------------------------------------------------

def test_sigmoid_std_1_saturates():
    r = run()  # the defaults are the book's first figure
    last = r.layers[-1]
    assert extreme_share(last.out) > 0.6
    assert last.share_saturated > 0.3  # engine.stats' stricter 0.01 / 0.99 tails
    # the histogram shows it too: the two outer bins hold more than the 28 inner ones
    assert last.counts[0] + last.counts[-1] > last.counts[1:-1].sum()


def test_sigmoid_std_001_collapses_to_one_half():
    last = run(init_kwargs={"std": 0.01}).layers[-1]
    assert last.std < 0.02
    assert abs(last.mean - 0.5) < 0.01
    assert np.all(np.abs(last.out - 0.5) < 0.1)
    assert last.share_saturated == 0.0


def test_xavier_spreads_sigmoid_activations():
    collapsed = run(init_kwargs={"std": 0.01}).layers[-1]
    xavier = run(init="xavier").layers[-1]
    assert xavier.std > 5 * collapsed.std
    assert extreme_share(xavier.out) < 0.05  # no pile-up at 0 and 1
    occupied = np.count_nonzero(xavier.counts > 0.005 * xavier.counts.sum())
    assert occupied >= 10  # a spread over many bins, not one spike


def test_he_keeps_relu_layers_alive():
    he = run(activation="relu", init="he")
    small = run(activation="relu", init_kwargs={"std": 0.01})
    for layer in he.layers:
        assert 1.0 - layer.share_zero > 0.4  # about half the units fire, in every layer
        assert layer.dead_units < 0.1
    assert he.layers[-1].std > 0.5 * he.layers[0].std  # no collapse with depth
    assert he.layers[-1].std > 1000 * small.layers[-1].std
    assert small.layers[-1].std < 1e-4


def test_batchnorm_rescues_std_001():
    plain = run(init_kwargs={"std": 0.01}).layers[-1]
    bn = run(init_kwargs={"std": 0.01}, batchnorm=True)
    assert bn.layers[-1].std > 0.15 > 10 * plain.std
    assert extreme_share(bn.layers[-1].out) < 0.1
    # batch norm also makes the init's scale nearly irrelevant: std 0.01 and std 1 look alike
    # (not exactly: ε = 1e-5 is no longer negligible next to the tiny variance of std 0.01)
    bn_big = run(init_kwargs={"std": 1.0}, batchnorm=True)
    np.testing.assert_allclose(bn.column("std"), bn_big.column("std"), rtol=0.02)


# -- the backward side ---------------------------------------------------------------------

def test_gradients_vanish_through_sigmoid_layers():
    g = run(init="xavier").column("grad_mean_abs")
    assert np.all(np.diff(g) > 0)  # smaller at every step back towards the input
    assert g[0] < 0.01 * g[-1]


def test_gradients_keep_their_scale_with_he_relu_and_with_batchnorm():
    for kw in ({"activation": "relu", "init": "he"}, {"init_kwargs": {"std": 0.01}, "batchnorm": True}):
        g = run(**kw).column("grad_mean_abs")
        assert g.min() > 0.5 * g.max(), kw


def test_gradients_explode_with_large_relu_weights():
    g = run(activation="relu", init_kwargs={"std": 1.0}).column("grad_mean_abs")
    assert np.all(np.diff(g) < 0)  # larger at every step back
    assert g[0] > 1000 * g[-1]


def test_last_layer_gradient_is_the_readout():
    exp = ActivationExperiment(activation="tanh", init="xavier")
    _, _, readout = exp.draw()
    r = exp.run()
    np.testing.assert_array_equal(r.layers[-1].grad, readout)
    assert abs(r.layers[-1].grad_std - 1.0) < 0.02


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "elu", "leaky_relu"])
@pytest.mark.parametrize("batchnorm", [False, True])
def test_weight_gradients_match_numerical(activation, batchnorm):
    exp = ActivationExperiment(n_samples=7, n_features=4, n_layers=3, width=5, activation=activation,
                               init="xavier", batchnorm=batchnorm, bias=True, seed=3)
    x, weights, readout = exp.draw()

    def loss():
        return float(np.sum(readout * exp.propagate(x, weights, readout)[1][-1]))

    analytic = [dw.copy() for dw in exp.propagate(x, weights, readout)[3]]
    numeric = numerical_gradient(loss, weights)
    for a, n in zip(analytic, numeric):
        assert relative_error(a, n) < 1e-7


# -- histograms, stats, determinism, speed ---------------------------------------------------

def test_histograms_share_bins_and_count_everything():
    r = run(init="xavier")
    np.testing.assert_allclose(r.edges, np.linspace(0, 1, 31))
    for layer in r.layers:
        assert layer.counts.sum() == 1000 * 100
        assert layer.grad_counts.sum() == layer.grad.size
        assert layer.weight_grad_counts.sum() == layer.weight_grad.size
    assert r.grad_edges[-1] == -r.grad_edges[0] == max(np.abs(layer.grad).max() for layer in r.layers)


def test_unbounded_activation_range_spans_all_layers():
    r = run(activation="relu", init="he", bins=20)
    assert len(r.edges) == 21 and r.edges[0] == 0.0
    assert r.edges[-1] == max(layer.out.max() for layer in r.layers)
    tanh = run(activation="tanh", init="xavier", hist_range=(-0.5, 0.5))
    assert (tanh.edges[0], tanh.edges[-1]) == (-0.5, 0.5)


def test_table_and_columns():
    r = run(activation="relu", init="he", n_layers=3)
    rows = r.table()
    assert [row["layer"] for row in rows] == [1, 2, 3]
    assert rows[1]["std"] == r.layers[1].std == pytest.approx(r.layers[1].out.std())
    assert r.column("dead_units").shape == (3,)
    with pytest.raises(ValueError, match="grad_mean_abs"):
        r.column("nope")


def test_deterministic_per_seed_and_comparable_across_inits():
    a, b = run(seed=5), run(seed=5)
    for la, lb in zip(a.layers, b.layers):
        np.testing.assert_array_equal(la.out, lb.out)
        np.testing.assert_array_equal(la.grad, lb.grad)
    assert not np.array_equal(a.layers[0].out, run(seed=6).layers[0].out)
    # same seed, another init: same inputs, weights only rescaled
    c = run(seed=5, init="he", activation="relu")
    np.testing.assert_array_equal(a.x, c.x)
    np.testing.assert_allclose(c.layers[0].weight, a.layers[0].weight * np.sqrt(2 / 100))


def test_float32_stays_float32():
    r = run(dtype=np.float32, batchnorm=True)
    assert all(layer.out.dtype == np.float32 and layer.grad.dtype == np.float32 for layer in r.layers)
    assert np.all(np.isfinite(r.column("std")))


def test_replace_and_validation():
    exp = ActivationExperiment()
    assert exp.replace(n_layers=2).run().column("std").shape == (2,)
    with pytest.raises(ValueError, match="unknown settings"):
        exp.replace(layers=3)
    with pytest.raises(ValueError, match="choose one of"):
        ActivationExperiment(activation="swish")
    with pytest.raises(ValueError, match="not elementwise"):
        ActivationExperiment(activation="softmax")
    with pytest.raises(ValueError, match="bad parameters"):
        ActivationExperiment(init="he", init_kwargs={"std": 1.0})
    with pytest.raises(ValueError, match="n_samples"):
        ActivationExperiment(n_samples=1, batchnorm=True)
    with pytest.raises(ValueError, match="n_layers"):
        ActivationExperiment(n_layers=0)
    with pytest.raises(ValueError, match="dtype"):
        ActivationExperiment(dtype=np.int32)
    with pytest.raises(ValueError, match="hist_range"):
        ActivationExperiment(hist_range=(1, 0))


def test_share_flat_counts_units_that_pass_almost_no_gradient():
    """std 1 sigmoids: about half of the units have σ′ < 0.01, yet the gradient reaching the
    layers stays flat (the large weights make up for it); Xavier: none flat, the gradient falls."""
    std1, xavier = run(), run(init="xavier")
    for r in (std1, xavier):
        for layer in r.layers:  # the share, computed here by hand from σ′ = σ(1 − σ)
            s = 1 / (1 + np.exp(-layer.pre))
            assert layer.share_flat == pytest.approx(np.mean(s * (1 - s) < 0.01), abs=1e-12)
    assert std1.column("share_flat").min() > 0.3 and xavier.column("share_flat").max() < 0.01
    g1, gx = std1.column("grad_mean_abs"), xavier.column("grad_mean_abs")
    assert 0.5 < g1[0] / g1[-1] < 2 and gx[0] / gx[-1] < 0.01
    relu = run(activation="relu", init="he")
    np.testing.assert_allclose(relu.column("share_flat"), [np.mean(layer.pre <= 0) for layer in relu.layers])


def test_in_and_pre_std_xavier_keeps_the_sums_variance_not_the_outputs():
    r = run(init="xavier")
    layer1 = r.layers[0]
    assert layer1.in_std == pytest.approx(float(r.x.std())) and r.layers[1].in_std == pytest.approx(layer1.std)
    assert 0.8 < (layer1.pre_std / layer1.in_std) ** 2 < 1.25  # the weighted sum: variance kept
    assert (layer1.std / layer1.in_std) ** 2 < 0.1  # the sigmoid outputs: far smaller
