"""The banner that shows a worker's error inside the window instead of losing it on stderr."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton

from app.i18n import tr
from app.widgets.palette import ERROR_BG, ERROR_FG


class BannerLog(QObject):
    """``shown(message)`` for every error any banner shows (the test guard listens to it)."""

    shown = Signal(str)


log = BannerLog()


class ErrorBanner(QFrame):
    """A dismissable, hidden-by-default strip with one readable error message.

    ``show_error(message, details="")`` shows it (``details``, e.g. a traceback, goes in the
    tooltip); ``clear()`` hides it. ``dismissed`` fires when the user closes it.
    """

    dismissed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setStyleSheet(
            f"#errorBanner {{ background: {ERROR_BG}; border: 1px solid {ERROR_FG}; border-radius: 4px; }}"
            f"#errorBanner QLabel {{ color: {ERROR_FG}; }}"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        icon = QLabel("⚠", self)
        icon.setObjectName("errorIcon")
        self.label = QLabel(self)
        self.label.setObjectName("errorMessage")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(self)
        close.setObjectName("errorClose")
        close.setText("✕")
        close.setToolTip(tr("Dismiss this message"))
        close.setAutoRaise(True)
        close.clicked.connect(self._dismiss)
        layout.addWidget(icon)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.hide()

    @property
    def message(self) -> str:
        """The message shown ('' when hidden)."""
        return self.label.text()

    def show_error(self, message: str, details: str = "") -> None:
        self.label.setText(message)
        self.label.setToolTip(details or message)
        self.show()
        log.shown.emit(message)

    def clear(self) -> None:
        self.label.clear()
        self.hide()

    def _dismiss(self) -> None:
        self.clear()
        self.dismissed.emit()
