"""The Optimizer panel (lecture part 2): optimizers racing on a loss surface, one update at a time.

Seven lanes — GD, SGD, Momentum, NAG, AdaGrad, RMSProp, Adam — any subset of which races from one
start point (``engine.trajectory.Race``) in lock-step. GD and SGD run the same rule; they differ
only in the gradient: on the data surface GD gets the full batch and every other lane real
mini-batches, so SGD's zig-zag appears for its real cause. On the analytic surfaces the gradient
is exact and the two coincide.

Threads: the surface image (grid + contour lines) is computed on the "surface" channel (latest
wins: flipping through surfaces never queues work). The race lives entirely in the stepper's
worker thread: the generator builds it there and yields copies, the GUI thread only appends them
to its own arrays and calls ``setData`` on items made once. Pull-based stepping means a slow
frame lowers the rate instead of queueing steps.
"""

from __future__ import annotations

import json
import math
import time

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr, tr_message
from app.panels.base import Panel
from app.widgets.optimizer_editor import OptimizerEditor
from app.panels.optimizers.loss_plot import OptimizerLossPlot
from app.panels.optimizers.readout import OptimizerReadout
from app.panels.optimizers.table import OptimizerTable
from app.widgets.palette import MUTED, series_color
from app.widgets.plots import configure
from app.widgets.sliders import LabeledSlider
from app.widgets.surface_levels import surface_image
from app.widgets.surface_view import SurfaceView
from app.workers import Stepper
from engine import optimizers, surfaces, trajectory

#: (key, label, optimizer, mini-batch on a stochastic surface, tooltip)
LANES = (
    ("gd", "GD", "sgd", False, "Gradient descent: the SGD rule on the full-batch gradient"),
    ("sgd", "SGD", "sgd", True, "Stochastic gradient descent: the same rule on mini-batch gradients "
                                "(on analytic surfaces the gradient is exact, so SGD = GD)"),
    ("momentum", "Momentum", "momentum", True, "SGD with momentum: V ← m·V − α·g;  W ← W + V"),
    ("nag", "NAG", "nag", True, "Nesterov accelerated gradient: momentum with a look-ahead gradient"),
    ("adagrad", "AdaGrad", "adagrad", True, "AdaGrad: per-coordinate rate α/(√G + ε), G = Σ g²"),
    ("rmsprop", "RMSProp", "rmsprop", True, "RMSProp: like AdaGrad but G is a moving average of g²"),
    ("adam", "Adam", "adam", True, "Adam: momentum (M̂) and RMSProp (V̂) with bias correction"),
)
DEFAULT_SURFACE = "book_quadratic"
MAX_STEPS = 3000
FRAME_MS = 16
MAX_BATCH = 16  # most updates pulled per frame when behind
MAX_REPLAY = 1000  # a paused race restarted by a new setting is replayed up to this step
READOUT_INTERVAL_S = 0.12
READOUT_HEIGHT = 250  # fits Adam's read-out: its rule in both forms and the ε note


def short_message(message: str) -> str:
    """The map label of a stop: "diverged at step 12" from the engine's longer explanation."""
    for sep in (":", " ("):
        message = message.split(sep)[0]
    return message.strip()


class _Track:
    """The positions and losses of one lane, in arrays that grow by doubling (no per-step copy)."""

    def __init__(self, start, loss: float):
        self.pos = np.empty((64, 2))
        self.loss = np.empty(64)
        self.n = 0
        self.last = None  # the latest TrajectoryPoint
        self.drawn = None  # (n, message) when last pushed into the map's items
        self.plotted = 0  # n when last pushed into the loss plot
        self.status, self.message, self.stop_xy = "running", "", None
        self.append(start, loss)

    def append(self, xy, loss: float) -> None:
        if self.n == len(self.loss):
            self.pos = np.concatenate([self.pos, np.empty_like(self.pos)])
            self.loss = np.concatenate([self.loss, np.empty_like(self.loss)])
        self.pos[self.n] = xy
        self.loss[self.n] = loss
        self.n += 1


