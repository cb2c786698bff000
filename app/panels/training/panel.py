"""The Training panel: a small network trained live, with the views that show *why* it learns or not.

Left, the controls: data (2-D toy sets, synthetic digits, real MNIST / Fashion-MNIST opened from
disk or found in the Keras/torchvision caches) and the run (layers, activation, init, batch
norm, dropout, L2/L1, optimizer, batch size, epochs, seed). Changing any of them starts the run
over (``engine.training_setup`` builds it, so the same settings always give the same curves).
Right: the decision boundary under the data (2-D sets) or test images with their predicted
class, loss and accuracy per step and per epoch with the train/test gap shaded, and per-layer
distributions over time (percentile bands) above the current histograms.

The settings and the run live in ``app.models.training`` (``TrainingModel``): the controls
write the model's ``State``, and the panel builds runs from it and shows what they produce.

Threads. The trainer lives in a ``Stepper``'s worker: each pull runs training steps for one
frame and yields a ``Frame`` (``app.models.training.train_frames``); the panel asks for the
next frame as soon as one arrives, so the trainer never waits for the GUI. The heavy views
(``layer_stats``, ``decision_grid``, sample predictions, percentile history) are computed in
the same worker, at most as often as they are drawn. The GUI thread only copies the bounded
histories and calls ``setData`` (``drawing.TrainingDrawing``), paced by a ``DrawClock``.
Building a run (making the data takes a second for digits, loading MNIST longer) goes through
the "build" and "load" channels; a failure leaves the previous run as it was.
"""

from __future__ import annotations

import collections
import time
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from app.i18n import tr
from app.models.training import (
    SOURCE_DEFAULTS,
    Control,
    DataState,
    DrawClock,
    Frame,
    NetworkState,
    Run,
    State,
    TrainingModel,
    build_run,
    preset_state,
    train_frames,
)
from app.panels.base import Panel
from app.panels.training.draw_points import DrawnPoints
from app.panels.training.drawing import TrainingDrawing
from app.panels.training.layout import TrainingLayout
from app.stop_text import stop_text
from app.widgets import plots
from app.pacing import Coalescer, Stepper
from app.workers import DEFAULT_TIMEOUT_MS
from engine import csv_data, mnist_io
from engine.training_setup import DataSpec, RunSettings, load_data_file

FRAME_MS = 50  # the stepper's fallback tick; frames normally chain (see module docstring)


