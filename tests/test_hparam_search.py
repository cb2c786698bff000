"""engine.hparam_search: log-uniform draws in the book's ranges, a disjoint validation split of
the right size, trials as grid specs, deterministic per seed."""

import numpy as np
import pytest

from engine import hparam_search as hs
from engine.training_setup import DataSpec


def test_log_uniform_stays_in_range_and_fills_every_decade():
    rng = np.random.default_rng(1)
    values = hs.log_uniform(rng, (-6, -2), 4000)
    assert values.min() >= 1e-6 and values.max() <= 1e-2
    decades = np.floor(np.log10(values)).astype(int)
    counts = np.bincount(decades + 6, minlength=4)
    assert counts.shape == (4,)
    # uniform in the exponent: each of the 4 decades holds about a quarter (1000 ± 4 sd)
    assert np.all(np.abs(counts - 1000) < 130), counts


def test_log_uniform_rejects_a_reversed_range():
    with pytest.raises(ValueError, match="lo ≤ hi"):
        hs.log_uniform(np.random.default_rng(0), (-2, -6), 3)


def test_sample_trials_uses_the_book_ranges_and_the_seed():
    lr, wd = hs.sample_trials(200, seed=3)
    assert lr.shape == wd.shape == (200,)
    assert np.all((1e-6 <= lr) & (lr <= 1e-2)) and np.all((1e-8 <= wd) & (wd <= 1e-4))
    again = hs.sample_trials(200, seed=3)
    assert np.array_equal(lr, again[0]) and np.array_equal(wd, again[1])
    other = hs.sample_trials(200, seed=4)
    assert not np.array_equal(lr, other[0])
    # lr and wd are independent draws, not the same numbers shifted
    assert abs(np.corrcoef(np.log10(lr), np.log10(wd))[0, 1]) < 0.3


def test_split_is_disjoint_and_sized():
    data = DataSpec("digits", "digits", 0.0, 500, 0.5)  # the data's own test share is ignored
    arrays = hs.split(data, 0.2)
    assert len(arrays.y_test) == 100 and len(arrays.y_train) == 400
    assert hs.shared_rows(arrays.x_test, arrays.x_train) == 0
    # every class is in the validation set (stratified)
    assert set(np.unique(arrays.y_test)) == set(range(10))
    again = hs.split(data, 0.2)
    assert np.array_equal(arrays.x_test, again.x_test)


def test_shared_rows_counts_exact_duplicates():
    a = np.arange(12.0).reshape(4, 3)
    b = np.vstack([a[1], a[3], a[3] + 0.5])
    assert hs.shared_rows(a, b) == 2
    assert hs.shared_rows(a, a) == 4


def test_trials_are_grid_specs_of_the_drawn_values():
    spec = hs.SearchSpec(n_trials=7, seed=5, val_fraction=0.25)
    trials = spec.trials()
    lr, wd = hs.sample_trials(7, seed=5)
    assert [t.config_id for t in trials] == list(range(7))
    assert [dict(t.config)["lr"] for t in trials] == list(lr)
    assert [dict(t.config)["weight_decay"] for t in trials] == list(wd)
    settings, _ = trials[2].settings()
    assert settings.hyper["lr"] == lr[2] and settings.weight_decay == wd[2]
    assert trials[0].data.test_ratio == 0.25 and trials[0].data.size == 500
    assert all(t.seed == spec.base.seed for t in trials)


def test_ranked_orders_best_first_with_nan_last():
    assert list(hs.ranked([0.5, np.nan, 0.9, 0.5, 0.1])) == [2, 0, 3, 4, 1]
