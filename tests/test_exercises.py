"""Predict-then-see exercises (issue #12): computed keys, progress, the command line, the dialog."""

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from scene_runner import run_scene

from app import i18n, settings_store
from app.lecture import catalogue, exercise_catalogue
from app.lecture.exercise import Exercise
from app.panels.activations import ActivationsPanel
from app.panels.backprop import BackpropPanel
from app.panels.init import InitPanel
from app.panels.optimizers import OptimizersPanel

ROOT = Path(__file__).resolve().parents[1]

#: What the lecture says happens with the default seed: the right choice's number, or the number.
#: The exercises do not store these: they compute them from the model; this table checks that the
#: computed key still tells the lecture's story.
EXPECTED = {
    "linear-stacking-what": 2, "linear-stacking-slope": 0.9 ** 5, "sigmoid-vanishing-share": 3,
    "tanh-vs-sigmoid": 2, "tanh-slope": 1.0, "dying-relu-which": 1, "relu-variants-zero": 1,
    "softmax-largest": 0.737, "sigmoid-zigzag-signs": 1, "gd-vs-sgd-rises": 2, "local-minimum-where": 2,
    "sgd-zigzag-count": 30, "saddle-point-escape": 2, "momentum-overshoot-x": 1, "nag-less": 1,
    "adagrad-where": 3, "adagrad-share": 4.3, "rmsprop-arrives": 2, "adam-crossings": 2,
    "adam-bias-ratio": 3.16, "book-optimizers-straight": 3, "learning-rate-105": 3, "family-farthest": 1,
    "init-small-where": 3, "init-std1-saturated": 3, "init-xavier-gradient": 3, "init-he-xavier": 2,
    "init-he-he": 1, "batchnorm-saturation": 1, "xor-linear": 2, "overfitting-end": 2, "weight-decay-gap": 2,
    "dropout-gap": 1, "why-adam-lower": 1, "lr-step-decay-constant": 2, "batchnorm-dx-sum": 1,
    "batchnorm-eval-ratio": 0.75 ** 0.5, "batchnorm-overfitting-gap": 1, "l1-vs-l2-zeros": 3,
    "regularization-grid-test": 1, "hyperparameter-search-lr": 3,
}
#: Compare scenes that train grids in worker processes for a minute or more each on 2 cores.
SLOW_COMPARE_SCENES = ("batchnorm-overfitting", "regularization-grid", "hyperparameter-search")
#: Training scenes that train a 6-layer network to its end (about 1–2 minutes each on 2 cores).
SLOW_SCENES = ("overfitting", "weight-decay", "dropout")


def _shown(panel_class):
    p = panel_class()
    p.resize(1280, 800)
    p.show()
    return p


def _close(p):
    assert p.shutdown()
    p.deleteLater()


@pytest.fixture(scope="module")
def activations_panel(qapp):
    yield (p := _shown(ActivationsPanel))
    _close(p)


@pytest.fixture(scope="module")
def backprop_panel(qapp):
    yield (p := _shown(BackpropPanel))
    _close(p)


@pytest.fixture(scope="module")
def init_panel(qapp):
    yield (p := _shown(InitPanel))
    _close(p)


@pytest.fixture
def optimizers_panel(qtbot):
    """Per test, as in tests/test_scenes_optimizers.py: its stepper thread must not outlive the test."""
    p = OptimizersPanel(grid_size=80)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    yield p
    assert p.shutdown()
    p._steppers.clear()  # the reason: tests/test_optimizers_panel.py's panel fixture
    p.stepper = None
    gc.collect()


def test_at_least_24_scenes_have_exercises_with_korean_texts():
    found = exercise_catalogue.exercises()
    assert set(found) == set(EXPECTED)
    assert len({e.scene for e in found.values()}) >= 24
    ko = i18n.load_catalogue("ko")
    missing = [t for e in found.values() for t in e.texts() if t not in ko]
    assert missing == []
    for e in found.values():
        assert e.is_number or 2 <= len(e.choices) <= 4, e.id
        assert catalogue.get(e.scene).panel_id in ("activations", "backprop", "init", "optimizers", "training",
                                                     "batchnorm", "compare")


