"""The Backprop panel (the lecture's assignment 2): follow one sample to the weight update.

A tiny network (2-2-1 by default) is drawn as a graph; Back and Forward (and the global Step)
walk through ``engine.backprop_trace``'s steps — forward sums and activations, the loss, every
local derivative and ∂L/∂w by the chain rule, then w ← w − η·∂L/∂w — each highlighted and
explained in one line. The table lists every weight with its backprop gradient, the numerical
one (central differences) and their relative error. Weights, biases, inputs, target, η, the
layer sizes, activation and loss are editable; every edit recomputes the trace in a worker
(the "trace" channel) and keeps the current step where it still exists. Bad text shows an
error and leaves the values in use unchanged.

The set-up, the trace and the current step live in ``app.models.backprop.BackpropModel``; this
view shows them and forwards every edit to it (``panel.state()`` / ``apply_state``).

Step = one step forward; Play advances one step every ``PLAY_INTERVAL_MS``; Reset goes back
to the first step (the weights stay; "Apply update" makes the updated weights the new ones).
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr, tr_message
from app.models.backprop import BackpropModel, State
from app.panels.backprop.graph import BackpropGraph
from app.panels.backprop.loop_view import LoopView, bottom_tabs
from app.panels.backprop.steps import PHASE_TITLES, StepExplanation, StepList
from app.panels.backprop.table import BackpropTable
from app.panels.base import Panel
from app.widgets import palette
from app.widgets.controls_column import controls_column
from engine import activations
from engine import backprop_trace as bt

#: The phase buttons say "pass" so that "Forward" alone means the next-step button.
JUMP_TITLES = {"forward": "Forward pass", "loss": "Loss", "backward": "Backward pass", "update": "Update"}
#: The engine's input errors (``ValueError`` texts), shown translated in the banner.
ENGINE_ERRORS = (
    "{what} must be a number, got {text}",
    "{what} needs {count} numbers, got {n} in {text}",
    "{what} needs {count} number, got {n} in {text}",
    "{what} must be a finite number{bounds}, got {value}",
    "layers must be {lo}–{hi} sizes of 1–{units} units like 2-2-1 or 2-3-2, got {text}",
    "the input needs {count} numbers, got {n}",
    "the target needs {count} numbers (one per output), got {n}",
    "the cross-entropy target must be one-hot (one 1, the rest 0), got {target}",
    "softmax cross-entropy needs at least 2 outputs (e.g. 2-2-2)",
)
PLAY_INTERVAL_MS = 1200  # long enough to read a step's line
LEGEND = "Orange: the current step. Blue: gradients (∂ on an edge is ∂L/∂w). Green: updated weights."


def _bad_style() -> str:
    return f"QLineEdit {{ border: 2px solid {palette.ERROR_FG}; }}"


class BackpropPanel(Panel):
    """Backprop step-through; see the module docstring."""

    panel_id = "backprop"
    title = "Backprop"
    description = "Follow one sample through forward, loss, backward and the weight update"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = BackpropModel()
        self._pending_steps = 0
        self.add_player(self._play_tick, PLAY_INTERVAL_MS, on_start=self._rewind_at_end)

        layout = QHBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._build_controls())
        layout.addWidget(self._build_center(), 1)
        self._show_setup()
        self._recompute()
        palette.signals.changed.connect(self._on_theme)

    # ---- construction ------------------------------------------------------------------------
    _OBJECT_NAMES = {"sizes": "sizesEdit", "x": "inputEdit", "target": "targetEdit", "lr": "lrEdit"}

    def _line(self, field: str, tip: str) -> QLineEdit:
        """A line edit for the State field ``field``, checked when editing finishes."""
        edit = QLineEdit()
        edit.setObjectName(self._OBJECT_NAMES[field])
        edit.setToolTip(tip)
        edit.editingFinished.connect(lambda e=edit: self._on_text_edited(e))
        self._fields[edit] = field
        return edit

    def _build_controls(self) -> QWidget:
        self._fields: dict[QLineEdit, str] = {}
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 4, 0)

        net = QGroupBox(tr("Network"))
        form = QFormLayout(net)
        self.sizes_edit = self._line("sizes", tr(
            "Units per layer, inputs first, e.g. 2-2-1 or 2-3-2 ({lo}–{hi} layers of 1–{units} units)"
        ).format(lo=bt.MIN_LAYERS, hi=bt.MAX_LAYERS, units=bt.MAX_UNITS))
        form.addRow(tr("Layers"), self.sizes_edit)
        self.act_combo = QComboBox()
        self.act_combo.setObjectName("activationCombo")
        for name in bt.HIDDEN_ACTIVATIONS:
            entry = activations.REGISTRY.entry(name)
            self.act_combo.addItem(tr(entry.display_name), name)
            self.act_combo.setItemData(self.act_combo.count() - 1,
                                       f"{tr(entry.formula)}\n{tr(entry.extra.get('derivative_formula', ''))}",
                                       Qt.ItemDataRole.ToolTipRole)
        self.act_combo.setToolTip(tr("The hidden units' activation f; its derivative f′ appears in the backward pass"))
        self.act_combo.currentIndexChanged.connect(self._on_choice)
        form.addRow(tr("Hidden f"), self.act_combo)
        self.loss_combo = QComboBox()
        self.loss_combo.setObjectName("lossCombo")
        for key, (label, _out) in bt.LOSSES.items():
            self.loss_combo.addItem(tr(label), key)
        self.loss_combo.setToolTip(tr("½·Σ(y − t)² with a sigmoid or linear output, or softmax with "
                                      "cross-entropy (needs ≥ 2 outputs and a one-hot target)"))
        self.loss_combo.currentIndexChanged.connect(self._on_choice)
        form.addRow(tr("Loss"), self.loss_combo)
        self.new_weights = QPushButton(tr("New weights"))
        self.new_weights.setObjectName("newWeightsButton")
        self.new_weights.setToolTip(tr("Draw other readable starting weights and biases (one decimal)"))
        self.new_weights.clicked.connect(self._on_new_weights)
        form.addRow(self.new_weights)
        col.addWidget(net)

        sample = QGroupBox(tr("Sample and step size"))
        sform = QFormLayout(sample)
        self.x_edit = self._line("x", tr("The one input sample, one number per input unit, e.g. 1, 0.5"))
        sform.addRow(tr("Input x"), self.x_edit)
        self.t_edit = self._line("target", tr("The target, one number per output (one-hot for cross-entropy, e.g. 0, 1)"))
        sform.addRow(tr("Target t"), self.t_edit)
        self.lr_edit = self._line("lr", tr("Learning rate η of the update w ← w − η·∂L/∂w (> 0)"))
        sform.addRow(tr("η (lr)"), self.lr_edit)
        self.apply_button = QPushButton(tr("Apply update"))
        self.apply_button.setObjectName("applyUpdateButton")
        self.apply_button.setToolTip(tr("Make the updated weights the current ones and start over: "
                                        "one more gradient-descent step on this sample (the loss should drop)"))
        self.apply_button.clicked.connect(self.apply_update)
        sform.addRow(self.apply_button)
        self.walkthrough_button = QPushButton(tr("Walk-through (PDF/HTML)…"))
        self.walkthrough_button.setObjectName("walkthroughButton")
        self.walkthrough_button.setToolTip(tr("Save this update worked out step by step, every formula with "
                                              "its numbers (Assignment 2's answer), as a PDF or HTML file"))
        self.walkthrough_button.clicked.connect(self._on_walkthrough)
        sform.addRow(self.walkthrough_button)
        col.addWidget(sample)

        jump = QGroupBox(tr("Go to"))
        grid = QGridLayout(jump)
        grid.setContentsMargins(4, 4, 4, 4)
        self.phase_buttons: dict[str, QPushButton] = {}
        for k, phase in enumerate(bt.PHASES):
            button = QPushButton(tr(JUMP_TITLES[phase]))
            button.setObjectName(f"goto_{phase}")
            button.setToolTip(tr("Jump to the first step of the {phase} phase").format(phase=tr(PHASE_TITLES[phase]).lower()))
            button.clicked.connect(lambda _=False, phase=phase: self.go_to_phase(phase))
            self.phase_buttons[phase] = button
            grid.addWidget(button, k // 2, k % 2)
        self.show_all_check = QCheckBox(tr("Show all"))
        self.show_all_check.setObjectName("showAllCheck")
        self.show_all_check.setToolTip(tr("Show every value at once, for review. Off: values appear as "
                                          "their step is reached (the table shows ? until then)"))
        self.show_all_check.toggled.connect(self._on_show_all)
        grid.addWidget(self.show_all_check, 2, 0, 1, 2)
        col.addWidget(jump)

        self.loss_label = QLabel()
        self.loss_label.setObjectName("lossLabel")
        self.loss_label.setWordWrap(True)
        self.loss_label.setToolTip(tr("The loss now and after applying the update (same sample)"))
        col.addWidget(self.loss_label)
        self.legend = QLabel()
        self.legend.setObjectName("backpropLegend")
        self.legend.setWordWrap(True)
        self._show_legend()
        col.addWidget(self.legend)
        col.addStretch(1)

        return controls_column(box, "backpropControls")

    def _build_center(self) -> QWidget:
        center = QSplitter(Qt.Orientation.Vertical)
        center.setObjectName("backpropSplitter")
        center.setChildrenCollapsible(False)
        top = QWidget()
        col = QVBoxLayout(top)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        self.graph = BackpropGraph()
        col.addWidget(self.graph, 1)
        bar = QHBoxLayout()
        self.back_button = QPushButton(tr("◀ Back"))
        self.back_button.setObjectName("backButton")
        self.back_button.setToolTip(tr("One step back"))
        self.back_button.clicked.connect(self.back)
        self.forward_button = QPushButton(tr("Forward ▶"))
        self.forward_button.setObjectName("forwardButton")
        self.forward_button.setToolTip(tr("One step forward (the same as Step)"))
        self.forward_button.clicked.connect(self.forward)
        self.explanation = StepExplanation()
        bar.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        bar.addWidget(self.explanation, 1)
        bar.addWidget(self.forward_button, 0, Qt.AlignmentFlag.AlignTop)
        col.addLayout(bar)
        center.addWidget(top)
        bottom = QWidget()
        bottom.setObjectName("backpropBottom")
        row = QHBoxLayout(bottom)
        row.setContentsMargins(0, 0, 0, 0)
        self.table = BackpropTable()
        self.table.valueEdited.connect(self._on_param_edited)
        self.table.setMaximumWidth(self.table.minimumWidth())
        row.addWidget(self.table, 3)
        self.steps_list = StepList()
        self.steps_list.stepChosen.connect(self.go_to)
        self.steps_list.setMinimumWidth(200)
        self.loop_view = LoopView()
        self.loop_view.runRequested.connect(self.run_loop)
        self.bottom_tabs = bottom_tabs(self.steps_list, self.loop_view)
        row.addWidget(self.bottom_tabs, 2)
        center.addWidget(bottom)
        center.setStretchFactor(0, 1)
        center.setStretchFactor(1, 0)
        rows = self.table.verticalHeader().defaultSectionSize()
        center.setSizes([1000, self.table.horizontalHeader().sizeHint().height() + 10 * rows + 8])
        return center

    def _on_walkthrough(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        from app.panels.backprop.walkthrough import write_walkthrough

        path, _ = QFileDialog.getSaveFileName(self, tr("Save the walk-through"), "assignment2-walkthrough.pdf",
                                              tr("PDF documents (*.pdf);;HTML pages (*.html)"))
        if path and self.model.up_to_date():
            write_walkthrough(self.model, path)

    # ---- state ↔ widgets ---------------------------------------------------------------------
    def state(self) -> State:
        return self.model.state

    def apply_state(self, state: State) -> None:
        """Show ``state``: a new set-up is traced in the worker, a new step alone is drawn at once."""
        same_setup = state.setup() == self.model.setup()
        self.model.state = state
        self._show_setup()
        self.clear_error()
        if same_setup and self.model.trace is not None:
            self._draw()
        else:
            self._recompute()

    def _show_setup(self) -> None:
        s = self.model.setup()
        self.sizes_edit.setText("-".join(map(str, s.sizes)))
        self.x_edit.setText(", ".join(bt.fmt(v) for v in s.x))
        self.t_edit.setText(", ".join(bt.fmt(v) for v in s.target))
        self.lr_edit.setText(bt.fmt(s.lr))
        for combo, value in ((self.act_combo, s.activation), (self.loss_combo, s.loss)):
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(value))
            combo.blockSignals(False)
        for edit in self._fields:
            edit.setStyleSheet("")
        self.show_all_check.blockSignals(True)
        self.show_all_check.setChecked(self.model.state.show_all)
        self.show_all_check.blockSignals(False)

    def _show_legend(self) -> None:
        self.legend.setText(f"<span style='color:{palette.MUTED}'>{tr(LEGEND)}</span>")

    def _on_theme(self, _dark: bool) -> None:
        """Colours are read when drawing: a theme switch draws again."""
        self._show_legend()
        self.steps_list.recolour()
        self.loop_view.show_loop(self.model.loop)
        self._draw()

    def _reject(self, message: str, edit: QLineEdit | None = None) -> None:
        if edit is not None:
            edit.setStyleSheet(_bad_style())
        self.show_error(tr("{message} — the previous value is still in use.").format(
            message=tr_message(message, ENGINE_ERRORS)
        ))

    def _use(self, state: State) -> None:
        """A valid edit: the model takes it (the step is kept where it still exists)."""
        if state != self.model.state:
            self.apply_state(state)

    def _on_text_edited(self, edit: QLineEdit) -> None:
        try:
            state = self.model.edited(self._fields[edit], edit.text())
        except ValueError as exc:
            self._reject(str(exc), edit)
            return
        edit.setStyleSheet("")
        self._use(state)

    def _on_choice(self, _index: int = 0) -> None:
        try:
            state = self.model.chosen(self.act_combo.currentData(), self.loss_combo.currentData())
        except ValueError as exc:
            self._reject(str(exc))
            self._show_setup()  # the combos go back to what is in use
            return
        self._use(state)

    def _on_show_all(self, on: bool) -> None:
        self.model.state = dataclasses.replace(self.model.state, show_all=bool(on))
        self._draw()

    def _on_new_weights(self) -> None:
        self._use(self.model.new_weights())

    def _on_param_edited(self, key: tuple, text: str) -> None:
        try:
            state = self.model.parameter_edited(key, text)
        except ValueError as exc:
            self.table.revert(key)
            self._reject(str(exc))
            return
        self._use(state)

    def apply_update(self) -> None:
        """Make the updated weights current and go back to the first step."""
        state = self.model.apply_update()
        if state is not None:
            self._use(state)
            self.loop_view.show_updates(self.model.updates)

    def run_loop(self, n: int) -> None:
        """Forward → backward → update ``n`` times; plot the loss and every parameter."""
        self._use(self.model.run_loop(n))
        self.loop_view.show_loop(self.model.loop)
        self.loop_view.show_updates(self.model.updates)

    # ---- computing (worker) and drawing ------------------------------------------------------
    def _recompute(self) -> None:
        self.channel("trace").submit(bt.trace, self.model.setup(), on_return=self._on_trace)

    def _on_trace(self, trace: bt.Trace) -> None:
        if not self.model.accept(trace):
            return  # an older request; the newest one is on its way
        self.steps_list.set_steps(trace.steps, trace.setup.sizes)
        self._draw()
        self.mark_ready()
        while self._pending_steps > 0:
            self._pending_steps -= 1
            self.forward()
            self.mark_stepped()

    def _draw(self) -> None:
        trace, index = self.model.trace, self.model.index
        if trace is None:
            return
        known = self.model.known()
        self.graph.show_step(trace, index, known)
        self.table.set_rows(trace.rows, [self.model.row_cells(r, known) for r in trace.rows])
        now = bt.fmt(trace.loss) if ("loss",) in known else "?"
        after = bt.fmt(self.model.loss_after()) if self.model.loss_after_known() else "?"
        self.loss_label.setText(tr("Loss L = {now}; after the update: {after}").format(
            now=f"<b>{now}</b>", after=f"<b>{after}</b>"))
        self.explanation.show_step(trace, index)
        self.steps_list.reveal(len(trace.steps) - 1 if self.model.state.show_all else index)
        self.steps_list.set_current(index)
        self.table.mark(trace.steps[index].params)
        self.back_button.setEnabled(index > 0)
        self.forward_button.setEnabled(index < len(trace.steps) - 1)
        s = trace.steps[index]
        self.statusMessage.emit(tr("Backprop step {i}/{n}: {formula}").format(
            i=index + 1, n=len(trace.steps), formula=s.formula
        ))

    # ---- navigation (the model moves the cursor; the view redraws) ---------------------------
    def go_to(self, index: int) -> None:
        if self.model.trace is not None:
            self.model.go_to(index)
            self._draw()

    def go_to_phase(self, phase: str) -> None:
        if self.model.trace is not None:
            self.model.go_to_phase(phase)
            self._draw()

    def forward(self) -> None:
        """One step forward (stays on the last step)."""
        self.go_to(self.model.index + 1)

    def back(self) -> None:
        self.go_to(self.model.index - 1)

    # ---- global actions ----------------------------------------------------------------------
    def step(self) -> None:
        """One trace step forward, counted once drawn (queued until the first trace exists)."""
        if self.model.trace is None:
            self._pending_steps += 1
            return
        self.forward()
        self.mark_stepped()

    def reset(self) -> None:
        """Back to the first step; the weights stay as they are."""
        if self.is_playing():
            self.play_pause()
        self.go_to(0)

    def _rewind_at_end(self) -> None:
        if self.model.at_end():
            self.go_to(0)

    def _play_tick(self) -> None:
        if self.model.trace is None:
            return
        if self.model.at_end():
            self.play_pause()
            return
        self.forward()
