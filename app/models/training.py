"""The Training panel's model: its settings (``State``) and the run they build, without Qt.

``State`` holds the data (``DataState``, an ``engine.training_setup.DataSpec``), the network
and training settings (``NetworkState``, a ``RunSettings``) and the view choices (speed,
smoothing, x-axis unit, log loss, per-layer quantity). ``TrainingModel`` holds the current
state and the built ``Run`` (data, trainer, recorded percentile bands); the worker side of a run
(``build_run``, ``train_frames`` and its ``Control``) and the draw pacing (``DrawClock``) live
here so that the panel only shows what they produce. Scene checks read the run's results here
(``final``, ``gap``), never a widget.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from app.models.base import StateBase, setting
from app.models.legacy import json_blob, keep_valid
from app.models.schedule_settings import SCHEDULE_PER, ScheduleSetting, schedule_fields
from app.models.training_pair import ENSEMBLE, NONE, make_partner
from app.models.pacing import RateClock
from engine import activations, datasets, init, optimizers
from engine.history import DecimatingSeries
from engine.stats import BAND_LEVELS
from engine.training_setup import PRESETS, SOURCES, DataSpec, RunSettings, make_data, make_trainer

FRAME_S = 1 / 30  # training time per frame: ≤ 30 frames a second reach the GUI
HOLD_MAX_S = 0.2  # longest the trainer waits for a draw (a safety net, draws take ~10 ms)
DRAW_S = 0.1  # while playing the curves are redrawn ≤ 10 times a second ...
MAX_DRAW_S = 0.5  # ... and at least twice a second,
GUI_BUDGET = 0.35  # ... slower than 10/s if the GUI thread would be busy more than 35 % of the
GUI_BUDGET_MAX_SPEED = 0.10  # time, or 10 % at Max speed: its Python work holds the GIL the
#                              trainer needs, and at Max speed throughput comes first
VIEWS_S = 0.25  # layer statistics, boundary and predictions: ≤ 4 times a second
GRID_N = 80  # decision-boundary resolution
N_SAMPLES = 24  # test images in the prediction mosaic
HIST_BINS = 30
DEFAULT_RATE = 300.0  # steps/s: the default spiral visibly learns in ~10 s

#: key in ``Trainer.layer_stats()`` items → what the user reads
QUANTITIES = {
    "activation": "Activations",
    "pre_activation": "Pre-activations",
    "gradient": "Gradients ∂L/∂z",
    "weight": "Weights",
    "weight_gradient": "Weight gradients ∂L/∂W",
}
X_UNITS = ("step", "epoch")
#: Per source: (default size, size range, default noise, noise range, noise tooltip)
SOURCE_DEFAULTS = {
    "toy": (400, (20, 5000), 0.1, 0.5,
            "Gaussian jitter of the points (0 = clean, 0.5 = heavy class overlap)"),
    "digits": (3000, (100, 20000), 0.0, 0.5, "Gaussian pixel noise added to every image"),
    "file": (5000, (100, 70000), 0.0, 0.0, "Real data sets are used as they are"),
}
#: Learning rates that train the default network visibly in seconds (PyTorch's defaults
#: are tuned for bigger models: Adam's 0.001 crawls on the spiral).
LR_DEFAULTS = {"sgd": 0.1, "momentum": 0.05, "nag": 0.05, "adagrad": 0.05, "rmsprop": 0.005, "adam": 0.01}


def hidden_activations() -> list[str]:
    """Activations a hidden layer can use (softmax is the output's; the step function has no
    gradient but is kept: watching it not learn is the lesson)."""
    return activations.elementwise_names()


def default_hyper(name: str) -> dict:
    """The optimizer's hyperparameters with this panel's learning rate."""
    entry = optimizers.REGISTRY.entry(name)
    return {**entry.extra["defaults"], "lr": LR_DEFAULTS.get(name, entry.extra["defaults"]["lr"])}


# ---- state ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DataState(StateBase):
    """Which data (an ``engine.training_setup.DataSpec``); ``name`` is a toy set or a file's path."""

    source: str = setting("toy", choices=SOURCES)
    name: str = setting("spiral", doc="toy set name, 'digits', or the data set file's path")
    noise: float = setting(0.1, lo=0.0, hi=0.5)
    size: int = setting(400, lo=20, hi=70000)
    test_ratio: float = setting(0.2, lo=0.05, hi=0.8)

    def __post_init__(self):
        if self.source == "toy" and self.name not in datasets.REGISTRY.names():
            raise ValueError(f"name: unknown toy data set {self.name!r}; choose one of: "
                             f"{', '.join(datasets.REGISTRY.names())}")
        if self.source == "file" and not self.name.strip():
            raise ValueError("name: give the data set file's path")
        if self.source == "digits" and self.name != "digits":
            raise ValueError(f"name: the synthetic digits are called 'digits', got {self.name!r}")
        lo, hi = SOURCE_DEFAULTS[self.source][1]
        if not lo <= self.size <= hi:
            raise ValueError(f"size: {self.size} is outside {lo}…{hi} for source {self.source!r}")
        if self.noise > SOURCE_DEFAULTS[self.source][3]:
            raise ValueError(f"noise: source {self.source!r} allows at most {SOURCE_DEFAULTS[self.source][3]}")

    def spec(self) -> DataSpec:
        return DataSpec(self.source, self.name, self.noise, self.size, self.test_ratio)

    @classmethod
    def of(cls, spec: DataSpec) -> "DataState":
        return cls(spec.source, spec.name, float(spec.noise), int(spec.size), float(spec.test_ratio))


