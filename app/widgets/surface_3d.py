"""An optional 3-D view of a loss surface (pyqtgraph.opengl), with a clean fallback.

OpenGL is optional twice over: ``pyqtgraph.opengl`` needs the PyOpenGL package, and the
platform must hand out an OpenGL context (offscreen test runs and some remote desktops do not).
``Surface3D`` checks both *before* creating a GL widget and otherwise shows a message saying
why, so ticking "3-D" never crashes the app.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.i18n import tr
from app.widgets.palette import MUTED


def opengl_problem() -> str | None:
    """Why a 3-D view cannot be shown here, or None if it can."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.platformName() in ("offscreen", "minimal"):
        return tr("The 3-D view needs OpenGL, which the '{platform}' platform does not offer.").format(
            platform=QGuiApplication.platformName())
    try:
        import pyqtgraph.opengl  # noqa: F401 - needs PyOpenGL
    except ImportError as exc:
        return tr("The 3-D view needs PyOpenGL (pip install PyOpenGL): {error}").format(error=exc)
    from PySide6.QtGui import QOffscreenSurface, QOpenGLContext

    context = QOpenGLContext()
    if not context.create():
        return tr("The 3-D view needs OpenGL, but no OpenGL context could be created on this display.")
    surface = QOffscreenSurface()
    surface.create()
    ok = context.makeCurrent(surface)
    if ok:
        context.doneCurrent()
    surface.destroy()
    return None if ok else tr("The 3-D view needs OpenGL, but the OpenGL context could not be used.")


class Surface3D(QWidget):
    """``set_data(xs, ys, Z, paths)``: the surface (height = loss) and paths [(xy, z, colour)].

    The GL widget is created on the first ``set_data`` with a working OpenGL; else ``message``
    explains and ``available`` is False.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("surface3d")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(tr("Compute a landscape to see it in 3-D."), self)
        self.label.setObjectName("surface3dMessage")
        self.label.setWordWrap(True)
        self.label.setStyleSheet(f"color: {MUTED}; padding: 24px")
        self._layout.addWidget(self.label)
        self.view = None
        self._items: list = []
        self.problem = opengl_problem()
        self.available = self.problem is None
        if not self.available:
            self.label.setText(self.problem + "\n" + tr("The 2-D map shows the same data."))

    @property
    def message(self) -> str:
        return self.label.text() if self.view is None else ""

    def set_data(self, xs, ys, Z, paths=()) -> None:
        if not self.available:
            return
        import pyqtgraph as pg
        import pyqtgraph.opengl as gl

        if self.view is None:
            self.view = gl.GLViewWidget(self)
            self.view.setBackgroundColor("w")
            self.label.hide()
            self._layout.addWidget(self.view)
        for item in self._items:
            self.view.removeItem(item)
        xs, ys = np.asarray(xs, float), np.asarray(ys, float)
        Z = np.asarray(Z, float)
        # scale everything into a unit box so every slice is framed the same way
        sx, sy = 1.0 / (np.ptp(xs) or 1.0), 1.0 / (np.ptp(ys) or 1.0)
        zmin, zmax = float(np.nanmin(Z)), float(np.nanmax(Z))
        logz = np.log10(Z - zmin + 1e-3 * (zmax - zmin or 1.0))
        lo, hi = float(np.nanmin(logz)), float(np.nanmax(logz))
        sz = 0.6 / ((hi - lo) or 1.0)
        height = (logz - lo) * sz
        cmap = pg.colormap.get("viridis")
        colors = cmap.map((logz - lo) / ((hi - lo) or 1.0), mode="float")
        surf = gl.GLSurfacePlotItem(x=(xs - xs.mean()) * sx, y=(ys - ys.mean()) * sy, z=height.T,
                                    colors=colors.transpose(1, 0, 2).reshape(-1, 4), shader=None,
                                    smooth=False, computeNormals=False)
        self._items = [surf]
        for xy, z, color in paths:
            zz = (np.log10(np.asarray(z, float) - zmin + 1e-3 * (zmax - zmin or 1.0)) - lo) * sz + 0.01
            pts = np.column_stack([(xy[:, 0] - xs.mean()) * sx, (xy[:, 1] - ys.mean()) * sy, zz])
            c = pg.mkColor(color)
            line = gl.GLLinePlotItem(pos=pts, color=(c.redF(), c.greenF(), c.blueF(), 1.0), width=2,
                                     antialias=True)
            self._items.append(line)
        for item in self._items:
            self.view.addItem(item)
        self.view.setCameraPosition(distance=2.2, elevation=35, azimuth=-60)
