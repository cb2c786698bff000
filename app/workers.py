"""Run engine functions and generators off the GUI thread, napari-style.

The engine is plain Python (functions and generators, no Qt); this module is the only bridge.
Two tools, from low to high level:

``Worker`` / ``create_worker(func, *args, **kwargs)``
    One run of ``func`` in its own ``QThread``. A generator's yielded values arrive on the GUI
    thread through ``yielded``, its return value through ``returned``; an exception becomes a
    readable one-line ``errored(str)`` message (the full traceback is kept in
    ``worker.traceback`` and logged), never a lost traceback. ``abort()`` asks a generator to
    stop at its next ``yield`` and drops every result still in flight, so a late result of an
    aborted worker never reaches a slot.

``Channel``
    A latest-wins lane, e.g. one per plot. ``submit(func, ...)`` aborts the running worker and
    remembers only the newest request; it starts when the aborted one has stopped. A slider drag
    that submits 200 requests therefore runs at most two computations, never a backlog.
    ``Channel(keep_running=True)`` is the throttle variant for work that takes longer than the
    gap between slider ticks: the running job finishes (and is shown), then the newest waiting
    request runs, so a drag shows updates at the computation's pace instead of none at all.

Animation and redraw pacing (the timer-driven ``Stepper``, ``Throttle``, ``Ticker`` and
``Coalescer``) lives in ``app.pacing``, built on these workers; a pacing object that owns a
thread registers itself with ``register_stoppable`` so ``shutdown_all()`` stops it too.

Slots receive results on the GUI thread only (every hop is a queued connection to a QObject
that lives there). ``shutdown_all()`` stops and joins every live thread, for window close and
for the tests' leaked-thread guard.
"""

from __future__ import annotations

import atexit
import inspect
import logging
import sys
import threading
import traceback as _traceback
import weakref
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, QTimer, Qt, Signal, Slot

log = logging.getLogger(__name__)

#: Workers whose thread may still be running; keeps Python wrappers alive until it has stopped
#: (a QThread garbage-collected while running aborts the process).
_LIVE: set["Worker"] = set()
#: Objects with a ``shutdown(timeout_ms)`` that own a worker (``app.pacing.Stepper``).
_STOPPABLES: weakref.WeakSet = weakref.WeakSet()
_ALL_CHANNELS: "weakref.WeakSet[Channel]" = weakref.WeakSet()

DEFAULT_TIMEOUT_MS = 3000
#: The GIL switch interval while a worker thread runs (Python's default is 5 ms): a GUI event
#: that needs the GIL waits at most about this long for a pure-Python stretch of a worker.
RESPONSIVE_SWITCH_S = 0.0005
_default_switch_s: float | None = None


def responsive_gil(on: bool) -> None:
    """Shorten the GIL switch interval while workers run (``on``), restore it when none do.

    A worker running Python code keeps the GIL for up to ``sys.getswitchinterval()`` before the
    GUI thread gets it; at the default 5 ms a timer tick or paint can wait several such turns.
    0.5 ms costs the worker a little throughput and removes most of that wait. Called by
    ``Worker`` when the first thread starts and the last one has been joined.
    """
    global _default_switch_s
    if on and _default_switch_s is None:
        _default_switch_s = sys.getswitchinterval()
        sys.setswitchinterval(min(_default_switch_s, RESPONSIVE_SWITCH_S))
    elif not on and _default_switch_s is not None:
        sys.setswitchinterval(_default_switch_s)
        _default_switch_s = None


def error_message(exc: BaseException) -> str:
    """A one-line, user-readable description of ``exc`` (type and message)."""
    text = str(exc).strip() or "(no message)"
    return f"{type(exc).__name__}: {text}"


class _Thread(QThread):
    """The thread that runs one job; signals hop to the owning ``Worker`` by queued connection."""

    sig_yielded = Signal(object)
    sig_returned = Signal(object)
    sig_errored = Signal(str, str)

    def __init__(self, job: Callable[["_Thread"], None], abort_event: threading.Event):
        super().__init__()
        self._job = job
        self.abort_event = abort_event

    def run(self):  # runs in the worker thread
        try:
            job = self._job
            if job is not None:
                job(self)
        finally:
            _forget_dummy_thread()

    def release_job(self) -> None:
        """Drop the reference to the job (the owning Worker's method) once the thread is joined."""
        self._job = None


def _forget_dummy_thread() -> None:
    """Drop the ``threading._DummyThread`` Python made if code here called ``current_thread()``.

    Python registers a never-ending dummy for every foreign (Qt) thread that asks for its
    ``current_thread()`` (logging and threadpoolctl do); it would look like a leaked thread.
    """
    ident = threading.get_ident()
    with threading._active_limbo_lock:  # noqa: SLF001 - no public API for this
        if isinstance(threading._active.get(ident), threading._DummyThread):  # noqa: SLF001
            del threading._active[ident]  # noqa: SLF001


