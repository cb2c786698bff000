"""The Activations panel's controls column: shown curves, α parameters, the depth experiment.

``ActivationControls`` builds the widgets from a ``State`` and exposes them; the panel connects
their signals to its model and shows the model's state in them (``apply_state``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.models.activations import MAX_DEPTH, ORDERED, PARAMS, State
from app.panels.activations.views import color_of
from app.widgets.controls_column import controls_column
from app.widgets.sliders import LabeledSlider
from engine import activations, init


def _swatch(color: str) -> QIcon:
    pix = QPixmap(14, 14)
    pix.fill(QColor(color))
    return QIcon(pix)


class ActivationControls:
    """The controls' widgets (``checks``, ``sliders``, ``depth_spin``, ``init_combo``,
    ``bias_slider``, ``formula_label``) inside ``column``, a scrollable side column."""

    def __init__(self, state: State):
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 4, 0)

        shown = QGroupBox(tr("Activations"))
        shown.setToolTip(tr("Which activations to draw in every plot"))
        grid = QGridLayout(shown)
        self.checks: dict[str, QCheckBox] = {}
        for i, name in enumerate(ORDERED):
            entry = activations.REGISTRY.entry(name)
            check = QCheckBox(tr(entry.display_name))
            check.setObjectName(f"show_{name}")
            check.setToolTip(f"{tr(entry.formula)}\n{tr(entry.extra.get('derivative_formula', ''))}")
            check.setChecked(name in state.shown)
            self.checks[name] = check
            grid.addWidget(check, i // 2, i % 2)
        col.addWidget(shown)

        params = QGroupBox(tr("Parameters"))
        pcol = QVBoxLayout(params)
        self.sliders: dict[str, LabeledSlider] = {}
        for name, label, lo, hi, default, tip in PARAMS:
            slider = LabeledSlider(tr(label), lo, hi, default, decimals=2, tooltip=tr(tip))
            slider.setObjectName({"leaky_relu": "leakyAlpha", "prelu": "preluAlpha", "elu": "eluAlpha"}.get(name, name))
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
        self.depth_spin.setValue(state.depth)
        self.depth_spin.setToolTip(tr("Number of layers the gradient passes through (Step adds one, Play keeps adding)"))
        form.addRow(tr("Layers"), self.depth_spin)
        self.init_combo = QComboBox()
        self.init_combo.setObjectName("initCombo")
        for entry in init.REGISTRY.entries():
            self.init_combo.addItem(tr(entry.display_name), entry.name)
            self.init_combo.setItemData(self.init_combo.count() - 1, entry.formula, Qt.ItemDataRole.ToolTipRole)
        self.init_combo.setCurrentIndex(self.init_combo.findData(state.init))
        self.init_combo.setToolTip(tr("How the weights are drawn (He suits ReLU, Xavier suits sigmoid/tanh)"))
        form.addRow(tr("Weights"), self.init_combo)
        self.bias_slider = LabeledSlider(
            "", -3.0, 1.0, 0.0, decimals=2,
            tooltip=tr("A bias added to every unit; a strongly negative one (e.g. after a too-large update) kills ReLU units"),
        )
        self.bias_slider.setObjectName("biasSlider")
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

        self.column = controls_column(box, "activationsControls")
        self.recolour()

    def recolour(self) -> None:
        """The swatches in the theme's colours (the series' black is grey in the dark theme)."""
        for name, check in self.checks.items():
            check.setIcon(_swatch(color_of(name)))

