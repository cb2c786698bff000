"""The Backprop panel, driven through its real widgets (pytest-qt, offscreen)."""

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from app.panels.backprop import BackpropPanel
from engine import backprop_trace as bt
from engine.layers import ActivationLayer, Dense


@pytest.fixture
def panel(qtbot):
    p = BackpropPanel()
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    yield p
    assert p.shutdown()


def engine_gradients(setup):
    """∂L/∂W and ∂L/∂b of ½·Σ(y − t)² by engine.layers on the panel's weights."""
    W, b = setup.arrays()
    layers = []
    for l, (w, v) in enumerate(zip(W, b)):
        layers += [Dense(w, v), ActivationLayer(setup.output_activation if l == len(W) - 1 else setup.activation)]
    out = np.array([setup.x])
    for layer in layers:
        out = layer.forward(out)
    dout = out - np.array([setup.target])
    for layer in reversed(layers):
        dout = layer.backward(dout)
    grads = {}
    for l, dense in enumerate(layers[::2]):
        for (i, j), g in np.ndenumerate(dense.grads["W"]):
            grads[("W", l, i, j)] = g
        for j, g in enumerate(dense.grads["b"]):
            grads[("b", l, j)] = g
    return grads


def recomputed(qtbot, p, check):
    qtbot.waitUntil(lambda: p.trace is not None and p.trace.setup == p.setup and check(), timeout=5000)


def test_table_and_graph_show_the_engines_gradients(qtbot, panel):
    grads = engine_gradients(panel.setup)
    rows = panel.trace.rows
    assert [r.key for r in rows] == panel.table.keys and len(rows) == 9
    for r in rows:
        assert r.grad == pytest.approx(grads[r.key], rel=1e-12, abs=1e-15)
        assert abs(r.grad - r.numerical) / max(abs(r.grad), 1e-12) < 1e-7
        row = panel.table.keys.index(r.key)
        assert panel.table.item(row, 2).text() == bt.fmt(grads[r.key])
    panel.go_to(panel.n_steps - 1)  # the end: every ∂L/∂w is on its edge
    for (kind, *rest), g in grads.items():
        if kind == "W":
            assert f"∂ {bt.fmt(g)}" in panel.graph.text_of(("label", *rest))


def test_forward_and_back_buttons_move_one_step(qtbot, panel):
    assert panel.index == 0 and not panel.back_button.isEnabled()
    qtbot.mouseClick(panel.forward_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.forward_button, Qt.MouseButton.LeftButton)
    assert panel.index == 2
    assert "Step 3 of 27" in panel.explanation.header.text()
    assert panel.explanation.formula.text().count("z(h₁)") == 1
    assert panel.graph.is_highlighted(("node", 1, 0)) and panel.graph.is_highlighted(("edge", 0, 1, 0))
    assert not panel.graph.is_highlighted(("node", 1, 1))
    assert panel.steps_list.currentRow() == 2
    qtbot.mouseClick(panel.back_button, Qt.MouseButton.LeftButton)
    assert panel.index == 1
    panel.go_to(panel.n_steps - 1)
    assert not panel.forward_button.isEnabled()
    panel.forward()
    assert panel.index == panel.n_steps - 1


def test_step_and_reset_through_the_panel(qtbot, panel):
    for n in range(1, 4):
        panel.step()
        assert panel.index == n and panel.step_count == n
    panel.go_to_phase("backward")
    assert panel.trace.steps[panel.index].phase == "backward"
    assert panel.graph.text_of(("text", "loss")).startswith("L = ")
    panel.reset()
    assert panel.index == 0 and panel.graph.text_of(("text", "loss")).startswith("L = ?")


def test_play_advances_and_stops_at_the_end(qtbot, panel):
    panel._play_timer.setInterval(5)
    panel.go_to(panel.n_steps - 3)
    panel.play_pause()
    assert panel.is_playing()
    qtbot.waitUntil(lambda: not panel.is_playing(), timeout=3000)
    assert panel.index == panel.n_steps - 1


