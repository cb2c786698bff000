"""Themes: dark and light change Qt and every plot (existing and new), persist, and keep colours readable.

A switch is one call: ``palette.set_dark`` emits ``palette.signals.changed`` and the shared plot
styling (``app.widgets.plots``) repaints from it; nothing polls (the conftest fails a test that
leaves a timer running).
"""

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app import themes
from app.main_window import MainWindow
from app.settings_store import settings
from app.widgets import palette, plots


@pytest.fixture
def restore_theme(qapp):
    style, pal = qapp.style().name(), QPalette(qapp.palette())
    yield
    themes.apply("light")
    qapp.setStyle(style)
    qapp.setPalette(pal)


@pytest.fixture
def window(qtbot, restore_theme):
    w = MainWindow(panel="activations")
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    assert w.current_panel().wait_ready(timeout_ms=15000)
    yield w
    w.close()


def _backgrounds(widget):
    return {v.backgroundBrush().color().name() for v in widget.findChildren(pg.GraphicsView)}


def _luminance(hex_colour):
    c = QColor(hex_colour)
    lin = [(x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4) for x in (c.redF(), c.greenF(), c.blueF())]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a, b):
    la, lb = sorted((_luminance(a), _luminance(b)))
    return (lb + 0.05) / (la + 0.05)


def test_switching_theme_recolours_qt_and_plots_and_persists(window, qtbot):
    panel = window.current_panel()
    plot = panel.findChildren(pg.PlotWidget)[0].getPlotItem()
    axis = plot.getAxis("bottom")
    light_text = axis.textPen().color().name()
    title = pg.mkColor(plot.titleLabel.opts["color"]).name(QColor.NameFormat.HexArgb)
    assert _backgrounds(panel) == {palette.LIGHT["BACKGROUND"].lower()}

    window.findChild(type(window.actionStep), "actionTheme_dark").trigger()
    assert themes.current() == "dark" and palette.is_dark()
    assert _backgrounds(panel) == {palette.DARK["BACKGROUND"].lower()}
    assert QColor(axis.textPen().color()).lightness() > 180  # dark text became light
    app = QApplication.instance()
    assert app.style().name().lower() == "fusion"
    assert app.palette().color(QPalette.ColorRole.Window).lightness() < 80
    assert settings().value(themes.SETTINGS_KEY) == "dark"
    # a plot built after the switch is dark too (each panel's own views are tested with the panel)
    late = plots.make_plot("late")
    qtbot.addWidget(late)
    assert late.backgroundBrush().color().name() == palette.DARK["BACKGROUND"].lower()

    window.findChild(type(window.actionStep), "actionTheme_light").trigger()
    assert _backgrounds(panel) == {palette.LIGHT["BACKGROUND"].lower()}
    assert axis.textPen().color().name() == light_text  # restored exactly
    assert pg.mkColor(plot.titleLabel.opts["color"]).name(QColor.NameFormat.HexArgb) == title
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 200
    assert settings().value(themes.SETTINGS_KEY) == "light"


def test_saved_theme_applies_to_a_new_window(qtbot, restore_theme):
    settings().setValue(themes.SETTINGS_KEY, "dark")
    w = MainWindow(panel="activations")
    qtbot.addWidget(w)
    assert w.current_panel().wait_ready(timeout_ms=15000)
    assert themes.current() == "dark"
    assert _backgrounds(w.current_panel()) == {palette.DARK["BACKGROUND"].lower()}
    assert w.findChild(type(w.actionStep), "actionTheme_dark").isChecked()
    w.close()


def test_series_colours_are_readable_on_both_backgrounds(restore_theme):
    themes.apply("dark")
    dark = [palette.series_color(i) for i in range(len(palette.SERIES))]
    assert palette.series_color(list(palette.OKABE_ITO).index("black")) != "#000000"
    assert min(_contrast(c, palette.BACKGROUND) for c in dark) >= 3.0  # WCAG for graphics
    themes.apply("light")
    light = [palette.series_color(i) for i in range(len(palette.SERIES))]
    assert light == list(palette.OKABE_ITO.values())
    # on white, the first three (the most used) are above 3:1; yellow comes last for a reason
    assert min(_contrast(c, palette.BACKGROUND) for c in light[:3]) >= 3.0
    assert len(set(dark)) == len(dark) and len(set(light)) == len(light)


def test_a_shared_plot_repaints_on_the_signal_alone(restore_theme, qtbot):
    widget = plots.make_plot("Loss", "step", "loss")
    qtbot.addWidget(widget)
    plot = widget.getPlotItem()
    legend = plots.add_legend(plot)
    seen = []
    palette.signals.changed.connect(seen.append)
    try:
        palette.set_dark(True)  # no Qt palette, no window: the signal is all the plot hears
    finally:
        palette.signals.changed.disconnect(seen.append)
    assert seen == [True]
    assert widget.backgroundBrush().color().name() == palette.DARK["BACKGROUND"].lower()
    assert plot.getAxis("left").textPen().color().name() == palette.DARK["FOREGROUND"].lower()
    assert pg.mkColor(plot.titleLabel.opts["color"]).name() == palette.DARK["FOREGROUND"].lower()
    assert pg.mkColor(plot.getAxis("bottom").labelStyle["color"]).name() == palette.DARK["FOREGROUND"].lower()
    assert legend.brush().color().name() == palette.DARK["BACKGROUND"].lower()
    palette.set_dark(False)
    assert widget.backgroundBrush().color().name() == palette.LIGHT["BACKGROUND"].lower()
    assert plot.getAxis("left").textPen().color().name() == palette.LIGHT["FOREGROUND"].lower()


def test_themes_has_no_walker_and_no_timer():
    import inspect

    source = inspect.getsource(themes)
    assert "QTimer" not in source and "findChildren" not in source


def test_unknown_theme_is_refused():
    with pytest.raises(ValueError, match="light, dark"):
        themes.check("solarized")
