"""The Backprop panel, driven through its real widgets (pytest-qt, offscreen)."""

import dataclasses
import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.models.backprop import State, migrate_legacy
from app.models.base import StateError
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
    qtbot.waitUntil(lambda: p.model.up_to_date() and check(), timeout=5000)


def test_table_and_graph_show_the_engines_gradients(qtbot, panel):
    grads = engine_gradients(panel.model.setup())
    rows = panel.model.trace.rows
    assert [r.key for r in rows] == panel.table.keys and len(rows) == 9
    panel.go_to(panel.model.n_steps - 1)  # the end: every value has been reached
    for r in rows:
        assert r.grad == pytest.approx(grads[r.key], rel=1e-12, abs=1e-15)
        assert abs(r.grad - r.numerical) / max(abs(r.grad), 1e-12) < 1e-7
        row = panel.table.keys.index(r.key)
        assert panel.table.item(row, 2).text() == bt.fmt(grads[r.key])
    for (kind, *rest), g in grads.items():
        if kind == "W":
            assert f"∂ {bt.fmt(g)}" in panel.graph.text_of(("label", *rest))


def test_forward_and_back_buttons_move_one_step(qtbot, panel):
    assert panel.model.index == 0 and not panel.back_button.isEnabled()
    qtbot.mouseClick(panel.forward_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.forward_button, Qt.MouseButton.LeftButton)
    assert panel.model.index == 2
    assert "Step 3 of 27" in panel.explanation.header.text()
    assert panel.explanation.formula.text().count("z(h₁)") == 1
    assert panel.graph.is_highlighted(("node", 1, 0)) and panel.graph.is_highlighted(("edge", 0, 1, 0))
    assert not panel.graph.is_highlighted(("node", 1, 1))
    assert panel.steps_list.currentRow() == 2
    qtbot.mouseClick(panel.back_button, Qt.MouseButton.LeftButton)
    assert panel.model.index == 1
    panel.go_to(panel.model.n_steps - 1)
    assert not panel.forward_button.isEnabled()
    panel.forward()
    assert panel.model.index == panel.model.n_steps - 1


def test_step_and_reset_through_the_panel(qtbot, panel):
    for n in range(1, 4):
        panel.step()
        assert panel.model.index == n and panel.step_count == n
    panel.go_to_phase("backward")
    assert panel.model.trace.steps[panel.model.index].phase == "backward"
    assert panel.graph.text_of(("text", "loss")).startswith("L = ")
    panel.reset()
    assert panel.model.index == 0 and panel.graph.text_of(("text", "loss")).startswith("L = ?")


def test_play_advances_and_stops_at_the_end(qtbot, panel):
    panel.player.set_interval(5)
    panel.go_to(panel.model.n_steps - 3)
    panel.play_pause()
    assert panel.is_playing()
    qtbot.waitUntil(lambda: not panel.is_playing(), timeout=3000)
    assert panel.model.index == panel.model.n_steps - 1


def test_editing_a_weight_recomputes_and_keeps_the_step(qtbot, panel):
    panel.go_to(12)
    before = {r.key: r.grad for r in panel.model.trace.rows}
    panel.table.edit_value(("W", 1, 0, 0), "−1.5")
    recomputed(qtbot, panel, lambda: panel.state().weights[1][0][0] == -1.5)
    assert panel.model.index == 12
    grads = engine_gradients(panel.model.setup())
    for r in panel.model.trace.rows:
        assert r.grad == pytest.approx(grads[r.key], rel=1e-12, abs=1e-15)
    assert before[("W", 0, 0, 0)] != pytest.approx(grads[("W", 0, 0, 0)])
    assert panel.graph.text_of(("label", 1, 0, 0)).startswith("w −1.5")
    assert not panel.banner.isVisible()


@pytest.mark.expect_error  # the banner shows an error on purpose
def test_bad_input_shows_an_error_and_keeps_the_previous_value(qtbot, panel):
    setup = panel.model.setup()
    panel.table.edit_value(("W", 0, 1, 0), "abc")
    assert "must be a number" in panel.last_error and panel.banner.isVisible()
    assert panel.table.value_text(("W", 0, 1, 0)) == "0.8" and panel.model.setup() == setup
    panel.x_edit.setText("1, oops")
    panel.x_edit.editingFinished.emit()
    assert "the input must be a number" in panel.last_error and panel.model.setup().x == setup.x
    assert panel.x_edit.text() == "1, oops"  # the typing is not thrown away
    panel.lr_edit.setText("-1")
    panel.lr_edit.editingFinished.emit()
    assert "learning rate" in panel.last_error and panel.model.setup().lr == setup.lr
    panel.loss_combo.setCurrentIndex(panel.loss_combo.findData("cross_entropy"))  # needs ≥ 2 outputs
    assert "at least 2 outputs" in panel.last_error and panel.model.setup().loss == setup.loss
    assert panel.loss_combo.currentData() == setup.loss
    panel.lr_edit.setText("0.1")
    panel.lr_edit.editingFinished.emit()
    recomputed(qtbot, panel, lambda: panel.model.trace.setup.lr == 0.1)
    assert not panel.banner.isVisible() and panel.lr_edit.styleSheet() == ""


