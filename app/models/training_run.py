"""The worker side of a Training-panel run, without Qt: the run a worker builds (``build_run``),
the frames it trains (``train_frames``, paced by ``Control`` and ``app.models.pacing.RateClock``),
the percentile bands it records (``BandHistory``) and when the GUI draws (``DrawClock``).

``app.models.training`` holds the panel's settings and its model; it re-exports these names.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from app.models.pacing import RateClock
from app.models.training_pair import NONE, make_partner
from engine.history import DecimatingSeries
from engine.stats import BAND_LEVELS
from engine.training_setup import DataSpec, RunSettings, make_data, make_trainer

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
    grid = trainer.decision_grid(data.bounds, GRID_N, data.plane) if data.is_2d else None
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
        partner = run.partner.view(run.data.bounds, GRID_N, run.data.plane) if run.partner and views[0] is not None else None
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
