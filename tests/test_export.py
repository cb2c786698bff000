"""Export: PNG/SVG/CSV files of a panel's plots hold that plot's data; the clipboard gets a picture."""

import csv
import xml.etree.ElementTree as ET

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu

from app import export
from app.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    w = MainWindow(panel="activations", persist=False)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    assert w.current_panel().wait_ready(timeout_ms=15000)
    yield w
    w.close()


def _function_plot(w):
    refs = export.plots(w.current_panel())
    by_name = {r.name: r for r in refs}
    assert "f(x)" in by_name, list(by_name)
    return by_name["f(x)"]


def test_plots_are_found_and_named(window):
    refs = export.plots(window.current_panel())
    names = [r.name for r in refs]
    assert len(refs) >= 2 and len(set(names)) == len(names)
    assert all(isinstance(r.item, pg.PlotItem) and r.item.isVisible() for r in refs)


def test_png_svg_csv_hold_the_plot(window, tmp_path):
    ref = _function_plot(window)
    png = export.export(ref.item, tmp_path / "f.png")
    image = QImage(str(png))
    assert not image.isNull()
    width = ref.item.sceneBoundingRect().width()
    assert abs(image.width() - export.PNG_SCALE * width) <= 2
    # not blank: the curves' colours are in the picture
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    assert len(colours) > 10

    svg = export.export(ref.item, tmp_path / "f.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert len([e for e in root.iter() if e.tag.endswith("path") or e.tag.endswith("polyline")]) > 3

    out = export.export(ref.item, tmp_path / "f.csv")
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    curves = [c for c in ref.item.curves if hasattr(c, "getData") and c.getData()[0] is not None]
    curves = [c for c in curves if len(c.getData()[0])]
    assert len(header) == 2 * len(curves) and header[0].endswith(": x")
    x0, y0 = curves[0].getData()
    col_x = np.array([float(r[0]) for r in body if r[0] != ""])
    col_y = np.array([float(r[1]) for r in body if r[1] != ""])
    np.testing.assert_array_equal(col_x, x0)
    np.testing.assert_array_equal(col_y, y0)
    names = {c.name() for c in curves if c.name()}
    assert names and all(any(h.startswith(n) for h in header) for n in names)


def test_unknown_format_is_refused(window, tmp_path):
    with pytest.raises(ValueError, match="png, svg, csv"):
        export.export(_function_plot(window).item, tmp_path / "f.bmp")


def test_export_menu_asks_which_plot_and_writes_the_file(window, tmp_path, monkeypatch):
    target = tmp_path / "chosen"
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("f(x)", True))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    menu = window.findChild(QMenu, "exportMenu")
    action = next(a for a in menu.actions() if a.objectName() == "actionExport_csv")
    action.trigger()
    assert (tmp_path / "chosen.csv").exists()
    assert "chosen.csv" in window.statusBar().currentMessage()


def test_copy_figure_puts_the_panel_on_the_clipboard(window):
    QGuiApplication.clipboard().clear()
    assert window.exports.copy_action.shortcuts()[0].toString() == "Ctrl+Shift+C"
    window.exports.copy_action.trigger()
    image = QGuiApplication.clipboard().image()
    assert not image.isNull()
    panel = window.current_panel()
    assert abs(image.width() - panel.width() * panel.devicePixelRatioF()) <= 1


def test_panels_without_plots_say_so(window, monkeypatch):
    shown = []
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(a[2]))
    window.show_panel("backprop")
    assert export.choose_plot(window, window.current_panel()) is None
    assert shown and "no plot" in shown[0]


def test_right_click_keeps_pyqtgraphs_own_export(window, qtbot):
    item = _function_plot(window).item
    box = item.getViewBox()
    assert box.menuEnabled() and box.menu.objectName() == "plotExportMenu"
    menu = box.getMenu(None)
    scene = item.scene()

    class Event:
        acceptedItem = box

    scene.addParentContextMenus(box, menu, Event())
    texts = [a.text() for a in menu.actions()]
    assert any("Export" in t for t in texts), texts
    assert not any("View All" in t for t in texts)  # pyqtgraph's range menu stays off
    menu.clear()
