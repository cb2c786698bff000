"""The Compare panel's lecture scenes (app.lecture.scenes.compare), run with the scene runner's
protocol on a real panel with real worker processes, and checked on the finished grid.

The book's grids train bigger networks (about a minute each on two cores): they are marked slow
(CI runs them; deselect locally with -m 'not slow'). The assignment's small grid always runs.
"""

import json
import multiprocessing
from pathlib import Path

import pytest

from app.lecture.scene import PARTS
from app.lecture.scenes.compare import SCENES
from app.models import compare as cm
from app.panels.compare import ComparePanel
from engine import experiments as ex
from engine import grid_worker as msgs

BY_NAME = {s.name: s for s in SCENES}
GRID_SCENES = [s for s in SCENES if "preset" in s.state]
KO_SCENES = {k: v for f in sorted((Path(__file__).parents[1] / "resources/i18n/ko").glob("*.json"))
             for k, v in json.loads(f.read_text(encoding="utf-8")).items()}


@pytest.fixture(scope="module")
def panel(qapp):
    p = ComparePanel(workers=2)
    p.resize(1280, 800)
    p.show()
    yield p
    assert p.shutdown()
    assert not multiprocessing.active_children()
    p.deleteLater()


@pytest.fixture(autouse=True)
def idle_workers_end_after_each_test(request):
    """The conftest fails a test that leaves child processes alive: end the shared panel's idle workers."""
    yield
    if "panel" in request.fixturenames:
        request.getfixturevalue("panel").runner.shutdown()


def run(panel, scene, qtbot, timeout_ms=240000) -> list[str]:
    """The scene runner's protocol (see the brief / app.lecture.scene)."""
    if panel.is_playing():
        panel.play_pause()
    panel.reset()
    panel.apply_state(type(panel.state()).from_dict({}).merged(scene.state))
    if scene.play:
        panel.play_pause()
    assert panel.wait_ready(scene.steps), panel.last_error
    if scene.finished is not None:
        qtbot.waitUntil(lambda: scene.finished(panel.model) or bool(panel.last_error), timeout=timeout_ms)
    assert not panel.last_error
    return scene.check(panel.model)


def test_scenes_are_data_with_checks_and_translated_texts():
    assert list(BY_NAME) == ["batchnorm-training", "regularization-grid", "batchnorm-overfitting", "l1-vs-l2",
                            "assignment-1", "hyperparameter-search"]
    for scene in GRID_SCENES:  # the search scene: tests/test_compare_search.py
        assert scene.panel_id == "compare" and scene.part in PARTS and scene.checks and scene.play
        assert scene.title in KO_SCENES and scene.explanation in KO_SCENES
        state = cm.State().merged(scene.state)
        assert cm.preset_matches(state)  # the preset as loaded, so its note is shown
        assert ex.expand_grid(*state.grid())


def test_assignment_1_runs_its_grid_and_its_claims_hold(qtbot, panel):
    scene = BY_NAME["assignment-1"]
    assert run(panel, scene, qtbot) == []
    assert panel.state() == cm.State().merged(scene.state)
    assert panel.table.model().rowCount() == 4 and "done · 8/8" in panel.progress_bar.format()
    assert not panel.is_playing() and len(panel.runner.grid.processes()) == 2  # idle, kept for the next grid


def _fake_model(preset: str, test_acc: float) -> cm.CompareModel:
    """A finished grid of ``preset`` whose every run ends at ``test_acc`` (no training)."""
    model = cm.CompareModel(cm.preset_state(preset))
    specs = model.plan()
    model.start(specs, list(model.state.vary))
    for i, s in enumerate(specs):
        curves = {k: [1.0, test_acc] for k in ex.CURVES}
        model.consume(msgs.RunFinished(i, ex.RunResult(s.config, s.config_id, s.seed, curves)))
    model.consume(msgs.GridDone())
    return model


@pytest.mark.parametrize("name", [s.name for s in GRID_SCENES])
def test_the_checks_fail_on_results_that_do_not_show_the_claim(name):
    """Every run at chance: the claims about what learns must not hold."""
    scene = BY_NAME[name]
    model = _fake_model(ex.PRESETS[scene.state["preset"]].name, 0.1)
    problems = scene.check(model)
    assert problems and all("measured" in p for p in problems)
    missing = cm.CompareModel(cm.preset_state(scene.state["preset"]))  # nothing ran
    assert len(scene.check(missing)) == len(scene.checks)


@pytest.mark.slow  # the book's grids take about a minute each; CI runs them
@pytest.mark.parametrize("name", ["regularization-grid", "batchnorm-training", "batchnorm-overfitting"])
def test_book_grids_run_and_their_claims_hold(qtbot, panel, name):
    assert run(panel, BY_NAME[name], qtbot) == []


def test_l1_vs_l2_runs_its_grid_and_its_claims_hold(qtbot, panel):
    """16 runs of a 2-32-32-2 network on the moons, about a second each."""
    assert run(panel, BY_NAME["l1-vs-l2"], qtbot) == []
    assert panel.table.model().rowCount() == 8
