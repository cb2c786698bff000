"""The Backprop panel's lecture scenes, run with the scene runner's protocol (brief/issue #10)."""

import dataclasses

from scene_panel import shown_panel
from scene_runner import run_scene

from app import i18n
from app.lecture.scenes.backprop import SCENES
from app.models.backprop import State
from app.panels.backprop import BackpropPanel

panel = shown_panel(BackpropPanel)


def test_scenes_are_data_with_checks():
    assert [s.name for s in SCENES] == ["sigmoid-zigzag", "assignment-2"]
    ko = i18n.load_catalogue("ko")
    for scene in SCENES:
        assert scene.panel_id == "backprop" and scene.checks, scene.name
        texts = (scene.title, scene.explanation, *(c.claim for c in scene.checks))  # the dock shows them all
        assert [t for t in texts if t not in ko] == [], scene.name


def test_zigzag_ends_on_the_update_with_one_sign(panel, qtbot):
    scene = SCENES[0]
    assert run_scene(panel, scene, qtbot) == []
    model = panel.model
    assert model.setup().sizes == (2, 3, 1) and model.index == model.n_steps - 1
    assert model.current().phase == "update"
    assert panel.steps_list.currentRow() == model.index  # the view shows the model's step
    tanh = State.from_dict(scene.state).replace(activation="tanh", step=0)
    panel.apply_state(tanh)
    qtbot.waitUntil(model.up_to_date, timeout=5000)
    assert scene.check(model)  # tanh outputs have both signs: so do the gradients


def test_assignment_2_starts_the_backward_pass(panel, qtbot):
    scene = SCENES[1]
    assert run_scene(panel, scene, qtbot) == []
    model = panel.model
    assert model.current().phase == "backward" and model.trace.steps[model.index - 1].phase == "loss"
    assert panel.state() == State().merged(scene.state)
    # with a linear output a learning rate far too big overshoots: the loss rises, the check says so
    panel.apply_state(dataclasses.replace(panel.state(), loss="mse_identity", lr=5.0))
    qtbot.waitUntil(model.up_to_date, timeout=5000)
    assert scene.check(model) and "lowers the loss" in scene.check(model)[0]
