"""Draw your data: clicks in the Training panel's boundary view add and erase points, live."""

import gc
import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from app.models import drawn_data
from app.models.training import State
from app.panels.training import TrainingPanel
from engine import csv_data
from engine.training_setup import drawn_data as make_drawn


@pytest.fixture
def panel(qtbot):
    p = TrainingPanel(find_cached=False)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    yield p
    assert p.shutdown()
    p._steppers.clear()  # see test_training_panel: no stepper wrapper may outlive the test
    p.stepper = None
    gc.collect()


def _drawn(qtbot, p):
    old = p.model.run
    index = next(i for i in range(p.chooser.combo.count()) if p.chooser.combo.itemData(i)[0] == "drawn")
    p.chooser.combo.setCurrentIndex(index)
    qtbot.waitUntil(lambda: p.model.run is not old and not p.is_busy(), timeout=10000)
    return p.model.run


def _pixel(p, x, y) -> QPoint:
    """The boundary view's viewport pixel of data point (x, y)."""
    view = p.boundary.getPlotItem().getViewBox()
    return p.boundary.mapFromScene(view.mapViewToScene(QPointF(x, y)))


def test_model_add_erase_and_csv_round_trip(tmp_path):
    points = drawn_data.default_points()
    assert len(points) == 16 and drawn_data.problem(points) is None
    more = drawn_data.add(points, 0.9, 0.9, 2)
    assert more[-1] == (0.9, 0.9, 2) and len(more) == 17
    assert drawn_data.add(points, 5.0, 0.0, 0) == points  # outside the view: ignored
    fewer = drawn_data.erase(more, 0.92, 0.88)
    assert fewer == points
    assert drawn_data.problem(()) is not None and drawn_data.problem(((0, 0, 0), (1, 1, 0))) is not None
    path = tmp_path / "drawn.csv"
    both = drawn_data.add(more, 0.8, 0.9, 2)  # load_csv wants 2 samples per class
    drawn_data.to_csv(path, both)
    table = csv_data.load_csv(path)
    np.testing.assert_array_equal(table.x, np.asarray(both)[:, :2])
    assert [int(table.class_names[k]) for k in table.y] == [c for _x, _y, c in both]
    state = State().replace(data=State().data.replace(source="drawn", name="drawn", noise=0.0, points=more))
    again = State.from_dict(json.loads(json.dumps(state.to_dict())))  # the session's path
    assert again == state and again.data.points == more


def test_clicks_add_and_erase_points_and_the_boundary_follows(qtbot, panel):
    run = _drawn(qtbot, panel)
    assert panel.draw_bar.isVisible() and len(run.data.y_train) == 16
    panel.draw_bar.classes.setCurrentIndex(1)
    qtbot.mouseClick(panel.boundary.viewport(), Qt.MouseButton.LeftButton, pos=_pixel(panel, -1.0, -1.0))
    points = panel.model.state.data.points
    assert len(points) == 17 and points[-1][2] == 1
    assert points[-1][:2] == pytest.approx((-1.0, -1.0), abs=0.03)
    assert panel.model.run is run and len(run.trainer.x_train) == 17  # live: same run, same weights
    qtbot.mouseClick(panel.boundary.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                     pos=_pixel(panel, 1.0, 1.0))
    assert panel.model.state.data.points[-1][2] == 0  # shift: the other class
    qtbot.mouseClick(panel.boundary.viewport(), Qt.MouseButton.RightButton, pos=_pixel(panel, 1.0, 1.0))
    assert len(panel.model.state.data.points) == 17 and len(run.trainer.y_train) == 17
    # the boundary follows: trained on the edited set, the new class-1 corner is predicted class 1
    for _ in range(12):
        panel.edit_points((*panel.model.state.data.points, (-1.1, -1.1, 1), (-0.9, -1.2, 1)))
    panel.play_pause()
    qtbot.waitUntil(lambda: run.trainer.step_count >= 300, timeout=20000)
    panel.play_pause()
    grid = run.trainer.decision_grid((-1.5, 1.5, -1.5, 1.5), 31)
    j = np.argmin(np.abs(grid["xs"] + 1.0))
    i = np.argmin(np.abs(grid["ys"] + 1.0))
    assert grid["classes"][i, j] == 1
    qtbot.mouseClick(panel.draw_bar.clear_button, Qt.MouseButton.LeftButton)
    assert panel.model.state.data.points == () and not panel.is_playing()


def test_a_new_class_rebuilds_and_export(qtbot, panel, tmp_path):
    run = _drawn(qtbot, panel)
    panel.draw_bar.classes.setCurrentIndex(3)
    qtbot.mouseClick(panel.boundary.viewport(), Qt.MouseButton.LeftButton, pos=_pixel(panel, 0.0, 1.2))
    qtbot.waitUntil(lambda: panel.model.run is not run and not panel.is_busy(), timeout=10000)
    assert panel.model.run.data.n_classes == 4  # 0…3: the network got more outputs
    assert make_drawn(panel.model.state.data.points).n_classes == 4
    run = panel.model.run
    qtbot.mouseClick(panel.boundary.viewport(), Qt.MouseButton.LeftButton, pos=_pixel(panel, 0.3, 1.2))
    assert panel.model.run is run and len(run.trainer.y_train) == 18  # class 3 exists now: live
    path = tmp_path / "mine.csv"
    panel.export_drawn(path)
    table = csv_data.load_csv(path)
    assert len(table.y) == 18 and table.class_names == ("0", "1", "3")


def test_trainer_replace_data_keeps_the_weights():
    from engine.training_setup import RunSettings, make_trainer

    data = make_drawn(drawn_data.default_points())
    trainer = make_trainer(data, RunSettings(hidden=(8,), epochs=None))
    for _ in range(5):
        trainer.step()
    weights = trainer.model.get_flat_params().copy()
    more = make_drawn((*drawn_data.default_points(), (1.0, 1.0, 1), (1.1, 1.0, 1)))
    trainer.replace_data(more.x_train, more.y_train, more.x_test, more.y_test)
    assert len(trainer.x_train) == 18 and trainer.step_count == 5
    np.testing.assert_array_equal(trainer.model.get_flat_params(), weights)  # same network goes on
    assert trainer.step() is not None and trainer.step_count == 6
    with pytest.raises(ValueError, match="labels must be in"):
        trainer.replace_data(more.x_train, more.y_train + 5)
    with pytest.raises(ValueError, match="takes 2 features"):
        trainer.replace_data(np.zeros((4, 3)), np.array([0, 1, 0, 1]))


def test_the_network_beside_it_trains_on_the_edited_points_too(qtbot, panel):
    run = _drawn(qtbot, panel)
    old = run
    panel.compare.setCurrentIndex(panel.compare.findData("tanh"))
    qtbot.waitUntil(lambda: panel.model.run is not old and not panel.is_busy(), timeout=10000)
    run = panel.model.run
    assert run.partner is not None and run.partner.trainer is not run.trainer
    qtbot.mouseClick(panel.boundary.viewport(), Qt.MouseButton.LeftButton, pos=_pixel(panel, 1.0, -1.0))
    assert len(run.trainer.y_train) == len(run.partner.trainer.y_train) == 17
