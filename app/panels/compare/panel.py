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

Search mode (the book's §6.5, ``app.models.hparam_search``): N trials with a log-uniform learning
rate and weight decay, scored on a validation set, in the same workers (``search_form``/``_view``).

Global actions: Play = Run the grid, or Cancel it while it runs (every worker process is
terminated at once; finished runs stay). Step has nothing to advance (a grid is not an
animation). Reset = cancel and clear the results (the form keeps its values).

The settings and the grid's results live in ``self.model`` (``app.models.compare``); the form,
plot and table (this package) show it and forward every edit to it. Worker messages arrive
through ``GridRunner.message`` and are folded into the model.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from app.i18n import tr, tr_message
from app.models import compare as cm
from app.pacing import Coalescer, Throttle
from app.panels.base import Panel
from app.process_pool import GridRunner
from app.widgets import controls_column, palette
from app.widgets.plots import configure
from engine import experiments, grid_worker as msgs

from . import files
from .form import INPUT_ERRORS, CompareForm
from .search_form import SearchForm
from .search_view import SearchView
from .grid_view import GridView, make_combo
from .run_controls import RunControls

FORM_WIDTH = 350
REDRAW_MS = 150  # finished runs are folded into one redraw at most this often
PROGRESS_MS = 100  # the progress bar and its ETA at most this often
#: State fields that only change how results are drawn
VIEW_FIELDS = ("metric", "color_by", "style_by", "bands")


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
        self.model = cm.CompareModel()
        self._fed = self.model  # the model the running workers report to (grid or search)
        self.runner = GridRunner(workers, parent=self)
        self.runner.message.connect(self._on_message)
        self.redraws = self.add_pacer(Coalescer(self.redraw, REDRAW_MS))  # finished runs draw together
        # QProgressBar.setValue repaints at once (~2 ms); the workers send ~70 messages a second
        self.progress_updates = self.add_pacer(Throttle(self._show_progress, PROGRESS_MS))
        self._build_ui()
        self._show(self.model.state)
        palette.signals.changed.connect(self._recolor)
        self._recolor()
        QTimer.singleShot(0, self.mark_ready)  # nothing to compute before the first Run

    # ---- UI -------------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        outer = QHBoxLayout(self.content)
        outer.setContentsMargins(0, 0, 0, 0)
        side = QWidget(self.content)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 4, 0)
        self.mode_combo = make_combo(side, "compareMode", tr("A grid of chosen factors, or the book's random "
                                                           "search over learning rate and weight decay (§6.5)"),
                                     [(tr("Grid of factors"), "grid"), (tr("Hyperparameter search"), "search")])
        self.mode_combo.currentIndexChanged.connect(lambda _i: self._edit({"mode": self.mode_combo.currentData()}))
        mode_row = QHBoxLayout()
        mode_row.addWidget(QLabel(tr("Mode"), side))
        mode_row.addWidget(self.mode_combo, 1)
        side_layout.addLayout(mode_row)
        self.grid_side = QWidget(side)
        grid_layout = QVBoxLayout(self.grid_side)
        grid_layout.setContentsMargins(0, 0, 0, 0)
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
        grid_layout.addLayout(preset_row)
        self.note_label = QLabel(side)
        self.note_label.setObjectName("presetNote")
        self.note_label.setWordWrap(True)  # its width: the column's, never the note's length
        self.note_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        grid_layout.addWidget(self.note_label)
        self.form = CompareForm(side)
        _shrinkable(self.form.data_combo)
        _shrinkable(self.form.optimizer_combo)
        self.form.edited.connect(self._edit)
        grid_layout.addWidget(self.form)
        side_layout.addWidget(self.grid_side)
        self.search_form = SearchForm(side)
        self.search_form.edited.connect(self._edit)
        side_layout.addWidget(self.search_form)
        controls = RunControls(side)  # on top: visible at 1280×720 without scrolling
        self.run_button, self.subset_button, self.reset_button, self.progress_bar = (
            controls.run_button, controls.subset_button, controls.reset_button, controls.progress_bar)
        self.run_button.clicked.connect(self.play_pause)
        self.reset_button.clicked.connect(self.request_reset)
        self.subset_button.clicked.connect(self.run_selected)
        side_layout.insertWidget(1, controls)
        side_layout.addStretch(1)
        scroll = QScrollArea(self.content)
        scroll.setObjectName("compareSide")
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedWidth(FORM_WIDTH)
        controls_column.register(scroll, FORM_WIDTH)
        outer.addWidget(scroll)

        self.grid_view = GridView(self.content)
        v = self.grid_view
        self.metric_combo, self.color_combo, self.style_combo, self.bands_box = (
            v.metric_combo, v.color_combo, v.style_combo, v.bands_box)
        self.csv_button, self.plot_button, self.curves, self.table, self.splitter = (
            v.csv_button, v.plot_button, v.curves, v.table, v.splitter)
        self.csv_button.clicked.connect(lambda: files.export_csv_dialog(self))
        self.plot_button.clicked.connect(lambda: files.export_plot_dialog(self))
        self.table.configsSelected.connect(lambda _ids: self._sync_buttons(emit=False))
        v.effects.report_button.clicked.connect(lambda: files.export_report_dialog(self, v.effects.write_report))
        self.table.sortChanged.connect(lambda key, desc: self._edit({"sort_column": key, "sort_descending": desc}))
        outer.addWidget(self.grid_view, 1)
        self.search_view = SearchView(self.content)
        self.search_view.csv_button.clicked.connect(lambda: files.export_csv_dialog(self, "gradlab-search.csv"))
        outer.addWidget(self.search_view, 1)
        for key, combo in (("metric", self.metric_combo), ("color_by", self.color_combo),
                           ("style_by", self.style_combo)):
            combo.currentIndexChanged.connect(lambda _i, k=key, c=combo: self._edit({k: c.currentData() or ""}))
        self.bands_box.toggled.connect(lambda on: self._edit({"bands": on}))

    def _recolor(self, _dark: bool = False) -> None:
        """Muted texts and the curves in the current theme (``palette.signals.changed``)."""
        self.note_label.setStyleSheet(f"color: {palette.MUTED}")
        self.redraw()

    # ---- state: the model is the truth, the widgets show it -----------------------------------------
    def state(self) -> cm.State:
        return self.model.state

    def apply_state(self, state: cm.State) -> None:
        self.model.set_state(state)
        self._show(state)

    def _edit(self, partial: dict) -> None:
        """A control changed: store it in the model, then refresh what depends on it."""
        try:
            state = self.model.state.merged(partial)
        except ValueError as exc:  # the controls' ranges should prevent this; say so, change nothing
            self.show_error(str(exc))
            return
        self.model.set_state(state)
        self._show_labels()
        if "mode" in partial:
            self._show_mode()
        if any(k in partial for k in VIEW_FIELDS + ("mode",)) or "top_n" in partial.get("search", {}):
            self.redraw()

    def _show(self, state: cm.State) -> None:
        """Every widget from ``state`` (no edits are sent back)."""
        self.form.show_state(state)
        self.search_form.show_state(state.search)
        self._show_mode()
        for combo, value in ((self.preset_combo, state.preset), (self.metric_combo, state.metric),
                             (self.mode_combo, state.mode)):
            blocked = combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(value))
            combo.blockSignals(blocked)
        blocked = self.bands_box.blockSignals(True)
        self.bands_box.setChecked(state.bands)
        self.bands_box.blockSignals(blocked)
        self.table.set_sort(state.sort_column, state.sort_descending)
        self._show_labels()
        self.redraw()

    def _searching(self) -> bool:
        return self.model.state.mode == "search"

    def _book(self):
        """The runs of the current mode: the grid (``self.model``) or the search's trials."""
        return self.model.search if self._searching() else self.model

    def _show_mode(self) -> None:
        """The current mode's form and results; the other mode's are hidden."""
        search = self._searching()
        for widget, on in ((self.grid_side, not search), (self.grid_view, not search),
                           (self.search_form, search), (self.search_view, search)):
            widget.setVisible(on)
        self._sync_buttons(emit=False)
        self._show_progress()

    def _set_factor_choices(self) -> None:
        """The colour/style combos list the grid's factors and show the state's choice."""
        names = self.model.plot_choices()
        state = self.model.state
        for combo, want, none in ((self.color_combo, state.color_by, False), (self.style_combo, state.style_by, True)):
            combo.blockSignals(True)
            combo.clear()
            if none:
                combo.addItem("—", "")
            for n in names:
                combo.addItem(tr(experiments.factor(n).display_name), n)
            combo.setCurrentIndex(max(0, combo.findData(want)))
            combo.blockSignals(False)

    def _show_labels(self) -> None:
        """The preset's note (while the form still holds it) and the grid's size."""
        state = self.model.state
        self.note_label.setText(tr(experiments.PRESETS[state.preset].note) if cm.preset_matches(state) else "")
        problem = self.form.problem()
        self.search_form.show_count(state.search)
        try:
            if problem:
                raise ValueError(problem)
            configs, seeds, runs = self.model.count()
            text = tr("{configs} configurations × {seeds} seeds = {runs} runs").format(
                configs=configs, seeds=seeds, runs=runs)
        except ValueError as exc:
            text = f"⚠ {tr_message(str(exc), INPUT_ERRORS)}"
        self.form.count_label.setText(text)

    # ---- presets --------------------------------------------------------------------------------
    def load_preset(self, name: str) -> None:
        """Fill the form with preset ``name`` (ValueError naming the presets if unknown)."""
        self.apply_state(cm.preset_state(name, self.model.state))

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
        self.model.clear()
        self.model.search.clear()
        self.progress_updates.cancel()
        self._show_progress()  # idle
        self.clear_error()
        self._set_factor_choices()
        self.redraw()

    def carry_over(self):
        return {"model": self.model, "selected": self.table.selected_ids()}

    def take_over(self, carried) -> None:
        """Results, form and selection of the window replaced on a language switch."""
        self.model.adopt(carried["model"])
        self._show(self.model.state)
        self._show_progress()
        self.redraw()
        self.table.select_ids(carried["selected"])

    def discards(self) -> str:
        n = len(self.model.results) + len(self.model.search.results)
        return tr("Discard the results of {n} finished runs?").format(n=n) if n else ""

    def run_grid(self) -> bool:
        """Expand the state into specs (or the search's trials) and start them; False (and a
        banner) on bad input."""
        if self._searching():
            return self.run_search()
        try:
            if self.form.problem():
                raise ValueError(self.form.problem())
            specs = self.model.plan()
        except ValueError as exc:
            self.show_error(tr("Cannot run this grid: {error}").format(error=tr_message(str(exc), INPUT_ERRORS)))
            return False
        self.clear_error()
        self.start_specs(specs, list(self.model.state.vary))
        return True

    def run_selected(self) -> bool:
        """Run only the table's selected configurations, with the form's seeds (a grid subset)."""
        ids = self.table.selected_ids()
        if not ids or self.runner.running:
            return False
        try:
            specs = self.model.plan_selected(ids)
        except cm.GridMismatch as exc:
            self.show_error(tr(str(exc)))
            return False
        except ValueError as exc:
            self.show_error(tr("Cannot run the selection: {error}").format(error=tr_message(str(exc), INPUT_ERRORS)))
            return False
        self.clear_error()
        self.start_specs(specs, list(self.model.state.vary), rerun=True)
        return True

    def run_search(self) -> bool:
        """Draw the search's trials and train them; False (and a banner) on bad input."""
        problem = self.search_form.problem()
        if problem:
            self.show_error(tr("Cannot run this search: {error}").format(error=tr_message(problem, INPUT_ERRORS)))
            return False
        self.clear_error()
        specs = self.model.search.start(self.model.state.search)
        self._fed = self.model.search
        self.redraw()
        self._show_progress()
        self.runner.start(specs)
        self._sync_buttons()
        self.statusMessage.emit(tr("Running {runs} runs in {workers} worker processes").format(
            runs=len(specs), workers=self.runner.grid.n_workers))
        return True

    def start_specs(self, specs, factor_names, rerun: bool = False) -> None:
        """Run exactly ``specs`` (the form's grid, or one built elsewhere; ``rerun``: replace only
        their configurations' rows)."""
        self.model.start_rerun(specs) if rerun else self.model.start(specs, factor_names)
        self._fed = self.model
        self._set_factor_choices()
        self.redraw()
        self._show_progress()
        self.runner.start(list(specs))
        self._sync_buttons()
        self.statusMessage.emit(tr("Running {runs} runs in {workers} worker processes").format(
            runs=len(specs), workers=self.runner.grid.n_workers))

    def cancel(self) -> None:
        self.runner.cancel()

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        self.runner.shutdown()
        return super().shutdown(timeout_ms)

    # ---- worker messages ----------------------------------------------------------------------------
    def _on_message(self, msg) -> None:
        book = self._fed  # the runs the workers are training, whatever the mode shown now
        book.consume(msg)
        if isinstance(msg, msgs.RunFinished):
            self.redraws.request()
        elif isinstance(msg, msgs.RunFailed):
            self.show_error(f"{book.label(msg.task_id) or tr('a run')}: {tr_message(msg.message)}")
        if isinstance(msg, msgs.GridDone):
            self._on_finished(msg.cancelled)
        else:
            self.progress_updates.request()

    def _show_progress(self) -> None:
        p = self._book().progress()
        self.curves.show_progress(p.done, p.total, self.model.running and not self._searching())
        if p.total == 0:
            self.progress_bar.setValue(0)
            self.progress_bar.setFormat(tr("idle"))
            return
        self.progress_bar.setValue(int(round(1000 * p.fraction)))
        left = " · " + tr("{seconds} s left").format(seconds=f"{p.eta:.0f}") if p.eta >= 0 else ""
        self.progress_bar.setFormat(tr("{done}/{total} runs").format(done=p.done, total=p.total) + left)

    def _on_finished(self, cancelled: bool) -> None:
        self.redraws.cancel()
        self.progress_updates.cancel()
        self.redraw()
        done, total = len(self._book().results), len(self._book().specs)
        self.curves.show_progress(done, total, False)
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
        run_text = tr("▶ &Run search") if self._searching() else tr("▶ &Run grid")
        self.run_button.setText(tr("■ &Cancel") if running else run_text)
        self.subset_button.setEnabled(not running and bool(self.table.selected_ids()))
        self.subset_button.setVisible(not self._searching())
        self.mode_combo.setEnabled(not running)
        if emit:
            self.playingChanged.emit(running)

    # ---- drawing ----------------------------------------------------------------------------------
    def redraw(self) -> None:
        if self._searching():
            self.search_view.show_results(self.model.search, self.model.state.search.top_n)
            return
        self._set_factor_choices()
        summaries = self.model.summaries()
        state = self.model.state
        selected = self.table.selected_ids()
        if self.table.results.set_summaries(summaries, self.model.factor_names):
            self.table.set_sort(state.sort_column, state.sort_descending)
        styles = self.curves.show_summaries(summaries, self.model.factor_names, state.metric,
                                            state.color_by, state.style_by, state.bands)
        self.table.results.set_styles(styles)
        if selected:
            self.table.select_ids(selected)
        self.curves.highlight(self.table.selected_ids())
        self.grid_view.facets.show_summaries(summaries, self.model.factor_names, state.metric, state.color_by)
        self.grid_view.effects.show_results(self.model.results.values(), self.model.factor_names, state.metric)

    # ---- export -----------------------------------------------------------------------------------
    def export_csv(self, path: str) -> None:
        self._book().write_csv(path)

    def export_plot(self, path: str) -> None:
        self.curves.export(path)