class TrainingPanel(TrainingLayout, TrainingDrawing, DrawnPoints, Panel):
    """A network trained live (see the module docstring)."""

    panel_id = "training"
    title = "Training"
    description = "Train a small network live: boundary, loss/accuracy, train/test gap, layer distributions"

    def __init__(self, parent: QWidget | None = None, find_cached: bool = True):
        super().__init__(parent)
        plots.configure()
        self.model = TrainingModel()
        self.control = Control(self.model.rate())
        self.clock = DrawClock()
        self._resume = False
        self._draw_pending = False
        self._views_dirty = False
        self._stats: list | None = None
        self._hist_range = None
        self._chunks: collections.deque = collections.deque()  # views still to draw this round
        self._grid: dict | None = None  # the newest decision grid, not drawn yet
        self._predictions = None  # likewise the mosaic's predictions
        self._partner: dict | None = None  # and the comparison's view (app.models.training_pair)
        self._zeros: tuple | None = None  # likewise the weights' zero counts
        self._speed = collections.deque(maxlen=40)  # (time, step) while playing
        self.steps_per_sec = 0.0
        self.worker_busy_s = 0.0  # worker time of all frames (benchmark read-out)
        self.views_busy_s = 0.0  # of which computing the monitor's views
        self.views_count = 0
        self.frames = 0
        self.draws = 0  # curve redraws (benchmark read-out)
        # one pacer each, made once: a QTimer.singleShot per frame left ~60 bytes behind each time
        self._draw_later = self.add_pacer(Coalescer(self._draw_if_pending))
        self._chunk_later = self.add_pacer(Coalescer(self._next_chunk))
        self._build_ui()
        self.stepper = self.add_stepper(Stepper(self._make_gen, interval_ms=FRAME_MS))
        self.stepper.stepped.connect(self._on_frame)
        self.stepper.exhausted.connect(self._on_exhausted)
        self.stepper.playingChanged.connect(self._on_playing_changed)
        if find_cached:
            for found in mnist_io.find_cached_datasets():
                self.chooser.add_file(found.name, str(found.path))
        self._show_state(self.model.state)
        self._rebuild(keep_playing=False)

    # ---- state ------------------------------------------------------------------------------------------
    def state(self) -> State:
        return self.model.state

    def apply_state(self, state: State) -> None:
        """Show ``state``; a new data set or network starts the run over."""
        old = self.model.state
        self.model.state = state
        self._show_state(state)
        if (state.data != old.data or state.network != old.network or state.compare != old.compare
                or self.model.run is None):
            self.clear_error()
            self._start(keep_playing=True)
        else:
            self._draw(views=True)

    def _set(self, **changes) -> None:
        """A view control changed: record it in the model (nothing restarts)."""
        self.model.state = self.model.state.replace(**changes)
        self.control.rate = self.model.rate()
        self.speed.setEnabled(not self.model.state.max_speed)

    # ---- global actions ------------------------------------------------------------------------------
    def is_playing(self) -> bool:
        return self.stepper.playing

    def play_pause(self) -> None:
        """Start or pause training; a finished or diverged run starts over."""
        if self.stepper.playing:
            self._pause()
            return
        run = self.model.run
        if run is None or self.is_busy():
            self._resume = True  # starts as soon as the run is built
            return
        if run.trainer.done:
            self._resume = True
            self._rebuild()
            return
        self.control.playing = True
        self.stepper.play()

    def _pause(self) -> None:
        self.control.playing = False
        self.stepper.pause()

    def step(self) -> None:
        """Train on exactly one mini-batch (pauses first)."""
        self._pause()
        run = self.model.run
        if run is None or self.is_busy():
            return
        if run.trainer.done:
            self.statusMessage.emit(tr("{message}: Reset to train again").format(
                message=stop_text(run.trainer.stop_reason)))
            return
        self.control.add_single()
        self.stepper.step(1)

    def reset(self) -> None:
        """Back to step 0: new weights from the same seed (so the same run again), paused."""
        self._rebuild(keep_playing=False)

    # ---- data and settings --------------------------------------------------------------------------
    def set_spec(self, spec: DataSpec) -> None:
        """Use other data (loads a dataset file first if needed); restarts the run."""
        self.apply_state(self.model.state.replace(data=self._with_points(DataState.of(spec))))

    def set_settings(self, settings: RunSettings) -> None:
        """Use another network/optimizer/run setting; restarts the run."""
        self.apply_state(self.model.state.replace(network=NetworkState.of(settings)))

    def apply_preset(self, name: str | None) -> None:
        """One of ``engine.training_setup.PRESETS`` (data and run together); restarts the run."""
        self.preset.setCurrentIndex(0)
        if name is None:
            return
        self.apply_state(self.model.state.merged(preset_state(name, self.model.state)))

    def open_dataset(self, path) -> None:
        """Load a CSV table or MNIST / Fashion-MNIST from ``path`` in a worker, then train on it.

        On a ``ValueError`` naming line and column (CSV), a ``DatasetError`` (MNIST) or any
        failure the message goes to the banner and the current data and run stay as they were.
        """
        path = str(Path(path).expanduser())
        self.statusMessage.emit(tr("Loading {path} …").format(path=path))
        self.channel("load").submit(load_data_file, path, on_return=lambda ds: self._on_loaded(path, ds),
                                    on_error=self._on_load_error)

    def _on_load_error(self, _message: str) -> None:
        """The banner already shows the message; keep (and show again) the data we had."""
        self.model.building = False
        self.model.state = self.model.built_state()
        self._show_state(self.model.state)

    def open_dataset_dialog(self) -> None:
        """File ▸ Open dataset: a CSV table, an IDX file (raw or .gz), an npz archive, or a folder's file."""
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Open a data set"), str(Path.home()),
            tr("Data sets (*.csv *.tsv *.npz *.gz *-ubyte *idx*);;CSV tables (*.csv *.tsv *.txt);;"
               "MNIST data (*.npz *.gz *-ubyte *idx*);;All files (*)"))
        if path:
            self.open_dataset(path)

    def _on_loaded(self, path: str, ds) -> None:
        self.model.image_sets[path] = ds
        self.chooser.add_file(ds.name, path)
        self.clear_error()
        if isinstance(ds, csv_data.CsvData):
            n_rows = len(ds.y)
            self.statusMessage.emit(tr(
                "Loaded {name}: {rows} rows, {features} features, {classes} classes; features standardised"
            ).format(name=ds.name, rows=n_rows, features=ds.n_features, classes=ds.n_classes))
        else:
            n_rows = len(ds.y_train) + len(ds.y_test)
            self.statusMessage.emit(tr("Loaded {name}: {train} train / {test} test images").format(
                name=ds.name, train=len(ds.y_train), test=len(ds.y_test)))
        data = self.model.state.data
        if not (data.source == "file" and data.name == path):  # opened, not asked for by a state
            size = min(SOURCE_DEFAULTS["file"][0], n_rows)
            data = DataState("file", path, 0.0, max(size, SOURCE_DEFAULTS["file"][1][0]), data.test_ratio)
        self.model.state = self.model.state.replace(data=data)
        self._show_state(self.model.state)
        self._rebuild()

    # ---- building a run --------------------------------------------------------------------------------
    def _start(self, keep_playing: bool) -> None:
        """Build the state's run, loading its data set file first if needed."""
        if self.model.needs_loading():
            self._resume = (self._resume or self.stepper.playing) and keep_playing
            self._halt()
            self.model.building = True
            self.open_dataset(self.model.state.data.name)
            return
        self._rebuild(keep_playing)

    def _halt(self) -> None:
        self.control.halt()
        self.stepper.reset()

    def _rebuild(self, keep_playing: bool = True) -> None:
        """Stop the current run and build a new one from the model's state (worker)."""
        self._resume = (self._resume or self.stepper.playing) if keep_playing else False
        self._halt()
        self.model.building = True
        self.channel("build").submit(build_run, *self.model.build_args(),
                                     on_return=self._install, on_error=self._on_build_error)

    def _on_build_error(self, _message: str) -> None:
        """The banner shows why; go back to the run we had (its data, settings and state)."""
        self._resume = False
        self.model.building = False
        if self.model.run is None:
            return
        self.model.state = self.model.built_state()
        self._show_state(self.model.state)
        self.control = Control(self.model.rate())
        self.stepper.reset(self._make_gen)

    def _install(self, run: Run) -> None:
        self.model.install(run)
        self.control = Control(self.model.rate())
        self.stepper.reset(self._make_gen)
        self.step_count = 0
        self.frames = 0
        self.worker_busy_s = self.views_busy_s = 0.0
        self.views_count = 0
        self._speed.clear()
        self.steps_per_sec = 0.0
        self._stats = None
        self._hist_range = None
        self._grid = self._predictions = self._partner = None
        self._zeros = run.trainer.weight_zeros()
        self._show_run(run)
        self._draw(views=True)
        self.mark_ready()
        if self._resume:
            self._resume = False
            self.control.playing = True
            self.stepper.play()

    def _make_gen(self):
        return train_frames(self.model.run, self.control)

    # ---- frames -------------------------------------------------------------------------------------------
    def _on_frame(self, frame: Frame) -> None:
        if self.stepper.playing and self.control.playing:
            self.stepper.step(1)  # keep one frame in the works: the trainer never waits for the GUI
        self.frames += 1
        self.worker_busy_s += frame.busy_s
        self.views_busy_s += frame.views_s
        self.views_count += frame.stats is not None
        if frame.taken and not frame.single:
            self._speed.append((time.perf_counter(), frame.step))
        if frame.stats is not None:
            self._stats = frame.stats
            self._views_dirty = True
        if frame.grid is not None:
            self._grid = frame.grid
        if frame.predictions is not None:
            self._predictions = frame.predictions
        if frame.partner is not None:
            self._partner = frame.partner
        if frame.zeros is not None:
            self._zeros = frame.zeros
        self.step_count = frame.step
        if frame.single or self.model.run.trainer.done:
            self._draw(views=True)
            self.stepped.emit(self.step_count)
        else:
            self._schedule_draw()

    def _on_exhausted(self) -> None:
        self.control.playing = False
        trainer = self.model.run.trainer
        if trainer.status == "diverged":
            self.curves.mark_divergence(trainer.diverged_at)
            self.statusMessage.emit(tr("{message}; the curves keep the last finite values").format(
                message=stop_text(trainer.stop_reason)))
        elif trainer.stop_reason is not None:
            self.statusMessage.emit(stop_text(trainer.stop_reason))
        self._draw(views=True)

    def _on_playing_changed(self, playing: bool) -> None:
        self.play_button.setText(tr("❚❚ &Pause") if playing else tr("▶ &Train"))
        self.play_button.setToolTip((tr("Pause training") if playing else tr("Train (a finished run starts over)"))
                                    + " (Space)")
        if not playing:
            self._speed.clear()
            self.steps_per_sec = 0.0
            self._schedule_draw()

    # ---- shutdown ---------------------------------------------------------------------------------------
    def shutdown(self, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> bool:
        """Stop training at once (the frame loop checks the stop flag between steps) and join."""
        self.control.halt()
        return super().shutdown(timeout_ms)
