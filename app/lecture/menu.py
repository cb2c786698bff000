"""The window's ``Lecture``: the Lecture menu, the scene dock and the scene being run.

The menu is filled when first shown and the dock built when first needed, so start-up imports
neither the scene modules nor the dock. ``open(name)`` shows the scene's panel, sets the scene
up (``app.lecture.runner``) and shows its text, then its checks when the run is done.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from app.i18n import tr


class Lecture(QObject):
    """``menu``, ``toggle_action`` (Ctrl+L), ``dock`` (built on first use), ``run`` (the last SceneRun)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.run = None
        self._dock = None
        self.menu = QMenu(tr("&Lecture"), window)
        self.menu.setObjectName("lectureMenu")
        self.toggle_action = window.make_action(
            "actionLectureScenes", tr("Lecture &scenes"), self.toggle_dock, ["Ctrl+L"],
            tr("Show or hide the list of lecture scenes"))
        self.menu.addAction(self.toggle_action)
        self.family_action = window.make_action(
            "actionFamilyTree", tr("Optimizer &family tree…"), self.show_family, (),
            tr("The optimizers as one family: click one to open its scene"))
        self.menu.addAction(self.family_action)
        self._family = None
        self.exercises_action = window.make_action(
            "actionExercises", tr("&Exercises…"), self.show_exercises, ["Ctrl+Shift+E"],
            tr("Predict a scene's result, then run it and see whether you were right"))
        self.menu.addAction(self.exercises_action)
        self._exercises = None
        self._filled = False
        self.menu.aboutToShow.connect(self.fill_menu)

    def fill_menu(self) -> None:
        """One submenu per lecture part, one action per scene (done once, on first show)."""
        if self._filled:
            return
        from app.lecture import catalogue
        from app.lecture.scene import PARTS

        self._filled = True
        self.menu.addSeparator()
        for part, group in catalogue.by_part().items():
            sub = self.menu.addMenu(tr(PARTS[part]))
            for scene in group:
                action = sub.addAction(tr(scene.title))
                action.setObjectName(f"actionScene_{scene.name}")
                action.setData(scene.name)
                action.triggered.connect(lambda _=False, name=scene.name: self.open(name))

    @property
    def dock(self):
        """The scene dock (built, hidden, on first use)."""
        if self._dock is None:
            from app.lecture.dock import SceneDock

            self._dock = SceneDock(self.window, self.open)
            self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self._dock)
            self._dock.hide()
        return self._dock

    @property
    def family(self):
        """The optimizer family tree dialog (``app.lecture.family_view``), built on first use."""
        if self._family is None:
            from app.lecture.family_view import FamilyTreeDialog

            self._family = FamilyTreeDialog(self.window)
            self._family.sceneRequested.connect(self.open)
        return self._family

    @property
    def exercises(self):
        """The Exercises dialog (``app.lecture.exercise_view``), built on first use."""
        if self._exercises is None:
            from app.lecture.exercise_view import ExercisesDialog

            self._exercises = ExercisesDialog(self, self.window)
        return self._exercises

    def show_exercises(self) -> None:
        self.exercises.show()
        self.exercises.raise_()

    def show_family(self) -> None:
        self.family.show()
        self.family.raise_()

    def has_dock(self) -> bool:
        return self._dock is not None

    def toggle_dock(self) -> None:
        if self._dock is not None and self._dock.isVisible():
            self._dock.hide()
        else:
            self.dock.show_list()

    def open(self, name: str, timeout_ms: int = 0):
        """Show scene ``name``: its panel, set up, explained; returns the ``SceneRun`` (async).

        ``timeout_ms=0`` waits as long as the scene needs (the user may pause a training run).
        """
        from app.lecture import catalogue
        from app.lecture.runner import SceneRun

        scene = catalogue.get(name)
        self.cancel()
        panel = self.window.show_panel(scene.panel_id)
        run = SceneRun(scene, panel, timeout_ms, parent=self)
        self.run = run
        self.dock.show_scene(scene)
        run.done.connect(lambda _ok, run=run: self.dock.show_run(run))
        return run.start()

    def open_offset(self, offset: int):
        """Open the scene ``offset`` places after (or before) the current one, in lecture order.

        Without a current scene, +1 opens the first scene of the visible panel (else the first
        of all). Returns the SceneRun, or None past either end.
        """
        from app.lecture import catalogue

        order = catalogue.names()
        if not order:
            return None
        current = self.run.scene.name if self.run is not None else None
        if current in order:
            i = order.index(current) + offset
        else:
            panel = self.window.current_panel()
            own = [n for n in order if panel is not None and catalogue.get(n).panel_id == panel.panel_id]
            i = order.index(own[0]) if own else 0
        if not 0 <= i < len(order):
            return None
        return self.open(order[i])

    def run_blocking(self, name: str, timeout_ms: int = 120000):
        """``open`` and wait until the scene has finished (``--scene NAME --screenshot``, tests)."""
        run = self.open(name, timeout_ms)
        run.wait()
        return run

    def cancel(self) -> None:
        """Stop waiting for the running scene (a new one opens, or the window closes)."""
        if self.run is not None:
            self.run.cancel()
