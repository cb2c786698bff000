"""The Activation panel's four lower tabs, each a small widget built when first shown.

``DepthView`` and ``DeadUnitsView`` draw ``engine.probes.DepthProbe`` results handed to them by
the panel (computed in its worker). ``StackView`` and ``SoftmaxView`` draw what the panel's
``ActivationsModel`` computes from its state; their controls emit ``changed(dict)`` (a partial
state) for the panel to apply, and ``show_state()`` shows the model's values in the controls.
"""

from __future__ import annotations

import html
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.widgets import plots
from app.models.activations import MAX_LOGITS, ORDERED, STACK_X, ActivationsModel, Stack
from app.widgets import palette
from app.widgets.log_ticks import log_ticks
from app.widgets.sliders import LabeledSlider
from engine import activations, probes

SIDE_WIDTH = 250  # controls column of the stacking and softmax tabs


def color_of(name: str) -> str:
    """Activation ``name``'s colour, in the colour order (read when drawing: it follows the theme)."""
    return palette.series_color(ORDERED.index(name))


def _display(name: str) -> str:
    return tr(activations.REGISTRY.entry(name).display_name)


def _swatch_label(name: str, color: str) -> str:
    return f"<span style='color:{color}'>■</span> {html.escape(_display(name))}"


def _summary_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    return label


class _ProbeLinesView(QWidget):
    """A plot with one line per activation, fed with ``DepthProbe`` results, and a summary."""

    def __init__(self, plot: pg.PlotWidget, summary_name: str):
        super().__init__()
        self.plot = plot
        self.shown: tuple[dict, int] = ({}, 0)  # the last show_results arguments
        self.items: dict[str, pg.PlotDataItem] = {}
        self.summary = _summary_label(summary_name)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.plot, 1)
        col.addWidget(self.summary)

    def line_data(self, result: probes.DepthProbe) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def summary_text(self, results: dict[str, probes.DepthProbe], depth: int) -> str:
        raise NotImplementedError

    def show_results(self, results: dict[str, probes.DepthProbe], depth: int) -> None:
        """Draw exactly the activations in ``results`` (in that order) for ``depth`` layers."""
        self.shown = (results, depth)
        for name in list(self.items):
            if name not in results:
                self.plot.removeItem(self.items.pop(name))
        for name, result in results.items():
            x, y = self.line_data(result)
            item = self.items.get(name)
            if item is None:
                item = self.plot.plot(pen=plots.pen(color_of(name)), name=_display(name), **self.item_options(name))
                self.items[name] = item
            item.setData(x, y, connect="finite")
        self.summary.setText(self.summary_text(results, depth) if results else "")
        self.fit(results, depth)

    def item_options(self, name: str) -> dict:
        return {}

    def recolour(self) -> None:
        """A theme switch: the lines again, in the theme's colours."""
        for item in self.items.values():
            self.plot.removeItem(item)
        self.items.clear()
        self.show_results(*self.shown)

    def fit(self, results: dict[str, probes.DepthProbe], depth: int) -> None:
        raise NotImplementedError


