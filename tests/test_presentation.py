"""Presentation mode and the zoom: F5/Esc, Ctrl+= / Ctrl+- / Ctrl+0 on widgets and plot axes,
PageDown/PageUp between scenes, the zoom remembered; the Qt-free model's clamping."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app.lecture import catalogue
from app.main_window import MainWindow
from app.models.presentation import ZOOM_MAX, ZOOM_MIN, Presentation, clamp_zoom, parse_zoom
from app.widgets import plots


@pytest.fixture
def only_fakes(fake_panels, monkeypatch):
    from app import panels as registry

    monkeypatch.setattr(registry, "PANELS", {k: v for k, v in registry.PANELS.items() if k.startswith("fake")})
    catalogue.forget()
    yield fake_panels
    catalogue.forget()


@pytest.fixture
def window(qtbot, only_fakes):
    w = MainWindow(panel="fake")
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    yield w
    w.presenter.zoom_reset()
    w.close()


def test_the_model_clamps_and_steps_the_zoom():
    p = Presentation()
    assert [p.zoom_in() for _ in range(8)][-1] == ZOOM_MAX
    assert p.zoom_out() == ZOOM_MAX - 0.25
    assert p.zoom_reset() == ZOOM_MIN
    assert p.zoom_out() == ZOOM_MIN
    assert clamp_zoom("nonsense") == 1.0 and clamp_zoom(9) == ZOOM_MAX and clamp_zoom(float("nan")) == 1.0
    assert parse_zoom("2") == 2.0
    for bad in ("0.5", "3", "x"):
        with pytest.raises(ValueError, match="--zoom"):
            parse_zoom(bad)


def test_f5_enters_and_esc_leaves(window, qtbot):
    p = window.presenter
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: p.active)
    assert window.isFullScreen() and not window.statusBar().isVisible()
    assert [s.toString() for s in window.actionStep.shortcuts()] == ["N"]  # Right is "next scene" now
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not p.active)
    assert not window.isFullScreen() and window.statusBar().isVisible()
    assert [s.toString() for s in window.actionStep.shortcuts()] == ["Right", "N"]
    p.present_action.trigger()
    assert p.active
    p.present_action.trigger()  # F5 again leaves too
    assert not p.active


def test_zoom_keys_scale_a_widget_and_a_plot_axis(window, qtbot):
    panel = window.current_panel()
    label = QLabel("some text", panel)
    plot = plots.make_plot("title", "x", "y", parent=panel)
    panel.layout().addWidget(plot)
    base_widget = label.font().pointSizeF()
    base_axis = plots.tick_font_size(plot.getPlotItem())
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.presenter.zoom.factor == 1.5)
    assert label.font().pointSizeF() == pytest.approx(1.5 * base_widget)
    assert plots.tick_font_size(plot.getPlotItem()) == pytest.approx(1.5 * plots.AXIS_FONT_PT)
    assert plots.tick_font_size(plot.getPlotItem()) > base_axis
    assert plot.getPlotItem().getAxis("bottom").labelStyle["font-size"] == f"{1.5 * plots.AXIS_FONT_PT:.1f}pt"
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.presenter.zoom.factor == 1.25)
    assert plots.tick_font_size(plot.getPlotItem()) == pytest.approx(1.25 * plots.AXIS_FONT_PT)
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.presenter.zoom.factor == 1.0)
    assert label.font().pointSizeF() == pytest.approx(base_widget)
    assert plots.tick_font_size(plot.getPlotItem()) == pytest.approx(plots.AXIS_FONT_PT)


def test_the_zoom_is_remembered_and_reaches_plots_built_later(qtbot, only_fakes):
    first = MainWindow(panel="fake")
    qtbot.addWidget(first)
    first.presenter.set_zoom(2.0)
    first.close()
    second = MainWindow(panel="fake")
    qtbot.addWidget(second)
    try:
        assert second.presenter.zoom.factor == 2.0
        assert QApplication.font().pointSizeF() == pytest.approx(2.0 * second.presenter.zoom.base_size)
        later = plots.make_plot("t", "x", "y", parent=second.current_panel())
        assert plots.tick_font_size(later.getPlotItem()) == pytest.approx(2.0 * plots.AXIS_FONT_PT)
    finally:
        second.presenter.zoom_reset()
        second.close()
    assert QApplication.font().pointSizeF() == pytest.approx(second.presenter.zoom.base_size)


def test_pagedown_and_pageup_move_between_scenes_while_presenting(window, qtbot):
    order = catalogue.names()
    qtbot.keyClick(window, Qt.Key.Key_PageDown)  # not presenting: nothing happens
    assert window.lecture.run is None
    window.presenter.enter(full_screen=False)
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: window.lecture.run is not None)
    assert window.lecture.run.scene.name == order[0]
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: window.lecture.run.scene.name == order[1])
    qtbot.keyClick(window, Qt.Key.Key_Left)  # a remote's "previous"
    qtbot.waitUntil(lambda: window.lecture.run.scene.name == order[0])
    qtbot.keyClick(window, Qt.Key.Key_B)
    blank = window.findChild(QWidget, "blankScreen")
    assert blank is not None and blank.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Period)
    assert not blank.isVisible()
    window.lecture.run.wait()
    window.presenter.leave()


def test_controls_columns_can_be_hidden(qtbot, monkeypatch):
    from app.widgets.controls_column import columns

    w = MainWindow(panel="activations", persist=False)
    qtbot.addWidget(w)
    w.show()
    try:
        assert w.current_panel().wait_ready(0, 60_000)
        found = columns(w)
        assert found and all(c.isVisible() for c in found)
        w.presenter.controls_action.trigger()
        assert not any(c.isVisible() for c in found)
        w.presenter.controls_action.trigger()
        assert all(c.isVisible() for c in found)
    finally:
        w.close()
