"""The Optimizers panel's lecture scenes, run with the lecture runner's protocol on a real panel."""

import gc

import pytest

from app.lecture.scenes.optimizers import SCENES
from app.models.optimizers import State
from app.panels.optimizers import OptimizersPanel
from tests.scene_runner import run_scene

BY_NAME = {scene.name: scene for scene in SCENES}


@pytest.fixture
def panel(qtbot):
    p = OptimizersPanel(grid_size=80)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    yield p
    assert p.shutdown()
    p._steppers.clear()  # see tests/test_optimizers_panel.py: no stepper wrapper outlives the test
    p.stepper = None
    gc.collect()


def test_every_scene_checks_a_computed_result(panel, qtbot):
    problems = []
    for scene in SCENES:
        assert scene.panel_id == "optimizers" and scene.checks, scene.name
        problems += [f"{scene.name}: {p}" for p in run_scene(panel, scene, qtbot)]
        assert panel.state() == State().merged(scene.state), scene.name  # the scene's set-up is shown
        assert not panel.last_error, panel.last_error
    assert not problems, "\n".join(problems)


def test_scene_set_up_reaches_the_widgets(panel, qtbot):
    from app.models.optimizers import KEYS

    run_scene(panel, BY_NAME["gd-vs-sgd"], qtbot)
    assert panel.surface_combo.currentData() == "data" and panel.batch.value() == 10
    assert [KEYS[i] for i in range(len(KEYS)) if panel.table.is_checked(i)] == ["gd", "sgd"]
    assert panel.step_count == 60 and panel.model.steps == 60
    assert "step 60" in panel.status_label.text()
    run_scene(panel, BY_NAME["learning-rate"], qtbot)
    assert panel.table.item(KEYS.index("sgd"), 2).text().startswith("left the view")


def test_the_checks_can_fail(panel, qtbot):
    """Measured, not restated: the same checks fail on a set-up where the claim is false."""
    adagrad = BY_NAME["adagrad-decay"]
    short = adagrad.__class__(**{**adagrad.__dict__, "steps": 3})
    assert any("< 5 %" in p for p in run_scene(panel, short, qtbot))  # after 3 updates it has not died yet
    saddle = BY_NAME["saddle-point"]
    no_momentum = saddle.__class__(**{**saddle.__dict__, "state": {
        **saddle.state, "lanes": {**saddle.state["lanes"], "momentum": {"enabled": True, "lr": 0.05, "momentum": 0.0}}}})
    assert any("leaves y = 0" in p for p in run_scene(panel, no_momentum, qtbot))
    raw = BY_NAME["adam-bias-correction"]
    same_rate = raw.__class__(**{**raw.__dict__, "state": {  # a third of the rate hides the bias's 3×
        **raw.state, "lanes": {**raw.state["lanes"], "adam_raw": {"enabled": True, "lr": 0.1}}}})
    assert any("about 3 times as long" in p for p in run_scene(panel, same_rate, qtbot))


def test_adam_raw_lane_runs_adam_without_bias_correction(panel, qtbot):
    """The lane's first step is (1−β₁)/√(1−β₂) ≈ 3.16 times Adam's, and the read-out shows its rule."""
    run_scene(panel, BY_NAME["adam-bias-correction"], qtbot)
    ratio = panel.model.effective_step("adam_raw", 1) / panel.model.effective_step("adam", 1)
    assert abs(ratio - 0.1 / 0.001 ** 0.5) < 1e-4
    assert "M̂" not in panel.readout.last_html and "√V + ε" in panel.readout.last_html


def test_every_text_has_a_korean_entry():
    from app import i18n

    ko = i18n.catalogue("ko")
    texts = [t for s in SCENES for t in (s.title, s.explanation, *(c.claim for c in s.checks))]
    assert [t for t in texts if t not in ko] == []


def test_why_adam_measures_its_numbers(panel, qtbot):
    """Issue #15: SGD ends lower with the book's rates; Adam's α_eff differs per axis; Adam's lr range is wider."""
    from app.lecture.scenes.optimizers import _why_adam_rates

    assert not run_scene(panel, BY_NAME["why-adam"], qtbot)
    d = _why_adam_rates()
    assert d["adam_x"] == pytest.approx(0.80, abs=0.01) and d["adam_y"] == pytest.approx(0.21, abs=0.01)
    assert d["sgd_width"] < 2 < 5 < d["adam_width"]
    # the numbers the scene's text quotes: ≈0.013 vs 0.10, α_eff ≈0.8 / 0.2, ranges ≈8× vs ≈1.4×
    from app.lecture.scenes.optimizers import _final_loss

    assert round(_final_loss(panel.model, "sgd"), 3) == 0.013 and round(_final_loss(panel.model, "adam"), 2) == 0.10
    assert round(d["adam_width"]) in (8, 9) and round(d["sgd_width"], 1) == 1.4
    # the first check fails where it is false: give Adam a rate at which it beats SGD
    scene = BY_NAME["why-adam"]
    tuned = scene.__class__(**{**scene.__dict__, "state": {**scene.state, "lanes": {
        **scene.state["lanes"], "sgd": {"enabled": True, "lr": 0.1}}}})
    assert any("SGD ends lower" in p for p in run_scene(panel, tuned, qtbot))