def test_an_exercise_needs_choices_or_a_tolerance():
    with pytest.raises(ValueError, match="tolerance"):
        Exercise("x", "tanh", "?", lambda m: 1, "", lambda m: {})
    with pytest.raises(ValueError, match="2 to 4"):
        Exercise("x", "tanh", "?", lambda m: 1, "", lambda m: {}, choices=("only one",))


def _check_panel(panel, panel_id, qtbot, scenes=None, timeout_ms=20000):
    """Run each scene with exercises once; every computed key is the expected one, other answers wrong."""
    problems = []
    by_scene: dict[str, list] = {}
    for e in exercise_catalogue.exercises().values():
        if catalogue.get(e.scene).panel_id == panel_id and (scenes is None or e.scene in scenes):
            by_scene.setdefault(e.scene, []).append(e)
    assert by_scene
    for scene_name, group in by_scene.items():
        assert run_scene(panel, catalogue.get(scene_name), qtbot, timeout_ms) == [], scene_name
        model = panel.model
        for e in group:
            key, expected = e.answer(model), EXPECTED[e.id]
            if e.is_number:
                if abs(key - expected) > e.tolerance / 2:
                    problems.append(f"{e.id}: computed {key}, the lecture says {expected}")
                assert e.is_right(key, model) and not e.is_right(key + 2 * e.tolerance, model)
            else:
                if key != expected:
                    problems.append(f"{e.id}: computed choice {key}, the lecture says {expected}")
                wrong = [n for n in range(1, len(e.choices) + 1) if n != key]
                assert e.is_right(key, model) and not any(e.is_right(n, model) for n in wrong), e.id
            text = e.explain(model)
            assert "{" not in text and any(ch.isdigit() for ch in text), e.id  # filled with measured numbers
    assert not problems, "\n".join(problems)


def test_activations_keys(activations_panel, qtbot):
    _check_panel(activations_panel, "activations", qtbot)


def test_backprop_keys(backprop_panel, qtbot):
    _check_panel(backprop_panel, "backprop", qtbot)


def test_init_keys(init_panel, qtbot):
    _check_panel(init_panel, "init", qtbot)


def test_optimizers_keys(optimizers_panel, qtbot):
    _check_panel(optimizers_panel, "optimizers", qtbot)


@pytest.fixture(scope="module")
def training_panel(qapp):
    from app.panels.training import TrainingPanel

    p = TrainingPanel(find_cached=False)
    p.resize(1280, 800)
    p.show()
    assert p.wait_ready()
    yield p
    assert p.shutdown()
    p.close()
    p.deleteLater()
    gc.collect()


def test_training_xor_key(training_panel, qtbot):
    _check_panel(training_panel, "training", qtbot, scenes=("xor",), timeout_ms=120000)


@pytest.mark.slow
@pytest.mark.parametrize("scene", SLOW_SCENES)
def test_training_book_keys(training_panel, qtbot, scene):
    _check_panel(training_panel, "training", qtbot, scenes=(scene,), timeout_ms=300000)


def test_batchnorm_keys(qtbot):
    from app.panels.batchnorm import BatchNormPanel

    p = _shown(BatchNormPanel)
    qtbot.addWidget(p)
    _check_panel(p, "batchnorm", qtbot)
    assert p.shutdown()


def _compare_keys(qtbot, scene):
    from app.panels.compare import ComparePanel

    p = ComparePanel(workers=2)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    try:
        _check_panel(p, "compare", qtbot, scenes=(scene,), timeout_ms=600000)
    finally:
        p.runner.shutdown()
        assert p.shutdown()


def test_compare_l1_vs_l2_key(qtbot):
    _compare_keys(qtbot, "l1-vs-l2")


@pytest.mark.slow
@pytest.mark.parametrize("scene", SLOW_COMPARE_SCENES)
def test_compare_keys(qtbot, scene):
    _compare_keys(qtbot, scene)


def test_the_key_follows_the_model_not_a_stored_answer(optimizers_panel, qtbot):
    """Change the scene's set-up and the computed key changes with it (nothing is stored)."""
    e = exercise_catalogue.get("learning-rate-105")
    scene = catalogue.get(e.scene)
    lanes = {**scene.state["lanes"], "sgd": {"enabled": True, "lr": 0.9}}
    tamer = scene.__class__(**{**scene.__dict__, "state": {**scene.state, "lanes": lanes}})
    run_scene(optimizers_panel, tamer, qtbot)
    assert e.answer(optimizers_panel.model) != 3
    assert not e.is_right(3, optimizers_panel.model)


