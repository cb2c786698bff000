"""The Training panel's comparison scenes (issue #11): XOR, and dropout as an ensemble.

Both run with the scene runner's protocol on a real panel; their checks measure the trained
networks on ``panel.model`` (the comparison lives in ``app.models.training_pair``), and the
second boundary view shows the comparison's grid and numbers.
"""

import gc

import numpy as np
import pytest

from app.lecture.scenes.training import SCENES
from app.models.training import State, TrainingModel, build_run
from app.models.training_pair import ENSEMBLE, EnsemblePartner, Partner
from app.panels.training import TrainingPanel
from tests.scene_runner import run_scene

PAIR = {s.name: s for s in SCENES if s.name in ("xor", "dropout-ensemble")}
TIMEOUT_MS = 120000


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


def test_both_scenes_exist_with_checks():
    assert set(PAIR) == {"xor", "dropout-ensemble"}
    for scene in PAIR.values():
        assert scene.checks and scene.play and scene.finished is not None
        assert State.from_dict({}).merged(scene.state).compare in ("identity", ENSEMBLE)


def test_the_partner_trains_on_the_same_batches():
    """Same seed, same data: with the *same* activation the partner is the main network's twin."""
    model = TrainingModel(State.from_dict({}).merged({**PAIR["xor"].state, "compare": "relu"}))
    run = build_run(*model.build_args())
    assert isinstance(run.partner, Partner)
    for _ in range(25):
        run.trainer.step()
        run.partner.step()
    for a, b in zip(run.trainer.model.params, run.partner.trainer.model.params):
        np.testing.assert_array_equal(a, b)


def test_the_ensemble_leaves_training_alone():
    """Computing the ensemble between steps draws no training mask: the run stays the same."""
    state = State.from_dict({}).merged(PAIR["dropout-ensemble"].state)
    plain = build_run(*TrainingModel(state.replace(compare="")).build_args())
    paired = build_run(*TrainingModel(state).build_args())
    assert isinstance(paired.partner, EnsemblePartner)
    for _ in range(10):
        plain.trainer.step()
        paired.trainer.step()
        paired.partner.view(paired.data.bounds, 20)
    for a, b in zip(plain.trainer.model.params, paired.trainer.model.params):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["xor", "dropout-ensemble"])
def test_scene_claims_hold_and_the_pair_is_shown(qtbot, panel, name):
    scene = PAIR[name]
    assert run_scene(panel, scene, qtbot, timeout_ms=TIMEOUT_MS) == []
    qtbot.waitUntil(lambda: not panel.is_playing(), timeout=5000)
    pair = panel.boundary_pair
    assert pair.partner.isVisible() and panel.view_stack.currentWidget() is pair
    qtbot.waitUntil(lambda: pair.partner.grid is not None and pair.readout.text() != "", timeout=5000)
    assert pair.partner.grid["probs"].shape[-1] == 2 and pair.partner.grid["probs"].shape[0] in (40, 80)
    run = panel.model.run
    if name == "xor":  # the read-out ends on the run's final numbers, both networks at the same step
        final = f"identity {100 * run.partner.final('train_accuracy'):.1f} %"
    else:
        final = f"|Δp| {run.partner.readout('test')['mean_abs_dp']:.4f}"
    qtbot.waitUntil(lambda: final in pair.readout.text(), timeout=5000)
    xs, _ys = pair.partner.line.getData()
    assert xs is not None and np.isfinite(xs).sum() > 10  # the boundary line is drawn
    assert panel.last_error == ""


def test_a_check_can_fail(qtbot, panel):
    """Untrained, the XOR scene's ReLU check fails (the checks measure the run)."""
    panel.apply_state(State.from_dict({}).merged(PAIR["xor"].state))
    panel.reset()
    qtbot.waitUntil(lambda: not panel.model.building and panel.model.run.trainer.step_count == 0, timeout=20000)
    assert PAIR["xor"].check(panel.model)


def test_no_comparison_hides_the_second_view(qtbot, panel):
    panel.apply_state(panel.state().replace(compare=""))
    qtbot.waitUntil(lambda: not panel.model.building, timeout=20000)
    assert not panel.boundary_pair.partner.isVisible() and panel.model.run.partner is None


def test_every_text_has_a_korean_entry():
    from app import i18n

    ko = i18n.catalogue("ko")
    texts = [t for s in PAIR.values() for t in (s.title, s.explanation, *(c.claim for c in s.checks))]
    assert [t for t in texts if t not in ko] == []
