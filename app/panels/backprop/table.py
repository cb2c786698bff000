"""The backprop panel's parameter table: every weight and bias with its gradients and update.

Columns: name, value (editable), ∂L/∂w by backprop, ∂L/∂w by central differences, their
relative error, and the value after w ← w − η·∂L/∂w. Typing into a value cell emits
``valueEdited(key, text)``; the panel validates it and either recomputes or calls
``revert(key)`` so a bad entry never replaces the number in use.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from app.i18n import tr
from app.panels.backprop.colors import themed
from app.widgets.palette import OKABE_ITO
from engine.backprop_trace import fmt

COLUMNS = ("parameter", "value", "∂L/∂w backprop", "∂L/∂w numerical", "rel. error", "updated")
TIPS = (
    "The weight w(from→to) or the bias b(unit)",
    "The parameter's value; double-click (or F2) to type a new one — the whole trace is recomputed",
    "The gradient from the backward pass (the chain rule, step by step)",
    "The gradient from central differences (L(w+ε) − L(w−ε)) / 2ε, ε = 1e-6: the check on backprop",
    "|backprop − numerical| / the layer's largest gradient; below 1e-7 means backprop is right",
    "The value after one gradient-descent step, w − η·∂L/∂w",
)
VALUE_COL = 1
HIDDEN = "?"  # a value whose step has not been reached
HIDDEN_TIP = "Not computed yet: step on to reach it, or tick 'Show all'"
#: Widest texts each numeric column must show unclipped.
_SAMPLES = ("w(x₄→h₄)", "−0.0001234", "−0.0001234", "−0.0001234", "8.8e-10", "−0.0001234")


class BackpropTable(QTableWidget):
    """``set_rows(rows)`` from ``Trace.rows``; ``mark(keys)`` shades the current step's rows."""

    valueEdited = Signal(object, str)

    def __init__(self, parent=None):
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("backpropTable")
        self.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        for col, tip in enumerate(TIPS):
            self.horizontalHeaderItem(col).setToolTip(tr(tip))
        self.verticalHeader().hide()
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setWordWrap(False)
        self.setToolTip(tr("Every weight and bias: double-click a value to edit it"))
        fm = self.fontMetrics()
        header = self.horizontalHeader()
        for col, sample in enumerate(_SAMPLES):
            width = max(fm.horizontalAdvance(sample), fm.horizontalAdvance(tr(COLUMNS[col]))) + 18
            self.setColumnWidth(col, width)
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        self.verticalHeader().setDefaultSectionSize(fm.height() + 6)
        self.setMinimumWidth(sum(self.columnWidth(c) for c in range(len(COLUMNS)))
                             + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth() + 2)
        self.setMinimumHeight(self.horizontalHeader().sizeHint().height() + 5 * (fm.height() + 6))
        self.keys: list[tuple] = []
        self._values: dict[tuple, float] = {}
        self._marked: set = set()
        self.itemChanged.connect(self._on_item_changed)

    def set_rows(self, rows, cells=None) -> None:
        """Show ``rows`` (``engine.backprop_trace.ParamRow``), rebuilding only if the keys changed.

        ``cells[k]`` = (gradients shown, updated value shown) for row k (the model's
        ``row_cells``); a value not reached yet shows "?" so the table never gives the answer
        before the walk does. None shows everything."""
        self.blockSignals(True)
        keys = [r.key for r in rows]
        if keys != self.keys:
            self.setRowCount(len(rows))
            for row in range(len(rows)):
                for col in range(len(COLUMNS)):
                    item = QTableWidgetItem("")
                    flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                    if col == VALUE_COL:
                        flags |= Qt.ItemFlag.ItemIsEditable
                    item.setFlags(flags)
                    if col:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.setItem(row, col, item)
            self.keys = keys
        for row, r in enumerate(rows):
            grad_on, new_on = (True, True) if cells is None else cells[row]
            texts = (r.name, fmt(r.value), fmt(r.grad), fmt(r.numerical), f"{r.rel_error:.1e}", fmt(r.updated))
            exact = (r.name, repr(r.value), repr(r.grad), repr(r.numerical), repr(r.rel_error), repr(r.updated))
            hidden = (set() if grad_on else {2, 3, 4}) | (set() if new_on else {5})
            texts = tuple(HIDDEN if col in hidden else t for col, t in enumerate(texts))
            exact = tuple(tr(HIDDEN_TIP) if col in hidden else t for col, t in enumerate(exact))
            for col, (text, tip) in enumerate(zip(texts, exact)):
                item = self.item(row, col)
                item.setText(text)
                item.setToolTip(tip if col else tr(TIPS[0]))
            bad = r.rel_error >= 1e-7
            error_color = OKABE_ITO["vermillion"] if bad else OKABE_ITO["bluish_green"]
            self.item(row, 4).setForeground(self.palette().color(QPalette.ColorRole.Text) if 4 in hidden
                                            else QColor(error_color))
            self._values[r.key] = r.value
        self.blockSignals(False)

    def changeEvent(self, event):  # noqa: N802 - Qt naming
        """A new palette (a theme switch) shades the marked rows again in its colours."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._marked:
            self.mark(self._marked, scroll=False)

    def mark(self, keys, scroll: bool = True) -> None:
        """Shade the rows of ``keys`` (the current step's parameters) and scroll to the first."""
        keys = set(keys)
        self._marked = keys
        # the table's own base colour decides, so the text on the shade stays readable whatever
        # palette the table has been given
        shade = themed("current", dark=self.palette().color(QPalette.ColorRole.Base).lightness() < 128)
        first = None
        for row, key in enumerate(self.keys):
            on = key in keys
            for col in range(self.columnCount()):
                self.item(row, col).setBackground(QColor(shade) if on else QColor(0, 0, 0, 0))
            if on and first is None:
                first = row
        if first is not None and scroll:
            self.scrollToItem(self.item(first, 0), QAbstractItemView.ScrollHint.EnsureVisible)

    def value_text(self, key) -> str:
        return self.item(self.keys.index(key), VALUE_COL).text()

    def edit_value(self, key, text: str) -> None:
        """Type ``text`` into ``key``'s value cell, as a user would (emits ``valueEdited``)."""
        self.item(self.keys.index(key), VALUE_COL).setText(text)

    def revert(self, key) -> None:
        """Put the value in use back into ``key``'s cell (after a rejected edit)."""
        self.blockSignals(True)
        self.item(self.keys.index(key), VALUE_COL).setText(fmt(self._values[key]))
        self.blockSignals(False)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == VALUE_COL and item.row() < len(self.keys):
            self.valueEdited.emit(self.keys[item.row()], item.text())
