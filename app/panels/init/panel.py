"""The Initialization panel (lecture part 3; DLFS ch. 6 "activation histograms"), live.

N random samples go through L bias-free layers of W units (``engine.init_experiment``). Two
configurations, A and B, run on the *same* inputs and the same standard-normal weight draws
(only scaled), so whatever differs between their histograms is caused by the one setting that
differs. Forward: one histogram of activations per layer, on shared axes. Backward: the
histograms of ∂L/∂a per layer and, always visible, the mean |∂L/∂a| per layer on a log axis,
where vanishing (falling towards layer 1) and exploding gradients show as slopes. A table
gives each layer's mean, std, share saturated, share of ReLU zeros and dead units.

The settings and the results live in ``app.models.init.InitModel``; this view shows them and
forwards every edit to it. Every change recomputes both configurations in a worker (the
"experiment" channel; a slider drag shows results at the computation's pace, never a
backlog). The default case takes ≈ 0.1 s from a change to the redrawn histograms.

Step draws new random inputs and weights (the next seed): the shapes stay, which shows they
are the initializer's doing and not luck. Play keeps drawing new seeds; Reset restores the
defaults (the book's first figure, sigmoid with std 1, against Xavier).
"""

from __future__ import annotations

import dataclasses
import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.models import init as init_model
from app.models.init import CONFIGS, PRESETS, VIEWS, InitModel, State
from app.pacing import Coalescer
from app.panels.base import Panel
from app.panels.init.config_editor import InitConfigEditor, config_label
from app.panels.init.results_view import COLORS, InitHistograms, InitNumbers
from app.widgets import plots
from app.widgets.controls_column import controls_column

#: (State field, objectName suffix, label, tooltip) of the shared network sizes; the ranges
#: and defaults are the State's.
SIZES = (
    ("samples", "Samples", "Samples N", "Rows of the random input batch x ~ N(0, 1) (the book: 1000)"),
    ("features", "Features", "Features", "Columns of the input batch (the book: 100)"),
    ("layers", "Layers", "Layers L", "Number of hidden layers, one histogram each (the book: 5)"),
    ("width", "Width", "Width W", "Units per layer (the book: 100)"),
)
PLAY_INTERVAL_MS = 700