@dataclass(frozen=True)
class NetworkState(StateBase):
    """The network and its training (an ``engine.training_setup.RunSettings``).

    ``hyper``: the optimizer's hyperparameters as (name, value) pairs; missing ones take this
    panel's defaults, and those of another optimizer are dropped (a scene that switches the
    optimizer need not clear them).
    """

    hidden: tuple[int, ...] = setting((32, 32), lo=1, hi=1024)
    activation: str = setting("relu", choices=hidden_activations)
    init: str = setting("he", choices=lambda: init.REGISTRY.names())
    batchnorm: bool = setting(False)
    dropout: float = setting(0.0, lo=0.0, hi=0.9)
    weight_decay: float = setting(0.0, lo=0.0, hi=10.0)
    l1: float = setting(0.0, lo=0.0, hi=10.0)
    optimizer: str = setting("adam", choices=lambda: optimizers.REGISTRY.names())
    hyper: tuple[tuple[str, float], ...] = setting(())
    batch_size: int = setting(16, lo=1, hi=4096)
    epochs: int = setting(300, lo=1, hi=100000)
    seed: int = setting(0, lo=0, hi=2**31 - 1)
    l1_proximal: bool = setting(False, doc="L1 as a soft-threshold after each step: exact zeros")
    activation_alpha: float | None = setting(None, lo=0.001, hi=10.0, doc=activations.ALPHA_DOC)
    schedule: ScheduleSetting = setting(default_factory=ScheduleSetting, doc="learning-rate schedule")
    schedule_per: str = setting("update", choices=SCHEDULE_PER, doc="the schedule advances per update or epoch")

    def __post_init__(self):
        if not 1 <= len(self.hidden) <= 8:
            raise ValueError(f"hidden: give 1 to 8 hidden layers, got {len(self.hidden)}")
        defaults = default_hyper(self.optimizer)
        every = {k for name in optimizers.REGISTRY.names() for k in default_hyper(name)}
        given = {}
        for pair in self.hyper:
            name, value = pair
            if name not in every:
                raise ValueError(f"hyper: unknown hyperparameter {name!r}; {self.optimizer} has: "
                                 f"{', '.join(defaults)}")
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"hyper: {name} must be a finite number ≥ 0, got {value!r}")
            given[name] = float(value)
        full = tuple((k, float(given.get(k, v))) for k, v in defaults.items())
        object.__setattr__(self, "hyper", full)  # normalised: every name of this optimizer, in order

    def settings(self) -> RunSettings:
        schedule, schedule_per = schedule_fields(self.schedule, self.schedule_per, dict(self.hyper))
        return RunSettings(self.hidden, self.activation, self.init, self.batchnorm, self.dropout,
                           self.weight_decay, self.l1, self.optimizer, dict(self.hyper), self.batch_size,
                           self.epochs, self.seed, l1_proximal=self.l1_proximal,
                           activation_alpha=self.activation_alpha,
                           schedule=schedule, schedule_per=schedule_per)

    @classmethod
    def of(cls, s: RunSettings) -> "NetworkState":
        return cls(tuple(int(h) for h in s.hidden), s.activation, s.init, bool(s.batchnorm), float(s.dropout),
                   float(s.weight_decay), float(s.l1), s.optimizer,
                   tuple((k, float(v)) for k, v in s.hyper.items()), int(s.batch_size), int(s.epochs or 1),
                   int(s.seed), bool(s.l1_proximal), None if s.activation_alpha is None else float(s.activation_alpha),
                   ScheduleSetting.of(s.schedule), s.schedule_per)