def race_steps(surface, configs, start, seed: int, max_steps: int):
    """Generator (worker thread): build the race and yield each lock-step update.

    Yields ``(points, statuses)``: the ``TrajectoryPoint | None`` of every runner and its
    ``(status, message, stop position)``. Ends when every runner stopped or after ``max_steps``.
    """
    race = trajectory.Race(surface, configs, start, seed=seed)
    for _ in range(max_steps):
        points = race.step()
        statuses = []
        for r in race.runners:
            stop = None
            if r.status != "running":
                exit_xy = getattr(r, "exit_position", None)
                stop = np.array(exit_xy if exit_xy is not None else r.positions[-1], dtype=float)
            statuses.append((r.status, r.message, stop))
        yield points, statuses
        if all(r.status != "running" for r in race.runners):
            return


def surface_picture(surface, n: int):
    """Worker: the surface's grid, colours and contour lines."""
    xs, ys, Z = surface.grid(n)
    return surface_image(xs, ys, Z, surface.log_colors)


class OptimizersPanel(Panel):
    """Optimizers racing on a loss surface (see the module docstring)."""

    panel_id = "optimizers"
    title = "Optimizers"
    description = "SGD, Momentum, NAG, AdaGrad, RMSProp and Adam racing on loss surfaces"

    def __init__(self, parent: QWidget | None = None, grid_size: int = 300):
        super().__init__(parent)
        configure()
        self.grid_size = int(grid_size)
        self.entries = {e.name: e for e in optimizers.entries()}
        self.hyper = [dict(self.entries[opt].extra["defaults"]) for _k, _l, opt, _b, _t in LANES]
        self.enabled = [False] * len(LANES)
        self.colors = [series_color(i) for i in range(len(LANES))]
        self.selected = 1
        self.batch_size = 10
        self.seed = 0
        self.surface_name = ""
        self.surface = None
        self.start = (0.0, 0.0)
        self.tracks: dict[int, _Track] = {}
        self.active: list[int] = []  # lane index of each runner of the race
        self.finished_message = ""
        self._render_pending = False
        self._side_pending = False
        self._image_ready = False
        self._readout_time = 0.0
        self._replay_left = self._replay_goal = 0
        self.rate = 15.0
        self._pace_t0, self._pace_steps = 0.0, 0

        self._build_ui()
        self.stepper = self.add_stepper(Stepper(self._make_gen, interval_ms=FRAME_MS))
        self.stepper.stepped.connect(self._on_step)
        self.stepper.exhausted.connect(self._finish)
        self.stepper.playingChanged.connect(self._on_playing_changed)
        self.set_speed(self.speed.value())
        self.book_preset()

    # ---- UI ------------------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)

        row1 = QHBoxLayout()
        surface_label = QLabel(tr("&Surface:"), self.content)
        self.surface_combo = QComboBox(self.content)
        self.surface_combo.setObjectName("surfaceCombo")
        for e in surfaces.entries():
            self.surface_combo.addItem(tr(e.display_name), e.name)
            self.surface_combo.setItemData(self.surface_combo.count() - 1, e.formula, Qt.ItemDataRole.ToolTipRole)
        self.surface_combo.setToolTip(tr("The loss surface the optimizers race on"))
        surface_label.setBuddy(self.surface_combo)
        self.surface_combo.currentIndexChanged.connect(
            lambda i: self.set_surface(self.surface_combo.itemData(i)))
        self.formula_label = QLabel(self.content)
        self.formula_label.setObjectName("surfaceFormula")
        self.formula_label.setStyleSheet(f"color: {MUTED}")
        self.book_button = QPushButton(tr("&Book preset"), self.content)
        self.book_button.setObjectName("bookPreset")
        self.book_button.setToolTip(
            tr("Deep Learning from Scratch, ch. 6: x²/20 + y² from (−7, 2) with SGD lr 0.95, "
               "Momentum lr 0.1 (m 0.9), AdaGrad lr 1.5, Adam lr 0.3"))
        self.book_button.clicked.connect(self.book_preset)
        self.arrows_box = QCheckBox(tr("&Arrows"), self.content)
        self.arrows_box.setObjectName("showArrows")
        self.arrows_box.setChecked(True)
        self.arrows_box.setToolTip(
            tr("Arrows at the selected optimizer's last update: dashed = −∇f (direction), "
               "solid = the velocity V (Momentum, NAG) or the step actually taken"))
        self.arrows_box.toggled.connect(lambda _on: (self._render(), self._render_readout()))
        row1.addWidget(surface_label)
        row1.addWidget(self.surface_combo)
        row1.addWidget(self.formula_label, 1)
        row1.addWidget(self.arrows_box)
        row1.addWidget(self.book_button)
        layout.addLayout(row1)

        row2 = QHBoxLayout()
        self.play_button = QPushButton(tr("▶ &Play"), self.content)
        self.play_button.setObjectName("playButton")
        self.play_button.setToolTip(tr("Animate every path in lock-step") + " (Space)")
        self.play_button.clicked.connect(self.play_pause)
        self.step_button = QPushButton(tr("S&tep"), self.content)
        self.step_button.setObjectName("stepButton")
        self.step_button.setToolTip(tr("Advance every optimizer by exactly one update (→ or N)"))
        self.step_button.clicked.connect(self.step)
        self.reset_button = QPushButton(tr("R&eset"), self.content)
        self.reset_button.setObjectName("resetButton")
        self.reset_button.setToolTip(tr("Back to the start point, all state forgotten (R)"))
        self.reset_button.clicked.connect(self.reset)
        self.speed = LabeledSlider(tr("Speed (steps/s)"), 1, 240, value=15, decimals=0, log=True,
                                   tooltip=tr("Updates per second while playing"), parent=self.content)
        self.speed.setObjectName("speed")
        self.speed.valueChanged.connect(self.set_speed)
        self.batch = LabeledSlider(tr("Batch size"), 1, 200, value=self.batch_size, decimals=0, log=True,
                                   tooltip=tr("Mini-batch size of every lane except GD (data surface only); "
                                              "GD always uses the whole data set"),
                                   parent=self.content)
        self.batch.setObjectName("batchSize")
        self.batch.valueChanged.connect(self.set_batch_size)
        self.status_label = QLabel(self.content)
        self.status_label.setObjectName("raceStatus")
        # its text changes every frame: a fixed size keeps that from re-laying out the panel
        self.status_label.setFixedWidth(self.status_label.fontMetrics().horizontalAdvance(
            " · ".join((tr("step {n}").format(n=8888), tr("{n} racing").format(n=7), tr("all stopped"))) + " ") + 8)
        self.status_label.setToolTip(tr("Race state"))
        for w in (self.play_button, self.step_button, self.reset_button):
            row2.addWidget(w)
        row2.addWidget(self.speed, 2)
        row2.addWidget(self.batch, 2)
        row2.addWidget(self.status_label, 1)
        layout.addLayout(row2)

        self.view = SurfaceView(len(LANES), self.content)
        self.view.setToolTip(
            tr("Click or drag to set the start point; every path restarts from it.\n"
               "With the map focused (Tab), the arrow keys move the start (Shift: bigger steps)."))
        self.view.startPicked.connect(self.set_start)
        self.readout = OptimizerReadout(self.content)
        self.loss_plot = OptimizerLossPlot(len(LANES), self.content)
        self.table = OptimizerTable(
            [(label, self.colors[i], tr(tip)) for i, (_k, label, _o, _b, tip) in enumerate(LANES)], self.content)
        self.table.laneToggled.connect(self.set_lane_enabled)
        self.table.laneSelected.connect(self.select_lane)
        self.editor = OptimizerEditor(self.content)
        self.editor.hyperChanged.connect(lambda h: self.set_hyper(self.selected, h))
        self.editor.defaultsRequested.connect(self._restore_defaults)

        left = QSplitter(Qt.Orientation.Vertical, self.content)
        left.addWidget(self.view)
        left.addWidget(self.readout)
        left.setStretchFactor(0, 1)  # a bigger window grows the map, not the read-out
        left.setStretchFactor(1, 0)
        right = QSplitter(Qt.Orientation.Vertical, self.content)
        right.addWidget(self.loss_plot)
        board = QWidget(self.content)
        board_layout = QVBoxLayout(board)
        board_layout.setContentsMargins(0, 0, 0, 0)
        board_layout.addWidget(self.table, 1)
        board_layout.addWidget(self.editor)
        right.addWidget(board)
        right.setStretchFactor(0, 1)
        right.setStretchFactor(1, 0)
        self.board = board
        main = QSplitter(Qt.Orientation.Horizontal, self.content)
        main.setObjectName("optimizerSplitter")
        main.addWidget(left)
        main.addWidget(right)
        main.setStretchFactor(0, 3)
        main.setStretchFactor(1, 2)
        layout.addWidget(main, 1)
        self.splitters = (main, left, right)
        self._sized = False

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """First show: give the map most of the height (splitters start from size hints)."""
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            main, left, right = self.splitters
            w, h = max(main.width(), 600), max(main.height(), 400)
            main.setSizes([int(w * 0.6), w - int(w * 0.6)])
            readout = READOUT_HEIGHT
            left.setSizes([h - readout, readout])
            board = self.table.fit_height() + self.editor.sizeHint().height() + 8
            self.board.setMaximumHeight(board)
            right.setSizes([max(h - board, 150), board])

    # ---- global actions ------------------------------------------------------------------------------
    def play_pause(self) -> None:
        if self.stepper.playing:
            self.stepper.pause()
            return
        if not self.active:
            self.statusMessage.emit(tr("Tick at least one optimizer in the table to race"))
            return
        if self._race_over():
            self._restart(replay=False)  # a finished race plays again from its start
        self.stepper.play()

    def is_playing(self) -> bool:
        return self.stepper.playing

    def step(self) -> None:
        """Exactly one update of every running path (pauses a running animation first)."""
        self.stepper.pause()
        if self._race_over():
            return
        self.stepper.step(1)

    def reset(self) -> None:
        """Back to the start point at step 0 (every control keeps its value)."""
        self._restart(keep_playing=False, replay=False)

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        self._render_pending = False
        return super().shutdown(timeout_ms)

    # ---- controls ------------------------------------------------------------------------------------
    def set_surface(self, name: str, start=None) -> None:
        """Race on surface ``name`` (from its default start unless ``start`` is given)."""
        name = surfaces.REGISTRY.canonical(name)
        if name != self.surface_name:
            self.surface = surfaces.get(name)
            self.surface_name = name
            self.view.value_at = self.surface.value  # the hover read-out (pure, cheap)
            self._image_ready = False
            i = self.surface_combo.findData(name)
            if i != self.surface_combo.currentIndex():
                self.surface_combo.blockSignals(True)
                self.surface_combo.setCurrentIndex(i)
                self.surface_combo.blockSignals(False)
            entry = surfaces.REGISTRY.entry(name)
            self.formula_label.setText(tr(entry.description) or self.surface.formula)
            self.formula_label.setToolTip(f"{self.surface.formula}\n{tr(entry.description)}")
            n = getattr(self.surface, "n_samples", None)
            self.batch.setEnabled(bool(self.surface.stochastic))
            if n:
                self.batch.setRange(1, n)
            if self.surface.stochastic and not self.enabled[0]:
                self.set_lane_enabled(0, True, restart=False)  # GD: the full-batch reference
            self.channel("surface").submit(
                surface_picture, self.surface, self.grid_size, on_return=self._on_surface_image)
        self.start = tuple(float(v) for v in (start if start is not None else self.surface.start))
        self.view.set_start(*self.start)
        self._restart()

    def set_start(self, x: float, y: float, final: bool = True) -> None:
        """New start point (a click or drag on the map): every path restarts from it."""
        self.start = (float(x), float(y))
        self.view.set_start(*self.start)
        self._restart()

    def set_lane_enabled(self, lane: int, on: bool, restart: bool = True) -> None:
        self.enabled[lane] = bool(on)
        self.table.set_checked(lane, on)
        if on:
            self.select_lane(lane)
        if restart:
            self._restart()

    def select_lane(self, lane: int) -> None:
        if not 0 <= lane < len(LANES):
            return
        self.selected = lane
        if self.table.currentRow() != lane:
            self.table.blockSignals(True)
            self.table.selectRow(lane)
            self.table.blockSignals(False)
        self.editor.set_lane(LANES[lane][1], self.colors[lane], self.hyper[lane])
        self._render()

    def set_hyper(self, lane: int, hyper: dict) -> None:
        """Change lane ``lane``'s hyperparameters; the race restarts (validated by the engine)."""
        merged = {**self.hyper[lane], **{k: float(v) for k, v in hyper.items()}}
        try:
            optimizers.get(LANES[lane][2], **merged)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.clear_error()
        self.hyper[lane] = merged
        if lane == self.selected:
            self.editor.set_lane(LANES[lane][1], self.colors[lane], merged)
        self._restart()

    def _restore_defaults(self) -> None:
        self.set_hyper(self.selected, self.entries[LANES[self.selected][2]].extra["defaults"])

    def set_speed(self, steps_per_s: float) -> None:
        """Updates per second while playing: one per tick up to 60/s, then several per frame."""
        self.rate = max(1.0, float(steps_per_s))
        self.stepper.set_interval(max(FRAME_MS, round(1000.0 / self.rate)))
        self._pace_reset()

    def _pace_reset(self) -> None:
        self._pace_t0 = time.perf_counter()
        self._pace_steps = 0
        self.stepper.set_batch(max(1, round(self.rate * self.stepper.interval_ms / 1000.0)))

    def _pace(self) -> None:
        """Keep the requested rate when frames are slow: the next pull asks for what is owed."""
        self._pace_steps += 1
        owed = self.rate * (time.perf_counter() - self._pace_t0) - self._pace_steps
        if owed > 2 * MAX_BATCH:  # far behind (a stall): forgive, don't burst
            self._pace_t0, self._pace_steps, owed = time.perf_counter(), 0, 0
        self.stepper.set_batch(min(MAX_BATCH, max(1, math.ceil(owed))))

    def set_batch_size(self, size: float) -> None:
        self.batch_size = max(1, int(round(size)))
        if self.surface is not None and self.surface.stochastic:
            self._restart()

    def book_preset(self) -> None:
        """The book's race: x²/20 + y² from (−7, 2), SGD 0.95, Momentum 0.1, AdaGrad 1.5, Adam 0.3."""
        keys = [k for k, *_ in LANES]
        self.enabled = [False] * len(LANES)
        for lane in range(len(LANES)):
            self.hyper[lane] = dict(self.entries[LANES[lane][2]].extra["defaults"])
        last = None
        for cfg in trajectory.BOOK_PRESET:
            lane = keys.index(cfg.optimizer)  # the book's "SGD" is the sgd lane, not GD
            self.enabled[lane] = True
            self.hyper[lane].update({k: float(v) for k, v in cfg.hyper.items()})
            last = lane
        for lane in range(len(LANES)):
            self.table.set_checked(lane, self.enabled[lane])
        book = getattr(trajectory, "BOOK_SURFACE", DEFAULT_SURFACE)
        self.select_lane(last if last is not None else 1)  # Adam: the fullest read-out
        self.set_surface(book)

    # ---- the race --------------------------------------------------------------------------------
    def configs(self) -> list:
        """The RunnerConfig of every enabled lane, in lane order."""
        stochastic = bool(self.surface is not None and self.surface.stochastic)
        out = []
        for lane, (key, label, opt, minibatch, _tip) in enumerate(LANES):
            if self.enabled[lane]:
                batch = self.batch_size if (stochastic and minibatch) else None
                out.append(trajectory.RunnerConfig(opt, dict(self.hyper[lane]), batch, label))
        return out

    def _make_gen(self):
        return race_steps(self.surface, self._configs, self.start, self.seed, MAX_STEPS)

    def _restart(self, keep_playing: bool = True, replay: bool = True) -> None:
        """Drop the race and every path, and start over from ``self.start`` with the controls.

        A playing race plays on from step 0. A paused one that had advanced is replayed to the
        same step count (up to ``MAX_REPLAY``): dragging the start, or a hyperparameter, then
        reshapes whole paths live, and the count the student was looking at stays.
        """
        playing = keep_playing and self.stepper.playing
        shown = self._replay_goal if self._replay_left > 0 else self.step_count  # mid-drag
        target = 0 if (playing or not replay) else min(shown, MAX_REPLAY)
        self._replay_left, self._replay_goal = 0, target
        self.stepper.reset(self._make_gen)
        if self.surface is None:
            return
        self._configs = self.configs()
        self.active = [lane for lane in range(len(LANES)) if self.enabled[lane]]
        loss0 = float(self.surface.value(*self.start))
        self.tracks = {lane: _Track(self.start, loss0) for lane in self.active}
        self.finished_message = ""
        self.step_count = 0
        lanes = [(LANES[i][1], self.colors[i], self.enabled[i]) for i in range(len(LANES))]
        self.view.set_lanes(lanes)
        self.loss_plot.set_lanes(lanes)
        minima = self.surface.minima
        if minima:
            fmin = float(np.min(self.surface.value(*np.asarray(minima, dtype=float).T)))
            self.loss_plot.set_scale(True, fmin)
        else:
            self.loss_plot.set_scale(False, 0.0)
        self._render()
        if playing:
            self.stepper.play()
        elif target and self.active:
            self._replay_left = target
            self.stepper.step(target)

    def _race_over(self) -> bool:
        return bool(self.finished_message) or not self.active

    def _on_step(self, value) -> None:
        points, statuses = value
        for lane, point, (status, message, stop) in zip(self.active, points, statuses):
            track = self.tracks[lane]
            if point is not None:
                xy = np.asarray(point.position, dtype=float)
                track.last = point
                if np.all(np.isfinite(xy)):
                    track.append(xy, float(point.loss))
            if status != "running" and track.status == "running":
                track.status, track.message = status, tr_message(message)
                track.stop_xy = stop
                if status == "left_view" and stop is not None and np.all(np.isfinite(stop)):
                    # draw the last segment towards the exit (the view clips it at the edge)
                    track.append(stop, float(self.surface.value(*stop)))
        self.mark_stepped()
        if all(t.status != "running" for t in self.tracks.values()) or self.step_count >= MAX_STEPS:
            self._finish()  # the generator only ends on the next pull: decide here
            return
        if self._replay_left > 0:
            self._replay_left -= 1
            if self._replay_left:
                self._schedule_render()  # draw a replay once, not once per step
                return
        if self.stepper.playing:
            self._pace()
            self._schedule_render()
        else:
            self._render()

    def _finish(self) -> None:
        """The race is over (every path stopped, or the step limit): pause and say so."""
        self._replay_left = 0
        self.stepper.pause()
        if all(t.status != "running" for t in self.tracks.values()):
            self.finished_message = tr("all stopped")
            self.statusMessage.emit("Every path has stopped: move the start or change a setting")
        else:
            self.finished_message = tr("{limit}-step limit").format(limit=MAX_STEPS)
            self.statusMessage.emit(tr("The race stops after {limit} steps: Reset to race again").format(limit=MAX_STEPS))
        self._render()

    def _on_playing_changed(self, playing: bool) -> None:
        self._pace_reset()
        if not playing:
            self._render()  # the read-out skipped frames while playing
        self.play_button.setText(tr("❚❚ &Pause") if playing else tr("▶ &Play"))
        self.play_button.setToolTip((tr("Pause") if playing else tr("Animate every path in lock-step")) + " (Space)")

    # ---- drawing ---------------------------------------------------------------------------------
    def _schedule_render(self) -> None:
        if not self._render_pending:
            self._render_pending = True
            QTimer.singleShot(FRAME_MS // 2, self._render_if_pending)

    def _render_if_pending(self) -> None:
        if self._render_pending and not self._shut_down:
            self._render()

    def _render(self) -> None:
        """Push the tracks into the items (setData only) and refresh table, read-out, arrows.

        While playing, the map is drawn first and the side (loss plot, table, read-out) on the
        next turn of the event loop: Qt paints each half separately, so the GUI thread is
        never blocked for a whole frame at once.
        """
        self._render_pending = False
        if self.surface is None:
            return
        for lane, track in self.tracks.items():
            if track.drawn != (track.n, track.message):  # a stopped path costs nothing
                track.drawn = (track.n, track.message)
                self.view.set_path(lane, track.pos[:track.n], short_message(track.message), track.stop_xy)
        self.view.commit_heads()
        self._render_arrows()
        if self.stepper.playing:
            if not self._side_pending:
                self._side_pending = True
                QTimer.singleShot(0, self._render_side)
        else:
            self._render_side()

    def _render_side(self) -> None:
        self._side_pending = False
        if self._shut_down:
            return
        for lane in range(len(LANES)):
            track = self.tracks.get(lane)
            self.table.set_cell(lane, 1, self._settings_text(lane))
            if track is None:
                self.table.set_cell(lane, 2, "—")
                self.table.set_cell(lane, 3, "")
                continue
            if track.plotted != track.n:
                track.plotted = track.n
                self.loss_plot.set_curve(lane, track.loss[:track.n])
            state = short_message(track.message) or tr("step {n}").format(n=track.n - 1)
            self.table.set_cell(lane, 2, state, stopped=bool(track.message), tip=track.message)
            self.table.set_cell(lane, 3, f"{track.loss[track.n - 1]:.4g}".replace("-", "−"))
        self.loss_plot.commit()
        now = time.perf_counter()
        if not self.stepper.playing or now - self._readout_time > READOUT_INTERVAL_S:
            self._readout_time = now  # rich-text layout costs ~2 ms: ≤ 8 times a second
            self._render_readout()
        parts = [tr("step {n}").format(n=self.step_count), tr("{n} racing").format(n=len(self.active))]
        if self.finished_message:
            parts.append(self.finished_message)
        self.status_label.setText(" · ".join(parts))

    def _settings_text(self, lane: int) -> str:
        short = {"lr": "α", "momentum": "m", "decay_rate": "γ", "beta1": "β₁", "beta2": "β₂", "eps": "ε"}
        defaults = self.entries[LANES[lane][2]].extra["defaults"]
        text = "  ".join(f"{short.get(k, k)} {v:g}" for k, v in self.hyper[lane].items()
                         if k == "lr" or k in ("momentum",) or v != defaults.get(k))
        if self.surface is not None and self.surface.stochastic and not LANES[lane][3]:
            text += "  · " + tr("full batch")  # the others use the toolbar's batch size
        return text

    def _render_readout(self) -> None:
        lane = self.selected
        key, label, opt, minibatch, _tip = LANES[lane]
        entry = self.entries[opt]
        track = self.tracks.get(lane)
        point = track.last if track is not None else None
        snapshot = point.state if point is not None else None
        context = "" if self.enabled[lane] else tr("Not racing: tick it in the table to add it.")
        if self.surface is not None and self.surface.stochastic and self.enabled[lane]:
            n = getattr(self.surface, "n_samples", 0)
            context = (tr("g from a mini-batch of {batch} of {n} samples").format(batch=self.batch_size, n=n)
                       if minibatch else tr("g from the full batch of {n} samples").format(n=n))
        self.readout.show_update(
            name=opt, label=label, color=self.colors[lane], formula=entry.formula,
            torch_formula=entry.extra.get("torch_formula", entry.formula), snapshot=snapshot,
            status=track.message if track is not None else "", context=context,
            footnote=self._arrows_note(opt) if self.arrows_box.isChecked() else "")

    @staticmethod
    def _arrows_note(opt: str) -> str:
        solid = tr("V, the velocity") if opt in ("momentum", "nag") else tr("Δw, the step taken")
        return tr("Map arrows at the last update's start: dashed = −∇f (direction only), solid = {solid}.").format(
            solid=solid
        )

    def _render_arrows(self) -> None:
        track = self.tracks.get(self.selected)
        point = track.last if track is not None else None
        snapshot = point.state if point is not None else None
        if self.arrows_box.isChecked() and point is not None and track.n >= 2 and not track.message:
            origin = track.pos[track.n - 2]
            grad = np.asarray(point.grad, dtype=float)
            vel = snapshot.get("velocity") if snapshot else None
            step = vel if vel is not None else point.update
            self.view.set_arrows(origin, -grad, step)
        else:
            self.view.set_arrows(None)

    def _on_surface_image(self, img) -> None:
        s = self.surface
        self.view.set_surface(img, s.bounds, s.minima, s.formula)
        self._image_ready = True
        self.mark_ready()

    # ---- settings ----------------------------------------------------------------------------------
    def save_settings(self, settings: QSettings) -> None:
        state = {
            "surface": self.surface_name, "start": list(self.start), "enabled": self.enabled,
            "hyper": self.hyper, "selected": self.selected, "speed": self.speed.value(),
            "batch": self.batch_size, "arrows": self.arrows_box.isChecked(),
        }
        settings.setValue("state", json.dumps(state))

    def restore_settings(self, settings: QSettings) -> None:
        try:
            state = json.loads(settings.value("state", "") or "{}")
            hyper = state.get("hyper")
            if isinstance(hyper, list) and len(hyper) == len(LANES):
                for lane, h in enumerate(hyper):
                    defaults = self.entries[LANES[lane][2]].extra["defaults"]
                    self.hyper[lane] = {k: float(h.get(k, v)) for k, v in defaults.items()}
            enabled = state.get("enabled")
            if isinstance(enabled, list) and len(enabled) == len(LANES):
                self.enabled = [bool(v) for v in enabled]
                for lane, on in enumerate(self.enabled):
                    self.table.set_checked(lane, on)
            self.speed.setValue(float(state.get("speed", self.speed.value())))
            self.batch.setValue(float(state.get("batch", self.batch_size)))
            self.arrows_box.setChecked(bool(state.get("arrows", True)))
            self.select_lane(int(state.get("selected", self.selected)))
            name = state.get("surface") or DEFAULT_SURFACE
            start = state.get("start")
            self.surface_name = ""
            self.set_surface(name, start if isinstance(start, list) and len(start) == 2 else None)
        except (ValueError, TypeError, KeyError) as exc:
            self.show_error(tr("Could not restore the optimizer panel's settings: {error}").format(error=exc))
