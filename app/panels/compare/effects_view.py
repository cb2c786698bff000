"""The grid's conclusion: one factor's effect with the others held fixed, and the report.

Pick a factor: the table lists its paired differences (``app.models.compare_effects``) per
level of the other factors — baseline, level, difference, sd over the seeds — and below, one
sentence each in the UI language. "Report…" saves the assignment's report (which factor
mattered most, by how much, with the seeds' spread) as Markdown or HTML; the same report is
shown in the "Report" box, so the student reads it without saving.
"""

from __future__ import annotations

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QSplitter, QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget)
from PySide6.QtCore import Qt

from app.i18n import tr
from app.models import compare_effects as ce

from .plot import METRICS

HEADERS = ("Other levels", "Change", "Baseline", "Level", "Difference", "sd", "Seeds")


class EffectsView(QWidget):
    """``factor_combo``, ``table``, ``sentences`` (a label), ``report`` (a text browser),
    ``report_button`` (the panel connects its save dialog, ``files``); ``show_results(results, factor_names, metric)`` refreshes everything."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("compareEffects")
        self._results: list = []
        self._names: list[str] = []
        self._metric = "test_accuracy"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.factor_combo = QComboBox(self)
        self.factor_combo.setObjectName("effectFactor")
        self.factor_combo.setToolTip(tr("The factor whose effect is measured; runs pair when they share the "
                                        "seed and every other factor's level"))
        self.factor_combo.currentIndexChanged.connect(lambda _i: self._refresh())
        self.report_button = QPushButton(tr("Re&port…"), self)
        self.report_button.setObjectName("effectReport")
        self.report_button.setToolTip(tr("Save the report (which factor mattered most, by how much, with the "
                                         "seeds' spread) as Markdown or HTML"))
        row.addWidget(QLabel(tr("Effect of"), self))
        row.addWidget(self.factor_combo, 1)
        row.addWidget(self.report_button)
        layout.addLayout(row)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setObjectName("effectTable")
        self.table.setHorizontalHeaderLabels([tr(h) for h in HEADERS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.sentences = QLabel(self)
        self.sentences.setObjectName("effectSentences")
        self.sentences.setWordWrap(True)
        self.sentences.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.report = QTextBrowser(self)
        self.report.setObjectName("effectReportText")
        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(split)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        words = QScrollArea(left)  # the sentences scroll: the table keeps its rows at 1280×720
        words.setWidget(self.sentences)
        words.setWidgetResizable(True)
        words.setFrameShape(QScrollArea.Shape.NoFrame)
        words.setMaximumHeight(4 * self.fontMetrics().lineSpacing() + 6)
        left_layout.addWidget(words)
        split.addWidget(left)
        split.addWidget(self.report)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)

    # ---- data --------------------------------------------------------------------------------
    def show_results(self, results, factor_names, metric: str) -> None:
        """The grid's finished runs (``RunResult`` s), its factors and the plotted metric."""
        self._results, self._metric = list(results), metric
        names = list(factor_names)
        if names != self._names:
            self._names = names
            current = self.factor_combo.currentData()
            self.factor_combo.blockSignals(True)
            self.factor_combo.clear()
            for n in names:
                self.factor_combo.addItem(ce.factor_text(n, tr), n)
            if current in names:
                self.factor_combo.setCurrentIndex(names.index(current))
            self.factor_combo.blockSignals(False)
        self._refresh()

    def effects(self) -> list[ce.Effect]:
        factor = self.factor_combo.currentData()
        if not factor or not self._results:
            return []
        return ce.effects(self._results, self._names, factor, self._metric)

    def report_text(self) -> str:
        return ce.report_markdown(self._results, self._names, self._metric, tr, tr(METRICS.get(self._metric, "")))

    def _refresh(self) -> None:
        found = self.effects()
        pct = self._metric in ce.PERCENT_METRICS
        self.table.setRowCount(len(found))
        for i, e in enumerate(found):
            sd = f"{100 * e.diff_sd:.1f}" if pct else f"{e.diff_sd:.3g}"
            cells = (ce.context_text(e.context, tr), ce.what_text(e, tr), ce.number(e.base_mean, self._metric),
                     ce.number(e.level_mean, self._metric), ce.change_text(e, self._metric), sd, str(len(e.seeds)))
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        if found:
            self.sentences.setText("\n".join(ce.sentence(e, self._metric, tr) for e in found))
        else:
            self.sentences.setText(tr("Run a grid with at least two levels of a factor to see its effect."))
        self.report.setMarkdown(self.report_text() if self._results else "")
        self.report_button.setEnabled(bool(found))

    # ---- the report --------------------------------------------------------------------------
    def write_report(self, path: str) -> None:
        """The report as Markdown (``.md``) or HTML (``.html``/``.htm``)."""
        text = self.report_text()
        if path.lower().endswith((".html", ".htm")):
            doc = QTextDocument()
            doc.setMarkdown(text)
            text = doc.toHtml()
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
