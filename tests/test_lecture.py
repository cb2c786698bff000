"""The lecture: scenes collected from app.lecture.scenes.<panel_id>, run by the one protocol, shown in the dock.

Uses the stand-in panels and scenes of tests/fake_panel.py (real panels write their own scene
modules and test them in tests/test_scenes_<panel_id>.py).
"""

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu

from app.lecture import catalogue, runner
from app.lecture.scene import PARTS, Check, Scene
from app.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def only_fakes(fake_panels, monkeypatch):
    """The registry holds only the fake panels: the lecture is just the fake scenes."""
    from app import panels as registry

    monkeypatch.setattr(registry, "PANELS", {k: v for k, v in registry.PANELS.items() if k.startswith("fake")})
    catalogue.forget()
    yield fake_panels
    catalogue.forget()


@pytest.fixture
def window(qtbot, only_fakes):
    w = MainWindow(panel="fake", persist=False)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    yield w
    w.close()


def test_catalogue_orders_by_part_then_panel_and_tolerates_missing_modules(only_fakes):
    assert catalogue.names() == ["fake-wrong", "fake-sum"]  # part "activations" comes first
    parts = [scene.part for scene in catalogue.scenes().values()]
    assert parts == sorted(parts, key=list(PARTS).index)
    assert [s.name for s in catalogue.by_part()["optimizers"] if s.panel_id == "fake"] == ["fake-sum"]
    assert catalogue.collect(["no_such_panel"]) == {}
    with pytest.raises(ValueError, match="choose one of"):
        catalogue.get("no-such-scene")


def test_the_runner_follows_the_protocol(qtbot, fake_panels):
    panel = fake_panels.FakePanel()
    qtbot.addWidget(panel)
    panel.apply_state(panel.state().replace(depth=9))  # set before: the scene starts from defaults
    panel.play_pause()
    panel.calls.clear()
    run = runner.run_blocking(catalogue.get("fake-sum"), panel, timeout_ms=10000)
    assert panel.calls == ["play_pause", "reset", "step", "step", "step"]
    assert panel.state() == fake_panels.FakeState(rate=2.0, label="b")  # defaults + the scene's state
    assert run.ok and run.problems == [] and run.message == ""
    assert run.outcomes == [("three steps of 2 add up to 6", None)]
    panel.shutdown()


def test_a_failing_check_is_reported_with_its_measurement(qtbot, fake_panels):
    panel = fake_panels.FakePanel()
    qtbot.addWidget(panel)
    run = runner.run_blocking(catalogue.get("fake-wrong"), panel, timeout_ms=10000)
    assert run.ok is False and run.message == ""
    assert run.problems == ["the total reaches 100: measured 2.0"]
    assert [problem is None for _claim, problem in run.outcomes] == [False, True]
    panel.shutdown()


def test_play_and_finished_wait_for_the_model(qtbot, fake_panels):
    panel = fake_panels.FakePanel()
    qtbot.addWidget(panel)
    scene = Scene("fake-play", "techniques", "Fake: played", "fake", "Plays until five steps.", play=True,
                  finished=lambda m: m.steps >= 5,
                  checks=(Check("five steps ran", lambda m: m.steps, lambda v: v >= 5),))
    run = runner.SceneRun(scene, panel, timeout_ms=10000).start()
    assert panel.is_playing() and run.running
    for _ in range(5):
        panel.step()  # the "animation"
    assert run.wait() and run.outcomes == [("five steps ran", None)]
    panel.play_pause()
    panel.shutdown()


@pytest.mark.expect_error
def test_a_panel_error_ends_the_run_with_a_message(qtbot, fake_panels):
    panel = fake_panels.FakePanel()
    qtbot.addWidget(panel)
    scene = Scene("fake-never", "techniques", "Fake: never", "fake", "Never finishes.", finished=lambda m: False)
    run = runner.SceneRun(scene, panel, timeout_ms=10000).start()
    panel.show_error("the engine broke")
    assert not run.wait() and "the engine broke" in run.message
    panel.shutdown()


def test_the_dock_shows_the_text_then_the_checks(window, qtbot):
    run = window.lecture.open("fake-wrong")
    dock = window.lecture.dock
    assert dock.isVisible() and dock.current == "fake-wrong"
    assert "The total is claimed to be 100." in dock.pane.explanation()
    assert dock.pane.checks() == ""  # not run yet
    with qtbot.waitSignal(run.done, timeout=10000):
        pass
    shown = dock.pane.checks()
    assert "✗ the total reaches 100" in shown and "measured 2.0" in shown and "✓ the model stepped" in shown
    dock.pane.nextRequested.emit()  # fake-wrong (part 1) → fake-sum (part 2)
    assert window.lecture.run.scene.name == "fake-sum" and dock.current == "fake-sum"
    qtbot.waitUntil(lambda: not window.lecture.run.running, timeout=10000)
    assert "✓ three steps of 2 add up to 6" in dock.pane.checks()


def test_menu_lists_scenes_and_toggles_the_dock(window, qtbot):
    assert not window.lecture.has_dock()  # built on first use
    menu = window.findChild(QMenu, "lectureMenu")
    menu.aboutToShow.emit()
    action = window.findChild(type(window.actionStep), "actionScene_fake-sum")
    assert action is not None and action.text() == "Fake: steps add up"
    window.lecture.toggle_action.trigger()
    assert window.lecture.dock.isVisible() and window.lecture.dock.stack.currentIndex() == 0
    assert "fake-sum" in window.lecture.dock.tree.scene_names()
    window.lecture.toggle_action.trigger()
    assert not window.lecture.dock.isVisible()
    action.trigger()
    assert window.current_panel().panel_id == "fake"
    qtbot.waitUntil(lambda: not window.lecture.run.running, timeout=10000)
    assert window.lecture.run.ok


def test_closing_the_window_cancels_a_running_scene(qtbot, fake_panels):
    w = MainWindow(panel="fake", persist=False)
    qtbot.addWidget(w)
    scene = Scene("fake-forever", "techniques", "Fake: forever", "fake", "Waits.", finished=lambda m: False)
    from app.lecture import runner as r

    run = r.SceneRun(scene, w.panel("fake"), 0, parent=w.lecture).start()
    w.lecture.run = run
    w.close()
    assert not run.running  # the conftest also fails the test if its timer still ran


LIST_SCRIPT = """
import sys, types
sys.path.insert(0, "tests")
from app import panels as registry
import fake_panel
from app.lecture.scene import Scene
registry.PANELS.clear()
registry.PANELS["fake"] = registry.PanelInfo.of(fake_panel.FakePanel)
module = types.ModuleType("app.lecture.scenes.fake")
module.SCENES = tuple(Scene(f"scene-{i}", "optimizers", f"Scene {i}", "fake", "x") for i in range(20000))
sys.modules["app.lecture.scenes.fake"] = module
from app.launcher import main
sys.exit(main(["--list-scenes"]))
"""


def test_list_scenes_in_a_closed_pipe_ends_quietly(tmp_path):
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-c", LIST_SCRIPT], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    proc.stderr.close()
    assert first.startswith(b"scene-0")
    assert "Traceback" not in err and "BrokenPipe" not in err, err
