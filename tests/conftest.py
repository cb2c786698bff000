"""Test set-up: offscreen Qt, one BLAS thread, and a guard against leaked threads.

Like napari's conftest, every test fails if it leaves a QThread running, a QThreadPool task
active or a Python thread alive: closing the window mid-work must stop everything.
"""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import gc  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import weakref  # noqa: E402

import pytest  # noqa: E402

_started_qthreads: "weakref.WeakSet" = weakref.WeakSet()


def _patch_qthread_start():
    """Record every QThread started during the session so leaks can be found."""
    try:
        from PySide6.QtCore import QThread
    except ImportError:  # engine-only environments
        return
    if getattr(QThread.start, "_gradlab_tracked", False):
        return
    original = QThread.start

    def start(self, *args, **kwargs):
        _started_qthreads.add(self)
        return original(self, *args, **kwargs)

    start._gradlab_tracked = True
    QThread.start = start


_patch_qthread_start()


def _running_qthreads():
    alive = []
    for t in list(_started_qthreads):
        try:
            if t.isRunning():
                alive.append(t)
        except RuntimeError:  # C++ object already deleted: not running
            pass
    return alive


def _pool_active() -> int:
    try:
        from PySide6.QtCore import QThreadPool
    except ImportError:
        return 0
    return QThreadPool.globalInstance().activeThreadCount()


# Python's cyclic GC may run in whatever thread happens to allocate, e.g. an engine worker, and
# collecting Qt wrappers there (or while a worker is mid-job) can crash Qt. As in the app
# (app.main_window.app_instance uses pyqtgraph's GarbageCollector), automatic collection is off
# and every test ends with an explicit collection on the main thread once its threads are gone.
gc.disable()


@pytest.fixture(autouse=True)
def no_leaked_threads(request):
    """Fail the test if it leaves threads, QThreads or pool tasks running (1 s grace)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 1.0
    while True:
        py_left = [
            t for t in threading.enumerate()
            if t not in before and t.is_alive() and not t.name.startswith(("QDBus", "pydevd"))
        ]
        qt_left = _running_qthreads()
        pool_left = _pool_active()
        if not (py_left or qt_left or pool_left) or time.monotonic() > deadline:
            break
        try:
            from PySide6.QtCore import QCoreApplication

            if QCoreApplication.instance() is not None:
                QCoreApplication.processEvents()
        except ImportError:
            pass
        time.sleep(0.01)
    problems = []
    if py_left:
        problems.append(f"Python threads left alive: {[t.name for t in py_left]}")
    if qt_left:
        problems.append(f"QThreads left running: {len(qt_left)}")
    if pool_left:
        problems.append(f"QThreadPool tasks left active: {pool_left}")
    gc.collect()
    if problems:
        pytest.fail("; ".join(problems))


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every test gets its own empty QSettings store (and subprocesses their own XDG config).

    Without this, window geometry and panel settings saved by one test (or by the developer's
    real GradLab) would leak into the next.
    """
    folder = tmp_path / "settings"
    folder.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    try:
        from PySide6.QtCore import QSettings
    except ImportError:  # engine-only environments
        yield folder
        return
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield folder
