"""Every timer that paces GUI work: animation steps, play ticks, coalesced and throttled redraws.

One module, so that "how often does the GUI thread do this" has one answer per kind of work
(issue #10's rule: one pacing/throttle helper). All four run on the GUI thread and can be
cancelled; a panel registers them with ``Panel.add_pacer`` so its ``shutdown()`` stops them.

``Stepper``
    Pull-based animation: a timer pulls values from a generator that a worker thread advances
    on demand. At most one batch is in flight, so a slow engine step lowers the frame rate
    instead of queueing frames, and the GUI thread never blocks. (The Qt-free rate rule, "how
    many steps are owed", is ``app.models.pacing.RateClock``; ``Pacer`` turns it into batches.)

``Ticker``
    A play timer: calls ``callback`` every ``interval_ms`` while active (panels whose step is
    cheap and runs on the GUI thread, or that submit to a latest-wins channel and skip a beat
    while it is busy).

``Coalescer``
    "Do this soon, once": ``request()`` schedules one call after ``delay_ms``; requests while
    one is pending fold into it. Many results arriving in one frame draw once.

``Throttle``
    "At most once per interval": the first request runs at once, later ones within the
    interval fold into one trailing call, so the last value is always drawn.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterator

from PySide6.QtCore import QObject, QTimer, Qt, Signal

from app.workers import DEFAULT_TIMEOUT_MS, Worker, register_stoppable, stop_on_destroy


class Stepper(QObject):
    """Animation throttle: a QTimer pulls values from a generator advanced in a worker thread.

    ``Stepper(make_gen, interval_ms=16, batch=1)``; ``make_gen()`` returns a fresh generator
    (called again by ``reset``). Every timer tick requests ``batch`` values unless a request is
    still in flight, so there is never a backlog. Each value arrives on the GUI thread as
    ``stepped(value)``; ``exhausted()`` when the generator ends; ``errored(message)`` if it
    raised (playing stops). ``step()`` pulls exactly one value (for the Step action).
    """

    stepped = Signal(object)
    exhausted = Signal()
    errored = Signal(str)
    playingChanged = Signal(bool)

    def __init__(
        self,
        make_gen: Callable[[], Iterator[Any]],
        interval_ms: int = 16,
        batch: int = 1,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._make_gen = make_gen
        self.batch = max(1, int(batch))
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(int(interval_ms))
        self._timer.timeout.connect(self._tick)
        self._worker: Worker | None = None
        self._cond = threading.Condition()
        self._requested = 0
        self._in_flight = 0
        self._done = False
        self._closed = False
        self.count = 0  # values delivered (``stepped`` emitted) since construction
        register_stoppable(self)
        stop_on_destroy(self, lambda: self._worker)

    # ---- public API (GUI thread) -----------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    @property
    def in_flight(self) -> int:
        """Values requested but not delivered yet (0: the generator cannot advance until asked)."""
        return self._in_flight

    def set_interval(self, ms: int) -> None:
        self._timer.setInterval(max(0, int(ms)))

    def set_batch(self, n: int) -> None:
        self.batch = max(1, int(n))

    def play(self) -> None:
        if self._closed or self._done:
            return
        if not self._timer.isActive():
            self._timer.start()
            self.playingChanged.emit(True)
            self._tick()

    def pause(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.playingChanged.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def step(self, n: int = 1) -> None:
        """Pull exactly ``n`` values (adds to any request in flight)."""
        self._request(int(n))

    def reset(self, make_gen: Callable[[], Iterator[Any]] | None = None) -> None:
        """Stop playing, drop the old generator (its late values too) and start from a fresh one."""
        self.pause()
        if make_gen is not None:
            self._make_gen = make_gen
        self._stop_worker()
        self._done = False

    def shutdown(self, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> bool:
        """Stop playing and join the worker (works even after the Qt side was deleted)."""
        self._closed = True
        try:
            self.pause()
        except RuntimeError:  # the timer went with a deleted parent; the thread is what matters
            pass
        return self._stop_worker(timeout_ms)

    # ---- internals ------------------------------------------------------------------------------
    def _tick(self) -> None:
        if self._in_flight == 0:
            self._request(self.batch)

    def _request(self, n: int) -> None:
        if self._closed or self._done or n <= 0:
            return
        self._ensure_worker()
        self._in_flight += n
        with self._cond:
            self._requested += n
            self._cond.notify()

    def _ensure_worker(self) -> None:
        if self._worker is not None:
            return
        with self._cond:
            self._requested = 0
        self._in_flight = 0
        worker = Worker(self._pump, self._make_gen)
        worker.args += (worker.abort_event,)  # the pump waits on requests *or* this abort
        worker.yielded.connect(self._on_value)
        worker.returned.connect(self._on_exhausted)
        worker.errored.connect(self._on_error)
        self._worker = worker
        worker.start()

    def _pump(self, make_gen, abort: threading.Event):  # worker thread: advance on request only
        gen = make_gen()
        try:
            while True:
                with self._cond:
                    while self._requested <= 0 and not abort.is_set():
                        self._cond.wait(0.1)
                    if abort.is_set():
                        return
                    self._requested -= 1
                try:
                    value = next(gen)
                except StopIteration:
                    return
                yield value
        finally:
            close = getattr(gen, "close", None)
            if close is not None:
                close()

    def _on_value(self, value) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        self.count += 1
        self.stepped.emit(value)

    def _on_exhausted(self, _value) -> None:
        self._done = True
        self._in_flight = 0
        self.pause()
        self.exhausted.emit()

    def _on_error(self, message: str) -> None:
        self._done = True
        self._in_flight = 0
        self.pause()
        self.errored.emit(message)

    def _stop_worker(self, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> bool:
        worker, self._worker = self._worker, None
        self._in_flight = 0
        if worker is None:
            return True
        worker.abort()
        with self._cond:
            self._cond.notify_all()
        return worker.quit(timeout_ms)


class Ticker(QObject):
    """``Ticker(callback, interval_ms)``: ``callback()`` every ``interval_ms`` while ``active``."""

    def __init__(self, callback: Callable[[], None], interval_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(int(interval_ms))
        self._timer.timeout.connect(callback)

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    def set_interval(self, ms: int) -> None:
        self._timer.setInterval(max(0, int(ms)))

    def start(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    cancel = stop

    def toggle(self) -> bool:
        """Start if stopped, stop if running; returns whether it is active now."""
        self.stop() if self.active else self.start()
        return self.active


class Coalescer(QObject):
    """``Coalescer(callback, delay_ms)``: ``request()`` calls ``callback`` once, ``delay_ms`` later.

    Requests while a call is pending fold into it (they do not push it back), so a stream of
    results draws at most once per ``delay_ms``, and the newest data is what gets drawn.
    ``request(delay_ms)`` may give this call's delay (e.g. what a draw clock says is left).
    """

    def __init__(self, callback: Callable[[], None], delay_ms: int = 0, parent: QObject | None = None):
        super().__init__(parent)
        self._callback = callback
        self.requests = 0  # request() calls (tests: many requests, one call)
        self.calls = 0  # callback runs
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(delay_ms))
        self._timer.timeout.connect(self._fire)

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def request(self, delay_ms: int | None = None) -> None:
        self.requests += 1
        if not self._timer.isActive():
            self._timer.start(self._timer.interval() if delay_ms is None else max(0, int(delay_ms)))

    def cancel(self) -> None:
        self._timer.stop()

    def _fire(self) -> None:
        self.calls += 1
        self._callback()


class Throttle(QObject):
    """``Throttle(callback, interval_ms=33)``: ``request()`` runs ``callback`` at most once per interval.

    The first request after a quiet interval runs immediately (a single click feels instant);
    requests during the interval collapse into one call at its end, so the last value always
    gets drawn. A slider drag at 120 events/s then redraws at ~30/s and leaves the GUI thread
    time to paint and to serve timers.
    """

    def __init__(self, callback: Callable[[], None], interval_ms: int = 33, parent: QObject | None = None):
        super().__init__(parent)
        self._callback = callback
        self._pending = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(interval_ms))
        self._timer.timeout.connect(self._on_timeout)

    @property
    def pending(self) -> bool:
        return self._pending

    def request(self) -> None:
        if self._timer.isActive():
            self._pending = True
            return
        self._callback()
        self._timer.start()

    def cancel(self) -> None:
        """Forget a pending call (e.g. the view it would draw is being closed)."""
        self._pending = False
        self._timer.stop()

    def flush(self) -> None:
        """Run a pending call now (e.g. before reading what it draws)."""
        if self._pending:
            self._pending = False
            self._callback()

    def _on_timeout(self) -> None:
        if self._pending:
            self._pending = False
            self._callback()
            self._timer.start()
