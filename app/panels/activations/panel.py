"""The Activation panel (lecture part 1): curves, derivatives, vanishing gradients, softmax.

Top: every chosen activation beside its derivative, in two x-linked plots with a hover
read-out of x, f(x), f'(x). Bottom, one tab each: how much gradient survives ``depth`` layers
(log scale), the share of dead units (dying ReLU), why stacking linear layers is useless, and
softmax of editable logits. Curves, stacks and softmax are instant engine calls (curve redraws
are throttled to ~30/s during a drag); the depth experiment runs in a worker on the "depth"
channel, where a running computation finishes and then only the newest request runs.

Step adds one layer to the depth experiment and Play keeps adding them, so the vanishing can be
watched as the network gets deeper; Reset restores the default settings.

Every setting lives in ``self.model`` (``app.models.activations``): a control changes the
model's ``State`` and the views redraw from the model; ``apply_state`` does the reverse.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from app.i18n import tr
from app.models.activations import MAX_DEPTH, ORDERED, TABS, X_RANGE, ActivationsModel, State, probe_each
from app.panels.activations.controls import ActivationControls
from app.panels.activations.views import DeadUnitsView, DepthView, SoftmaxView, StackView, color_of
from app.panels.base import Panel
from app.widgets import palette, plots
from app.widgets.lazy_tabs import LazyTabs
from app.pacing import Throttle
from engine import activations, probes

DEPTH_TAB, DEAD_TAB, STACK_TAB, SOFTMAX_TAB = range(4)
PLAY_INTERVAL_MS = 300


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
        self.model = ActivationsModel()
        self.curve_items: dict[str, pg.PlotDataItem] = {}
        self.deriv_items: dict[str, pg.PlotDataItem] = {}
        self._pending_steps = 0
        self._depth_seq = 0  # numbers the depth requests; only the newest one completes a Step
        self._curves_throttle = self.add_pacer(Throttle(self._redraw_curves, 33))  # slider drags: ≤ 30 redraws/s
        self.add_player(self._play_tick, PLAY_INTERVAL_MS, on_start=self._rewind_at_max_depth)

        layout = QHBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        self.controls = ActivationControls(self.model.state)
        c = self.controls
        self.checks, self.sliders, self.formula_label = c.checks, c.sliders, c.formula_label
        self.depth_spin, self.init_combo, self.bias_slider = c.depth_spin, c.init_combo, c.bias_slider
        for check in self.checks.values():
            check.toggled.connect(self._on_shown_changed)
        for name, slider in self.sliders.items():
            slider.valueChanged.connect(lambda v, name=name: self._on_param(name, v))
        self.depth_spin.valueChanged.connect(lambda v: self._change(depth=int(v)))
        self.init_combo.currentIndexChanged.connect(lambda i: self._change(init=self.init_combo.itemData(i)))
        self.bias_slider.valueChanged.connect(lambda v: self._change(bias=float(v)))
        layout.addWidget(c.column)
        right = QSplitter(Qt.Orientation.Vertical, self.content)
        right.setObjectName("activationsSplitter")
        right.setChildrenCollapsible(False)
        right.addWidget(self._build_curve_plots())
        right.addWidget(self._build_views())
        right.setSizes([1, 1])
        layout.addWidget(right, 1)

        self._redraw_curves()
        self._submit_depth()
        palette.signals.changed.connect(self._on_theme)

    # ---- construction ------------------------------------------------------------------------------
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
            line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(palette.MUTED, width=1, style=Qt.PenStyle.DashLine))
            line.hide()
            plot.addItem(line, ignoreBounds=True)
            dots = pg.ScatterPlotItem(size=8, pen=pg.mkPen(palette.BACKGROUND, width=1))
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
        self.views.add_lazy(lambda: DepthView(), tr("Gradient vs depth"),
                            tr("How much of the gradient survives the backward pass through the layers"))
        self.views.add_lazy(lambda: DeadUnitsView(), tr("Dying ReLU"),
                            tr("Units that pass no gradient at all; move the Bias slider below 0"))
        self.views.add_lazy(lambda: StackView(list(ORDERED), self.model), tr("Linear stacking"),
                            tr("Why a network needs a nonlinear activation"))
        self.views.add_lazy(lambda: SoftmaxView(self.model), tr("Softmax"),
                            tr("Edit the logits; the probabilities always sum to 1"))
        self.views.currentChanged.connect(lambda i: self._change(tab=TABS[i]) if i >= 0 else None)
        return self.views

    def _on_view_built(self, index: int, view: QWidget) -> None:
        if index in (DEPTH_TAB, DEAD_TAB) and self.model.results:
            view.show_results(self.model.shown_results(), self.model.drawn_depth)
        elif index == STACK_TAB:
            view.changed.connect(lambda part: self._change_view(STACK_TAB, {"stack": part}))
        elif index == SOFTMAX_TAB:
            view.changed.connect(lambda part: self._change_view(SOFTMAX_TAB, part))

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

    # ---- state ----------------------------------------------------------------------------------------
    def state(self) -> State:
        return self.model.state

    def apply_state(self, state: State) -> None:
        """Show ``state`` in every control and recompute (one depth request, not one per control)."""
        self.model.state = state
        self._show_state()
        self._redraw_curves()
        self._submit_depth()

    def _show_state(self) -> None:
        """Every control and built tab shows the model's state (no signal feeds back)."""
        s = self.model.state
        widgets = [*self.checks.values(), *self.sliders.values(), self.depth_spin, self.init_combo,
                   self.bias_slider, self.views]
        for w in widgets:
            w.blockSignals(True)
        for name, check in self.checks.items():
            check.setChecked(name in s.shown)
        for name, slider in self.sliders.items():
            slider.setValue(getattr(s.alpha, name))
        self.depth_spin.setValue(s.depth)
        self.init_combo.setCurrentIndex(self.init_combo.findData(s.init))
        self.bias_slider.setValue(s.bias)
        self.views.setCurrentIndex(TABS.index(s.tab))
        for w in widgets:
            w.blockSignals(False)
        for view in self._built_views(STACK_TAB, SOFTMAX_TAB):
            view.show_state()

    def _change(self, **changes) -> None:
        """A control moved: update the model; recompute what depends on the change."""
        old = self.model.state
        self.model.state = old.replace(**changes)
        if set(changes) & {"shown", "depth", "init", "bias"}:
            if "shown" in changes:
                self._redraw_curves()
            self._submit_depth()
        if "tab" in changes and self.views.currentIndex() != TABS.index(self.model.state.tab):
            self.views.setCurrentIndex(TABS.index(self.model.state.tab))

    def _change_view(self, index: int, partial: dict) -> None:
        """The stacking or softmax tab's controls changed: model first, then that tab redraws."""
        self.model.state = self.model.state.merged(partial)
        view = self.views.page(index)
        view.show_state()

    def _on_shown_changed(self, _checked: bool = False) -> None:
        self._change(shown=tuple(n for n in ORDERED if self.checks[n].isChecked()))

    def _on_param(self, name: str, value: float) -> None:
        self.model.state = self.model.state.merged({"alpha": {name: float(value)}})
        if name in self.model.state.shown:
            self._curves_throttle.request()
            self._submit_depth()
        for view in self._built_views(STACK_TAB):
            if self.model.state.stack.activation == name:
                view.redraw()

    def _on_theme(self, _dark: bool) -> None:
        """Colours are read when drawing: redraw what holds one (the series' black is grey in dark)."""
        for line, dots in zip(self.hover_lines, self.hover_dots):
            line.setPen(pg.mkPen(palette.MUTED, width=1, style=Qt.PenStyle.DashLine))
            dots.setPen(pg.mkPen(palette.BACKGROUND, width=1))
        self.controls.recolour()
        for items, plot in ((self.curve_items, self.f_plot), (self.deriv_items, self.d_plot)):
            for item in items.values():
                plot.removeItem(item)
            items.clear()
        self._redraw_curves()  # new pens, formulas and read-out in the theme's colours
        for view in self._built_views(DEPTH_TAB, DEAD_TAB, STACK_TAB, SOFTMAX_TAB):
            view.recolour()

    # ---- curves (instant engine calls, GUI thread) ------------------------------------------------------
    def _redraw_curves(self) -> None:
        shown = self.model.state.shown
        x = self.model.x
        for items, plot in ((self.curve_items, self.f_plot), (self.deriv_items, self.d_plot)):
            for name in list(items):
                if name not in shown:
                    plot.removeItem(items.pop(name))
        for name in shown:
            f, d = self.model.curves(name)
            label = tr(activations.REGISTRY.entry(name).display_name)
            for items, plot, y in ((self.curve_items, self.f_plot, f), (self.deriv_items, self.d_plot, d)):
                item = items.get(name)
                if item is None:
                    item = plot.plot(x, y, pen=plots.pen(color_of(name)), name=label)
                    item.setObjectName(f"{name}Curve")
                    items[name] = item
                else:
                    item.setData(x, y)
        for items, plot in ((self.curve_items, self.f_plot), (self.deriv_items, self.d_plot)):
            plots.fit_y(plot.getPlotItem(), [item.getData()[1] for item in items.values()])
        self._redraw_formulas(shown)
        self._refresh_hover()

    def _redraw_formulas(self, shown) -> None:
        rows = []
        for name in shown:
            act = self.model.activation(name)
            rows.append(
                f"<b style='color:{color_of(name)}'>{html.escape(tr(act.display_name))}</b><br>"
                f"{html.escape(tr(act.formula))}<br>{html.escape(tr(act.derivative_formula))}"
            )
        self.formula_label.setText("<br>".join(rows) if rows else tr("<i>no activation selected</i>"))

    # ---- hover ----------------------------------------------------------------------------------------
    def _on_hover(self, plot: pg.PlotWidget, pos) -> None:
        vb = plot.getPlotItem().vb
        x = float(vb.mapSceneToView(pos).x()) if vb.sceneBoundingRect().contains(pos) else None
        self.hover_at(x)

    def hover_at(self, x: float | None) -> None:
        """Show the read-out at ``x`` (None, or outside the curves' x range, hides it), as the mouse does."""
        if x is not None and not X_RANGE[0] <= x <= X_RANGE[1]:
            x = None
        self.model.state = self.model.state.replace(hover=x)
        self._refresh_hover()

    def _refresh_hover(self) -> None:
        x = self.model.state.hover
        if x is None:
            for line, dots in zip(self.hover_lines, self.hover_dots):
                line.hide()
                dots.setData([], [])
            self._set_readout(None)
            return
        values = self.model.hover_values()
        for i, (line, dots) in enumerate(zip(self.hover_lines, self.hover_dots)):
            line.setValue(x)
            line.show()
            dots.setData([x] * len(values), [v[1 + i] for v in values],
                         brush=[pg.mkBrush(color_of(v[0])) for v in values])
        self._set_readout(x, values)

    def _set_readout(self, x, values=()) -> None:
        if x is None:
            hint = tr("Move the mouse over a plot to read x, f(x) and f′(x).")
            self.readout.setText(f"<span style='color:{palette.MUTED}'>{hint}</span>")
            return
        parts = [f"<b>x = {_fmt(x)}</b>"]
        for name, f, d in values:
            label = tr(activations.REGISTRY.entry(name).display_name)
            parts.append(f"<span style='color:{color_of(name)}'>■</span> {html.escape(label)} f={_fmt(f)} f′={_fmt(d)}")
        self.readout.setText(" &nbsp;·&nbsp; ".join(parts))

    # ---- depth experiment (worker) ----------------------------------------------------------------------
    def _submit_depth(self, *_args) -> None:
        if self.model.drop_hidden():  # unchecked lines go at once (and only then: a redraw per tick costs)
            for view in self._built_views(DEPTH_TAB, DEAD_TAB):
                view.show_results(self.model.shown_results(), self.model.drawn_depth)
        self._depth_seq += 1
        run: list[probes.DepthProbe] = []  # this run's results, drawn together when all are in
        job = self.model.depth_job()
        self.channel("depth", keep_running=True).submit(
            probe_each, *job, on_yield=run.append,
            on_return=lambda _r, run=run, seq=self._depth_seq, job=job: self._depth_done(run, seq, job),
        )

    def _depth_done(self, run: list[probes.DepthProbe], seq: int, job: tuple) -> None:
        """Draw a finished run (one repaint for all activations, not one per activation).

        The channel lets a running computation finish while a slider moves, so ``run`` may be
        one request behind; it is drawn (the user sees progress), but only the newest request
        (``seq``) counts as a finished Step or makes the panel ready.
        """
        self.model.accept(run, job)
        for view in self._built_views(DEPTH_TAB, DEAD_TAB):
            view.show_results(self.model.shown_results(), self.model.drawn_depth)
        if seq != self._depth_seq:
            return
        self.clear_error()  # a successful run supersedes an earlier failure
        while self._pending_steps > 0:
            self._pending_steps -= 1
            self.mark_stepped()
        self.mark_ready()
        self.statusMessage.emit(
            tr("Depth experiment: {depth} layers, {weights} weights, bias {bias}").format(
                depth=self.model.drawn_depth, weights=self.init_combo.currentText(), bias=f"{self.model.state.bias:g}"
            )
        )

    # ---- global actions -----------------------------------------------------------------------------------
    def step(self) -> None:
        """One more layer in the depth experiment (counted once it is drawn)."""
        if self.model.state.depth >= MAX_DEPTH:
            self.mark_stepped()
            return
        self._pending_steps += 1
        self.depth_spin.setValue(self.model.state.depth + 1)

    def _rewind_at_max_depth(self) -> None:
        if self.model.state.depth >= MAX_DEPTH:
            self.depth_spin.setValue(1)

    def _play_tick(self) -> None:
        if self.channel("depth").busy:
            return  # the previous depth is still computing: skip a beat, never queue
        if self.model.state.depth >= MAX_DEPTH:
            self.play_pause()
            return
        self.step()

    def reset(self) -> None:
        """Back to the defaults: shown activations, parameters, depth, weights, bias, stack, logits."""
        if self.is_playing():
            self.play_pause()
        self.apply_state(State())
        for plot in (self.f_plot, self.d_plot):
            plot.setXRange(*X_RANGE, padding=0.02)
            plot.getPlotItem().disableAutoRange(axis="y")  # _redraw_curves fits y
        self.statusMessage.emit(tr("Activations: defaults restored"))
