"""The Batch norm panel's number grids: one small table class for the batch, the current step,
the gradient check and train vs eval.

``NumberTable`` shows a grid of numbers (texts) with row and column labels; cells flagged
editable can be typed into (``cellTyped(row, col, text)``; the panel validates and either
recomputes or calls ``fill`` again, so a bad entry never replaces the number in use). ``mark``
shades cells (the current step's quantity and what it reads) in the theme's highlight colour.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableWidget, QTableWidgetItem

from app.widgets.palette import OKABE_ITO
from engine.batchnorm_trace import fmt

#: Behind the current step's cells (light, dark): the pale orange the Backprop panel uses too.
CURRENT = ("#FDF1D6", "#4D3B12")
#: Behind the cells the current step reads.
READS = ("#E3EEF8", "#1D3447")
GOOD, BAD = OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"]


class NumberTable(QTableWidget):
    """A compact grid of numbers; see the module docstring."""

    cellTyped = Signal(int, int, str)

    def __init__(self, object_name: str, tip: str, sample: str = "−0.05431", parent=None):
        super().__init__(0, 0, parent)
        self.setObjectName(object_name)
        self.setToolTip(tip)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setWordWrap(False)
        fm = self.fontMetrics()
        self._cell_width = fm.horizontalAdvance(sample) + 12
        self.verticalHeader().setDefaultSectionSize(fm.height() + 6)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self._marks: dict = {}
        self.itemChanged.connect(self._on_item_changed)

    def fill(self, rows: list[str], cols: list[str], texts: list[list[str]], editable=None, tips=None) -> None:
        """Show ``texts[r][c]`` under ``cols`` beside ``rows``; ``editable(r, c)`` → bool,
        ``tips[r][c]`` the exact values as tooltips."""
        self.blockSignals(True)
        if self.rowCount() != len(rows) or self.columnCount() != len(cols):
            self.setRowCount(len(rows))
            self.setColumnCount(len(cols))
        self.setVerticalHeaderLabels(rows)
        self.setHorizontalHeaderLabels(cols)
        fm = self.fontMetrics()
        for c, label in enumerate(cols):
            self.setColumnWidth(c, max(self._cell_width, fm.horizontalAdvance(label) + 14))
        for r in range(len(rows)):
            for c in range(len(cols)):
                item = self.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.setItem(r, c, item)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if editable is not None and editable(r, c):
                    flags |= Qt.ItemFlag.ItemIsEditable
                item.setFlags(flags)
                item.setText(texts[r][c])
                item.setToolTip(tips[r][c] if tips is not None else "")
                item.setForeground(self.palette().color(QPalette.ColorRole.Text))
        self.blockSignals(False)
        self.mark(self._marks)

    def fit_width(self) -> None:
        """As wide as its columns need, but willing to shrink (and scroll) in a narrow window."""
        wanted = self.wanted_width()
        self.setMaximumWidth(wanted)
        self.setMinimumWidth(min(wanted, 3 * self._cell_width + 40))

    def wanted_width(self) -> int:
        """Wide enough for every column, the row labels and a scroll bar."""
        return (sum(self.columnWidth(c) for c in range(self.columnCount())) + self.verticalHeader().sizeHint().width()
                + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth() + 4)

    def colour_text(self, row: int, col: int, good: bool) -> None:
        self.item(row, col).setForeground(QColor(GOOD if good else BAD))

    def changeEvent(self, event):  # noqa: N802 - Qt naming
        """A new palette (a theme switch) shades the marked cells again in its colours."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.mark(self._marks)

    def mark(self, marks: dict) -> None:
        """Shade cells: ``{(row, col): "current" | "reads"}``; every other cell is cleared."""
        self._marks = dict(marks)
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        shades = {"current": QColor(CURRENT[dark]), "reads": QColor(READS[dark])}
        for r in range(self.rowCount()):
            for c in range(self.columnCount()):
                item = self.item(r, c)
                if item is not None:
                    kind = self._marks.get((r, c))
                    item.setBackground(shades[kind] if kind else QColor(0, 0, 0, 0))

    def type_into(self, row: int, col: int, text: str) -> None:
        """Type ``text`` into a cell as a user would (emits ``cellTyped``)."""
        self.item(row, col).setText(text)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.flags() & Qt.ItemFlag.ItemIsEditable:
            self.cellTyped.emit(item.row(), item.column(), item.text())


def cell(values, i: int, j: int) -> tuple[str, str]:
    """(shown text, exact value) of entry ``[i, j]`` of a matrix, or ``[j]`` of a vector."""
    v = float(values[i][j]) if values.ndim == 2 else float(values[j])
    return fmt(v), repr(v)
