"""The Initialization panel's lecture scenes, run with the scene runner's protocol (brief/issue #10)."""

import pytest
from scene_panel import shown_panel
from scene_runner import run_scene

from app import i18n
from app.lecture.scene import PARTS
from app.lecture.scenes.init import SCENES
from app.models.init import State
from app.panels.init import InitPanel

panel = shown_panel(InitPanel)


def test_scenes_are_data_with_checks():
    assert [s.name for s in SCENES] == ["init-std-0.01", "init-std-1", "init-xavier", "init-he", "batchnorm"]
    ko = i18n.load_catalogue("ko")
    for scene in SCENES:
        assert scene.panel_id == "init" and scene.part in PARTS and scene.checks, scene.name
        State().merged(scene.state)  # a valid partial State
        texts = (scene.title, scene.explanation, *(c.claim for c in scene.checks))  # the dock shows them all
        assert [t for t in texts if t not in ko] == [], scene.name


@pytest.mark.parametrize("scene", SCENES, ids=[s.name for s in SCENES])
def test_scene_claims_hold_on_the_computed_results(panel, qtbot, scene):
    assert run_scene(panel, scene, qtbot) == []
    assert panel.state() == State().merged(scene.state)
    assert panel.model.up_to_date() and set(panel.model.results) == set(panel.state().active())


def test_checks_measure_results_not_the_setup(panel, qtbot):
    """A scene's checks fail on another scene's results: they measure, they do not restate."""
    by_name = {s.name: s for s in SCENES}
    assert run_scene(panel, by_name["init-std-1"], qtbot) == []
    assert by_name["init-xavier"].check(panel.model)  # no B at all: cannot hold
    assert run_scene(panel, by_name["init-xavier"], qtbot) == []
    assert by_name["init-he"].check(panel.model)  # sigmoid is not ReLU: no spike of zeros
    panel.apply_state(panel.state().replace(samples=200, layers=3))  # smaller, still std 1 vs Xavier
    qtbot.waitUntil(panel.model.up_to_date, timeout=20000)
    assert by_name["init-std-1"].check(panel.model) == []
