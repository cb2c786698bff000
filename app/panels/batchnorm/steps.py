"""The Batch norm panel's step list and explanation box.

``StepList`` lists the twelve steps (forward in the text colour, backward in blue); clicking
one emits ``stepChosen(index)``. ``StepExplanation`` shows the current step: its number and
phase, the one-line explanation, the general formula and the worked numbers of feature 1.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.i18n import tr
from app.widgets import palette
from app.widgets.palette import OKABE_ITO
from engine.batchnorm_trace import fmt

PHASE_TITLES = {"forward": "Forward", "backward": "Backward"}


def phase_color(phase: str) -> str | None:
    """Backward steps in blue (sky blue on the dark theme); forward ones in the text colour."""
    if phase != "backward":
        return None
    return OKABE_ITO["sky_blue"] if palette.is_dark() else OKABE_ITO["blue"]


def _label(step) -> str:
    """``μ = (2.05, −1.275, 0.525)``: the symbol and the first values (the list stays narrow)."""
    flat = step.value.reshape(-1)
    shown = ", ".join(fmt(v) for v in flat[:3]) + (", …" if flat.size > 3 else "")
    return f"{step.symbol} = {shown}" if step.value.ndim == 0 else f"{step.symbol} = ({shown})"


class StepList(QListWidget):
    """Every step of the trace; the current one is selected; ``stepChosen(index)`` on click."""

    stepChosen = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("batchnormSteps")
        self.setToolTip(tr("All steps: forward (black), backward (blue); click one to jump there"))
        self.setUniformItemSizes(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._phases: list[str] = []
        self.currentRowChanged.connect(self._on_row)

    def set_steps(self, steps) -> None:
        self.blockSignals(True)
        row = self.currentRow()
        self.clear()
        self._phases = [s.phase for s in steps]
        for n, s in enumerate(steps, start=1):
            item = QListWidgetItem(f"{n:>2}. {_label(s)}")
            item.setToolTip(f"{tr(PHASE_TITLES[s.phase])}: {tr(s.text)}\n{s.formula}\n{s.example}")
            self.addItem(item)
        self.recolour()
        self.setCurrentRow(min(max(row, 0), self.count() - 1))
        self.blockSignals(False)

    def recolour(self) -> None:
        """Give every step the colour of its phase in the current theme."""
        for row, phase in enumerate(self._phases):
            color = phase_color(phase)
            self.item(row).setData(Qt.ItemDataRole.ForegroundRole, QColor(color) if color else None)

    def set_current(self, index: int) -> None:
        self.blockSignals(True)
        self.setCurrentRow(index)
        self.blockSignals(False)
        self.scrollToItem(self.item(index))

    def _on_row(self, row: int) -> None:
        if row >= 0:
            self.stepChosen.emit(row)


class StepExplanation(QWidget):
    """``Step 3 of 12 · Forward`` over the explanation, the formula and the worked numbers."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("batchnormExplanation")
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
        self.formula.setToolTip(tr("The step's formula (i: the sample, a row; j: the feature, a column)"))
        self.example = QLabel(self)
        self.example.setObjectName("stepExample")
        self.example.setWordWrap(True)
        self.example.setToolTip(tr("The same formula with the numbers of feature 1 (and sample 1)"))
        for label in (self.formula, self.example):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            font = label.font()
            font.setPointSizeF(font.pointSizeF() + 1.5)
            label.setFont(font)
        for w in (self.header, self.text, self.formula, self.example):
            col.addWidget(w)
        col.addStretch(1)
        self.setMinimumHeight(8 * self.fontMetrics().lineSpacing() + 12)  # the longest step (∂L/∂μ) fits: no jumping

    def show_step(self, trace, index: int) -> None:
        s = trace.steps[index]
        color = phase_color(s.phase)
        style = f" style='color:{color}'" if color else ""
        self.header.setText(
            f"<span style='color:{palette.MUTED}'>{tr('Step {i} of {n}').format(i=index + 1, n=len(trace.steps))}"
            f"</span> · <b{style}>{tr(PHASE_TITLES[s.phase])}</b>"
        )
        self.text.setText(tr(s.text))
        self.formula.setText(f"<b>{html.escape(s.formula)}</b>")
        self.example.setText(html.escape(s.example))
