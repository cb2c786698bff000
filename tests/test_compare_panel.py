"""The Compare panel through its real widgets, with real worker processes (spawn).

One panel (and so one pool of worker processes) serves the whole module: spawning costs
~0.5 s per process. Expected tables come from ``engine.experiments.run_one`` run in-process.
"""

import csv
import json
import multiprocessing

import pytest
from PySide6.QtCore import QPoint, Qt

from app.main_window import MainWindow
from app.models.compare import State
from app.panels.compare import ComparePanel
from engine import experiments as ex

TINY_STATE = {
    "data": "xor", "size": 80, "test_pct": 25, "hidden": [6], "epochs": 3, "batch": 16,
    "optimizer": "adam", "lr": 0.05, "seeds": 2, "vary": ["activation", "batchnorm"],
    "levels": {"activation": "relu, tanh", "batchnorm": "off, on"},
}


def tiny(**changes):
    """The tiny grid's State (defaults + TINY_STATE + ``changes``)."""
    return State().merged({**TINY_STATE, **changes})


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
    """The conftest fails a test that leaves child processes: the shared panel's idle workers end after each test."""
    yield
    if "panel" in request.fixturenames:
        request.getfixturevalue("panel").runner.shutdown()


def wait_done(qtbot, p, timeout=30000):
    qtbot.waitUntil(lambda: not p.runner.running, timeout=timeout)


def without_time(rows):
    return [{k: v for k, v in r.items() if k != "wall_time"} for r in rows]


def test_two_by_two_grid_equals_the_engine_run_in_process(qtbot, panel):
    panel.apply_state(tiny())
    assert "4 configurations × 2 seeds = 8 runs" in panel.form.count_label.text()
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert panel.is_playing() and "Cancel" in panel.run_button.text()
    # running feedback: the plot says how far the grid is, not "pick factors and levels, then Run"
    assert panel.curves.placeholder.textItem.toPlainText().startswith("Running… 0/8 runs")
    wait_done(qtbot, panel)
    assert not panel.is_playing() and len(panel.model.results) == 8
    assert panel.curves.placeholder.textItem.toPlainText().startswith("Pick factors")
    assert "done · 8/8" in panel.progress_bar.format()
    factors, seeds, data, base = panel.state().grid()
    specs = ex.expand_grid(factors, seeds, data, base)
    assert specs == panel.model.specs
    direct = ex.summarize([ex.run_one(s) for s in specs])
    expected = without_time([{"config": s.config, "seeds": s.seeds, "best_epoch": s.best_epoch,
                              "diverged": s.diverged, **s.final} for s in direct])
    assert without_time(panel.model.rows()) == expected  # bit for bit: same seeds, same table
    assert panel.table.model().rowCount() == 4 and len(panel.curves.curves) == 4
    # the processes pinned BLAS and are reused: still alive, idle, after the grid
    assert len(panel.runner.grid.processes()) == 2


def test_same_seeds_give_the_same_table_again(qtbot, panel):
    before = without_time(panel.model.rows())
    assert before
    panel.play_pause()
    wait_done(qtbot, panel)
    assert without_time(panel.model.rows()) == before


def test_selecting_rows_highlights_curves_and_sorting_works(qtbot, panel):
    ids = [s.config_id for s in panel.model.summaries()]
    panel.table.select_ids([ids[2]])
    assert panel.curves.pen_width(ids[2]) > panel.curves.pen_width(ids[0])
    assert panel.curves.curves[ids[0]].opts["pen"].color().alpha() < 255  # the rest fade
    column = panel.table.results.headers().index("Test acc")
    panel.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    proxy = panel.table.proxy
    shown = [proxy.index(r, column).data(Qt.ItemDataRole.UserRole + 1) for r in range(proxy.rowCount())]
    assert shown == sorted(shown, reverse=True)
    assert panel.table.selected_ids() == [ids[2]]  # the selection follows the rows
    panel.table.clearSelection()
    assert all(panel.curves.pen_width(i) == 2 for i in ids)


