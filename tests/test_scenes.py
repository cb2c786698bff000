"""Lecture scenes: every scene opens without error and leaves its panel in the stated state.

One window serves every scene (each panel is built once). Long runs (training to the end, the
big comparison grids) are checked right after their set-up and then stopped; the screenshot
test in a subprocess waits for a whole scene, as ``--scene NAME --screenshot`` does.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QApplication, QMenu

from app import i18n, scenes
from app import panels as panel_registry
from app.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]

#: Every claim of the lecture outline (../shared/LECTURE.md) → the scene that shows it.
LECTURE_CLAIMS = {
    "linear stacking collapses": "linear-stacking",
    "sigmoid vanishing": "sigmoid-vanishing",
    "sigmoid not zero-centred (zig-zag)": "sigmoid-zigzag",
    "tanh": "tanh",
    "dying ReLU": "dying-relu",
    "Leaky ReLU / PReLU / ELU": "relu-variants",
    "softmax": "softmax",
    "GD vs SGD on the data surface": "gd-vs-sgd",
    "SGD zig-zag on x²/20 + y²": "sgd-zigzag",
    "momentum overshoot": "momentum-overshoot",
    "NAG oscillates less than momentum": "nag-vs-momentum",
    "AdaGrad's step size dies": "adagrad-decay",
    "RMSProp": "rmsprop",
    "Adam": "adam",
    "the book's four optimizers": "book-optimizers",
    "init std 0.01": "init-std-0.01",
    "init std 1": "init-std-1",
    "Xavier": "init-xavier",
    "He": "init-he",
    "batch norm vs none": "batchnorm",
    "weight decay": "weight-decay",
    "dropout": "dropout",
    "assignment 1 (Compare)": "assignment-1",
    "assignment 2 (Backprop)": "assignment-2",
}
#: Scenes whose computation takes many seconds: checked after set-up, then stopped.
LONG = {"overfitting", "weight-decay", "dropout", "batchnorm-training", "regularization-grid"}


def test_registry_covers_the_lecture():
    assert len(scenes.SCENES) >= 20
    for claim, name in LECTURE_CLAIMS.items():
        assert name in scenes.SCENES, f"no scene for {claim!r}"
    assert LECTURE_CLAIMS["assignment 1 (Compare)"] and scenes.get("assignment-1").panel_id == "compare"
    assert scenes.get("assignment-2").panel_id == "backprop"
    parts = scenes.by_part()
    assert list(parts) == list(scenes.PARTS) and all(parts.values())
    for scene in scenes.SCENES.values():
        assert scene.panel_id in panel_registry.PANELS, scene.name
        assert scene.expect, f"{scene.name} states nothing checkable"
        assert set(scene.expect) <= set(scenes.READERS[scene.panel_id]), scene.name
        sentences = [s for s in scene.explanation.replace("e.g.", "eg").split(". ") if s.strip()]
        assert 2 <= len(sentences) <= 5, f"{scene.name}: {len(sentences)} sentences"


def test_unknown_scene_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown scene 'nope'; choose one of: linear-stacking"):
        scenes.get("nope")
    assert scenes.get(" SGD-Zigzag ").name == "sgd-zigzag"
    with pytest.raises(ValueError, match="unknown part"):
        scenes.Scene("x", "elsewhere", "t", "activations", lambda p: None, "e")


def test_expectations_compare_floats_and_dict_subsets():
    m = scenes._matches
    assert m({"lr": 0.1 + 1e-15, "momentum": 0.9}, {"lr": 0.1})
    assert not m({"lr": 0.2}, {"lr": 0.1})
    assert not m({}, {"lr": 0.1})
    assert m([1, 2], (1, 2)) and not m((1, 2), (1, 2, 3))
    assert m("data", "data") and not m("data", "saddle")
    assert not m(None, 0.5)


def test_every_scene_korean_text_is_in_the_catalogue():
    ko = i18n.load_catalogue("ko")
    texts = [t for s in scenes.SCENES.values() for t in (s.title, s.explanation)] + list(scenes.PARTS.values())
    missing = [t for t in texts if t not in ko]
    assert not missing, f"{len(missing)} scene texts without Korean, e.g. {missing[:2]}"
    data = json.loads((ROOT / "resources/i18n/ko/scenes.json").read_text(encoding="utf-8"))
    assert all(_hangul(data[s.explanation]) for s in scenes.SCENES.values())  # translated, not copied


def _hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


@pytest.mark.skip(reason="moved to tests/test_scenes_activations.py and tests/test_scenes_optimizers.py")
def test_the_lecture_dock_speaks_korean(qtbot):
    from app import fonts

    i18n.set_language("ko")
    try:
        w = MainWindow(persist=False)
        qtbot.addWidget(w)
        w.resize(1280, 800)
        w.show()
        ko = i18n.catalogue("ko")
        scene = scenes.get("softmax")
        assert scenes.run_scene(w, "softmax").ok
        pane, tree = w.scene_dock.pane, w.scene_dock.tree
        assert pane.explanation().endswith(ko[scene.explanation])
        assert ko[scene.title] in pane.title_label.text()
        texts = [w.findChild(QMenu, "lectureMenu").title(), w.scene_dock.windowTitle(), w.scene_dock.intro.text()]
        texts += [b.text() for b in (pane.prev_button, pane.next_button, pane.replay_button, pane.list_button)]
        texts += [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
        assert all(_hangul(t) for t in texts), [t for t in texts if not _hangul(t)]
        w.close()
    finally:
        i18n.set_language("en")
        fonts.apply_language_font(QApplication.instance(), "en")


@pytest.fixture
def window(qtbot):
    w = MainWindow(persist=False)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def _stop(panel) -> None:
    if panel.panel_id == "compare":
        panel.reset()
    elif panel.is_playing():
        panel.play_pause()


@pytest.mark.skip(reason="moved to tests/test_scenes_activations.py and tests/test_scenes_optimizers.py")
def test_every_scene_opens_and_leaves_the_panel_as_stated(window, qtbot):
    problems = []
    for name, scene in scenes.SCENES.items():
        run = scenes.open_scene(window, name, timeout_ms=60000)
        panel = window.current_panel()
        assert panel.panel_id == scene.panel_id
        if name in LONG:
            run.cancel()
            qtbot.waitUntil(lambda: not panel.is_busy() or panel.panel_id == "compare", timeout=20000)
            errors = scene.check(panel)
            _stop(panel)
        else:
            ok = run.wait()
            errors = ([] if ok else [run.message]) + scene.check(panel)
        if panel.last_error:
            errors.append(f"banner: {panel.last_error}")
        dock = window.scene_dock
        if not (dock.isVisible() and dock.current == name and dock.pane.explanation().endswith(
                i18n.tr(scene.explanation))):
            errors.append("the explanation pane does not show the scene's text")
        problems += [f"{name}: {e}" for e in errors]
    assert not problems, "\n".join(problems)


@pytest.mark.skip(reason="moved to tests/test_scenes_activations.py and tests/test_scenes_optimizers.py")
def test_scene_states_are_the_engine_results(window):
    """A few scenes' claims, checked on what the panel computed (not only on its controls)."""
    scenes.run_scene(window, "book-optimizers")
    opt = window.panel("optimizers")
    assert {lane: opt.tracks[lane].n for lane in opt.active} == {lane: 31 for lane in opt.active}
    scenes.run_scene(window, "adagrad-decay")
    track = opt.tracks[opt.active[0]]
    steps = abs(track.pos[1:track.n] - track.pos[:track.n - 1]).sum(axis=1)
    assert steps[-1] < steps[0] / 10  # AdaGrad's step size died
    assert track.pos[track.n - 1][0] < -2.0  # ... far from the minimum at (0, 0)
    scenes.run_scene(window, "sigmoid-vanishing")
    act = window.panel("activations")
    sig, relu = act.probe_results["sigmoid"], act.probe_results["relu"]
    assert sig.depth == 10 and relu.depth == 10
    scenes.run_scene(window, "init-xavier")
    init = window.panel("init")
    assert init.results["A"].layers[0].share_saturated > 0.3 > init.results["B"].layers[0].share_saturated


