"""The Training panel's lr schedule: the form row reaches the trainer, the state round-trips."""

import gc
import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.models.training import State
from app.panels.training import TrainingPanel


@pytest.fixture
def panel(qtbot):
    p = TrainingPanel(find_cached=False)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    yield p
    assert p.shutdown()
    p._steppers.clear()  # as tests/test_training_panel.py: no stepper wrapper outlives the test
    p.stepper = None
    gc.collect()


def rebuilt(qtbot, p, change):
    old = p.model.run
    change()
    qtbot.waitUntil(lambda: p.model.run is not old and not p.is_busy(), timeout=10000)
    return p.model.run


def click_step(qtbot, p, n=1):
    for _ in range(n):
        before = p.model.run.trainer.step_count
        qtbot.mouseClick(p.step_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: p.step_count == before + 1, timeout=5000)


def test_the_schedule_row_reaches_the_trainer(qtbot, panel):
    row = panel.form.schedule
    rebuilt(qtbot, panel, lambda: row.combo.setCurrentIndex(row.combo.findData("exponential")))

    def params():
        row.edit.setText("gamma=0.25")
        row.edit.editingFinished.emit()

    run = rebuilt(qtbot, panel, params)
    assert panel.state().network.schedule.name == "exponential"
    assert panel.state().network.schedule.gamma == 0.25
    lr = dict(panel.state().network.hyper)["lr"]
    click_step(qtbot, panel, 3)
    assert run.trainer.optimizer.current_lr == pytest.approx(lr * 0.0625, rel=1e-15)
    # per epoch: the first epoch's updates all use lr
    run = rebuilt(qtbot, panel, lambda: row.per.setCurrentIndex(row.per.findData("epoch")))
    click_step(qtbot, panel, 3)
    assert run.trainer.steps_per_epoch > 3 and run.trainer.optimizer.current_lr == lr


@pytest.mark.expect_error
def test_a_bad_schedule_parameter_changes_nothing(qtbot, panel):
    row = panel.form.schedule
    rebuilt(qtbot, panel, lambda: row.combo.setCurrentIndex(row.combo.findData("step")))
    before, run = panel.state(), panel.model.run
    row.edit.setText("step_size=0")
    row.edit.editingFinished.emit()
    assert panel.state() == before and panel.model.run is run


def test_training_state_round_trips_the_schedule():
    state = State().merged({"network": {"schedule": {"name": "warm_restarts", "t_0": 7, "t_mult": 2},
                                        "schedule_per": "epoch"}})
    back = State.from_dict(json.loads(json.dumps(state.to_dict())))
    assert back == state
    s = back.network.settings()
    assert s.schedule["name"] == "warm_restarts" and s.schedule["t_0"] == 7 and s.schedule_per == "epoch"
    assert State.from_dict(State().to_dict()).network.settings().schedule is None


def test_the_lr_curve_shows_the_schedule_beside_the_loss(qtbot, panel):
    row = panel.form.schedule
    rebuilt(qtbot, panel, lambda: row.combo.setCurrentIndex(row.combo.findData("cosine")))
    click_step(qtbot, panel, 2)
    lr = dict(panel.state().network.hyper)["lr"]
    x, y = panel.lr_curve.curve.getData()
    trainer = panel.model.run.trainer
    np.testing.assert_allclose(y, trainer.optimizer.schedule.lr_at(x.astype(int)), rtol=1e-15)
    assert y[0] == lr and y.min() < lr / 2 and panel.lr_curve.marker.value() == 2
