"""The main window: shortcuts on the visible panel, persistence, clean close, command line."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeySequence

from app import panels as registry
from app.main_window import MainWindow
from app.panels.base import Panel

ROOT = Path(__file__).resolve().parents[1]


class RecordingPanel(Panel):
    """A stand-in panel that records the global actions it receives."""

    panel_id = "recording"
    title = "Recording"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.calls = []
        self.mark_ready()

    def play_pause(self):
        self.calls.append("play_pause")

    def step(self):
        self.calls.append("step")
        self.mark_stepped()

    def reset(self):
        self.calls.append("reset")


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setitem(registry.PANELS, "recording", RecordingPanel)
    w = MainWindow(panel="activations")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    yield w
    w.close()


def test_panels_and_actions_exist(window):
    assert window.objectName() == "mainWindow"
    assert {"activations", "recording"} <= set(window.panel_ids())
    assert window.current_panel().objectName() == "activationsPanel"
    expected = {"actionPlayPause": ["Space"], "actionStep": ["Right", "N"], "actionReset": ["R"]}
    for name, keys in expected.items():
        action = window.findChild(type(window.actionStep), name)
        assert [s.toString() for s in action.shortcuts()] == keys
        assert action.toolTip()


def test_shortcuts_act_on_the_visible_panel_only(window, qtbot):
    act = window.current_panel()
    qtbot.waitUntil(lambda: act.is_ready, timeout=10000)
    with qtbot.waitSignal(act.stepped, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_Right)
    assert act.depth_spin.value() == 11
    rec = window.show_panel("recording")
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.keyClick(window, Qt.Key.Key_N)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_R)
    assert rec.calls == ["play_pause", "step", "step", "reset"]
    assert act.depth_spin.value() == 11  # the hidden panel was not touched
    assert window.windowTitle() == "GradLab — Recording"


def test_toolbar_play_toggles_label(window, qtbot):
    act = window.current_panel()
    window.actionPlayPause.trigger()
    assert act.is_playing() and window.actionPlayPause.text() == "&Pause"
    window.actionPlayPause.trigger()
    assert not act.is_playing() and window.actionPlayPause.text() == "&Play"


@pytest.mark.skip(reason="the Activations/Optimizers panels persist through state()/apply_state(); session.py and the window switch to it in the shell part of issue #10")
def test_settings_persist_between_windows(qtbot, monkeypatch):
    monkeypatch.setitem(registry.PANELS, "recording", RecordingPanel)
    w = MainWindow(panel="activations")
    qtbot.addWidget(w)
    w.show()
    p = w.current_panel()
    p.sliders["elu"].setValue(2.5)
    w.resize(780, 560)  # inside the offscreen screen (800×600), or restoreGeometry clamps it
    w.show_panel("recording")
    w.close()
    w2 = MainWindow()
    qtbot.addWidget(w2)
    assert w2.current_panel().panel_id == "recording"
    assert (w2.width(), w2.height()) == (780, 560)
    assert w2.panel("activations").params["elu"]["alpha"] == pytest.approx(2.5)
    w2.close()


def test_close_while_worker_runs_stops_it(qtbot):
    w = MainWindow(panel="activations", persist=False)
    qtbot.addWidget(w)
    w.show()
    p = w.current_panel()
    started = threading.Event()

    def endless():
        started.set()
        while True:
            yield 1

    p.channel("endless").submit(endless)
    assert started.wait(3)
    p.depth_spin.setValue(60)  # and a real computation in flight
    w.close()
    assert not p.is_busy()  # the conftest guard checks that no thread survived


def test_worker_error_reaches_banner_and_status_bar(window, qtbot):
    p = window.current_panel()

    def fails():
        raise ZeroDivisionError("division by zero in the engine")

    with qtbot.waitSignal(p.errorOccurred, timeout=5000):
        p.channel("test").submit(fails)
    assert p.banner.isVisible()
    assert p.banner.message == "ZeroDivisionError: division by zero in the engine"
    assert "division by zero" in window.statusBar().currentMessage()
    qtbot.mouseClick(p.banner.findChild(type(p.banner.children()[-1]), "errorClose"), Qt.MouseButton.LeftButton)
    assert not p.banner.isVisible()


def test_unknown_panel_is_a_value_error(qtbot):
    with pytest.raises(ValueError, match="choose one of"):
        MainWindow(panel="nope", persist=False)


def test_save_image(window, tmp_path):
    out = tmp_path / "panel.png"
    assert window.save_image(str(out))
    assert QImage(str(out)).width() == window.current_panel().width()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--panel", "nope"], "choose one of"),
        (["--size", "12"], "1280x800"),
        (["--steps", "-1"], "between 0"),
        (["--screenshot", "out.jpg"], ".png"),
        (["--bogus"], "unrecognized"),
    ],
)
def test_bad_arguments_exit_non_zero(args, message, capsys):
    from app.launcher import run

    with pytest.raises(SystemExit) as exc:
        run(args)
    assert exc.value.code != 0
    assert message in capsys.readouterr().err


def test_screenshot_command_line(tmp_path):
    out = tmp_path / "shot.png"
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "main.py", "--panel", "activations", "--screenshot", str(out), "--size", "800x600", "--steps", "2"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (800, 600)
    assert not list(tmp_path.glob("GradLab/*"))  # screenshots do not touch the settings
    bad = subprocess.run([sys.executable, "main.py", "--panel", "nope"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "unknown panel 'nope'" in bad.stderr


class FailingPanel(Panel):
    """A panel whose first computation raises: it never becomes ready."""

    panel_id = "failing"
    title = "Failing"

    def __init__(self, parent=None):
        super().__init__(parent)

        def first_computation():
            raise RuntimeError("surface has NaNs")

        self.channel("first").submit(first_computation, on_return=lambda _r: self.mark_ready())


def test_wait_ready_stops_at_an_error(qtbot):
    p = FailingPanel()
    qtbot.addWidget(p)
    # an hour's timeout: only stopping at the error returns (else pytest-timeout fails the test)
    assert not p.wait_ready(timeout_ms=3_600_000)
    assert p.last_error == "RuntimeError: surface has NaNs" and not p.is_ready
    p.shutdown()


def test_screenshot_of_a_failing_panel_exits_1(qtbot, monkeypatch, tmp_path, capsys):
    from app.launcher import run

    monkeypatch.setitem(registry.PANELS, "failing", FailingPanel)
    assert run(["--panel", "failing", "--screenshot", str(tmp_path / "x.png")]) == 1
    assert "the failing panel failed: RuntimeError: surface has NaNs" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_file_open_dataset_opens_the_training_panels_dialog(qtbot, monkeypatch):
    """File ▸ Open dataset shows the Training panel and asks it for its file dialog."""
    from app.main_window import MainWindow
    from app.panels.training import TrainingPanel

    calls = []
    monkeypatch.setattr(TrainingPanel, "open_dataset_dialog", lambda self: calls.append(self))
    window = MainWindow(panel="activations", persist=False)
    qtbot.addWidget(window)
    window.findChild(type(window.actionStep), "actionOpenDataset").trigger()
    assert window.current_panel().panel_id == "training"
    assert calls == [window.current_panel()]
    window.close()