def test_resizing_to_a_softmax_network(qtbot, panel):
    panel.sizes_edit.setText("2-3-2")
    panel.sizes_edit.editingFinished.emit()
    recomputed(qtbot, panel, lambda: panel.model.setup().sizes == (2, 3, 2))
    panel.loss_combo.setCurrentIndex(panel.loss_combo.findData("cross_entropy"))
    recomputed(qtbot, panel, lambda: panel.model.setup().loss == "cross_entropy")
    assert len(panel.table.keys) == 6 + 3 + 6 + 2
    assert ("node", 1, 2) in panel.graph.items_by_key
    assert panel.steps_list.count() == panel.model.n_steps
    assert max(r.rel_error for r in panel.model.trace.rows) < 1e-7


def test_apply_update_lowers_the_loss(qtbot, panel):
    loss = panel.model.trace.loss
    new_w = panel.model.trace.new_W[1][0, 0]
    panel.go_to(5)
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    recomputed(qtbot, panel, lambda: panel.model.setup().weights[1][0][0] == new_w)
    assert panel.model.trace.loss < loss and panel.model.index == 0


def test_state_round_trip_through_json(qtbot, panel):
    panel.table.edit_value(("b", 0, 1), "0.25")
    recomputed(qtbot, panel, lambda: panel.state().biases[0][1] == 0.25)
    panel.lr_edit.setText("0.1")
    panel.lr_edit.editingFinished.emit()
    panel.go_to(7)
    state = panel.state()
    assert state.step == 7 and state.lr == 0.1
    other = BackpropPanel()
    qtbot.addWidget(other)
    other.apply_state(State.from_dict(json.loads(json.dumps(state.to_dict()))))
    assert other.state() == state
    qtbot.waitUntil(lambda: other.model.up_to_date(), timeout=5000)
    assert other.state() == state and other.model.trace.setup == panel.model.setup()
    assert other.steps_list.currentRow() == 7 and other.lr_edit.text() == "0.1"
    assert other.shutdown()


@pytest.mark.parametrize("bad, key", [
    ({"sizes": [2, 5, 1]}, "sizes[1]"),
    ({"sizes": [2, 3, 1]}, "weights"),  # the default 2×2 weights do not fit a 2-3-1 network
    ({"lr": -1}, "lr"),
    ({"x": [1.0]}, "x"),
    ({"target": [1.0, 0.0]}, "target"),
    ({"loss": "cross_entropy"}, "loss"),  # needs ≥ 2 outputs
    ({"activation": "prelu"}, "activation"),
    ({"weights": [[[0.5, "a"], [0.8, 0.2]], [[0.7], [-0.4]]]}, "weights[0][0][1]"),
    ({"step": -1}, "step"),
    ({"index": 3}, "index"),
])
def test_from_dict_names_the_bad_key(bad, key):
    with pytest.raises(StateError) as err:
        State.from_dict(bad)
    assert err.value.key == key and key in str(err.value)


def test_legacy_settings_migrate(qtbot, panel):
    old = {"sizes": "2-2-1", "activation": "tanh", "loss": "mse_sigmoid", "weights": "0.5,-0.3,0.8,0.2;0.7,-0.4",
           "biases": "0.1,0.25;0.2", "x": "1.0,0.5", "target": "1.0", "lr": "0.5", "index": "7", "seed": 2}
    state = State.from_dict(migrate_legacy(old))
    assert state.activation == "tanh" and state.biases == ((0.1, 0.25), (0.2,)) and (state.step, state.seed) == (7, 2)
    broken = State.from_dict(migrate_legacy({**old, "weights": "0.5,oops"}))  # the set-up is all or nothing
    assert broken == State(step=7, seed=2)
    assert State.from_dict(migrate_legacy({"index": "x"})) == State()
    panel.apply_state(state)
    qtbot.waitUntil(lambda: panel.model.up_to_date(), timeout=5000)
    assert panel.state() == state and panel.act_combo.currentData() == "tanh"


