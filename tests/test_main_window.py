"""The main window: shortcuts on the visible panel, persistence, clean close, command line.

Most tests use the stand-in panels of tests/fake_panel.py, so they test the window, not a panel.
"""

import json
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
from app.settings_store import settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def window(qtbot, fake_panels):
    w = MainWindow(panel="fake")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    yield w
    w.close()


def test_panels_and_actions_exist(window):
    assert window.objectName() == "mainWindow"
    assert {"activations", "fake", "fake2"} <= set(window.panel_ids())
    assert window.current_panel().objectName() == "fakePanel"
    expected = {"actionPlayPause": ["Space"], "actionStep": ["Right", "N"], "actionReset": ["R"]}
    for name, keys in expected.items():
        action = window.findChild(type(window.actionStep), name)
        assert [s.toString() for s in action.shortcuts()] == keys
        assert action.toolTip()


def test_shortcuts_act_on_the_visible_panel_only(window, qtbot):
    fake = window.current_panel()
    qtbot.waitUntil(lambda: fake.is_ready, timeout=10000)
    with qtbot.waitSignal(fake.stepped, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_Right)
    assert fake.calls == ["step"]
    other = window.show_panel("fake2")
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.keyClick(window, Qt.Key.Key_N)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_R)
    assert other.calls == ["play_pause", "step", "step", "reset"]
    assert fake.calls == ["step"]  # the hidden panel was not touched
    assert window.windowTitle() == "GradLab — Fake 2"


def test_toolbar_play_toggles_label(window, qtbot):
    fake = window.current_panel()
    window.actionPlayPause.trigger()
    assert fake.is_playing() and window.actionPlayPause.text() == "&Pause"
    window.actionPlayPause.trigger()
    assert not fake.is_playing() and window.actionPlayPause.text() == "&Play"


def test_panels_are_imported_when_their_tab_opens(window):
    assert window.built_panel("fake2") is None
    window.tabs.setCurrentIndex(window.panel_ids().index("fake2"))
    assert window.built_panel("fake2") is window.current_panel()


def test_settings_persist_between_windows(qtbot, fake_panels):
    w = MainWindow(panel="fake")
    qtbot.addWidget(w)
    w.show()
    w.current_panel().spin.setValue(7)  # the user changes a control: the state follows
    assert w.current_panel().state().depth == 7
    w.resize(780, 560)  # inside the offscreen screen (800×600), or restoreGeometry clamps it
    w.show_panel("fake2")
    w.close()
    stored = settings().value("panels/fake")
    assert json.loads(stored) == {"depth": 7, "label": "a", "rate": 0.5}
    w2 = MainWindow()
    qtbot.addWidget(w2)
    assert w2.current_panel().panel_id == "fake2"
    assert (w2.width(), w2.height()) == (780, 560)
    assert w2.panel("fake").state() == fake_panels.FakeState(depth=7)
    w2.close()


@pytest.mark.parametrize("stored", ['{"depth": 99}', '{"colour": "red"}', "not json", '[1, 2]'])
def test_a_bad_stored_state_is_dropped_with_a_warning(qtbot, fake_panels, stored, caplog):
    settings().setValue("panels/fake", stored)
    w = MainWindow(panel="fake")
    qtbot.addWidget(w)
    assert w.current_panel().state() == fake_panels.FakeState()  # the defaults, no crash
    assert "dropped the stored settings of the fake panel" in caplog.text
    assert settings().value("panels/fake") is None
    w.close()


def test_close_while_worker_runs_stops_it(qtbot, fake_panels):
    w = MainWindow(panel="fake", persist=False)
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
    w.close()
    assert not p.is_busy()  # the conftest guard checks that no thread survived


@pytest.mark.expect_error
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


@pytest.mark.expect_error
def test_wait_ready_stops_at_an_error(qtbot):
    p = FailingPanel()
    qtbot.addWidget(p)
    import time

    t0 = time.monotonic()
    assert not p.wait_ready(timeout_ms=10000)
    assert time.monotonic() - t0 < 5
    assert p.last_error == "RuntimeError: surface has NaNs" and not p.is_ready
    p.shutdown()


@pytest.mark.expect_error
def test_screenshot_of_a_failing_panel_exits_1(qtbot, monkeypatch, tmp_path, capsys):
    from app.launcher import run

    monkeypatch.setitem(registry.PANELS, "failing", registry.PanelInfo.of(FailingPanel))
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


def test_settings_of_the_release_before_models_are_migrated_once(qtbot, fake_panels, monkeypatch):
    """An old QSettings group ``fake/…`` goes through app.models.fake.migrate_legacy, then is removed."""
    import types

    model = types.ModuleType("app.models.fake")
    model.migrate_legacy = lambda values: {"depth": int(values["depth"])}
    monkeypatch.setitem(sys.modules, "app.models.fake", model)
    store = settings()
    store.setValue("fake/depth", "11")
    w = MainWindow(panel="fake")
    qtbot.addWidget(w)
    assert w.current_panel().state().depth == 11
    assert settings().value("fake/depth") is None
    w.close()
    assert json.loads(settings().value("panels/fake"))["depth"] == 11
