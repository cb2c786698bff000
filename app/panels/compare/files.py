"""The Compare panel's save dialogs: the table as CSV, the plot as PNG or SVG, the effect report.

Both modes (grid and search) save through the panel's ``export_csv`` / ``export_plot``; the
dialogs only ask for a path and report a failure in the panel's banner, success in its status.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog

from app.i18n import tr


def export_csv_dialog(panel, default_name: str = "gradlab-compare.csv") -> None:
    path, _ = QFileDialog.getSaveFileName(panel, tr("Export table as CSV"), default_name, "CSV (*.csv)")
    if path:
        save(panel, panel.export_csv, path if path.lower().endswith(".csv") else path + ".csv")


def export_plot_dialog(panel) -> None:
    path, chosen = QFileDialog.getSaveFileName(panel, tr("Export plot"), "gradlab-compare.png",
                                               tr("PNG image (*.png);;SVG drawing (*.svg)"))
    if path:
        if not path.lower().endswith((".png", ".svg")):
            path += ".svg" if "svg" in chosen.lower() else ".png"
        save(panel, panel.export_plot, path)


def export_report_dialog(panel, write) -> None:
    """The effect report (``effects_view.EffectsView.write_report``) as Markdown or HTML."""
    path, chosen = QFileDialog.getSaveFileName(panel, tr("Save report"), "gradlab-report.md",
                                               tr("Markdown (*.md);;HTML (*.html)"))
    if path:
        if not path.lower().endswith((".md", ".html", ".htm")):
            path += ".html" if "html" in chosen.lower() else ".md"
        save(panel, write, path)


def save(panel, func, path: str) -> None:
    """``func(path)``; an error goes to the panel's banner, success to its status line."""
    try:
        func(path)
    except (OSError, ValueError) as exc:
        panel.show_error(tr("Could not write {path}: {reason}").format(path=path, reason=exc))
        return
    panel.statusMessage.emit(tr("Saved {path}").format(path=path))
