"""The Training panel: a small network trained live, with the views that show *why* it learns or not.

Left, the controls: data (2-D toy sets, synthetic digits, real MNIST / Fashion-MNIST opened from
disk or found in the Keras/torchvision caches) and the run (layers, activation, init, batch
norm, dropout, L2/L1, optimizer, batch size, epochs, seed). Changing any of them starts the run
over (``engine.training_setup`` builds it, so the same settings always give the same curves).
Right: the decision boundary under the data (2-D sets) or test images with their predicted
class, loss and accuracy per step and per epoch with the train/test gap shaded, and per-layer
distributions over time (percentile bands) above the current histograms.

Threads. The trainer lives in a ``Stepper``'s worker: each pull runs training steps for one
frame (``FRAME_S``, or exactly one step for Step) and yields a ``Frame``; the panel asks for the
next frame as soon as one arrives, so the trainer never waits for the GUI. The heavy views
(``layer_stats``, ``decision_grid``, sample predictions, percentile history) are computed in
the same worker, at most as often as they are drawn. The GUI thread only copies the bounded
histories and calls ``setData``: curves ≤ 10 times a second, fewer when drawing would take more
than ``GUI_BUDGET`` of the GUI thread (its Python work competes with the trainer for the GIL),
each view in its own event-loop pass so no single pass stalls the window, and the trainer waits
between two steps while a draw is painted (cheaper for both than fighting over the GIL).
Building a run (making the data takes a second for digits, loading MNIST longer) goes through
the "build" and "load" channels; a failure leaves the previous run as it was.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr, tr_message
from app.panels.base import Panel
from app.widgets import plots
from app.widgets.layer_histograms import LayerHistogramRow
from app.widgets.palette import ERROR_FG, MUTED
from app.widgets.sliders import LabeledSlider
from app.widgets.training_bands import QUANTITIES, BandHistory, DistributionBands
from app.widgets.training_boundary import DecisionBoundaryView, PredictionMosaic
from app.widgets.training_curves import MetricCurves
from app.widgets.training_form import SOURCE_DEFAULTS, DatasetChooser, NetworkForm
from app.workers import DEFAULT_TIMEOUT_MS, Stepper
from engine import mnist_io
from engine.training import HISTORY_KEYS
from engine.training_setup import PRESETS, DataSpec, RunSettings, make_data, make_trainer

FRAME_MS = 50  # the stepper's fallback tick; frames normally chain (see module docstring)
FRAME_S = 1 / 30  # training time per frame: ≤ 30 frames a second reach the GUI
CHUNK_GAP_MS = 12  # while playing, the views are drawn one at a time this far apart
DRAW_S = 0.1  # while playing the curves are redrawn ≤ 10 times a second ...
MAX_DRAW_S = 0.5  # ... and at least twice a second,
HOLD_MAX_S = 0.2  # longest the trainer waits for a draw (a safety net, draws take ~10 ms)
GUI_BUDGET = 0.35  # ... slower than 10/s if the GUI thread would be busy more than 35 % of the
GUI_BUDGET_MAX_SPEED = 0.10  # time, or 10 % at Max speed: its Python work holds the GIL the
#                              trainer needs, and at Max speed throughput comes first
VIEWS_S = 0.25  # layer statistics, boundary and predictions: ≤ 4 times a second
GRID_N = 80  # decision-boundary resolution
N_SAMPLES = 24  # test images in the prediction mosaic
HIST_BINS = 30
DEFAULT_RATE = 300.0  # steps/s: the default spiral visibly learns in ~10 s


@dataclass
class Frame:
    """What the worker hands the GUI after a frame of training."""

    step: int
    taken: int  # training steps in this frame
    single: bool  # a Step (exactly one mini-batch) rather than playing
    busy_s: float  # worker time spent on the frame
    views_s: float = 0.0  # of which the monitor's views (layer stats, grid, predictions)
    stats: list | None = None  # Trainer.layer_stats()
    grid: dict | None = None  # Trainer.decision_grid()
    predictions: np.ndarray | None = None  # predicted classes of the mosaic's samples


class _Control:
    """Knobs the GUI sets and the worker reads (one per run)."""

    def __init__(self, rate: float | None):
        self.playing = False
        self.rate = rate  # steps/s, None = as fast as possible
        self.views_s = VIEWS_S  # views no more often than the GUI draws them
        self.stop = threading.Event()
        # cleared while the GUI draws: the trainer waits instead of fighting for the GIL (a
        # contended draw costs the GUI thread several times its CPU time and the trainer more)
        self.may_run = threading.Event()
        self.may_run.set()
        self._singles = 0
        self._lock = threading.Lock()

    def add_single(self) -> None:
        with self._lock:
            self._singles += 1

    def take_single(self) -> bool:
        with self._lock:
            if self._singles > 0:
                self._singles -= 1
                return True
            return False


@dataclass
class Run:
    """A built run: its data, trainer and the untrained network's views."""

    spec: DataSpec
    settings: RunSettings
    data: object  # engine.training_setup.TrainingData
    trainer: object  # engine.training.Trainer
    samples: np.ndarray  # indices into the test set shown in the mosaic
    grid: dict | None
    predictions: np.ndarray | None
    bands: BandHistory = dataclasses.field(default_factory=BandHistory)  # filled by the worker