@pytest.mark.expect_error  # the banner shows an error on purpose
def test_rerun_selected_configurations_with_more_seeds(qtbot, panel):
    ids = [s.config_id for s in panel.model.summaries()]
    before = without_time(panel.model.rows())
    panel.table.select_ids([ids[1], ids[3]])
    assert panel.subset_button.isEnabled()
    panel.form.seeds_spin.setValue(3)
    qtbot.mouseClick(panel.subset_button, Qt.MouseButton.LeftButton)
    assert not panel.subset_button.isEnabled()  # not while running
    wait_done(qtbot, panel)
    # only the selected rows are replaced: the others keep their runs, unchanged
    assert [s.config_id for s in panel.model.summaries()] == ids
    assert [s.seeds for s in panel.model.summaries()] == [(0, 1), (0, 1, 2), (0, 1), (0, 1, 2)]
    assert len(panel.model.results) == 10 and panel.table.model().rowCount() == 4
    after = without_time(panel.model.rows())
    assert (after[0], after[2]) == (before[0], before[2]) and after[1] != before[1]
    assert "done · 10/10" in panel.progress_bar.format()
    panel.apply_state(tiny(vary=["dropout"], levels={"dropout": "0, 0.5"}))
    panel.table.select_ids([ids[1]])
    assert not panel.run_selected() and "no longer match" in panel.banner.message
    panel.apply_state(tiny())
    panel.play_pause()
    wait_done(qtbot, panel)
    assert len(panel.model.summaries()) == 4


def test_export_csv_png_svg(qtbot, panel, tmp_path):
    panel.export_csv(str(tmp_path / "t.csv"))
    rows = list(csv.DictReader(open(tmp_path / "t.csv", encoding="utf-8")))
    assert len(rows) == 4 and rows[0]["activation"] == "relu"
    assert float(rows[0]["test_accuracy_mean"]) == panel.model.summaries()[0].final["test_accuracy"][0]
    panel.export_plot(str(tmp_path / "p.png"))
    panel.export_plot(str(tmp_path / "p.svg"))
    assert (tmp_path / "p.png").stat().st_size > 1000
    assert "<svg" in (tmp_path / "p.svg").read_text(encoding="utf-8")[:2000]
    with pytest.raises(ValueError, match="png or .svg"):
        panel.export_plot(str(tmp_path / "p.gif"))


def test_cancel_terminates_every_process_and_keeps_finished_runs(qtbot, panel):
    panel.apply_state(tiny(epochs=400, size=400, seeds=3, hidden=[64, 64]))
    panel.play_pause()
    procs = panel.runner.grid.processes()
    assert len(procs) == 2
    # an ETA once a few epochs are done
    qtbot.waitUntil(lambda: "left" in panel.progress_bar.format(), timeout=20000)
    assert panel.progress_bar.value() > 0
    panel.play_pause()  # Play while running = cancel
    assert not panel.is_playing()
    assert all(not p.is_alive() for p in procs)
    assert not multiprocessing.active_children()
    assert "cancelled" in panel.progress_bar.format()
    kept = len(panel.model.results)
    assert panel.table.model().rowCount() == len(ex.summarize(panel.model.results.values())) and kept < 12
    panel.reset()
    assert panel.table.model().rowCount() == 0 and not panel.curves.curves


@pytest.mark.expect_error  # the banner shows an error on purpose
def test_bad_levels_show_an_error_and_run_nothing(qtbot, panel):
    panel.apply_state(tiny(vary=["dropout"], levels={"dropout": "0, 1.5"}))
    assert not panel.run_grid()
    assert "dropout" in panel.banner.message and not panel.runner.running
    panel.apply_state(tiny())