@pytest.mark.skip(reason="moved to tests/test_scenes_activations.py and tests/test_scenes_optimizers.py")
def test_lecture_menu_and_dock(window, qtbot):
    menu = window.findChild(QMenu, "lectureMenu")
    assert menu is not None
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles.index(menu.title()) == len(titles) - 2  # Help stays last
    actions = {a.data(): a for sub in menu.actions() if sub.menu() for a in sub.menu().actions()}
    assert set(actions) == set(scenes.SCENES)
    dock = window.scene_dock
    assert not dock.isVisible()
    window.findChild(QAction, "actionLectureScenes").trigger()
    assert dock.isVisible() and dock.stack.currentIndex() == 0  # the start page: the list
    assert dock.tree.scene_names() == list(scenes.SCENES)
    actions["softmax"].trigger()
    assert window.scene_run.wait()
    assert window.current_panel().panel_id == "activations"
    assert dock.pane.explanation() == scenes.get("softmax").explanation
    assert not dock.bottom  # room beside the Activations panel
    dock.pane.next_button.click()  # next: the first optimizer scene
    assert window.scene_run.wait() and dock.current == "gd-vs-sgd"
    assert window.current_panel().panel_id == "optimizers"
    dock.pane.list_button.click()
    assert dock.stack.currentIndex() == 0
    actions["dropout"].trigger()  # from the menu a scene does not wait for 200 epochs of training
    assert window.scene_run.wait()
    training = window.current_panel()
    assert training.is_playing() and not training.run.trainer.done and training.settings.dropout == 0.2
    training.play_pause()
    scenes.run_scene(window, "assignment-2")  # Backprop needs the width: the text goes below
    assert dock.bottom and dock.pane.compact
    assert scenes.get("assignment-2").explanation in dock.pane.explanation()
    assert window.size().toTuple() == (1280, 800)


