"""Test set-up: offscreen Qt, one BLAS thread, and guards that fail a test that leaves a mess.

Like napari's conftest, every test fails if it leaves a QThread running, a QThreadPool task
active, a Python thread alive, an active QTimer under a top-level widget or the application, or a
child process alive: closing the window mid-work must stop everything. A test also fails if an
error banner showed an error, unless it is marked ``@pytest.mark.expect_error`` (or uses the
``expect_error`` fixture).
"""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import gc  # noqa: E402
import multiprocessing  # noqa: E402
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


def pytest_configure(config):
    config.addinivalue_line("markers", "expect_error: the test shows an error banner on purpose")


def _active_timers() -> list:
    """Active QTimers parented anywhere under a top-level widget or the application."""
    try:
        from PySide6.QtCore import QCoreApplication, QTimer
        from PySide6.QtWidgets import QApplication
    except ImportError:
        return []
    app = QCoreApplication.instance()
    if app is None:
        return []
    roots = [app, *(QApplication.topLevelWidgets() if isinstance(app, QApplication) else [])]
    found = []
    for root in roots:
        try:
            found += [t for t in root.findChildren(QTimer) if t.isActive() and not _qt_own(t)]
        except RuntimeError:  # deleted meanwhile
            pass
    return found


def _qt_own(timer) -> bool:
    """A timer Qt's own widgets keep (e.g. QStatusBar's message timeout): not ours to stop."""
    parent = timer.parent()
    return parent is not None and type(parent).__module__.startswith("PySide6.")


def _timer_name(timer) -> str:
    parent = timer.parent()
    owner = f"{type(parent).__name__}:{parent.objectName()}" if parent is not None else "?"
    return f"{timer.objectName() or 'QTimer'} ({timer.interval()} ms) in {owner}"


@pytest.fixture
def fake_panels(monkeypatch):
    """The stand-in panels of tests/fake_panel.py registered (with their scenes) for one test."""
    import fake_panel
    from app.lecture import catalogue

    fake_panel.install(monkeypatch)
    catalogue.forget()
    yield fake_panel
    catalogue.forget()


@pytest.fixture
def expect_error():
    """Use in a test that shows an error banner on purpose (same as the ``expect_error`` mark)."""
    return True


@pytest.fixture(autouse=True)
def no_unexpected_errors(request):
    """Fail the test if an error banner showed an error it did not expect."""
    try:
        from app.widgets import error_banner
    except ImportError:  # engine-only environments
        yield
        return
    shown: list[str] = []

    def record(message: str) -> None:
        shown.append(message)

    error_banner.log.shown.connect(record)
    yield
    error_banner.log.shown.disconnect(record)
    expected = request.node.get_closest_marker("expect_error") or "expect_error" in request.fixturenames
    if shown and not expected:
        pytest.fail(f"an error banner showed {shown!r} (mark the test expect_error if that is the point)")


@pytest.fixture(autouse=True)
def no_leaked_threads(request):
    """Fail the test if it leaves threads, QThreads, pool tasks, timers or child processes (1 s grace)."""
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
        timers_left = _active_timers()
        children_left = multiprocessing.active_children()
        if not (py_left or qt_left or pool_left or timers_left or children_left) or time.monotonic() > deadline:
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
    if timers_left:
        problems.append(f"QTimers left running: {[_timer_name(t) for t in timers_left]}")
    if children_left:
        problems.append(f"child processes left alive: {[p.name for p in children_left]}")
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
