"""File ▸ Export (plot as PNG / SVG, data as CSV) and Edit ▸ Copy figure: the window's ``ExportMenu``.

Only the menu is built at start-up; ``app.export`` (and pyqtgraph's exporters) load on first use.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu

from app.i18n import tr

FORMATS = ("png", "svg", "csv")


class ExportMenu(QObject):
    """``menu`` (the Export submenu) and ``copy_action`` (Ctrl+Shift+C)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.menu = QMenu(tr("&Export"), window)
        self.menu.setObjectName("exportMenu")
        labels = {"png": tr("Plot as &PNG…"), "svg": tr("Plot as &SVG…"), "csv": tr("Plot data as &CSV…")}
        for fmt in FORMATS:
            action = self.menu.addAction(labels[fmt])
            action.setObjectName(f"actionExport_{fmt}")
            action.setStatusTip(tr("Export a plot of the visible panel"))
            action.triggered.connect(lambda _=False, f=fmt: self.export_dialog(f))
        self.copy_action = window.make_action(
            "actionCopyFigure", tr("&Copy figure"), self.copy_current, ["Ctrl+Shift+C"],
            tr("Copy a picture of the visible panel to the clipboard"))

    def export_dialog(self, fmt: str) -> None:
        from app import export

        export.export_dialog(self.window, fmt)

    def copy_current(self) -> None:
        from app import export

        export.copy_current(self.window)
