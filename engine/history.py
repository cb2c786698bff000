"""Bounded storage for curves of runs that may last for hours.

``DecimatingSeries`` keeps a whole run visible in O(capacity) memory: when it is full it drops
every other stored point and from then on keeps only every 2nd (then 4th, 8th, …) new point, so
the stored points stay evenly spaced over the run. The most recent point is always reported
too, so a plot reaches the current step. ``RingBuffer`` keeps just the last N values.

Both are written by one worker thread and read by the GUI thread: reads return copies taken
under a lock, so steps and values always pair up.
"""

from __future__ import annotations

import threading

import numpy as np

from engine import validate




class DecimatingSeries:
    """(step, value) pairs: at most ``capacity`` of them, the latest one included."""

    def __init__(self, capacity: int = 2000):
        self.capacity = validate.integer(capacity, "capacity", 3)
        self._limit = self.capacity - 1  # the last slot is kept for the latest point
        self._steps = np.empty(self._limit, dtype=np.int64)
        self._values = np.empty(self._limit, dtype=np.float64)
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._n = 0  # points stored
            self._stride = 1  # keep every stride-th appended point
            self._seen = 0  # points appended since the start
            self._last: tuple[int, float] | None = None
            self._last_stored = False

    @property
    def stride(self) -> int:
        """How many appended points one stored point stands for (1, 2, 4, …)."""
        return self._stride

    def append(self, step, value) -> None:
        with self._lock:
            index = self._seen
            self._seen += 1
            self._last = (int(step), float(value))
            self._last_stored = index % self._stride == 0
            if not self._last_stored:
                return
            if self._n == self._limit:
                # halve the resolution: stored points are appends 0, s, 2s, …; keep 0, 2s, 4s, …
                kept = (self._n + 1) // 2
                self._steps[:kept] = self._steps[: self._n : 2]
                self._values[:kept] = self._values[: self._n : 2]
                self._n = kept
                self._stride *= 2
                self._last_stored = index % self._stride == 0
                if not self._last_stored:
                    return
            self._steps[self._n] = self._last[0]
            self._values[self._n] = self._last[1]
            self._n += 1

    def snapshot(self) -> tuple[np.ndarray, np.ndarray]:
        """Copies of ``(steps, values)``, consistent with each other, ending at the latest point."""
        with self._lock:
            steps = self._steps[: self._n].copy()
            values = self._values[: self._n].copy()
            if self._last is not None and not self._last_stored:
                steps = np.append(steps, self._last[0])
                values = np.append(values, self._last[1])
        return steps, values

    @property
    def steps(self) -> np.ndarray:
        return self.snapshot()[0]

    @property
    def values(self) -> np.ndarray:
        return self.snapshot()[1]

    @property
    def last(self) -> tuple[int, float] | None:
        """The most recent ``(step, value)``, or None when empty."""
        return self._last

    def __len__(self) -> int:
        return self._n + (self._last is not None and not self._last_stored)

    def __repr__(self) -> str:
        return f"DecimatingSeries(len={len(self)}, capacity={self.capacity}, stride={self._stride})"


class RingBuffer:
    """The last ``capacity`` values (scalars, or arrays of a fixed ``shape``), oldest first."""

    def __init__(self, capacity: int, shape: tuple[int, ...] = (), dtype=np.float64):
        self.capacity = validate.integer(capacity, "capacity", 1)
        self._data = np.zeros((self.capacity, *shape), dtype=dtype)
        self._lock = threading.Lock()
        self._count = 0  # values ever appended

    def append(self, value) -> None:
        with self._lock:
            self._data[self._count % self.capacity] = value
            self._count += 1

    def clear(self) -> None:
        with self._lock:
            self._count = 0

    @property
    def values(self) -> np.ndarray:
        """A copy of the stored values in the order they were appended."""
        with self._lock:
            if self._count <= self.capacity:
                return self._data[: self._count].copy()
            start = self._count % self.capacity
            return np.concatenate([self._data[start:], self._data[:start]])

    @property
    def full(self) -> bool:
        return self._count >= self.capacity

    @property
    def total(self) -> int:
        """How many values were ever appended (not just kept)."""
        return self._count

    def __len__(self) -> int:
        return min(self._count, self.capacity)

    def __repr__(self) -> str:
        return f"RingBuffer(len={len(self)}, capacity={self.capacity})"
