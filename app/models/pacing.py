"""The Qt-free pacing rule: how many steps are owed to keep a rate, and how many to pull.

The GUI side (``app.pacing.Stepper``) pulls batches from a worker; when frames are slow (a busy
machine), one update per frame would fall behind the requested steps per second. ``Pacer``
counts what has arrived against the clock and asks for what is owed, capped so that a stall
is forgiven instead of paid back in one burst. Pure arithmetic on ``time.perf_counter``: it is
tested without Qt and shared by every panel that plays at a rate.
"""

from __future__ import annotations

import math
import time

DEFAULT_MAX_BATCH = 16  # most updates pulled per frame when behind


class RateClock:
    """``rate`` events per second since the clock (re)started: how many are owed now.

    The one rate rule of the app: the Optimizers race (``Pacer``, GUI thread) and the Training
    panel's trainer (``app.models.training.train_frames``, worker thread) both keep their
    steps per second with it. ``owed(now)`` is fractional; ``took(n)`` counts what was done.
    """

    def __init__(self, rate: float = 0.0):
        self.rate = float(rate)
        self.restart()

    def restart(self, now: float | None = None, owed: float = 0.0) -> None:
        """Count anew from ``now`` with ``owed`` events already due (e.g. 1: one step at once)."""
        now = time.perf_counter() if now is None else now
        self.t0 = now - (owed / self.rate if self.rate > 0 else 0.0)
        self.n = 0

    def owed(self, now: float | None = None) -> float:
        now = time.perf_counter() if now is None else now
        return self.rate * (now - self.t0) - self.n

    def took(self, n: int = 1) -> None:
        self.n += n


class Pacer:
    """How many updates the next pull should ask for, so that ``rate`` per second is kept."""

    def __init__(self, rate: float = 15.0, interval_ms: int = 16, max_batch: int = DEFAULT_MAX_BATCH):
        self.clock = RateClock(rate)
        self.interval_ms, self.max_batch = int(interval_ms), int(max_batch)
        self.reset()

    @property
    def rate(self) -> float:
        return self.clock.rate

    @rate.setter
    def rate(self, value: float) -> None:
        self.clock.rate = float(value)

    def reset(self) -> int:
        """Start counting anew (play, pause, a new rate); returns the first batch."""
        self.clock.restart()
        return max(1, round(self.rate * self.interval_ms / 1000.0))

    def tick(self) -> int:
        """One more update arrived: the size of the next batch (what is owed, 1 … max_batch)."""
        self.clock.took()
        owed = self.clock.owed()
        if owed > 2 * self.max_batch:  # far behind (a stall): forgive, don't burst
            self.clock.restart()
            owed = 0
        return min(self.max_batch, max(1, math.ceil(owed)))
