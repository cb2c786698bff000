"""engine.experiments: grid expansion, determinism, summaries and the presets' settings."""

import math

import numpy as np
import pytest

from engine import experiments as ex
from engine.training_setup import DataSpec, RunSettings

XOR = DataSpec("toy", "xor", 0.1, 80, 0.25)
TINY = RunSettings(hidden=(6,), epochs=3, batch_size=16, optimizer="adam", hyper={"lr": 0.05})


def test_expand_grid_counts_and_order():
    specs = ex.expand_grid({"activation": ["relu", "tanh", "elu"], "batchnorm": "off, on"}, (0, 1, 2), XOR, TINY)
    assert len(specs) == 3 * 2 * 3
    assert [s.config_id for s in specs[:4]] == [0, 0, 0, 1]  # configuration-major, seeds inside
    assert specs[3].config == (("activation", "relu"), ("batchnorm", True))
    assert len(ex.expand_grid({}, (0, 1), XOR, TINY)) == 2  # no factor: the base settings
    assert len(ex.expand_grid({"dropout": [0, 0.2]}, (0,), XOR, TINY, select=[1])) == 1
    assert len(ex.expand_grid({"init_std": "logspace(0, -4, 16)", "batchnorm": [0, 1]})) == 32


@pytest.mark.parametrize("factors, match", [
    ({"colour": [1]}, "unknown factor"),
    ({"dropout": [1.0]}, "dropout"),
    ({"activation": ["softmax"]}, "choose one of"),
    ({"optimizer": ["sgd:-1"]}, "lr"),
    ({"batchnorm": ["maybe"]}, "on or off"),
    ({"lr": []}, "at least one"),
])
def test_bad_factors_raise_with_the_allowed_values(factors, match):
    with pytest.raises(ValueError, match=match):
        ex.expand_grid(factors, (0,), XOR, TINY)


def test_spec_settings_apply_every_factor():
    spec = ex.expand_grid({"optimizer": ["momentum:0.3"], "lr": [0.2], "init_std": [0.5], "dropout": [0.1],
                           "weight_decay": [0.01], "batchnorm": [True], "activation": ["tanh"]}, (7,), XOR, TINY)[0]
    s, init_kwargs = spec.settings()
    assert (s.optimizer, s.hyper, s.init, init_kwargs) == ("momentum", {"lr": 0.2}, "normal", {"std": 0.5})
    assert (s.dropout, s.weight_decay, s.batchnorm, s.activation, s.seed) == (0.1, 0.01, True, "tanh", 7)
    adam = ex.expand_grid({"optimizer": ["adam:0.001"]}, (0,), XOR, TINY)[0].settings()[0]
    assert adam.hyper == {"lr": 0.001}


def test_run_one_is_deterministic_and_well_formed():
    spec = ex.expand_grid({"dropout": [0.2]}, (3,), XOR, TINY)[0]
    a, b = ex.run_one(spec), ex.run_one(spec)
    assert a.curves == b.curves and a.best_epoch == b.best_epoch
    assert all(len(v) == TINY.epochs + 1 for v in a.curves.values())  # epoch 0 … 3
    assert a.status == "finished" and not a.diverged
    assert a.best_epoch == int(np.argmax(a.curves["test_accuracy"]))
    other = ex.run_one(ex.expand_grid({"dropout": [0.2]}, (4,), XOR, TINY)[0])
    assert other.curves != a.curves  # the seed matters


def test_run_one_reports_progress_stops_and_divergence():
    spec = ex.expand_grid({}, (0,), XOR, TINY)[0]
    seen = []
    ex.run_one(spec, progress=lambda e, n: seen.append((e, n)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    stopped = ex.run_one(spec, should_stop=lambda: True)
    assert stopped.status == "cancelled" and len(stopped.curves["test_loss"]) == 1
    wild = ex.expand_grid({"optimizer": ["sgd:1000000"]}, (0,), XOR, TINY)[0]
    r = ex.run_one(wild)
    assert r.diverged and "diverged" in r.message


def test_summarize_means_and_sds_across_seeds():
    specs = ex.expand_grid({"activation": ["relu", "tanh"]}, (0, 1), XOR, TINY)
    results = [ex.run_one(s) for s in specs]
    summaries = ex.summarize(results[::-1])  # order of arrival does not matter
    assert [s.config_id for s in summaries] == [0, 1]
    first = summaries[0]
    finals = [r.final("test_accuracy") for r in results[:2]]
    assert first.final["test_accuracy"] == pytest.approx((np.mean(finals), np.std(finals, ddof=1)))
    assert first.seeds == (0, 1)
    np.testing.assert_allclose(first.mean["train_loss"], np.mean([r.curves["train_loss"] for r in results[:2]], axis=0))
    gaps = [r.final("train_accuracy") - r.final("test_accuracy") for r in results[:2]]
    assert first.final["accuracy_gap"] == pytest.approx((np.mean(gaps), np.std(gaps, ddof=1)))
    one = ex.summarize(results[:1])[0]
    assert one.final["test_loss"][1] == 0.0  # one seed: no spread


def test_ragged_curves_are_padded_not_dropped():
    a = ex.RunResult((("lr", 1.0),), 0, 0, {k: [1.0, 2.0, 3.0] for k in ex.CURVES})
    b = ex.RunResult((("lr", 1.0),), 0, 1, {k: [3.0] for k in ex.CURVES}, status="diverged")
    s = ex.summarize([a, b])[0]
    np.testing.assert_allclose(s.mean["test_loss"], [2.0, 2.0, 3.0])
    assert s.diverged == 1 and math.isclose(s.final["test_loss"][0], 3.0)


def test_presets_follow_the_book():
    p = ex.PRESETS["Book 6.3: batch norm vs none × 16 init scales"]
    np.testing.assert_allclose(p.factors["init_std"], np.logspace(0, -4, 16))
    assert len(p.specs()) == 32 and p.base.hidden == (100,) * 5 and p.base.epochs == 20
    over = ex.PRESETS["Book 6.4: weight decay and dropout vs overfitting"]
    n_train = over.data.size - round(over.data.size * over.data.test_ratio)
    assert n_train == 300 and over.base.hidden == (100,) * 6 and over.base.batch_size == 100
    assert ex.PRESETS["Book 6.1: optimizers on digits"].factors["optimizer"] == [
        "sgd:0.01", "momentum:0.01", "adagrad:0.01", "adam:0.001"]
    for preset in ex.PRESETS.values():
        assert preset.specs() and preset.note


def test_parse_levels():
    assert ex.parse_levels("batchnorm", "off, on") == [False, True]
    assert ex.parse_levels("init", "He, glorot") == ["he", "xavier"]
    assert ex.parse_levels("lr", "0.1 0.01, 0.1") == [0.1, 0.01]
    assert ex.parse_levels("optimizer", "Adam:1e-3") == ["adam:0.001"]
