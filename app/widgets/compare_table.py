"""The Compare panel's results table: one row per configuration, sortable, exportable as CSV.

``ResultsModel`` (a ``QAbstractTableModel``) holds ``engine.experiments.ConfigSummary`` rows;
every cell shows "mean ± sd" across seeds and sorts by its number (``SORT_ROLE``) through a
``QSortFilterProxyModel``. ``ResultsTable`` is the view; ``configsSelected(ids)`` tells the
plot which curves to highlight.
"""

from __future__ import annotations

import csv
import math

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from app.i18n import tr
from engine import experiments

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: (key, header, tooltip) of the metric columns after the factor columns
METRICS = (
    ("seeds", "Seeds", "How many seeds (runs) this row averages"),
    ("train_accuracy", "Train acc", "Final accuracy on the training set, mean ± sd across seeds"),
    ("test_accuracy", "Test acc", "Final accuracy on the test set, mean ± sd across seeds"),
    ("train_loss", "Train loss", "Final training loss (with the weight penalty), mean ± sd"),
    ("test_loss", "Test loss", "Final test loss, mean ± sd"),
    ("accuracy_gap", "Gap", "Generalization gap: final train − test accuracy, in points (overfitting)"),
    ("best_epoch", "Best epoch", "Epoch of the highest test accuracy (mean across seeds)"),
    ("wall_time", "Time (s)", "Wall time of one run, mean across seeds"),
    ("diverged", "Diverged", "How many of the seeds diverged (loss not finite or > 1e6)"),
)


def _swatch(color: str, dashed: bool) -> QIcon:
    pix = QPixmap(22, 12)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setPen(QPen(QColor(color), 3, Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine))
    painter.drawLine(1, 6, 21, 6)
    painter.end()
    return QIcon(pix)


def _pm(mean: float, std: float, percent: bool, spread: bool = True) -> str:
    """"mean ± sd" (just the mean when there is one seed)."""
    if not math.isfinite(mean):
        return "—"
    if percent:
        return f"{100 * mean:.1f} ± {100 * std:.1f} %" if spread else f"{100 * mean:.1f} %"
    return f"{mean:.4g} ± {std:.2g}" if spread else f"{mean:.4g}"


