"""The explanation shown next to the picture while a lecture scene is active.

Title, lecture part, the scene's text (what to look at and why), once it has run the outcome of
each of its checks, and buttons to go to the previous or next scene, set it up again, or go back to the list. Two layouts: a column (beside
a panel that leaves room on the right) and a compact strip (below panels that need the whole
width; the title then leads the text so the strip stays a few lines high). It only displays;
the dock decides what happens.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import (
    QBoxLayout,
    QDockWidget,
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.widgets import palette


class ScenePane(QWidget):
    """``show_scene(scene, part_title, index, count)``; ``set_compact(on)`` picks the strip layout.

    Signals ``previousRequested``, ``nextRequested``, ``listRequested`` and ``replayRequested``
    come from its buttons.
    """

    previousRequested = Signal()
    nextRequested = Signal()
    listRequested = Signal()
    replayRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("scenePane")
        self.compact = False
        self._shown: tuple | None = None
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.box.setContentsMargins(6, 6, 6, 6)
        self.box.setSpacing(6)

        texts = QWidget(self)
        col = QVBoxLayout(texts)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(4)
        self.part_label = QLabel(texts)
        self.part_label.setObjectName("scenePart")
        self.part_label.setWordWrap(True)
        self.title_label = QLabel(texts)
        self.title_label.setObjectName("sceneTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.RichText)
        self.text_label = QLabel(texts)
        self.text_label.setObjectName("sceneExplanation")
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.RichText)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.text_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.status_label = QLabel(texts)
        self.status_label.setObjectName("sceneStatus")
        self.status_label.setWordWrap(True)
        self.status_label.hide()
        self.checks_label = QLabel(texts)
        self.checks_label.setObjectName("sceneChecks")
        self.checks_label.setWordWrap(True)
        self.checks_label.setTextFormat(Qt.TextFormat.RichText)
        self.checks_label.hide()
        self._recolour()
        palette.signals.changed.connect(self._recolour)
        for w in (self.part_label, self.title_label, self.text_label, self.checks_label, self.status_label):
            col.addWidget(w)
        self.texts = texts

        buttons = QWidget(self)
        grid = QGridLayout(buttons)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        self.prev_button = self._button("scenePrevious", tr("◀ Previous"),
                                        tr("Open the previous scene of the lecture"), self.previousRequested)
        self.next_button = self._button("sceneNext", tr("Next ▶"), tr("Open the next scene of the lecture"),
                                        self.nextRequested)
        self.replay_button = self._button("sceneReplay", tr("Replay"), tr("Set the scene up again from the start"),
                                          self.replayRequested)
        self.list_button = self._button("sceneList", tr("All scenes"), tr("Back to the list of lecture scenes"),
                                        self.listRequested)
        self.grid = grid
        self.buttons = buttons
        self._place_buttons()
        self.box.addWidget(texts)
        self.box.addWidget(buttons)
        self.box.addStretch(1)

    def _recolour(self, *_dark) -> None:
        for label in (self.part_label, self.status_label):
            label.setStyleSheet(f"color: {palette.MUTED}")

    def _button(self, name: str, text: str, tip: str, signal) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.clicked.connect(signal)
        return button

    def _place_buttons(self) -> None:
        """One row in the strip (it must stay low), two rows of two in the column."""
        order = (self.prev_button, self.next_button, self.replay_button, self.list_button)
        for i, button in enumerate(order):
            self.grid.removeWidget(button)
            row, col = (0, i) if self.compact else divmod(i, 2)
            self.grid.addWidget(button, row, col)

    def set_compact(self, on: bool) -> None:
        """Strip layout (text left, buttons right, title inline) or column layout."""
        on = bool(on)
        if on == self.compact:
            return
        self.compact = on
        self.box.setDirection(QBoxLayout.Direction.LeftToRight if on else QBoxLayout.Direction.TopToBottom)
        self.box.setContentsMargins(*((4, 2, 4, 2) if on else (6, 6, 6, 6)))
        self.box.setStretch(0, 1 if on else 0)  # texts
        self.box.setStretch(2, 0 if on else 1)  # the stretch under the column
        self.buttons.setSizePolicy(QSizePolicy.Policy.Fixed if on else QSizePolicy.Policy.Preferred,
                                   QSizePolicy.Policy.Fixed)
        self._place_buttons()
        self.fit_width()
        if self._shown is not None:
            self.show_scene(*self._shown)

    def show_scene(self, scene, part_title: str, index: int, count: int) -> None:
        """Show ``scene`` (the ``index``-th of ``count``) under the heading ``part_title``."""
        self._shown = (scene, part_title, index, count)
        title = html.escape(tr(scene.title))
        text = html.escape(tr(scene.explanation))
        self.part_label.setText(f"{part_title} · {index + 1}/{count}")
        self.title_label.setText(f"<b style='font-size: large'>{title}</b>")  # relative: follows the zoom
        self.part_label.setVisible(not self.compact)
        self.title_label.setVisible(not self.compact)
        self.text_label.setText(f"<b>{title}</b> ({index + 1}/{count}) — {text}" if self.compact else text)
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < count - 1)
        self.checks_label.clear()
        self.checks_label.hide()
        self.set_status("")
        self.fit_width()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        self.fit_width()

    def fit_width(self) -> None:
        """In the strip, make the text exactly as tall as it needs at the strip's width.

        A wrapped label's own size hint assumes a narrow label and is several times too tall;
        even a moment at a wrong height makes the window grow (and it never shrinks back). The
        docked strip spans the window less its vertical title bar, so the height is computed
        from the window's width, which is stable. The column layout has room and uses the
        label's own hint.
        """
        label = self.text_label
        if not self.compact:
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
            label.setMinimumHeight(0)
            label.setMaximumHeight(16777215)
            return
        top = self.window()
        width = self.width()
        if top is not self and not isinstance(top, QDockWidget):  # docked: the window's width
            width = top.width() - 2 * self.style().pixelMetric(QStyle.PixelMetric.PM_TitleBarHeight)
        margins = self.box.contentsMargins()
        text_width = width - self.buttons.sizeHint().width() - self.box.spacing() - margins.left() - margins.right()
        if text_width > 100:
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            label.setFixedHeight(label.heightForWidth(text_width))

    def show_outcomes(self, outcomes, message: str = "") -> None:
        """After the run: ✓ or ✗ and the claim for each check (the measurement when it failed)."""
        lines = []
        for claim, problem in outcomes:
            mark = "✓" if problem is None else "✗"
            lines.append(f"{mark} {html.escape(tr(claim))}" + ("" if problem is None else
                                                                 f"<br><small>{html.escape(problem)}</small>"))
        self.checks_label.setText("<br>".join(lines))
        self.checks_label.setVisible(bool(lines) and not self.compact)
        if self.compact and lines:  # the strip stays low: one line of summary
            held = sum(problem is None for _claim, problem in outcomes)
            summary = tr("{held} of {count} checks hold").format(held=held, count=len(outcomes))
            message = f"{summary} · {message}" if message else summary
        self.set_status(message)
        self.fit_width()

    def checks(self) -> str:
        """The checks' outcomes as shown (plain text)."""
        return QTextDocumentFragment.fromHtml(self.checks_label.text()).toPlainText()

    def set_status(self, text: str) -> None:
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))

    def explanation(self) -> str:
        """The explanation as shown (plain text, title included in the strip layout)."""
        return QTextDocumentFragment.fromHtml(self.text_label.text()).toPlainText()
