"""The Optimizers panel's model: its settings, the race's bookkeeping and its pacing, without Qt.

Eight lanes — GD, SGD, Momentum, NAG, AdaGrad, RMSProp, Adam and Adam without bias correction —
any subset of which races from one start point (``engine.trajectory.Race``) in lock-step. GD and
SGD run the same rule; they differ only in the gradient: on the data surface GD gets the full
batch and every other lane real mini-batches. The last lane is Adam with ``bias_correction=False``
(``OPTIONS``), to show what the correction does: without it the first steps are *larger*. ``race_steps`` (a generator run in the panel's stepper thread) builds the race
and yields each update; ``OptimizersModel.accept`` records it on the GUI thread into one
``Track`` per lane (positions, losses, step sizes, why it stopped), which the views draw and
the lecture's checks measure. (The panel keeps the requested steps per second with
``app.models.pacing.Pacer``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from app.models.base import StateBase, setting
from app.models.legacy import json_blob, keep_valid
from app.models.schedule_settings import ScheduleSetting
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
    ("adam_raw", "Adam, raw", "adam", True,
     "Adam without bias correction: M and V start at 0, so early on they are biased toward 0 "
     "(V more than M) and the first steps are about 3× larger than Adam's"),
)
KEYS = tuple(k for k, *_ in LANES)
#: Options of a lane's optimizer that are not hyperparameters (not edited, not stored).
OPTIONS = {"adam_raw": {"bias_correction": False}}
#: The lanes the settings of before the last lane existed had, in their order.
LEGACY_KEYS = KEYS[:7]
MAX_STEPS = 3000
SHORT_NAMES = {"lr": "α", "momentum": "m", "decay_rate": "γ", "beta1": "β₁", "beta2": "β₂", "eps": "ε"}


def _schedule():
    return setting(default_factory=ScheduleSetting, doc="learning-rate schedule of the lane")


def _lr(default):
    return setting(default, lo=0.0, lo_open=True, doc="learning rate α")


def _unit(default, doc):
    return setting(default, lo=0.0, hi=1.0, hi_open=True, doc=doc)


def _eps(default):
    return setting(default, lo=0.0, lo_open=True, doc="ε, keeps the division finite")


@dataclass(frozen=True)
class SgdLane(StateBase):
    enabled: bool = False
    lr: float = _lr(0.01)
    schedule: ScheduleSetting = _schedule()


@dataclass(frozen=True)
class MomentumLane(StateBase):
    enabled: bool = False
    lr: float = _lr(0.01)
    momentum: float = _unit(0.9, "momentum m")
    schedule: ScheduleSetting = _schedule()


@dataclass(frozen=True)
class AdaGradLane(StateBase):
    enabled: bool = False
    lr: float = _lr(0.01)
    eps: float = _eps(1e-10)
    schedule: ScheduleSetting = _schedule()


@dataclass(frozen=True)
class RMSPropLane(StateBase):
    enabled: bool = False
    lr: float = _lr(0.01)
    decay_rate: float = _unit(0.99, "decay γ of the moving average of g²")
    eps: float = _eps(1e-8)
    schedule: ScheduleSetting = _schedule()


@dataclass(frozen=True)
class AdamLane(StateBase):
    enabled: bool = False
    lr: float = _lr(0.001)
    beta1: float = _unit(0.9, "β₁, decay of the first moment")
    beta2: float = _unit(0.999, "β₂, decay of the second moment")
    eps: float = _eps(1e-8)
    schedule: ScheduleSetting = _schedule()


@dataclass(frozen=True)
class Lanes(StateBase):
    """Every lane: raced or not, and its hyperparameters. Defaults: the book's race (fig. 6-8)."""

    gd: SgdLane = setting(default_factory=SgdLane)
    sgd: SgdLane = setting(default_factory=lambda: SgdLane(True, 0.95))
    momentum: MomentumLane = setting(default_factory=lambda: MomentumLane(True, 0.1, 0.9))
    nag: MomentumLane = setting(default_factory=MomentumLane)
    adagrad: AdaGradLane = setting(default_factory=lambda: AdaGradLane(True, 1.5))
    rmsprop: RMSPropLane = setting(default_factory=RMSPropLane)
    adam: AdamLane = setting(default_factory=lambda: AdamLane(True, 0.3))
    adam_raw: AdamLane = setting(default_factory=lambda: AdamLane(False, 0.3))