@dataclass(frozen=True)
class State(StateBase):
    """Every setting of the Training panel."""

    data: DataState = setting(default_factory=DataState)
    network: NetworkState = setting(default_factory=NetworkState)
    speed: float = setting(DEFAULT_RATE, lo=10.0, hi=20000.0, doc="training steps per second while playing")
    max_speed: bool = setting(False, doc="train as fast as the machine can")
    smoothing: float = setting(0.6, lo=0.0, hi=0.99)
    x_unit: str = setting("step", choices=X_UNITS)
    log_loss: bool = setting(False)
    quantity: str = setting("activation", choices=QUANTITIES)
    compare: str = setting(NONE, choices=lambda: (NONE, ENSEMBLE, *hidden_activations()),
                           doc="beside the network: one with this activation, or its dropout ensemble")


def preset_state(name: str, current: State | None = None) -> dict:
    """The partial state of preset ``name`` (``engine.training_setup.PRESETS``).

    The book's real MNIST is used when ``current`` trains on a data set file.
    """
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}")
    spec, settings = PRESETS[name]
    data = DataState.of(spec)
    if current is not None and current.data.source == "file":
        data = DataState("file", current.data.name, 0.0, data.size, data.test_ratio)
    return {"data": data.to_dict(), "network": NetworkState.of(settings).to_dict()}


def migrate_legacy(values: dict) -> dict:
    """What ``save_settings`` wrote (one JSON text under "state") → a ``State`` dict.

    Garbage is dropped, not fatal: each part that does not validate keeps its default.
    """
    old = json_blob(values)
    out = {}
    view = {"speed": ("speed", float), "max": ("max_speed", bool), "smoothing": ("smoothing", float),
            "log_loss": ("log_loss", bool), "quantity": ("quantity", str)}
    for key, (new, kind) in view.items():
        if key in old:
            out[new] = old[key] if kind is not bool else bool(old[key])
    if "x_epoch" in old:
        out["x_unit"] = "epoch" if old["x_epoch"] in (1, True, "1", "true") else "step"
    spec = old.get("spec")
    if isinstance(spec, dict):
        out["data"] = dict(spec)
    s = old.get("settings")
    if isinstance(s, dict):
        net = {k: v for k, v in s.items() if k != "hyper"}
        if isinstance(s.get("hyper"), dict):
            net["hyper"] = [[k, v] for k, v in s["hyper"].items()]
        if net.get("epochs") is None:
            net.pop("epochs", None)
        out["network"] = net
    return keep_valid(State, out)


# ---- the run (worker side) --------------------------------------------------------------------------
class BandHistory:
    """The recorded percentiles: written by the training thread, read by the GUI.

    ``append(step, layer_stats)`` records every layer and quantity of a ``Trainer.layer_stats()``
    result; ``series(layer, key)`` returns ``(steps (n,), percentiles (n, 9))``. Each percentile
    is a ``DecimatingSeries`` of at most ``capacity`` points; all of one (layer, quantity) get
    the same steps, so they decimate alike and stay aligned.
    """

    def __init__(self, capacity: int = 400):
        self.capacity = int(capacity)
        self._series: dict[tuple[int, str], list[DecimatingSeries]] = {}

    def append(self, step: int, layer_stats: list[dict]) -> None:
        for i, item in enumerate(layer_stats):
            for key in QUANTITIES:
                summary = item.get(key)
                if summary is None:
                    continue
                series = self._series.get((i, key))
                if series is None:
                    series = [DecimatingSeries(self.capacity) for _ in BAND_LEVELS]
                    self._series[(i, key)] = series  # one dict store: atomic for the reader
                for s, v in zip(series, summary["percentiles"]):
                    s.append(step, v)

    def series(self, layer: int, key: str) -> tuple[np.ndarray, np.ndarray]:
        stored = self._series.get((layer, key))
        if not stored:
            return np.empty(0), np.empty((0, len(BAND_LEVELS)))
        snaps = [s.snapshot() for s in stored]
        n = min(len(st) for st, _v in snaps)  # a reader may catch an append half done
        return snaps[0][0][:n], np.column_stack([v[:n] for _s, v in snaps])


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
    partner: dict | None = None  # the comparison's view (training_pair: grid, accuracies)
    zeros: tuple | None = None  # Trainer.weight_zeros(): (exactly 0, |w| < 1e-3, all weights)


