"""Monitor statistics: TensorBoard's percentile bands, dead and saturated units, histograms."""

import math

import numpy as np
import pytest

from engine import stats


def test_band_levels_are_the_normal_cdf_at_half_sigma_steps():
    phi = [100 * 0.5 * (1 + math.erf(k / math.sqrt(2))) for k in (-1.5, -1, -0.5, 0, 0.5, 1, 1.5)]
    np.testing.assert_allclose(stats.BAND_LEVELS[1:-1], phi, atol=0.005)
    assert stats.BAND_LEVELS[0] == 0 and stats.BAND_LEVELS[-1] == 100


def test_summary_of_a_normal_sample():
    a = np.random.default_rng(0).standard_normal((400, 250))
    s = stats.summary(a)
    assert s["n"] == a.size
    assert s["mean"] == pytest.approx(a.mean()) and s["std"] == pytest.approx(a.std())
    assert s["min"] == a.min() and s["max"] == a.max()
    assert s["percentiles"][0] == a.min() and s["percentiles"][-1] == a.max()
    np.testing.assert_allclose(s["percentiles"][1:-1], [-1.5, -1, -0.5, 0, 0.5, 1, 1.5], atol=0.02)
    assert s["share_zero"] == 0 and s["share_saturated"] is None and s["share_nonfinite"] == 0


def test_share_zero_counts_relu_dead_outputs():
    z = np.array([[-1.0, 2.0, 0.0, 3.0], [-2.0, -1.0, 5.0, 0.0]])
    assert stats.summary(np.maximum(z, 0), kind="relu")["share_zero"] == pytest.approx(5 / 8)
    assert stats.summary(np.maximum(z, 0), kind="relu")["share_saturated"] is None


def test_share_saturated_for_sigmoid_and_tanh():
    sig = np.array([0.005, 0.01, 0.5, 0.99, 0.995, 0.999])
    assert stats.summary(sig, kind="sigmoid")["share_saturated"] == pytest.approx(3 / 6)
    th = np.array([-0.999, -0.99, 0.0, 0.5, 0.991])
    assert stats.summary(th, kind="Tanh")["share_saturated"] == pytest.approx(2 / 5)


def test_unknown_kind_and_empty_input_raise():
    with pytest.raises(ValueError, match="sigmoid"):
        stats.summary([1.0], kind="sigmoidal")
    with pytest.raises(ValueError, match="empty"):
        stats.summary([])


def test_non_finite_entries_are_excluded_and_counted():
    s = stats.summary([1.0, np.nan, 3.0, np.inf])
    assert s["mean"] == 2.0 and s["max"] == 3.0 and s["share_nonfinite"] == 0.5
    s = stats.summary([np.nan, np.nan])
    assert math.isnan(s["mean"]) and math.isnan(s["max"]) and s["share_nonfinite"] == 1.0


def test_histogram_matches_numpy_and_drops_non_finite():
    a = np.random.default_rng(1).normal(size=1000)
    counts, edges = stats.histogram(a, bins=30)
    ref_counts, ref_edges = np.histogram(a, bins=30)
    np.testing.assert_array_equal(counts, ref_counts)
    np.testing.assert_allclose(edges, ref_edges)
    counts2, edges2 = stats.histogram(np.append(a, [np.nan, np.inf, -np.inf]), bins=30)
    np.testing.assert_array_equal(counts2, counts)
    np.testing.assert_allclose(edges2, edges)


def test_histogram_with_range_and_degenerate_inputs():
    counts, edges = stats.histogram([0.1, 0.2, 0.9, 5.0], bins=2, range=(0, 1))
    assert list(counts) == [2, 1] and list(edges) == [0, 0.5, 1]  # 5.0 lies outside
    counts, edges = stats.histogram(np.full(10, 3.0), bins=4)
    assert counts.sum() == 10 and edges[0] < 3 < edges[-1]
    counts, edges = stats.histogram([np.nan], bins=3)
    assert counts.sum() == 0 and len(edges) == 4


@pytest.mark.parametrize(
    "kwargs", [dict(bins=0), dict(bins=2.5), dict(range=(1, 1)), dict(range=(0, np.inf))]
)
def test_histogram_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        stats.histogram([1.0, 2.0], **kwargs)


def test_dead_unit_share():
    z = np.array([[-1.0, 2.0, 0.0, -3.0], [-2.0, -1.0, 0.0, 4.0], [-0.5, -1.0, 0.0, -1.0]])
    assert stats.dead_unit_share(z) == pytest.approx(2 / 4)  # columns 0 and 2
    assert stats.dead_unit_share(np.ones((5, 3))) == 0.0
    with pytest.raises(ValueError):
        stats.dead_unit_share(np.ones(3))
    with pytest.raises(ValueError):
        stats.dead_unit_share(np.ones((0, 3)))