@dataclass(frozen=True)
class State(StateBase):
    """Every setting of the Optimizers panel. ``start`` None: the surface's own start point."""

    surface: str = setting("book_quadratic", choices=surfaces.names)
    start: Optional[tuple[float, float]] = setting(None, lo=-1e6, hi=1e6, doc="start point (x, y)")
    lanes: Lanes = setting(default_factory=Lanes)
    selected: str = setting("adam", choices=KEYS, doc="the lane shown in the editor and read-out")
    batch: int = setting(10, lo=1, hi=100_000, doc="mini-batch size (data surface, every lane but GD)")
    speed: float = setting(15.0, lo=1.0, hi=240.0, doc="updates per second while playing")
    arrows: bool = setting(True, doc="arrows at the selected lane's last update")

    def lane(self, key: str) -> StateBase:
        return getattr(self.lanes, key)

    def hyper(self, key: str) -> dict[str, float]:
        """The hyperparameters of lane ``key`` (everything but ``enabled`` and ``schedule``)."""
        return {k: v for k, v in self.lane(key).to_dict().items() if k not in ("enabled", "schedule")}

    def schedule(self, key: str):
        """Lane ``key``'s ``engine.schedules`` object, built on the lane's lr."""
        lane = self.lane(key)
        return lane.schedule.build(lane.lr)

    def enabled(self) -> list[str]:
        return [k for k in KEYS if self.lane(k).enabled]

    def with_lane(self, key: str, **changes) -> "State":
        return self.merged({"lanes": {key: changes}})


def race_steps(surface, configs, start, seed: int, max_steps: int = MAX_STEPS):
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


def short_message(message: str) -> str:
    """The map label of a stop: "diverged at step 12" from the engine's longer explanation."""
    for sep in (":", " ("):
        message = message.split(sep)[0]
    return message.strip()


class Track:
    """One lane's positions, losses and step sizes, in arrays that grow by doubling."""

    def __init__(self, start, loss: float):
        self.pos = np.empty((64, 2))
        self.loss = np.empty(64)
        self.step_size = np.empty(64)  # |Δw| of the update that led here (0 at the start)
        self.n = 0
        self.last = None  # the latest TrajectoryPoint
        self.drawn = None  # (n, message) when the view last drew it
        self.plotted = 0  # n when last pushed into the loss plot
        self.status, self.message, self.stop_xy = "running", "", None
        self.append(start, loss, 0.0)

    def append(self, xy, loss: float, step: float) -> None:
        if self.n == len(self.loss):
            self.pos = np.concatenate([self.pos, np.empty_like(self.pos)])
            self.loss = np.concatenate([self.loss, np.empty_like(self.loss)])
            self.step_size = np.concatenate([self.step_size, np.empty_like(self.step_size)])
        self.pos[self.n] = xy
        self.loss[self.n] = loss
        self.step_size[self.n] = step
        self.n += 1

    @property
    def path(self) -> np.ndarray:
        return self.pos[: self.n]