def test_changing_a_control_changes_the_state(qtbot, panel):
    before = panel.state()
    panel.act_combo.setFocus()
    qtbot.keyClick(panel.act_combo, Qt.Key.Key_Down)
    assert panel.state().activation == panel.act_combo.currentData() != before.activation
    panel.x_edit.clear()
    qtbot.keyClicks(panel.x_edit, "0.25, -1")
    qtbot.keyClick(panel.x_edit, Qt.Key.Key_Return)
    assert panel.state().x == (0.25, -1.0)
    recomputed(qtbot, panel, lambda: True)
    qtbot.mouseClick(panel.forward_button, Qt.MouseButton.LeftButton)
    assert panel.state().step == 1
    qtbot.mouseClick(panel.new_weights, Qt.MouseButton.LeftButton)
    assert panel.state().seed == 1 and panel.state().weights != before.weights


def test_the_window_reaches_it_and_its_actions_drive_it(qtbot):
    from app.main_window import MainWindow

    w = MainWindow(panel="backprop", persist=False)
    qtbot.addWidget(w)
    w.show()
    p = w.current_panel()
    assert p.objectName() == "backpropPanel" and p.wait_ready(steps=2)
    assert p.model.index == 2
    w.actionStep.trigger()
    assert p.model.index == 3
    w.actionPlayPause.trigger()
    assert p.is_playing() and w.actionPlayPause.text() == "&Pause"
    w.actionReset.trigger()
    assert p.model.index == 0 and not p.is_playing()
    w.close()


def test_theme_switch_recolours_graph_steps_and_table(qtbot, panel):
    """palette.signals.changed redraws with the dark colours; nothing keeps the light ones."""
    from PySide6.QtGui import QColor, QPalette

    from app.widgets import palette

    panel.go_to(22)  # a backward step: gradients on the card, one row shaded
    light_bg = panel.graph.backgroundBrush().color().name()
    try:
        palette.set_dark(True)
        assert panel.graph.backgroundBrush().color().name() == palette.DARK["BACKGROUND"].lower() != light_bg
        assert panel.graph.items_by_key[("grad", 1, 1)].brush().color().name() != "#0072b2"  # sky blue on dark
        assert palette.MUTED in panel.legend.text() and palette.MUTED in panel.explanation.header.text()
        forward = panel.steps_list.item(0)
        assert forward.data(Qt.ItemDataRole.ForegroundRole) is None  # the palette's text colour
        dark = QPalette(panel.table.palette())
        dark.setColor(QPalette.ColorRole.Base, QColor(palette.DARK["BACKGROUND"]))
        panel.table.setPalette(dark)  # the window's dark palette reaching the table
        row = panel.table.keys.index(panel.model.current().params[0])
        assert panel.table.item(row, 0).background().color().lightness() < 128
    finally:
        palette.set_dark(False)
        panel.table.setPalette(QPalette())
    assert panel.graph.backgroundBrush().color().name() == light_bg
    assert panel.table.item(row, 0).background().color().lightness() > 200


def test_settings_captured_by_the_old_panel_migrate():
    """tests/data: what the old save_settings wrote (2-3-2, cross-entropy, step 10) as a State."""
    from pathlib import Path

    old = json.loads((Path(__file__).parent / "data/legacy_settings_init_backprop.json").read_text("utf-8"))["backprop"]
    state = State.from_dict(migrate_legacy(old))
    assert (state.sizes, state.loss, state.target, state.step) == ((2, 3, 2), "cross_entropy", (1.0, 0.0), 9)
    assert state.setup() == bt.BackpropSetup().with_sizes((2, 3, 2)).with_loss("cross_entropy")


def test_values_appear_as_their_step_is_reached(qtbot, panel):
    """Issue #15: no answer before the walk; 'Show all' (in State) reveals everything for review."""
    m, table = panel.model, panel.table
    cols = range(2, 6)
    assert all(table.item(r, c).text() == "?" for r in range(len(table.keys)) for c in cols)
    assert "?" in panel.loss_label.text()
    # the first backward step that computes a ∂L/∂w: exactly its rows' gradient cells appear
    first = next(i for i, s in enumerate(m.trace.steps) if any(k[0] in ("dW", "db") for k in s.reveals))
    panel.go_to(first)
    shown = {table.keys[r] for r in range(len(table.keys)) if table.item(r, 2).text() != "?"}
    expected = {("W" if k[0] == "dW" else "b", *k[1:]) for k in m.trace.known(first) if k[0] in ("dW", "db")}
    assert shown == expected and shown
    assert all(table.item(r, 5).text() == "?" for r in range(len(table.keys)))  # no update yet
    steps = panel.steps_list
    assert steps.row_text(first).endswith(bt.fmt(next(iter(m.trace.steps[first].reveals.values()))))
    assert steps.row_text(first + 1).endswith("= ?")
    panel.go_to_phase("update")
    assert table.item(0, 5).text() != "?" or table.item(len(table.keys) - 1, 5).text() != "?"
    panel.go_to(0)
    panel.show_all_check.click()  # as a click on the box (it may sit below the fold offscreen)
    assert panel.state().show_all and m.index == 0
    assert all(table.item(r, c).text() != "?" for r in range(len(table.keys)) for c in cols)
    assert "?" not in panel.loss_label.text()
    assert panel.graph.text_of(("text", "loss")).startswith("L = ") and "?" not in panel.graph.text_of(("text", "loss"))
    restored = State.from_dict(panel.state().to_dict())
    assert restored.show_all
    panel.apply_state(dataclasses.replace(restored, show_all=False))
    assert not panel.show_all_check.isChecked() and table.item(0, 2).text() == "?"


