"""The Training panel's model: its settings (``State``) and the run they build, without Qt.

``State`` holds the data (``DataState``, an ``engine.training_setup.DataSpec``), the network
and training settings (``NetworkState``, a ``RunSettings``) and the view choices (speed,
smoothing, x-axis unit, log loss, per-layer quantity). ``TrainingModel`` holds the current
state and the built ``Run`` (data, trainer, recorded percentile bands); the worker side of a run
(``build_run``, ``train_frames`` and its ``Control``) and the draw pacing (``DrawClock``) live
in ``app.models.training_run`` so that the panel only shows what they produce. Scene checks read the run's results here
(``final``, ``gap``), never a widget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.models.base import StateBase, setting
from app.models.legacy import json_blob, keep_valid
from app.models.schedule_settings import SCHEDULE_PER, ScheduleSetting, schedule_fields
from app.models.training_pair import ENSEMBLE, NONE
from app.models.training_run import (  # noqa: F401 - the run's names, re-exported for the panel and tests
    DEFAULT_RATE, DRAW_S, FRAME_S, GRID_N, HIST_BINS, N_SAMPLES, QUANTITIES, VIEWS_S, BandHistory, Control,
    DrawClock, Frame, Run, build_run, monitor_views, train_frames)
from engine import activations, datasets, init, optimizers
from engine.training_setup import PRESETS, SOURCES, DataSpec, RunSettings

X_UNITS = ("step", "epoch")
#: Per source: (default size, size range, default noise, noise range, noise tooltip)
SOURCE_DEFAULTS = {
    "toy": (400, (20, 5000), 0.1, 0.5,
            "Gaussian jitter of the points (0 = clean, 0.5 = heavy class overlap)"),
    "digits": (3000, (100, 20000), 0.0, 0.5, "Gaussian pixel noise added to every image"),
    "uci": (1797, (100, 1797), 0.0, 0.0, "Real data sets are used as they are"),
    "drawn": (400, (20, 5000), 0.0, 0.0, "Your points are used as drawn"),
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
    points: tuple[tuple[float, float, int], ...] = setting(
        (), doc="source 'drawn': the points (x, y, class) drawn in the boundary view (saved with the session)")

    def __post_init__(self):
        if self.source == "toy" and self.name not in datasets.REGISTRY.names():
            raise ValueError(f"name: unknown toy data set {self.name!r}; choose one of: "
                             f"{', '.join(datasets.REGISTRY.names())}")
        if self.source == "file" and not self.name.strip():
            raise ValueError("name: give the data set file's path")
        if self.source == "drawn" and self.name != "drawn":
            raise ValueError(f"name: drawn data is called 'drawn', got {self.name!r}")
        if self.source == "uci" and self.name != "uci_digits":
            raise ValueError(f"name: the UCI digits are called 'uci_digits', got {self.name!r}")
        if self.source == "digits" and self.name != "digits":
            raise ValueError(f"name: the synthetic digits are called 'digits', got {self.name!r}")
        lo, hi = SOURCE_DEFAULTS[self.source][1]
        if not lo <= self.size <= hi:
            raise ValueError(f"size: {self.size} is outside {lo}…{hi} for source {self.source!r}")
        if self.noise > SOURCE_DEFAULTS[self.source][3]:
            raise ValueError(f"noise: source {self.source!r} allows at most {SOURCE_DEFAULTS[self.source][3]}")

    def spec(self) -> DataSpec:
        return DataSpec(self.source, self.name, self.noise, self.size, self.test_ratio,
                        self.points if self.source == "drawn" else ())

    @classmethod
    def of(cls, spec: DataSpec) -> "DataState":
        return cls(spec.source, spec.name, float(spec.noise), int(spec.size), float(spec.test_ratio),
                   tuple((float(x), float(y), int(c)) for x, y, c in spec.points))


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

    def install_data(self, run: Run) -> None:
        """``run``'s data was edited in place (drawn points): it is the data of its new spec."""
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
