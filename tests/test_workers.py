"""app.workers: results on the GUI thread, latest wins, no backlog, errors readable, clean stop."""

import threading
import time

import pytest
from PySide6.QtCore import QCoreApplication

from app.pacing import Stepper
from app.workers import Channel, create_worker, live_workers, shutdown_all


def _count(n, delay=0.0):
    for i in range(n):
        if delay:
            time.sleep(delay)
        yield i
    return "done"


def test_generator_values_and_return_reach_gui_thread(qtbot):
    got, threads = [], []
    w = create_worker(_count, 5)
    w.yielded.connect(lambda v: (got.append(v), threads.append(threading.current_thread())))
    with qtbot.waitSignal(w.returned, timeout=3000) as ret:
        w.start()
    qtbot.waitSignal(w.finished, timeout=3000)
    qtbot.waitUntil(lambda: not w.is_running())
    assert got == [0, 1, 2, 3, 4]
    assert ret.args == ["done"]
    assert all(t is threading.main_thread() for t in threads)


def test_exception_becomes_readable_message(qtbot):
    def boom():
        raise ValueError("alpha must be positive")

    w = create_worker(boom)
    with qtbot.waitSignal(w.errored, timeout=3000) as err:
        w.start()
    assert err.args == ["ValueError: alpha must be positive"]
    assert "Traceback" in w.traceback and "boom" in w.traceback
    assert w.wait(3000)


def test_unknown_connect_name_is_rejected():
    with pytest.raises(ValueError, match="yielded"):
        create_worker(_count, 1, _connect={"yield": print})


def test_aborted_worker_late_results_are_dropped(qtbot):
    release = threading.Event()

    def slow():
        release.wait(2)
        yield "late"
        return "late-return"

    got = []
    w = create_worker(slow, _connect={"yielded": got.append, "returned": got.append}, _start=True)
    w.abort()
    release.set()
    assert w.wait(3000)
    QCoreApplication.sendPostedEvents()  # the thread has ended: deliver whatever it queued
    assert got == []


def test_channel_latest_wins_and_coalesces(qtbot):
    ch = Channel("test")
    got = []
    gate = threading.Event()

    def job(v):
        gate.wait(2)
        return v

    for v in range(50):  # a slider drag
        ch.submit(job, v, on_return=got.append)
    gate.set()
    qtbot.waitUntil(lambda: not ch.busy, timeout=3000)
    assert got == [49]
    assert ch.started_count <= 2  # the first one (aborted) and the newest: never a backlog
    assert ch.shutdown()


def test_channel_shutdown_stops_long_generator_promptly(qtbot):
    ch = Channel("long")
    got, produced = [], []

    def long_generator():
        for i in range(10_000):  # ~100 s if nobody stops it
            time.sleep(0.01)
            produced.append(i)
            yield i

    ch.submit(long_generator, on_yield=got.append)
    qtbot.waitUntil(lambda: len(got) > 0, timeout=3000)
    assert ch.shutdown()  # True only once the thread has been joined
    assert not live_workers()
    assert len(produced) < 10_000  # stopped mid-way, not run to its end


def test_stepper_pulls_without_backlog(qtbot):
    produced = []

    def gen():
        i = 0
        while True:
            produced.append(i)
            yield i
            i += 1

    s = Stepper(gen, interval_ms=5)
    seen = []
    s.stepped.connect(seen.append)
    s.step()
    qtbot.waitUntil(lambda: seen == [0], timeout=3000)
    assert produced == [0]  # nothing computed ahead of the request
    s.step(3)
    qtbot.waitUntil(lambda: len(seen) == 4, timeout=3000)
    assert seen == [0, 1, 2, 3] and produced == [0, 1, 2, 3]  # exactly what was asked for
    s.play()
    qtbot.waitUntil(lambda: len(seen) > 10, timeout=3000)
    s.pause()
    assert len(produced) - len(seen) <= 1  # at most the one in flight
    qtbot.waitUntil(lambda: len(produced) == len(seen), timeout=3000)  # a free-running pump never gets here
    s.reset()
    seen.clear()
    s.step()
    qtbot.waitUntil(lambda: seen == [0], timeout=3000)  # a fresh generator
    assert s.shutdown()


def test_stepper_error_stops_and_reports(qtbot):
    def gen():
        yield 1
        raise RuntimeError("diverged")

    s = Stepper(gen, interval_ms=5)
    with qtbot.waitSignal(s.errored, timeout=3000) as err:
        s.play()
    assert err.args == ["RuntimeError: diverged"]
    assert not s.playing
    assert s.shutdown()


def test_shutdown_all_joins_everything(qtbot):
    w = create_worker(_count, 100_000, 0.001, _start=True)
    s = Stepper(lambda: _count(10**9), interval_ms=1)
    s.play()
    qtbot.waitUntil(lambda: len(live_workers()) == 2, timeout=3000)
    assert shutdown_all()
    assert not w.is_running()


def test_deleting_the_owner_stops_its_threads(qtbot):
    """A panel destroyed without shutdown() must not leave its workers running."""
    from PySide6.QtCore import QObject
    from shiboken6 import delete

    parent = QObject()
    s = Stepper(lambda: _count(10**9), interval_ms=1, parent=parent)
    ch = Channel("owned", parent)
    ch.submit(_count, 10**9, 0.001)
    s.play()
    qtbot.waitUntil(lambda: len(live_workers()) == 2, timeout=3000)
    delete(parent)
    assert not live_workers()
    assert shutdown_all()  # and a later global shutdown does not trip over the deleted stepper


def test_keep_running_channel_finishes_current_then_runs_only_the_newest(qtbot):
    ch = Channel("throttle", keep_running=True)
    gate = threading.Event()
    got = []

    def job(v):
        gate.wait(2)
        return v

    for v in range(30):  # a drag during one long computation
        ch.submit(job, v, on_return=got.append)
    gate.set()
    qtbot.waitUntil(lambda: not ch.busy, timeout=3000)
    assert got == [0, 29] and ch.started_count == 2
    assert ch.shutdown()


def test_throttle_runs_first_at_once_and_folds_the_rest(qtbot):
    from app.pacing import Throttle

    calls = []
    t = Throttle(lambda: calls.append(len(calls)), interval_ms=50)
    t.request()
    assert calls == [0]  # the first request is immediate
    for _ in range(20):
        t.request()
    assert calls == [0] and t.pending
    qtbot.waitUntil(lambda: not t.pending, timeout=3000)
    assert len(calls) == 2  # one trailing call for all 20


def test_shutdown_all_survives_qt_objects_deleted_under_it(qtbot):
    """A panel fixture can outlive its C++ side; the window's close must still stop everything."""
    import shiboken6
    from PySide6.QtWidgets import QWidget

    def forever():
        i = 0
        while True:
            i += 1
            yield i

    parent = QWidget()
    stepper = Stepper(forever)
    stepper.setParent(parent)
    seen = []
    stepper.stepped.connect(seen.append)
    Channel("orphan", parent)
    stepper.step(1)
    qtbot.waitUntil(lambda: seen == [1], timeout=3000)  # its worker thread is running
    assert len(live_workers()) == 1
    shiboken6.delete(parent)
    assert shutdown_all()
    assert not live_workers()