class DepthView(_ProbeLinesView):
    """How much gradient reaches each layer, relative to the output, on a log axis."""

    def __init__(self):
        plot = plots.make_plot(
            tr("Gradient reaching layer l, relative to the output (log scale)"), tr("layer l (0 = network input)"),
            "RMS ∂L/∂hₗ", name="depthPlot",
        )
        plot.setLogMode(y=True)
        plot.getPlotItem().disableAutoRange()  # ranges follow the data in whole decades
        plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(palette.MUTED, width=1)), ignoreBounds=True)
        plots.add_legend(plot.getPlotItem(), corner="bottom-right")
        super().__init__(plot, "depthSummary")
        self._ticks = None
        plot.getPlotItem().getAxis("left").geometryChanged.connect(self._fit_ticks)

    def line_data(self, result):
        # a log axis cannot draw 0 (the step function passes no gradient): leave a gap
        return np.arange(result.depth + 1), np.where(result.grad_rms > 0, result.grad_rms, np.nan)

    def summary_text(self, results, depth):
        parts = []
        for name, r in results.items():
            g = r.grad_rms[0]
            amount = tr("0 (no gradient)") if g == 0 else f"{g:.2g}×"
            parts.append(f"{_swatch_label(name, color_of(name))} {amount}")
        return tr("After {depth} layers the input receives:").format(depth=depth) + " " + " · ".join(parts)

    def fit(self, results, depth):
        plots.fit_y(self.plot.getPlotItem(), [r.grad_rms for r in results.values()], log=True)
        plots.fit_x(self.plot.getPlotItem(), -0.3, depth + 0.3)
        self._fit_ticks()

    def _fit_ticks(self) -> None:
        """Decades (every k-th when crowded) and only minor ticks whose labels fit: a vanishing
        gradient spans 30+ decades, and pyqtgraph's own ticks drew ~9 grid lines per decade,
        which made every repaint of the plot (each Play step) cost more than a frame."""
        item = self.plot.getPlotItem()
        axis = item.getAxis("left")
        lo, hi = item.getViewBox().viewRange()[1]
        label_px = 1.15 * QFontMetrics(axis.style["tickFont"] or self.font()).height()
        ticks = log_ticks(lo, hi, axis.geometry().height(), label_px)
        if ticks != self._ticks:
            self._ticks = ticks
            axis.setTicks(ticks)


class DeadUnitsView(_ProbeLinesView):
    """Share of units whose derivative is 0 for every sample, per layer (dying ReLU)."""

    def __init__(self):
        plot = plots.make_plot(
            tr("Dead units: derivative 0 for every sample of the batch"), tr("layer l"), tr("share of units"), name="deadPlot",
        )
        plot.getPlotItem().disableAutoRange()
        plot.setYRange(0, 1, padding=0.05)
        plot.setLimits(yMin=-0.05, yMax=1.05)  # no legend: it would hide the lines at 0 and 1
        super().__init__(plot, "deadSummary")

    def line_data(self, result):
        return np.arange(1, result.depth + 1), result.dead_share

    def item_options(self, name):
        return {"symbol": "o", "symbolSize": 5, "symbolBrush": color_of(name), "symbolPen": None}

    def summary_text(self, results, depth):
        parts = [
            f"{_swatch_label(name, color_of(name))} "
            + tr("{zero} zero, {dead} dead").format(zero=f"{r.zero_grad_share.mean():.0%}", dead=f"{r.dead_share.max():.0%}")
            for name, r in results.items()
        ]
        return tr("Gradients that are exactly 0 (mean over layers) and the worst layer's dead units:") + " " + " · ".join(parts)

    def fit(self, results, depth):
        plots.fit_x(self.plot.getPlotItem(), 0.5, depth + 0.5)


class _SideView(QWidget):
    """A fixed-width column of controls (``side``) left of a plot added by the subclass."""

    def __init__(self, model: ActivationsModel):
        super().__init__()
        self.model = model
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.side = QWidget()
        self.side.setFixedWidth(SIDE_WIDTH)
        self.row.addWidget(self.side)


