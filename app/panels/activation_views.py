"""The Activation panel's four lower tabs, each a small widget built when first shown.

``DepthView`` and ``DeadUnitsView`` draw ``engine.probes.DepthProbe`` results handed to them by
the panel (computed in its worker); ``StackView`` and ``SoftmaxView`` call instant engine
functions themselves. Each keeps its own controls; ``state()`` / ``set_state()`` let the panel
persist them and apply saved values to a tab that does not exist yet.
"""

from __future__ import annotations

import html
from typing import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
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
from app.widgets.palette import FOREGROUND, MUTED, series_color
from app.widgets.sliders import LabeledSlider
from engine import activations, probes

SIDE_WIDTH = 250  # controls column of the stacking and softmax tabs
DEFAULT_LOGITS = (0.3, 2.9, 4.0)  # the book's softmax example
MAX_LOGITS = 10
STACK_DEFAULTS = {"slope": 0.9, "depth": 3, "activation": "identity"}


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

    def __init__(self, plot: pg.PlotWidget, summary_name: str, colors: dict[str, str]):
        super().__init__()
        self.colors = colors
        self.plot = plot
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
        for name in list(self.items):
            if name not in results:
                self.plot.removeItem(self.items.pop(name))
        for name, result in results.items():
            x, y = self.line_data(result)
            item = self.items.get(name)
            if item is None:
                item = self.plot.plot(pen=plots.pen(self.colors[name]), name=_display(name), **self.item_options(name))
                self.items[name] = item
            item.setData(x, y, connect="finite")
        self.summary.setText(self.summary_text(results, depth) if results else "")
        self.fit(results, depth)

    def item_options(self, name: str) -> dict:
        return {}

    def fit(self, results: dict[str, probes.DepthProbe], depth: int) -> None:
        raise NotImplementedError


class DepthView(_ProbeLinesView):
    """How much gradient reaches each layer, relative to the output, on a log axis."""

    def __init__(self, colors: dict[str, str]):
        plot = plots.make_plot(
            tr("Gradient reaching layer l, relative to the output (log scale)"), tr("layer l (0 = network input)"),
            "RMS ∂L/∂hₗ", name="depthPlot",
        )
        plot.setLogMode(y=True)
        plot.getPlotItem().disableAutoRange()  # ranges follow the data in whole decades
        plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(MUTED, width=1)), ignoreBounds=True)
        plots.add_legend(plot.getPlotItem(), corner="bottom-right")
        super().__init__(plot, "depthSummary", colors)

    def line_data(self, result):
        # a log axis cannot draw 0 (the step function passes no gradient): leave a gap
        return np.arange(result.depth + 1), np.where(result.grad_rms > 0, result.grad_rms, np.nan)

    def summary_text(self, results, depth):
        parts = []
        for name, r in results.items():
            g = r.grad_rms[0]
            amount = tr("0 (no gradient)") if g == 0 else f"{g:.2g}×"
            parts.append(f"{_swatch_label(name, self.colors[name])} {amount}")
        return tr("After {depth} layers the input receives:").format(depth=depth) + " " + " · ".join(parts)

    def fit(self, results, depth):
        plots.fit_y(self.plot.getPlotItem(), [r.grad_rms for r in results.values()], log=True)
        plots.fit_x(self.plot.getPlotItem(), -0.3, depth + 0.3)


