"""The experiment grid's worker process and the typed messages it exchanges with the GUI.

Worker processes (``app.process_pool``) and the Compare panel's model
(``app.models.compare``) talk only in these frozen, picklable dataclasses, defined once here
next to the loop that sends them, instead of tuples read by index:

    parent → worker   ``RunTask(task_id, spec)``; ``None`` ends the worker
    worker → parent   ``WorkerReady()`` (pool-internal: "send me the next task"),
                      ``RunStarted``, ``EpochDone`` after every epoch, then ``RunFinished``
                      (with the ``RunResult``) or ``RunFailed`` (with the error's text)
    pool → GUI        the worker's messages above, plus ``GridDone(cancelled)`` once per grid

``task_id`` is the index of the run in the grid's list of ``RunSpec`` s.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.experiments import RunResult, RunSpec, run_one


@dataclass(frozen=True)
class RunTask:
    """Parent → worker: train ``spec``, the grid's run number ``task_id``."""

    task_id: int
    spec: RunSpec


@dataclass(frozen=True)
class WorkerReady:
    """Worker → pool: idle, send the next ``RunTask`` (never reaches the GUI)."""


@dataclass(frozen=True)
class RunStarted:
    """A worker began run ``task_id``."""

    task_id: int


@dataclass(frozen=True)
class EpochDone:
    """Run ``task_id`` finished ``epoch`` of its ``epochs``."""

    task_id: int
    epoch: int
    epochs: int


@dataclass(frozen=True)
class RunFinished:
    """Run ``task_id`` trained to its end (``result.status`` may still say "diverged")."""

    task_id: int
    result: RunResult


@dataclass(frozen=True)
class RunFailed:
    """Run ``task_id`` raised (``message`` = "Type: text"); -1 when no run can be named."""

    task_id: int
    message: str


@dataclass(frozen=True)
class GridDone:
    """Every run of the grid reported (``cancelled`` False), or the grid was cancelled."""

    cancelled: bool = False


#: What the GUI's model consumes, in the order a run sends them.
RUN_MESSAGES = (RunStarted, EpochDone, RunFinished, RunFailed, GridDone)


def serve(conn) -> None:
    """A worker process's loop: ``WorkerReady`` out, a ``RunTask`` in (``None`` ends it), then
    ``RunStarted``, ``EpochDone`` per epoch and ``RunFinished`` or ``RunFailed`` out.

    Runs in a fresh (spawned) process whose parent already pinned BLAS to one thread through the
    environment; ``threadpoolctl`` pins it again in case the environment was not honoured.
    """
    try:
        from engine.threads import limit_blas_threads

        limit_blas_threads(1)
    except ImportError:  # threadpoolctl missing: the environment variables still apply
        pass
    while True:
        conn.send(WorkerReady())
        task = conn.recv()
        if task is None:
            return
        conn.send(RunStarted(task.task_id))
        try:
            result = run_one(task.spec, progress=lambda e, n, t=task.task_id: conn.send(EpochDone(t, e, n)))
        except Exception as exc:  # noqa: BLE001 - reported to the GUI, never lost
            conn.send(RunFailed(task.task_id, f"{type(exc).__name__}: {exc}"))
            continue
        conn.send(RunFinished(task.task_id, result))
