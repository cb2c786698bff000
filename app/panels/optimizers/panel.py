"""The Optimizer panel (lecture part 2): optimizers racing on a loss surface, one update at a time.

The settings and the race's bookkeeping live in ``self.model`` (``app.models.optimizers``):
controls change the model's ``State``, every change restarts the race from the start point,
and ``RaceDrawing`` (``drawing.py``) draws the model.

Threads: the surface image (grid + contour lines) is computed on the "surface" channel (latest
wins: flipping through surfaces never queues work). The race lives entirely in the stepper's
worker thread: ``race_steps`` builds it there and yields copies, the GUI thread only records
them in the model and calls ``setData`` on items made once. Pull-based stepping means a slow
frame lowers the rate instead of queueing steps; ``Pacer`` asks for what is owed.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.i18n import tr
from app.models.optimizers import KEYS, LANES, MAX_STEPS, OptimizersModel, State
from app.models.pacing import Pacer
from app.panels.base import Panel
from app.panels.optimizers.drawing import FRAME_MS, RaceDrawing, lane_colors
from app.panels.optimizers.layout import OptimizersLayout
from app.widgets import palette
from app.widgets.plots import configure
from app.widgets.surface_levels import surface_image
from app.pacing import Stepper
from engine import optimizers, surfaces

MAX_REPLAY = 1000  # a paused race restarted by a new setting is replayed up to this step


def surface_picture(surface, n: int):
    """Worker: the surface's grid, colours and contour lines."""
    xs, ys, Z = surface.grid(n)
    return surface_image(xs, ys, Z, surface.log_colors)


