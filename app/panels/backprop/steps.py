"""The backprop panel's step list and explanation box.

``StepList`` lists every step of a trace, grouped by phase colour; clicking one emits
``stepChosen(index)``. ``StepExplanation`` shows the current step: its number and phase, the
one-line explanation and the formula with the numbers.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.i18n import tr, tr_message
from app.panels.backprop.colors import GRADIENT, LOSS, UPDATED, readable
from app.widgets import palette
from engine.backprop_trace import TEXTS, node_name

#: Phase hues; forward steps are plain text in the palette's text colour.
PHASE_COLORS = {"forward": None, "loss": LOSS, "backward": GRADIENT, "update": UPDATED}


def phase_color(phase: str) -> str | None:
    """The colour of ``phase``'s steps in the current theme (None: the palette's text colour)."""
    color = PHASE_COLORS[phase]
    return readable(color) if color else None


def _paint(item: QListWidgetItem, phase: str) -> None:
    color = phase_color(phase)
    item.setData(Qt.ItemDataRole.ForegroundRole, QColor(color) if color else None)


PHASE_TITLES = {"forward": "Forward", "loss": "Loss", "backward": "Backward", "update": "Update"}


def step_text(step) -> str:
    """The step's one-line explanation in the current language."""
    return tr_message(step.text, TEXTS.values())


def _short(step, sizes) -> str:
    """The list's one-line label: the formula's left side and result (``z(h₁) = 1``)."""
    if step.phase == "update":
        template = "w, b into {node} ← w − η·∂L/∂w"
        return tr_message(template.format(node=node_name(sizes, *step.nodes[0])), (template,))
    formula = step.formula
    if "=" not in formula:
        return formula
    return f"{formula.split('=')[0].strip()} = {formula.rsplit('=', 1)[1].strip()}"


class StepList(QListWidget):
    """Every step of the trace, coloured by phase; the current one is selected.

    ``stepChosen(index)`` on click. Labels are the formulas' heads and results (``z(h₁) = 1``),
    which name their phase already, so the list stays narrow enough for 1280-pixel windows.
    """

    stepChosen = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("backpropSteps")
        self.setToolTip(tr("All steps: forward (black), loss (red), backward (blue), update (green); click one to jump there"))
        self.setUniformItemSizes(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._signature: tuple = ()
        self._texts: list[tuple[str, str, str, str]] = []  # (full, hidden, full tip, hidden tip) per row
        self._revealed = -1
        self.currentRowChanged.connect(self._on_row)

    def set_steps(self, steps, sizes) -> None:
        signature = tuple((s.phase, s.formula) for s in steps)
        if signature == self._signature:
            return
        self._signature = signature
        self.blockSignals(True)
        row = self.currentRow()
        self.clear()
        self._texts = []
        for n, s in enumerate(steps, start=1):
            short = _short(s, sizes)
            head = short.split(" = ")[0] if s.phase != "update" else short
            tip = f"{tr(PHASE_TITLES[s.phase])}: {step_text(s)}"
            self._texts.append((f"{n:>2}. {short}", f"{n:>2}. {head}" + (" = ?" if head != short else ""),
                                f"{tip}\n{s.formula}", tip))
            item = QListWidgetItem(self._texts[-1][1])
            _paint(item, s.phase)
            item.setToolTip(self._texts[-1][3])
            self.addItem(item)
        self._revealed = -1
        self.setCurrentRow(min(max(row, 0), self.count() - 1))
        self.blockSignals(False)

    def reveal(self, upto: int) -> None:
        """Results of steps 0…``upto`` are shown; later rows say "= ?" (no answer before the walk)."""
        if upto == self._revealed:
            return
        self._revealed = upto
        for row, (full, hidden, tip, hidden_tip) in enumerate(self._texts):
            on = row <= upto
            self.item(row).setText(full if on else hidden)
            self.item(row).setToolTip(tip if on else hidden_tip)

    def row_text(self, row: int) -> str:
        return self.item(row).text()

    def recolour(self) -> None:
        """Give every step the colour of its phase in the current theme."""
        for row, (phase, _formula) in enumerate(self._signature):
            _paint(self.item(row), phase)

    def set_current(self, index: int) -> None:
        self.blockSignals(True)
        self.setCurrentRow(index)
        self.blockSignals(False)
        self.scrollToItem(self.item(index))

    def _on_row(self, row: int) -> None:
        if row >= 0:
            self.stepChosen.emit(row)


class StepExplanation(QWidget):
    """``Step 5 of 26 · Forward`` over the one-line explanation and the formula."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("backpropExplanation")
        col = QVBoxLayout(self)
        col.setContentsMargins(4, 2, 4, 2)
        col.setSpacing(2)
        self.header = QLabel(self)
        self.header.setObjectName("stepHeader")
        self.text = QLabel(self)
        self.text.setObjectName("stepText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.formula = QLabel(self)
        self.formula.setObjectName("stepFormula")
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.formula.font()
        font.setPointSizeF(font.pointSizeF() + 1.5)
        self.formula.setFont(font)
        for w in (self.header, self.text, self.formula):
            col.addWidget(w)
        col.addStretch(1)
        lines = self.fontMetrics().lineSpacing()
        self.setMinimumHeight(6 * lines + 12)  # header, text, three lines of formula: no jumping

    def show_step(self, trace, index: int) -> None:
        s = trace.steps[index]
        color = phase_color(s.phase)
        style = f" style='color:{color}'" if color else ""
        self.header.setText(
            f"<span style='color:{palette.MUTED}'>{tr('Step {i} of {n}').format(i=index + 1, n=len(trace.steps))}</span> · "
            f"<b{style}>{tr(PHASE_TITLES[s.phase])}</b>"
        )
        self.text.setText(step_text(s))
        self.formula.setText(f"<b>{html.escape(s.formula)}</b>")
