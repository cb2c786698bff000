"""The Compare panel (the lecture's assignment 1): a grid of training runs, compared side by side.

Pick the factors to vary and their levels (dropout, activation, init, init std, batch norm,
optimizer, learning rate, weight decay), the data and network, and how many seeds; Run trains
every configuration × seed in worker *processes* (``app.process_pool``: one per core, BLAS on one
thread each), with a progress bar and an ETA. Each finished run appears at once: the curves plot
the mean across seeds with a ± sd band, coloured by one factor and styled by another, and the
table (one row per configuration, sortable) gives final train/test accuracy and loss, best
epoch, time, divergence and the train − test accuracy gap. Selecting rows highlights their
curves; "Re-run selected" runs just those configurations (a subset of the grid, e.g. with more
seeds). The book's comparisons (DLFS ch. 6) are presets; their scaling is in each preset's note
(``engine.experiments``). The table exports as CSV, the plot as PNG or SVG.

Global actions: Play = Run the grid, or Cancel it while it runs (every worker process is
terminated at once; finished runs stay). Step has nothing to advance (a grid is not an
animation). Reset = cancel and clear the results (the form keeps its values).
"""

from __future__ import annotations

import json

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr, tr_message
from app.panels.base import Panel
from app.process_pool import GridRunner
from app.widgets.compare_form import INPUT_ERRORS, CompareForm
from app.widgets.compare_plot import METRICS, CompareCurves
from app.widgets.compare_table import ResultsTable
from app.widgets.palette import MUTED
from app.widgets.plots import configure
from engine import experiments

FORM_WIDTH = 350
REDRAW_MS = 150  # finished runs are folded into one redraw at most this often