class OptimizersPanel(OptimizersLayout, Panel):
    """Optimizers racing on a loss surface (see the module docstring)."""

    panel_id = "optimizers"
    title = "Optimizers"
    description = "SGD, Momentum, NAG, AdaGrad, RMSProp and Adam racing on loss surfaces"

    def __init__(self, parent: QWidget | None = None, grid_size: int = 300):
        super().__init__(parent)
        configure()
        self.grid_size = int(grid_size)
        self.model = OptimizersModel()
        self.image_ready = False
        self.image_surface = ""  # the surface whose image is shown or on its way
        self.replay_left = 0
        self._replay_goal = 0
        self.pacer = Pacer(self.model.state.speed, FRAME_MS)
        self._build_ui()
        self.drawing = RaceDrawing(self.model, self.view, self.loss_plot, self.table, self.readout,
                                   self.status_label, self.is_playing)
        for pacer in self.drawing.pacers:
            self.add_pacer(pacer)
        self.stepper = self.add_stepper(Stepper(self.model.new_race(), interval_ms=FRAME_MS))
        self.stepper.stepped.connect(self._on_step)
        self.stepper.exhausted.connect(self._finish)
        self.stepper.playingChanged.connect(self._on_playing_changed)
        self.apply_state(self.model.state)
        self._on_theme(palette.is_dark())
        palette.signals.changed.connect(self._on_theme)

    def _on_theme(self, _dark: bool) -> None:
        """Colours are read when drawing: recolour what holds one (the series' black is grey in dark)."""
        self.formula_label.setStyleSheet(f"color: {palette.MUTED}")
        self.table.set_colors(lane_colors())
        lane = KEYS.index(self.model.state.selected)
        self.editor.set_lane(tr(LANES[lane][1]), lane_colors()[lane], self.model.state.hyper(self.model.state.selected))
        self.drawing.recolour()

    # ---- global actions ------------------------------------------------------------------------------
    def play_pause(self) -> None:
        if self.stepper.playing:
            self.stepper.pause()
            return
        if not self.model.active:
            self.statusMessage.emit(tr("Tick at least one optimizer in the table to race"))
            return
        if self.model.over():
            self._restart(replay=False)  # a finished race plays again from its start
        self.stepper.play()

    def is_playing(self) -> bool:
        return self.stepper.playing

    def step(self) -> None:
        """Exactly one update of every running path (pauses a running animation first)."""
        self.stepper.pause()
        if self.model.over():
            return
        self.stepper.step(1)

    def reset(self) -> None:
        """Back to the start point at step 0 (every control keeps its value)."""
        self._restart(keep_playing=False, replay=False)

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        self.drawing.closed = True
        return super().shutdown(timeout_ms)

    # ---- state -----------------------------------------------------------------------------------------
    def state(self) -> State:
        return self.model.state

    def apply_state(self, state: State) -> None:
        """Show ``state`` and start its race at step 0."""
        self.model.set_state(state)
        self._show_state()
        self._restart(replay=False)

    def _show_state(self) -> None:
        """Every control shows the model's state (no signal feeds back); a new surface is drawn."""
        s, m = self.model.state, self.model
        for w in (self.surface_combo, self.speed, self.batch, self.arrows_box):
            w.blockSignals(True)
        self.surface_combo.setCurrentIndex(self.surface_combo.findData(s.surface))
        n = getattr(m.surface, "n_samples", None)
        self.batch.setEnabled(bool(m.surface.stochastic))
        if n:
            self.batch.setRange(1, n)
        self.batch.setValue(m.batch_size())
        self.speed.setValue(s.speed)
        self.arrows_box.setChecked(s.arrows)
        for w in (self.surface_combo, self.speed, self.batch, self.arrows_box):
            w.blockSignals(False)
        for lane, key in enumerate(KEYS):
            self.table.set_checked(lane, s.lane(key).enabled)
        lane = KEYS.index(s.selected)
        if self.table.currentRow() != lane:
            self.table.blockSignals(True)
            self.table.selectRow(lane)
            self.table.blockSignals(False)
        self.editor.set_lane(tr(LANES[lane][1]), lane_colors()[lane], s.hyper(s.selected))
        self.schedule_box.show_lane(s.lane(s.selected).schedule)
        self.pacer.rate = s.speed
        self.stepper.set_interval(max(FRAME_MS, round(1000.0 / s.speed)))
        self.stepper.set_batch(self.pacer.reset())
        self.view.set_start(*m.start)
        self.plot_tabs.refresh(s, m.start)
        if self.image_surface != s.surface:
            self.image_surface = s.surface
            self.image_ready = False
            self.view.value_at = m.surface.value  # the hover read-out (pure, cheap)
            entry = surfaces.REGISTRY.entry(s.surface)
            self.formula_label.setText(tr(entry.description) or m.surface.formula)
            self.formula_label.setToolTip(f"{m.surface.formula}\n{tr(entry.description)}")
            self.channel("surface").submit(surface_picture, m.surface, self.grid_size, on_return=self._on_surface_image)

    def _change(self, restart: bool = True, **changes) -> None:
        """A control changed the model's state: show it, and restart the race if asked."""
        self.model.set_state(self.model.state.replace(**changes))
        self._show_state()
        if restart:
            self._restart()
        else:
            self.drawing.render()

    # ---- controls ------------------------------------------------------------------------------------
    def set_surface(self, name: str, start=None) -> None:
        """Race on surface ``name`` (from its default start unless ``start`` is given).

        The data surface brings GD in: the full-batch reference of the mini-batch lanes.
        """
        name = surfaces.REGISTRY.canonical(name)
        changes = {"surface": name, "start": None if start is None else tuple(float(v) for v in start)}
        if surfaces.get(name).stochastic and not self.model.state.lanes.gd.enabled:
            self.model.set_state(self.model.state.with_lane("gd", enabled=True))
            changes["selected"] = "gd"
        self._change(**changes)

    def set_start(self, x: float, y: float, final: bool = True) -> None:
        """New start point (a click or drag on the map): every path restarts from it."""
        self._change(start=(float(x), float(y)))

    def set_lane_enabled(self, lane: int, on: bool, restart: bool = True) -> None:
        """Tick lane ``lane`` in or out of the race (a ticked lane is selected)."""
        state = self.model.state.with_lane(KEYS[lane], enabled=bool(on))
        self.model.set_state(state.replace(selected=KEYS[lane]) if on else state)
        self._show_state()
        if restart:
            self._restart()

    def select_lane(self, lane: int) -> None:
        """Show lane ``lane`` in the editor and the read-out (the race goes on)."""
        if 0 <= lane < len(LANES):
            self._change(restart=False, selected=KEYS[lane])

    def set_hyper(self, lane: int, hyper: dict) -> None:
        """Change lane ``lane``'s hyperparameters; the race restarts (the engine validates)."""
        key = KEYS[lane]
        merged = {**self.model.state.hyper(key), **{k: float(v) for k, v in hyper.items()}}
        try:
            optimizers.get(LANES[lane][2], **merged)
            state = self.model.state.with_lane(key, **merged)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.clear_error()
        self.model.set_state(state)
        self._show_state()
        self._restart()

    def set_schedule(self, name: str, params: dict) -> None:
        """The selected lane's learning-rate schedule (validated by the engine); the race restarts."""
        key = self.model.state.selected
        try:
            state = self.model.state.merged({"lanes": {key: {"schedule": {"name": name, **params}}}})
            state.schedule(key)
        except ValueError as exc:
            self.show_error(str(exc))
            self._show_state()
            return
        self.clear_error()
        self._change(lanes=state.lanes)

    def _restore_defaults(self) -> None:
        key = self.model.state.selected
        defaults = type(self.model.state.lane(key))().to_dict()
        self.set_hyper(KEYS.index(key), {k: v for k, v in defaults.items() if k != "enabled"})

    def set_speed(self, steps_per_s: float) -> None:
        """Updates per second while playing: one per tick up to 60/s, then several per frame."""
        self._change(restart=False, speed=max(1.0, float(steps_per_s)))

    def set_batch_size(self, size: float) -> None:
        self._change(restart=bool(self.model.surface.stochastic), batch=max(1, int(round(size))))

    def book_preset(self) -> None:
        """The book's race: x²/20 + y² from (−7, 2), SGD 0.95, Momentum 0.1, AdaGrad 1.5, Adam 0.3."""
        defaults = State()
        self.model.set_state(self.model.state.replace(
            surface=defaults.surface, start=None, lanes=defaults.lanes, selected=defaults.selected))
        self._show_state()
        self._restart()

    # ---- the race --------------------------------------------------------------------------------
    def _restart(self, keep_playing: bool = True, replay: bool = True) -> None:
        """Drop the race and every path, and start over from the start point with the state.

        A playing race plays on from step 0. A paused one that had advanced is replayed to the
        same step count (up to ``MAX_REPLAY``): dragging the start, or a hyperparameter, then
        reshapes whole paths live, and the count the student was looking at stays.
        """
        playing = keep_playing and self.stepper.playing
        shown = self._replay_goal if self.replay_left > 0 else self.step_count  # mid-drag
        target = 0 if (playing or not replay) else min(shown, MAX_REPLAY)
        self.replay_left, self._replay_goal = 0, target
        self.stepper.reset(self.model.new_race())
        self.step_count = 0
        self.drawing.new_race()
        self.drawing.render()
        self.schedule_box.refresh(self.model, lane_colors())
        if playing:
            self.stepper.play()
        elif target and self.model.active:
            self.replay_left = target
            self.stepper.step(target)

    def _on_step(self, value) -> None:
        over = self.model.accept(value)
        self.mark_stepped()
        self.schedule_box.follow(self.model, lane_colors(), busy=self.stepper.playing or self.replay_left > 1)
        if over:
            self._finish()  # the generator only ends on the next pull: decide here
            return
        if self.replay_left > 0:
            self.replay_left -= 1
            if self.replay_left:
                self.drawing.schedule()  # draw a replay once, not once per step
                return
        if self.stepper.playing:
            self.stepper.set_batch(self.pacer.tick())
            self.drawing.schedule()
        else:
            self.drawing.render()

    def _finish(self) -> None:
        """The race is over (every path stopped, or the step limit): pause and say so."""
        self.replay_left = 0
        self.stepper.pause()
        self.schedule_box.refresh(self.model, lane_colors())
        if self.model.finished != "stopped":
            self.model.finished = "limit"
            self.statusMessage.emit(tr("The race stops after {limit} steps: Reset to race again").format(limit=MAX_STEPS))
        else:
            self.statusMessage.emit("Every path has stopped: move the start or change a setting")
        self.drawing.render()

    def _on_playing_changed(self, playing: bool) -> None:
        self.stepper.set_batch(self.pacer.reset())
        if not playing:
            self.drawing.render()  # the read-out skipped frames while playing
        self.play_button.setText(tr("❚❚ &Pause") if playing else tr("▶ &Play"))
        self.play_button.setToolTip((tr("Pause") if playing else tr("Animate every path in lock-step")) + " (Space)")

    def _on_surface_image(self, img) -> None:
        s = self.model.surface
        self.view.set_surface(img, s.bounds, s.minima, s.formula)
        self.image_ready = True
        self.mark_ready()