class DeadUnitsView(_ProbeLinesView):
    """Share of units whose derivative is 0 for every sample, per layer (dying ReLU)."""

    def __init__(self, colors: dict[str, str]):
        plot = plots.make_plot(
            tr("Dead units: derivative 0 for every sample of the batch"), tr("layer l"), tr("share of units"), name="deadPlot",
        )
        plot.getPlotItem().disableAutoRange()
        plot.setYRange(0, 1, padding=0.05)
        plot.setLimits(yMin=-0.05, yMax=1.05)  # no legend: it would hide the lines at 0 and 1
        super().__init__(plot, "deadSummary", colors)

    def line_data(self, result):
        return np.arange(1, result.depth + 1), result.dead_share

    def item_options(self, name):
        return {"symbol": "o", "symbolSize": 5, "symbolBrush": self.colors[name], "symbolPen": None}

    def summary_text(self, results, depth):
        parts = [
            f"{_swatch_label(name, self.colors[name])} "
            + tr("{zero} zero, {dead} dead").format(zero=f"{r.zero_grad_share.mean():.0%}", dead=f"{r.dead_share.max():.0%}")
            for name, r in results.items()
        ]
        return tr("Gradients that are exactly 0 (mean over layers) and the worst layer's dead units:") + " " + " · ".join(parts)

    def fit(self, results, depth):
        plots.fit_x(self.plot.getPlotItem(), 0.5, depth + 0.5)


class StackView(QWidget):
    """Layers h ↦ f(a·h) stacked: for Linear the stack is exactly aᵈ·x, one linear layer.

    ``params_of(name)`` gives the panel's current parameters of an activation (e.g. ELU α).
    """

    def __init__(self, names: list[str], params_of: Callable[[str], dict], state: dict | None = None):
        super().__init__()
        self.params_of = params_of
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        side = QWidget()
        side.setFixedWidth(SIDE_WIDTH)
        form = QFormLayout(side)
        form.setContentsMargins(0, 0, 0, 0)
        self.slope = LabeledSlider("", -2.0, 2.0, STACK_DEFAULTS["slope"], decimals=2,
                                   tooltip=tr("The weight a of each layer: h ↦ f(a·h)"))
        self.slope.setObjectName("stackSlope")
        form.addRow(tr("Weight a"), self.slope)
        self.depth = QSpinBox()
        self.depth.setObjectName("stackDepth")
        self.depth.setRange(1, 6)
        self.depth.setValue(STACK_DEFAULTS["depth"])
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
        row.addWidget(side)
        self.plot = plots.make_plot(tr("Stacked layers h ↦ f(a·h)"), "x", tr("output"), name="stackPlot")
        plots.add_legend(self.plot.getPlotItem())
        row.addWidget(self.plot, 1)
        self.set_state(state or STACK_DEFAULTS)
        self.slope.valueChanged.connect(self.redraw)
        self.depth.valueChanged.connect(self.redraw)
        self.activation.currentIndexChanged.connect(self.redraw)

    def state(self) -> dict:
        return {"slope": self.slope.value(), "depth": self.depth.value(), "activation": self.activation.currentData()}

    def set_state(self, state: dict) -> None:
        for w in (self.slope, self.depth, self.activation):
            w.blockSignals(True)
        self.slope.setValue(float(state.get("slope", STACK_DEFAULTS["slope"])))
        self.depth.setValue(int(state.get("depth", STACK_DEFAULTS["depth"])))
        index = self.activation.findData(state.get("activation", STACK_DEFAULTS["activation"]))
        self.activation.setCurrentIndex(max(index, 0))
        for w in (self.slope, self.depth, self.activation):
            w.blockSignals(False)
        self.redraw()

    def redraw(self, *_args) -> None:
        name = self.activation.currentData()
        a, depth = self.slope.value(), self.depth.value()
        x = np.linspace(-5.0, 5.0, 201)
        outs = probes.linear_stack(x, depth=depth, slope=a, activation=name, **self.params_of(name))
        plot = self.plot.getPlotItem()
        plot.clear()
        for k, y in enumerate(outs, start=1):
            plot.plot(x, y, pen=plots.pen(k - 1, width=2.5 if k == depth else 1.5), name=(tr("{k} layers") if k > 1 else tr("1 layer")).format(k=k))
        if name == "identity":
            single = probes.linear_stack(x, depth=1, slope=a**depth)[0]
            plot.plot(x, single, pen=plots.pen("#000000", width=2, dashed=True), name=tr("one layer, a = {a}").format(a=f"{a**depth:.4g}"))
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
        plot.setTitle(tr("{depth} stacked layers h ↦ f(a·h), a = {a}").format(depth=depth, a=f"{a:g}"), size=plots.TITLE_SIZE, color=FOREGROUND)


