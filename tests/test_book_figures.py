"""The figures of *Deep Learning from Scratch* ch. 6, reproduced with the engine (a few seconds).

Activation histograms (figs. 6-10 … 6-14): 1000 × 100 random inputs through 5 layers of 100,
the book's setup, read at the layer the book's text talks about. Overfitting (figs. 6-20 …
6-23): 300 training images, 6 hidden ReLU layers of 100 (He init), SGD lr 0.01, batch 100,
200 epochs, without and with weight decay λ = 0.1 or dropout 0.2; the train/test accuracy gap
is what is asserted, not absolute accuracies.

Two documented departures for the overfitting test, both to keep the book's *effect* honest and
the test fast (≈ 4 s for the three runs):

* The images are ``engine.digits.make_digits`` (offline synthetic digits), made harder with
  ``distortion=1.3, noise=0.1``: at the default difficulty a net trained on 300 samples already
  reaches ≈ 85 % test accuracy, the no-regularization gap is small (≈ 0.15) and the gap
  differences drown in seed noise. With the harder set the unregularized net still memorizes
  (train ≈ 100 %) while test stays ≈ 65 %, as the book's MNIST run (100 % / ≈ 75 %). Measured
  gaps for seeds 0, 1, 2: none 0.33 / 0.35 / 0.39, weight decay 0.21 / 0.16 / 0.20, dropout
  0.17 / 0.15 / 0.20.
* float32 and a 1000-image test set evaluated once at the end (the Trainer still evaluates the
  300 training images every epoch); float64 with per-epoch test evaluation takes ≈ 8 s per run.
"""

import numpy as np
import pytest

from engine import optimizers
from engine.digits import make_digits
from engine.init_experiment import ActivationExperiment
from engine.network import MLP
from engine.training import Trainer


def _layers(activation, init, **kw):
    """Per-layer outputs of the book's experiment (5 layers of 100, 1000 samples)."""
    exp = ActivationExperiment(activation=activation, init=init, **kw)
    return exp.run()


# ---- figs. 6-10 … 6-13: sigmoid ------------------------------------------------------------------
def test_fig_6_10_sigmoid_std_1_saturates():
    res = _layers("sigmoid", "normal", init_kwargs={"std": 1.0})
    for layer in res.layers:
        a = layer.out
        assert np.mean((a < 0.1) | (a > 0.9)) > 0.5, layer.index  # most values at the two ends
    a5 = res.layers[-1].out
    assert np.mean(a5 < 0.1) > 0.2 and np.mean(a5 > 0.9) > 0.2  # both ends, not one
    counts = res.layers[-1].counts  # the U shape: the outer bins dwarf the middle ones
    assert min(counts[0], counts[-1]) > 5 * counts[len(counts) // 2]


def test_fig_6_11_sigmoid_std_001_collapses_to_one_half():
    res = _layers("sigmoid", "normal", init_kwargs={"std": 0.01})
    for layer in res.layers:
        assert np.mean(np.abs(layer.out - 0.5) < 0.1) > 0.99, layer.index
    a5 = res.layers[-1].out
    assert abs(a5.mean() - 0.5) < 0.01 and a5.std() < 0.02
    assert res.layers[-1].counts.max() > 0.5 * a5.size  # one or two bins hold almost everything


@pytest.mark.parametrize("init", ["lecun", "xavier"])  # the book's "Xavier" and Glorot's: equal for 100→100
def test_fig_6_13_xavier_spreads_sigmoid(init):
    res = _layers("sigmoid", init)
    collapsed = _layers("sigmoid", "normal", init_kwargs={"std": 0.01}).layers[-1].out.std()
    for layer in res.layers:
        a = layer.out
        assert np.mean((a < 0.1) | (a > 0.9)) < 0.05, layer.index  # no saturation
        assert a.std() > 5 * collapsed, layer.index  # a real spread
        assert np.count_nonzero(layer.counts) >= 10  # over many bins


# ---- fig. 6-14: ReLU -----------------------------------------------------------------------------
def test_fig_6_14_he_keeps_relu_layers_alive():
    he = _layers("relu", "he")
    xavier = _layers("relu", "xavier")
    tiny = _layers("relu", "normal", init_kwargs={"std": 0.01})
    std = {name: r.column("std") for name, r in (("he", he), ("xavier", xavier), ("tiny", tiny))}
    assert 0.7 < std["he"][-1] / std["he"][0] < 1.4  # He: the same spread in every layer
    assert std["xavier"][-1] < 0.5 * std["xavier"][0]  # Xavier: shrinks layer by layer
    assert std["tiny"][-1] < 1e-5 * std["he"][-1]  # std 0.01: almost everything is 0
    for layer in he.layers:
        assert layer.share_zero < 0.6 and layer.dead_units < 0.05, layer.index
    g = he.column("grad_mean_abs")  # and the gradient neither vanishes nor explodes
    assert 0.5 < g[0] / g[-1] < 2


def test_sigmoid_gradients_vanish_even_with_xavier():
    """The backward side the book only mentions: σ' ≤ 1/4 shrinks the gradient every layer."""
    g = _layers("sigmoid", "xavier").column("grad_mean_abs")
    assert np.all(np.diff(g) > 0) and g[0] / g[-1] < 0.01


def test_batch_norm_undoes_a_bad_init():
    """§6.3: with batch norm the histograms no longer depend on the weight scale."""
    plain = _layers("sigmoid", "normal", init_kwargs={"std": 1.0})
    bn = _layers("sigmoid", "normal", init_kwargs={"std": 1.0}, batchnorm=True)
    bn_small = _layers("sigmoid", "normal", init_kwargs={"std": 0.01}, batchnorm=True)
    assert plain.layers[-1].share_saturated > 0.3
    assert bn.layers[-1].share_saturated < 0.01 and bn_small.layers[-1].share_saturated < 0.01
    np.testing.assert_allclose(bn.column("std"), bn_small.column("std"), rtol=0.05)


# ---- figs. 6-20 … 6-23: overfitting, weight decay, dropout ------------------------------------------------
N_TRAIN, N_TEST = 300, 1000
HIDDEN = [100] * 6
EPOCHS = 200


@pytest.fixture(scope="module")
def digits():
    x, y = make_digits(N_TRAIN + N_TEST, seed=0, distortion=1.3, noise=0.1, dtype=np.float32)
    return x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]


def _gap(digits, **regularization):
    x_train, y_train, x_test, y_test = digits
    model = MLP(x_train.shape[1], HIDDEN, 10, activation="relu", init="he", seed=0, dtype=np.float32,
                **regularization)
    trainer = Trainer(model, optimizers.get("sgd", lr=0.01), x_train, y_train, batch_size=100,
                      epochs=EPOCHS, seed=0)
    for _ in trainer.run():
        pass
    assert trainer.status == "finished"
    train, test = model.accuracy(x_train, y_train), model.accuracy(x_test, y_test)
    return train - test, test


def test_figs_6_20_to_6_23_weight_decay_and_dropout_shrink_the_gap(digits):
    gap_none, _ = _gap(digits)
    gap_decay, test_decay = _gap(digits, weight_decay=0.1)
    gap_dropout, test_dropout = _gap(digits, dropout=0.2)
    assert gap_none > 0.25  # fig. 6-20: memorizes the 300 samples, generalizes far worse
    assert gap_decay < gap_none - 0.08  # fig. 6-21
    assert gap_dropout < gap_none - 0.08  # fig. 6-23
    # the smaller gaps are not those of a net that learned nothing (chance is 0.1)
    assert test_decay > 0.25 and test_dropout > 0.25
