"""Draws the Optimizers panel's model: paths and arrows on the map, loss curves, table, read-out.

``RaceDrawing.render()`` pushes the model's tracks into items made once (``setData`` only). While
the race plays the map is drawn first and the side (loss plot, table, read-out) on the next turn
of the event loop: Qt paints each half separately, so the GUI thread is never blocked for a
whole frame at once. Colours are read from ``palette`` when drawing.
"""

from __future__ import annotations

import time

import numpy as np

from app.i18n import tr, tr_message
from app.models.optimizers import KEYS, LANES, MAX_STEPS, OptimizersModel, short_message
from app.panels.optimizers.readout import NOTES
from app.pacing import Coalescer
from app.widgets import palette

FRAME_MS = 16
READOUT_INTERVAL_S = 0.25  # the read-out's rich text (~6 ms a layout) at most 4 times a second


def lane_colors() -> list[str]:
    """The colour of each lane (read when drawing: the series' black follows the theme)."""
    return [palette.series_color(i) for i in range(len(LANES))]


class RaceDrawing:
    """Draws ``model`` into the panel's views; ``playing()`` says whether frames are racing."""

    def __init__(self, model: OptimizersModel, view, loss_plot, table, readout, status_label, playing):
        self.model = model
        self.view, self.loss_plot, self.table, self.readout = view, loss_plot, table, readout
        self.status_label = status_label
        self.playing = playing
        self.frame = Coalescer(self._render_if_pending, FRAME_MS // 2)  # many updates, one draw
        self.side = Coalescer(self.render_side, 0)  # the side's half of a frame, next loop turn
        self.pacers = (self.frame, self.side)  # the panel registers these (Panel.add_pacer)
        self._readout_time = 0.0
        self.closed = False

    # ---- scheduling --------------------------------------------------------------------------
    def schedule(self) -> None:
        """Draw on the next frame (many updates arriving in one frame draw once)."""
        self.frame.request()

    @property
    def pending(self) -> bool:
        return self.frame.pending

    def _render_if_pending(self) -> None:
        if not self.closed:
            self.render()

    def new_race(self) -> None:
        """A new race: lanes, colours and the loss axis from the model's state."""
        m = self.model
        colors = lane_colors()
        lanes = [(tr(label), colors[i], m.state.lane(key).enabled) for i, (key, label, *_r) in enumerate(LANES)]
        self.view.set_lanes(lanes)
        self.loss_plot.set_lanes(lanes)
        fmin = m.minimum_loss()
        self.loss_plot.set_scale(fmin is not None, fmin or 0.0)

    def recolour(self) -> None:
        """A theme switch: the lanes' colours again, and every path and curve redrawn with them."""
        self.new_race()
        for track in self.model.tracks.values():
            track.drawn, track.plotted = None, 0
        self.render()

    # ---- drawing -----------------------------------------------------------------------------
    def render(self) -> None:
        self.frame.cancel()
        for key, track in self.model.tracks.items():
            message = tr_message(track.message) if track.message else ""
            if track.drawn != (track.n, message):  # a stopped path costs nothing
                track.drawn = (track.n, message)
                self.view.set_path(KEYS.index(key), track.path, short_message(message), track.stop_xy)
        self.view.commit_heads()
        self.render_arrows()
        if self.playing():
            self.side.request()
        else:
            self.render_side()

    def render_side(self) -> None:
        self.side.cancel()
        if self.closed:
            return
        m = self.model
        for lane, key in enumerate(KEYS):
            track = m.tracks.get(key)
            text = m.settings_text(key)
            if m.full_batch(key):
                text += "  · " + tr("full batch")  # the others use the toolbar's batch size
            self.table.set_cell(lane, 1, text)
            if track is None:
                self.table.set_cell(lane, 2, "—")
                self.table.set_cell(lane, 3, "")
                continue
            if track.plotted != track.n:
                track.plotted = track.n
                self.loss_plot.set_curve(lane, track.loss[:track.n])
            message = tr_message(track.message) if track.message else ""
            state = short_message(message) or tr("step {n}").format(n=track.n - 1)
            self.table.set_cell(lane, 2, state, stopped=bool(message), tip=message)
            self.table.set_cell(lane, 3, f"{track.loss[track.n - 1]:.4g}".replace("-", "−"))
        self.loss_plot.commit()
        now = time.perf_counter()
        if not self.playing() or now - self._readout_time > READOUT_INTERVAL_S:
            self._readout_time = now  # rich-text layout: see READOUT_INTERVAL_S
            self.render_readout()
        parts = [tr("step {n}").format(n=m.steps), tr("{n} racing").format(n=len(m.active))]
        if m.finished:
            parts.append(self.finished_text())
        self.status_label.setText(" · ".join(parts))

    def finished_text(self) -> str:
        if self.model.finished == "stopped":
            return tr("all stopped")
        return tr("{limit}-step limit").format(limit=MAX_STEPS) if self.model.finished else ""

    def render_readout(self) -> None:
        m = self.model
        key = m.state.selected
        lane = KEYS.index(key)
        _k, label, opt, minibatch, _tip = LANES[lane]
        formula, torch_formula = m.rule(key)
        track = m.tracks.get(key)
        point = track.last if track is not None else None
        enabled = m.state.lane(key).enabled
        context = "" if enabled else tr("Not racing: tick it in the table to add it.")
        if m.surface.stochastic and enabled:
            n = getattr(m.surface, "n_samples", 0)
            context = (tr("g from a mini-batch of {batch} of {n} samples").format(batch=m.batch_size(), n=n)
                       if minibatch else tr("g from the full batch of {n} samples").format(n=n))
        self.readout.show_update(
            name=key if key in NOTES else opt, label=tr(label), color=lane_colors()[lane], formula=formula,
            torch_formula=torch_formula,
            snapshot=point.state if point is not None else None,
            status=tr_message(track.message) if track is not None and track.message else "", context=context,
            footnote=self.arrows_note(opt) if m.state.arrows else "")

    @staticmethod
    def arrows_note(opt: str) -> str:
        solid = tr("V, the velocity") if opt in ("momentum", "nag") else tr("Δw, the step taken")
        return tr("Map arrows at the last update's start: dashed = −∇f (direction only), solid = {solid}.").format(
            solid=solid
        )

    def render_arrows(self) -> None:
        m = self.model
        track = m.tracks.get(m.state.selected)
        point = track.last if track is not None else None
        snapshot = point.state if point is not None else None
        if m.state.arrows and point is not None and track.n >= 2 and not track.message:
            origin = track.pos[track.n - 2]
            grad = np.asarray(point.grad, dtype=float)
            vel = snapshot.get("velocity") if snapshot else None
            step = vel if vel is not None else point.update
            self.view.set_arrows(origin, -grad, step)
        else:
            self.view.set_arrows(None)
