"""engine.training_setup: the one recipe from panel settings to data and trainer."""

import dataclasses

import numpy as np
import pytest

from engine import digits
from engine.layers import BatchNorm, Dropout
from engine.mnist_io import ImageDataset
from engine.training_setup import DataSpec, RunSettings, make_data, make_trainer


def test_toy_data_split_and_bounds():
    data = make_data(DataSpec("toy", "gaussians", 0.1, 300, 0.2))
    assert data.x_train.shape == (240, 2) and data.x_test.shape == (60, 2)
    assert data.is_2d and data.bounds == (-1.5, 1.5, -1.5, 1.5) and data.n_classes == 3
    assert np.bincount(data.y_test).tolist() == [20, 20, 20]  # stratified
    again = make_data(DataSpec("toy", "gaussians", 0.1, 300, 0.2))
    np.testing.assert_array_equal(data.x_train, again.x_train)
    noisier = make_data(DataSpec("toy", "gaussians", 0.3, 300, 0.2))
    assert not np.array_equal(data.x_train, noisier.x_train)


def test_digits_are_labelled_synthetic():
    data = make_data(DataSpec("digits", "digits", 0.0, 200, 0.25))
    assert data.synthetic and data.name == digits.NAME and "not MNIST" in data.name
    assert data.x_train.shape == (150, 784) and data.image_shape == (28, 28) and not data.is_2d


def test_file_source_takes_train_and_test_parts():
    rng = np.random.default_rng(1)
    ds = ImageDataset(rng.random((50, 16), dtype=np.float32), rng.integers(0, 3, 50),
                      rng.random((30, 16), dtype=np.float32), rng.integers(0, 3, 30),
                      "MNIST", "/x", (4, 4), ("a", "b", "c"))
    data = make_data(DataSpec("file", "/x", 0.0, 40, 0.25), ds)
    assert (len(data.y_train), len(data.y_test)) == (30, 10) and not data.synthetic
    assert data.class_names == ("a", "b", "c") and data.n_features == 16
    capped = make_data(DataSpec("file", "/x", 0.0, 1000, 0.5), ds)
    assert (len(capped.y_train), len(capped.y_test)) == (50, 30)
    with pytest.raises(ValueError, match="needs the loaded data set"):
        make_data(DataSpec("file", "/x"))


@pytest.mark.parametrize("spec, match", [
    (DataSpec(source="web"), "choose one of: toy, digits, uci, file"),
    (DataSpec(size=1), "size must be an integer ≥ 2"),
    (DataSpec(test_ratio=0.95), "test_ratio"),
    (DataSpec(name="nope"), "unknown dataset"),
])
def test_bad_specs_say_what_is_allowed(spec, match):
    with pytest.raises(ValueError, match=match):
        make_data(spec)


def test_settings_reach_the_model_and_optimizer():
    data = make_data(DataSpec())
    s = RunSettings(hidden=(8, 4), activation="tanh", init="xavier", batchnorm=True, dropout=0.25,
                    weight_decay=0.01, l1=0.002, optimizer="momentum", hyper={"lr": 0.03, "momentum": 0.8},
                    batch_size=10, epochs=3, seed=5)
    t = make_trainer(data, s)
    m = t.model
    assert m.hidden_sizes == [8, 4] and m.activation == "tanh" and m.init == "xavier"
    assert len([l for l in m.layers if isinstance(l, BatchNorm)]) == 2
    assert [l.ratio for l in m.layers if isinstance(l, Dropout)] == [0.25, 0.25]
    assert (m.weight_decay, m.l1) == (0.01, 0.002)
    assert t.optimizer.name == "momentum" and t.optimizer.hyper == {"lr": 0.03, "momentum": 0.8}
    assert (t.batch_size, t.epochs, t.seed) == (10, 3, 5)


def test_same_settings_same_curve_and_the_seed_matters():
    data = make_data(DataSpec())
    s = RunSettings(dropout=0.1)

    def losses(settings):
        t = make_trainer(data, settings)
        return [t.step().loss for _ in range(15)]

    assert losses(s) == losses(s)
    assert losses(s) != losses(dataclasses.replace(s, seed=1))


@pytest.mark.parametrize("name, alpha, expected", [
    ("leaky_relu", None, 0.1),  # GradLab's default is the lecture's slope, not PyTorch's 0.01
    ("leaky_relu", 0.3, 0.3),
    ("elu", None, 1.0),
    ("elu", 0.5, 0.5),
])
def test_activation_alpha_reaches_the_layers(name, alpha, expected):
    from engine.training_setup import build_network

    model = build_network(2, 3, RunSettings(hidden=(4, 4), activation=name, activation_alpha=alpha))
    assert [layer.activation.alpha for layer in model.activation_layers] == [expected, expected]
    x = np.array([[-1.0, -2.0]])
    pre = model.dense_layers[0].forward(x)
    np.testing.assert_allclose(model.activation_layers[0].forward(pre), model.activation_layers[0].activation.forward(pre))


def test_prelu_starts_from_the_given_slope_and_relu_ignores_alpha():
    from engine.training_setup import build_network

    prelu = build_network(2, 3, RunSettings(hidden=(4,), activation="prelu", activation_alpha=0.05))
    assert float(prelu.activation_layers[0].params["alpha"][0]) == 0.05
    assert float(build_network(2, 3, RunSettings(hidden=(4,), activation="prelu")).activation_layers[0].params["alpha"][0]) == 0.25
    relu = build_network(2, 3, RunSettings(hidden=(4,), activation="relu", activation_alpha=0.3))
    assert not relu.activation_layers[0].activation.params  # no α to set


def test_compare_runs_use_the_alpha():
    from engine import experiments

    spec = experiments.RunSpec((("activation", "leaky_relu"),), 0, 0, DataSpec("toy", "spiral", 0.1, 60, 0.2),
                               RunSettings(hidden=(4,), activation_alpha=0.2, epochs=1))
    trainer = experiments.build_trainer(spec)
    assert trainer.model.activation_layers[0].activation.alpha == 0.2
