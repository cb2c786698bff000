"""Help: per-panel formulas straight from the engine's registries, and About with versions."""

import pytest
from PySide6.QtWidgets import QMessageBox, QTextBrowser

from app import help as app_help
from app import panels as panel_registry
from app.main_window import MainWindow
from engine import optimizers


@pytest.fixture
def window(qtbot):
    w = MainWindow(panel="optimizers", persist=False)
    qtbot.addWidget(w)
    yield w
    w.close()


def test_every_panel_has_formulas_and_they_come_from_the_registries():
    for panel_id in panel_registry.names():
        sections = app_help.formulas(panel_id)
        assert sections and all(rows for _title, _header, rows in sections), panel_id
        assert all(formula for _t, _h, rows in sections for _name, formula, _s in rows), panel_id
    opt = dict((key, rows) for key, _h, rows in app_help.formulas("optimizers"))["optimizers"]
    adam = next(r for r in opt if r[0] == optimizers.REGISTRY.entry("adam").display_name)
    assert adam[1] == optimizers.REGISTRY.entry("adam").formula
    assert adam[2] == optimizers.REGISTRY.entry("adam").extra["torch_formula"] != adam[1]


def test_formulas_dialog_shows_the_visible_panels_rules(window, qtbot):
    window.help.formulas_action.trigger()
    dialog = window.help.formulas_dialog
    qtbot.addWidget(dialog)
    text = dialog.findChild(QTextBrowser, "formulasText").toPlainText()
    assert "√" in text and "Adam" in text and "PyTorch" in text
    assert "Rosenbrock" in text  # the surfaces this panel offers
    assert window.help.formulas_action.shortcuts()
    dialog.close()


def test_about_lists_the_versions(window, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append(text))
    window.help.about_action.trigger()
    assert len(shown) == 1
    versions = app_help.versions()
    for name in ("GradLab", "Python", "Qt", "PySide6", "pyqtgraph", "NumPy", "BLAS"):
        assert name in shown[0] and versions[name]
    assert versions["NumPy"] in shown[0]
