"""The Landscape panel: the loss surface of a real network, with the optimizers' paths on it.

Toy surfaces show the idea; this shows the network itself. Several optimizers train the same
small MLP from the same initial weights on the same mini-batches (``engine.landscape``); the
map is a 2-D slice of the training loss through the **final weights of the reference
optimizer** (the "Centre at" choice, Adam by default), along two directions — the top two
principal directions of the recorded trajectories, or filter-normalised random directions
(Li et al., 2018) — with every recorded trajectory projected onto that plane. The reference
path ends exactly at the centre (the white star); the others end where their own final weights
project, which may lie off the plane: the read-out says how far, and what share of all the
paths' movement the plane holds.

Global actions: **Play** = Compute (or Cancel while computing); **Step** = replay the paths
in tenths of the training (each Step shows one more tenth; after the last, the whole paths
again); **Reset** = every control back to its default, and compute.

The whole computation (training, directions, grid, contour lines) runs on the "landscape"
channel with a progress bar; Cancel aborts it between two chunks. The settings (``State``) and
the computed ``Landscape`` live in ``app.models.landscape``; the controls write the state.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr, tr_message
from app.models.landscape import OPTIMIZERS, LandscapeModel, State
from app.pacing import Throttle
from app.panels.base import Panel
from app.panels.landscape.controls import LandscapeControls
from app.stop_text import stop_text
from app.widgets import palette
from app.widgets.plots import add_legend, configure
from app.widgets.surface_3d import Surface3D
from app.widgets.surface_levels import surface_image
from app.widgets.surface_view import SurfaceView
from engine import optimizers
from engine import landscape as L


def lane_color(name: str) -> str:
    """The optimizer's colour (as its lane in the Optimizer panel), read at draw time."""
    return palette.series_color(OPTIMIZERS.index(name) + 1)


#: The engine's progress messages (``engine.landscape``), shown translated.
PROGRESS_MESSAGES = ("training {label}: step {done} of {total}", "loss on the grid: {done} of {total} points")


def landscape_job(model: LandscapeModel, settings: L.Settings):
    """Worker: the landscape for ``settings`` plus its map picture; yields ``Progress``."""
    result = yield from model.compute(settings)
    sl = result.slice
    image = surface_image(sl.xs, sl.ys, sl.loss, log_colors=True)
    return result, image


