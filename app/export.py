"""Export: any plot of the visible panel as PNG or SVG, its data as CSV, or the figure to the clipboard.

pyqtgraph's own exporters do the work (``ImageExporter``, ``SVGExporter``, ``CSVExporter``), so
a file saved from the File ▸ Export menu is the same as one saved from pyqtgraph's right-click
Export dialog. The plots are found, not declared: every visible ``PlotItem`` inside the panel's
pyqtgraph views, named after its title (else its axis labels). A panel with several plots asks
which one. Copy figure puts a picture of the whole visible panel on the clipboard: it is what
a teacher pastes into slides, and it includes non-pyqtgraph views (tables, the backprop graph).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401 - registers pg.exporters
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from app.i18n import tr

FORMATS = ("png", "svg", "csv")
PNG_SCALE = 2  # exported plots are twice their on-screen size: sharp on slides and paper


@dataclass
class PlotRef:
    """One exportable plot: its ``PlotItem`` and the name shown in the chooser."""

    item: pg.PlotItem
    name: str


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html or "")).strip()


def _plot_name(item: pg.PlotItem, index: int) -> str:
    title = _plain(item.titleLabel.text) if item.titleLabel is not None else ""
    if title:
        return title
    labels = [_plain(item.getAxis(side).labelText) for side in ("left", "bottom")]
    labels = [text for text in labels if text]
    return " vs ".join(labels) if labels else tr("Plot {n}").format(n=index + 1)


def plots(widget) -> list[PlotRef]:
    """Every visible pyqtgraph ``PlotItem`` inside ``widget``, in reading order, with unique names."""
    refs: list[PlotRef] = []
    for view in widget.findChildren(pg.GraphicsView):
        if not view.isVisibleTo(widget) or view.scene() is None:
            continue
        items = [it for it in view.scene().items() if isinstance(it, pg.PlotItem) and it.isVisible()]
        items.sort(key=lambda it: (round(it.scenePos().y()), round(it.scenePos().x())))
        origin = view.mapTo(widget, view.rect().topLeft())
        for item in items:
            refs.append((origin.y(), origin.x(), item.scenePos().y(), item.scenePos().x(), item))
    refs.sort(key=lambda r: r[:4])
    out: list[PlotRef] = []
    seen: dict[str, int] = {}
    for i, (*_pos, item) in enumerate(refs):
        name = _plot_name(item, i)
        seen[name] = seen.get(name, 0) + 1
        out.append(PlotRef(item, name if seen[name] == 1 else f"{name} ({seen[name]})"))
    return out


def export_png(item: pg.PlotItem, path: str | Path, scale: float = PNG_SCALE) -> Path:
    """Save ``item`` as a PNG ``scale`` times its on-screen size (background = the view's)."""
    exporter = pg.exporters.ImageExporter(item)
    width = max(1, int(round(item.sceneBoundingRect().width() * scale)))
    exporter.parameters()["width"] = width
    exporter.export(str(path))
    return Path(path)


def export_svg(item: pg.PlotItem, path: str | Path) -> Path:
    """Save ``item`` as an SVG (vector: lines stay sharp at any size)."""
    SafeSVGExporter(item).export(str(path))
    return Path(path)


class SafeSVGExporter(pg.exporters.SVGExporter):
    """pyqtgraph's SVG exporter, falling back to Qt's SVG generator where it fails.

    pyqtgraph 0.14's SVGExporter raises on the closed paths ("… Z") Qt ≥ 6.10 writes (pyqtgraph
    issue #3495: filled curves, symbols); then Qt's own ``QSvgGenerator`` renders the same scene
    region. It replaces pyqtgraph's entry in the right-click Export dialog (below), so File ▸
    Export and the plot's own menu save the same file and neither crashes.
    """

    def export(self, fileName=None, toBytes=False, copy=False):  # noqa: N803 - pyqtgraph's API
        if fileName is None and not toBytes and not copy:
            return super().export()  # asks for a file name, then calls export(fileName=…)
        try:
            return super().export(fileName, toBytes, copy)
        except ValueError:
            if fileName is not None:
                _qt_svg(self.item, Path(fileName))
                return None
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "plot.svg"
            _qt_svg(self.item, path)
            data = path.read_bytes()
        if toBytes:
            return data
        from PySide6.QtCore import QMimeData

        mime = QMimeData()
        mime.setData("image/svg+xml", data)
        QGuiApplication.clipboard().setMimeData(mime)
        return None


def use_safe_svg_exporter() -> None:
    """Put ``SafeSVGExporter`` in place of pyqtgraph's in the Export dialogs' format list."""
    registered = pg.exporters.Exporter.Exporters
    for i, cls in enumerate(registered):
        if cls is pg.exporters.SVGExporter:
            registered[i] = SafeSVGExporter


use_safe_svg_exporter()  # as pyqtgraph registers its exporters: when the module is imported


def _qt_svg(item, path: Path) -> None:
    """Render ``item`` (a PlotItem, or a whole scene) into an SVG file with Qt's generator."""
    from PySide6.QtCore import QRectF, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator
    from PySide6.QtWidgets import QGraphicsScene

    scene = item if isinstance(item, QGraphicsScene) else item.scene()
    source = scene.sceneRect() if scene is item else item.sceneBoundingRect()
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(int(source.width()), int(source.height())))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle(_plot_name(item, 0) if scene is not item else "GradLab")
    generator.setDescription("GradLab")
    exporter = pg.exporters.SVGExporter(item)  # only to switch items to vector drawing
    painter = QPainter(generator)
    exporter.setExportMode(True, {"antialias": True, "background": exporter.params["background"], "painter": painter})
    try:
        view = scene.views()[0]
        painter.fillRect(QRectF(0, 0, source.width(), source.height()), view.backgroundBrush())
        scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
    finally:
        exporter.setExportMode(False)
        painter.end()


