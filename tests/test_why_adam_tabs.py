"""The Optimizers panel's "Why Adam?" tabs (issue #15): step size per axis and the lr sweep."""

import gc

import numpy as np
import pytest

from app.lecture.scenes.optimizers import SCENES
from app.panels.optimizers import OptimizersPanel
from engine import lr_sweep
from tests.scene_runner import run_scene

WHY = next(s for s in SCENES if s.name == "why-adam")


@pytest.fixture
def panel(qtbot):
    p = OptimizersPanel(grid_size=80)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    yield p
    assert p.shutdown()
    p._steppers.clear()  # as tests/test_scenes_optimizers.py: no stepper wrapper outlives the test
    p.stepper = None
    gc.collect()


def test_step_size_tab_shows_alpha_eff_per_axis(panel, qtbot):
    run_scene(panel, WHY, qtbot)
    tabs = panel.plot_tabs
    tabs.setCurrentWidget(tabs.step_sizes)
    curves = tabs.step_sizes.curves
    assert set(curves) == {("sgd", 0), ("sgd", 1), ("adam", 0), ("adam", 1)}  # the racing lanes only
    assert np.all(curves[("sgd", 0)] == 0.95) and np.all(curves[("sgd", 1)] == 0.95)
    assert curves[("adam", 0)][-1] == pytest.approx(0.80, abs=0.01)
    assert curves[("adam", 1)][-1] == pytest.approx(0.21, abs=0.01)
    assert "0.8" in tabs.step_sizes.caption.text()


def test_lr_sweep_tab_matches_direct_runs(panel, qtbot):
    run_scene(panel, WHY, qtbot)
    tabs = panel.plot_tabs
    tabs.setCurrentWidget(tabs.sweep)
    sweeps = tabs.sweep.sweeps
    assert set(sweeps) == {"sgd", "momentum", "nag", "adagrad", "rmsprop", "adam"}
    lrs = sweeps["sgd"].lrs
    for key, lr in (("sgd", 0.95), ("adam", 0.3)):
        k = int(np.argmin(np.abs(lrs - lr)))
        assert sweeps[key].final_loss[k] == pytest.approx(
            lr_sweep.final_loss("book_quadratic", key, 30, lr=float(lrs[k])), rel=1e-12)
    width = {k: lr_sweep.range_width(tabs.sweep.ranges[k]) for k in ("sgd", "adam")}
    assert width["adam"] > 5 * width["sgd"] > 0
    tabs.sweep.steps.setValue(70)  # more steps: recomputed
    assert tabs.sweep.sweeps["sgd"].steps == 70
