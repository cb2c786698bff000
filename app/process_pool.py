"""Run experiment grids in worker *processes*: one per core, no threads anywhere.

Threads cannot run NumPy training in parallel here (the layers are small, the GIL is held for
most of a step), so every core gets its own process. The design avoids the usual leftovers:

* ``ProcessGrid`` (no Qt) starts ``workers`` processes with the **spawn** context, each running
  ``engine.experiments.serve`` on one end of a ``Pipe``. BLAS is pinned to one thread through the
  environment *before* the processes start (spawned children read it when NumPy loads), and
  again with threadpoolctl inside ``serve``: two processes each running 2-thread BLAS on 2
  cores slow both ~100×.
* Work is pulled: a worker says "ready", the parent sends the next spec. ``poll()`` reads every
  pipe without blocking and returns events; nobody waits on a queue, so there is no feeder or
  management thread (``concurrent.futures`` and ``multiprocessing.Queue`` both start one).
* ``cancel()`` terminates every process at once and joins it: nothing is left alive, whatever a
  run was doing. Idle workers are kept for the next grid (spawn costs ~0.5 s each) until
  ``shutdown()``.

``GridRunner`` wraps it for the GUI: a ``QTimer`` polls every 50 ms and re-emits the events as
signals on the GUI thread, with progress and an ETA.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from engine import experiments
from engine.threads import pin_env

MAX_WORKERS = 2  # the target machine's cores; more processes only share them


def default_workers() -> int:
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


@dataclass
class Event:
    """What ``poll`` reports: kind "progress", "result", "error" or "done"."""

    kind: str
    task_id: int = -1
    payload: object = None


class ProcessGrid:
    """``start(specs)``, then ``poll()`` until an Event "done"; ``cancel()``; ``shutdown()``."""

    def __init__(self, workers: int | None = None):
        self.n_workers = int(workers) if workers else default_workers()
        self._ctx = multiprocessing.get_context("spawn")
        self._procs: list = []
        self._conns: list = []
        self._busy: list = []  # task id per worker, or None
        self._queue: list = []  # (task_id, spec) not yet sent
        self.specs: list = []
        self.epochs_done: dict[int, int] = {}
        self.finished: set[int] = set()
        self.running = False

    # ---- control ----------------------------------------------------------------------------
    def start(self, specs) -> None:
        """Queue ``specs`` (a new grid: any grid still running is cancelled first)."""
        if self.running:
            self.cancel()
        self.specs = list(specs)
        self._queue = list(enumerate(self.specs))
        self.epochs_done = {i: 0 for i in range(len(self.specs))}
        self.finished = set()
        self.running = bool(self.specs)
        if self.running:
            self._ensure_processes()
            self._dispatch()

    def _ensure_processes(self) -> None:
        self._reap()
        pin_env(1)  # inherited by the spawned children before their NumPy loads
        while len(self._procs) < min(self.n_workers, max(1, len(self._queue))):
            parent, child = self._ctx.Pipe(duplex=True)
            proc = self._ctx.Process(target=experiments.serve, args=(child,), daemon=True,
                                     name=f"gradlab-grid-{len(self._procs)}")
            proc.start()
            child.close()  # the child has its own copy; ours would keep the pipe open
            self._procs.append(proc)
            self._conns.append(parent)
            self._busy.append("starting")

    def _reap(self) -> None:
        """Forget workers that died (e.g. killed from outside)."""
        keep = [i for i, p in enumerate(self._procs) if p.is_alive()]
        for i in set(range(len(self._procs))) - set(keep):
            self._conns[i].close()
            self._procs[i].join(0.1)
        self._procs = [self._procs[i] for i in keep]
        self._conns = [self._conns[i] for i in keep]
        self._busy = [self._busy[i] for i in keep]

    def cancel(self) -> None:
        """Stop everything at once: terminate and join every worker process."""
        self._queue = []
        self.running = False
        for p in self._procs:
            if p.is_alive():
                p.terminate()
        for p, c in zip(self._procs, self._conns):
            p.join(2.0)
            if p.is_alive():  # SIGTERM ignored: there is no gentler way left
                p.kill()
                p.join(1.0)
            c.close()
        self._procs, self._conns, self._busy = [], [], []

    def shutdown(self) -> None:
        """End the workers (gracefully when idle) and forget them; safe to call twice."""
        if not self.running:
            for c, busy in zip(self._conns, self._busy):
                if busy is None:
                    try:
                        c.send(None)
                    except OSError:
                        pass
            deadline = time.monotonic() + 1.0
            for p in self._procs:
                p.join(max(0.0, deadline - time.monotonic()))
        self.cancel()

    def processes(self) -> list:
        return list(self._procs)

    # ---- events -----------------------------------------------------------------------------
    def _dispatch(self) -> None:
        for i, c in enumerate(self._conns):
            if self._busy[i] is None and self._queue:
                task = self._queue.pop(0)
                try:
                    c.send(task)
                except OSError:  # the worker died: poll() reports it on its next read
                    self._queue.insert(0, task)
                    continue
                self._busy[i] = task[0]

    def poll(self) -> list[Event]:
        """Every message that has arrived (never blocks); "done" once the last run reported."""
        events: list[Event] = []
        if not self.running:
            return events
        for i, c in enumerate(self._conns):
            try:
                while c.poll():
                    msg = c.recv()
                    kind = msg[0]
                    if kind == "ready":
                        self._busy[i] = None
                    elif kind == "progress":
                        self.epochs_done[msg[1]] = msg[2]
                        events.append(Event("progress", msg[1], (msg[2], msg[3])))
                    else:
                        self.finished.add(msg[1])
                        events.append(Event(kind, msg[1], msg[2]))
            except (EOFError, OSError):
                events.append(Event("error", self._busy[i] if isinstance(self._busy[i], int) else -1,
                                    "a worker process died"))
                self.cancel()
                return events
        self._dispatch()
        if len(self.finished) == len(self.specs):
            self.running = False
            events.append(Event("done"))
        return events

    def fraction_done(self) -> float:
        """Share of all epochs trained so far (runs count in epochs: they differ in length)."""
        total = sum(max(1, s.base.epochs or 1) for s in self.specs)
        done = sum(min(self.epochs_done.get(i, 0), s.base.epochs or 1) if i not in self.finished
                   else (s.base.epochs or 1) for i, s in enumerate(self.specs))
        return done / total if total else 1.0

    def run_all(self, specs, poll_s: float = 0.01) -> list:
        """Blocking: every result in spec order (for scripts and the benchmark)."""
        self.start(specs)
        results = [None] * len(self.specs)
        while self.running:
            for e in self.poll():
                if e.kind == "result":
                    results[e.task_id] = e.payload
                elif e.kind == "error":
                    self.cancel()
                    raise RuntimeError(f"run {e.task_id} failed: {e.payload}")
            time.sleep(poll_s)
        return results


class GridRunner(QObject):
    """A ``ProcessGrid`` driven by a QTimer on the GUI thread.

    Signals: ``runFinished(task_id, RunResult)``, ``runFailed(task_id, message)``,
    ``progress(done_runs, total_runs, fraction, eta_seconds or -1)``, ``finished(cancelled)``.
    """

    runFinished = Signal(int, object)
    runFailed = Signal(int, str)
    progress = Signal(int, int, float, float)
    finished = Signal(bool)

    def __init__(self, workers: int | None = None, interval_ms: int = 50, parent: QObject | None = None):
        super().__init__(parent)
        self.grid = ProcessGrid(workers)
        self._timer = QTimer(self)
        self._timer.setInterval(int(interval_ms))
        self._timer.timeout.connect(self._poll)
        self._t0 = 0.0
        self.destroyed.connect(lambda *_a, g=self.grid: g.shutdown())

    @property
    def running(self) -> bool:
        return self.grid.running

    def start(self, specs) -> None:
        self.grid.start(specs)
        self._t0 = time.perf_counter()
        if self.grid.running:
            self._timer.start()
            self.progress.emit(0, len(self.grid.specs), 0.0, -1.0)
        else:
            self.finished.emit(False)

    def cancel(self) -> None:
        """Terminate the workers of a running grid (idle workers are kept for the next one)."""
        self._timer.stop()
        if self.grid.running:
            self.grid.cancel()
            self.finished.emit(True)

    def shutdown(self) -> None:
        try:
            self._timer.stop()
        except RuntimeError:
            pass
        self.grid.shutdown()

    def eta(self) -> float:
        f = self.grid.fraction_done()
        elapsed = time.perf_counter() - self._t0
        return elapsed * (1 - f) / f if f > 0.02 else -1.0

    def _poll(self) -> None:
        events = self.grid.poll()
        for e in events:
            if e.kind == "result":
                self.runFinished.emit(e.task_id, e.payload)
            elif e.kind == "error":
                self.runFailed.emit(e.task_id, str(e.payload))
        if events:
            self.progress.emit(len(self.grid.finished), len(self.grid.specs), self.grid.fraction_done(), self.eta())
        if not self.grid.running:
            self._timer.stop()
            self.finished.emit(False)