class SoftmaxView(QWidget):
    """Editable logits and their softmax probabilities as bars (which always sum to 1)."""

    changed = Signal()

    def __init__(self, state: dict | None = None):
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        side = QWidget()
        side.setFixedWidth(SIDE_WIDTH)
        col = QVBoxLayout(side)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(QLabel(tr("Logits z (type or scroll):")))
        self.grid = QGridLayout()
        col.addLayout(self.grid)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(tr("+ class"))
        self.add_button.setObjectName("addLogit")
        self.add_button.setToolTip(tr("Add a class (logit 0)"))
        self.add_button.clicked.connect(lambda: self.set_logits(self.logits() + [0.0]))
        self.remove_button = QPushButton(tr("− class"))
        self.remove_button.setObjectName("removeLogit")
        self.remove_button.setToolTip(tr("Remove the last class"))
        self.remove_button.clicked.connect(lambda: self.set_logits(self.logits()[:-1]))
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        col.addLayout(buttons)
        formula = activations.REGISTRY.entry("softmax").formula
        note = QLabel(f"{html.escape(formula)}<br>" + tr("Adding the same number to every logit changes nothing."))
        note.setWordWrap(True)
        col.addWidget(note)
        col.addStretch(1)
        row.addWidget(side)
        self.plot = plots.make_plot("softmax(z)", tr("class"), tr("probability"), name="softmaxPlot")
        self.plot.getPlotItem().disableAutoRange()
        self.plot.setYRange(-0.05, 1.1, padding=0)
        self.plot.setLimits(yMin=-0.1, yMax=1.2)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=series_color(0), pen=pg.mkPen("w"))
        self.plot.addItem(self.bars)
        self.texts: list[pg.TextItem] = []
        row.addWidget(self.plot, 1)
        self.spins: list[QDoubleSpinBox] = []
        self.set_state(state or {"logits": list(DEFAULT_LOGITS)})

    def state(self) -> dict:
        return {"logits": self.logits()}

    def set_state(self, state: dict) -> None:
        self.set_logits(list(state.get("logits", DEFAULT_LOGITS)))

    def logits(self) -> list[float]:
        return [s.value() for s in self.spins]

    def probabilities(self) -> np.ndarray:
        return np.asarray(activations.get("softmax").forward(np.array(self.logits(), dtype=float)))

    def set_logits(self, values: list[float]) -> None:
        """Show ``values`` (2 … 10 logits) and redraw."""
        values = (list(values)[:MAX_LOGITS] + [0.0, 0.0])[: max(2, min(len(values), MAX_LOGITS))]
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
            spin.valueChanged.connect(self.redraw)
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

    def redraw(self, *_args) -> None:
        p = self.probabilities()
        xs = np.arange(len(p))
        self.bars.setOpts(x=xs, height=p, width=0.6)
        for t in self.texts:
            self.plot.removeItem(t)
        self.texts = []
        for i, v in enumerate(p):
            t = pg.TextItem(f"{v:.3f}", color=FOREGROUND, anchor=(0.5, 1.0))
            t.setPos(i, v + 0.01)
            self.plot.addItem(t)
            self.texts.append(t)
        self.plot.getAxis("bottom").setTicks([[(i, tr("class {i}").format(i=i)) for i in xs]])
        self.plot.setXRange(-0.6, len(p) - 0.4, padding=0)
        self.plot.setTitle(tr("softmax(z): probabilities, Σp = {total}").format(total=f"{p.sum():.3f}"), size=plots.TITLE_SIZE, color=FOREGROUND)
        self.changed.emit()