class Control:
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

    def halt(self) -> None:
        """Stop the frame loop at once (it checks between steps) and never block it again."""
        self.stop.set()
        self.may_run.set()
        self.playing = False


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
    bands: BandHistory = field(default_factory=BandHistory)  # filled by the worker
    partner: object | None = None  # the comparison (app.models.training_pair)


def monitor_views(trainer, data, samples, stats: bool = True):
    """Worker: ``(layer_stats or None, decision grid or None, predictions or None, weight_zeros)``."""
    layer_stats = trainer.layer_stats(bins=HIST_BINS) if stats else None  # before any eval pass
    grid = trainer.decision_grid(data.bounds, GRID_N) if data.is_2d else None
    predictions = None
    if data.image_shape is not None and len(samples):
        # an eval pass: it runs in the training thread, after layer_stats read the training pass
        predictions = np.argmax(trainer.model.predict(data.x_test[samples]), axis=1)
    return layer_stats, grid, predictions, trainer.weight_zeros()


def build_run(spec: DataSpec, settings: RunSettings, image_set=None, cached=None, compare: str = NONE) -> Run:
    """Worker: the data (``cached`` if it was made for ``spec``), a fresh trainer (and the
    ``compare`` network, if any), step-0 views."""
    data = cached if cached is not None else make_data(spec, image_set)
    trainer = make_trainer(data, settings)
    samples = np.arange(min(N_SAMPLES, len(data.y_test))) if data.image_shape is not None else np.empty(0, int)
    _stats, grid, predictions, _zeros = monitor_views(trainer, data, samples, stats=False)
    return Run(spec, settings, data, trainer, samples, grid, predictions,
               partner=make_partner(data, settings, compare, trainer))


def train_frames(run: Run, control: Control):
    """Worker generator: one ``Frame`` per pull.

    Each pull runs training steps for one frame (``FRAME_S``, or exactly one step for a
    single Step) at the control's rate, and computes the monitor's views at most every
    ``control.views_s`` (they are drawn no more often). While the GUI draws (``may_run``
    cleared) the trainer waits between two steps.
    """
    trainer = run.trainer
    last_views = -math.inf
    paced = RateClock()
    while not control.stop.is_set():
        start = time.perf_counter()
        single = control.take_single()
        taken = 0
        if single:
            taken = int(trainer.step() is not None)
            if taken and run.partner is not None:
                run.partner.step()
        elif control.playing:
            deadline = start + FRAME_S
            now = start
            while now < deadline and not control.stop.is_set():
                rate = control.rate
                if rate:
                    paced.rate = rate
                    owed = paced.owed(now)
                    if owed > max(2.0, 2 * rate * FRAME_S) or paced.n == 0:  # after a pause: no burst
                        paced.restart(now, owed=1.0)
                        owed = 1.0
                    if owed < 1.0:
                        time.sleep(min(deadline - now, (1.0 - owed) / rate))
                        now = time.perf_counter()
                        continue
                if not control.may_run.is_set():
                    control.may_run.wait(HOLD_MAX_S)
                if trainer.step() is None:
                    break
                if run.partner is not None:
                    run.partner.step()
                taken += 1
                paced.took()
                now = time.perf_counter()
        views = (None, None, None, None)
        now = time.perf_counter()
        if taken and (single or trainer.done or now - last_views >= control.views_s):
            last_views = now
            views = monitor_views(trainer, run.data, run.samples)
            run.bands.append(trainer.step_count, views[0])
        partner = run.partner.view(run.data.bounds, GRID_N) if run.partner and views[0] is not None else None
        end = time.perf_counter()
        stats, grid, predictions, zeros = views
        yield Frame(trainer.step_count, taken, single, end - start, end - now if views[0] is not None else 0.0,
                    stats=stats, grid=grid, predictions=predictions, partner=partner, zeros=zeros)
        if trainer.done:
            return