def steady_range(current, lo: float, hi: float) -> tuple[float, float]:
    """A rounded axis range for data in [lo, hi] that stays ``current`` while the data fits it
    and fills at least half of it: a range that follows every update re-lays out the axes."""
    if current is not None:
        c0, c1 = current
        if c0 <= lo and hi <= c1 and (hi - lo) >= 0.5 * (c1 - c0):
            return current
    return plots.nice_limits(lo, hi, pad=0.02)


def monitor_views(trainer, data, samples, stats: bool = True):
    """Worker: ``(layer_stats or None, decision grid or None, predictions or None)``."""
    layer_stats = trainer.layer_stats(bins=HIST_BINS) if stats else None  # before any eval pass
    grid = trainer.decision_grid(data.bounds, GRID_N) if data.is_2d else None
    predictions = None
    if data.image_shape is not None and len(samples):
        # an eval pass: it runs in the training thread, after layer_stats read the training pass
        predictions = np.argmax(trainer.model.predict(data.x_test[samples]), axis=1)
    return layer_stats, grid, predictions


def build_run(spec: DataSpec, settings: RunSettings, image_set=None, cached=None) -> Run:
    """Worker: the data (``cached`` if it was made for ``spec``), a fresh trainer, step-0 views."""
    data = cached if cached is not None else make_data(spec, image_set)
    trainer = make_trainer(data, settings)
    samples = np.arange(min(N_SAMPLES, len(data.y_test))) if data.image_shape is not None else np.empty(0, int)
    _stats, grid, predictions = monitor_views(trainer, data, samples, stats=False)
    return Run(spec, settings, data, trainer, samples, grid, predictions)


def train_frames(run: Run, control: _Control):
    """Worker generator: one ``Frame`` per pull (see the module docstring)."""
    trainer = run.trainer
    last_views = -math.inf
    paced_t0, paced_n = time.perf_counter(), 0
    while not control.stop.is_set():
        start = time.perf_counter()
        single = control.take_single()
        taken = 0
        if single:
            taken = int(trainer.step() is not None)
        elif control.playing:
            deadline = start + FRAME_S
            now = start
            while now < deadline and not control.stop.is_set():
                rate = control.rate
                if rate:
                    owed = rate * (now - paced_t0) - paced_n
                    if owed > max(2.0, 2 * rate * FRAME_S) or paced_n == 0:  # after a pause: no burst
                        paced_t0, paced_n, owed = now - 1.0 / rate, 0, 1.0
                    if owed < 1.0:
                        time.sleep(min(deadline - now, (1.0 - owed) / rate))
                        now = time.perf_counter()
                        continue
                if not control.may_run.is_set():
                    control.may_run.wait(HOLD_MAX_S)
                if trainer.step() is None:
                    break
                taken += 1
                paced_n += 1
                now = time.perf_counter()
        views = (None, None, None)
        now = time.perf_counter()
        if taken and (single or trainer.done or now - last_views >= control.views_s):
            last_views = now
            views = monitor_views(trainer, run.data, run.samples)
            run.bands.append(trainer.step_count, views[0])
        end = time.perf_counter()
        yield Frame(trainer.step_count, taken, single, end - start, end - now if views[0] is not None else 0.0,
                    *views)
        if trainer.done:
            return