def plot_data(item: pg.PlotItem) -> tuple[list[str], list[list[float]]]:
    """The data of every line and scatter series in ``item``: ``(header, columns)``.

    Series are named after their legend name when they have one (else ``series N``); each has
    an x and a y column. Mirrors pyqtgraph's CSVExporter, whose headers are bare numbers.
    """
    header: list[str] = []
    columns: list[list[float]] = []
    for i, curve in enumerate(c for c in item.curves if hasattr(c, "getData")):
        x, y = curve.getData()
        if x is None or y is None or len(x) == 0:
            continue
        name = curve.name() if callable(getattr(curve, "name", None)) else None
        name = _plain(str(name)) if name else tr("series {n}").format(n=i + 1)
        header += [f"{name}: x", f"{name}: y"]
        columns += [list(map(float, x)), list(map(float, y))]
    return header, columns


def export_csv(item: pg.PlotItem, path: str | Path) -> Path:
    """Save the plot's series as CSV: one x and one y column per series, named after it."""
    header, columns = plot_data(item)
    if not columns:
        raise ValueError(tr("This plot has no line or point data to export."))
    rows = max(len(c) for c in columns)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for r in range(rows):
            writer.writerow([repr(c[r]) if r < len(c) else "" for c in columns])
    return Path(path)


EXPORTERS = {"png": export_png, "svg": export_svg, "csv": export_csv}


def export(item: pg.PlotItem, path: str | Path, fmt: str | None = None) -> Path:
    """Export ``item`` to ``path`` in ``fmt`` (default: from the suffix); ValueError lists formats."""
    fmt = (fmt or Path(path).suffix.lstrip(".")).lower()
    if fmt not in EXPORTERS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return EXPORTERS[fmt](item, path)


def copy_figure(widget) -> bool:
    """Put a picture of ``widget`` (the visible panel) on the clipboard; True on success."""
    pixmap = widget.grab()
    if pixmap.isNull():
        return False
    QGuiApplication.clipboard().setPixmap(pixmap)
    return True


# ---- menu actions ------------------------------------------------------------------------------
def choose_plot(window, panel) -> PlotRef | None:
    """The plot to export: the only one, or the one the user picks; None if none/cancelled."""
    refs = plots(panel)
    if not refs:
        QMessageBox.information(window, tr("Export"), tr("The visible panel has no plot to export."))
        return None
    if len(refs) == 1:
        return refs[0]
    names = [r.name for r in refs]
    name, ok = QInputDialog.getItem(window, tr("Export"), tr("Which plot?"), names, 0, False)
    return refs[names.index(name)] if ok and name in names else None


_FILTERS = {"png": "PNG images (*.png)", "svg": "SVG drawings (*.svg)", "csv": "CSV tables (*.csv)"}


def export_dialog(window, fmt: str) -> None:
    panel = window.current_panel()
    ref = choose_plot(window, panel) if panel is not None else None
    if ref is None:
        return
    stem = re.sub(r"[^\w.-]+", "-", ref.name).strip("-").lower()[:40] or "plot"
    path, _ = QFileDialog.getSaveFileName(
        window, tr("Export plot"), f"gradlab-{panel.panel_id}-{stem}.{fmt}", tr(_FILTERS[fmt]))
    if not path:
        return
    if not path.lower().endswith(f".{fmt}"):
        path += f".{fmt}"
    try:
        export(ref.item, path, fmt)
    except (OSError, ValueError) as exc:
        QMessageBox.warning(window, tr("Export failed"), str(exc))
        return
    window.statusBar().showMessage(tr("Saved {path}").format(path=path), 8000)


def copy_current(window) -> None:
    panel = window.current_panel()
    if panel is not None and copy_figure(panel):
        message = tr("Copied the {panel} panel to the clipboard").format(panel=tr(panel.title))
        window.statusBar().showMessage(message, 5000)
