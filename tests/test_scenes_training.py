"""The Training panel's lecture scenes, run with the scene runner's protocol on a real panel.

Each scene trains its book preset to the end (deterministic: fixed seeds) and its checks
measure the run's final train/test accuracies and losses on ``panel.model``.
"""

import gc

import pytest

from app.lecture.scenes.training import SCENES
from app.panels.training import TrainingPanel

#: Long runs: a scene trains 600–903 steps of a 6×100 network with an evaluation every 3 steps
#: (≈ 10–20 s alone; minutes on a loaded machine).
TIMEOUT_MS = 600000
#: The book's runs (their own tests below); the XOR and dropout-ensemble scenes are tested in
#: tests/test_scenes_training_pair.py.
BOOK = tuple(s for s in SCENES if s.name in ("overfitting", "weight-decay", "dropout"))


@pytest.fixture(scope="module")
def panel():
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    p = TrainingPanel(find_cached=False)
    p.resize(1280, 800)
    p.show()
    assert p.wait_ready()
    yield p
    assert p.shutdown()
    p.close()
    p.deleteLater()
    gc.collect()


def run_scene(qtbot, panel, scene):
    """The runner's protocol (app.lecture.scene): reset, defaults + the scene's state, play, wait."""
    if panel.is_playing():
        panel.play_pause()
    panel.reset()
    panel.apply_state(type(panel.state()).from_dict({}).merged(scene.state))
    if scene.play:
        panel.play_pause()
    assert panel.wait_ready(scene.steps), panel.last_error
    if scene.finished is not None:
        qtbot.waitUntil(lambda: scene.finished(panel.model), timeout=TIMEOUT_MS)
    return scene.check(panel.model)


def test_scenes_are_data_with_checks():
    assert [s.name for s in BOOK] == ["overfitting", "weight-decay", "dropout"]
    for scene in SCENES:
        assert scene.panel_id == "training" and scene.checks and scene.play and scene.finished is not None
        from app.models.training import State

        State.from_dict({}).merged(scene.state)  # the partial state is valid


@pytest.mark.parametrize("scene", BOOK, ids=lambda s: s.name)
def test_scene_claims_hold_on_the_trained_run(qtbot, panel, scene):
    problems = run_scene(qtbot, panel, scene)
    assert problems == []
    run = panel.model.run
    assert run.trainer.status == "finished" and panel.state().x_unit == "epoch"
    assert 150 < panel.curves.curves["test_accuracy"].xData[-1] <= run.trainer.epochs  # x in epochs, not steps
    qtbot.waitUntil(lambda: not panel.is_playing(), timeout=5000)  # the worker's last frame lands
    assert panel.last_error == "" and "finished" in panel.status_label.text()


def test_a_check_can_fail(qtbot, panel):
    """The overfitting scene's checks do not hold for an untrained network (they measure)."""
    scene = SCENES[0]
    panel.reset()
    qtbot.waitUntil(lambda: not panel.model.building and panel.model.run.trainer.step_count == 0, timeout=20000)
    assert scene.check(panel.model)  # nothing trained: no accuracy, no fall of the loss
