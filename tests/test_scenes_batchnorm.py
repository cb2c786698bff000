"""The Batch norm panel's lecture scene, run with the scene runner's protocol."""

import dataclasses

from scene_panel import shown_panel
from scene_runner import run_scene

from app import i18n
from app.lecture.scenes.batchnorm import SCENES
from app.models.batchnorm import State
from app.panels.batchnorm import BatchNormPanel
from engine import batchnorm_trace as bt

panel = shown_panel(BatchNormPanel)


def test_scenes_are_data_with_checks():
    assert [s.name for s in SCENES] == ["batchnorm-steps"]
    ko = i18n.load_catalogue("ko")
    for scene in SCENES:
        assert scene.panel_id == "batchnorm" and scene.part == "techniques" and scene.checks, scene.name
        texts = (scene.title, scene.explanation, *(c.claim for c in scene.checks))
        assert [t for t in texts if t not in ko] == [], scene.name


def test_batchnorm_steps_holds_and_its_checks_can_fail(panel, qtbot):
    scene = SCENES[0]
    assert run_scene(panel, scene, qtbot) == []
    model = panel.model
    assert model.current().key == "loss"  # the scene starts on y and takes one Step
    assert panel.steps_list.currentRow() == model.index
    assert panel.state() == dataclasses.replace(State().merged(scene.state), step=model.index)
    # momentum 1: the running statistics are the batch's after one batch, so the gap claim fails
    panel.apply_state(dataclasses.replace(panel.state(), momentum=1.0))
    qtbot.waitUntil(model.up_to_date, timeout=5000)
    problems = scene.check(model)
    assert len(problems) == 1 and "differs from the train output" in problems[0]
    # a batch of 8: the unbiased factor is √(7/8), not √(3/4)
    panel.apply_state(State.from_dict(scene.state).with_setup(bt.resized(State().setup(), 8, 3, 1)))
    qtbot.waitUntil(model.up_to_date, timeout=5000)
    assert any("once converged" in p for p in scene.check(model))