def _field_range(name: str) -> tuple[int, int]:
    meta = {f.name: f.metadata for f in dataclasses.fields(State)}[name]
    return int(meta["lo"]), int(meta["hi"])


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
        self.model = InitModel()
        self._seq = 0
        self._pending_steps = 0
        self.last_latency_ms = float("nan")  # control change → histograms drawn
        self.add_player(self._play_tick, PLAY_INTERVAL_MS)
        self._drawing = None  # (state, seq, t0) of results whose histograms are still to draw
        self._histograms_later = self.add_pacer(Coalescer(self._draw_histograms, 0))

        layout = QHBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._build_controls())
        right = QSplitter(Qt.Orientation.Vertical, self.content)
        right.setObjectName("initSplitter")
        right.setChildrenCollapsible(False)
        self.views = InitHistograms()
        self.views.currentChanged.connect(self._on_view)
        self.numbers = InitNumbers()
        right.addWidget(self.views)
        right.addWidget(self.numbers)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.setSizes([640, 260])
        layout.addWidget(right, 1)
        self._show(self.model.state)
        self.recompute()
        # build the 4 × L plots while the worker computes (≈ 25 ms each: they would otherwise
        # be built when the first result arrives, after the computation instead of during it)
        self.views.prepare(self.model.state.layers)

    # ---- construction ------------------------------------------------------------------------------
    def _build_controls(self) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 4, 0)
        self.editors: dict[str, InitConfigEditor] = {}
        for key in CONFIGS:
            editor = InitConfigEditor(key, tr("Configuration {key}").format(key=key))
            editor.setStyleSheet(f"QGroupBox#config{key}::title {{ color: {COLORS[key]}; }}")
            editor.changed.connect(self._on_controls)
            self.editors[key] = editor
            if key == "B":
                self.compare = QCheckBox(tr("Compare with B"))
                self.compare.setObjectName("compareCheck")
                self.compare.setToolTip(tr("Run a second configuration on the same inputs and weight draws, drawn in its colour"))
                self.compare.toggled.connect(self._on_controls)
                col.addWidget(self.compare)
            col.addWidget(editor)

        net = QGroupBox(tr("Network and data (shared)"))
        net.setToolTip(tr("Both configurations use these sizes, the same inputs and the same random weight draws"))
        form = QFormLayout(net)
        self.size_spins: dict[str, QSpinBox] = {}
        for field, suffix, label, tip in (*SIZES, ("seed", "Seed", "Seed", "Random seed of inputs, weights and the "
                                                   "backward read-out (Step takes the next one)")):
            spin = QSpinBox()
            spin.setObjectName(f"spin{suffix}")
            spin.setRange(*_field_range(field))
            spin.setKeyboardTracking(False)
            spin.setToolTip(tr(tip))
            spin.valueChanged.connect(self._on_controls)
            form.addRow(tr(label), spin)
            self.size_spins[field] = spin
        self.seed_spin = self.size_spins.pop("seed")
        col.addWidget(net)

        presets = QGroupBox(tr("The book's cases (one click)"))
        pcol = QVBoxLayout(presets)
        pcol.setSpacing(2)
        self.preset_buttons: list[QPushButton] = []
        for i, (text, tip, a, b) in enumerate(PRESETS):
            button = QPushButton(tr(text))
            button.setObjectName(f"preset{i}")
            button.setToolTip(f"{tr(tip)}\nA: {config_label(a)}   B: {config_label(b)}\n"
                              + tr("(book sizes: 1000 × 100, 5 layers of 100)"))
            button.clicked.connect(lambda _=False, i=i: self.apply_preset(i))
            pcol.addWidget(button)
            self.preset_buttons.append(button)
        col.addWidget(presets)
        col.addStretch(1)
        return controls_column(box, "initControls", min_width=290)

    # ---- state ↔ widgets -------------------------------------------------------------------------
    def state(self) -> State:
        return self.model.state

    def apply_state(self, state: State) -> None:
        """Show ``state`` and compute it (the view alone needs no computation)."""
        computed = self.model.state.computed_part() != state.computed_part() or not self.model.results
        self.model.state = state
        self._show(state)
        if computed:
            self.recompute()

    def _widgets(self) -> list[QWidget]:
        return [*self.editors.values(), *self.size_spins.values(), self.seed_spin, self.compare, self.views]

    def _show(self, state: State) -> None:
        widgets = self._widgets()
        for w in widgets:
            w.blockSignals(True)
        try:
            for key in CONFIGS:
                self.editors[key].set_config(state.config(key))
            for field, spin in self.size_spins.items():
                spin.setValue(getattr(state, field))
            self.seed_spin.setValue(state.seed)
            self.compare.setChecked(state.compare)
            self.views.setCurrentIndex(VIEWS.index(state.view))
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._sync_compare()

    def _on_controls(self, *_args) -> None:
        """A control changed: the model takes the controls' values, then recomputes."""
        self.model.state = dataclasses.replace(
            self.model.state, a=self.editors["A"].config(), b=self.editors["B"].config(),
            compare=self.compare.isChecked(), seed=self.seed_spin.value(),
            **{field: spin.value() for field, spin in self.size_spins.items()},
        )
        self._sync_compare()
        self.recompute()

    def _on_view(self, index: int) -> None:
        self.model.state = dataclasses.replace(self.model.state, view=VIEWS[index])

    def _sync_compare(self) -> None:
        on = self.model.state.compare
        self.editors["B"].setEnabled(on)
        self.views.show_b(on)
        self.numbers.show_b(on)

    def apply_preset(self, index: int) -> None:
        """Set A, B and the book's sizes for ``PRESETS[index]`` (one recomputation)."""
        self.apply_state(init_model.preset_state(self.model.state, index))
        self.statusMessage.emit(tr("Preset: {name}").format(name=tr(PRESETS[index][0])))

    # ---- computation -------------------------------------------------------------------------------------
    def recompute(self, *_args) -> None:
        """Submit both configurations to the worker (latest wins); bad settings go to the banner."""
        try:
            experiments = self.model.experiments()
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self._seq += 1
        state, seq, t0 = self.model.state, self._seq, time.perf_counter()
        self.channel("experiment", keep_running=True).submit(
            init_model.run_experiments, experiments,
            on_return=lambda results: self._on_results(results, state, seq, t0),
        )

    def _on_results(self, results: dict, state: State, seq: int, t0: float) -> None:
        """Draw in two event-loop passes, each painted on its own: the cheap numbers (gradient
        magnitudes, table) now, the histograms (most of the cost) in the next pass. One pass
        drawing everything stalled the window for ~70 ms while Play drew seed after seed."""
        self.model.accept(results, state)
        self.numbers.draw(self.model)
        self._drawing = (state, seq, t0)
        self._histograms_later.request()

    def _draw_histograms(self) -> None:
        if self._drawing is None or self._shut_down:
            return
        (state, seq, t0), self._drawing = self._drawing, None
        self.views.draw(self.model)
        self.last_latency_ms = (time.perf_counter() - t0) * 1e3
        self.drawn.emit()
        if seq != self._seq:
            return  # an older request (a drag in progress): drawn, but not the final state
        self.clear_error()
        self.statusMessage.emit(
            tr("Initialization: {configs}, seed {seed}").format(
                configs=tr(" vs ").join(f"{k} {config_label(state.config(k))}" for k in self.model.results),
                seed=state.seed,
            )
        )
        while self._pending_steps > 0:
            self._pending_steps -= 1
            self.mark_stepped()
        self.mark_ready()

    # ---- global actions ----------------------------------------------------------------------------------------
    def step(self) -> None:
        """A new random draw: the next seed (counted once it is drawn)."""
        self._pending_steps += 1
        self.seed_spin.setValue(self.seed_spin.value() + 1)

    def _play_tick(self) -> None:
        if not self.channel("experiment").busy and not self._histograms_later.pending:
            self.step()  # never queue draws behind a slow one

    def reset(self) -> None:
        """Back to the defaults: sigmoid std 1 (A) against Xavier (B), the book's sizes, seed 0."""
        if self.is_playing():
            self.play_pause()
        self.apply_state(State())
        self.statusMessage.emit(tr("Initialization: defaults restored"))
