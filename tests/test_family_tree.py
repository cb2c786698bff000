"""The optimizers' family tree (issue #11): its data, the edges' measurements, the clickable view
in the Lecture menu, and the ``optimizer-family`` scene on a real Optimizers panel."""

import gc

import pytest
from PySide6.QtCore import Qt

from app.lecture import catalogue, family
from app.lecture.scenes.optimizers import SCENES
from app.main_window import MainWindow
from tests.scene_runner import run_scene

FAMILY = next(s for s in SCENES if s.name == "optimizer-family")


def test_the_tree_is_connected_and_every_node_opens_a_real_scene():
    keys = [n.key for n in family.NODES]
    assert sorted(keys) == sorted(["sgd", "momentum", "nag", "adagrad", "rmsprop", "adam"])
    children = {e.child for e in family.EDGES}
    assert children == set(keys) - {"sgd"}  # every node but the root has a parent
    assert {e.parent for e in family.EDGES if e.child == "adam"} == {"momentum", "rmsprop"}
    names = {s.name for s in SCENES}
    assert all(n.scene in names for n in family.NODES)
    with pytest.raises(ValueError, match="choose one of"):
        family.node("lion")


def test_the_edges_are_measured_not_restated():
    d = family.measure_momentum_edges()
    assert d["momentum0_vs_gd"] == 0 == d["nag0_vs_gd"] and d["momentum_vs_gd"] > 1 and d["nag_vs_momentum"] > 0.1
    a = family.measure_adaptive_edges()
    assert a["adagrad_last"] == pytest.approx(1 / 1000 ** 0.5, rel=1e-6)
    assert a["rmsprop_last"] == pytest.approx(1, abs=1e-3)
    m = family.measure_adam_edges()
    assert m["m_vs_momentum"] < 1e-12 and m["v_vs_rmsprop"] < 1e-12
    r = family.measure_adam_rmsprop_steps()
    assert r["relative_error"] < 1e-12 and r["rmsprop_first"] == pytest.approx(1000 ** 0.5)
    # the edge check can fail: after only 10 steps AdaGrad has not died yet
    assert not FAMILY.checks[1].holds(family.measure_adaptive_edges(steps=10))


@pytest.fixture
def window(qtbot):
    catalogue.forget()
    w = MainWindow(panel="optimizers", persist=False)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    yield w
    w.lecture.cancel()
    w.close()
    gc.collect()


def test_clicking_a_node_opens_its_scene(window, qtbot):
    window.lecture.family_action.trigger()
    dialog = window.lecture.family
    assert dialog.isVisible()
    view = dialog.view
    qtbot.waitUntil(lambda: view.viewport().width() > 100, timeout=5000)
    centre = view.mapFromScene(view.node_rect("nag").center())
    assert view.node_at(centre) == "nag"
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    run = window.lecture.run
    assert run is not None and run.scene.name == "nag-vs-momentum"
    panel = window.current_panel()
    assert panel.panel_id == "optimizers"
    qtbot.waitUntil(lambda: not run.running, timeout=60000)
    assert run.ok, run.problems
    lanes = panel.state().lanes
    assert lanes.nag.enabled and lanes.momentum.enabled and not lanes.adam.enabled  # the scene was applied
    assert panel.model.steps == 30


def test_the_family_scene_holds_on_the_panel(window, qtbot):
    panel = window.show_panel("optimizers")
    qtbot.waitUntil(lambda: panel.is_ready, timeout=10000)
    assert run_scene(panel, FAMILY, qtbot) == []
    d = FAMILY.checks[-1].measure(panel.model)
    assert len(d) == 6 and all(v < d["gd"] for k, v in d.items() if k != "gd")


def test_the_texts_have_korean():
    from app import i18n

    ko = i18n.catalogue("ko")
    texts = [FAMILY.title, FAMILY.explanation, *(c.claim for c in FAMILY.checks),
             *(e.adds for e in family.EDGES), *(n.rule for n in family.NODES)]
    assert [t for t in texts if t not in ko] == []
