"""The Activations panel's lecture scenes, run with the lecture runner's protocol on a real panel."""

import pytest

from app.lecture.scenes.activations import SCENES
from app.models.activations import State
from app.panels.activations import ActivationsPanel
from tests.scene_runner import run_scene

BY_NAME = {scene.name: scene for scene in SCENES}


@pytest.fixture
def panel(qtbot):
    p = ActivationsPanel()
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    yield p
    assert p.shutdown()


def test_every_scene_checks_a_computed_result(panel, qtbot):
    problems = []
    for scene in SCENES:
        assert scene.panel_id == "activations" and scene.checks, scene.name
        problems += [f"{scene.name}: {p}" for p in run_scene(panel, scene, qtbot)]
        assert panel.state() == State().merged(scene.state), scene.name  # the scene's set-up is shown
        assert not panel.last_error, panel.last_error
    assert not problems, "\n".join(problems)


def test_scene_set_up_reaches_the_widgets(panel, qtbot):
    run_scene(panel, BY_NAME["dying-relu"], qtbot)
    assert panel.views.currentIndex() == 1 and panel.bias_slider.value() == -1.5
    assert panel.init_combo.currentData() == "he"
    assert [n for n, c in panel.checks.items() if c.isChecked()] == ["relu", "leaky_relu", "elu"]
    assert set(panel.dead_view.items) == {"relu", "leaky_relu", "elu"}
    run_scene(panel, BY_NAME["softmax"], qtbot)
    assert panel.softmax_view.logits() == pytest.approx([0.3, 2.9, 4.0])


def test_the_checks_can_fail(panel, qtbot):
    """Measured, not restated: the same checks fail on a set-up where the claim is false."""
    vanishing = BY_NAME["sigmoid-vanishing"]
    shallow = vanishing.__class__(**{**vanishing.__dict__, "state": {**vanishing.state, "depth": 2}})
    problems = run_scene(panel, shallow, qtbot)
    assert any("< 1e-3" in p for p in problems)
    xavier = vanishing.__class__(**{**vanishing.__dict__, "state": {**vanishing.state, "init": "xavier"}})
    assert any("ReLU's gradient stays within a factor 2" in p for p in run_scene(panel, xavier, qtbot))
    dying = BY_NAME["dying-relu"]
    alive = dying.__class__(**{**dying.__dict__, "state": {**dying.state, "bias": 0.5}})
    assert any("ReLU units are dead" in p for p in run_scene(panel, alive, qtbot))


def test_every_text_has_a_korean_entry():
    from app import i18n

    ko = i18n.catalogue("ko")
    texts = [t for s in SCENES for t in (s.title, s.explanation, *(c.claim for c in s.checks))]
    assert [t for t in texts if t not in ko] == []
