"""The Activation panel, driven through its real widgets (offscreen)."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from app.models.activations import DEFAULT_SHOWN, ORDERED
from app.panels.activations import ActivationsPanel
from app.panels.activations import panel as panel_module
from engine import activations


@pytest.fixture
def panel(qtbot):
    p = ActivationsPanel()
    qtbot.addWidget(p)
    p.resize(1200, 800)
    p.show()
    with qtbot.waitSignal(p.ready, timeout=10000):
        pass
    yield p
    p.shutdown()


def _type_into(qtbot, spin, text):
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)


def test_object_name_and_default_curves(panel):
    assert panel.objectName() == "activationsPanel"
    assert panel.state().shown == tuple(n for n in ORDERED if n in DEFAULT_SHOWN)
    assert set(panel.curve_items) == set(DEFAULT_SHOWN) == set(panel.deriv_items)


def test_curves_equal_engine_values(panel, qtbot):
    qtbot.mouseClick(panel.checks["prelu"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.checks["step"], Qt.MouseButton.LeftButton)
    assert "prelu" in panel.curve_items and "step" in panel.curve_items
    for name in panel.state().shown:
        act = activations.get(name, **panel.model.params_of(name))
        x, f = panel.curve_items[name].getData()
        x2, d = panel.deriv_items[name].getData()
        np.testing.assert_array_equal(x, x2)
        np.testing.assert_array_equal(f, act.forward(x))
        np.testing.assert_array_equal(d, act.derivative(x))
    assert x.min() == -5 and x.max() == 5


def test_unchecking_removes_curve_and_depth_line(panel, qtbot):
    qtbot.mouseClick(panel.checks["tanh"], Qt.MouseButton.LeftButton)
    assert "tanh" not in panel.curve_items and "tanh" not in panel.depth_view.items
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=5000)
    assert "tanh" not in panel.model.results and "relu" in panel.model.results


def test_typing_alpha_redraws_curves_and_depth(panel, qtbot):
    spin = panel.sliders["leaky_relu"].spin
    _type_into(qtbot, spin, "0.3")
    x, f = panel.curve_items["leaky_relu"].getData()
    i = np.searchsorted(x, -2.0)
    assert f[i] == pytest.approx(-0.6)
    _, d = panel.deriv_items["leaky_relu"].getData()
    assert d[0] == pytest.approx(0.3)
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=5000)
    expected = panel_module.probes.depth_probe("leaky_relu", depth=10, alpha=0.3)
    np.testing.assert_allclose(panel.model.results["leaky_relu"].grad_rms, expected.grad_rms)


def test_dead_units_tab_shows_results_computed_before_it_was_built(panel, qtbot):
    panel.bias_slider.setValue(-2.0)
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=5000)
    assert not panel.views.is_built(panel_module.DEAD_TAB)
    panel.views.setCurrentIndex(panel_module.DEAD_TAB)
    x, y = panel.dead_view.items["relu"].getData()
    np.testing.assert_array_equal(y, panel.model.results["relu"].dead_share)
    assert y[-1] == 1.0 and np.all(panel.dead_view.items["leaky_relu"].getData()[1] == 0)
    assert "ReLU" in panel.dead_view.summary.text()


def test_elu_slider_drag_coalesces(panel, qtbot):
    ch = panel.channel("depth")
    before = ch.started_count
    slider = panel.sliders["elu"].slider
    for v in range(100, 800, 10):  # 70 drag positions
        slider.setValue(v)
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=5000)
    assert ch.started_count - before <= 3
    alpha = panel.state().alpha.elu
    assert alpha == pytest.approx(panel.sliders["elu"].value())
    expected = activations.get("elu", alpha=alpha).forward(-5.0)
    # curve redraws are throttled during the drag; the last value is always drawn
    qtbot.waitUntil(lambda: panel.curve_items["elu"].getData()[1][0] == pytest.approx(expected), timeout=2000)


def test_hover_readout_shows_engine_values(panel, qtbot):
    vb = panel.f_plot.getPlotItem().vb
    scene_pos = vb.mapViewToScene(pg_point(1.0, 0.0))
    view_pos = panel.f_plot.mapFromScene(scene_pos)
    qtbot.mouseMove(panel.f_plot.viewport(), QPoint(int(view_pos.x()), int(view_pos.y())))
    qtbot.waitUntil(lambda: "x = " in panel.readout.text(), timeout=2000)
    text = panel.readout.text()
    x = panel.hover_lines[1].value()  # both plots' lines follow the mouse
    assert x == pytest.approx(1.0, abs=0.05) and panel.hover_lines[0].value() == x
    assert f"x = {x:.4g}" in text
    sig = activations.get("sigmoid")
    assert f"Sigmoid f={sig.forward(x):.4g} f′={sig.derivative(x):.4g}" in text
    dots_x, dots_y = panel.hover_dots[1].getData()
    assert dots_y[0] == pytest.approx(sig.derivative(x))


def pg_point(x, y):
    from PySide6.QtCore import QPointF

    return QPointF(x, y)


def test_softmax_bars_sum_to_one_and_follow_logits(panel, qtbot):
    assert not panel.views.is_built(panel_module.SOFTMAX_TAB)  # built when first shown
    panel.views.setCurrentIndex(panel_module.SOFTMAX_TAB)
    view = panel.softmax_view
    heights = view.bars.opts["height"]
    np.testing.assert_allclose(heights, activations.get("softmax").forward(np.array([0.3, 2.9, 4.0])))
    assert heights.sum() == pytest.approx(1.0)
    _type_into(qtbot, view.spins[0], "5")
    heights = view.bars.opts["height"]
    assert heights.sum() == pytest.approx(1.0) and heights.argmax() == 0
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert len(view.bars.opts["height"]) == 4 and panel.state().logits == (5.0, 2.9, 4.0, 0.0)
    np.testing.assert_allclose(
        view.bars.opts["height"], activations.get("softmax").forward(np.array([5.0, 2.9, 4.0, 0.0]))
    )
    assert "Σp = 1.000" in view.plot.getPlotItem().titleLabel.text
    assert [t.textItem.toPlainText() for t in view.texts][0] == f"{panel.model.probabilities()[0]:.3f}"


def test_linear_stack_is_a_cubed_x(panel, qtbot):
    panel.views.setCurrentIndex(panel_module.STACK_TAB)
    view = panel.stack_view
    assert view.activation.currentData() == "identity"
    _type_into(qtbot, view.slope.spin, "0.5")
    items = view.plot.getPlotItem().listDataItems()
    x, y3 = items[2].getData()
    np.testing.assert_allclose(y3, 0.125 * x)
    _, single = items[3].getData()
    np.testing.assert_allclose(single, y3)
    assert "0.125" in view.note.text()
    view.activation.setCurrentIndex(view.activation.findData("tanh"))
    x, y3 = view.plot.getPlotItem().listDataItems()[2].getData()
    np.testing.assert_allclose(y3, np.tanh(0.5 * np.tanh(0.5 * np.tanh(0.5 * x))))


def test_step_adds_a_layer_and_counts_when_drawn(panel, qtbot):
    with qtbot.waitSignal(panel.stepped, timeout=5000) as sig:
        panel.step()
    assert sig.args == [1] and panel.depth_spin.value() == 11
    assert panel.model.results["sigmoid"].depth == 11


def test_play_deepens_until_paused_and_reset_restores_defaults(panel, qtbot):
    panel.play_pause()
    assert panel.is_playing()
    qtbot.waitUntil(lambda: panel.depth_spin.value() >= 12, timeout=5000)
    panel.play_pause()
    assert not panel.is_playing()
    panel.sliders["elu"].setValue(2.0)
    panel.reset()
    assert panel.depth_spin.value() == 10 and panel.state().alpha.elu == 1.0
    assert panel.sliders["elu"].value() == 1.0


@pytest.mark.expect_error  # the banner shows an error on purpose
def test_probe_error_shows_in_banner(panel, qtbot, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("probe exploded")

    monkeypatch.setattr(panel_module.probes, "depth_probe", broken)
    with qtbot.waitSignal(panel.errorOccurred, timeout=5000) as err:
        panel.depth_spin.setValue(12)
    assert err.args == ["ValueError: probe exploded"]
    assert panel.banner.isVisible() and "probe exploded" in panel.banner.message


def test_newest_settings_win_over_a_slow_computation(panel, qtbot, monkeypatch):
    """The depth channel lets a slow run finish, but the last request is what stays drawn."""
    import threading

    real = panel_module.probes.depth_probe
    gate = threading.Event()

    def slow(name, depth, **kw):
        if depth == 20:
            gate.wait(3)
        return real(name, depth=depth, **kw)

    monkeypatch.setattr(panel_module.probes, "depth_probe", slow)
    panel.depth_spin.setValue(20)
    qtbot.wait(20)
    panel.step()  # 20 → 21 while 20 is still computing
    panel.depth_spin.setValue(5)
    gate.set()
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=5000)
    qtbot.wait(50)
    assert {r.depth for r in panel.model.results.values()} == {5}
    x, _ = panel.depth_view.items["sigmoid"].getData()
    assert len(x) == 6
    assert panel.step_count == 1  # counted once, when the newest request was drawn


def test_state_round_trip_through_json(panel, qtbot):
    import json

    from app.models.activations import State

    panel.sliders["leaky_relu"].setValue(0.2)
    panel.checks["step"].setChecked(True)
    panel.depth_spin.setValue(7)
    panel.views.setCurrentIndex(panel_module.SOFTMAX_TAB)
    _type_into(qtbot, panel.softmax_view.spins[1], "-1")
    panel.views.setCurrentIndex(panel_module.STACK_TAB)
    panel.stack_view.depth.setValue(5)
    panel.hover_at(1.5)
    state = panel.state()
    assert state.alpha.leaky_relu == pytest.approx(0.2) and "step" in state.shown and state.depth == 7
    assert state.logits == pytest.approx((0.3, -1.0, 4.0)) and state.tab == "stack" and state.stack.depth == 5
    restored = State.from_dict(json.loads(json.dumps(state.to_dict())))
    other = ActivationsPanel()
    qtbot.addWidget(other)
    other.apply_state(restored)
    assert other.state() == state
    assert other.depth_spin.value() == 7 and other.checks["step"].isChecked()
    assert other.sliders["leaky_relu"].value() == pytest.approx(0.2)
    assert other.views.currentIndex() == panel_module.STACK_TAB and other.stack_view.depth.value() == 5
    other.views.setCurrentIndex(panel_module.SOFTMAX_TAB)  # built now, from the model's state
    assert other.softmax_view.logits() == pytest.approx([0.3, -1.0, 4.0])
    assert "x = 1.5" in other.readout.text()
    qtbot.waitUntil(lambda: not other.is_busy(), timeout=5000)
    other.shutdown()


@pytest.mark.parametrize("bad, key", [
    ({"depth": 0}, "depth"), ({"shown": ["relu", "nope"]}, "shown[1]"), ({"alpha": {"elu": 9.0}}, "alpha.elu"),
    ({"logits": [1.0]}, "logits"), ({"tab": "other"}, "tab"), ({"stack": {"depth": "3"}}, "stack.depth"),
    ({"colour": 1}, "colour"),
])
def test_from_dict_rejects_bad_values_naming_the_key(bad, key):
    from app.models.activations import State
    from app.models.base import StateError

    with pytest.raises(StateError) as err:
        State.from_dict(bad)
    assert err.value.key == key


def test_changing_controls_changes_state(panel, qtbot):
    qtbot.mouseClick(panel.checks["tanh"], Qt.MouseButton.LeftButton)
    assert "tanh" not in panel.state().shown
    _type_into(qtbot, panel.sliders["elu"].spin, "2")
    assert panel.state().alpha.elu == pytest.approx(2.0)
    _type_into(qtbot, panel.depth_spin, "12")
    assert panel.state().depth == 12
    panel.init_combo.setCurrentIndex(panel.init_combo.findData("he"))
    assert panel.state().init == "he"
    panel.views.setCurrentIndex(panel_module.DEAD_TAB)
    assert panel.state().tab == "dead"
    panel.views.setCurrentIndex(panel_module.STACK_TAB)
    panel.stack_view.activation.setCurrentIndex(panel.stack_view.activation.findData("tanh"))
    assert panel.state().stack.activation == "tanh"
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=5000)


def test_migrate_legacy_reads_the_old_flat_settings():
    from app.models.activations import State, migrate_legacy

    old = {"shown": "sigmoid,step", "leaky_relu.alpha": 0.2, "prelu.alpha": "oops", "elu.alpha": "1.5",
           "depth": "7", "init": "he", "bias": -1.0, "logits": "0.3,-1,4", "stack_slope": "0.5",
           "stack_depth": 5, "stack_activation": "tanh", "view": 3, "unknown": 1}
    state = State.from_dict(migrate_legacy(old))
    assert state.shown == ("sigmoid", "step") and state.alpha.leaky_relu == 0.2
    assert state.alpha.prelu == 0.25 and state.alpha.elu == 1.5  # garbage dropped, default kept
    assert (state.depth, state.init, state.bias, state.tab) == (7, "he", -1.0, "softmax")
    assert state.logits == (0.3, -1.0, 4.0) and state.stack == state.stack.replace(slope=0.5, depth=5, activation="tanh")
    assert migrate_legacy({"depth": "deep", "init": "nope"}) == State().to_dict()  # garbage: the defaults


def test_theme_switch_recolours_by_signal(panel, qtbot):
    from app.widgets import palette

    panel.checks["identity"].setChecked(True)  # the series' black: grey in the dark theme
    panel.views.setCurrentIndex(panel_module.SOFTMAX_TAB)
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=5000)
    try:
        palette.set_dark(True)
        assert panel.curve_items["identity"].opts["pen"].color().name() == palette.DARK["black"].lower()
        assert panel.hover_lines[0].pen.color().name() == palette.DARK["MUTED"].lower()
        assert panel.softmax_view.texts[0].color.name() == palette.DARK["FOREGROUND"].lower()
        icon = panel.checks["identity"].icon().pixmap(14, 14).toImage()
        assert icon.pixelColor(7, 7).name() == palette.DARK["black"].lower()
    finally:
        palette.set_dark(False)
    assert panel.curve_items["identity"].opts["pen"].color().name() == "#000000"