class ResultsModel(QAbstractTableModel):
    """``set_summaries(summaries, factor_names)``, ``set_styles({config_id: (colour, dashed)})``,
    ``rows()`` (plain values, for tests and CSV), ``write_csv(path)``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summaries: list[experiments.ConfigSummary] = []
        self.factor_names: list[str] = []
        self.styles: dict[int, tuple[str, bool]] = {}
        self._icons: dict[tuple[str, bool], QIcon] = {}

    # ---- content ------------------------------------------------------------------------------
    def set_summaries(self, summaries, factor_names) -> None:
        names = list(factor_names)
        if names != self.factor_names or len(summaries) != len(self.summaries):
            self.beginResetModel()
            self.summaries, self.factor_names = list(summaries), names
            self.endResetModel()
        else:
            self.summaries = list(summaries)
            if self.summaries:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self.summaries) - 1, self.columnCount() - 1))

    def set_styles(self, styles: dict) -> None:
        self.styles = dict(styles)
        if self.summaries:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.summaries) - 1, 0))

    def headers(self) -> list[str]:
        return [tr(experiments.factor(n).display_name) for n in self.factor_names] + [tr(h) for _k, h, _t in METRICS]

    def value(self, row: int, col: int):
        """The raw value of a cell: a level, or the mean (the sort key)."""
        s = self.summaries[row]
        nf = len(self.factor_names)
        if col < nf:
            return dict(s.config)[self.factor_names[col]]
        key = METRICS[col - nf][0]
        if key == "seeds":
            return len(s.seeds)
        if key in s.final:
            return s.final[key][0]
        return getattr(s, key)

    def text(self, row: int, col: int) -> str:
        s = self.summaries[row]
        nf = len(self.factor_names)
        if col < nf:
            return tr(experiments.format_level(self.value(row, col)))
        key = METRICS[col - nf][0]
        if key in s.final:
            return _pm(*s.final[key], percent="accuracy" in key or key.endswith("gap"), spread=len(s.seeds) > 1)
        if key == "best_epoch":
            return f"{s.best_epoch:.3g}"
        if key == "wall_time":
            return f"{s.wall_time:.2f}"
        if key == "diverged":
            if len(s.seeds) == 1:
                return tr("yes") if s.diverged else tr("no")
            return f"{s.diverged}/{len(s.seeds)}" if s.diverged else tr("no")
        return str(self.value(row, col))

    def rows(self) -> list[dict]:
        """One dict per configuration: levels, seeds, (mean, sd) per final metric, best epoch, diverged."""
        out = []
        for s in self.summaries:
            row = {"config": tuple(s.config), "seeds": tuple(s.seeds), "best_epoch": s.best_epoch,
                   "diverged": s.diverged, "wall_time": s.wall_time}
            row.update({k: tuple(v) for k, v in s.final.items()})
            out.append(row)
        return out

    def write_csv(self, path: str) -> None:
        """Every row with means and standard deviations in separate columns (no rounding)."""
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            finals = list(experiments.SUMMARY_CURVES)
            w.writerow([*self.factor_names, "seeds", *(f"{k}_{p}" for k in finals for p in ("mean", "sd")),
                        "best_epoch", "time_s", "diverged"])
            for s in self.summaries:
                levels = dict(s.config)
                w.writerow([experiments.format_level(levels[n]) for n in self.factor_names]
                           + [len(s.seeds)] + [repr(v) for k in finals for v in s.final[k]]
                           + [s.best_epoch, f"{s.wall_time:.3f}", s.diverged])

    # ---- Qt model API ---------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.summaries)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.factor_names) + len(METRICS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        nf = len(self.factor_names)
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            if section < nf:
                return tr(experiments.factor(self.factor_names[section]).description)
            return tr(METRICS[section - nf][2])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, col)
        if role == SORT_ROLE:
            v = self.value(row, col)
            if isinstance(v, bool):
                return int(v)
            if isinstance(v, float) and not math.isfinite(v):
                return -math.inf
            return v
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.summaries[row].label
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= len(self.factor_names):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            style = self.styles.get(self.summaries[row].config_id)
            if style is not None:
                icon = self._icons.get(style)
                if icon is None:
                    icon = self._icons[style] = _swatch(*style)
                return icon
        if role == Qt.ItemDataRole.ForegroundRole and col == len(self.factor_names) + len(METRICS) - 1:
            if self.summaries[row].diverged:
                return QColor("#8A2B00")
        return None


class ResultsTable(QTableView):
    """The sortable view; ``configsSelected(list of config ids)`` on every selection change."""

    configsSelected = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("compareTable")
        self.results = ResultsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.results)
        self.proxy.setSortRole(SORT_ROLE)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # grid order until a header is clicked
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(False)
        self.setToolTip(tr("One row per configuration (mean ± sd across seeds). Click a header to sort; "
                           "select rows (Ctrl/Shift for several) to highlight their curves"))
        self.selectionModel().selectionChanged.connect(lambda *_a: self.configsSelected.emit(self.selected_ids()))

    def selected_ids(self) -> list[int]:
        rows = sorted({self.proxy.mapToSource(i).row() for i in self.selectionModel().selectedRows()})
        return [self.results.summaries[r].config_id for r in rows if r < len(self.results.summaries)]

    def select_ids(self, ids) -> None:
        """Select the rows of these configuration ids (for tests and restoring a view)."""
        from PySide6.QtCore import QItemSelection, QItemSelectionModel

        wanted = set(ids)
        selection = QItemSelection()
        for r, s in enumerate(self.results.summaries):
            if s.config_id in wanted:
                left = self.proxy.mapFromSource(self.results.index(r, 0))
                right = self.proxy.mapFromSource(self.results.index(r, self.results.columnCount() - 1))
                selection.select(left, right)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.selectionModel().select(selection, flags)
