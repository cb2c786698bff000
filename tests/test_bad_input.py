"""Bad input is refused where it enters, with a message naming what is wrong and where."""

import numpy as np
import pytest

from engine import datasets, optimizers
from engine.mnist_io import DatasetError, load_mnist_npz
from engine.network import MLP
from engine.training import Trainer


def _data(n=40, seed=0):
    x, y = datasets.make("xor", n, 0.05, seed=seed)
    return x, y


# -- NaN / inf in training data ---------------------------------------------------------------
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_training_data_is_refused_naming_row_and_column(bad):
    x, y = _data()
    x[7, 1] = bad
    with pytest.raises(ValueError, match=r"train data has .* at row 7, column 1"):
        Trainer(MLP(2, [4], 2), "sgd", x, y)


def test_non_finite_test_data_is_refused_too():
    x, y = _data()
    xt = x.copy()
    xt[3, 0] = np.nan
    with pytest.raises(ValueError, match=r"test data has nan at row 3, column 0"):
        Trainer(MLP(2, [4], 2), "sgd", x, y, xt, y)


def _npz(tmp_path, name="mnist.npz", **change):
    rng = np.random.default_rng(0)
    parts = {"x_train": rng.uniform(0, 1, (6, 16)), "y_train": np.arange(6) % 3,
             "x_test": rng.uniform(0, 1, (4, 16)), "y_test": np.arange(4) % 3}
    parts.update(change)
    path = tmp_path / name
    np.savez(path, **parts)
    return path


def test_nan_pixel_in_a_file_is_refused_when_loaded(tmp_path):
    x = np.random.default_rng(1).uniform(0, 1, (6, 16))
    x[4, 9] = np.nan
    with pytest.raises(DatasetError, match=r"training images has nan at row 4, column 9"):
        load_mnist_npz(_npz(tmp_path, x_train=x))


# -- labels outside the class range --------------------------------------------------------------
def test_mnist_label_outside_ten_classes_is_refused(tmp_path):
    y = np.array([0, 1, 2, 12, 3, 4])
    with pytest.raises(DatasetError, match=r"label 12 at row 3 is outside the 10 classes 0…9"):
        load_mnist_npz(_npz(tmp_path, y_train=y))


def test_fashion_label_outside_ten_classes_is_refused(tmp_path):
    y = np.array([0, 1, 10, 3])
    with pytest.raises(DatasetError, match=r"label 10 at row 2"):
        load_mnist_npz(_npz(tmp_path, name="fashion-mnist.npz", y_test=y))


def test_a_plain_set_takes_the_classes_its_labels_show(tmp_path):
    ds = load_mnist_npz(_npz(tmp_path, name="shapes.npz"))
    assert ds.n_classes == 3


def test_trainer_refuses_labels_the_model_cannot_output():
    x, y = _data()
    y = y.copy()
    y[5] = 2
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\)"):
        Trainer(MLP(2, [4], 2), "sgd", x, y)


# -- network shape and seeds ---------------------------------------------------------------------
def test_one_output_is_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"n_out must be ≥ 2: the output is a softmax"):
        MLP(2, [4], 1)
    with pytest.raises(ValueError, match="n_out"):
        MLP(2, [4], 0)


@pytest.mark.parametrize("seed", [-1, 1.5, "7", None, True, [1, 2]])
def test_a_bad_seed_names_seed(seed):
    x, y = _data()
    with pytest.raises(ValueError, match="seed"):
        MLP(2, [4], 2, seed=seed)
    with pytest.raises(ValueError, match="seed"):
        Trainer(MLP(2, [4], 2), "sgd", x, y, seed=seed)
    with pytest.raises(ValueError, match="seed"):
        datasets.make("xor", 40, 0.1, seed=seed)
    with pytest.raises(ValueError, match="seed"):
        datasets.train_test_split(x, y, seed=seed)


def test_integral_seeds_are_accepted():
    MLP(2, [4], 2, seed=np.int64(3))
    datasets.make("xor", 40, 0.1, seed=2.0)


# -- a NaN gradient mid-training ----------------------------------------------------------------
def test_nan_gradient_stops_training_keeping_the_last_finite_weights(monkeypatch):
    x, y = _data()
    model = MLP(2, [8], 2, seed=1)
    trainer = Trainer(model, optimizers.get("sgd", lr=0.1), x, y, batch_size=8, epochs=None)
    real = model.loss_and_gradient
    calls = []

    def poisoned(xb, yb):  # from the third step on, one gradient entry is NaN
        loss, grads = real(xb, yb)
        calls.append(1)
        if len(calls) >= 3:
            grads[0][0, 0] = np.nan
        return loss, grads

    monkeypatch.setattr(model, "loss_and_gradient", poisoned)
    assert trainer.step() is not None and trainer.step() is not None
    kept = [p.copy() for p in model.params]
    assert trainer.step() is None
    assert trainer.status == "diverged" and trainer.diverged_at == 3
    assert "gradient is not finite" in trainer.message
    for p, k in zip(model.params, kept):
        np.testing.assert_array_equal(p, k)
    assert all(np.isfinite(p).all() for p in model.params)
    assert trainer.step() is None and len(calls) == 3  # stays stopped
