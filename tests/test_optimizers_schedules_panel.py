"""The Optimizers panel's lr schedules, driven through the real widgets (pytest-qt, offscreen)."""

import gc
import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.models.optimizers import KEYS, State
from app.panels.optimizers import OptimizersPanel
from engine import trajectory


@pytest.fixture
def panel(qtbot):
    p = OptimizersPanel(grid_size=80)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    yield p
    assert p.shutdown()
    p._steppers.clear()  # as tests/test_optimizers_panel.py: no stepper wrapper outlives the test
    p.stepper = None
    gc.collect()


def click_step(qtbot, p, n=1):
    for _ in range(n):
        before = p.step_count
        qtbot.mouseClick(p.step_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: p.step_count == before + 1, timeout=5000)


def test_a_schedule_changes_the_path_and_the_lr_curve(qtbot, panel):
    box = panel.schedule_box
    sgd = KEYS.index("sgd")
    panel.table.selectRow(sgd)
    qtbot.waitUntil(lambda: panel.state().selected == "sgd")
    click_step(qtbot, panel, 3)
    constant_path = panel.model.track("sgd").path.copy()
    curve = box.curves[sgd]
    assert np.all(curve.yData == 0.95)

    box.combo.setCurrentIndex(box.combo.findData("step"))  # the user picks step decay
    qtbot.waitUntil(lambda: panel.state().lane("sgd").schedule.name == "step")
    box.edit.setText("step_size=2 gamma=0.5")
    box.edit.editingFinished.emit()
    qtbot.waitUntil(lambda: panel.state().lane("sgd").schedule.step_size == 2)
    assert panel.state().lane("sgd").schedule.gamma == 0.5
    qtbot.waitUntil(lambda: panel.step_count == 3, timeout=5000)  # a paused race is replayed
    np.testing.assert_allclose(curve.yData[:6], [0.95, 0.95, 0.475, 0.475, 0.2375, 0.2375])
    path = panel.model.track("sgd").path
    assert not np.allclose(path, constant_path)
    # the engine, run directly, takes the same path
    m = panel.model
    cfg = [c for c in m.configs() if c.label == "SGD"][0]
    runner = trajectory.TrajectoryRunner(m.surface, cfg, m.start)
    runner.run(3)
    np.testing.assert_array_equal(runner.positions, path)
    assert box.now_label.text().endswith("0.475")  # update 3 used step_size 2's second rate


@pytest.mark.expect_error
def test_bad_schedule_parameters_show_an_error_and_change_nothing(qtbot, panel):
    box = panel.schedule_box
    box.combo.setCurrentIndex(box.combo.findData("cosine"))
    qtbot.waitUntil(lambda: panel.state().lane(panel.state().selected).schedule.name == "cosine")
    before = panel.state()
    for text in ("t_max=0", "banana=3", "t_max=x"):
        box.edit.setText(text)
        box.edit.editingFinished.emit()
        assert panel.last_error and panel.state() == before


def test_schedule_round_trips_through_json():
    state = State().merged({"lanes": {"adam": {"schedule": {"name": "multistep", "milestones": [5, 9],
                                                            "gamma": 0.25}}}})
    back = State.from_dict(json.loads(json.dumps(state.to_dict())))
    assert back == state and back.lane("adam").schedule.milestones == (5, 9)
    assert back.schedule("adam").lr_at(np.arange(11)).tolist()[-3:] == [0.3 * 0.25, 0.3 * 0.0625, 0.3 * 0.0625]
