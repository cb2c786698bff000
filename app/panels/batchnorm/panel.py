"""The Batch norm panel: one mini-batch through batch normalization, step by step, like Backprop.

A small batch (4 samples × 3 features by default, every number editable, "New batch" draws
another) goes through ``engine.batchnorm_trace``'s steps: forward μ, σ², x_n, y = γ·x_n + β and the
loss L = Σ w·y, then backward ∂L/∂y, ∂L/∂β, ∂L/∂γ, ∂L/∂x_n, ∂L/∂σ², ∂L/∂μ and ∂L/∂x. Back and
Forward (and the global Step) walk them; the explanation shows each step's formula and its
numbers for feature 1, the tables shade the step's result and what it reads. The gradient
check lists ∂L/∂γ, ∂L/∂β and ∂L/∂x from backprop next to central differences; train vs eval
shows the output normalized with the batch's statistics next to the output normalized with the
running statistics after k training batches.

The set-up, the trace and the cursor live in ``app.models.batchnorm.BatchNormModel``; this view
shows them and forwards every edit to it (``panel.state()`` / ``apply_state``). Every edit
recomputes the trace in a worker (the "trace" channel); bad text shows an error and keeps the
values in use. Step = one step forward; Play advances every ``PLAY_INTERVAL_MS``; Reset goes
back to the first step (the batch stays).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr, tr_message
from app.models.batchnorm import BatchNormModel, State
from app.panels.base import Panel
from app.panels.batchnorm.steps import PHASE_TITLES, StepExplanation, StepList
from app.panels.batchnorm.tables import NumberTable, cell as _cell
from app.panels.batchnorm.train_eval import EvalGapPlot, TrainEvalView
from app.widgets import palette
from app.widgets.controls_column import controls_column
from engine import batchnorm_trace as bt
from engine import validate
from engine.backprop_trace import parse_number

#: The engine's input errors (``ValueError`` texts), shown translated in the banner.
ENGINE_ERRORS = (
    "{what} must be a number, got {text}",
    "{what} must be a finite number{bounds}, got {value}",
)
PLAY_INTERVAL_MS = 1500  # long enough to read a step's line
LEGEND = "Orange: the current step's result. Pale blue: what it reads. Double-click a number of x, w, γ or β to edit it."
_VECTOR_ROWS = ("mu", "var", "gamma", "beta")


class BatchNormPanel(Panel):
    """Batch norm step-through; see the module docstring."""

    panel_id = "batchnorm"
    title = "Batch norm"
    description = "One mini-batch through batch normalization: forward, backward, train vs eval"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = BatchNormModel()
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
    def _build_controls(self) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 4, 0)
        batch = QGroupBox(tr("Mini-batch"))
        form = QFormLayout(batch)
        self.n_spin, self.d_spin = QSpinBox(), QSpinBox()
        for spin, name, lo, hi, tip in (
            (self.n_spin, "nSpin", bt.MIN_N, bt.MAX_N, tr("Samples in the mini-batch (rows of x)")),
            (self.d_spin, "dSpin", bt.MIN_D, bt.MAX_D, tr("Features per sample (columns of x), each normalized on its own")),
        ):
            spin.setObjectName(name)
            spin.setRange(lo, hi)
            spin.setToolTip(tip)
            spin.valueChanged.connect(self._on_size)
        form.addRow(tr("Samples N"), self.n_spin)
        form.addRow(tr("Features D"), self.d_spin)
        self.new_batch = QPushButton(tr("New batch"))
        self.new_batch.setObjectName("newBatchButton")
        self.new_batch.setToolTip(tr("Draw other readable numbers for x and w (one decimal); γ and β stay"))
        self.new_batch.clicked.connect(lambda: self._use(self.model.new_batch()))
        form.addRow(self.new_batch)
        col.addWidget(batch)

        running = QGroupBox(tr("ε and running statistics"))
        rform = QFormLayout(running)
        self.eps_edit = QLineEdit()
        self.eps_edit.setObjectName("epsEdit")
        self.eps_edit.setToolTip(tr("ε in √(σ² + ε): keeps the division finite when a feature does not vary (> 0)"))
        self.eps_edit.editingFinished.connect(self._on_eps)
        rform.addRow("ε", self.eps_edit)
        self.momentum_spin = QDoubleSpinBox()
        self.momentum_spin.setObjectName("momentumSpin")
        self.momentum_spin.setRange(0.0, 1.0)
        self.momentum_spin.setDecimals(3)
        self.momentum_spin.setSingleStep(0.05)
        self.momentum_spin.setToolTip(tr("PyTorch's momentum m: running = (1 − m)·running + m·batch statistic"))
        self.momentum_spin.valueChanged.connect(lambda v: self._use_change(momentum=float(v)))
        rform.addRow(tr("Momentum m"), self.momentum_spin)
        self.batches_spin = QSpinBox()
        self.batches_spin.setObjectName("batchesSpin")
        self.batches_spin.setRange(0, bt.MAX_BATCHES)
        self.batches_spin.setToolTip(tr("How many training batches (this same batch) the running statistics have seen"))
        self.batches_spin.valueChanged.connect(lambda v: self._use_change(batches=int(v)))
        rform.addRow(tr("Training batches k"), self.batches_spin)
        col.addWidget(running)

        jump = QGroupBox(tr("Go to"))
        row = QHBoxLayout(jump)
        row.setContentsMargins(4, 4, 4, 4)
        self.phase_buttons: dict[str, QPushButton] = {}
        for phase, label in (("forward", "Forward pass"), ("backward", "Backward pass")):
            button = QPushButton(tr(label))
            button.setObjectName(f"goto_{phase}")
            button.setToolTip(tr("Jump to the first step of the {phase} phase").format(phase=tr(PHASE_TITLES[phase]).lower()))
            button.clicked.connect(lambda _=False, phase=phase: self.go_to_step(phase))
            self.phase_buttons[phase] = button
            row.addWidget(button)
        col.addWidget(jump)
        self.loss_label = QLabel()
        self.loss_label.setObjectName("lossLabel")
        self.loss_label.setWordWrap(True)
        self.loss_label.setToolTip(tr("The loss L = Σ w·y and the largest relative error of the gradient check"))
        col.addWidget(self.loss_label)
        self.legend = QLabel()
        self.legend.setObjectName("batchnormLegend")
        self.legend.setWordWrap(True)
        col.addWidget(self.legend)
        col.addStretch(1)
        return controls_column(box, "batchnormControls", min_width=240)

    def _build_center(self) -> QWidget:
        center = QWidget()
        col = QVBoxLayout(center)
        col.setContentsMargins(0, 0, 0, 0)
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

        middle = QHBoxLayout()
        self.batch_table = NumberTable("batchTable", tr(
            "The mini-batch x (rows: samples i, columns: features j) and the upstream weights w of the loss; "
            "below, the batch statistics μ, σ² and the learned γ, β. Double-click a value to edit it"))
        self.batch_table.cellTyped.connect(self._on_batch_typed)
        middle.addLayout(self._titled(tr("Batch x and weights w"), self.batch_table), 3)
        self.current_title = QLabel()
        self.current_title.setObjectName("currentTitle")
        self.current_table = NumberTable("currentTable", tr("The current step's result, every entry (exact values in the tooltips)"))
        middle.addLayout(self._titled(self.current_title, self.current_table), 0)
        self.steps_list = StepList()
        self.steps_list.stepChosen.connect(self.go_to)
        self.steps_list.setMinimumWidth(150)
        self.gap_plot = EvalGapPlot()
        right = QVBoxLayout()
        right.addWidget(self.steps_list, 3)
        right.addWidget(self.gap_plot, 2)
        middle.addLayout(right, 1)
        col.addLayout(middle, 3)

        bottom = QHBoxLayout()
        self.grad_table = NumberTable("gradTable", tr(
            "∂L/∂γ, ∂L/∂β and ∂L/∂x from the backward pass next to central differences "
            "(L(v+ε) − L(v−ε)) / 2ε, ε = 1e-6; a relative error below 1e-7 means backprop is right"))
        bottom.addLayout(self._titled(tr("Gradient check"), self.grad_table), 0)
        self.train_eval = TrainEvalView()
        bottom.addWidget(self.train_eval, 1)
        col.addLayout(bottom, 4)
        return center

    @staticmethod
    def _titled(title, table: NumberTable) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(title if isinstance(title, QLabel) else QLabel(f"<b>{title}</b>"))
        box.addWidget(table, 1)
        return box

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
        for widget, value in ((self.n_spin, s.n), (self.d_spin, s.d), (self.momentum_spin, s.momentum),
                              (self.batches_spin, s.batches)):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)
        self.eps_edit.setText(bt.fmt(s.eps).replace("−", "-"))
        self.eps_edit.setStyleSheet("")
        self.legend.setText(f"<span style='color:{palette.MUTED}'>{tr(LEGEND)}</span>")

    def _on_theme(self, _dark: bool) -> None:
        """Colours are read when drawing: a theme switch draws again."""
        self._show_setup()
        self.steps_list.recolour()
        self._draw()

    def _reject(self, message: str) -> None:
        self.show_error(tr("{message} — the previous value is still in use.").format(
            message=tr_message(message, ENGINE_ERRORS)))

    def _use(self, state: State) -> None:
        if state != self.model.state:
            self.apply_state(state)

    def _use_change(self, **changes) -> None:
        try:
            state = self.model.state.replace(**changes)
        except ValueError as exc:
            self._reject(str(exc))
            self._show_setup()
            return
        self._use(state)

    def _on_size(self, _value: int = 0) -> None:
        self._use(self.model.resized(self.n_spin.value(), self.d_spin.value()))

    def _on_eps(self) -> None:
        try:
            eps = validate.number(parse_number(self.eps_edit.text(), "ε"), "ε", positive=True)
            state = self.model.state.replace(eps=eps)
        except ValueError as exc:
            self.eps_edit.setStyleSheet(f"QLineEdit {{ border: 2px solid {palette.ERROR_FG}; }}")
            self._reject(str(exc))
            return
        self.eps_edit.setStyleSheet("")
        self._use(state)

    def _on_batch_typed(self, row: int, col: int, text: str) -> None:
        s = self.model.setup()
        try:
            if row < s.n:
                state = self.model.cell_edited("x" if col < s.d else "w", row, col % s.d, text)
            else:
                state = self.model.vector_edited(_VECTOR_ROWS[row - s.n], col, text)
        except ValueError as exc:
            self._reject(str(exc))
            self._draw()  # the number in use goes back into the cell
            return
        self._use(state)

    # ---- computing (worker) and drawing ------------------------------------------------------
    def _recompute(self) -> None:
        self.channel("trace").submit(bt.trace, self.model.setup(), on_return=self._on_trace)

    def _on_trace(self, trace: bt.BNTrace) -> None:
        if not self.model.accept(trace):
            return  # an older request; the newest one is on its way
        self.steps_list.set_steps(trace.steps)
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
        step = trace.steps[index]
        self.explanation.show_step(trace, index)
        self.steps_list.set_current(index)
        self.back_button.setEnabled(index > 0)
        self.forward_button.setEnabled(index < len(trace.steps) - 1)
        self._draw_batch(trace, step)
        self._draw_current(trace, step)
        self._draw_grads(trace, step)
        self.train_eval.show_trace(trace, self.model.eval_gap(), min(self.model.eval_ratio(bt.MAX_BATCHES)))
        self.gap_plot.show_trace(trace)
        self.loss_label.setText(tr("Loss L = Σ w·y = {loss}; largest relative error of the gradient check: {err}").format(
            loss=f"<b>{bt.fmt(float(trace.values['loss']))}</b>", err=f"<b>{trace.max_rel_error():.1e}</b>"))
        self.statusMessage.emit(tr("Batch norm step {i}/{n}: {formula}").format(
            i=index + 1, n=len(trace.steps), formula=step.example))

    def _draw_batch(self, trace, step) -> None:
        s, known = trace.setup, self.model.known()
        n, d = s.n, s.d
        x, w, gamma, beta = s.arrays()
        vectors = {"mu": trace.values["mu"], "var": trace.values["var"], "gamma": gamma, "beta": beta}
        texts, tips = [], []
        for i in range(n):
            row = [_cell(x, i, j) for j in range(d)] + [_cell(w, i, j) for j in range(d)]
            texts.append([t for t, _ in row])
            tips.append([e for _, e in row])
        for key in _VECTOR_ROWS:
            shown = key in known
            row = [_cell(vectors[key], 0, j) if shown else ("·", "") for j in range(d)] + [("", "")] * d
            texts.append([t for t, _ in row])
            tips.append([e for _, e in row])
        rows = [str(i + 1) for i in range(n)] + [bt.SYMBOLS["mu"], bt.SYMBOLS["var"], "γ", "β"]
        cols = [f"x[i,{j + 1}]" for j in range(d)] + [f"w[i,{j + 1}]" for j in range(d)]
        self.batch_table.fill(rows, cols, texts, editable=lambda r, c: (r < n) or (r >= n + 2 and c < d), tips=tips)
        marks = {}
        uses = set(step.uses) | ({"w"} if "dy" in step.uses or step.key == "dy" else set())  # ∂L/∂y = w
        for i in range(n):
            for j in range(d):
                if "x" in uses:
                    marks[(i, j)] = "reads"
                if "w" in uses:
                    marks[(i, d + j)] = "reads"
        for r, key in enumerate(_VECTOR_ROWS, start=n):
            if key == step.key or key in uses:
                marks.update({(r, j): "current" if key == step.key else "reads" for j in range(d)})
        self.batch_table.mark(marks)
        self.batch_table.fit_width()

    def _draw_current(self, trace, step) -> None:
        v, d = step.value, trace.setup.d
        shape = "N×D" if v.ndim == 2 else ("D" if v.ndim == 1 else "1")
        self.current_title.setText(tr("<b>Current step: {symbol}</b> ({shape})").format(symbol=step.symbol, shape=shape))
        cols = [f"j = {j + 1}" for j in range(d)]
        if v.ndim == 0:
            rows, cols, cells = [step.symbol], [""], [[(bt.fmt(float(v)), repr(float(v)))]]
        elif v.ndim == 1:
            rows, cells = [step.symbol], [[_cell(v, 0, j) for j in range(d)]]
        else:
            rows = [str(i + 1) for i in range(v.shape[0])]
            cells = [[_cell(v, i, j) for j in range(d)] for i in range(v.shape[0])]
            extra = {"xn": ((tr("mean"), v.mean(axis=0)), (tr("var"), v.var(axis=0)))}.get(
                step.key, ((tr("Σᵢ"), v.sum(axis=0)),))
            for label, vec in extra:  # rounding noise (1e-16) shown as 0; the tooltip has it exactly
                rows.append(label)
                cells.append([("0" if abs(t) < 1e-12 else bt.fmt(t), repr(float(t))) for t in vec])
        self.current_table.fill(rows, cols, [[t for t, _ in r] for r in cells], tips=[[e for _, e in r] for r in cells])
        body = v.shape[0] if v.ndim == 2 else 1
        self.current_table.mark({(i, j): "current" for i in range(body) for j in range(len(cols))})
        self.current_table.setFixedWidth(self.current_table.wanted_width())

    def _draw_grads(self, trace, step) -> None:
        rows = trace.rows
        texts = [[bt.fmt(r.grad), bt.fmt(r.numerical), f"{r.rel_error:.1e}"] for r in rows]
        tips = [[repr(r.grad), repr(r.numerical), repr(r.rel_error)] for r in rows]
        self.grad_table.fill([r.name for r in rows], [tr("backprop"), tr("numerical"), tr("rel. error")], texts, tips=tips)
        for k, r in enumerate(rows):
            self.grad_table.colour_text(k, 2, r.rel_error < 1e-7)
        self.grad_table.mark({(k, c): "current" for k, r in enumerate(rows) if r.key[0] == step.key for c in range(3)})
        self.grad_table.setFixedWidth(self.grad_table.wanted_width())

    # ---- navigation (the model moves the cursor; the view redraws) ---------------------------
    def go_to(self, index: int) -> None:
        if self.model.trace is not None:
            self.model.go_to(index)
            self._draw()

    def go_to_step(self, key_or_phase: str) -> None:
        if self.model.trace is not None:
            self.model.go_to_step(key_or_phase)
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
        """Back to the first step; the batch stays as it is."""
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
