"""Drawing the Training panel: curves and status at a paced rate, the views one at a time.

While playing, the curves are drawn at most as often as ``app.models.training.DrawClock``
allows (≤ 10 times a second, fewer when drawing would take more than its budget of the GUI
thread); each heavier view (boundary/mosaic, bands, histograms) is drawn in its own event-loop
pass so no single pass stalls the window, and the trainer waits between two steps while a draw
is painted (cheaper for both than fighting over the GIL).
"""

from __future__ import annotations

import collections

from PySide6.QtCore import QTimer

from app.i18n import tr
from app.models.training import QUANTITIES
from app.panels.training.boundary_pair import readout_text
from app.stop_text import stop_text
from app.widgets import palette, plots
from engine.training import HISTORY_KEYS

CHUNK_GAP_MS = 12  # while playing, the views are drawn one at a time this far apart


def steady_range(current, lo: float, hi: float) -> tuple[float, float]:
    """A rounded axis range for data in [lo, hi] that stays ``current`` while the data fits it
    and fills at least half of it: a range that follows every update re-lays out the axes."""
    if current is not None:
        c0, c1 = current
        if c0 <= lo and hi <= c1 and (hi - lo) >= 0.5 * (c1 - c0):
            return current
    return plots.nice_limits(lo, hi, pad=0.02)


