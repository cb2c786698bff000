"""Optimizer paths on a 2-D surface: ``TrajectoryRunner`` steps one, ``Race`` several in lock-step.

The point (x, y) is the optimizer's only parameter, a float64 array of shape (2,). A runner
asks the surface for the gradient there (full batch, or a mini-batch on a stochastic surface),
lets the optimizer update it in place and records the new position and its full-batch loss.

Mini-batches are deterministic for a seed: each epoch walks a fresh permutation of the samples
in slices of ``batch_size`` (the last slice may be smaller, as a DataLoader without
``drop_last``). Runners of a race share the seed, so equal batch sizes see the same batches.

A runner stops by itself: "diverged" when the position or loss is non-finite or beyond
``DIVERGE_LIMIT``, "left_view" when the new position is outside ``surface.bounds`` (that position
is not recorded, only kept as ``exit_position``), "finished" after ``MAX_STEPS`` steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from engine import optimizers
from engine.surfaces import Surface

MAX_STEPS = 100_000
DIVERGE_LIMIT = 1e12  # |x|, |y| or the loss beyond this counts as diverged
_INITIAL_CAPACITY = 256


@dataclass
class RunnerConfig:
    """What to run: an optimizer name, its hyperparameters and a batch size (None = full batch).

    ``schedule``: an ``engine.schedules`` object whose ``lr_at(t)`` replaces ``hyper["lr"]`` for
    update t (None: the constant ``hyper["lr"]``).
    """

    optimizer: str
    hyper: dict = field(default_factory=dict)
    batch_size: int | None = None
    label: str | None = None
    schedule: object = None

    def display_label(self) -> str:
        """``label``, or e.g. "SGD lr=0.95" built from the registry."""
        if self.label:
            return self.label
        entry = optimizers.REGISTRY.entry(self.optimizer)
        parts = [entry.display_name] + [f"{k}={v:g}" for k, v in self.hyper.items()]
        if self.batch_size is not None:
            parts.append(f"batch={self.batch_size}")
        return " ".join(parts)


@dataclass
class TrajectoryPoint:
    """One step: the new position and its loss, the gradient used and the update applied."""

    step: int
    position: np.ndarray  # (2,) after the update
    loss: float  # full-batch loss at ``position``
    grad: np.ndarray  # (2,) the (mini-batch) gradient at the previous position
    update: np.ndarray  # (2,) position − previous position
    state: dict  # optimizer.state_snapshot(0)


class TrajectoryRunner:
    """One optimizer walking on ``surface`` from ``start``."""

    def __init__(self, surface: Surface, config: RunnerConfig, start, seed: int = 0):
        self.surface = surface
        self.config = config
        self.label = config.display_label()
        self.optimizer = optimizers.get(config.optimizer, **config.hyper)
        if config.schedule is not None:
            self.optimizer.set_schedule(config.schedule)
        bs = config.batch_size
        if bs is not None and (isinstance(bs, bool) or not isinstance(bs, (int, np.integer)) or bs < 1):
            raise ValueError(f"batch_size must be None (full batch) or an integer ≥ 1, got {bs!r}")
        start = np.array(start, dtype=np.float64).reshape(-1)
        if start.shape != (2,) or not np.all(np.isfinite(start)):
            raise ValueError(f"start must be two finite numbers (x, y), got {start!r}")
        self.start = start
        self.seed = seed
        self.stochastic = bool(bs is not None and surface.stochastic)
        self._rng = np.random.default_rng(seed)
        self._perm = np.empty(0, dtype=np.intp)
        self._cursor = 0
        self._param = start.copy()
        self._positions = np.empty((_INITIAL_CAPACITY, 2))
        self._losses = np.empty(_INITIAL_CAPACITY)
        self._n = 0  # steps taken and recorded
        self._positions[0] = start
        self._losses[0] = float(surface.value(start[0], start[1]))
        self.status = "running"
        self.stopped_at: int | None = None
        self.message = ""
        self.last: TrajectoryPoint | None = None
        self.exit_position: np.ndarray | None = None

    # -- recorded path ------------------------------------------------------------------------
    @property
    def positions(self) -> np.ndarray:
        """(n+1, 2) positions, the start included (a view: copy it to keep it)."""
        return self._positions[: self._n + 1]

    @property
    def losses(self) -> np.ndarray:
        """(n+1,) full-batch losses at ``positions``."""
        return self._losses[: self._n + 1]

    @property
    def n_steps(self) -> int:
        return self._n

    @property
    def running(self) -> bool:
        return self.status == "running"

    # -- stepping -----------------------------------------------------------------------------
    def _next_batch(self) -> np.ndarray:
        n, bs = self.surface.n_samples, self.config.batch_size
        if self._cursor >= self._perm.size:
            self._perm = self._rng.permutation(n)
            self._cursor = 0
        batch = self._perm[self._cursor : self._cursor + bs]
        self._cursor += bs
        return batch

    def _gradient(self, x, y) -> np.ndarray:
        if self.stochastic:
            gx, gy = self.surface.batch_grad(x, y, self._next_batch())
        else:
            gx, gy = self.surface.grad(x, y)
        return np.array([gx, gy], dtype=np.float64)

    def _stop(self, status: str, message: str) -> None:
        self.status, self.stopped_at, self.message = status, self._n + 1, message

    def step(self) -> TrajectoryPoint | None:
        """Take one step; ``None`` once stopped (including the step that stops it)."""
        if self.status != "running":
            return None
        if self._n >= MAX_STEPS:
            self._stop("finished", f"stopped after the {MAX_STEPS:,}-step limit")
            self.stopped_at = self._n
            return None
        before = self._positions[self._n]
        g = self._gradient(before[0], before[1])
        p = self._param
        with np.errstate(all="ignore"):  # overflow is reported as "diverged", not as a warning
            self.optimizer.step([p], [g])
            loss = float(self.surface.value(p[0], p[1]))
        step_no = self._n + 1
        if not (np.all(np.isfinite(p)) and math.isfinite(loss)) or max(abs(p[0]), abs(p[1]), abs(loss)) > DIVERGE_LIMIT:
            self._stop("diverged", f"diverged at step {step_no}: the position or loss blew up (try a smaller learning rate)")
            self.exit_position = p.copy()
            return None
        if not self.surface.contains(p[0], p[1]):
            self._stop("left_view", f"left the view at step {step_no} (at x={p[0]:.3g}, y={p[1]:.3g})")
            self.exit_position = p.copy()
            return None
        self._record(p, loss)
        point = TrajectoryPoint(
            step=step_no,
            position=p.copy(),
            loss=loss,
            grad=g,
            update=p - before,
            state=self.optimizer.state_snapshot(0),
        )
        self.last = point
        return point

    def _record(self, p, loss) -> None:
        i = self._n + 1
        if i >= self._losses.size:  # grow by doubling: amortized O(1), bounded by MAX_STEPS
            cap = min(2 * self._losses.size, MAX_STEPS + 1)
            self._positions = np.concatenate([self._positions, np.empty((cap - self._losses.size, 2))])
            self._losses = np.concatenate([self._losses, np.empty(cap - self._losses.size)])
        self._positions[i] = p
        self._losses[i] = loss
        self._n = i

    def run(self, n: int) -> list[TrajectoryPoint]:
        """Up to ``n`` steps; fewer if the runner stops."""
        points = []
        for _ in range(int(n)):
            point = self.step()
            if point is None:
                break
            points.append(point)
        return points


class Race:
    """Several runners from one start, stepped together; a stopped runner stays stopped."""

    def __init__(self, surface: Surface, configs: list[RunnerConfig], start, seed: int = 0):
        if not configs:
            raise ValueError("a race needs at least one RunnerConfig")
        self.surface = surface
        self.runners = [TrajectoryRunner(surface, c, start, seed) for c in configs]

    def step(self) -> list[TrajectoryPoint | None]:
        return [r.step() for r in self.runners]

    def run(self, n: int) -> None:
        for _ in range(int(n)):
            if not self.running:
                break
            self.step()

    @property
    def running(self) -> bool:
        return any(r.running for r in self.runners)


# DLFS ch. 6's figure: 30 steps of these four on x²/20 + y² from (−7, 2)
BOOK_SURFACE = "book_quadratic"
BOOK_START = (-7.0, 2.0)
BOOK_STEPS = 30
BOOK_PRESET: list[RunnerConfig] = [
    RunnerConfig("sgd", {"lr": 0.95}, label="SGD"),
    RunnerConfig("momentum", {"lr": 0.1, "momentum": 0.9}, label="Momentum"),
    RunnerConfig("adagrad", {"lr": 1.5}, label="AdaGrad"),
    RunnerConfig("adam", {"lr": 0.3}, label="Adam"),
]
