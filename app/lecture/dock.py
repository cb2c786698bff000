"""The Lecture dock: every scene listed by lecture part, and the active scene's text and checks.

The dock (right of the panels, or below those that need the whole width) shows either the list
of scenes (the start page: double-click or Enter opens one) or, while a scene is active, its
explanation with previous/next buttons and, once the scene has run, its checks' outcomes. It
only displays; ``app.lecture.menu.Lecture`` opens scenes.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.lecture import catalogue
from app.lecture.pane import ScenePane
from app.lecture.scene import PARTS
from app.widgets import palette

DOCK_WIDTH = 300
KEEP_MS = 1000  # how long after a move the window's size is kept (see SceneDock._fit)
RIGHT_MIN_WIDTH = 260  # narrower than this the text is hard to read: the dock goes below instead
_NAME_ROLE = Qt.ItemDataRole.UserRole


class SceneList(QTreeWidget):
    """The scenes under their lecture parts; ``itemActivated`` of a scene opens it (via the dock)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sceneTree")
        self.setHeaderHidden(True)
        self.setRootIsDecorated(True)
        self.setWordWrap(True)
        for part, group in catalogue.by_part().items():
            top = QTreeWidgetItem(self, [tr(PARTS[part])])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for scene in group:
                item = QTreeWidgetItem(top, [tr(scene.title)])
                item.setData(0, _NAME_ROLE, scene.name)
                item.setToolTip(0, tr(scene.explanation))
        self.expandAll()

    def scene_names(self) -> list[str]:
        names = []
        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            names.extend(top.child(j).data(0, _NAME_ROLE) for j in range(top.childCount()))
        return names

    def select(self, name: str) -> None:
        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            for j in range(top.childCount()):
                if top.child(j).data(0, _NAME_ROLE) == name:
                    self.setCurrentItem(top.child(j))
                    return


class SceneDock(QDockWidget):
    """``SceneDock(window, open_scene)``: the start page (list) and the explanation pane, in one dock.

    ``open_scene(name)`` is called when the user picks a scene here.
    """

    def __init__(self, window, open_scene):
        super().__init__(tr("Lecture"), window)
        self.open = open_scene
        self.setObjectName("sceneDock")
        self.window_ = window
        self.current: str | None = None
        self._sized = False
        self._keep_size = None  # the window's size before the dock moved (see _fit)
        self._keep_clock = QElapsedTimer()
        self.stack = QStackedWidget(self)
        start = QWidget(self.stack)
        col = QVBoxLayout(start)
        col.setContentsMargins(6, 6, 6, 6)
        intro = QLabel(tr("One click sets a panel up to show a claim of the lecture, with what to "
                          "look at. Double-click a scene (or select it and press Enter)."), start)
        intro.setObjectName("sceneIntro")
        intro.setWordWrap(True)
        self.intro = intro
        self._recolour()
        palette.signals.changed.connect(self._recolour)
        self.tree = SceneList(start)
        self.tree.itemActivated.connect(self._on_activated)
        col.addWidget(intro)
        col.addWidget(self.tree, 1)
        self.pane = ScenePane(self.stack)
        self.pane.previousRequested.connect(lambda: self._open_offset(-1))
        self.pane.nextRequested.connect(lambda: self._open_offset(+1))
        self.pane.replayRequested.connect(lambda: self.current and self.open(self.current))
        self.pane.listRequested.connect(self.show_list)
        self.stack.addWidget(start)
        self.stack.addWidget(self.pane)
        self.stack.currentChanged.connect(self._size_to_page)
        self._size_to_page()
        self.setWidget(self.stack)
        self.bottom = False
        window.tabs.currentChanged.connect(lambda _i: self.isVisible() and self.place())

    def _size_to_page(self, *_args) -> None:
        """Only the visible page counts for the dock's size (a stack takes the largest page's)."""
        for i in range(self.stack.count()):
            page = self.stack.widget(i)
            policy = QSizePolicy.Policy.Preferred if i == self.stack.currentIndex() else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
            page.adjustSize()

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        name = item.data(0, _NAME_ROLE)
        if name:
            self.open(name)

    def _open_offset(self, offset: int) -> None:
        order = self.tree.scene_names()
        if self.current in order:
            i = order.index(self.current) + offset
            if 0 <= i < len(order):
                self.open(order[i])

    def _recolour(self, *_dark) -> None:
        self.intro.setStyleSheet(f"color: {palette.MUTED}")

    def show_scene(self, scene) -> None:
        """Show ``scene``'s explanation (its checks follow with ``show_run``)."""
        order = self.tree.scene_names()
        self.current = scene.name
        self.pane.show_scene(scene, tr(PARTS[scene.part]), order.index(scene.name), len(order))
        self.tree.select(scene.name)
        self.stack.setCurrentWidget(self.pane)
        self._show()

    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)
        self._show()

    def _show(self) -> None:
        self.place()  # first: shown in the wrong area it would widen the window
        self.show()
        self.raise_()

    def place(self) -> None:
        """Beside the panels if they leave room on the right, else as a strip below them.

        Panels with wide controls (Training, Compare, Backprop) need the whole width of a
        1280-pixel window; putting the text beside them would force the window wider (and the
        tab widget keeps the width of the widest panel built so far).
        """
        window = self.window_
        # the tab widget is as wide as its widest built panel, shown or not
        need = window.centralWidget().minimumSizeHint().width() + RIGHT_MIN_WIDTH + 24
        bottom = need > window.width()
        if bottom != self.bottom or not self._sized:
            self.bottom = bottom
            self._sized = True
            feature = QDockWidget.DockWidgetFeature
            features = feature.DockWidgetClosable | feature.DockWidgetMovable
            if bottom:  # the title bar on the left: the strip costs no extra height
                features |= feature.DockWidgetVerticalTitleBar
            self.setFeatures(features)
            self.setMinimumWidth(0 if bottom else RIGHT_MIN_WIDTH)
            self.tree.setMaximumHeight(110 if bottom else 16777215)
            self.intro.setVisible(not bottom)
            self.pane.set_compact(bottom)
            area = Qt.DockWidgetArea.BottomDockWidgetArea if bottom else Qt.DockWidgetArea.RightDockWidgetArea
            size = window.size()
            window.addDockWidget(area, self)
            if not bottom:
                window.resizeDocks([self], [DOCK_WIDTH], Qt.Orientation.Horizontal)
            self._keep_size = size
            self._keep_clock.start()
            QTimer.singleShot(0, window, self._fit)

    def _fit(self) -> None:
        """After a move: the strip as low as its text allows, and the window back to its size.

        Moving the dock can make Qt grow the window for a moment (the strip's first layout);
        a window never shrinks back by itself, so for a second after a move every resize of the
        dock puts the window back to the size it had.
        """
        window, size = self.window_, self._keep_size
        if size is None:
            return
        if self.bottom:
            window.resizeDocks([self], [self.minimumSizeHint().height()], Qt.Orientation.Vertical)
        window.resize(size.expandedTo(window.minimumSizeHint()))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        if self._keep_size is not None and self._keep_clock.isValid() and self._keep_clock.elapsed() < KEEP_MS:
            QTimer.singleShot(0, self.window_, self._fit)

    def show_run(self, run) -> None:
        """Show how ``run`` (a finished ``SceneRun`` of the scene shown) ended: each check, or why it failed."""
        if run.scene.name == self.current:
            self.pane.show_outcomes(run.outcomes, run.message)
