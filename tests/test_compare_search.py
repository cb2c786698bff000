"""The Compare panel's hyperparameter-search mode through its real widgets and worker processes:
switch mode, run a small search, read the table and the CSV, cancel, and the lecture scene
``hyperparameter-search`` with its checks (which must fail on results that do not show them).
"""

import csv
import math
import multiprocessing

import pytest
from PySide6.QtCore import Qt

from app.i18n import load_catalogue
from app.lecture.scene import PARTS
from app.lecture.scenes.compare import SCENES
from app.models import compare as cm
from app.models.hparam_search import SearchModel, SearchState
from app.panels.compare import ComparePanel
from engine import experiments as ex, grid_worker as msgs

SCENE = {s.name: s for s in SCENES}["hyperparameter-search"]
TINY_SEARCH = {"data": "xor", "size": 80, "val_pct": 25, "n_trials": 4, "epochs": 2, "hidden": [6],
               "batch": 16, "optimizer": "sgd", "lr_range": [-3, -1]}


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
def no_idle_workers(request):
    """The conftest fails a test that leaves child processes: end the shared panel's idle workers."""
    yield
    if "panel" in request.fixturenames:
        p = request.getfixturevalue("panel")
        p.reset()
        p.runner.shutdown()


def search_state(**changes) -> cm.State:
    return cm.State().merged({"mode": "search", "search": {**TINY_SEARCH, **changes}})


def test_the_mode_combo_switches_form_and_results(qtbot, panel):
    panel.apply_state(cm.State())
    assert panel.form.isVisible() and not panel.search_form.isVisible() and not panel.search_view.isVisible()
    panel.mode_combo.setCurrentIndex(panel.mode_combo.findData("search"))
    assert panel.state().mode == "search"
    assert panel.search_form.isVisible() and panel.search_view.isVisible() and not panel.grid_view.isVisible()
    assert "Run search" in panel.run_button.text().replace("&", "")
    panel.search_form.trials_spin.setValue(7)
    panel.search_form.ranges["lr_range"][2].setValue(-3.5)  # (row, lo, hi)
    assert panel.state().search.n_trials == 7 and panel.state().search.lr_range == (-6.0, -3.5)
    assert "7 trials × 50 epochs on 400 training and 100 validation samples" in panel.search_form.count_label.text()
    again = cm.State.from_dict(panel.state().to_dict())  # the one persistence path
    assert again == panel.state()
    panel.mode_combo.setCurrentIndex(panel.mode_combo.findData("grid"))
    assert panel.state().mode == "grid" and panel.grid_view.isVisible() and not panel.search_view.isVisible()


