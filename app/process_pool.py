"""Run experiment grids in worker *processes*: one per core, no threads anywhere.

Threads cannot run NumPy training in parallel here (the layers are small, the GIL is held for
most of a step), so every core gets its own process. The design avoids the usual leftovers:

* ``ProcessGrid`` (no Qt) starts ``workers`` processes with the **spawn** context, each running
  ``engine.grid_worker.serve`` on one end of a ``Pipe``. BLAS is pinned to one thread through the
  environment *before* the processes start (spawned children read it when NumPy loads), and
  again with threadpoolctl inside ``serve``: two processes each running 2-thread BLAS on 2
  cores slow both ~100×.
* Work is pulled: a worker says ``WorkerReady``, the parent sends the next ``RunTask``.
  ``poll()`` reads every pipe without blocking and returns the typed messages of
  ``engine.grid_worker`` (``RunStarted``, ``EpochDone``, ``RunFinished``, ``RunFailed``,
  ``GridDone``); nobody waits on a queue, so there is no feeder or management thread
  (``concurrent.futures`` and ``multiprocessing.Queue`` both start one).
* ``cancel()`` terminates every process at once and joins it: nothing is left alive, whatever a
  run was doing. Idle workers are kept for the next grid (spawn costs ~0.5 s each) until
  ``shutdown()``.

``GridRunner`` wraps it for the GUI: a ``Ticker`` (``app.pacing``) polls every 50 ms and re-emits every message
as ``message(object)`` on the GUI thread; the Compare panel's model (``app.models.compare``)
folds them into its table, progress and ETA.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from PySide6.QtCore import QObject, Signal

from app.pacing import Ticker
from engine import grid_worker as msgs
from engine.threads import pin_env

MAX_WORKERS = 2  # the target machine's cores; more processes only share them
#: Worker processes run this much nicer than the GUI: on 2 cores, two busy grid workers would
#: otherwise get as much CPU as the GUI thread and stall its frames (Compare's p99 gap 78 ms).
WORKER_NICENESS = 10


def lower_priority(pid: int, niceness: int = WORKER_NICENESS) -> bool:
    """Make process ``pid`` ``niceness`` nicer than this one (POSIX); False where unsupported."""
    if not hasattr(os, "setpriority"):
        return False
    try:
        own = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, pid, min(19, own + niceness))
        return True
    except OSError:
        return False


def default_workers() -> int:
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


class ProcessGrid:
    """``start(specs)``, then ``poll()`` until a ``GridDone``; ``cancel()``; ``shutdown()``."""

    def __init__(self, workers: int | None = None):
        self.n_workers = int(workers) if workers else default_workers()
        self._ctx = multiprocessing.get_context("spawn")
        self._procs: list = []
        self._conns: list = []
        self._busy: list = []  # task id per worker, or None
        self._queue: list[msgs.RunTask] = []  # not yet sent
        self.specs: list = []
        self.finished: set[int] = set()
        self.running = False

    # ---- control ----------------------------------------------------------------------------
    def start(self, specs) -> None:
        """Queue ``specs`` (a new grid: any grid still running is cancelled first)."""
        if self.running:
            self.cancel()
        self.specs = list(specs)
        self._queue = [msgs.RunTask(i, spec) for i, spec in enumerate(self.specs)]
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
            proc = self._ctx.Process(target=msgs.serve, args=(child,), daemon=True,
                                     name=f"gradlab-grid-{len(self._procs)}")
            proc.start()
            lower_priority(proc.pid)
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
                self._busy[i] = task.task_id

    def poll(self) -> list:
        """Every message that has arrived (never blocks), ``GridDone`` once the last run reported."""
        out: list = []
        if not self.running:
            return out
        for i, c in enumerate(self._conns):
            try:
                while c.poll():
                    msg = c.recv()
                    if isinstance(msg, msgs.WorkerReady):
                        self._busy[i] = None
                        continue
                    if isinstance(msg, (msgs.RunFinished, msgs.RunFailed)):
                        self.finished.add(msg.task_id)
                    out.append(msg)
            except (EOFError, OSError):
                task = self._busy[i] if isinstance(self._busy[i], int) else -1
                out.append(msgs.RunFailed(task, "a worker process died"))
                self.cancel()
                out.append(msgs.GridDone(cancelled=False))
                return out
        self._dispatch()
        if len(self.finished) == len(self.specs):
            self.running = False
            out.append(msgs.GridDone(cancelled=False))
        return out

    def run_all(self, specs, poll_s: float = 0.01) -> list:
        """Blocking: every result in spec order (for scripts and the benchmark)."""
        self.start(specs)
        results = [None] * len(self.specs)
        while self.running:
            for msg in self.poll():
                if isinstance(msg, msgs.RunFinished):
                    results[msg.task_id] = msg.result
                elif isinstance(msg, msgs.RunFailed):
                    self.cancel()
                    raise RuntimeError(f"run {msg.task_id} failed: {msg.message}")
            time.sleep(poll_s)
        return results


class GridRunner(QObject):
    """A ``ProcessGrid`` polled by a ``Ticker`` (``app.pacing``) on the GUI thread.

    ``message(object)``: every message of ``engine.grid_worker`` as it arrives, in order; a
    grid ends with exactly one ``GridDone`` (``cancelled`` True after ``cancel()``).
    """

    message = Signal(object)

    def __init__(self, workers: int | None = None, interval_ms: int = 50, parent: QObject | None = None):
        super().__init__(parent)
        self.grid = ProcessGrid(workers)
        self._timer = Ticker(self._poll, int(interval_ms), self)
        self.destroyed.connect(lambda *_a, g=self.grid: g.shutdown())

    @property
    def running(self) -> bool:
        return self.grid.running

    def start(self, specs) -> None:
        self.grid.start(specs)
        if self.grid.running:
            self._timer.start()
        else:
            self.message.emit(msgs.GridDone(cancelled=False))

    def cancel(self) -> None:
        """Terminate the workers of a running grid (idle workers are kept for the next one)."""
        self._timer.stop()
        if self.grid.running:
            self.grid.cancel()
            self.message.emit(msgs.GridDone(cancelled=True))

    def shutdown(self) -> None:
        try:
            self._timer.stop()
        except RuntimeError:
            pass
        self.grid.shutdown()

    def _poll(self) -> None:
        for msg in self.grid.poll():
            self.message.emit(msg)
        if not self.grid.running:
            self._timer.stop()