class Worker(QObject):
    """One run of ``func(*args, **kwargs)`` in a worker thread.

    Signals (all delivered on the GUI thread, never after ``abort()``):
      ``started()``, ``yielded(value)`` for each value a generator yields,
      ``returned(value)`` for the return value, ``errored(message)`` if it raised,
      ``finished()`` always last (also after an abort), once the thread has stopped.
    """

    started = Signal()
    yielded = Signal(object)
    returned = Signal(object)
    errored = Signal(str)
    finished = Signal()

    def __init__(self, func: Callable[..., Any], *args: Any, **kwargs: Any):
        super().__init__()
        self.func, self.args, self.kwargs = func, args, kwargs
        self.traceback: str = ""
        self.error: str = ""
        self._aborted = False
        self._done = False
        #: Set by ``abort()``; a long job may poll it (``app.pacing.Stepper`` does) to stop between units.
        self.abort_event = threading.Event()
        self._thread = _Thread(self._run_job, self.abort_event)
        q = Qt.ConnectionType.QueuedConnection
        self._thread.sig_yielded.connect(self._on_yielded, q)
        self._thread.sig_returned.connect(self._on_returned, q)
        self._thread.sig_errored.connect(self._on_errored, q)
        self._thread.finished.connect(self._on_finished, q)

    # ---- control (GUI thread) -------------------------------------------------------------
    def start(self) -> "Worker":
        """Start the thread (once); returns self for chaining."""
        if not self._thread.isRunning() and not self._done:
            _LIVE.add(self)
            responsive_gil(True)
            self._thread.start()
            self.started.emit()
        return self

    def abort(self) -> None:
        """Ask the job to stop at its next yield; results not yet delivered are dropped."""
        self._aborted = True
        self.abort_event.set()

    @property
    def aborted(self) -> bool:
        return self._aborted

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> bool:
        """Block until the thread stopped (True) or ``timeout_ms`` passed (False)."""
        return self._thread.wait(int(timeout_ms))

    def quit(self, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> bool:
        """Abort and join: the thread is gone when this returns True."""
        self.abort()
        ok = self.wait(timeout_ms)
        if ok:
            self._on_finished()
        return ok

    # ---- the job (worker thread) ----------------------------------------------------------
    def _run_job(self, thread: _Thread) -> None:
        abort = thread.abort_event
        try:
            result = self.func(*self.args, **self.kwargs)
            if inspect.isgenerator(result):
                gen = result
                result = None
                try:
                    while not abort.is_set():
                        try:
                            value = next(gen)
                        except StopIteration as stop:
                            result = stop.value
                            break
                        if abort.is_set():
                            break
                        thread.sig_yielded.emit(value)
                finally:
                    gen.close()
            if not abort.is_set():
                thread.sig_returned.emit(result)
        except Exception as exc:  # noqa: BLE001 - every error must reach the user
            thread.sig_errored.emit(error_message(exc), _traceback.format_exc())

    # ---- relays (GUI thread): drop everything once aborted --------------------------------
    @Slot(object)
    def _on_yielded(self, value):
        if not self._aborted:
            self.yielded.emit(value)

    @Slot(object)
    def _on_returned(self, value):
        if not self._aborted:
            self.returned.emit(value)

    @Slot(str, str)
    def _on_errored(self, message, tb):
        self.error, self.traceback = message, tb
        log.error("worker %s failed: %s\n%s", getattr(self.func, "__name__", self.func), message, tb)
        if not self._aborted:
            self.errored.emit(message)

    @Slot()
    def _on_finished(self):
        if self._done:
            return
        # finished() fires just before the thread ends. Only a joined thread may leave _LIVE:
        # otherwise the next cyclic GC on the GUI thread could destroy a still-running QThread
        # (Qt aborts the process). On a starved machine the join can take long: try again later.
        if not self.wait(DEFAULT_TIMEOUT_MS):
            QTimer.singleShot(100, self._on_finished)
            return
        self._done = True
        self._thread.release_job()  # no Worker ↔ thread cycle: freed by refcount, not by a GC pass
        _LIVE.discard(self)
        if not _LIVE:
            responsive_gil(False)
        self.finished.emit()


def create_worker(
    func: Callable[..., Any],
    *args: Any,
    _start: bool = False,
    _connect: dict[str, Callable] | None = None,
    **kwargs: Any,
) -> Worker:
    """A ``Worker`` for ``func(*args, **kwargs)``; ``_connect`` maps signal names to slots.

    >>> w = create_worker(engine_gen, 3, _connect={"yielded": plot.update}, _start=True)
    """
    worker = Worker(func, *args, **kwargs)
    for name, slot in (_connect or {}).items():
        if name not in ("started", "yielded", "returned", "errored", "finished"):
            raise ValueError(
                f"unknown worker signal {name!r}; choose one of: started, yielded, returned, errored, finished"
            )
        getattr(worker, name).connect(slot)
    if _start:
        worker.start()
    return worker


class Channel(QObject):
    """A latest-wins lane of work: one running worker at most, and only the newest request queued.

    ``submit(func, *args, on_yield=..., on_return=..., **kwargs)`` aborts the running worker
    (its late results are dropped) and starts the new request as soon as the old thread has
    stopped; if another request arrives meanwhile it replaces the waiting one. Errors of the
    current request are re-emitted as ``errored(message)``; ``idle()`` fires when nothing runs
    or waits any more.
    """

    errored = Signal(str)
    idle = Signal()

    def __init__(self, name: str = "", parent: QObject | None = None, keep_running: bool = False):
        super().__init__(parent)
        self.name = name
        self.keep_running = keep_running
        self._current: Worker | None = None
        self._pending: tuple | None = None
        self._closed = False
        stop_on_destroy(self, lambda: self._current)
        _ALL_CHANNELS.add(self)
        self.submitted = 0  # requests received
        self.started_count = 0  # requests that actually ran (the rest were coalesced away)

    @property
    def busy(self) -> bool:
        return self._current is not None or self._pending is not None

    @property
    def current(self) -> Worker | None:
        return self._current

    def submit(
        self,
        func: Callable[..., Any],
        *args: Any,
        on_yield: Callable[[Any], None] | None = None,
        on_return: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """Run ``func(*args, **kwargs)`` as the newest request of this channel (see class doc)."""
        if self._closed:
            return
        self.submitted += 1
        self._pending = (func, args, kwargs, on_yield, on_return, on_error)
        if self._current is not None:
            if not self.keep_running:
                self._current.abort()  # its finished() starts the pending request
        else:
            self._start_pending()

    def cancel(self) -> None:
        """Drop the waiting request and abort the running one."""
        self._pending = None
        if self._current is not None:
            self._current.abort()

    def shutdown(self, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> bool:
        """Cancel everything, join the thread and refuse further work. True if it stopped."""
        self._closed = True
        self._pending = None
        worker, self._current = self._current, None
        return worker.quit(timeout_ms) if worker is not None else True

    def _start_pending(self) -> None:
        if self._pending is None or self._closed:
            return
        func, args, kwargs, on_yield, on_return, on_error = self._pending
        self._pending = None
        worker = Worker(func, *args, **kwargs)
        if on_yield is not None:
            worker.yielded.connect(on_yield)
        if on_return is not None:
            worker.returned.connect(on_return)
        if on_error is not None:
            worker.errored.connect(on_error)
        worker.errored.connect(self.errored)
        worker.finished.connect(lambda w=worker: self._on_worker_finished(w))
        self._current = worker
        self.started_count += 1
        worker.start()

    def _on_worker_finished(self, worker: Worker) -> None:
        if worker is not self._current:
            return
        self._current = None
        try:
            if self._pending is not None:
                self._start_pending()
            else:
                self.idle.emit()
        except RuntimeError:  # the channel's parent was deleted meanwhile: nothing to report to
            self._closed, self._pending = True, None


def stop_on_destroy(owner: QObject, current_worker: Callable[[], "Worker | None"]) -> None:
    """Abort and join ``current_worker()`` when ``owner``'s C++ object is deleted.

    A panel deleted without ``shutdown()`` (e.g. its window was destroyed) takes its channels
    and steppers with it; their threads must not outlive them and run into a deleted object.
    """

    def stop(*_args):
        try:
            worker = current_worker()
        except RuntimeError:
            return
        if worker is not None:
            worker.quit(DEFAULT_TIMEOUT_MS)

    owner.destroyed.connect(stop)


def register_stoppable(obj) -> None:
    """Let ``shutdown_all()`` call ``obj.shutdown(timeout_ms)`` (held weakly; e.g. a ``Stepper``)."""
    _STOPPABLES.add(obj)


def live_workers() -> list[Worker]:
    """Workers whose thread has not been joined yet."""
    return [w for w in list(_LIVE) if w.is_running()]


def shutdown_all(timeout_ms: int = DEFAULT_TIMEOUT_MS) -> bool:
    """Stop every stepper and worker of the process and join their threads. True if all stopped."""
    ok = True
    for channel in list(_ALL_CHANNELS):  # first, or a stopped worker would start a waiting request
        ok = channel.shutdown(timeout_ms) and ok
    for stoppable in list(_STOPPABLES):
        ok = stoppable.shutdown(timeout_ms) and ok  # never raises, even for a deleted stepper
    for worker in list(_LIVE):
        ok = worker.quit(timeout_ms) and ok
    return ok


# Last line of defence: a script that never closes its window must not end the interpreter with
# threads running ("QThread: Destroyed while thread is still running" aborts the process).
atexit.register(shutdown_all)