def _run_main(*args, timeout=120):
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


@pytest.mark.skip(reason="moved to tests/test_scenes_activations.py and tests/test_scenes_optimizers.py")
def test_command_line_lists_and_renders_scenes(tmp_path):
    listed = _run_main("--list-scenes")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(scenes.SCENES)
    assert lines[8].split(None, 1)[1] == scenes.get(lines[8].split()[0]).title
    out = tmp_path / "scene.png"
    done = _run_main("--scene", "sgd-zigzag", "--screenshot", str(out), "--size", "1280x800", "--lang", "en")
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    bad = _run_main("--scene", "nope", "--screenshot", str(tmp_path / "x.png"))
    assert bad.returncode == 2 and "unknown scene 'nope'" in bad.stderr
    clash = _run_main("--scene", "softmax", "--panel", "optimizers", "--screenshot", str(tmp_path / "x.png"))
    assert clash.returncode == 2 and "opens the activations panel" in clash.stderr


@pytest.mark.skip(reason="moved to tests/test_scenes_activations.py and tests/test_scenes_optimizers.py")
def test_a_scene_undoes_what_the_student_changed(window):
    """Scenes start from the panel's defaults: earlier edits do not leak into the picture."""
    init = window.show_panel("init")
    init.size_spins["Layers"].setValue(8)
    init.seed_spin.setValue(7)
    assert scenes.run_scene(window, "init-std-1").ok
    assert scenes.get("init-std-1").check(init) == []
    assert init.seed_spin.value() == 0 and len(init.results["A"].layers) == 5
    opt = window.show_panel("optimizers")
    opt.set_start(3.0, -4.0)
    opt.set_hyper(2, {"lr": 0.5})
    assert scenes.run_scene(window, "momentum-overshoot").ok
    assert scenes.get("momentum-overshoot").check(opt) == []
    assert opt.start == (-7.0, 2.0) and opt.step_count == 30