class TrainingDrawing:
    """Mixin of ``TrainingPanel``: drawing what the run produced (see the module docstring)."""

    def _schedule_draw(self) -> None:
        wait = self.clock.wait()
        if wait <= 0:
            self._draw(views=self._views_dirty)
        elif not self._draw_pending:
            self._draw_pending = True
            self._draw_later.request(max(1, int(wait * 1000)))

    def _draw_if_pending(self) -> None:
        if self._draw_pending and not self._shut_down:
            self._draw(views=self._views_dirty)

    def series(self) -> dict:
        """The trainer's bounded history: key → ``(steps, values)`` copies."""
        run = self.model.run
        if run is None:
            return {}
        return {key: run.trainer.history[key].snapshot() for key in HISTORY_KEYS}

    def _draw(self, views: bool = False) -> None:
        """Curves and status now; with ``views`` also boundary/mosaic, bands and histograms.

        While playing, each view is drawn in its own later pass of the event loop
        (``CHUNK_GAP_MS`` apart, so it is painted on its own): one pass painting everything
        would stall the GUI for the sum of them all (~100 ms on a busy 2-core machine).
        """
        self._draw_pending = False
        self.control.views_s = self.clock.drew(max_speed=not self.control.rate)
        self.draws += 1
        self._hold_trainer()
        self._draw_now(views)

    def _draw_now(self, views: bool) -> None:
        run = self.model.run
        if run is None:
            return
        state = self.model.state
        self.curves.update_curves(self.series(), run.trainer.steps_per_epoch, state.smoothing,
                                  state.x_unit == "epoch")
        self.lr_curve.show_run(run.trainer, state.x_unit == "epoch")
        self._draw_status()
        playing = self.stepper.playing
        if views:
            self._views_dirty = False
            chunks = [self._draw_prediction, self._draw_bands, self._draw_histograms]
            if playing:
                self._chunks = collections.deque(chunks)
                self._chunk_later.request(CHUNK_GAP_MS)
            else:
                self._chunks.clear()
                for chunk in chunks:
                    chunk()

    def _hold_trainer(self) -> None:
        """Pause the trainer (between two steps) until this draw has been painted."""
        if not self.stepper.playing:
            return
        control = self.control
        control.may_run.clear()
        # a zero timer is a posted event: it runs after the layout and paint events the draw posted
        QTimer.singleShot(0, lambda: QTimer.singleShot(0, control.may_run.set))

    def _next_chunk(self) -> None:
        """Draw and paint one view, then let other events in before the next (see ``_draw``)."""
        if self._shut_down or not self._chunks:
            return
        self._hold_trainer()
        self._chunks.popleft()()  # painted in the event loop's next pass, on its own
        if self._chunks:
            self._chunk_later.request(CHUNK_GAP_MS)

    def _draw_prediction(self) -> None:
        if self._grid is not None:
            self.boundary.set_grid(self._grid)
            self._grid = None
        if self._predictions is not None:
            self.mosaic.set_predictions(self._predictions)
            self._predictions = None
        if self._partner is not None:
            text = readout_text(self.model.run.settings.activation, self.model.state.compare, self._partner)
            self.boundary_pair.set_view(self._partner, text)
            self._partner = None
        if self._zeros is not None:
            exact, small, total = self._zeros
            self.weights_label.setText(tr("Weights: {exact} of {total} exactly 0, {small} with |w| < 1e-3").format(
                exact=exact, total=total, small=small))
            self._zeros = None

    def _draw_bands(self) -> None:
        self.bands.redraw(self.model.x_scale())

    def _draw_histograms(self) -> None:
        key = self.model.state.quantity
        stats = self._stats
        if not stats:
            self.histograms.clear_series(0)
            self.layer_note.setText(tr("statistics of the last mini-batch appear after the first step"))
            return
        hists = [item["histograms"].get(key) for item in stats]
        if any(h is None for h in hists):
            self.histograms.clear_series(0)
            return
        lo = min(float(edges[0]) for _c, edges in hists)
        hi = max(float(edges[-1]) for _c, edges in hists)
        self._hist_range = steady_range(self._hist_range, lo, hi)
        self.histograms.set_x_range(*self._hist_range)
        self.histograms.set_histograms(hists, series=0)
        texts = []
        compact = len(stats) > 4  # narrow plots: only the number that tells the story
        for item in stats:
            s = item[key]
            warning = ""
            if key == "activation":
                if s["share_saturated"] is not None:
                    warning = tr("sat {share}%").format(share=f"{100 * s['share_saturated']:.0f}")
                elif item.get("dead_share") is not None:
                    warning = tr("dead {share}%").format(share=f"{100 * item['dead_share']:.0f}")
            spread = f"μ {s['mean']:.3g}  σ {s['std']:.3g}".replace("-", "−")
            texts.append((warning or f"σ {s['std']:.3g}") if compact else f"{spread}  {warning}".strip())
        self.histograms.set_texts(texts, series=0)
        self.layer_note.setText(tr("{quantity}: percentile bands over training (top), "
                                   "last mini-batch histogram (bottom)").format(quantity=tr(QUANTITIES[key])))

    def _draw_status(self) -> None:
        trainer = self.model.run.trainer
        if len(self._speed) >= 2:
            (t0, s0), (t1, s1) = self._speed[0], self._speed[-1]
            if t1 > t0:
                self.steps_per_sec = (s1 - s0) / (t1 - t0)
        epochs = f"/{trainer.epochs}" if trainer.epochs else ""
        parts = [tr("step {n}").format(n=trainer.step_count),
                 tr("epoch {n}").format(n=f"{min(trainer.epoch, trainer.epochs or trainer.epoch)}{epochs}")]
        if self.stepper.playing and self.steps_per_sec > 0:
            parts.append(tr("{rate} steps/s").format(rate=f"{self.steps_per_sec:,.0f}"))
        color = None
        if trainer.status == "diverged":
            parts = [tr("diverged at step {step}").format(step=trainer.diverged_at)]  # the full reason in the tooltip
            color = palette.ERROR_FG
        elif trainer.status == "finished":
            parts.append(tr("finished"))
        self.status_label.setText(" · ".join(parts))
        # style and tooltip only when they change: setting a style sheet re-polishes the label and
        # re-lays out the panel, which repaints every plot in it
        tip = stop_text(trainer.stop_reason) or tr("Training progress")
        if self.status_label.toolTip() != tip:
            self.status_label.setToolTip(tip)
        style = f"color: {color}; font-weight: bold" if color else ""
        if self.status_label.styleSheet() != style:
            self.status_label.setStyleSheet(style)