@pytest.mark.expect_error  # the banner shows an error on purpose
def test_a_failing_run_reaches_the_banner_and_the_rest_finish(qtbot, panel):
    good = ex.expand_grid({"lr": [0.05]}, (0,), ex.DataSpec("toy", "xor", 0.1, 80, 0.25), ex.RunSettings(hidden=(4,), epochs=2))
    bad = ex.expand_grid({"lr": [0.01]}, (0,), ex.DataSpec("toy", "xor", 0.1, 1, 0.25), ex.RunSettings(hidden=(4,), epochs=2))
    bad = [ex.RunSpec(s.config, 1, s.seed, s.data, s.base) for s in bad]
    panel.start_specs(good + bad, ["lr"])
    wait_done(qtbot, panel)
    assert "lr 0.01" in panel.banner.message and "ValueError" in panel.banner.message
    assert len(panel.model.results) == 1 and list(panel.model.failed) == [1]
    panel.reset()
    assert not panel.banner.isVisible()


def test_presets_fill_the_form(qtbot, panel):
    panel.load_preset("Book 6.3: batch norm vs none × 16 init scales")
    factors, seeds, data, base = panel.state().grid()
    assert len(factors["init_std"]) == 16 and factors["batchnorm"] == [False, True]
    assert base.hidden == (100,) * 5 and data.source == "digits"
    assert "32 runs" in panel.form.count_label.text()
    assert panel.color_combo.currentData() == "init_std" and panel.style_combo.currentData() == "batchnorm"
    with pytest.raises(ValueError, match="choose one of"):
        panel.load_preset("nope")


def test_window_actions_and_settings_persist(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Reset)
    w = MainWindow(panel="compare")
    qtbot.addWidget(w)
    p = w.current_panel()
    assert p.objectName() == "comparePanel"
    p.apply_state(tiny(seeds=1, vary=["lr"], levels={"lr": "0.01, 0.1"}))
    w.actionPlayPause.trigger()
    assert w.actionPlayPause.text() == "&Pause"
    qtbot.waitUntil(lambda: not p.runner.running, timeout=30000)
    assert w.actionPlayPause.text() == "&Play" and p.table.model().rowCount() == 2
    w.actionReset.trigger()
    assert p.table.model().rowCount() == 0
    procs = p.runner.grid.processes()
    assert procs
    w.close()
    assert all(not proc.is_alive() for proc in procs)  # closing the window ends the workers


# ---- state: the model is the one persistence path ---------------------------------------------------
def test_state_round_trips_through_json(qtbot, panel):
    state = tiny(preset="Book 6.2: init std 0.01 vs Xavier vs He", test_pct=33.5, hidden=[7, 5], batch=8,
                 optimizer="rmsprop", lr=0.003, vary=["lr", "dropout"], levels={"lr": "0.5, 0.05", "dropout": "0.1"},
                 metric="accuracy_gap", color_by="lr", style_by="dropout", bands=False,
                 sort_column="test_loss", sort_descending=True)
    panel.apply_state(state)
    assert panel.state() == state
    text = json.dumps(panel.state().to_dict())
    other = ComparePanel(workers=1)
    try:
        other.apply_state(State.from_dict(json.loads(text)))
        assert other.state() == state
        assert other.form.hidden_edit.text() == "7, 5" and other.form.checks["lr"].isChecked()
        assert not other.form.checks["activation"].isChecked() and not other.bands_box.isChecked()
        assert other.metric_combo.currentData() == "accuracy_gap"
    finally:
        assert other.shutdown()
        other.deleteLater()
    panel.apply_state(tiny())


@pytest.mark.parametrize("bad, key", [
    ({"seeds": 0}, "seeds"), ({"lr": "fast"}, "lr"), ({"data": "mnist-ish"}, "data"),
    ({"vary": ["colour"]}, "vary[0]"), ({"levels": {"dropout": 0.2}}, "levels.dropout"),
    ({"hidden": [32] * 9}, "hidden"), ({"metric": "f1"}, "metric"), ({"bogus": 1}, "bogus"),
    ({"sort_column": "nope"}, "sort_column"), ({"vary": ["lr", "lr"]}, "vary"),
])
def test_from_dict_rejects_bad_values_naming_the_key(bad, key):
    with pytest.raises(ValueError) as info:
        State.from_dict(bad)
    assert info.value.key == key


