"""The Activation panel (lecture part 1): curves, derivatives, vanishing gradients, softmax.

Top: every chosen activation beside its derivative, in two x-linked plots with a hover
read-out of x, f(x), f'(x). Bottom, one tab each: how much gradient survives ``depth`` layers
(log scale), the share of dead units (dying ReLU), why stacking linear layers is useless, and
softmax of editable logits. Curves, stacks and softmax are instant engine calls (curve redraws
are throttled to ~30/s during a drag); the depth experiment runs in a worker on the "depth"
channel, where a running computation finishes and then only the newest request runs.

Step adds one layer to the depth experiment and Play keeps adding them, so the vanishing can be
watched as the network gets deeper; Reset restores the default settings.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.panels.activation_views import (
    DEFAULT_LOGITS,
    STACK_DEFAULTS,
    DeadUnitsView,
    DepthView,
    SoftmaxView,
    StackView,
)
from app.panels.base import Panel
from app.widgets import plots
from app.widgets.lazy_tabs import LazyTabs
from app.widgets.palette import MUTED, series_color
from app.widgets.sliders import LabeledSlider
from app.widgets.controls_column import controls_column
from app.workers import Throttle
from engine import activations, init, probes

#: Activations with an f'(x) curve, in registry order (softmax has its own tab).
ELEMENTWISE = [e.name for e in activations.entries() if e.extra.get("elementwise", True)]
#: Colour order: the lecture's main five get the strongest colours.
_COLOR_ORDER = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "prelu", "identity", "step"]
_ORDERED = [n for n in _COLOR_ORDER if n in ELEMENTWISE] + [n for n in ELEMENTWISE if n not in _COLOR_ORDER]
COLORS = {name: series_color(i) for i, name in enumerate(_ORDERED)}

DEFAULT_SHOWN = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")
#: (activation, parameter, label, min, max, default, tooltip). Leaky slope 0.1 as in the lecture.
PARAMS = (
    ("leaky_relu", "alpha", "Leaky ReLU α", 0.0, 0.5, 0.1, "Slope of Leaky ReLU for x < 0 (the lecture uses 0.1, PyTorch 0.01)"),
    ("prelu", "alpha", "PReLU a", 0.0, 1.0, 0.25, "PReLU's slope for x < 0; learned in training, 0.25 at start"),
    ("elu", "alpha", "ELU α", 0.1, 3.0, 1.0, "ELU saturates at −α for very negative x"),
)
X_RANGE = (-5.0, 5.0)
N_POINTS = 401  # 0.025 apart: kinks stay sharp, and each repaint costs half as much
DEFAULT_DEPTH, MAX_DEPTH = 10, 60
DEFAULT_INIT = "xavier"
DEPTH_TAB, DEAD_TAB, STACK_TAB, SOFTMAX_TAB = range(4)
PLAY_INTERVAL_MS = 300


def _probe_each(specs, depth, initializer, bias):
    """Worker job: one ``DepthProbe`` per (name, params); the yields let an abort stop it early."""
    for name, params in specs:
        yield probes.depth_probe(name, depth=depth, initializer=initializer, bias=bias, **params)


def _swatch(color: str) -> QIcon:
    pix = QPixmap(14, 14)
    pix.fill(QColor(color))
    return QIcon(pix)


def _fmt(v: float) -> str:
    return f"{v:.4g}" if np.isfinite(v) else str(v)


class ActivationsPanel(Panel):
    """Activations, derivatives, depth and softmax; see the module docstring."""

    panel_id = "activations"
    title = "Activations"
    description = "Activation functions, their derivatives, vanishing gradients and softmax"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        plots.configure()
        self.x = np.linspace(*X_RANGE, N_POINTS)
        self.params = {name: {p: default} for name, p, _l, _a, _b, default, _t in PARAMS}
        self.curve_items: dict[str, pg.PlotDataItem] = {}
        self.deriv_items: dict[str, pg.PlotDataItem] = {}
        self.probe_results: dict[str, probes.DepthProbe] = {}
        # what the lower tabs show before they are built (LazyTabs builds a tab when first shown)
        self._view_state = {STACK_TAB: dict(STACK_DEFAULTS), SOFTMAX_TAB: {"logits": list(DEFAULT_LOGITS)}}
        self._pending_steps = 0
        self._depth_seq = 0  # numbers the depth requests; only the newest one completes a Step
        self._drawn_depth = DEFAULT_DEPTH
        self._hover_x: float | None = None
        self._curves_throttle = Throttle(self._redraw_curves, 33, self)  # slider drags: ≤ 30 redraws/s
        self._play_timer = QTimer(self)
        self._play_timer.setInterval(PLAY_INTERVAL_MS)
        self._play_timer.timeout.connect(self._play_tick)

        layout = QHBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._build_controls())
        right = QSplitter(Qt.Orientation.Vertical, self.content)
        right.setObjectName("activationsSplitter")
        right.setChildrenCollapsible(False)
        right.addWidget(self._build_curve_plots())
        right.addWidget(self._build_views())
        right.setSizes([1, 1])
        layout.addWidget(right, 1)

        self._redraw_curves()
        self._submit_depth()

    # ---- construction ------------------------------------------------------------------------------
    def _build_controls(self) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 4, 0)

        shown = QGroupBox(tr("Activations"))
        shown.setToolTip(tr("Which activations to draw in every plot"))
        grid = QGridLayout(shown)
        self.checks: dict[str, QCheckBox] = {}
        for i, name in enumerate(_ORDERED):
            entry = activations.REGISTRY.entry(name)
            check = QCheckBox(tr(entry.display_name))
            check.setObjectName(f"show_{name}")
            check.setIcon(_swatch(COLORS[name]))
            check.setToolTip(f"{tr(entry.formula)}\n{tr(entry.extra.get('derivative_formula', ''))}")
            check.setChecked(name in DEFAULT_SHOWN)
            check.toggled.connect(self._on_shown_changed)
            self.checks[name] = check
            grid.addWidget(check, i // 2, i % 2)
        col.addWidget(shown)

        params = QGroupBox(tr("Parameters"))
        pcol = QVBoxLayout(params)
        self.sliders: dict[str, LabeledSlider] = {}
        for name, p, label, lo, hi, default, tip in PARAMS:
            slider = LabeledSlider(tr(label), lo, hi, default, decimals=2, tooltip=tr(tip))
            slider.setObjectName({"leaky_relu": "leakyAlpha", "prelu": "preluAlpha", "elu": "eluAlpha"}.get(name, name))
            slider.valueChanged.connect(lambda v, name=name, p=p: self._on_param(name, p, v))
            self.sliders[name] = slider
            pcol.addWidget(slider)
        col.addWidget(params)

        depth = QGroupBox(tr("Depth experiment"))
        depth.setToolTip(
            tr("A random batch (256 × 64) goes forward through the layers and a random gradient comes back;\n"
               "the same weights for every activation, so only the activation differs.")
        )
        form = QFormLayout(depth)
        self.depth_spin = QSpinBox()
        self.depth_spin.setObjectName("depthSpin")
        self.depth_spin.setRange(1, MAX_DEPTH)
        self.depth_spin.setValue(DEFAULT_DEPTH)
        self.depth_spin.setToolTip(tr("Number of layers the gradient passes through (Step adds one, Play keeps adding)"))
        self.depth_spin.valueChanged.connect(self._submit_depth)
        form.addRow(tr("Layers"), self.depth_spin)
        self.init_combo = QComboBox()
        self.init_combo.setObjectName("initCombo")
        for entry in init.REGISTRY.entries():
            self.init_combo.addItem(tr(entry.display_name), entry.name)
            self.init_combo.setItemData(self.init_combo.count() - 1, entry.formula, Qt.ItemDataRole.ToolTipRole)
        self.init_combo.setCurrentIndex(self.init_combo.findData(DEFAULT_INIT))
        self.init_combo.setToolTip(tr("How the weights are drawn (He suits ReLU, Xavier suits sigmoid/tanh)"))
        self.init_combo.currentIndexChanged.connect(self._submit_depth)
        form.addRow(tr("Weights"), self.init_combo)
        self.bias_slider = LabeledSlider(
            "", -3.0, 1.0, 0.0, decimals=2,
            tooltip=tr("A bias added to every unit; a strongly negative one (e.g. after a too-large update) kills ReLU units"),
        )
        self.bias_slider.setObjectName("biasSlider")
        self.bias_slider.valueChanged.connect(self._submit_depth)
        form.addRow(tr("Bias"), self.bias_slider)
        col.addWidget(depth)

        formulas = QGroupBox(tr("Formulas"))
        fcol = QVBoxLayout(formulas)
        self.formula_label = QLabel()
        self.formula_label.setObjectName("formulaLabel")
        self.formula_label.setWordWrap(True)
        self.formula_label.setTextFormat(Qt.TextFormat.RichText)
        fcol.addWidget(self.formula_label)
        col.addWidget(formulas)
        col.addStretch(1)

        return controls_column(box, "activationsControls")

    def _build_curve_plots(self) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.f_plot = plots.make_plot("f(x)", "x", "f(x)", name="activationPlot")
        self.d_plot = plots.make_plot(tr("derivative f′(x)"), "x", "f′(x)", name="derivativePlot")
        self.d_plot.setXLink(self.f_plot)
        for plot in (self.f_plot, self.d_plot):
            plot.getPlotItem().disableAutoRange()  # _redraw_curves fits y in rounded steps
        self.f_legend = plots.add_legend(self.f_plot.getPlotItem())
        self.hover_lines, self.hover_dots = [], []
        for plot in (self.f_plot, self.d_plot):
            plot.setXRange(*X_RANGE, padding=0.02)
            line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(MUTED, width=1, style=Qt.PenStyle.DashLine))
            line.hide()
            plot.addItem(line, ignoreBounds=True)
            dots = pg.ScatterPlotItem(size=8, pen=pg.mkPen("w", width=1))
            plot.addItem(dots, ignoreBounds=True)
            self.hover_lines.append(line)
            self.hover_dots.append(dots)
            plot.scene().sigMouseMoved.connect(lambda pos, plot=plot: self._on_hover(plot, pos))
            row.addWidget(plot)
        col.addLayout(row, 1)
        self.readout = QLabel()
        self.readout.setObjectName("hoverReadout")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setWordWrap(True)
        self.readout.setToolTip(tr("Values at the mouse position, from the engine"))
        self.readout.setMinimumHeight(2 * self.readout.fontMetrics().lineSpacing() + 4)  # no jump on hover
        col.addWidget(self.readout)
        self._set_readout(None)
        return box

    def _build_views(self) -> QWidget:
        self.views = LazyTabs()
        self.views.setObjectName("activationViews")
        self.views.built.connect(self._on_view_built)
        self.views.add_lazy(lambda: DepthView(COLORS), tr("Gradient vs depth"),
                            tr("How much of the gradient survives the backward pass through the layers"))
        self.views.add_lazy(lambda: DeadUnitsView(COLORS), tr("Dying ReLU"),
                            tr("Units that pass no gradient at all; move the Bias slider below 0"))
        self.views.add_lazy(lambda: StackView(_ORDERED, self._params_of, self._view_state[STACK_TAB]),
                            tr("Linear stacking"), tr("Why a network needs a nonlinear activation"))
        self.views.add_lazy(lambda: SoftmaxView(self._view_state[SOFTMAX_TAB]), tr("Softmax"),
                            tr("Edit the logits; the probabilities always sum to 1"))
        return self.views

    def _on_view_built(self, _index: int, view: QWidget) -> None:
        if isinstance(view, (DepthView, DeadUnitsView)) and self.probe_results:
            view.show_results(self._results_in_order(), self._drawn_depth)

    @property
    def depth_view(self) -> DepthView:
        return self.views.page(DEPTH_TAB)

    @property
    def dead_view(self) -> DeadUnitsView:
        return self.views.page(DEAD_TAB)

    @property
    def stack_view(self) -> StackView:
        return self.views.page(STACK_TAB)

    @property
    def softmax_view(self) -> SoftmaxView:
        return self.views.page(SOFTMAX_TAB)

    def _built_views(self, *indexes: int) -> list[QWidget]:
        return [self.views.page(i) for i in indexes if self.views.is_built(i)]

    def _view_value(self, index: int) -> dict:
        """The state of tab ``index`` (from its widgets once built)."""
        return self.views.page(index).state() if self.views.is_built(index) else dict(self._view_state[index])

    def _set_view_value(self, index: int, state: dict) -> None:
        self._view_state[index] = dict(state)
        if self.views.is_built(index):
            self.views.page(index).set_state(state)

    # ---- state ----------------------------------------------------------------------------------------
    def shown(self) -> list[str]:
        """The activations drawn, in colour order."""
        return [n for n in _ORDERED if self.checks[n].isChecked()]

    def activation(self, name: str):
        """The engine activation ``name`` with the panel's current parameters."""
        return activations.get(name, **self.params.get(name, {}))

    def _params_of(self, name: str) -> dict:
        return dict(self.params.get(name, {}))

    def logits(self) -> list[float]:
        """The softmax logits (the tab's, or the stored ones before it is built)."""
        return list(self._view_value(SOFTMAX_TAB)["logits"])

    def _on_shown_changed(self, _checked: bool = False) -> None:
        self._redraw_curves()
        self._submit_depth()

    def _on_param(self, name: str, param: str, value: float) -> None:
        self.params[name][param] = float(value)
        if name in self.shown():
            self._curves_throttle.request()
            self._submit_depth()
        for view in self._built_views(STACK_TAB):
            if view.activation.currentData() == name:
                view.redraw()

    # ---- curves (instant engine calls, GUI thread) ------------------------------------------------------
    def _redraw_curves(self) -> None:
        shown = self.shown()
        for items, plot in ((self.curve_items, self.f_plot), (self.deriv_items, self.d_plot)):
            for name in list(items):
                if name not in shown:
                    plot.removeItem(items.pop(name))
        for name in shown:
            f, d = probes.curves(self.x, name, **self.params.get(name, {}))
            label = tr(activations.REGISTRY.entry(name).display_name)
            for items, plot, y in ((self.curve_items, self.f_plot, f), (self.deriv_items, self.d_plot, d)):
                item = items.get(name)
                if item is None:
                    item = plot.plot(self.x, y, pen=plots.pen(COLORS[name]), name=label)
                    item.setObjectName(f"{name}Curve")
                    items[name] = item
                else:
                    item.setData(self.x, y)
        for items, plot in ((self.curve_items, self.f_plot), (self.deriv_items, self.d_plot)):
            plots.fit_y(plot.getPlotItem(), [item.getData()[1] for item in items.values()])
        self._redraw_formulas(shown)
        self._refresh_hover()

    def _redraw_formulas(self, shown: list[str]) -> None:
        rows = []
        for name in shown:
            act = self.activation(name)
            rows.append(
                f"<b style='color:{COLORS[name]}'>{html.escape(tr(act.display_name))}</b><br>"
                f"{html.escape(tr(act.formula))}<br>{html.escape(tr(act.derivative_formula))}"
            )
        self.formula_label.setText("<br>".join(rows) if rows else tr("<i>no activation selected</i>"))

    # ---- hover ----------------------------------------------------------------------------------------
    def _on_hover(self, plot: pg.PlotWidget, pos) -> None:
        vb = plot.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(pos):
            self._hover_x = None
        else:
            self._hover_x = float(vb.mapSceneToView(pos).x())
        self._refresh_hover()

    def hover_at(self, x: float | None) -> None:
        """Show the read-out at ``x`` (None hides it), as the mouse does."""
        self._hover_x = x
        self._refresh_hover()

    def _refresh_hover(self) -> None:
        x = self._hover_x
        if x is None:
            for line, dots in zip(self.hover_lines, self.hover_dots):
                line.hide()
                dots.setData([], [])
            self._set_readout(None)
            return
        values = []
        for name in self.shown():
            act = self.activation(name)
            values.append((name, tr(act.display_name), float(act.forward(np.float64(x))), float(act.derivative(np.float64(x)))))
        for i, (line, dots) in enumerate(zip(self.hover_lines, self.hover_dots)):
            line.setValue(x)
            line.show()
            dots.setData(
                [x] * len(values), [v[2 + i] for v in values],
                brush=[pg.mkBrush(COLORS[v[0]]) for v in values],
            )
        self._set_readout(x, values)

    def _set_readout(self, x, values=()) -> None:
        if x is None:
            hint = tr("Move the mouse over a plot to read x, f(x) and f′(x).")
            self.readout.setText(f"<span style='color:{MUTED}'>{hint}</span>")
            return
        parts = [f"<b>x = {_fmt(x)}</b>"]
        for name, label, f, d in values:
            parts.append(f"<span style='color:{COLORS[name]}'>■</span> {html.escape(label)} f={_fmt(f)} f′={_fmt(d)}")
        self.readout.setText(" &nbsp;·&nbsp; ".join(parts))

    # ---- depth experiment (worker) ----------------------------------------------------------------------
    def _submit_depth(self, *_args) -> None:
        shown = self.shown()
        gone = [name for name in self.probe_results if name not in shown]
        for name in gone:
            del self.probe_results[name]
        if gone:  # unchecked lines go at once (and only then: a redraw per slider tick costs)
            for view in self._built_views(DEPTH_TAB, DEAD_TAB):
                view.show_results(self._results_in_order(), self._drawn_depth)
        specs = [(name, self._params_of(name)) for name in shown]
        self._depth_seq += 1
        run: list[probes.DepthProbe] = []  # this run's results, drawn together when all are in
        self.channel("depth", keep_running=True).submit(
            _probe_each, specs, self.depth_spin.value(), self.init_combo.currentData(), self.bias_slider.value(),
            on_yield=run.append, on_return=lambda _r, run=run, seq=self._depth_seq: self._depth_done(run, seq),
        )

    def _results_in_order(self) -> dict[str, probes.DepthProbe]:
        return {name: self.probe_results[name] for name in self.shown() if name in self.probe_results}

    def _depth_done(self, run: list[probes.DepthProbe], seq: int) -> None:
        """Draw a finished run (one repaint for all activations, not one per activation).

        The channel lets a running computation finish while a slider moves, so ``run`` may be
        one request behind; it is drawn (the user sees progress), but only the newest request
        (``seq``) counts as a finished Step or makes the panel ready.
        """
        shown = set(self.shown())
        for result in run:
            if result.activation in shown:
                self.probe_results[result.activation] = result
        if run:
            self._drawn_depth = run[0].depth
        for view in self._built_views(DEPTH_TAB, DEAD_TAB):
            view.show_results(self._results_in_order(), self._drawn_depth)
        if seq != self._depth_seq:
            return
        self.clear_error()  # a successful run supersedes an earlier failure
        while self._pending_steps > 0:
            self._pending_steps -= 1
            self.mark_stepped()
        self.mark_ready()
        self.statusMessage.emit(
            tr("Depth experiment: {depth} layers, {weights} weights, bias {bias}").format(
                depth=self._drawn_depth, weights=self.init_combo.currentText(), bias=f"{self.bias_slider.value():g}"
            )
        )

    # ---- global actions -----------------------------------------------------------------------------------
    def step(self) -> None:
        """One more layer in the depth experiment (counted once it is drawn)."""
        if self.depth_spin.value() >= MAX_DEPTH:
            self.mark_stepped()
            return
        self._pending_steps += 1
        self.depth_spin.setValue(self.depth_spin.value() + 1)

    def play_pause(self) -> None:
        if self._play_timer.isActive():
            self._play_timer.stop()
        else:
            if self.depth_spin.value() >= MAX_DEPTH:
                self.depth_spin.setValue(1)
            self._play_timer.start()
        self.playingChanged.emit(self.is_playing())

    def is_playing(self) -> bool:
        return self._play_timer.isActive()

    def _play_tick(self) -> None:
        if self.channel("depth").busy:
            return  # the previous depth is still computing: skip a beat, never queue
        if self.depth_spin.value() >= MAX_DEPTH:
            self.play_pause()
            return
        self.step()

    def reset(self) -> None:
        """Back to the defaults: shown activations, parameters, depth, weights, bias, stack, logits."""
        if self.is_playing():
            self.play_pause()
        for name, check in self.checks.items():
            check.blockSignals(True)
            check.setChecked(name in DEFAULT_SHOWN)
            check.blockSignals(False)
        for name, p, _l, _a, _b, default, _t in PARAMS:
            self.sliders[name].blockSignals(True)
            self.sliders[name].setValue(default)
            self.sliders[name].blockSignals(False)
            self.params[name][p] = default
        for w, setter, v in (
            (self.depth_spin, "setValue", DEFAULT_DEPTH),
            (self.init_combo, "setCurrentIndex", self.init_combo.findData(DEFAULT_INIT)),
            (self.bias_slider, "setValue", 0.0),
        ):
            w.blockSignals(True)
            getattr(w, setter)(v)
            w.blockSignals(False)
        self._set_view_value(STACK_TAB, STACK_DEFAULTS)
        self._set_view_value(SOFTMAX_TAB, {"logits": list(DEFAULT_LOGITS)})
        for plot in (self.f_plot, self.d_plot):
            plot.setXRange(*X_RANGE, padding=0.02)
            plot.getPlotItem().disableAutoRange(axis="y")  # _redraw_curves fits y
        self._redraw_curves()
        self._submit_depth()
        self.statusMessage.emit(tr("Activations: defaults restored"))

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        self._play_timer.stop()
        return super().shutdown(timeout_ms)

    # ---- settings ----------------------------------------------------------------------------------------
    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("shown", ",".join(self.shown()))
        for name, p, *_rest in PARAMS:
            settings.setValue(f"{name}.{p}", self.params[name][p])
        settings.setValue("depth", self.depth_spin.value())
        settings.setValue("init", self.init_combo.currentData())
        settings.setValue("bias", self.bias_slider.value())
        settings.setValue("logits", ",".join(f"{v:g}" for v in self.logits()))
        for key, value in self._view_value(STACK_TAB).items():
            settings.setValue(f"stack_{key}", value)
        settings.setValue("view", self.views.currentIndex())

    def restore_settings(self, settings: QSettings) -> None:
        def num(key, default, kind=float):
            try:
                return kind(settings.value(key, default))
            except (TypeError, ValueError):
                return default

        shown = settings.value("shown", None)
        if isinstance(shown, str):
            names = set(shown.split(",")) if shown else set()
            for name, check in self.checks.items():
                check.blockSignals(True)
                check.setChecked(name in names)
                check.blockSignals(False)
        for name, p, *_rest in PARAMS:
            self.sliders[name].setValue(num(f"{name}.{p}", self.params[name][p]))
        self.depth_spin.setValue(num("depth", DEFAULT_DEPTH, int))
        index = self.init_combo.findData(settings.value("init", DEFAULT_INIT))
        if index >= 0:
            self.init_combo.setCurrentIndex(index)
        self.bias_slider.setValue(num("bias", 0.0))
        logits = settings.value("logits", None)
        if isinstance(logits, str) and logits:
            try:
                self._set_view_value(SOFTMAX_TAB, {"logits": [float(v) for v in logits.split(",")]})
            except ValueError:
                pass
        self._set_view_value(STACK_TAB, {
            "slope": num("stack_slope", STACK_DEFAULTS["slope"]),
            "depth": num("stack_depth", STACK_DEFAULTS["depth"], int),
            "activation": str(settings.value("stack_activation", STACK_DEFAULTS["activation"])),
        })
        self.views.setCurrentIndex(num("view", DEPTH_TAB, int))
        self._redraw_curves()
        self._submit_depth()