class DrawClock:
    """When to draw while playing: ≤ 10 times a second, slower when the GUI thread's share of
    the CPU since the last draw would exceed its budget (its Python work holds the GIL the
    trainer needs), and at least every ``MAX_DRAW_S``."""

    def __init__(self):
        self.last = 0.0
        self.interval = DRAW_S
        self._cpu = time.thread_time()  # the drawing thread's CPU clock at the last draw

    def wait(self) -> float:
        """Seconds until the next draw is due (≤ 0: now)."""
        return self.interval - (time.perf_counter() - self.last)

    def drew(self, max_speed: bool) -> float:
        """Record a draw now; returns how often the worker should compute the views."""
        now, cpu = time.perf_counter(), time.thread_time()
        budget = GUI_BUDGET_MAX_SPEED if max_speed else GUI_BUDGET
        self.interval = min(MAX_DRAW_S, max(DRAW_S, (cpu - self._cpu) / budget))
        self._cpu, self.last = cpu, now
        return max(VIEWS_S, 0.9 * self.interval)


# ---- the model ----------------------------------------------------------------------------------------
class TrainingModel:
    """The panel's state and its current run (see the module docstring)."""

    def __init__(self, state: State | None = None):
        self.state = state or State()
        self.run: Run | None = None
        self.image_sets: dict = {}  # path → loaded engine.mnist_io.ImageDataset
        self._data_cache: tuple[DataSpec, object] | None = None
        self.building = False  # a run (or its data set file) is being made for the state

    # ---- state ---------------------------------------------------------------------------------------
    def spec(self) -> DataSpec:
        return self.state.data.spec()

    def settings(self) -> RunSettings:
        return self.state.network.settings()

    def needs_loading(self) -> bool:
        """The state's data is a file that has not been loaded yet."""
        data = self.state.data
        return data.source == "file" and data.name not in self.image_sets

    def rate(self) -> float | None:
        """Training steps per second while playing (None: as fast as possible)."""
        return None if self.state.max_speed else float(self.state.speed)

    def x_scale(self) -> float:
        """Curve x per step: 1, or 1/steps-per-epoch with the epoch unit."""
        if self.state.x_unit == "epoch" and self.run is not None:
            return 1.0 / self.run.trainer.steps_per_epoch
        return 1.0

    # ---- runs ----------------------------------------------------------------------------------------
    def build_args(self) -> tuple:
        """``build_run``'s arguments for the current state (reusing data made for the same spec)."""
        spec = self.spec()
        cached = self._data_cache[1] if self._data_cache and self._data_cache[0] == spec else None
        image_set = self.image_sets.get(spec.name) if spec.source == "file" else None
        return spec, self.settings(), image_set, cached, self.state.compare

    def install(self, run: Run) -> None:
        self.run = run
        self.building = False
        self._data_cache = (run.spec, run.data)

    def built_state(self) -> State:
        """The state with the data and network of the run in force (after a failed build)."""
        if self.run is None:
            return self.state
        return self.state.replace(data=DataState.of(self.run.spec), network=NetworkState.of(self.run.settings))

    # ---- results (scene checks read these) -----------------------------------------------------------
    @property
    def done(self) -> bool:
        """The state's run has trained to its end (finished, diverged or cancelled)."""
        return self.run is not None and not self.building and self.run.trainer.done

    def final(self, key: str) -> float:
        """The last recorded value of history ``key`` (e.g. "test_accuracy"); NaN before any."""
        if self.run is None:
            return math.nan
        values = self.run.trainer.history[key].values
        return float(values[-1]) if len(values) else math.nan

    def first(self, key: str) -> float:
        """The first recorded value of history ``key``; NaN before any."""
        if self.run is None:
            return math.nan
        values = self.run.trainer.history[key].values
        return float(values[0]) if len(values) else math.nan

    def gap(self) -> float:
        """Train minus test accuracy at the last evaluation (the overfitting gap)."""
        return self.final("train_accuracy") - self.final("test_accuracy")

    def weight_zeros(self) -> tuple[int, int, int]:
        """``(weights exactly 0, |w| < 1e-3, all weights)`` of the run's network (L1's sparsity)."""
        return self.run.trainer.weight_zeros() if self.run is not None else (0, 0, 0)
