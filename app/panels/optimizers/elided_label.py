"""A one-line label that ends in "…" when it is too narrow, with the full text as its tooltip.

The surface's description beside the surface box is long; beside the Lecture dock it used to
be cut off mid-word (or to push the toolbar wider than the window).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy


class ElidedLabel(QLabel):
    """``setText`` as usual; paints the text elided to the width it gets."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.full_tip = ""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        return QSize(self.fontMetrics().horizontalAdvance("…") * 4, super().minimumSizeHint().height())

    def setToolTip(self, tip: str) -> None:  # noqa: N802 - Qt naming
        """The tooltip shown under the text (the full text is shown there too when elided)."""
        self.full_tip = tip
        super().setToolTip(tip)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt naming
        painter = QPainter(self)
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
        tip = self.full_tip if text == self.text() else f"{self.text()}\n\n{self.full_tip}".strip()
        if tip != super().toolTip():
            super().setToolTip(tip)
