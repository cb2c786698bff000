"""Presentation mode (View ▸ Presentation, F5): full screen, big type, scene by scene.

While presenting, the window is full screen without tool and status bars, the zoom
(``app.zoom``) makes every font larger, PageDown/PageUp (and a presenter remote's Right/Left)
open the next/previous lecture scene, B or period blanks the screen, the controls columns can be
hidden (Ctrl+H) to give the plots the width, and Esc (or F5 again) leaves. The Step action keeps
N while presenting (Right moves between scenes then). The zoom keys (Ctrl+= / Ctrl+- / Ctrl+0)
work in and out of presentation mode. The logic that needs no Qt is ``app.models.presentation``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget

from app.i18n import tr
from app.models.presentation import BLANK_KEYS, NEXT_KEYS, PREVIOUS_KEYS, Presentation
from app.widgets import controls_column
from app.zoom import Zoom


class Presenter(QObject):
    """``Presenter(window, persist)``: the View menu's presentation and zoom actions, and their effect."""

    activeChanged = Signal(bool)

    def __init__(self, window, persist: bool = True):
        super().__init__(window)
        self.window = window
        self.state = Presentation()
        self.zoom = Zoom(window, persist=persist)
        self.state.set_zoom(self.zoom.factor)
        self._restore: dict = {}
        self._blank: QWidget | None = None
        make = window.make_action
        self.present_action = make("actionPresentation", tr("&Presentation"), self.toggle, ["F5"],
                                   tr("Full screen with large type; PageDown/PageUp move between scenes, Esc leaves"))
        self.present_action.setCheckable(True)
        self.zoom_in_action = make("actionZoomIn", tr("Zoom &in"), self.zoom_in, ["Ctrl+=", "Ctrl++"],
                                   tr("Larger type everywhere, plots included"))
        self.zoom_out_action = make("actionZoomOut", tr("Zoom &out"), self.zoom_out, ["Ctrl+-"],
                                    tr("Smaller type everywhere, plots included"))
        self.zoom_reset_action = make("actionZoomReset", tr("&Actual size"), self.zoom_reset, ["Ctrl+0"],
                                      tr("Type at its normal size"))
        self.controls_action = make("actionShowControls", tr("Show &controls"), self.set_controls_visible,
                                    ["Ctrl+H"], tr("Show or hide the controls column of every panel"))
        self.controls_action.setCheckable(True)
        self.controls_action.setChecked(True)
        # active only while presenting (Right is the Step key otherwise)
        # Right/Left join PageDown/PageUp only while presenting (enter/leave): outside they step
        self.next_action = make("actionNextScene", tr("Next scene"), lambda: self.step_scene(+1), NEXT_KEYS[:1],
                                tr("Open the next scene of the lecture"))
        self.previous_action = make("actionPreviousScene", tr("Previous scene"), lambda: self.step_scene(-1),
                                    PREVIOUS_KEYS[:1], tr("Open the previous scene of the lecture"))
        self.blank_action = make("actionBlankScreen", tr("Blank screen"), self.toggle_blank, BLANK_KEYS,
                                 tr("Black out the screen, or show it again"))
        self.leave_action = make("actionLeavePresentation", tr("Leave presentation"), self.leave, ["Esc"],
                                 tr("Leave presentation mode"))
        self._modal_actions = (self.next_action, self.previous_action, self.blank_action, self.leave_action)
        for action in self._modal_actions:
            action.setEnabled(False)

    def actions(self):
        """The View menu's entries, in order (None: a separator)."""
        return [self.present_action, self.controls_action, None,
                self.zoom_in_action, self.zoom_out_action, self.zoom_reset_action]

    # ---- zoom ----------------------------------------------------------------------------------
    def set_zoom(self, value) -> float:
        return self.zoom.set(self.state.set_zoom(value))

    def zoom_in(self) -> float:
        return self.zoom.set(self.state.zoom_in())

    def zoom_out(self) -> float:
        return self.zoom.set(self.state.zoom_out())

    def zoom_reset(self) -> float:
        return self.zoom.set(self.state.zoom_reset())

    # ---- presenting ----------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.state.active

    def toggle(self) -> None:
        self.leave() if self.state.active else self.enter()

    def enter(self, full_screen: bool = True) -> None:
        """Present: full screen (unless ``full_screen`` is False, e.g. a sized screenshot), bars hidden."""
        w = self.window
        if self.state.active:
            return
        self.state.enter()
        self._restore = {"maximized": w.isMaximized(), "full": w.isFullScreen(), "geometry": w.geometry(),
                         "step": w.actionStep.shortcuts()}
        w.actionStep.setShortcuts([QKeySequence("N")])  # Right is "next scene" now
        self.next_action.setShortcuts([QKeySequence(k) for k in NEXT_KEYS])
        self.previous_action.setShortcuts([QKeySequence(k) for k in PREVIOUS_KEYS])
        for action in self._modal_actions:
            action.setEnabled(True)
        for bar in self._bars():
            bar.hide()
        self.present_action.setChecked(True)
        if full_screen:
            w.showFullScreen()
        self.activeChanged.emit(True)

    def leave(self) -> None:
        """Back to the window as it was (the zoom stays: Ctrl+0 resets it)."""
        w = self.window
        if not self.state.active:
            return
        self.state.leave()
        self._show_blank(False)
        for action in self._modal_actions:
            action.setEnabled(False)
        self.next_action.setShortcuts([QKeySequence(NEXT_KEYS[0])])
        self.previous_action.setShortcuts([QKeySequence(PREVIOUS_KEYS[0])])
        w.actionStep.setShortcuts(self._restore.get("step", [QKeySequence("Right"), QKeySequence("N")]))
        for bar in self._bars():
            bar.show()
        self.present_action.setChecked(False)
        if w.isFullScreen() and not self._restore.get("full"):
            w.showMaximized() if self._restore.get("maximized") else w.showNormal()
        self.activeChanged.emit(False)

    def _bars(self):
        w = self.window
        return [tb for tb in w.findChildren(QWidget, "runToolBar")] + [w.statusBar()]

    def set_controls_visible(self, visible: bool) -> None:
        """Show or hide every panel's controls column (the plots take the width)."""
        self.controls_action.setChecked(bool(visible))
        for column in controls_column.columns(self.window):
            column.setVisible(bool(visible))

    def step_scene(self, offset: int):
        """Open the next (+1) or previous (−1) lecture scene; the SceneRun, or None at an end."""
        if not self.state.active:
            return None
        return self.window.lecture.open_offset(offset)

    def toggle_blank(self) -> bool:
        on = self.state.toggle_blank()
        self._show_blank(on)
        return on

    def _show_blank(self, on: bool) -> None:
        if on and self._blank is None:
            self._blank = QWidget(self.window)
            self._blank.setObjectName("blankScreen")
            self._blank.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
            self._blank.setStyleSheet("background: black")
        if self._blank is not None:
            self._blank.setGeometry(self.window.rect())
            self._blank.setVisible(on)
            if on:
                self._blank.raise_()