class LandscapePanel(Panel):
    """The loss landscape of a small MLP with several optimizers' paths (see the module doc)."""

    panel_id = "landscape"
    title = "Landscape"
    description = "The real network's loss landscape, with SGD, Momentum and Adam paths on it"

    def __init__(self, parent: QWidget | None = None, state: State | None = None):
        super().__init__(parent)
        configure()
        self.model = LandscapeModel(state)
        self.image = None
        # the engine reports progress ~120 times a second: the bar shows the newest ≤ 20 times
        self._progress = None
        self._progress_throttle = self.add_pacer(Throttle(self._show_progress, 50))
        self._build_ui()
        jobs = self.channel("landscape")
        jobs.idle.connect(lambda: self._set_computing(False))
        jobs.errored.connect(lambda _msg: self._set_computing(False))
        self._recolor()
        palette.signals.changed.connect(self._recolor)
        self.apply_state(self.model.state)

    # ---- state ----------------------------------------------------------------------------------------
    def state(self) -> State:
        return self.model.state

    def apply_state(self, state: State) -> None:
        """Show ``state`` and compute its landscape (unless it is the one shown, or computing)."""
        self.model.state = state
        self.controls.show_state(state)
        self.set_3d(state.view_3d)
        if self.model.computed is None or self._computed_part(state) != self._computed_part(self.model.computed):
            self.compute()

    @staticmethod
    def _computed_part(state: State) -> State:
        return state.replace(view_3d=False)

    def _on_edited(self) -> None:
        """A control changed: the model follows (a bad field is reported, the state kept)."""
        try:
            state = self.controls.read(self.model.state)
        except ValueError as exc:
            self.show_error(tr_message(str(exc)))
            return
        self.clear_error()
        self.model.state = state
        self.controls.show_state(state)  # the centre's optimizer stays ticked
        self.set_3d(state.view_3d)

    # ---- UI ------------------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        outer = QHBoxLayout(self.content)
        outer.setContentsMargins(0, 0, 0, 0)
        side = QWidget(self.content)
        side.setFixedWidth(300)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)

        self.controls = LandscapeControls(side)
        self.controls.edited.connect(self._on_edited)
        side_layout.addWidget(self.controls)

        self.compute_button = QPushButton(tr("&Compute"), side)
        self.compute_button.setObjectName("landscapeCompute")
        self.compute_button.setToolTip(tr("Train the optimizers and compute the slice (Space); again to cancel"))
        self.compute_button.clicked.connect(self.play_pause)
        self.progress = QProgressBar(side)
        self.progress.setObjectName("landscapeProgress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress_label = QLabel("", side)
        self.progress_label.setObjectName("landscapeProgressLabel")
        side_layout.addWidget(self.compute_button)
        side_layout.addWidget(self.progress)
        side_layout.addWidget(self.progress_label)
        side_layout.addStretch(1)
        outer.addWidget(side)

        right = QVBoxLayout()
        self.stack = QStackedWidget(self.content)
        self.view = SurfaceView(len(OPTIMIZERS), self.content)
        self.view.setToolTip(tr("Loss on the plane through the centre; coloured lines: the projected paths"))
        self.view.start.setToolTip(tr("The common initial weights, projected"))
        self.view.minima.setToolTip(tr("The centre: the reference optimizer's final weights"))
        self.view.minima.setZValue(12)  # above the path heads: the reference's head sits on it
        self.legend = add_legend(self.view.plot, corner="top-left")
        self.view.set_lanes([(optimizers.REGISTRY.entry(n).display_name, lane_color(n), False)
                             for n in OPTIMIZERS])
        self.stack.addWidget(self.view)
        self.view3d = None  # built when first asked for (it probes OpenGL)
        right.addWidget(self.stack, 1)
        self.info = QLabel(self.content)
        self.info.setObjectName("landscapeInfo")
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        right.addWidget(self.info)
        outer.addLayout(right, 1)

    def _recolor(self, _dark: bool = False) -> None:
        """Axis labels and the muted read-outs follow the theme (``palette.signals.changed``)."""
        self.progress_label.setStyleSheet(f"color: {palette.MUTED}")
        self.view.plot.getAxis("bottom").setLabel(tr("α  (direction 1)"), color=palette.FOREGROUND)
        self.view.plot.getAxis("left").setLabel(tr("β  (direction 2)"), color=palette.FOREGROUND)
        if self.model.result is not None and self.image is not None:
            self._write_info()

    # ---- computing -----------------------------------------------------------------------------------
    def compute(self) -> None:
        """Start a computation with the current controls (replaces a running one)."""
        try:
            self.model.state = self.controls.read(self.model.state)
        except ValueError as exc:
            self.show_error(tr_message(str(exc)))
            return
        self.clear_error()
        self._set_computing(True)
        self._progress = None
        self._progress_throttle.cancel()
        self.progress.setValue(0)
        self.progress_label.setText(tr("starting…"))
        self._started = time.perf_counter()
        state = self.model.state
        self.channel("landscape").submit(landscape_job, self.model, state.settings(), on_yield=self._on_progress,
                                         on_return=lambda value: self._on_result(value, state))

    def cancel(self) -> None:
        """Stop the running computation (the last drawn landscape stays)."""
        if self.computing:
            self.channel("landscape").cancel()
            self._progress = None
            self._progress_throttle.cancel()
            self.progress_label.setText(tr("cancelled"))
            self.statusMessage.emit(tr("Landscape computation cancelled"))

    @property
    def computing(self) -> bool:
        return self.model.computing

    def _set_computing(self, on: bool) -> None:
        if on == self.model.computing:
            return
        self.model.computing = on
        self.compute_button.setText(tr("&Cancel") if on else tr("&Compute"))
        self.playingChanged.emit(on)

    def _on_progress(self, p: L.Progress) -> None:
        self._progress = p
        self._progress_throttle.request()

    def _show_progress(self) -> None:
        p = self._progress
        if p is None:
            return
        self.progress.setValue(int(round(1000 * p.fraction)))
        self.progress_label.setText(tr_message(p.message, PROGRESS_MESSAGES))

    def _on_result(self, value, state: State) -> None:
        result, self.image = value
        self.model.receive(result, state)
        self._progress = None
        self._progress_throttle.cancel()
        self.progress.setValue(1000)
        self.progress_label.setText(tr("done in {total} s (the {n}-point grid: {grid} s)").format(
            total=f"{time.perf_counter() - self._started:.1f}", n=result.slice.loss.size,
            grid=f"{result.slice.seconds:.2f}"))
        self._draw()
        self.mark_ready()

    # ---- drawing -------------------------------------------------------------------------------------
    @property
    def result(self) -> L.Landscape | None:
        return self.model.result

    def _names(self) -> list[str]:
        return [r.optimizer for r in self.result.runs]

    def _draw(self) -> None:
        res, sl = self.result, self.result.slice
        ref = res.runs[res.reference]
        bounds = ((sl.xs[0], sl.xs[-1]), (sl.ys[0], sl.ys[-1]))
        plane = tr("PCA plane") if res.directions == "pca" else tr("random filter-normalised plane")
        title = tr("Training loss around {name}'s final weights · {plane} · holds {share} % of the paths' movement").format(
            name=ref.label, plane=plane, share=f"{100 * res.captured:.0f}")
        self.view.set_surface(self.image, bounds, [(0.0, 0.0)], title, value_name=tr("loss"))
        self.view.value_at = lambda x, y: sl.interpolate([(x, y)])[0]
        self.view.set_start(*res.start)
        self.legend.clear()
        names = self._names()
        self.view.set_lanes([(optimizers.REGISTRY.entry(n).display_name, lane_color(n), n in names)
                             for n in OPTIMIZERS])
        self._draw_paths()
        if self.view3d is not None and self.stack.currentIndex() == 1:
            self._draw_3d()
        self._write_info()

    def _draw_paths(self) -> None:
        res = self.result
        for run, coords in zip(res.runs, res.coords):
            lane = OPTIMIZERS.index(run.optimizer)
            message = tr("diverged") if run.status == "diverged" else ""
            self.view.set_path(lane, self.model.shown(coords), message)
            self.legend.addItem(self.view.slots[lane].curve, run.label)
        self.view.commit_heads()

    def _write_info(self) -> None:
        res = self.result
        rows = []
        for i, (run, off) in enumerate(zip(res.runs, res.off_plane)):
            color = lane_color(run.optimizer)
            where = tr("the centre") if i == res.reference else tr("{distance} off the plane").format(
                distance=f"{off[-1]:.3g}")
            rows.append(f"<span style='color:{color}'>■</span> <b>{run.label}</b> (lr {run.hyper['lr']:g}): "
                        + tr("final loss {loss}, ends at {where}").format(loss=f"{run.losses[-1]:.4g}", where=where)
                        + (f" — {stop_text(run.stop_reason)}" if run.status == "diverged" else ""))
        if res.directions == "pca":
            e = res.explained
            note = tr("Directions: the top two principal directions of all recorded weights minus the centre "
                      "({first} % + {second} %).").format(first=f"{100 * e[0]:.0f}", second=f"{100 * e[1]:.0f}")
        else:
            note = tr("Directions: Gaussian, each unit's weights scaled to that unit's weight norm "
                      "(biases not perturbed). Random planes miss almost all of a path's movement.")
        centre = tr("Loss at the centre {loss}. Square: the common start; star: the centre.").format(
            loss=f"{res.slice.center_loss:.4g}")
        self.info.setText(" &nbsp; ".join(rows) + f"<br><span style='color:{palette.MUTED}'>{note} {centre}</span>")

    # ---- 3-D -------------------------------------------------------------------------------------------
    def set_3d(self, on: bool) -> None:
        """Show the 3-D surface (built on first use; a message where OpenGL is missing)."""
        if on and self.view3d is None:
            self.view3d = Surface3D(self.content)
            self.stack.addWidget(self.view3d)
            if not self.view3d.available:
                self.statusMessage.emit(self.view3d.problem)
        self.stack.setCurrentIndex(1 if on else 0)
        if on and self.result is not None:
            self._draw_3d()

    def _draw_3d(self) -> None:
        sl, res = self.result.slice, self.result
        paths = []
        for run, coords in zip(res.runs, res.coords):
            shown = self.model.shown(coords)
            paths.append((shown, sl.interpolate(shown), lane_color(run.optimizer)))
        self.view3d.set_data(sl.xs, sl.ys, sl.loss, paths)

    # ---- global actions ------------------------------------------------------------------------------
    def play_pause(self) -> None:
        """Compute, or cancel a running computation."""
        if self.computing:
            self.cancel()
        else:
            self.compute()

    def is_playing(self) -> bool:
        return self.computing

    def step(self) -> None:
        """Show one more tenth of every path (after the whole paths: the first tenth again)."""
        if self.result is None:
            self.mark_stepped()
            return
        reveal = self.model.step_reveal()
        self.legend.clear()
        self._draw_paths()
        if self.view3d is not None and self.stack.currentIndex() == 1:
            self._draw_3d()
        self.progress_label.setText(tr("paths: first {share} % of the training").format(share=10 * reveal))
        self.mark_stepped()

    def reset(self) -> None:
        """Every control back to its default, then compute."""
        self.model.computed = None  # compute even if the defaults are what is shown
        self.apply_state(State())
