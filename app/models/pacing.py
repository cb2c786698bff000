"""The Qt-free pacing rule: how many updates the next pull should ask for to keep a rate.

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


class Pacer:
    """How many updates the next pull should ask for, so that ``rate`` per second is kept."""

    def __init__(self, rate: float = 15.0, interval_ms: int = 16, max_batch: int = DEFAULT_MAX_BATCH):
        self.rate, self.interval_ms, self.max_batch = float(rate), int(interval_ms), int(max_batch)
        self.reset()

    def reset(self) -> int:
        """Start counting anew (play, pause, a new rate); returns the first batch."""
        self._t0, self._steps = time.perf_counter(), 0
        return max(1, round(self.rate * self.interval_ms / 1000.0))

    def tick(self) -> int:
        """One more update arrived: the size of the next batch (what is owed, 1 … max_batch)."""
        self._steps += 1
        owed = self.rate * (time.perf_counter() - self._t0) - self._steps
        if owed > 2 * self.max_batch:  # far behind (a stall): forgive, don't burst
            self._t0, self._steps, owed = time.perf_counter(), 0, 0
        return min(self.max_batch, max(1, math.ceil(owed)))
