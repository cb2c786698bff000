"""GradLab's main window: one tab per lecture topic, global Run actions, menus and persistence.

Panels are built the first time their tab is shown, so start-up pays only for the visible one.
The Run actions (Play/Pause, Step, Reset) always act on the visible panel. Geometry, the last
panel and every built panel's settings persist in ``QSettings("GradLab", "GradLab")``; closing
the window stops every worker before it goes.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import panels as panel_registry
from app import workers
from app.panels.base import Panel

ORGANIZATION = APPLICATION = "GradLab"
DEFAULT_SIZE = (1280, 800)


def settings() -> QSettings:
    """The app's settings store (tests redirect it to a temporary folder)."""
    return QSettings(ORGANIZATION, APPLICATION)


class MainWindow(QMainWindow):
    """``MainWindow(panel=None, persist=True)``.

    ``panel`` picks the first panel shown (else the last one used, else the first). With
    ``persist=False`` nothing is read from or written to QSettings (used for screenshots).
    """

    def __init__(self, panel: str | None = None, persist: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("GradLab")
        self.persist = persist
        self._panels: dict[str, Panel] = {}
        self._hosts: dict[str, QWidget] = {}
        self._closed = False

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("panelTabs")
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        for panel_id, cls in panel_registry.PANELS.items():
            host = QWidget()
            host.setObjectName(f"{panel_id}Host")
            QVBoxLayout(host).setContentsMargins(0, 0, 0, 0)
            self._hosts[panel_id] = host
            index = self.tabs.addTab(host, cls.title or panel_id.title())
            self.tabs.setTabToolTip(index, cls.description or cls.title)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.status = self.statusBar()
        self.status.setObjectName("statusBar")
        self.status.showMessage("Space: play/pause · → or N: step · R: reset", 8000)

        self.resize(*DEFAULT_SIZE)
        start = panel
        if persist:
            store = settings()
            geometry = store.value("window/geometry")
            if geometry is not None:
                self.restoreGeometry(geometry)
            if start is None:
                start = store.value("window/panel", None)
        if start is not None and start not in self._hosts:
            if panel is not None:  # an explicit bad name is an error; a stale setting is not
                panel_registry.get(panel)
            start = None
        self.tabs.currentChanged.connect(self._on_tab_changed)
        if start is not None:
            self.tabs.setCurrentIndex(list(self._hosts).index(start))
        self._on_tab_changed(self.tabs.currentIndex())

    # ---- panels ----------------------------------------------------------------------------------
    def panel_ids(self) -> list[str]:
        return list(self._hosts)

    def panel(self, panel_id: str) -> Panel:
        """The panel ``panel_id``, built (and its settings restored) on first use."""
        if panel_id not in self._hosts:
            panel_registry.get(panel_id)  # raises the helpful ValueError
        p = self._panels.get(panel_id)
        if p is None:
            cls = panel_registry.PANELS[panel_id]
            p = cls(self._hosts[panel_id])
            if self.persist:
                store = settings()
                store.beginGroup(panel_id)
                try:
                    p.restore_settings(store)
                finally:
                    store.endGroup()
            p.statusMessage.connect(self._show_status)
            p.errorOccurred.connect(lambda msg: self._show_status(f"Error: {msg}", 10000))
            p.playingChanged.connect(lambda playing, p=p: self._sync_play_action(p))
            self._hosts[panel_id].layout().addWidget(p)
            self._panels[panel_id] = p
        return p

    def current_panel(self) -> Panel | None:
        index = self.tabs.currentIndex()
        if index < 0:
            return None
        return self.panel(list(self._hosts)[index])

    def show_panel(self, panel_id: str) -> Panel:
        """Make ``panel_id`` the visible panel and return it."""
        p = self.panel(panel_id)
        self.tabs.setCurrentIndex(list(self._hosts).index(panel_id))
        return p

    def _on_tab_changed(self, index: int) -> None:
        if index < 0:
            return
        p = self.current_panel()
        self.setWindowTitle(f"GradLab — {p.title}")
        for action in self.panel_actions.actions():
            action.setChecked(action.data() == p.panel_id)
        self._sync_play_action(p)

    # ---- actions ---------------------------------------------------------------------------------
    def _action(self, name: str, text: str, slot, shortcuts=(), tip: str = "", icon=None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        keys = " or ".join(QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText) for s in shortcuts)
        action.setToolTip(f"{tip} ({keys})" if keys else tip)
        action.setStatusTip(tip)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even when the toolbar is hidden
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.actionPlayPause = self._action(
            "actionPlayPause", "&Play", lambda: self._on_run("play_pause"), ["Space"],
            "Play or pause the visible panel's animation", sp.SP_MediaPlay,
        )
        self.actionStep = self._action(
            "actionStep", "&Step", lambda: self._on_run("step"), ["Right", "N"],
            "Advance the visible panel by exactly one step", sp.SP_MediaSkipForward,
        )
        self.actionReset = self._action(
            "actionReset", "&Reset", lambda: self._on_run("reset"), ["R"],
            "Return the visible panel to its start", sp.SP_BrowserReload,
        )
        self.actionSaveImage = self._action(
            "actionSaveImage", "&Save panel as PNG…", self.save_image_dialog, [QKeySequence.StandardKey.Save],
            "Save a picture of the visible panel", sp.SP_DialogSaveButton,
        )
        self.actionQuit = self._action("actionQuit", "&Quit", self.close, [QKeySequence.StandardKey.Quit], "Quit GradLab")
        self.actionAbout = self._action("actionAbout", "&About GradLab", self.about, [], "About GradLab")
        self.panel_actions = QActionGroup(self)
        self.panel_actions.setExclusive(True)
        for i, (panel_id, cls) in enumerate(panel_registry.PANELS.items()):
            action = self._action(
                f"actionShow_{panel_id}", cls.title or panel_id, lambda _=False, pid=panel_id: self.show_panel(pid),
                [f"Ctrl+{i + 1}"] if i < 9 else [], f"Show the {cls.title or panel_id} panel",
            )
            action.setCheckable(True)
            action.setData(panel_id)
            self.panel_actions.addAction(action)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.actionSaveImage)
        file_menu.addSeparator()
        file_menu.addAction(self.actionQuit)
        view = bar.addMenu("&View")
        for action in self.panel_actions.actions():
            view.addAction(action)
        run = bar.addMenu("&Run")
        for action in (self.actionPlayPause, self.actionStep, self.actionReset):
            run.addAction(action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.actionAbout)

    def _build_toolbar(self) -> None:
        tb = self.addToolBar("Run")
        tb.setObjectName("runToolBar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.actionPlayPause, self.actionStep, self.actionReset):
            tb.addAction(action)
        tb.addSeparator()
        tb.addAction(self.actionSaveImage)

    def _on_run(self, method: str) -> None:
        p = self.current_panel()
        if p is not None:
            getattr(p, method)()
            self._sync_play_action(p)

    def _sync_play_action(self, p: Panel) -> None:
        if p is not self.current_panel():
            return
        playing = p.is_playing()
        self.actionPlayPause.setText("&Pause" if playing else "&Play")
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.actionPlayPause.setIcon(self.style().standardIcon(icon))

    def _show_status(self, text: str, timeout_ms: int = 5000) -> None:
        self.status.showMessage(text, timeout_ms)

    # ---- file / help -----------------------------------------------------------------------------
    def save_image(self, path: str, whole_window: bool = False) -> bool:
        """Render the visible panel (or the whole window) to ``path`` (PNG)."""
        widget = self if whole_window else self.current_panel()
        return bool(widget is not None and widget.grab().save(path))

    def save_image_dialog(self) -> None:
        p = self.current_panel()
        path, _ = QFileDialog.getSaveFileName(self, "Save panel as PNG", f"gradlab-{p.panel_id}.png", "PNG images (*.png)")
        if path:
            if not path.lower().endswith(".png"):
                path += ".png"
            ok = self.save_image(path)
            self._show_status(f"Saved {path}" if ok else f"Could not write {path}")

    def about(self) -> None:
        QMessageBox.about(
            self,
            "About GradLab",
            "<h3>GradLab</h3><p>An offline lab where you watch a neural network being trained: "
            "activations, optimizers, initialization and regularization, following the lecture "
            "and chapter 6 of <i>Deep Learning from Scratch</i>.</p>"
            "<p>Space: play/pause · → or N: step · R: reset · Ctrl+1…: panels</p>",
        )

    # ---- persistence and shutdown ----------------------------------------------------------------
    def save_settings(self) -> None:
        if not self.persist:
            return
        store = settings()
        store.setValue("window/geometry", self.saveGeometry())
        p = self.current_panel()
        if p is not None:
            store.setValue("window/panel", p.panel_id)
        for panel_id, panel in self._panels.items():
            store.beginGroup(panel_id)
            try:
                panel.save_settings(store)
            finally:
                store.endGroup()
        store.sync()

    def shutdown(self) -> bool:
        """Stop every panel's workers and join every thread (idempotent). True if all stopped."""
        ok = True
        for panel in self._panels.values():
            ok = panel.shutdown() and ok
        return workers.shutdown_all() and ok

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if not self._closed:
            self._closed = True
            self.save_settings()
            self.shutdown()
        super().closeEvent(event)


def app_instance(argv: list[str] | None = None) -> QApplication:
    """The QApplication, created once with GradLab's names (QSettings uses them)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or ["gradlab"])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    if not app.property("gradlabShutdownHooked"):
        app.aboutToQuit.connect(workers.shutdown_all)  # e.g. Ctrl+C or a session logout
        app.setProperty("gradlabShutdownHooked", True)
    return app