def test_a_small_search_fills_table_and_csv(qtbot, panel, tmp_path):
    panel.apply_state(search_state())
    assert panel.run_grid()
    assert panel.is_playing() and not panel.mode_combo.isEnabled()
    qtbot.waitUntil(lambda: panel.model.search.finished, timeout=60000)
    assert not panel.is_playing() and panel.mode_combo.isEnabled()
    rows = panel.model.search.rows()
    assert len(rows) == 4 and panel.search_view.table.rowCount() == 4
    assert "done · 4/4" in panel.progress_bar.format()
    acc = [r["val_accuracy"] for r in rows]
    assert acc == sorted(acc, reverse=True) and [r["rank"] for r in rows] == [1, 2, 3, 4]
    assert all(1e-3 <= r["lr"] <= 1e-1 and 1e-8 <= r["weight_decay"] <= 1e-4 for r in rows)
    # every trial is the engine's run of its spec (its "test" part is the validation set)
    spec = panel.model.search.specs[rows[0]["trial"]]
    assert ex.run_one(spec).curves == panel.model.search.results[rows[0]["trial"]].curves
    data = panel.model.search.split()
    assert (len(data.y_train), len(data.y_test)) == (60, 20)
    # the table sorts by a clicked column
    lr_col = 2
    panel.search_view.table.sortItems(lr_col, Qt.SortOrder.AscendingOrder)
    assert panel.search_view.column("lr") == sorted(r["lr"] for r in rows)
    path = tmp_path / "search.csv"
    panel.export_csv(str(path))
    with open(path, newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    assert table[0][:5] == ["rank", "trial", "lr", "weight_decay", "val_accuracy"]
    assert [float(r[4]) for r in table[1:]] == acc


def test_cancel_ends_every_worker_and_keeps_the_finished_trials(qtbot, panel):
    panel.apply_state(search_state(n_trials=40, epochs=200, data="spiral", size=400, hidden=[64, 64]))
    assert panel.run_grid()
    qtbot.waitUntil(lambda: len(panel.model.search.epochs_done) >= 1, timeout=30000)
    panel.play_pause()  # = Cancel while it runs
    assert not panel.is_playing() and panel.model.search.status == "cancelled"
    assert panel.runner.grid.processes() == [] and not multiprocessing.active_children()
    assert "cancelled" in panel.progress_bar.format()
    assert panel.search_view.table.rowCount() == len(panel.model.search.results) < 40


@pytest.mark.expect_error
def test_unreadable_hidden_widths_stop_the_search_with_a_banner(qtbot, panel):
    panel.apply_state(search_state())
    panel.search_form.hidden_edit.setText("ten")
    assert not panel.run_grid()
    assert "hidden" in panel.last_error and not panel.is_playing()
    panel.search_form.hidden_edit.setText("6")


def test_the_state_names_the_bad_key():
    for bad, key in (({"lr_range": [-2, -6]}, "search.lr_range"), ({"n_trials": 0}, "search.n_trials"),
                     ({"val_pct": 70}, "search.val_pct")):
        with pytest.raises(ValueError) as info:
            cm.State().merged({"search": bad})
        assert info.value.key == key


# ---- the lecture scene ------------------------------------------------------------------------
def test_the_scene_is_data_with_checks_and_korean_texts():
    assert SCENE.panel_id == "compare" and SCENE.part in PARTS and SCENE.play and len(SCENE.checks) >= 4
    state = cm.State().merged(SCENE.state)
    assert state.mode == "search" and state.search.n_trials == 16
    ko = load_catalogue("ko")
    for text in (SCENE.title, SCENE.explanation, *(c.claim for c in SCENE.checks)):
        assert text in ko, text


def _fake_search(val_acc) -> cm.CompareModel:
    """The scene's search finished with every trial at ``val_acc(lr)`` (no training)."""
    model = cm.CompareModel(cm.State().merged(SCENE.state))
    specs = model.search.start(model.state.search)
    for i, s in enumerate(specs):
        acc = val_acc(dict(s.config))
        curves = {k: [0.1, acc] for k in ex.CURVES}
        model.search.consume(msgs.RunFinished(i, ex.RunResult(s.config, s.config_id, s.seed, curves)))
    model.search.consume(msgs.GridDone())
    return model


def test_the_scene_checks_fail_on_results_that_do_not_show_the_claims():
    flat = SCENE.check(_fake_search(lambda c: 0.1))  # nothing learns
    assert any("40 points" in p for p in flat) and all("measured" in p for p in flat)
    inverted = SCENE.check(_fake_search(lambda c: 0.9 if c["lr"] < 1e-4 else 0.1))  # small rates win
    assert sum("10^-3" in p for p in inverted) == 2
    by_wd = SCENE.check(_fake_search(lambda c: 0.5 + math.log10(c["weight_decay"]) / 100))  # weight decay decides
    assert any("two decades" in p for p in by_wd)
    assert len(SCENE.check(cm.CompareModel())) == len(SCENE.checks)  # nothing ran


def test_the_search_model_forgets_the_last_search():
    model = SearchModel()
    model.start(SearchState().merged(TINY_SEARCH))
    assert len(model.specs) == 4 and model.running
    model.clear()
    assert model.specs == [] and model.search is None and model.status == "idle"


def test_the_scene_runs_and_its_claims_hold(qtbot, panel):
    if panel.is_playing():
        panel.play_pause()
    panel.reset()
    panel.apply_state(type(panel.state()).from_dict({}).merged(SCENE.state))
    panel.play_pause()
    assert panel.wait_ready(SCENE.steps), panel.last_error
    qtbot.waitUntil(lambda: SCENE.finished(panel.model) or bool(panel.last_error), timeout=120000)
    assert not panel.last_error
    assert SCENE.check(panel.model) == []


def test_the_search_model_ranks_points_rows_and_csv(tmp_path):
    """Fake results (no training): the best trial first, NaN (a diverged trial) last, CSV unrounded."""
    model = SearchModel()
    specs = model.start(SearchState().merged(TINY_SEARCH))
    accs = [0.5, float("nan"), 0.75, 0.25]
    for i in (2, 0, 1):  # any order; trial 3 still runs
        curves = {k: [0.1, accs[i]] for k in ex.CURVES}
        model.consume(msgs.RunFinished(i, ex.RunResult(specs[i].config, i, 0, curves,
                                                       status="diverged" if i == 1 else "finished")))
    points = model.points()
    assert list(points["trial"]) == [0, 1, 2]
    assert list(points["lr"]) == [dict(specs[i].config)["lr"] for i in (0, 1, 2)]
    assert model.ranking() == [2, 0, 1]
    rows = model.rows()
    assert [r["rank"] for r in rows] == [1, 2, 3] and rows[2]["status"] == "diverged"
    assert [t for t, _val, _train in model.best_curves(2)] == [2, 0]
    assert model.progress().done == 3 and not model.finished
    path = tmp_path / "trials.csv"
    model.write_csv(str(path))
    with open(path, newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    assert [int(r[1]) for r in table[1:]] == [2, 0, 1]
    assert float(table[1][2]) == dict(specs[2].config)["lr"]  # repr: every digit kept
