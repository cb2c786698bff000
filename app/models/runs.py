"""The bookkeeping of a batch of runs in worker processes: which reported, how far, time left.

The Compare panel runs two kinds of batches through the same worker processes
(``app.process_pool``): the experiment grid (``app.models.compare``) and the random
hyperparameter search (``app.models.hparam_search``). Both fold the same typed messages of
``engine.grid_worker`` into the same progress and ETA, so that logic lives once, here, and
both models subclass :class:`RunBook`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from engine import datasets, experiments, grid_worker as msgs
from engine.training_setup import DataSpec

#: The image set's data choice; the others are the 2-D toy sets of ``engine.datasets``.
DIGITS = "digits"


def data_names() -> list[str]:
    """What a batch of runs can train on: the toy sets, then the synthetic digits."""
    return [e.name for e in datasets.REGISTRY.entries()] + [DIGITS]


def data_spec(name: str, size: int, held_out: float) -> DataSpec:
    """``size`` samples of data ``name`` with the share ``held_out`` split off (noise 0.1 for
    the toy sets, none for the digits)."""
    source = "digits" if name == DIGITS else "toy"
    return DataSpec(source, name, 0.1 if source == "toy" else 0.0, size, held_out)


@dataclass(frozen=True)
class Progress:
    """How far the batch is: runs finished of all, share of all epochs trained, seconds left."""

    done: int
    total: int
    fraction: float
    eta: float  # -1: not known yet


class RunBook:
    """``start(specs)``, then ``consume(msg)`` for every worker message; ``progress()``."""

    def __init__(self, clock=time.perf_counter):
        self._clock = clock
        self.specs: list[experiments.RunSpec] = []
        self.results: dict[int, experiments.RunResult] = {}
        self.failed: dict[int, str] = {}
        self.started: set[int] = set()
        self.epochs_done: dict[int, int] = {}
        self.status = "idle"  # idle, running, done or cancelled
        self._t0 = 0.0

    def start_runs(self, specs) -> None:
        """A new batch of ``specs``: forget the last one's results."""
        self.specs = list(specs)
        self.results, self.failed, self.started, self.epochs_done = {}, {}, set(), {}
        self.status = "running" if self.specs else "done"
        self._t0 = self._clock()

    def clear_runs(self) -> None:
        """Forget the batch and its results."""
        self.specs = []
        self.results, self.failed, self.started, self.epochs_done = {}, {}, set(), {}
        self.status = "idle"

    def consume(self, msg) -> None:
        """Fold one message of ``engine.grid_worker`` into the results and the progress."""
        if isinstance(msg, msgs.RunStarted):
            self.started.add(msg.task_id)
        elif isinstance(msg, msgs.EpochDone):
            self.epochs_done[msg.task_id] = msg.epoch
        elif isinstance(msg, msgs.RunFinished):
            self.results[msg.task_id] = msg.result
            self.results_changed()
        elif isinstance(msg, msgs.RunFailed):
            self.failed[msg.task_id] = msg.message
        elif isinstance(msg, msgs.GridDone):
            self.status = "cancelled" if msg.cancelled else "done"
        else:
            raise TypeError(f"not a grid message: {msg!r}")

    def results_changed(self) -> None:
        """Hook: a run finished (subclasses drop what they computed from the results)."""

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def finished(self) -> bool:
        """The last batch ran to its end (every run reported)."""
        return self.status == "done" and bool(self.specs)

    def label(self, task_id: int) -> str:
        """Run ``task_id``'s configuration, "" if there is no such run."""
        return self.specs[task_id].label if 0 <= task_id < len(self.specs) else ""

    def progress(self) -> Progress:
        """Runs done, the share of all epochs trained (runs differ in length) and the ETA."""
        total = sum(max(1, s.base.epochs or 1) for s in self.specs)
        reported = set(self.results) | set(self.failed)
        done = sum((s.base.epochs or 1) if i in reported else min(self.epochs_done.get(i, 0), s.base.epochs or 1)
                   for i, s in enumerate(self.specs))
        fraction = done / total if total else 1.0
        elapsed = self._clock() - self._t0
        eta = elapsed * (1 - fraction) / fraction if self.running and fraction > 0.02 else -1.0
        return Progress(len(reported), len(self.specs), fraction, eta)
