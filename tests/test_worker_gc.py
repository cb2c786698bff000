"""Workers and the GUI thread's cyclic GC: a Worker (and its QThread) may only become garbage
once its thread has been joined, or a collection on the GUI thread destroys a running QThread
and the process dies. The stress test repeats what crashed a full test run once: hundreds of
landscape jobs (each deep-copies its model) with ``gc.collect()`` forced on the GUI thread.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.workers import Worker, create_worker, live_workers

ROOT = Path(__file__).resolve().parent.parent


def test_a_worker_stays_alive_until_its_thread_is_joined(qtbot, monkeypatch):
    """If the join after ``finished`` times out (a starved machine), the worker is kept and the
    join retried; ``finished()`` comes only after a successful join."""
    w = create_worker(lambda: 42)
    real_wait = Worker.wait
    calls = []

    def slow_join(self, timeout_ms=3000):
        calls.append(timeout_ms)
        return False if len(calls) == 1 else real_wait(self, timeout_ms)

    monkeypatch.setattr(Worker, "wait", slow_join)
    with qtbot.waitSignal(w.finished, timeout=10_000):
        w.start()
    assert len(calls) >= 2  # the first (failed) join did not release it
    assert not w.is_running() and not live_workers()


STRESS = textwrap.dedent("""
    import faulthandler, gc, os, sys, time
    faulthandler.enable()
    gc.disable()  # as in the app: cyclic GC only where we call it, on the GUI thread
    from PySide6.QtCore import QObject, QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from app.models.landscape import LandscapeModel
    from app.panels.landscape.panel import landscape_job
    from app.workers import Channel, live_workers, shutdown_all
    from engine import landscape as L
    from engine.training_setup import DataSpec, RunSettings

    RUNS = int(sys.argv[1])
    small_settings = L.Settings(data=DataSpec("toy", "spiral", 0.1, 60),
                                network=RunSettings(hidden=(8,), epochs=2, batch_size=16),
                                resolution=9, max_points=10)
    model = LandscapeModel()
    channel = Channel("stress")
    state = {"submitted": 0, "returned": 0}

    class Junk(QObject):
        pass

    def collect():  # Qt wrappers in cycles become garbage, then a full collection
        for _ in range(10):
            j = Junk()
            j.me = j
        gc.collect()

    def submit():
        if state["submitted"] < RUNS:
            state["submitted"] += 1
            channel.submit(landscape_job, model, small_settings, on_return=lambda _r: state.__setitem__("returned", state["returned"] + 1))
            if state["submitted"] % 5 == 0 and state["submitted"] < RUNS:  # also abort some mid-run
                state["submitted"] += 1
                channel.submit(landscape_job, model, small_settings, on_return=lambda _r: state.__setitem__("returned", state["returned"] + 1))

    timer = QTimer()
    timer.timeout.connect(collect)
    timer.start(0)
    channel.idle.connect(submit)
    submit()
    while state["submitted"] < RUNS or channel.busy:
        app.processEvents()
    timer.stop()
    assert shutdown_all() and not live_workers()
    gc.collect()
    print("ok", state)
""")


@pytest.mark.slow
def test_hundreds_of_worker_runs_survive_gc_on_the_gui_thread(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), PYTHONFAULTHANDLER="1")
    done = subprocess.run([sys.executable, "-c", STRESS, "300"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0 and done.stdout.startswith("ok"), \
        f"exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-6000:]}"