@pytest.mark.expect_error  # an unreadable hidden-layer field refuses Run with a banner on purpose
def test_changing_controls_changes_the_state(qtbot, panel):
    panel.apply_state(tiny())
    before = panel.state()
    panel.form.hidden_edit.clear()
    qtbot.keyClicks(panel.form.hidden_edit, "12 4")
    assert panel.state().hidden == (12, 4)
    qtbot.keyClicks(panel.form.hidden_edit, ", y")  # unreadable: the state keeps 12, 4; the form says why
    assert panel.state().hidden == (12, 4) and "⚠" in panel.form.count_label.text()
    assert not panel.run_grid() and "hidden" in panel.banner.message
    panel.form.hidden_edit.setText("6")
    qtbot.mouseClick(panel.form.checks["dropout"], Qt.MouseButton.LeftButton, pos=panel.form.checks["dropout"].rect().center())
    assert panel.state().vary == ("dropout", "activation", "batchnorm")
    panel.form.edits["dropout"].clear()
    qtbot.keyClicks(panel.form.edits["dropout"], "0.3")
    assert panel.state().levels.dropout == "0.3"
    panel.form.seeds_spin.setValue(4)
    panel.form.data_combo.setCurrentIndex(panel.form.data_combo.findData("moons"))
    panel.metric_combo.setCurrentIndex(panel.metric_combo.findData("train_loss"))
    qtbot.mouseClick(panel.bands_box, Qt.MouseButton.LeftButton, pos=panel.bands_box.rect().center())
    state = panel.state()
    assert (state.seeds, state.data, state.metric, state.bands) == (4, "moons", "train_loss", not before.bands)
    panel.apply_state(before)
    assert panel.state() == before and panel.form.hidden_edit.text() == "6"


def test_sorting_by_a_header_is_part_of_the_state(qtbot, panel):
    panel.apply_state(tiny())
    panel.play_pause()
    wait_done(qtbot, panel)
    header = panel.table.horizontalHeader()
    column = panel.table.results.column_keys().index("test_accuracy")
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=header.rect().topLeft() + QPoint(header.sectionViewportPosition(column) + 5, 5))
    assert panel.state().sort_column == "test_accuracy"
    panel.apply_state(panel.state().replace(sort_column="", sort_descending=False))
    assert panel.table.horizontalHeader().sortIndicatorSection() == -1 or panel.table.proxy.sortColumn() == -1


def test_preset_note_shows_while_the_form_holds_the_preset(qtbot, panel):
    panel.load_preset("Book 6.2: init std 0.01 vs Xavier vs He")
    assert "Xavier" in panel.note_label.text()
    panel.form.epochs_spin.setValue(3)
    assert panel.note_label.text() == ""
    panel.form.epochs_spin.setValue(100)  # back to the preset's value: its note applies again
    assert "Xavier" in panel.note_label.text()
    panel.apply_state(tiny())


def test_muted_texts_follow_the_dark_theme(qtbot, panel):
    from app.widgets import palette

    try:
        palette.set_dark(True)
        assert palette.DARK["MUTED"] in panel.form.count_label.styleSheet()
        assert palette.DARK["MUTED"] in panel.note_label.styleSheet()
        assert panel.curves.placeholder.color.name().upper() == palette.DARK["MUTED"].upper()
        diverged = ex.summarize([ex.RunResult((("lr", 9.0),), 0, 0, {k: [1.0, 1e7] for k in ex.CURVES},
                                              status="diverged")])
        panel.table.results.set_summaries(diverged, ["lr"])
        cell = panel.table.results.index(0, panel.table.results.columnCount() - 1)
        dark_red = panel.table.results.data(cell, Qt.ItemDataRole.ForegroundRole)
        assert dark_red.lightness() > 100  # readable on the dark table
    finally:
        panel.redraw()
        palette.set_dark(False)
    assert palette.LIGHT["MUTED"] in panel.form.count_label.styleSheet()