class StackView(_SideView):
    """Layers h ↦ f(a·h) stacked: for Linear the stack is exactly aᵈ·x, one linear layer.

    ``changed({"stack": {...}})`` when a control moves; the panel updates the model, then
    calls ``redraw()``.
    """

    changed = Signal(dict)

    def __init__(self, names: list[str], model: ActivationsModel):
        super().__init__(model)
        form = QFormLayout(self.side)
        form.setContentsMargins(0, 0, 0, 0)
        lo, hi = (Stack.__dataclass_fields__["slope"].metadata[k] for k in ("lo", "hi"))
        self.slope = LabeledSlider("", lo, hi, Stack().slope, decimals=2,
                                   tooltip=tr("The weight a of each layer: h ↦ f(a·h)"))
        self.slope.setObjectName("stackSlope")
        form.addRow(tr("Weight a"), self.slope)
        self.depth = QSpinBox()
        self.depth.setObjectName("stackDepth")
        self.depth.setRange(*(Stack.__dataclass_fields__["depth"].metadata[k] for k in ("lo", "hi")))
        self.depth.setToolTip(tr("How many layers are stacked"))
        form.addRow(tr("Layers"), self.depth)
        self.activation = QComboBox()
        self.activation.setObjectName("stackActivation")
        for name in names:
            self.activation.addItem(_display(name), name)
        self.activation.setToolTip(tr("Try Linear, then a nonlinear activation"))
        form.addRow(tr("Activation"), self.activation)
        self.note = _summary_label("stackNote")
        form.addRow(self.note)
        self.plot = plots.make_plot(tr("Stacked layers h ↦ f(a·h)"), "x", tr("output"), name="stackPlot")
        plots.add_legend(self.plot.getPlotItem())
        self.row.addWidget(self.plot, 1)
        self.show_state()
        self.slope.valueChanged.connect(lambda v: self.changed.emit({"slope": float(v)}))
        self.depth.valueChanged.connect(lambda v: self.changed.emit({"depth": int(v)}))
        self.activation.currentIndexChanged.connect(
            lambda i: self.changed.emit({"activation": self.activation.itemData(i)}))

    def show_state(self) -> None:
        """Show the model's stack settings in the controls and redraw."""
        st = self.model.state.stack
        for w in (self.slope, self.depth, self.activation):
            w.blockSignals(True)
        self.slope.setValue(st.slope)
        self.depth.setValue(st.depth)
        self.activation.setCurrentIndex(max(self.activation.findData(st.activation), 0))
        for w in (self.slope, self.depth, self.activation):
            w.blockSignals(False)
        self.redraw()

    def recolour(self) -> None:
        self.redraw()

    def redraw(self, *_args) -> None:
        st = self.model.state.stack
        name, a, depth = st.activation, st.slope, st.depth
        x = STACK_X
        outs = self.model.stack_outputs()
        plot = self.plot.getPlotItem()
        plot.clear()
        for k, y in enumerate(outs, start=1):
            plot.plot(x, y, pen=plots.pen(k - 1, width=2.5 if k == depth else 1.5), name=(tr("{k} layers") if k > 1 else tr("1 layer")).format(k=k))
        if name == "identity":
            single = self.model.stack_as_one_layer()
            plot.plot(x, single, pen=plots.pen(palette.series_color(6), width=2, dashed=True), name=tr("one layer, a = {a}").format(a=f"{a**depth:.4g}"))
            self.note.setText(
                tr(
                    "{depth} linear layers with weight a = {a} give exactly <b>{a}<sup>{depth}</sup>·x = {an}·x</b>: "
                    "one linear layer (dashed) does the same. Depth adds nothing without a nonlinearity."
                ).format(depth=depth, a=f"{a:g}", an=f"{a**depth:.4g}")
            )
        else:
            self.note.setText(
                tr("With {name} every extra layer bends the curve: the stack is no longer one line.").format(
                    name=html.escape(_display(name))
                )
            )
        plot.setTitle(tr("{depth} stacked layers h ↦ f(a·h), a = {a}").format(depth=depth, a=f"{a:g}"), size=plots.TITLE_SIZE, color=palette.FOREGROUND)


