"""engine.lr_sweep: the vectorized sweep equals one scalar run per rate; α_eff per axis."""

import numpy as np
import pytest

from engine import lr_sweep
from engine.trajectory import RunnerConfig, TrajectoryRunner
from engine import surfaces


def _direct(optimizer, lr, steps, surface="book_quadratic"):
    """The loss after ``steps`` of an ordinary TrajectoryRunner run (inf if it diverged)."""
    runner = TrajectoryRunner(surfaces.get(surface), RunnerConfig(optimizer, {"lr": lr}), lr_sweep.BOOK_START)
    runner.run(steps)
    if runner.status == "diverged":
        return np.inf
    p = runner.exit_position if runner.status == "left_view" else runner.positions[-1]
    return float(surfaces.get(surface).value(p[0], p[1])) if runner.status != "left_view" else None


@pytest.mark.parametrize("name", ["sgd", "momentum", "nag", "adagrad", "rmsprop", "adam"])
def test_sweep_rows_equal_direct_runs(name):
    lrs = np.array([0.01, 0.1, 0.3, 0.95])
    s = lr_sweep.sweep("book_quadratic", name, lrs, 30)
    for lr, got in zip(lrs, s.final_loss):
        want = _direct(name, float(lr), 30)
        if want is None:  # left the map: the sweep keeps going, so no direct number to compare
            continue
        assert got == pytest.approx(want, rel=1e-12, abs=1e-300), (name, lr)


def test_book_numbers_and_divergence():
    assert lr_sweep.final_loss("book_quadratic", "sgd", 30, lr=0.95) == pytest.approx(0.0133, rel=1e-2)
    assert lr_sweep.final_loss("book_quadratic", "adam", 30, lr=0.3) == pytest.approx(0.102, rel=1e-2)
    s = lr_sweep.sweep("book_quadratic", "sgd", [0.5, 1.05, 3.0], 400)
    assert np.isfinite(s.final_loss[0]) and np.isinf(s.final_loss[1:]).all()


def test_working_range():
    lrs = np.array([0.1, 0.2, 0.4, 0.8])
    assert lr_sweep.working_range(lrs, np.array([1.0, 0.01, 0.02, 5.0]), 0.05) == (0.2, 0.4)
    assert lr_sweep.working_range(lrs, np.ones(4), 0.05) is None
    assert lr_sweep.range_width((0.2, 0.4)) == 2 and lr_sweep.range_width(None) == 0


def test_effective_lr_per_axis():
    sgd = lr_sweep.effective_lr_history("book_quadratic", "sgd", 30, lr=0.95)
    assert sgd.shape == (30, 2) and np.all(sgd == 0.95)
    adam = lr_sweep.effective_lr_history("book_quadratic", "adam", 30, lr=0.3)
    # first step: lr/|g| per axis, g = (−0.7, 4) at (−7, 2)
    assert adam[0] == pytest.approx([0.3 / 0.7, 0.3 / 4.0], rel=1e-6)
    assert adam[-1] == pytest.approx([0.80, 0.21], abs=0.01)


def test_bad_rates_are_refused():
    with pytest.raises(ValueError):
        lr_sweep.sweep("book_quadratic", "sgd", [0.1, -1.0], 5)
    with pytest.raises(ValueError):
        lr_sweep.default_lrs(1)
