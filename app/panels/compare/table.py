"""The Compare panel's results table: one row per configuration, sortable.

``ResultsModel`` (a ``QAbstractTableModel``) holds ``engine.experiments.ConfigSummary`` rows;
every cell shows "mean ± sd" across seeds and sorts by its number (``SORT_ROLE``) through a
``QSortFilterProxyModel``. ``ResultsTable`` is the view; ``configsSelected(ids)`` tells the
plot which curves to highlight, ``sortChanged(key, descending)`` the panel which column sorts
(a factor name or a key of ``TABLE_METRICS``; "" = grid order). The plain rows and the CSV come
from the panel's model (``app.models.compare``). The diverged count is drawn in the theme's
warning colour (``palette.signals.changed`` repaints it).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from app.i18n import tr
from app.models.compare import TABLE_METRICS as METRICS
from app.widgets import palette
from engine import experiments

SORT_ROLE = Qt.ItemDataRole.UserRole + 1


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
    ``column_keys()``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summaries: list[experiments.ConfigSummary] = []
        self.factor_names: list[str] = []
        self.styles: dict[int, tuple[str, bool]] = {}
        self._icons: dict[tuple[str, bool], QIcon] = {}

    # ---- content ------------------------------------------------------------------------------
    def set_summaries(self, summaries, factor_names) -> bool:
        """Show ``summaries``; True if the rows or columns changed (the model was reset)."""
        names = list(factor_names)
        if names != self.factor_names or len(summaries) != len(self.summaries):
            self.beginResetModel()
            self.summaries, self.factor_names = list(summaries), names
            self.endResetModel()
            return True
        else:
            self.summaries = list(summaries)
            if self.summaries:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self.summaries) - 1, self.columnCount() - 1))
            return False

    def repaint_all(self) -> None:
        if self.summaries:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.summaries) - 1, self.columnCount() - 1))

    def column_keys(self) -> list[str]:
        """What each column shows: the factor names, then the metric keys."""
        return [*self.factor_names, *(k for k, _h, _t in METRICS)]

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
            return _pm(*s.final[key], percent="accuracy" in key or key.endswith(("gap", "weights")), spread=len(s.seeds) > 1)
        if key == "best_epoch":
            return f"{s.best_epoch:.3g}"
        if key == "wall_time":
            return f"{s.wall_time:.2f}"
        if key == "diverged":
            if len(s.seeds) == 1:
                return tr("yes") if s.diverged else tr("no")
            return f"{s.diverged}/{len(s.seeds)}" if s.diverged else tr("no")
        return str(self.value(row, col))

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
                return QColor(palette.OKABE_ITO["vermillion"] if palette.is_dark() else palette.ERROR_FG)
        return None


class ResultsTable(QTableView):
    """The sortable view; ``configsSelected(list of config ids)`` on every selection change,
    ``sortChanged(key, descending)`` when a header is clicked."""

    configsSelected = Signal(list)
    sortChanged = Signal(str, bool)

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
        self.horizontalHeader().sortIndicatorChanged.connect(self._on_sort)
        palette.signals.changed.connect(self._on_theme)  # a bound method: the link dies with the table

    def _on_theme(self, _dark: bool) -> None:
        self.results.repaint_all()

    def _on_sort(self, column: int, order: Qt.SortOrder) -> None:
        keys = self.results.column_keys()
        key = keys[column] if 0 <= column < len(keys) else ""
        self.sortChanged.emit(key, order == Qt.SortOrder.DescendingOrder)

    def set_sort(self, key: str, descending: bool) -> None:
        """Sort by the column showing ``key`` ("" or a column not shown: grid order); no signal."""
        keys = self.results.column_keys()
        column = keys.index(key) if key in keys else -1
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        header = self.horizontalHeader()
        blocked = header.blockSignals(True)
        try:
            header.setSortIndicator(column, order)
            self.proxy.sort(column, order)
        finally:
            header.blockSignals(blocked)

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
