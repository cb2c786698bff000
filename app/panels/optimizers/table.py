"""The race's score board: one row per optimizer lane, ticked to race, selected to inspect.

Columns: the lane (check box, colour, name), its hyperparameters, its state (step / stopped) and
its current loss. Cells are created once; updates only change their text, and only when the
text actually changed, so the board costs nothing per animation frame. When the board is narrow
(e.g. beside the Lecture dock) the State column gives way first, down to "step 8888", so the
hyperparameters stay readable; clipped cells end in "…" and show their text as a tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from app.i18n import tr
from app.panels.optimizers.readout import stopped_color

COLUMNS = ("Optimizer", "Settings", "State", "Loss")
SETTINGS_SAMPLE = "α 0.95  m 0.9"  # the Settings column keeps at least this much room


def _swatch(color: str) -> QIcon:
    pix = QPixmap(12, 12)
    pix.fill(QColor(color))
    return QIcon(pix)


class OptimizerTable(QTableWidget):
    """``laneToggled(row, on)`` when a check box changes; ``laneSelected(row)`` on selection."""

    laneToggled = Signal(int, bool)
    laneSelected = Signal(int)

    def __init__(self, lanes: list[tuple[str, str, str]], parent=None):
        """``lanes``: (label, colour, tooltip) per row."""
        super().__init__(len(lanes), len(COLUMNS), parent)
        self.setObjectName("optimizerTable")
        self.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setToolTip(tr(
            "Tick the optimizers that race; select one (click, or ↑/↓) to edit its "
            "hyperparameters and see its update in the read-out"
        ))
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # Fixed widths for the cells that change every frame: a ResizeToContents column would
        # re-measure every row on each setText (0.25 ms a cell, the board's whole cost).
        fm = self.fontMetrics()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        self.state_width = fm.horizontalAdvance(tr("left the view at step {step}").format(step=8888)) + 12
        self.state_min = fm.horizontalAdvance(tr("step {n}").format(n=8888)) + 12
        self.settings_min = max(fm.horizontalAdvance(SETTINGS_SAMPLE), fm.horizontalAdvance(tr("Settings"))) + 16
        self.setColumnWidth(2, self.state_width)
        self.setColumnWidth(3, fm.horizontalAdvance("−0.0008888") + 12)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(fm.height() + 8)
        self._texts: dict[tuple[int, int], tuple[str, bool]] = {}
        self.blockSignals(True)
        for row, (label, color, tip) in enumerate(lanes):
            name = QTableWidgetItem(_swatch(color), label)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            name.setCheckState(Qt.CheckState.Unchecked)
            name.setToolTip(tip)
            self.setItem(row, 0, name)
            for col in range(1, len(COLUMNS)):
                item = QTableWidgetItem("")
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if col == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(row, col, item)
        self.blockSignals(False)
        self.itemChanged.connect(self._on_item_changed)
        self.currentCellChanged.connect(lambda row, _c, _pr, _pc: self.laneSelected.emit(row))
        self.setMinimumWidth(self._fixed_width() + self.settings_min + self.state_min)

    def _fixed_width(self) -> int:
        """Width of everything but the Settings and State columns."""
        return max(self.columnWidth(0), self.sizeHintForColumn(0)) + self.columnWidth(3) + 2 * self.frameWidth()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """The State column gives way before the Settings column does."""
        super().resizeEvent(event)
        room = self.viewport().width() - max(self.columnWidth(0), self.sizeHintForColumn(0)) - self.columnWidth(3) - self.settings_min
        width = max(self.state_min, min(self.state_width, room))
        if width != self.columnWidth(2):
            self.setColumnWidth(2, width)

    def set_colors(self, colors: list[str]) -> None:
        """The lanes' colour swatches (e.g. after a theme switch: the series' black is grey in dark)."""
        self.blockSignals(True)
        for row, color in enumerate(colors):
            self.item(row, 0).setIcon(_swatch(color))
        self.blockSignals(False)
        for (row, col), (text, stopped) in list(self._texts.items()):
            if stopped:
                self.item(row, col).setForeground(QColor(stopped_color()))

    def fit_height(self) -> int:
        """Fix the height to show every row without scrolling; returns it."""
        h = self.horizontalHeader().height() + 2 * self.frameWidth()
        h += sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setFixedHeight(h)
        return h

    # ---- state ---------------------------------------------------------------------------------
    def is_checked(self, row: int) -> bool:
        return self.item(row, 0).checkState() == Qt.CheckState.Checked

    def set_checked(self, row: int, on: bool, notify: bool = False) -> None:
        self.blockSignals(not notify)
        self.item(row, 0).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.blockSignals(False)

    def set_cell(self, row: int, col: int, text: str, stopped: bool = False, tip: str = "") -> None:
        """Set a cell's text (no-op when unchanged); ``stopped`` paints it in the warning colour."""
        key = (row, col)
        if self._texts.get(key) == (text, stopped):
            return
        self._texts[key] = (text, stopped)
        item = self.item(row, col)
        item.setText(text)
        item.setToolTip(tip or text)
        item.setForeground(QColor(stopped_color()) if stopped else self.palette().text().color())

    def keyPressEvent(self, event):
        # Space plays/pauses (a window shortcut); toggling the check box is Enter / Return here.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentRow() >= 0:
            row = self.currentRow()
            self.set_checked(row, not self.is_checked(row), notify=True)
            return
        super().keyPressEvent(event)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 0:
            self.laneToggled.emit(item.row(), item.checkState() == Qt.CheckState.Checked)