class OptimizersModel:
    """The current ``State`` and the race recorded so far (see the module docstring)."""

    def __init__(self, state: State | None = None, seed: int = 0):
        self.seed = seed
        self.state = state or State()
        self.surface = surfaces.get(self.state.surface)
        self.tracks: dict[str, Track] = {}
        self.active: list[str] = []  # lane key of each runner of the race
        self.steps = 0
        self.finished = ""  # "" while racing, "stopped" (every path) or "limit"

    def set_state(self, state: State) -> None:
        """Take ``state`` (the race is not touched: ``new_race`` starts the next one)."""
        if state.surface != self.state.surface:
            self.surface = surfaces.get(state.surface)
        self.state = state

    @property
    def start(self) -> tuple[float, float]:
        """The start point: the state's, or the surface's own."""
        s = self.state.start if self.state.start is not None else self.surface.start
        return float(s[0]), float(s[1])

    def batch_size(self) -> int:
        """The mini-batch size in use: the state's, at most the surface's sample count."""
        return min(self.state.batch, getattr(self.surface, "n_samples", 0) or self.state.batch)

    def configs(self) -> list:
        """The RunnerConfig of every enabled lane, in lane order."""
        stochastic = bool(self.surface.stochastic)
        batch = self.batch_size()
        return [
            trajectory.RunnerConfig(opt, {**self.state.hyper(key), **OPTIONS.get(key, {})},
                                    batch if (stochastic and minibatch) else None, label,
                                    None if self.state.lane(key).schedule.is_constant()
                                    else self.state.schedule(key))
            for key, label, opt, minibatch, _tip in LANES if self.state.lane(key).enabled
        ]

    def new_race(self):
        """Forget the race; returns the generator factory of a new one from ``start``."""
        configs, start = self.configs(), self.start
        self.active = self.state.enabled()
        loss0 = float(self.surface.value(*start))
        self.tracks = {key: Track(start, loss0) for key in self.active}
        self.steps, self.finished = 0, ""
        surface, seed = self.surface, self.seed
        return lambda: race_steps(surface, configs, start, seed)

    def accept(self, value) -> bool:
        """Record one lock-step update (``race_steps``'s yield); True when the race is over."""
        points, statuses = value
        for key, point, (status, message, stop) in zip(self.active, points, statuses):
            track = self.tracks[key]
            if point is not None:
                xy = np.asarray(point.position, dtype=float)
                track.last = point
                if np.all(np.isfinite(xy)):
                    track.append(xy, float(point.loss), float(np.linalg.norm(point.update)))
            if status != "running" and track.status == "running":
                track.status, track.message, track.stop_xy = status, message, stop
                if status == "left_view" and stop is not None and np.all(np.isfinite(stop)):
                    # the last segment towards the exit (the view clips it at the edge)
                    track.append(stop, float(self.surface.value(*stop)), float(np.linalg.norm(stop - track.pos[track.n - 1])))
        self.steps += 1
        if all(t.status != "running" for t in self.tracks.values()):
            self.finished = "stopped"
        elif self.steps >= MAX_STEPS:
            self.finished = "limit"
        return bool(self.finished)

    def over(self) -> bool:
        return bool(self.finished) or not self.active

    # ---- what the views show and the checks measure ---------------------------------------------
    def track(self, key: str) -> Track:
        return self.tracks[key]

    def effective_step(self, key: str, step: int) -> float:
        """|Δw| of lane ``key``'s update number ``step`` (1 = the first update)."""
        return float(self.tracks[key].step_size[step])

    def position(self, key: str, step: int = -1) -> tuple[float, float]:
        path = self.tracks[key].path
        return float(path[step][0]), float(path[step][1])

    def lr_curve(self, key: str, n: int) -> np.ndarray:
        """The rates of lane ``key``'s updates 0 … n−1 (its schedule over its lr)."""
        return self.state.schedule(key).curve(max(int(n), 1))

    def current_lr(self, key: str) -> float:
        """The rate lane ``key``'s last update used (before the first: the first update's)."""
        track = self.tracks.get(key)
        done = track.n - 1 if track is not None else 0
        return float(self.state.schedule(key).lr_at(max(done - 1, 0)))

    def minimum_loss(self) -> float | None:
        """The lowest loss among the surface's minima (None: it has none in view)."""
        minima = self.surface.minima
        if not minima:
            return None
        return float(np.min(self.surface.value(*np.asarray(minima, dtype=float).T)))

    def settings_text(self, key: str) -> str:
        """Lane ``key``'s hyperparameters in short: α always, m always, others when not default."""
        defaults = type(self.state.lane(key))().to_dict()
        return "  ".join(f"{SHORT_NAMES.get(k, k)} {v:g}" for k, v in self.state.hyper(key).items()
                         if k in ("lr", "momentum") or v != defaults.get(k))

    def rule(self, key: str) -> tuple[str, str]:
        """(lecture formula, the rule the code runs) of lane ``key``'s optimizer, with its options."""
        opt = optimizers.get(LANES[KEYS.index(key)][2], **OPTIONS.get(key, {}))
        return opt.formula, opt.torch_formula

    def full_batch(self, key: str) -> bool:
        """True when lane ``key`` uses every sample although the surface is stochastic (GD)."""
        return bool(self.surface.stochastic) and not LANES[KEYS.index(key)][3]


def book_lanes() -> dict:
    """The lanes of the book's race (fig. 6-8), as a partial state dict."""
    return {"lanes": Lanes().to_dict(), "surface": "book_quadratic", "start": None, "selected": "adam"}


def migrate_legacy(values: dict[str, Any]) -> dict[str, Any]:
    """What the old ``save_settings`` stored (``{"state": JSON}``) as a full ``State`` dict."""
    raw = json_blob(values)
    out: dict[str, Any] = {key: raw[key] for key in ("surface", "start", "speed", "batch", "arrows") if key in raw}
    enabled, hyper = raw.get("enabled"), raw.get("hyper")
    defaults = Lanes()
    lanes = {}
    for i, key in enumerate(LEGACY_KEYS):
        lane = getattr(defaults, key)
        parts = dict(hyper[i]) if isinstance(hyper, list) and len(hyper) == len(LEGACY_KEYS) and isinstance(hyper[i], dict) else {}
        if isinstance(enabled, list) and len(enabled) == len(LEGACY_KEYS):
            parts["enabled"] = enabled[i]
        # a whole lane: fields left out keep the book's values, not the lane class's defaults
        lanes[key] = type(lane).from_dict({**lane.to_dict(), **keep_valid(type(lane), parts)}).to_dict() if parts else lane.to_dict()
    out["lanes"] = lanes
    selected = raw.get("selected")
    if isinstance(selected, int) and not isinstance(selected, bool) and 0 <= selected < len(LEGACY_KEYS):
        out["selected"] = KEYS[selected]
    return keep_valid(State, out)