def test_progress_is_kept_and_reset():
    assert settings_store.exercise_progress() == {}
    settings_store.save_exercise_result("nag-less", True)
    settings_store.save_exercise_result("adagrad-where", False)
    assert settings_store.exercise_progress() == {"nag-less": "right", "adagrad-where": "wrong"}
    settings_store.settings().setValue(settings_store.EXERCISE_KEY, "not json")
    assert settings_store.exercise_progress() == {}
    settings_store.reset_exercise_progress()
    assert settings_store.exercise_progress() == {}


# ---- the command line ----------------------------------------------------------------------------
def _cli(*args):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_cli_exit_codes():
    right = _cli("--exercise", "nag-less", "--answer", "1")
    assert right.returncode == 0, right.stderr
    assert right.stdout.startswith("Right!") and "NAG 0.69" in right.stdout
    wrong = _cli("--lang", "ko", "--exercise", "nag-less", "--answer", "2")
    assert wrong.returncode == 1 and wrong.stdout.startswith("틀렸습니다.")
    assert _cli("--exercise", "no-such", "--answer", "1").returncode == 2
    assert _cli("--exercise", "nag-less", "--answer", "7").returncode == 2
    assert _cli("--exercise", "nag-less").returncode == 2
    assert _cli("--answer", "1").returncode == 2  # an answer to no exercise


def test_list_exercises_respects_lang_and_a_closed_pipe():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    listed = _cli("--lang", "ko", "--list-exercises")
    assert listed.returncode == 0
    assert "adagrad-where" in listed.stdout and "AdaGrad는 어디에 있을까요" in listed.stdout
    proc = subprocess.Popen([sys.executable, "main.py", "--list-exercises"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    _out, err = proc.communicate(timeout=60)
    assert b"Traceback" not in err


# ---- the dialog ----------------------------------------------------------------------------------
@pytest.fixture
def window(qtbot):
    from app.main_window import MainWindow

    catalogue.forget()
    w = MainWindow(panel="optimizers", persist=False)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    yield w
    w.lecture.cancel()
    w.close()
    gc.collect()


def _answer(window, qtbot, exercise_id, choice=None, number=None):
    window.lecture.exercises_action.trigger()
    dialog = window.lecture.exercises
    assert dialog.isVisible()
    dialog.select(exercise_id)
    assert not dialog.run_button.isEnabled()  # predict first
    assert dialog.reveal.text() == ""
    if choice is not None:
        dialog.choose(choice)
    else:
        dialog.set_number(number)
    assert dialog.run_button.isEnabled()
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert window.lecture.run is not None and window.lecture.run.scene.name == exercise_catalogue.get(exercise_id).scene
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=60000)
    return dialog


def test_gui_flow_marks_a_wrong_answer_and_keeps_it(window, qtbot):
    dialog = _answer(window, qtbot, "nag-less", choice=2)
    assert dialog.result is False
    assert dialog.verdict.text() == "Wrong." and "1) NAG" in dialog.reveal.text()
    assert "Momentum 0.90" in dialog.reveal.text()  # the measured numbers
    assert dialog.status_of("nag-less") == "✗ wrong"
    assert settings_store.exercise_progress() == {"nag-less": "wrong"}
    assert f"1 of {len(exercise_catalogue.exercises())} done, 0 right" == dialog.progress.text()
    dialog.select("adagrad-where")  # the next question: unanswered, its choices open, no reveal
    assert dialog.choices_box.isEnabled() and dialog.reveal.text() == "" and not dialog.run_button.isEnabled()


def test_gui_flow_number_answer_right_and_progress_in_a_new_window(window, qtbot):
    dialog = _answer(window, qtbot, "adam-bias-ratio", number=3.2)
    assert dialog.result is True and dialog.verdict.text() == "Right!"
    from app.main_window import MainWindow

    again = MainWindow(panel="activations", persist=False)
    qtbot.addWidget(again)
    try:
        fresh = again.lecture.exercises
        assert fresh.status_of("adam-bias-ratio") == "✓ right" and fresh.status_of("nag-less") == "not done"
        fresh.reset_button.click()
        assert fresh.status_of("adam-bias-ratio") == "not done"
        assert settings_store.exercise_progress() == {}
    finally:
        again.close()
