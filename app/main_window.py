"""GradLab's main window: one tab per lecture topic, global Run actions, menus and persistence.

Panels are imported and built the first time their tab is shown (the registry lists them
without importing them), so start-up pays only for the visible one. The Run actions
(Play/Pause, Step, Reset) always act on the visible panel. The window builds its menus and owns
its extensions as explicit objects: ``sessions`` (``SessionMenu``), ``exports``
(``ExportMenu``), ``help`` (``HelpMenu``), ``themes`` (``ThemeMenu``), ``lecture``
(``Lecture``), ``presenter`` (``Presenter``: presentation mode and the zoom). Geometry, the last panel and every built panel's ``state()`` persist in QSettings
(``app.settings_store``); closing the window stops every worker before it goes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import fonts, i18n, settings_store, workers
from app import panels as panel_registry
from app.export_menu import ExportMenu
from app.focus_keys import FocusFirst
from app.help_menu import HelpMenu
from app.i18n import tr
from app.lecture.menu import Lecture
from app.panels.base import Panel
from app.presentation import Presenter
from app.session_menu import SessionMenu
from app.settings_store import APPLICATION, ORGANIZATION, settings
from app.themes import ThemeMenu

DEFAULT_SIZE = (1280, 800)

# Windows created by a language switch: nothing else holds a Python reference to them.
_open_windows: set["MainWindow"] = set()


class MainWindow(QMainWindow):
    """``MainWindow(panel=None, persist=True)``.

    ``panel`` picks the first panel shown (else the last one used, else the first). With
    ``persist=False`` nothing is read from or written to QSettings (used for screenshots).
    """

    def __init__(self, panel: str | None = None, persist: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        fonts.apply_language_font(QApplication.instance(), i18n.language())
        self.setWindowTitle("GradLab")
        self.persist = persist
        self._panels: dict[str, Panel] = {}
        self._hosts: dict[str, QWidget] = {}
        self._closed = False
        self.replaced_by: MainWindow | None = None

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("panelTabs")
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        for panel_id, info in panel_registry.PANELS.items():
            host = QWidget()
            host.setObjectName(f"{panel_id}Host")
            QVBoxLayout(host).setContentsMargins(0, 0, 0, 0)
            self._hosts[panel_id] = host
            index = self.tabs.addTab(host, tr(info.title or panel_id.title()))
            self.tabs.setTabToolTip(index, tr(info.description or info.title))

        self._build_actions()
        self.focus_first = FocusFirst(self)  # Space ticks a focused checkbox instead of playing, …
        self.presenter = Presenter(self, persist=persist)
        self.sessions = SessionMenu(self)
        self.exports = ExportMenu(self)
        self.help = HelpMenu(self)
        self.themes = ThemeMenu(self, persist=persist)
        self.lecture = Lecture(self)
        self._build_menus()
        self._build_toolbar()
        self.status = self.statusBar()
        self.status.setObjectName("statusBar")
        self.status.showMessage(tr("Space: play/pause · → or N: step · R: reset"), 8000)

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
        self.presenter.zoom.apply()  # the stored zoom (or 1.0: a previous window's zoom is undone)
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
            cls = panel_registry.PANELS[panel_id].load()
            p = cls(self._hosts[panel_id])
            if self.persist:
                settings_store.restore_panel(p)
            p.statusMessage.connect(self._show_status)
            p.errorOccurred.connect(lambda msg: self._show_status(tr("Error: {message}").format(message=msg), 10000))
            p.playingChanged.connect(lambda playing, p=p: self._sync_play_action(p))
            self._hosts[panel_id].layout().addWidget(p)
            self._panels[panel_id] = p
            self.presenter.zoom.apply_to(p)
        return p

    def built_panel(self, panel_id: str) -> Panel | None:
        """The panel ``panel_id`` if it has been built, else None (does not build it)."""
        return self._panels.get(panel_id)

    def built_panels(self) -> list[Panel]:
        return list(self._panels.values())

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
        self.setWindowTitle(f"GradLab — {tr(p.title)}")
        for action in self.panel_actions.actions():
            action.setChecked(action.data() == p.panel_id)
        self._sync_play_action(p)

    # ---- actions ---------------------------------------------------------------------------------
    def make_action(self, name: str, text: str, slot, shortcuts=(), tip: str = "", icon=None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        native = QKeySequence.SequenceFormat.NativeText
        keys = f" {tr('or')} ".join(QKeySequence(s).toString(native) for s in shortcuts)
        action.setToolTip(f"{tip} ({keys})" if keys else tip)
        action.setStatusTip(tip)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even when the toolbar is hidden
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.actionPlayPause = self.make_action(
            "actionPlayPause", tr("&Play"), lambda: self._on_run("play_pause"), ["Space"],
            tr("Play or pause the visible panel's animation"), sp.SP_MediaPlay,
        )
        self.actionStep = self.make_action(
            "actionStep", tr("&Step"), lambda: self._on_run("step"), ["Right", "N"],
            tr("Advance the visible panel by exactly one step"), sp.SP_MediaSkipForward,
        )
        self.actionReset = self.make_action(
            "actionReset", tr("&Reset"), lambda: self._on_run("request_reset"), ["R"],
            tr("Return the visible panel to its start"), sp.SP_BrowserReload,
        )
        self.actionSaveImage = self.make_action(
            "actionSaveImage", tr("&Save panel as PNG…"), self.save_image_dialog, [],
            tr("Save a picture of the visible panel"), sp.SP_DialogSaveButton,
        )
        self.actionOpenDataset = self.make_action(
            "actionOpenDataset", tr("Open &dataset…"), self.open_dataset_dialog, ["Ctrl+D"],
            tr("Train on your own CSV table or MNIST / Fashion-MNIST files (IDX, .gz or mnist.npz) in the Training panel"),
            sp.SP_DialogOpenButton,
        )
        self.actionExportHandout = self.make_action(
            "actionExportHandout", tr("Export &handout…"), self.export_handout_dialog, [],
            tr("A PDF with one page per lecture scene: its picture, its explanation and room for notes"))
        self.actionQuit = self.make_action("actionQuit", tr("&Quit"), self.close, [QKeySequence.StandardKey.Quit], tr("Quit GradLab"))
        self.panel_actions = QActionGroup(self)
        self.panel_actions.setExclusive(True)
        for i, (panel_id, info) in enumerate(panel_registry.PANELS.items()):
            action = self.make_action(
                f"actionShow_{panel_id}", tr(info.title or panel_id), lambda _=False, pid=panel_id: self.show_panel(pid),
                [f"Ctrl+{i + 1}"] if i < 9 else [], tr("Show the {panel} panel").format(panel=tr(info.title or panel_id)),
            )
            action.setCheckable(True)
            action.setData(panel_id)
            self.panel_actions.addAction(action)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(tr("&File"))
        file_menu.setObjectName("fileMenu")
        file_menu.addAction(self.sessions.open_action)
        file_menu.addMenu(self.sessions.recent_menu)
        file_menu.addAction(self.sessions.save_action)
        file_menu.addSeparator()
        if "training" in panel_registry.PANELS:
            file_menu.addAction(self.actionOpenDataset)
        file_menu.addAction(self.actionSaveImage)
        file_menu.addMenu(self.exports.menu)
        file_menu.addAction(self.actionExportHandout)
        file_menu.addSeparator()
        file_menu.addAction(self.actionQuit)
        self.file_menu = file_menu
        edit = bar.addMenu(tr("&Edit"))
        edit.setObjectName("editMenu")
        edit.addAction(self.exports.copy_action)
        view = bar.addMenu(tr("&View"))
        view.setObjectName("viewMenu")
        for action in self.panel_actions.actions():
            view.addAction(action)
        view.addSeparator()
        self.language_menu = view.addMenu(tr("&Language"))
        self.language_menu.setObjectName("languageMenu")
        self.language_actions = QActionGroup(self)
        self.language_actions.setExclusive(True)
        for code, name in i18n.available_languages():
            action = self.language_menu.addAction(name)
            action.setObjectName(f"actionLanguage_{code}")
            action.setCheckable(True)
            action.setChecked(code == i18n.language())
            action.setData(code)
            action.triggered.connect(lambda _=False, code=code: self.switch_language(code))
            self.language_actions.addAction(action)
        view.addSeparator()
        view.addMenu(self.themes.menu)
        view.addSeparator()
        for action in self.presenter.actions():
            view.addSeparator() if action is None else view.addAction(action)
        run = bar.addMenu(tr("&Run"))
        run.setObjectName("runMenu")
        for action in (self.actionPlayPause, self.actionStep, self.actionReset):
            run.addAction(action)
        bar.addMenu(self.lecture.menu)
        help_menu = bar.addMenu(tr("&Help"))
        help_menu.setObjectName("helpMenu")
        help_menu.addAction(self.help.formulas_action)
        help_menu.addAction(self.help.glossary_action)
        help_menu.addSeparator()
        help_menu.addAction(self.help.about_action)

    def _build_toolbar(self) -> None:
        tb = self.addToolBar(tr("Run"))
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
        self.actionPlayPause.setText(tr("&Pause") if playing else tr("&Play"))
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.actionPlayPause.setIcon(self.style().standardIcon(icon))

    def _show_status(self, text: str, timeout_ms: int = 5000) -> None:
        self.status.showMessage(text, timeout_ms)

    # ---- file / help -----------------------------------------------------------------------------
    def save_image(self, path: str, whole_window: bool = False) -> bool:
        """Render the visible panel (or the whole window) to ``path`` (PNG)."""
        widget = self if whole_window else self.current_panel()
        return bool(widget is not None and widget.grab().save(path))

    def open_dataset_dialog(self) -> None:
        """File ▸ Open dataset: show the Training panel and let it pick and load the files."""
        self.show_panel("training").open_dataset_dialog()

    def export_handout_dialog(self):
        """File ▸ Export handout…: the scenes into a PDF, with progress and Cancel (``app.handout_job``)."""
        from app.handout_job import export_handout_dialog

        return export_handout_dialog(self)

    def save_image_dialog(self) -> None:
        p = self.current_panel()
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Save panel as PNG"), f"gradlab-{p.panel_id}.png", tr("PNG images (*.png)")
        )
        if path:
            if not path.lower().endswith(".png"):
                path += ".png"
            ok = self.save_image(path)
            self._show_status((tr("Saved {path}") if ok else tr("Could not write {path}")).format(path=path))

    # ---- language ------------------------------------------------------------------------------------
    def switch_language(self, lang: str) -> "MainWindow":
        """Rebuild the window in ``lang`` on the same panel; returns the window now showing.

        This window closes first (saving its settings and stopping every worker), then the
        new one is built in ``lang``, restores those settings and takes this one's place; the
        language is remembered in QSettings.
        """
        lang = i18n.check_language(lang)
        if lang == i18n.language():
            return self
        panel = self.current_panel()
        carried = {pid: p.carry_over() for pid, p in self._panels.items()}  # e.g. Compare's results
        geometry, maximized, visible = self.geometry(), self.isMaximized(), self.isVisible()
        app = QApplication.instance()
        quit_on_close = app.quitOnLastWindowClosed()
        app.setQuitOnLastWindowClosed(False)  # the old window goes before the new one is up
        try:
            self.close()  # saves settings and stops every worker first: no thread outlives it
            i18n.set_language(lang)
            if self.persist:
                settings().setValue(i18n.SETTINGS_KEY, lang)
            new = MainWindow(panel=panel.panel_id if panel else None, persist=self.persist)
            for pid, value in carried.items():
                if value is not None:
                    new.panel(pid).take_over(value)
            new.setGeometry(geometry)
            if maximized:
                new.showMaximized()
            elif visible:
                new.show()
        finally:
            app.setQuitOnLastWindowClosed(quit_on_close)
        _open_windows.add(new)  # the launcher's reference still points at this one
        self.replaced_by = new
        return new

    # ---- persistence and shutdown ----------------------------------------------------------------
    def save_settings(self) -> None:
        if not self.persist:
            return
        store = settings()
        store.setValue("window/geometry", self.saveGeometry())
        p = self.current_panel()
        if p is not None:
            store.setValue("window/panel", p.panel_id)
        for panel in self._panels.values():
            settings_store.save_panel(panel, store)
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
            self.lecture.cancel()
            self.save_settings()
            self.shutdown()
            _open_windows.discard(self)
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
        _gc_on_gui_thread()
    return app


_GC = None


def _gc_on_gui_thread() -> None:
    """Collect cyclic garbage only on the GUI thread, on a timer (pyqtgraph's GarbageCollector).

    Left automatic, Python's cyclic GC runs in whichever thread allocates (often an engine
    worker), and destroying Qt wrappers there can crash Qt. Tests do the same in conftest.
    """
    global _GC
    if _GC is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _GC = GarbageCollector(interval=1.0)