def test_editing_a_weight_recomputes_and_keeps_the_step(qtbot, panel):
    panel.go_to(12)
    before = {r.key: r.grad for r in panel.trace.rows}
    panel.table.edit_value(("W", 1, 0, 0), "−1.5")
    recomputed(qtbot, panel, lambda: panel.setup.weights[1][0][0] == -1.5)
    assert panel.index == 12
    grads = engine_gradients(panel.setup)
    for r in panel.trace.rows:
        assert r.grad == pytest.approx(grads[r.key], rel=1e-12, abs=1e-15)
    assert before[("W", 0, 0, 0)] != pytest.approx(grads[("W", 0, 0, 0)])
    assert panel.graph.text_of(("label", 1, 0, 0)).startswith("w −1.5")
    assert not panel.banner.isVisible()


@pytest.mark.expect_error  # the banner shows an error on purpose
def test_bad_input_shows_an_error_and_keeps_the_previous_value(qtbot, panel):
    setup = panel.setup
    panel.table.edit_value(("W", 0, 1, 0), "abc")
    assert "must be a number" in panel.last_error and panel.banner.isVisible()
    assert panel.table.value_text(("W", 0, 1, 0)) == "0.8" and panel.setup == setup
    panel.x_edit.setText("1, oops")
    panel.x_edit.editingFinished.emit()
    assert "the input must be a number" in panel.last_error and panel.setup.x == setup.x
    assert panel.x_edit.text() == "1, oops"  # the typing is not thrown away
    panel.lr_edit.setText("-1")
    panel.lr_edit.editingFinished.emit()
    assert "learning rate" in panel.last_error and panel.setup.lr == setup.lr
    panel.loss_combo.setCurrentIndex(panel.loss_combo.findData("cross_entropy"))  # needs ≥ 2 outputs
    assert "at least 2 outputs" in panel.last_error and panel.setup.loss == setup.loss
    assert panel.loss_combo.currentData() == setup.loss
    panel.lr_edit.setText("0.1")
    panel.lr_edit.editingFinished.emit()
    recomputed(qtbot, panel, lambda: panel.trace.setup.lr == 0.1)
    assert not panel.banner.isVisible() and panel.lr_edit.styleSheet() == ""


def test_resizing_to_a_softmax_network(qtbot, panel):
    panel.sizes_edit.setText("2-3-2")
    panel.sizes_edit.editingFinished.emit()
    recomputed(qtbot, panel, lambda: panel.setup.sizes == (2, 3, 2))
    panel.loss_combo.setCurrentIndex(panel.loss_combo.findData("cross_entropy"))
    recomputed(qtbot, panel, lambda: panel.setup.loss == "cross_entropy")
    assert len(panel.table.keys) == 6 + 3 + 6 + 2
    assert ("node", 1, 2) in panel.graph.items_by_key
    assert panel.steps_list.count() == panel.n_steps
    assert max(r.rel_error for r in panel.trace.rows) < 1e-7


def test_apply_update_lowers_the_loss(qtbot, panel):
    loss = panel.trace.loss
    new_w = panel.trace.new_W[1][0, 0]
    panel.go_to(5)
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    recomputed(qtbot, panel, lambda: panel.setup.weights[1][0][0] == new_w)
    assert panel.trace.loss < loss and panel.index == 0


def test_settings_round_trip(qtbot, panel, tmp_path):
    panel.table.edit_value(("b", 0, 1), "0.25")
    recomputed(qtbot, panel, lambda: panel.setup.biases[0][1] == 0.25)
    panel.go_to(7)
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    panel.save_settings(store)
    other = BackpropPanel()
    qtbot.addWidget(other)
    other.restore_settings(store)
    qtbot.waitUntil(lambda: other.trace is not None and other.trace.setup == panel.setup, timeout=5000)
    assert other.index == 7
    assert other.shutdown()


def test_the_window_reaches_it_and_its_actions_drive_it(qtbot):
    from app.main_window import MainWindow

    w = MainWindow(panel="backprop", persist=False)
    qtbot.addWidget(w)
    w.show()
    p = w.current_panel()
    assert p.objectName() == "backpropPanel" and p.wait_ready(steps=2)
    assert p.index == 2
    w.actionStep.trigger()
    assert p.index == 3
    w.actionPlayPause.trigger()
    assert p.is_playing() and w.actionPlayPause.text() == "&Pause"
    w.actionReset.trigger()
    assert p.index == 0 and not p.is_playing()
    w.close()