class TrainingPanel(Panel):
    """A network trained live (see the module docstring)."""

    panel_id = "training"
    title = "Training"
    description = "Train a small network live: boundary, loss/accuracy, train/test gap, layer distributions"

    def __init__(self, parent: QWidget | None = None, find_cached: bool = True):
        super().__init__(parent)
        plots.configure()
        self.run: Run | None = None
        self.spec = DataSpec()
        self.settings = RunSettings()
        self.image_sets: dict[str, mnist_io.ImageDataset] = {}
        self._data_cache: tuple[DataSpec, object] | None = None
        self._control = _Control(DEFAULT_RATE)
        self._resume = False
        self._pending_spec: DataSpec | None = None
        self._last_draw = 0.0
        self._draw_interval = DRAW_S
        self._gui_cpu = time.thread_time()  # the GUI thread's CPU clock at the last draw
        self._draw_pending = False
        self._views_dirty = False
        self._stats: list | None = None
        self._chunks: collections.deque = collections.deque()  # views still to draw this round
        self._grid: dict | None = None  # the newest decision grid, not drawn yet
        self._predictions: np.ndarray | None = None  # likewise the mosaic's predictions
        self._speed = collections.deque(maxlen=40)  # (time, step) while playing
        self.steps_per_sec = 0.0
        self.worker_busy_s = 0.0  # worker time of all frames (benchmark read-out)
        self.views_busy_s = 0.0  # of which computing the monitor's views
        self.views_count = 0
        self.frames = 0
        self.draws = 0  # curve redraws (benchmark read-out)
        # one timer each, made once: a QTimer.singleShot per frame left ~60 bytes behind each time
        self._draw_timer = self._single_shot(self._draw_if_pending)
        self._chunk_timer = self._single_shot(self._next_chunk)
        self._build_ui()
        self.settings = self.form.settings()  # the defaults with every hyperparameter spelled out
        self.stepper = self.add_stepper(Stepper(self._make_gen, interval_ms=FRAME_MS))
        self.stepper.stepped.connect(self._on_frame)
        self.stepper.exhausted.connect(self._on_exhausted)
        self.stepper.playingChanged.connect(self._on_playing_changed)
        if find_cached:
            for found in mnist_io.find_cached_datasets():
                self.chooser.add_file(found.name, str(found.path))
        self._rebuild(keep_playing=False)

    def _single_shot(self, slot) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(slot)
        return timer

    # ---- UI ------------------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        bar = QHBoxLayout()
        self.play_button = QPushButton(tr("▶ &Train"), self.content)
        self.play_button.setObjectName("playButton")
        self.play_button.clicked.connect(self.play_pause)
        self.step_button = QPushButton(tr("S&tep"), self.content)
        self.step_button.setObjectName("stepButton")
        self.step_button.setToolTip(tr("Train on exactly one mini-batch (→ or N)"))
        self.step_button.clicked.connect(self.step)
        self.reset_button = QPushButton(tr("&Reset"), self.content)
        self.reset_button.setObjectName("resetButton")
        self.reset_button.setToolTip(tr("Back to step 0 with freshly initialized weights (same seed: same run) (R)"))
        self.reset_button.clicked.connect(self.reset)
        self.speed = LabeledSlider(tr("Speed"), 10, 20000, value=DEFAULT_RATE, decimals=0, log=True,
                                   tooltip=tr("Training steps per second while playing"), parent=self.content)
        self.speed.setObjectName("speed")
        self.speed.valueChanged.connect(lambda _v: self._apply_rate())
        self.full_speed = QCheckBox(tr("Max"), self.content)
        self.full_speed.setObjectName("fullSpeed")
        self.full_speed.setToolTip(tr("Train as fast as the machine can (the views still refresh)"))
        self.full_speed.toggled.connect(lambda _on: self._apply_rate())
        self.smoothing = LabeledSlider(tr("Smoothing"), 0.0, 0.99, value=0.6, decimals=2,
                                       tooltip=tr("Exponential moving average of the mini-batch curves "
                                                  "(TensorBoard's smoothing; 0 = raw)"), parent=self.content)
        self.smoothing.setObjectName("smoothing")
        self.smoothing.valueChanged.connect(lambda _v: self._draw(views=False))
        self.x_unit = QComboBox(self.content)
        self.x_unit.setObjectName("xUnitCombo")
        self.x_unit.addItem(tr("x: step"), False)
        self.x_unit.addItem(tr("x: epoch"), True)
        self.x_unit.setToolTip(tr("Plot the curves against training steps (mini-batches) or epochs"))
        self.x_unit.currentIndexChanged.connect(lambda _i: self._draw(views=True))
        self.log_loss = QCheckBox(tr("Log loss"), self.content)
        self.log_loss.setObjectName("logLoss")
        self.log_loss.setToolTip(tr("Loss on a logarithmic axis: small losses stay readable, and a test "
                                    "loss that turns up while the train loss keeps falling (overfitting) shows"))
        self.log_loss.toggled.connect(self._on_log_loss)
        for w in (self.play_button, self.step_button, self.reset_button):
            bar.addWidget(w)
        bar.addWidget(self.speed, 2)
        bar.addWidget(self.full_speed)
        bar.addWidget(self.smoothing, 2)
        bar.addWidget(self.x_unit)
        bar.addWidget(self.log_loss)
        self.status_label = QLabel(self.content)
        self.status_label.setObjectName("trainingStatus")
        # its text changes every frame: a fixed size keeps that from re-laying out the panel
        self.status_label.setFixedWidth(self.status_label.fontMetrics().horizontalAdvance(
            " · ".join((tr("step {n}").format(n=888888), tr("epoch {n}").format(n="8888/8888"),
                        tr("{rate} steps/s").format(rate="88,888"), tr("finished")))) + 8)
        self.status_label.setToolTip(tr("Training progress"))
        bar.addWidget(self.status_label)
        layout.addLayout(bar)

        self.chooser = DatasetChooser(self.content)
        self.chooser.specChanged.connect(self.set_spec)
        self.chooser.openRequested.connect(self.open_dataset_dialog)
        self.form = NetworkForm(self.content)
        self.form.settingsChanged.connect(self.set_settings)
        self.form.invalid.connect(self.show_error)
        self.data_label = QLabel(self.content)
        self.data_label.setObjectName("dataLabel")
        self.data_label.setWordWrap(True)
        self.data_label.setStyleSheet(f"color: {MUTED}")
        self.preset = QComboBox(self.content)
        self.preset.setObjectName("presetCombo")
        self.preset.addItem(tr("Book experiments…"), None)
        for name in PRESETS:
            self.preset.addItem(tr(name), name)
        self.preset.setToolTip(
            tr("Deep Learning from Scratch §6.4: a deep network overfits 300 training images (train "
               "accuracy → 100 %, test far below); weight decay and dropout narrow the gap. Uses real "
               "MNIST when it is the selected data, else the synthetic digits. Starts the run over."))
        self.preset.activated.connect(lambda i: self.apply_preset(self.preset.itemData(i)))
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 4, 0)
        side_layout.addWidget(self.preset)
        side_layout.addWidget(self.chooser)
        side_layout.addWidget(self.form)
        side_layout.addWidget(self.data_label)
        side_layout.addStretch(1)
        scroll = QScrollArea(self.content)
        scroll.setObjectName("trainingControls")
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(side.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 4)

        self.boundary = DecisionBoundaryView(self.content)
        self.mosaic = PredictionMosaic(self.content)
        self.view_stack = QStackedWidget(self.content)
        self.view_stack.addWidget(self.boundary)
        self.view_stack.addWidget(self.mosaic)
        self.curves = MetricCurves(self.content)

        self.quantity = QComboBox(self.content)
        self.quantity.setObjectName("quantityCombo")
        for key, text in QUANTITIES.items():
            self.quantity.addItem(tr(text), key)
        self.quantity.setToolTip(tr("Which per-layer distribution to show: over time (bands) and now (histograms)"))
        self.quantity.currentIndexChanged.connect(self._on_quantity)
        self.layer_note = QLabel(self.content)
        self.layer_note.setObjectName("layerNote")
        self.layer_note.setStyleSheet(f"color: {MUTED}")
        head = QHBoxLayout()
        head.addWidget(QLabel(tr("<b>Per layer:</b>"), self.content))
        head.addWidget(self.quantity)
        head.addWidget(self.layer_note, 1)
        self.bands = DistributionBands(self.content)
        self.histograms = LayerHistogramRow(self.content, title="", normalize=True)
        self.histograms.setObjectName("layerHistograms")
        self.histograms.setAntialiasing(False)  # axis-aligned bars: antialiasing only costs time
        self.histograms.setToolTip(tr("The same quantity in the last mini-batch: one histogram per hidden "
                                      "layer, shared axes"))
        layers = QWidget(self.content)
        layers_layout = QVBoxLayout(layers)
        layers_layout.setContentsMargins(0, 0, 0, 0)
        layers_layout.setSpacing(2)
        layers_layout.addLayout(head)
        layers_layout.addWidget(self.bands, 1)
        layers_layout.addWidget(self.histograms, 1)

        top = QSplitter(Qt.Orientation.Horizontal, self.content)
        top.addWidget(self.view_stack)
        top.addWidget(self.curves)
        right = QSplitter(Qt.Orientation.Vertical, self.content)
        right.addWidget(top)
        right.addWidget(layers)
        main = QSplitter(Qt.Orientation.Horizontal, self.content)
        main.setObjectName("trainingSplitter")
        main.addWidget(scroll)
        main.addWidget(right)
        main.setStretchFactor(0, 0)
        main.setStretchFactor(1, 1)
        layout.addWidget(main, 1)
        self.splitters = (main, right, top)
        self._sized = False
        self._apply_rate()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """First show: square boundary view, curves beside it, layers below."""
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            main, right, top = self.splitters
            w, h = max(main.width(), 800), max(main.height(), 500)
            side = main.widget(0).minimumWidth()
            main.setSizes([side, w - side])
            upper = int(h * 0.56)
            right.setSizes([upper, h - upper])
            view = min(upper, int((w - side) * 0.45))
            top.setSizes([view, w - side - view])

    # ---- global actions ------------------------------------------------------------------------------
    def is_playing(self) -> bool:
        return self.stepper.playing

    def play_pause(self) -> None:
        """Start or pause training; a finished or diverged run starts over."""
        if self.stepper.playing:
            self._pause()
            return
        if self.run is None or self.is_busy():
            self._resume = True  # starts as soon as the run is built
            return
        if self.run.trainer.done:
            self._resume = True
            self._rebuild()
            return
        self._control.playing = True
        self.stepper.play()

    def _pause(self) -> None:
        self._control.playing = False
        self.stepper.pause()

    def step(self) -> None:
        """Train on exactly one mini-batch (pauses first)."""
        self._pause()
        if self.run is None or self.is_busy():
            return
        if self.run.trainer.done:
            self.statusMessage.emit(tr("{message}: Reset to train again").format(message=tr_message(self.run.trainer.message)))
            return
        self._control.add_single()
        self.stepper.step(1)

    def reset(self) -> None:
        """Back to step 0: new weights from the same seed (so the same run again), paused."""
        self._rebuild(keep_playing=False)

    # ---- data and settings --------------------------------------------------------------------------
    def set_spec(self, spec: DataSpec) -> None:
        """Use other data (loads a dataset file first if needed); restarts the run."""
        if spec.source == "file" and spec.name not in self.image_sets:
            self._pending_spec = spec
            self.open_dataset(spec.name)
            return
        self.spec = spec
        self.chooser.set_spec(spec)
        self._rebuild()

    def apply_preset(self, name: str | None) -> None:
        """One of ``engine.training_setup.PRESETS`` (data and run together); restarts the run."""
        self.preset.setCurrentIndex(0)
        if name is None:
            return
        if name not in PRESETS:
            raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}")
        spec, settings = PRESETS[name]
        if self.spec.source == "file":  # the book's real MNIST, when the user has it
            spec = dataclasses.replace(spec, source="file", name=self.spec.name)
        self.clear_error()
        self.settings = settings
        self.form.set_settings(settings)
        self.set_spec(spec)

    def set_settings(self, settings: RunSettings) -> None:
        """Use another network/optimizer/run setting; restarts the run."""
        self.clear_error()
        self.settings = settings
        self.form.set_settings(settings)
        self._rebuild()

    def open_dataset(self, path) -> None:
        """Load MNIST / Fashion-MNIST from ``path`` in a worker, then train on it.

        On a ``DatasetError`` (or any failure) the message goes to the banner and the current
        data and run stay as they were.
        """
        path = str(Path(path).expanduser())
        self.statusMessage.emit(tr("Loading {path} …").format(path=path))
        self.channel("load").submit(mnist_io.load_dataset, path, on_return=lambda ds: self._on_loaded(path, ds),
                                    on_error=self._on_load_error)

    def _on_load_error(self, _message: str) -> None:
        """The banner already shows the message; keep (and show again) the data we had."""
        self._pending_spec = None
        self.chooser.set_spec(self.spec)

    def open_dataset_dialog(self) -> None:
        """File ▸ Open dataset: pick an IDX file (raw or .gz), an npz archive, or a folder's file."""
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Open MNIST / Fashion-MNIST"), str(Path.home()),
            tr("MNIST data (*.npz *.gz *-ubyte *idx*);;All files (*)"))
        if path:
            self.open_dataset(path)

    def _on_loaded(self, path: str, ds) -> None:
        self.image_sets[path] = ds
        self.chooser.add_file(ds.name, path)
        self.clear_error()
        pending, self._pending_spec = self._pending_spec, None
        if pending is not None and pending.name == path:
            spec = pending
        else:
            size = SOURCE_DEFAULTS["file"][0]
            spec = DataSpec("file", path, 0.0, min(size, len(ds.y_train) + len(ds.y_test)), self.spec.test_ratio)
        self.statusMessage.emit(tr("Loaded {name}: {train} train / {test} test images").format(
            name=ds.name, train=len(ds.y_train), test=len(ds.y_test)))
        self.set_spec(spec)

    # ---- building a run --------------------------------------------------------------------------------
    def _rebuild(self, keep_playing: bool = True) -> None:
        """Stop the current run and build a new one from ``spec`` and ``settings`` (worker)."""
        self._resume = (self._resume or self.stepper.playing) if keep_playing else False
        self._control.stop.set()
        self._control.may_run.set()
        self._control.playing = False
        self.stepper.reset()
        cached = self._data_cache[1] if self._data_cache and self._data_cache[0] == self.spec else None
        image_set = self.image_sets.get(self.spec.name) if self.spec.source == "file" else None
        self.channel("build").submit(build_run, self.spec, self.settings, image_set, cached,
                                     on_return=self._install, on_error=self._on_build_error)

    def _on_build_error(self, _message: str) -> None:
        """The banner shows why; go back to the run we had (its data, settings and state)."""
        self._resume = False
        if self.run is None:
            return
        self.spec, self.settings = self.run.spec, self.run.settings
        self.chooser.set_spec(self.spec)
        self.form.set_settings(self.settings)
        self._control = _Control(self._control.rate)
        self.stepper.reset(self._make_gen)

    def _install(self, run: Run) -> None:
        self.run = run
        self._data_cache = (run.spec, run.data)
        self._control = _Control(self._control.rate)
        self.stepper.reset(self._make_gen)
        self.step_count = 0
        self.frames = 0
        self.worker_busy_s = self.views_busy_s = 0.0
        self.views_count = 0
        self._speed.clear()
        self.steps_per_sec = 0.0
        self._stats = None
        self._hist_range = None
        self._grid = self._predictions = None
        data = run.data
        if data.is_2d:
            self.view_stack.setCurrentWidget(self.boundary)
            self.boundary.set_points(data.x_train, data.y_train, data.x_test, data.y_test, data.bounds)
            if run.grid is not None:
                self.boundary.set_grid(run.grid)
        else:
            self.view_stack.setCurrentWidget(self.mosaic)
            self.mosaic.set_images(data.x_test[run.samples], data.y_test[run.samples], data.class_names,
                                   data.image_shape)
            if run.predictions is not None:
                self.mosaic.set_predictions(run.predictions)
        names = [tr("Layer {i} ({width})").format(i=i + 1, width=w) for i, w in enumerate(run.settings.hidden)]
        self.bands.set_layers(names)
        self.bands.set_history(run.bands)
        self.histograms.set_layers(names)
        for i in range(len(names)):  # no grid: its lines are replayed on every repaint
            self.histograms.plot(i).showGrid(x=False, y=False)
        self.histograms.clear_series(0)
        self.curves.clear()
        kind = tr("synthetic") if data.synthetic else tr("real")
        self.data_label.setText(tr(
            "{name}: {train} train / {test} test, {inputs} inputs, {classes} classes ({kind}). {steps} steps per epoch."
        ).format(name=tr(data.name), train=len(data.y_train), test=len(data.y_test), inputs=data.n_features,
                 classes=data.n_classes, kind=kind, steps=run.trainer.steps_per_epoch))
        self._draw(views=True)
        self.mark_ready()
        if self._resume:
            self._resume = False
            self._control.playing = True
            self.stepper.play()

    def _make_gen(self):
        return train_frames(self.run, self._control)

    def _apply_rate(self) -> None:
        self._control.rate = None if self.full_speed.isChecked() else float(self.speed.value())
        self.speed.setEnabled(not self.full_speed.isChecked())

    # ---- frames -------------------------------------------------------------------------------------------
    def _on_frame(self, frame: Frame) -> None:
        if self.stepper.playing and self._control.playing:
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
        self.step_count = frame.step
        if frame.single or self.run.trainer.done:
            self._draw(views=True)
            self.stepped.emit(self.step_count)
        else:
            self._schedule_draw()

    def _on_exhausted(self) -> None:
        self._control.playing = False
        trainer = self.run.trainer
        if trainer.status == "diverged":
            self.curves.mark_divergence(trainer.diverged_at)
            self.statusMessage.emit(tr("{message}; the curves keep the last finite values").format(
                message=tr_message(trainer.message)))
        elif trainer.message:
            self.statusMessage.emit(tr_message(trainer.message))
        self._draw(views=True)

    def _on_playing_changed(self, playing: bool) -> None:
        self.play_button.setText(tr("❚❚ &Pause") if playing else tr("▶ &Train"))
        self.play_button.setToolTip((tr("Pause training") if playing else tr("Train (a finished run starts over)"))
                                    + " (Space)")
        if not playing:
            self._speed.clear()
            self.steps_per_sec = 0.0
            self._schedule_draw()

    def _on_log_loss(self, on: bool) -> None:
        self.curves.set_log_loss(on)
        self._draw(views=False)

    def _on_quantity(self, _index: int) -> None:
        self.bands.set_quantity(self.quantity.currentData())
        self._hist_range = None
        self._draw(views=True)

    # ---- drawing --------------------------------------------------------------------------------------------
    def _schedule_draw(self) -> None:
        wait = self._draw_interval - (time.perf_counter() - self._last_draw)
        if wait <= 0:
            self._draw(views=self._views_dirty)
        elif not self._draw_pending:
            self._draw_pending = True
            self._draw_timer.start(max(1, int(wait * 1000)))

    def _draw_if_pending(self) -> None:
        if self._draw_pending and not self._shut_down:
            self._draw(views=self._views_dirty)

    def series(self) -> dict:
        """The trainer's bounded history: key → ``(steps, values)`` copies."""
        if self.run is None:
            return {}
        return {key: self.run.trainer.history[key].snapshot() for key in HISTORY_KEYS}

    def x_scale(self) -> float:
        per_epoch = bool(self.x_unit.currentData())
        return 1.0 / self.run.trainer.steps_per_epoch if per_epoch and self.run else 1.0

    def _draw(self, views: bool = False) -> None:
        """Curves and status now; with ``views`` also boundary/mosaic, bands and histograms.

        While playing, each view is drawn in its own later pass of the event loop
        (``CHUNK_GAP_MS`` apart, so it is painted on its own): one pass painting everything
        would stall the GUI for the sum of them all (~100 ms on a busy 2-core machine).
        """
        self._draw_pending = False
        now, cpu = time.perf_counter(), time.thread_time()
        # the interval to the next draw: the GUI thread's CPU time since the last draw (its
        # paints, views and frames included) over the budget
        spent = cpu - self._gui_cpu
        budget = GUI_BUDGET if self._control.rate else GUI_BUDGET_MAX_SPEED
        self._draw_interval = min(MAX_DRAW_S, max(DRAW_S, spent / budget))
        self._control.views_s = max(VIEWS_S, 0.9 * self._draw_interval)
        self._gui_cpu = cpu
        self._last_draw = now
        self.draws += 1
        self._hold_trainer()
        self._draw_now(views)

    def _draw_now(self, views: bool) -> None:
        if self.run is None:
            return
        trainer = self.run.trainer
        self.curves.update_curves(self.series(), trainer.steps_per_epoch, self.smoothing.value(),
                                  bool(self.x_unit.currentData()))
        self._draw_status()
        playing = self.stepper.playing
        if views:
            self._views_dirty = False
            chunks = [self._draw_prediction, self._draw_bands, self._draw_histograms]
            if playing:
                self._chunks = collections.deque(chunks)
                self._chunk_timer.start(CHUNK_GAP_MS)
            else:
                self._chunks.clear()
                for chunk in chunks:
                    chunk()

    def _hold_trainer(self) -> None:
        """Pause the trainer (between two steps) until this draw has been painted."""
        if not self.stepper.playing:
            return
        control = self._control
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
            self._chunk_timer.start(CHUNK_GAP_MS)

    def _draw_prediction(self) -> None:
        if self._grid is not None:
            self.boundary.set_grid(self._grid)
            self._grid = None
        if self._predictions is not None:
            self.mosaic.set_predictions(self._predictions)
            self._predictions = None

    def _draw_bands(self) -> None:
        self.bands.redraw(self.x_scale())

    def _draw_histograms(self) -> None:
        key = self.quantity.currentData()
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
        trainer = self.run.trainer
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
            color = ERROR_FG
        elif trainer.status == "finished":
            parts.append(tr("finished"))
        self.status_label.setText(" · ".join(parts))
        # style and tooltip only when they change: setting a style sheet re-polishes the label and
        # re-lays out the panel, which repaints every plot in it
        tip = tr_message(trainer.message) or tr("Training progress")
        if self.status_label.toolTip() != tip:
            self.status_label.setToolTip(tip)
        style = f"color: {color}; font-weight: bold" if color else ""
        if self.status_label.styleSheet() != style:
            self.status_label.setStyleSheet(style)

    # ---- shutdown and settings ---------------------------------------------------------------------------
    def shutdown(self, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> bool:
        """Stop training at once (the frame loop checks the stop flag between steps) and join."""
        self._control.stop.set()
        self._control.may_run.set()
        self._control.playing = False
        return super().shutdown(timeout_ms)

    def save_settings(self, settings: QSettings) -> None:
        state = {"spec": dataclasses.asdict(self.spec), "settings": dataclasses.asdict(self.settings),
                 "speed": self.speed.value(), "max": self.full_speed.isChecked(),
                 "smoothing": self.smoothing.value(), "x_epoch": self.x_unit.currentIndex(),
                 "log_loss": self.log_loss.isChecked(),
                 "quantity": self.quantity.currentData()}
        settings.setValue("state", json.dumps(state))

    def restore_settings(self, settings: QSettings) -> None:
        try:
            state = json.loads(settings.value("state", "") or "{}")
            if not state:
                return
            self.speed.setValue(float(state.get("speed", DEFAULT_RATE)))
            self.full_speed.setChecked(bool(state.get("max", False)))
            self.smoothing.setValue(float(state.get("smoothing", 0.6)))
            self.x_unit.setCurrentIndex(int(state.get("x_epoch", 0)))
            self.log_loss.setChecked(bool(state.get("log_loss", False)))
            self.quantity.setCurrentIndex(max(0, self.quantity.findData(state.get("quantity", "activation"))))
            s = state.get("settings") or {}
            s["hidden"] = tuple(s.get("hidden", RunSettings.hidden))
            settings_ = RunSettings(**s)
            spec = DataSpec(**(state.get("spec") or {}))
            if spec.source == "file" and not Path(spec.name).exists():
                spec = DataSpec()
            self.settings = settings_
            self.form.set_settings(settings_)
            self.set_spec(spec)
        except (ValueError, TypeError, KeyError) as exc:
            self.show_error(tr("Could not restore the training panel's settings: {error}").format(error=exc))
