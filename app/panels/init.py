"""The Initialization panel (lecture part 3; DLFS ch. 6 "activation histograms"), live.

N random samples go through L bias-free layers of W units (``engine.init_experiment``). Two
configurations, A and B, run on the *same* inputs and the same standard-normal weight draws
(only scaled), so whatever differs between their histograms is caused by the one setting that
differs. Forward: one histogram of activations per layer, on shared axes. Backward: the
histograms of ∂L/∂a per layer and, always visible, the mean |∂L/∂a| per layer on a log axis,
where vanishing (falling towards layer 1) and exploding gradients show as slopes. A table
gives each layer's mean, std, share saturated, share of ReLU zeros and dead units.

Every change recomputes both configurations in a worker (the "experiment" channel; a slider
drag shows results at the computation's pace, never a backlog). The default case takes
≈ 0.1 s from a change to the redrawn histograms.

Step draws new random inputs and weights (the next seed): the shapes stay, which shows they
are the initializer's doing and not luck. Play keeps drawing new seeds; Reset restores the
defaults (the book's first figure, sigmoid with std 1, against Xavier).
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.panels.base import Panel
from app.widgets import plots
from app.widgets.init_config import InitConfig, InitConfigEditor
from app.widgets.layer_histograms import LayerHistogramRow, share_y_range
from app.widgets.palette import series_color
from app.widgets.controls_column import controls_column
from engine.init_experiment import ActivationExperiment, ExperimentResult

CONFIGS = ("A", "B")
COLORS = {"A": series_color(0), "B": series_color(1)}

#: (objectName suffix, label, minimum, maximum, default, tooltip) of the shared network sizes.
#: The maxima bound one run to ≈ 0.3 GB of arrays and about a second.
SIZES = (
    ("Samples", "Samples N", 2, 5000, 1000, "Rows of the random input batch x ~ N(0, 1) (the book: 1000)"),
    ("Features", "Features", 1, 500, 100, "Columns of the input batch (the book: 100)"),
    ("Layers", "Layers L", 1, 10, 5, "Number of hidden layers, one histogram each (the book: 5)"),
    ("Width", "Width W", 2, 200, 100, "Units per layer (the book: 100)"),
)
DEFAULT_SIZES = {key: default for key, _l, _a, _b, default, _t in SIZES}
DEFAULT_SEED = 0
DEFAULT_A = InitConfig("sigmoid", "std1")
DEFAULT_B = InitConfig("sigmoid", "xavier")
PLAY_INTERVAL_MS = 700

#: The book's cases, one click each: (button text, tooltip, A, B).
PRESETS = (
    ("Sigmoid: std 1 vs std 0.01", "Saturation at 0 and 1 against collapse onto 0.5 (book fig. 6-10, 6-11)",
     InitConfig("sigmoid", "std1"), InitConfig("sigmoid", "std0.01")),
    ("Sigmoid: std 1 vs Xavier", "Saturation against a healthy spread (book fig. 6-10, 6-13)",
     InitConfig("sigmoid", "std1"), InitConfig("sigmoid", "xavier")),
    ("Tanh: std 0.01 vs Xavier", "Tanh collapses onto 0 with tiny weights; Xavier keeps its spread",
     InitConfig("tanh", "std0.01"), InitConfig("tanh", "xavier")),
    ("ReLU: std 0.01 vs He", "Tiny weights shrink ReLU layers towards 0; He keeps them alive (book fig. 6-14)",
     InitConfig("relu", "std0.01"), InitConfig("relu", "he")),
    ("ReLU: Xavier vs He", "Xavier halves the spread at every ReLU layer; He keeps it (book fig. 6-14)",
     InitConfig("relu", "xavier"), InitConfig("relu", "he")),
    ("Sigmoid std 1: without vs with BN", "Batch norm rescues even a bad init (book §6.3)",
     InitConfig("sigmoid", "std1"), InitConfig("sigmoid", "std1", batchnorm=True)),
)

#: Activations whose histograms have a spike of exact zeros (the negative side).
_SPIKE_AT_ZERO = {"relu", "step"}

TABLE_COLUMNS = ("", "layer", "mean", "std", "saturated", "zeros", "dead units", "mean |∂L/∂a|")


def _slim(result: ExperimentResult) -> ExperimentResult:
    """The result without its big arrays (histograms and numbers only), to keep the panel small."""
    empty = np.empty((0, 0))
    layers = tuple(dataclasses.replace(layer, weight=empty, pre=empty, out=empty, grad=empty, weight_grad=empty)
                   for layer in result.layers)
    return dataclasses.replace(result, x=empty, layers=layers)


def run_experiments(experiments: dict[str, ActivationExperiment]) -> dict[str, ExperimentResult]:
    """Worker job: run every experiment (A, then B) and return their slim results."""
    return {key: _slim(exp.run()) for key, exp in experiments.items()}


def _pct(v: float) -> str:
    return f"{v:.0%}" if np.isfinite(v) else "—"


def _num(v: float) -> str:
    return f"{v:.3g}" if np.isfinite(v) else str(v)


class InitPanel(Panel):
    """Activation and gradient histograms per layer for two initializations; see the module doc.

    Signal ``drawn()`` fires after every result is drawn (tests and the benchmark wait for it).
    """

    panel_id = "init"
    title = "Initialization"
    description = "Weight initialization: activation and gradient histograms per layer (A vs B)"

    drawn = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        plots.configure()
        self.results: dict[str, ExperimentResult] = {}
        self.labels: dict[str, str] = {}  # e.g. {"A": "Sigmoid · std 1"}, of the results shown
        self._seq = 0
        self._pending_steps = 0
        self._submitted_at = 0.0
        self.last_latency_ms = float("nan")  # control change → histograms drawn
        self._play_timer = QTimer(self)
        self._play_timer.setInterval(PLAY_INTERVAL_MS)
        self._play_timer.timeout.connect(self._play_tick)

        layout = QHBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._build_controls())
        right = QSplitter(Qt.Orientation.Vertical, self.content)
        right.setObjectName("initSplitter")
        right.setChildrenCollapsible(False)
        right.addWidget(self._build_histograms())
        right.addWidget(self._build_bottom())
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.setSizes([640, 260])
        layout.addWidget(right, 1)
        self._sync_compare()
        self.recompute()
        # build the 4 × L plots while the worker computes (≈ 25 ms each: they would otherwise
        # be built when the first result arrives, after the computation instead of during it)
        names = [tr("Layer {i}").format(i=i) for i in range(1, self.size_spins["Layers"].value() + 1)]
        for row in (*self.act_rows.values(), *self.grad_rows.values()):
            row.set_layers(names)

    # ---- construction ------------------------------------------------------------------------------
    def _build_controls(self) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 4, 0)
        self.editors: dict[str, InitConfigEditor] = {}
        for key, default in zip(CONFIGS, (DEFAULT_A, DEFAULT_B)):
            editor = InitConfigEditor(key, tr("Configuration {key}").format(key=key))
            editor.setStyleSheet(f"QGroupBox#config{key}::title {{ color: {COLORS[key]}; }}")
            editor.set_config(default)
            editor.changed.connect(self.recompute)
            self.editors[key] = editor
            if key == "B":
                self.compare = QCheckBox(tr("Compare with B"))
                self.compare.setObjectName("compareCheck")
                self.compare.setChecked(True)
                self.compare.setToolTip(tr("Run a second configuration on the same inputs and weight draws, drawn in its colour"))
                self.compare.toggled.connect(self._on_compare)
                col.addWidget(self.compare)
            col.addWidget(editor)

        net = QGroupBox(tr("Network and data (shared)"))
        net.setToolTip(tr("Both configurations use these sizes, the same inputs and the same random weight draws"))
        form = QFormLayout(net)
        self.size_spins: dict[str, QSpinBox] = {}
        for key, label, lo, hi, default, tip in SIZES:
            spin = QSpinBox()
            spin.setObjectName(f"spin{key}")
            spin.setRange(lo, hi)
            spin.setValue(default)
            spin.setKeyboardTracking(False)
            spin.setToolTip(tr(tip))
            spin.valueChanged.connect(self.recompute)
            form.addRow(tr(label), spin)
            self.size_spins[key] = spin
        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("spinSeed")
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setValue(DEFAULT_SEED)
        self.seed_spin.setKeyboardTracking(False)
        self.seed_spin.setToolTip(tr("Random seed of inputs, weights and the backward read-out (Step takes the next one)"))
        self.seed_spin.valueChanged.connect(self.recompute)
        form.addRow(tr("Seed"), self.seed_spin)
        col.addWidget(net)

        presets = QGroupBox(tr("The book's cases (one click)"))
        pcol = QVBoxLayout(presets)
        pcol.setSpacing(2)
        self.preset_buttons: list[QPushButton] = []
        for i, (text, tip, a, b) in enumerate(PRESETS):
            button = QPushButton(tr(text))
            button.setObjectName(f"preset{i}")
            button.setToolTip(f"{tr(tip)}\nA: {a.label()}   B: {b.label()}\n" + tr("(book sizes: 1000 × 100, 5 layers of 100)"))
            button.clicked.connect(lambda _=False, i=i: self.apply_preset(i))
            pcol.addWidget(button)
            self.preset_buttons.append(button)
        col.addWidget(presets)
        col.addStretch(1)

        return controls_column(box, "initControls", min_width=290)

    def _build_histograms(self) -> QWidget:
        self.views = QTabWidget()
        self.views.setObjectName("initViews")
        self.act_rows: dict[str, LayerHistogramRow] = {}
        self.grad_rows: dict[str, LayerHistogramRow] = {}
        for rows, name, tab, tip in (
            (self.act_rows, "act", tr("Forward: activations"), tr("Histogram of every layer's outputs (all samples × units)")),
            (self.grad_rows, "grad", tr("Backward: gradients ∂L/∂a"),
             tr("Histogram of the gradient reaching every layer's outputs; L = Σ r ⊙ a_L with a fixed random r")),
        ):
            page = QWidget()
            pcol = QVBoxLayout(page)
            pcol.setContentsMargins(0, 0, 0, 0)
            pcol.setSpacing(2)
            for key in CONFIGS:
                row = LayerHistogramRow(page, title=key)
                row.setObjectName(f"{name}Row{key}")
                pcol.addWidget(row, 1)
                rows[key] = row
            self.views.addTab(page, tab)
            self.views.setTabToolTip(self.views.count() - 1, tip)
        return self.views

    def _build_bottom(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.magnitude_plot = plots.make_plot("", tr("layer"), tr("mean |∂L/∂a|  (log)"), name="magnitudePlot")
        self.magnitude_plot.setToolTip(
            tr("How much gradient reaches each layer's outputs. The last layer always receives a unit-scale\n"
               "gradient; a line falling toward layer 1 means vanishing gradients, a rising one exploding.")
        )
        self.magnitude_plot.setLogMode(y=True)
        self.magnitude_plot.getAxis("left").enableAutoSIPrefix(False)
        item = self.magnitude_plot.getPlotItem()
        item.disableAutoRange()
        item.setMouseEnabled(x=False, y=False)
        self.magnitude_curves = {}  # no legend (it would hide lines): the title names A and B in colour
        for key in CONFIGS:
            curve = item.plot(pen=plots.pen(COLORS[key]), symbol="o", symbolSize=7, symbolBrush=COLORS[key],
                              symbolPen=None)
            self.magnitude_curves[key] = curve
        row.addWidget(self.magnitude_plot, 1)

        self.table = QTableWidget(0, len(TABLE_COLUMNS))
        self.table.setObjectName("layerTable")
        self.table.setHorizontalHeaderLabels([tr(c) for c in TABLE_COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for c in (1, len(TABLE_COLUMNS) - 1):
            self.table.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        tips = (tr("configuration"), tr("layer (1 = first hidden layer)"), tr("mean of the activations"),
                tr("std of the activations"), tr("share of sigmoid outputs < 0.01 or > 0.99 (tanh |a| > 0.99): "
                   "derivative ≈ 0"), tr("share of activations exactly 0 (ReLU's negative side)"),
                tr("share of units that are 0 for every sample: they pass no gradient at all"),
                tr("mean |∂L/∂a| reaching the layer's outputs"))
        for i, tip in enumerate(tips):
            self.table.horizontalHeaderItem(i).setToolTip(tip)
        self.table.setToolTip(tr("Per-layer numbers from the engine (— : not defined for this activation)"))
        right = QWidget()
        rcol = QVBoxLayout(right)
        rcol.setContentsMargins(0, 0, 0, 0)
        rcol.addWidget(self.table, 1)
        self.summary = QLabel()
        self.summary.setObjectName("initSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        rcol.addWidget(self.summary)
        right.setMinimumWidth(520)
        row.addWidget(right, 1)
        return box

    # ---- state -----------------------------------------------------------------------------------------
    def active_configs(self) -> list[str]:
        return ["A", "B"] if self.compare.isChecked() else ["A"]

    def config(self, key: str) -> InitConfig:
        return self.editors[key].config()

    def experiment(self, key: str) -> ActivationExperiment:
        """The engine experiment that configuration ``key`` runs with the current controls."""
        sizes = {k: spin.value() for k, spin in self.size_spins.items()}
        return ActivationExperiment(
            n_samples=sizes["Samples"], n_features=sizes["Features"], n_layers=sizes["Layers"],
            width=sizes["Width"], seed=self.seed_spin.value(), **self.config(key).experiment_kwargs(),
        )

    def apply_preset(self, index: int) -> None:
        """Set A, B and the book's sizes for ``PRESETS[index]`` (one recomputation)."""
        _text, _tip, a, b = PRESETS[index]
        self._set_all(a, b, DEFAULT_SIZES, compare=True, seed=None)
        self.statusMessage.emit(tr("Preset: {name}").format(name=tr(PRESETS[index][0])))

    def _set_all(self, a: InitConfig, b: InitConfig, sizes: dict, compare: bool, seed: int | None) -> None:
        widgets = [*self.editors.values(), *self.size_spins.values(), self.seed_spin, self.compare]
        for w in widgets:
            w.blockSignals(True)
        try:
            self.editors["A"].set_config(a)
            self.editors["B"].set_config(b)
            for key, value in sizes.items():
                self.size_spins[key].setValue(int(value))
            if seed is not None:
                self.seed_spin.setValue(int(seed))
            self.compare.setChecked(compare)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._sync_compare()
        self.recompute()

    def _on_compare(self, _checked: bool) -> None:
        self._sync_compare()
        self.recompute()

    def _sync_compare(self) -> None:
        on = self.compare.isChecked()
        self.editors["B"].setEnabled(on)
        for rows in (self.act_rows, self.grad_rows):
            rows["B"].setVisible(on)
        self.magnitude_curves["B"].setVisible(on)

    # ---- computation -------------------------------------------------------------------------------------
    def recompute(self, *_args) -> None:
        """Submit both configurations to the worker (latest wins); bad settings go to the banner."""
        try:
            experiments = {key: self.experiment(key) for key in self.active_configs()}
        except ValueError as exc:
            self.show_error(str(exc))
            return
        labels = {key: self.config(key).label() for key in experiments}
        self._seq += 1
        self._submitted_at = time.perf_counter()
        self.channel("experiment", keep_running=True).submit(
            run_experiments, experiments,
            on_return=lambda results, seq=self._seq, t0=self._submitted_at: self._on_results(results, labels, seq, t0),
        )

    def _on_results(self, results: dict[str, ExperimentResult], labels: dict[str, str], seq: int, t0: float) -> None:
        self.results, self.labels = results, labels
        self._draw()
        self.last_latency_ms = (time.perf_counter() - t0) * 1e3
        self.drawn.emit()
        if seq != self._seq:
            return  # an older request (a drag in progress): drawn, but not the final state
        self.clear_error()
        self.statusMessage.emit(
            tr("Initialization: {configs}, seed {seed}").format(
                configs=tr(" vs ").join(f"{k} {labels[k]}" for k in results), seed=self.results["A"].config.seed
            )
        )
        while self._pending_steps > 0:
            self._pending_steps -= 1
            self.mark_stepped()
        self.mark_ready()

    # ---- drawing -----------------------------------------------------------------------------------------------
    def _draw(self) -> None:
        keys = [k for k in CONFIGS if k in self.results]
        for key in CONFIGS:
            if key not in self.results:
                self.act_rows[key].clear_series(0)
                self.grad_rows[key].clear_series(0)
        for key in keys:
            res = self.results[key]
            cfg = res.config
            names = [tr("Layer {i}").format(i=layer.index) for layer in res.layers]
            label = self._config_label(key)
            act_row, grad_row = self.act_rows[key], self.grad_rows[key]
            act_row.set_layers(names)
            grad_row.set_layers(names)
            clipped = tr(" (the spike of zeros at 0 is cut off: see 'zeros')") if cfg.activation_name in _SPIKE_AT_ZERO else ""
            act_row.set_title(f"{key}: {label}", tr("activation output") + clipped)
            grad_row.set_title(f"{key}: {label}", "∂L/∂a")
            act_row.set_histograms([(layer.counts, res.edges) for layer in res.layers], color=COLORS[key])
            grad_row.set_histograms([(layer.grad_counts, res.grad_edges) for layer in res.layers], color=COLORS[key])
            act_row.set_texts([self._act_text(cfg.activation_name, layer) for layer in res.layers])
            grad_row.set_texts([tr("mean |g| {value}").format(value=_num(layer.grad_mean_abs)) for layer in res.layers])
        self._share_ranges(keys)
        self._draw_magnitudes(keys)
        self._fill_table(keys)
        self._fill_summary(keys)

    def _config_label(self, key: str) -> str:
        """The label of the configuration the shown result of ``key`` was computed with."""
        return self.labels.get(key, "")

    @staticmethod
    def _act_text(kind: str, layer) -> str:
        text = f"μ {layer.mean:.2f}  σ {layer.std:.2g}"
        if kind in ("sigmoid", "tanh"):
            text += "  " + tr("sat {share}").format(share=_pct(layer.share_saturated))
        elif kind in ("relu", "step"):
            text += "  " + tr("zeros {share}").format(share=_pct(layer.share_zero))
        return text

    def _share_ranges(self, keys: list[str]) -> None:
        """Same y scale in A and B; same x range too when both show the same kind of values."""
        kinds = {self.results[k].config.activation_name for k in keys}
        # ReLU's spike of exact zeros (reported as "zeros" under each plot) is clipped, as in
        # the book's fig. 6-14, so the spread of the living units stays visible
        tops = [self.act_rows[k].y_max(0.0 if self.results[k].config.activation_name in _SPIKE_AT_ZERO else None)
                for k in keys]
        for k in keys:
            self.act_rows[k].set_y_max(max(tops, default=1.0))
        share_y_range([self.grad_rows[k] for k in keys])
        for rows, edges_of, same in ((self.act_rows, "edges", len(kinds) == 1), (self.grad_rows, "grad_edges", True)):
            if same and len(keys) > 1:
                lo = min(getattr(self.results[k], edges_of)[0] for k in keys)
                hi = max(getattr(self.results[k], edges_of)[-1] for k in keys)
                for k in keys:
                    rows[k].set_x_range(lo, hi)
            else:
                for k in keys:
                    rows[k].set_x_range(None)

    def _draw_magnitudes(self, keys: list[str]) -> None:
        values = []
        n_layers = 1
        for key in CONFIGS:
            curve = self.magnitude_curves[key]
            if key not in keys:
                curve.setData([], [])
                continue
            res = self.results[key]
            g = res.column("grad_mean_abs")
            g = np.where(g > 0, g, np.nan)  # a log axis cannot draw 0
            curve.setData(np.arange(1, len(g) + 1), g, connect="finite")
            values.append(g)
            n_layers = max(n_layers, len(g))
        item = self.magnitude_plot.getPlotItem()
        self._fit_decades(item, values)
        plots.fit_x(item, 0.7, n_layers + 0.3)
        item.getAxis("bottom").setTicks([[(i, str(i)) for i in range(1, n_layers + 1)]])
        names = " ".join(f"<span style='color:{COLORS[k]}'>■ {k}</span>" for k in keys)
        item.setTitle(tr("Gradient reaching each layer {names}").format(names=names), size=plots.TITLE_SIZE)

    @staticmethod
    def _fit_decades(item, values) -> None:
        """Whole decades (at least two), labelled at each decade only: pyqtgraph's own log ticks
        label 0.2 … 0.9 on top of each other when the range spans one or two decades."""
        logs = [np.log10(v[np.isfinite(v) & (v > 0)]) for v in values]
        logs = [v for v in logs if v.size]
        if not logs:
            return
        lo = math.floor(min(v.min() for v in logs) - 0.05)
        hi = math.ceil(max(v.max() for v in logs) + 0.05)
        lo = min(lo, hi - 2)
        if getattr(item, "_decades", None) != (lo, hi):
            item._decades = (lo, hi)
            item.setYRange(lo, hi, padding=0.1)  # room for the edge labels (pyqtgraph drops clipped ones)
            every = max(1, math.ceil((hi - lo) / 8))  # at most about eight labels
            ticks = [(k, f"{10.0 ** k:g}") for k in range(lo, hi + 1) if (k - lo) % every == 0]
            item.getAxis("left").setTicks([ticks, []])

    def _fill_table(self, keys: list[str]) -> None:
        rows = [(key, layer, self.results[key].config.activation_name) for key in keys for layer in self.results[key].layers]
        self.table.setRowCount(len(rows))
        for r, (key, layer, kind) in enumerate(rows):
            saturated = _pct(layer.share_saturated) if kind in ("sigmoid", "tanh") else "—"
            zeros = _pct(layer.share_zero) if kind in ("relu", "step") else "—"
            dead = _pct(layer.dead_units) if kind in ("relu", "step") else "—"
            cells = (key, str(layer.index), f"{layer.mean:.3f}", f"{layer.std:.3g}", saturated, zeros, dead,
                     _num(layer.grad_mean_abs))
            for c, text in enumerate(cells):
                item = self.table.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    self.table.setItem(r, c, item)
                item.setText(text)
                item.setForeground(pg.mkColor(COLORS[key] if c == 0 else "#222222"))

    def _fill_summary(self, keys: list[str]) -> None:
        parts = []
        for key in keys:
            res = self.results[key]
            g = res.column("grad_mean_abs")
            ratio = g[0] / g[-1] if g[-1] > 0 else float("nan")
            parts.append(
                f"<b style='color:{COLORS[key]}'>{key}</b>: "
                + tr("layer 1 gets {ratio}× the gradient of layer {last}").format(ratio=_num(ratio), last=len(g))
                + (tr(" (vanishing)") if ratio < 0.1 else tr(" (exploding)") if ratio > 10 else "")
            )
        self.summary.setText(" &nbsp;·&nbsp; ".join(parts))

    # ---- global actions ----------------------------------------------------------------------------------------
    def step(self) -> None:
        """A new random draw: the next seed (counted once it is drawn)."""
        self._pending_steps += 1
        self.seed_spin.setValue(self.seed_spin.value() + 1)

    def play_pause(self) -> None:
        if self._play_timer.isActive():
            self._play_timer.stop()
        else:
            self._play_timer.start()
        self.playingChanged.emit(self.is_playing())

    def is_playing(self) -> bool:
        return self._play_timer.isActive()

    def _play_tick(self) -> None:
        if not self.channel("experiment").busy:  # never queue draws behind a slow one
            self.step()

    def reset(self) -> None:
        """Back to the defaults: sigmoid std 1 (A) against Xavier (B), the book's sizes, seed 0."""
        if self.is_playing():
            self.play_pause()
        self._set_all(DEFAULT_A, DEFAULT_B, DEFAULT_SIZES, compare=True, seed=DEFAULT_SEED)
        self.views.setCurrentIndex(0)
        self.statusMessage.emit(tr("Initialization: defaults restored"))

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        self._play_timer.stop()
        return super().shutdown(timeout_ms)

    # ---- settings ---------------------------------------------------------------------------------------------
    def save_settings(self, settings: QSettings) -> None:
        for key in CONFIGS:
            cfg = self.config(key)
            settings.setValue(f"{key}/activation", cfg.activation)
            settings.setValue(f"{key}/init", cfg.init_key)
            settings.setValue(f"{key}/custom_std", cfg.custom_std)
            settings.setValue(f"{key}/batchnorm", int(cfg.batchnorm))
        for key, spin in self.size_spins.items():
            settings.setValue(f"sizes/{key}", spin.value())
        settings.setValue("seed", self.seed_spin.value())
        settings.setValue("compare", int(self.compare.isChecked()))
        settings.setValue("view", self.views.currentIndex())

    def restore_settings(self, settings: QSettings) -> None:
        def num(key, default, kind=float):
            try:
                return kind(settings.value(key, default))
            except (TypeError, ValueError):
                return default

        configs = []
        for key, default in zip(CONFIGS, (DEFAULT_A, DEFAULT_B)):
            try:
                configs.append(InitConfig(
                    str(settings.value(f"{key}/activation", default.activation)),
                    str(settings.value(f"{key}/init", default.init_key)),
                    num(f"{key}/custom_std", default.custom_std),
                    bool(num(f"{key}/batchnorm", int(default.batchnorm), int)),
                ))
            except ValueError:  # a stale or hand-edited value: keep the default
                configs.append(default)
        sizes = {key: num(f"sizes/{key}", default, int) for key, default in DEFAULT_SIZES.items()}
        self._set_all(configs[0], configs[1], sizes, compare=bool(num("compare", 1, int)),
                      seed=num("seed", DEFAULT_SEED, int))
        self.views.setCurrentIndex(num("view", 0, int))