@pytest.mark.parametrize("sizes", [(2, 3, 2), (2, 2, 2, 1), (4, 4, 4, 4)])
def test_edge_labels_never_overlap(qtbot, panel, sizes):
    """Issue #15: at every step (and with 'Show all') no two edge labels' boxes intersect, and
    the small nets label every edge; the bigger ones at least the highlighted edges (the rest on hover)."""
    import itertools

    panel.apply_state(State().with_setup(bt.BackpropSetup().with_sizes(sizes, 0)))
    recomputed(qtbot, panel, lambda: panel.model.setup().sizes == sizes)
    graph, m = panel.graph, panel.model
    for show_all in (False, True):
        panel.apply_state(dataclasses.replace(m.state, show_all=show_all))
        for index in range(m.n_steps):
            panel.go_to(index)
            rects = {k: item.sceneBoundingRect() for k, item in graph.items_by_key.items() if k[0] == "label"}
            overlaps = [(a, b) for (a, ra), (b, rb) in itertools.combinations(rects.items(), 2) if ra.intersects(rb)]
            assert not overlaps, (sizes, index, overlaps)
            hot = {k[1:] for k in graph.items_by_key if k[0] == "edge" and graph.is_highlighted(k)}
            labelled = {k[1:] for k in rects}
            assert hot <= labelled, (sizes, index, hot - labelled)
            if max(a * b for a, b in zip(sizes, sizes[1:])) <= 6:
                assert len(labelled) == sum(a * b for a, b in zip(sizes, sizes[1:]))
    assert graph.items_by_key[("edge", 0, 0, 0)].toolTip().startswith("w ")  # every weight on hover


def test_biases_are_drawn(qtbot, panel):
    """The "+ 0.1" in z(h₁) comes from a drawn bias tag; it shows b → b′ once updated."""
    s = panel.model.setup()
    for l, vec in enumerate(s.biases):
        for j, b in enumerate(vec):
            assert panel.graph.text_of(("bias", l, j)) == f"+b {bt.fmt(b)}"
    panel.go_to(panel.model.n_steps - 1)
    new_b = panel.model.trace.new_b
    assert panel.graph.text_of(("bias", 0, 0)) == f"+b {bt.fmt(s.biases[0][0])} → {bt.fmt(new_b[0][0])}"


def test_training_loop_and_update_history(qtbot, panel):
    """Issue #15: 'Apply update' keeps every before/after; the loop plots loss and each weight's history."""
    m = panel.model
    losses = []
    for _ in range(3):
        losses.append(m.trace.loss)
        qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
        recomputed(qtbot, panel, lambda n=len(losses): len(m.updates) == n)
    assert [u[1] for u in m.updates] == losses  # each entry starts where the last ended
    assert all(u[2] < u[1] for u in m.updates) and m.updates[1][1] == pytest.approx(m.updates[0][2], rel=1e-12)
    assert len(panel.loop_view.row_texts()) == 3
    w_before = panel.state().weights[0][0][0]
    panel.bottom_tabs.setCurrentWidget(panel.loop_view)
    panel.loop_view.count.setValue(10)
    qtbot.mouseClick(panel.loop_view.run_button, Qt.MouseButton.LeftButton)
    recomputed(qtbot, panel, lambda: m.loop is not None)
    h = m.loop
    assert h.n == 10 and np.all(np.diff(h.losses) < 0)
    assert h.params[("W", 0, 0, 0)][0] == w_before and panel.state().weights[0][0][0] == h.params[("W", 0, 0, 0)][-1]
    assert m.trace.loss == pytest.approx(h.losses[-1], rel=1e-12)  # the panel now shows the trained weights
    assert len(panel.loop_view.row_texts()) == 4 and bt.fmt(h.losses[-1]) in panel.loop_view.row_texts()[-1]
    curves = panel.loop_view.param_plot.getPlotItem().listDataItems()
    assert len(curves) == len(h.params) and len(panel.loop_view.loss_plot.getPlotItem().listDataItems()) == 1
