"""engine.dropout_ensemble: thinned networks (one dropout mask per network) vs the full one."""

import numpy as np
import pytest

from engine import dropout_ensemble as de
from engine.activations import Softmax
from engine.network import MLP


def _net(dropout=0.3, activation="relu", hidden=(6, 5)):
    return MLP(3, list(hidden), 4, activation=activation, dropout=dropout, seed=1)


def _reference(model, x, n_masks, seed):
    """The same masks, one network at a time, written out by hand (loops are fine in a test)."""
    rng = np.random.default_rng(seed)
    p = model.dropout
    masks = [(rng.random((n_masks, h)) >= p) / (1 - p) for h in model.hidden_sizes]
    out = []
    for i in range(n_masks):
        a = x
        for k, (dense, h) in enumerate(zip(model.dense_layers, [*model.hidden_sizes, None])):
            a = a @ dense.params["W"] + dense.params["b"]
            if h is not None:
                a = np.maximum(a, 0) * masks[k][i]
        out.append(Softmax().forward(a))
    return np.array(out)


def test_thinned_networks_match_a_hand_written_loop():
    model = _net()
    x = np.random.default_rng(0).normal(size=(7, 3))
    np.testing.assert_allclose(de.thinned_probs(model, x, 9, seed=3), _reference(model, x, 9, 3), rtol=1e-12)
    de.MAX_ROWS, old = 14, de.MAX_ROWS  # two masks per chunk: chunking gives the same numbers
    try:
        np.testing.assert_allclose(de.thinned_probs(model, x, 9, seed=3), _reference(model, x, 9, 3), rtol=1e-12)
    finally:
        de.MAX_ROWS = old


def test_without_dropout_every_thinned_network_is_the_full_one():
    model = _net(dropout=0.0)
    x = np.random.default_rng(0).normal(size=(5, 3))
    r = de.compare(model, x, np.zeros(5, int), n_masks=4)
    assert r["mean_abs_dp"] == 0.0 and r["full_accuracy"] == r["ensemble_accuracy"]
    assert de.dropout_ratio(model) == 0.0 and de.dropout_ratio(_net()) == pytest.approx(0.3)


def test_a_linear_network_is_matched_in_expectation():
    """Identity activations: the mean thinned *logits* approach the full network's (the scaling
    rule is exact in expectation for a linear network; error ~ 1/√masks)."""
    model = _net(dropout=0.5, activation="identity")
    x = np.random.default_rng(0).normal(size=(20, 3))
    logits = de.thinned_logits(model, x, 4000, seed=0)
    full = model.predict(x)
    err = [float(np.mean(np.abs(logits[:n].mean(axis=0) - full))) for n in (10, 4000)]
    assert err[1] < 0.1 * err[0]
    relu = _net(dropout=0.5)  # with a non-linearity the mean stays off by a floor: the rule is an approximation
    off = float(np.mean(np.abs(de.thinned_logits(relu, x, 4000).mean(axis=0) - relu.predict(x))))
    assert off > 2 * err[1]


def test_the_ensemble_draws_no_training_mask():
    model = _net()
    state = [layer.rng.bit_generator.state for layer in model.layers if hasattr(layer, "rng")]
    de.ensemble_probs(model, np.ones((4, 3)), 10)
    assert [layer.rng.bit_generator.state for layer in model.layers if hasattr(layer, "rng")] == state