class SoftmaxView(_SideView):
    """Editable logits and their softmax probabilities as bars (which always sum to 1)."""

    changed = Signal(dict)  # {"logits": [...]}: the panel updates the model, then calls redraw()

    def __init__(self, model: ActivationsModel):
        super().__init__(model)
        col = QVBoxLayout(self.side)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(QLabel(tr("Logits z (type or scroll):")))
        self.grid = QGridLayout()
        col.addLayout(self.grid)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(tr("+ class"))
        self.add_button.setObjectName("addLogit")
        self.add_button.setToolTip(tr("Add a class (logit 0)"))
        self.add_button.clicked.connect(lambda: self._emit(self.logits() + [0.0]))
        self.remove_button = QPushButton(tr("− class"))
        self.remove_button.setObjectName("removeLogit")
        self.remove_button.setToolTip(tr("Remove the last class"))
        self.remove_button.clicked.connect(lambda: self._emit(self.logits()[:-1]))
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        col.addLayout(buttons)
        formula = activations.REGISTRY.entry("softmax").formula
        note = QLabel(f"{html.escape(formula)}<br>" + tr("Adding the same number to every logit changes nothing."))
        note.setWordWrap(True)
        col.addWidget(note)
        col.addStretch(1)
        self.plot = plots.make_plot("softmax(z)", tr("class"), tr("probability"), name="softmaxPlot")
        self.plot.getPlotItem().disableAutoRange()
        self.plot.setYRange(-0.05, 1.1, padding=0)
        self.plot.setLimits(yMin=-0.1, yMax=1.2)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=palette.series_color(0), pen=pg.mkPen(palette.BACKGROUND))
        self.plot.addItem(self.bars)
        self.texts: list[pg.TextItem] = []
        self.row.addWidget(self.plot, 1)
        self.spins: list[QDoubleSpinBox] = []
        self.show_state()

    def logits(self) -> list[float]:
        """The logits in the spin boxes."""
        return [s.value() for s in self.spins]

    def _emit(self, values) -> None:
        self.changed.emit({"logits": [float(v) for v in values]})

    def show_state(self) -> None:
        """Show the model's logits (2 … 10) in the spin boxes and redraw."""
        values = list(self.model.state.logits)
        while len(self.spins) > len(values):
            spin = self.spins.pop()
            label = self.grid.itemAtPosition(len(self.spins), 0).widget()
            for w in (spin, label):
                self.grid.removeWidget(w)
                w.deleteLater()
        while len(self.spins) < len(values):
            i = len(self.spins)
            spin = QDoubleSpinBox()
            spin.setObjectName(f"logit{i}")
            spin.setRange(-20.0, 20.0)
            spin.setDecimals(2)
            spin.setSingleStep(0.1)
            spin.setKeyboardTracking(False)  # typing "-1.5" must not redraw for "-" and "-1"
            spin.setToolTip(tr("Logit z{i} of class {i}").format(i=i))
            spin.valueChanged.connect(lambda _v: self._emit(self.logits()))
            self.grid.addWidget(QLabel(f"z{i}"), i, 0)
            self.grid.addWidget(spin, i, 1)
            self.spins.append(spin)
        for spin, v in zip(self.spins, values):
            spin.blockSignals(True)
            spin.setValue(float(v))
            spin.blockSignals(False)
        self.add_button.setEnabled(len(values) < MAX_LOGITS)
        self.remove_button.setEnabled(len(values) > 2)
        self.redraw()

    def recolour(self) -> None:
        self.bars.setOpts(brush=palette.series_color(0), pen=pg.mkPen(palette.BACKGROUND))
        self.redraw()

    def redraw(self, *_args) -> None:
        p = self.model.probabilities()
        xs = np.arange(len(p))
        self.bars.setOpts(x=xs, height=p, width=0.6)
        for t in self.texts:
            self.plot.removeItem(t)
        self.texts = []
        for i, v in enumerate(p):
            t = pg.TextItem(f"{v:.3f}", color=palette.FOREGROUND, anchor=(0.5, 1.0))
            t.setPos(i, v + 0.01)
            self.plot.addItem(t)
            self.texts.append(t)
        self.plot.getAxis("bottom").setTicks([[(i, tr("class {i}").format(i=i)) for i in xs]])
        self.plot.setXRange(-0.6, len(p) - 0.4, padding=0)
        self.plot.setTitle(tr("softmax(z): probabilities, Σp = {total}").format(total=f"{p.sum():.3f}"), size=plots.TITLE_SIZE, color=palette.FOREGROUND)