def _shrinkable(combo: QComboBox) -> None:
    """Let a combo with long item texts narrow to the side column (the popup still shows all)."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)


class ComparePanel(Panel):
    """Experiment grids in worker processes (see the module docstring)."""

    panel_id = "compare"
    title = "Compare"
    description = "Assignment 1: vary dropout, activation, init, batch norm, … and compare the runs"

    def __init__(self, parent: QWidget | None = None, workers: int | None = None):
        super().__init__(parent)
        configure()
        self.specs: list[experiments.RunSpec] = []
        self.results: dict[int, experiments.RunResult] = {}
        self.factor_names: list[str] = []
        self.summaries: list[experiments.ConfigSummary] = []
        self.failed: dict[int, str] = {}
        self.runner = GridRunner(workers, parent=self)
        self.runner.runFinished.connect(self._on_result)
        self.runner.runFailed.connect(self._on_failed)
        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(REDRAW_MS)
        self._redraw_timer.timeout.connect(self.redraw)
        self._build_ui()
        self.load_preset(next(iter(experiments.PRESETS)))
        QTimer.singleShot(0, self.mark_ready)  # nothing to compute before the first Run

    # ---- UI -------------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        outer = QHBoxLayout(self.content)
        outer.setContentsMargins(0, 0, 0, 0)
        side = QWidget(self.content)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 4, 0)
        preset_row = QHBoxLayout()
        preset_label = QLabel(tr("Pre&set:"), side)
        self.preset_combo = QComboBox(side)
        self.preset_combo.setObjectName("comparePreset")
        for name, p in experiments.PRESETS.items():
            self.preset_combo.addItem(tr(name), name)
            self.preset_combo.setItemData(self.preset_combo.count() - 1, tr(p.note), Qt.ItemDataRole.ToolTipRole)
        self.preset_combo.setToolTip(tr("Ready-made comparisons from the lecture and the book (DLFS ch. 6); "
                                        "choosing one fills the form"))
        _shrinkable(self.preset_combo)
        preset_label.setBuddy(self.preset_combo)
        self.preset_combo.activated.connect(lambda i: self.load_preset(self.preset_combo.itemData(i)))
        preset_row.addWidget(preset_label)
        preset_row.addWidget(self.preset_combo, 1)
        side_layout.addLayout(preset_row)
        self.note_label = QLabel(side)
        self.note_label.setObjectName("presetNote")
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet(f"color: {MUTED}")
        side_layout.addWidget(self.note_label)
        self.form = CompareForm(side)
        _shrinkable(self.form.data_combo)
        _shrinkable(self.form.optimizer_combo)
        self.form.changed.connect(lambda: self.note_label.setText(""))
        side_layout.addWidget(self.form)
        buttons = QHBoxLayout()
        self.run_button = QPushButton(tr("▶ &Run grid"), side)
        self.run_button.setObjectName("runButton")
        self.run_button.setToolTip(tr("Train every configuration × seed in worker processes (Space); "
                                      "while it runs: cancel everything at once"))
        self.run_button.clicked.connect(self.play_pause)
        self.reset_button = QPushButton(tr("R&eset"), side)
        self.reset_button.setObjectName("resetButton")
        self.reset_button.setToolTip(tr("Cancel a running grid and clear the results (R)"))
        self.reset_button.clicked.connect(self.reset)
        self.subset_button = QPushButton(tr("Re-run se&lected"), side)
        self.subset_button.setObjectName("runSelectedButton")
        self.subset_button.setToolTip(tr("Run only the configurations selected in the table (a subset of the "
                                         "grid), e.g. again with more seeds"))
        self.subset_button.setEnabled(False)
        self.subset_button.clicked.connect(self.run_selected)
        buttons.addWidget(self.run_button, 1)
        buttons.addWidget(self.subset_button)
        buttons.addWidget(self.reset_button)
        side_layout.addLayout(buttons)
        self.progress_bar = QProgressBar(side)
        self.progress_bar.setObjectName("compareProgress")
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat(tr("idle"))
        self.progress_bar.setToolTip(tr("Share of all epochs trained; runs finished; time left (estimated)"))
        side_layout.addWidget(self.progress_bar)
        side_layout.addStretch(1)
        scroll = QScrollArea(self.content)
        scroll.setObjectName("compareSide")
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedWidth(FORM_WIDTH)
        outer.addWidget(scroll)

        right = QWidget(self.content)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        view_row = QHBoxLayout()
        self.metric_combo = self._combo("compareMetric", tr("The curve plotted per epoch"),
                                        [(tr(label), key) for key, label in METRICS.items()])
        self.color_combo = self._combo("compareColorBy", tr("The factor whose levels set the curves' colours"), [])
        self.style_combo = self._combo("compareStyleBy", tr("The factor whose levels set the line style "
                                                            "(solid, dashed, dotted, …)"), [])
        self.bands_box = QCheckBox(tr("± sd &bands"), right)
        self.bands_box.setObjectName("compareBands")
        self.bands_box.setChecked(True)
        self.bands_box.setToolTip(tr("Shade mean ± one standard deviation across the seeds"))
        self.csv_button = QPushButton(tr("Export &CSV…"), right)
        self.csv_button.setObjectName("exportCsv")
        self.csv_button.setToolTip(tr("Save the table (means and sds, unrounded) as CSV"))
        self.csv_button.clicked.connect(self._export_csv_dialog)
        self.plot_button = QPushButton(tr("Export p&lot…"), right)
        self.plot_button.setObjectName("exportPlot")
        self.plot_button.setToolTip(tr("Save the curves as PNG or SVG"))
        self.plot_button.clicked.connect(self._export_plot_dialog)
        for label, w in (("Plot", self.metric_combo), ("colour by", self.color_combo), ("style by", self.style_combo)):
            view_row.addWidget(QLabel(tr(label), right))
            view_row.addWidget(w)
        view_row.addWidget(self.bands_box)
        view_row.addStretch(1)
        view_row.addWidget(self.csv_button)
        view_row.addWidget(self.plot_button)
        right_layout.addLayout(view_row)
        self.curves = CompareCurves(right)
        self.table = ResultsTable(right)
        self.table.configsSelected.connect(self.curves.highlight)
        self.table.configsSelected.connect(lambda _ids: self._sync_buttons(emit=False))
        split = QSplitter(Qt.Orientation.Vertical, right)
        split.setObjectName("compareSplitter")
        split.addWidget(self.curves)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.splitter = split
        self._sized = False
        right_layout.addWidget(split, 1)
        outer.addWidget(right, 1)
        for combo in (self.metric_combo, self.color_combo, self.style_combo):
            combo.currentIndexChanged.connect(lambda _i: self.redraw())
        self.bands_box.toggled.connect(lambda _on: self.redraw())

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """First show: most of the height to the curves, a third to the table."""
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            QTimer.singleShot(0, self._initial_sizes)  # once the layout has its real size

    def _initial_sizes(self) -> None:
        h = max(self.splitter.height(), 300)
        self.splitter.setSizes([int(h * 0.68), h - int(h * 0.68)])

    def _combo(self, name: str, tip: str, items) -> QComboBox:
        combo = QComboBox(self.content)
        combo.setObjectName(name)
        combo.setToolTip(tip)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for text, data in items:
            combo.addItem(text, data)
        return combo

    def _set_factor_choices(self, names, color_by: str = "", style_by: str = "") -> None:
        for combo, want, none in ((self.color_combo, color_by, False), (self.style_combo, style_by, True)):
            keep = want or combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            if none:
                combo.addItem("—", "")
            for n in names:
                combo.addItem(tr(experiments.factor(n).display_name), n)
            index = combo.findData(keep)
            if index < 0 and none and len(names) > 1:
                index = combo.findData(names[1])  # a 2-factor grid: one by colour, one by style
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)

    # ---- presets --------------------------------------------------------------------------------
    def load_preset(self, name: str) -> None:
        preset = experiments.PRESETS.get(name)
        if preset is None:
            raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(experiments.PRESETS)}")
        self.form.set_preset(preset)
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(name))
        self.note_label.setText(tr(preset.note))
        self._set_factor_choices(list(preset.factors), preset.color_by, preset.style_by)

    # ---- global actions ---------------------------------------------------------------------------
    def play_pause(self) -> None:
        """Run the grid, or cancel it while it runs."""
        if self.runner.running:
            self.cancel()
        else:
            self.run_grid()

    def is_playing(self) -> bool:
        return self.runner.running

    def is_busy(self) -> bool:
        return self.runner.running or super().is_busy()

    def reset(self) -> None:
        """Cancel a running grid and clear every result (the form keeps its values)."""
        self.runner.cancel()
        self.specs, self.results, self.failed, self.summaries = [], {}, {}, []
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat(tr("idle"))
        self.clear_error()
        self.redraw()

    def run_grid(self) -> bool:
        """Expand the form into specs and start them; False (and a banner) on bad input."""
        try:
            factors, seeds, data, base = self.form.grid()
            specs = experiments.expand_grid(factors, seeds, data, base)
        except ValueError as exc:
            self.show_error(tr("Cannot run this grid: {error}").format(error=tr_message(str(exc), INPUT_ERRORS)))
            return False
        self.clear_error()
        self.start_specs(specs, list(factors))
        return True

    def run_selected(self) -> bool:
        """Run only the table's selected configurations, with the form's seeds (a grid subset)."""
        ids = self.table.selected_ids()
        if not ids or self.runner.running:
            return False
        shown = {s.config_id: s.config for s in self.summaries}
        try:
            factors, seeds, data, base = self.form.grid()
            specs = experiments.expand_grid(factors, seeds, data, base, select=ids)
        except ValueError as exc:
            self.show_error(tr("Cannot run the selection: {error}").format(error=tr_message(str(exc), INPUT_ERRORS)))
            return False
        if list(factors) != self.factor_names or any(s.config != shown[s.config_id] for s in specs):
            self.show_error(tr("The factors in the form no longer match the table: run the whole grid first"))
            return False
        self.clear_error()
        self.start_specs(specs, list(factors))
        return True

    def start_specs(self, specs, factor_names) -> None:
        """Run exactly ``specs`` (the form's grid, or one built elsewhere)."""
        self.specs, self.results, self.failed, self.summaries = list(specs), {}, {}, []
        self.factor_names = list(factor_names)
        self._set_factor_choices(self.factor_names)
        self.redraw()
        self.runner.start(self.specs)
        self._sync_buttons()
        self.statusMessage.emit(tr("Running {runs} runs in {workers} worker processes").format(
            runs=len(self.specs), workers=self.runner.grid.n_workers))

    def cancel(self) -> None:
        self.runner.cancel()

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        self._redraw_timer.stop()
        self.runner.shutdown()
        return super().shutdown(timeout_ms)

    # ---- runner events ----------------------------------------------------------------------------
    def _on_result(self, task_id: int, result) -> None:
        self.results[task_id] = result
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def _on_failed(self, task_id: int, message: str) -> None:
        self.failed[task_id] = message
        label = self.specs[task_id].label if 0 <= task_id < len(self.specs) else tr("a run")
        self.show_error(f"{label}: {tr_message(message)}")

    def _on_progress(self, done: int, total: int, fraction: float, eta: float) -> None:
        self.progress_bar.setValue(int(round(1000 * fraction)))
        left = " · " + tr("{seconds} s left").format(seconds=f"{eta:.0f}") if eta >= 0 else ""
        self.progress_bar.setFormat(tr("{done}/{total} runs").format(done=done, total=total) + left)

    def _on_finished(self, cancelled: bool) -> None:
        self._redraw_timer.stop()
        self.redraw()
        done, total = len(self.results), len(self.specs)
        if cancelled:
            self.progress_bar.setFormat(tr("cancelled · {done}/{total} runs kept").format(done=done, total=total))
            self.statusMessage.emit(tr("Cancelled: {done} of {total} runs finished and are kept").format(done=done, total=total))
        else:
            self.progress_bar.setValue(1000)
            self.progress_bar.setFormat(tr("done · {done}/{total} runs").format(done=done, total=total))
            self.statusMessage.emit(tr("Finished {done} runs").format(done=done))
        self._sync_buttons()

    def _sync_buttons(self, emit: bool = True) -> None:
        running = self.runner.running
        self.run_button.setText(tr("■ &Cancel") if running else tr("▶ &Run grid"))
        self.subset_button.setEnabled(not running and bool(self.table.selected_ids()))
        if emit:
            self.playingChanged.emit(running)

    # ---- drawing ----------------------------------------------------------------------------------
    def redraw(self) -> None:
        self.summaries = experiments.summarize(self.results.values())
        selected = self.table.selected_ids()
        self.table.results.set_summaries(self.summaries, self.factor_names)
        styles = self.curves.show_summaries(self.summaries, self.factor_names, self.metric_combo.currentData(),
                                            self.color_combo.currentData() or "",
                                            self.style_combo.currentData() or "", self.bands_box.isChecked())
        self.table.results.set_styles(styles)
        if selected:
            self.table.select_ids(selected)
        self.curves.highlight(self.table.selected_ids())

    def table_rows(self) -> list[dict]:
        return self.table.results.rows()

    # ---- export -----------------------------------------------------------------------------------
    def export_csv(self, path: str) -> None:
        self.table.results.write_csv(path)

    def export_plot(self, path: str) -> None:
        self.curves.export(path)

    def _export_csv_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Export table as CSV"), "gradlab-compare.csv", "CSV (*.csv)")
        if path:
            self._try_export(self.export_csv, path if path.lower().endswith(".csv") else path + ".csv")

    def _export_plot_dialog(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(self, tr("Export plot"), "gradlab-compare.png",
                                                   tr("PNG image (*.png);;SVG drawing (*.svg)"))
        if path:
            if not path.lower().endswith((".png", ".svg")):
                path += ".svg" if "svg" in chosen.lower() else ".png"
            self._try_export(self.export_plot, path)

    def _try_export(self, func, path: str) -> None:
        try:
            func(path)
        except (OSError, ValueError) as exc:
            self.show_error(tr("Could not write {path}: {reason}").format(path=path, reason=exc))
            return
        self.statusMessage.emit(tr("Saved {path}").format(path=path))

    # ---- settings ---------------------------------------------------------------------------------
    def save_settings(self, settings: QSettings) -> None:
        state = {"form": self.form.state(), "preset": self.preset_combo.currentData(),
                 "metric": self.metric_combo.currentData(), "color_by": self.color_combo.currentData(),
                 "style_by": self.style_combo.currentData(), "bands": self.bands_box.isChecked()}
        settings.setValue("state", json.dumps(state))

    def restore_settings(self, settings: QSettings) -> None:
        try:
            state = json.loads(settings.value("state", "") or "{}")
            if not state:
                return
            if state.get("preset") in experiments.PRESETS:
                self.preset_combo.setCurrentIndex(self.preset_combo.findData(state["preset"]))
            self.form.set_state(state.get("form", {}))
            self.note_label.setText("")
            index = self.metric_combo.findData(state.get("metric"))
            if index >= 0:
                self.metric_combo.setCurrentIndex(index)
            self.bands_box.setChecked(bool(state.get("bands", True)))
            self._set_factor_choices(list(self.form.state()["factors"]), state.get("color_by") or "",
                                     state.get("style_by") or "")
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            self.show_error(tr("Could not restore the Compare panel's settings: {error}").format(error=exc))
