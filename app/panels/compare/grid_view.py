"""The grid mode's results: the view controls, the learning curves and the results table.

The row on top chooses what the curves show (metric, colour and style factor, ± sd bands) and
holds the export buttons; below, the curves (``plot.CompareCurves``) or their small multiples
(``facets.FacetGrid``) share a splitter with two
tabs: the table (``table.ResultsTable``) and the effect summary (``effects_view.EffectsView``). The panel connects every control to its model; this
widget only builds and lays them out (the search mode has its own, ``search_view``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QSplitter, QTabWidget,
                               QVBoxLayout, QWidget)

from app.i18n import tr

from .effects_view import EffectsView
from .facets import FacetGrid
from .plot import METRICS, CompareCurves
from .table import ResultsTable


def make_combo(parent: QWidget, name: str, tip: str, items) -> QComboBox:
    """A combo box of ``(text, data)`` items, as wide as its contents."""
    box = QComboBox(parent)
    box.setObjectName(name)
    box.setToolTip(tip)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    for text, data in items:
        box.addItem(text, data)
    return box


class GridView(QWidget):
    """``metric_combo``, ``color_combo``, ``style_combo``, ``bands_box``, ``csv_button``,
    ``plot_button``, ``curves`` and ``facets`` (tabs of ``plot_tabs``), ``table`` and ``effects`` (tabs of ``tabs``), ``splitter``."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("compareGridView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        view_row = QHBoxLayout()
        self.metric_combo = make_combo(self, "compareMetric", tr("The curve plotted per epoch"),
                                       [(tr(label), key) for key, label in METRICS.items()])
        self.color_combo = make_combo(self, "compareColorBy", tr("The factor whose levels set the curves' colours"),
                                      [])
        self.style_combo = make_combo(self, "compareStyleBy", tr("The factor whose levels set the line style "
                                                                 "(solid, dashed, dotted, …)"), [])
        self.bands_box = QCheckBox(tr("± sd &bands"), self)
        self.bands_box.setObjectName("compareBands")
        self.bands_box.setToolTip(tr("Shade mean ± one standard deviation across the seeds"))
        self.csv_button = QPushButton(tr("Export &CSV…"), self)
        self.csv_button.setObjectName("exportCsv")
        self.csv_button.setToolTip(tr("Save the table (means and sds, unrounded) as CSV"))
        self.plot_button = QPushButton(tr("Export p&lot…"), self)
        self.plot_button.setObjectName("exportPlot")
        self.plot_button.setToolTip(tr("Save the curves as PNG or SVG"))
        for label, w in (("Plot", self.metric_combo), ("colour by", self.color_combo), ("style by", self.style_combo)):
            view_row.addWidget(QLabel(tr(label), self))
            view_row.addWidget(w)
        view_row.addWidget(self.bands_box)
        view_row.addStretch(1)
        view_row.addWidget(self.csv_button)
        view_row.addWidget(self.plot_button)
        layout.addLayout(view_row)
        self.curves = CompareCurves(self)
        self.table = ResultsTable(self)
        self.table.configsSelected.connect(self.curves.highlight)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.setObjectName("compareSplitter")
        self.facets = FacetGrid(self)
        self.plot_tabs = QTabWidget(self)
        self.plot_tabs.setObjectName("comparePlotTabs")
        self.plot_tabs.addTab(self.curves, tr("Curves"))
        self.plot_tabs.addTab(self.facets, tr("Small multiples"))
        self.plot_tabs.setTabToolTip(1, tr("One small plot per level of up to two factors (the factors other "
                                           "than the colour factor), like the book's 4 × 4 batch-norm grid"))
        split.addWidget(self.plot_tabs)
        self.effects = EffectsView(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("compareResultTabs")
        self.tabs.addTab(self.table, tr("Table"))
        self.tabs.addTab(self.effects, tr("Effects"))
        self.tabs.setTabToolTip(1, tr("One factor's effect with the other factors held fixed (paired by seed), "
                                      "and the report"))
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.splitter = split
        self._sized = False
        layout.addWidget(split, 1)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """First show: most of the height to the curves, a third to the table."""
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            QTimer.singleShot(0, self._initial_sizes)  # once the layout has its real size

    def _initial_sizes(self) -> None:
        h = max(self.splitter.height(), 300)
        self.splitter.setSizes([int(h * 0.68), h - int(h * 0.68)])
