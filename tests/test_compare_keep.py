"""Nothing is lost in the Compare panel: Reset asks, keyboard focus wins over the window's keys."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.main_window import MainWindow
from engine import grid_worker as msgs
from app.models.compare import State
from engine.experiments import RunResult

NAMES = ["activation"]


def fake_grid(panel):
    """Two finished configurations, reported as the workers would."""
    results = [RunResult((("activation", a),), cid, 0, {k: [0.1, 0.5 + 0.1 * cid] for k in
                                                          ("train_loss", "test_loss", "train_accuracy", "test_accuracy")},
                         weight_zeros=(1, 2, 10))
               for cid, a in enumerate(("relu", "tanh"))]
    panel.apply_state(State().merged({"vary": NAMES, "levels": {"activation": "relu, tanh"}, "seeds": 1}))
    specs = panel.model.plan()
    assert [s.config for s in specs] == [r.config for r in results]
    panel.model.start(specs, NAMES)
    for i, r in enumerate(results):
        panel.model.consume(msgs.RunFinished(i, r))
    panel.model.consume(msgs.GridDone(cancelled=False))
    panel.redraw()


@pytest.fixture
def window(qtbot):
    w = MainWindow(panel="compare", persist=False)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def answer(monkeypatch, button):
    asked = []

    def question(parent, title, text, *args):
        asked.append(text)
        return button
    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_reset_asks_before_discarding_results(qtbot, window, monkeypatch):
    p = window.current_panel()
    fake_grid(p)
    asked = answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    window.actionReset.trigger()
    assert asked == ["Discard the results of 2 finished runs?"]
    assert len(p.model.results) == 2 and p.table.model().rowCount() == 2  # kept
    asked = answer(monkeypatch, QMessageBox.StandardButton.Reset)
    qtbot.mouseClick(p.reset_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and not p.model.results and p.table.model().rowCount() == 0
    asked = answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    window.actionReset.trigger()  # nothing to lose: no question
    assert asked == []


def test_r_with_the_table_focused_does_not_clear(qtbot, window, monkeypatch):
    p = window.current_panel()
    fake_grid(p)
    asked = answer(monkeypatch, QMessageBox.StandardButton.Reset)
    p.table.setFocus()
    qtbot.waitUntil(lambda: p.table.hasFocus())
    qtbot.keyClick(p.table, Qt.Key.Key_R)
    assert asked == [] and len(p.model.results) == 2  # the table's keyboard search got the key


def test_space_on_a_focused_checkbox_ticks_it(qtbot, window):
    p = window.current_panel()
    box = p.bands_box
    before = box.isChecked()
    box.setFocus()
    qtbot.waitUntil(lambda: box.hasFocus())
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked() != before and not p.is_playing()
    assert p.model.state.bands == box.isChecked()


def test_language_and_theme_switches_keep_results_form_and_selection(qtbot, window):
    from PySide6.QtWidgets import QApplication
    from app import fonts, i18n, themes

    p = window.current_panel()
    fake_grid(p)
    p.form.seeds_spin.setValue(3)
    p.table.select_ids([1])
    rows = p.model.rows()
    try:
        window.themes.choose("dark")  # no rebuild: the same panel keeps everything
        assert window.current_panel() is p and p.model.rows() == rows and p.table.selected_ids() == [1]
        new = window.switch_language("ko")
        qtbot.addWidget(new)
        q = new.current_panel()
        assert q is not p and q.panel_id == "compare"
        assert q.model.rows() == rows and q.table.model().rowCount() == 2  # results
        assert q.form.seeds_spin.value() == 3 and q.model.state.seeds == 3  # form
        assert q.table.selected_ids() == [1]  # selection
        assert q.model.status == "done" and "2/2" in q.progress_bar.format()
        new.close()
    finally:
        themes.apply("light")
        i18n.set_language("en")
        fonts.apply_language_font(QApplication.instance(), "en")


def test_levels_are_picked_from_a_menu_in_the_ui_language(qtbot, window):
    from app.panels.compare.level_menu import level_label
    p = window.current_panel()
    p.apply_state(State().merged({"vary": ["batchnorm", "init"], "levels": {"batchnorm": "off", "init": "he"}}))
    pick = p.form.pickers["batchnorm"]
    assert pick.isEnabled() and not p.form.pickers["activation"].isEnabled()
    pick.menu().aboutToShow.emit()
    actions = pick.menu().actions()
    assert [a.data() for a in actions] == ["off", "on"] and [a.isChecked() for a in actions] == [True, False]
    actions[1].setChecked(True)  # tick "on": the field and the state follow
    assert p.form.edits["batchnorm"].text() == "off, on"
    assert p.model.state.factors()["batchnorm"] == [False, True]
    assert level_label("init", "normal").endswith("(std 0.01)")
    init = p.form.pickers["init"]
    init.menu().aboutToShow.emit()
    checked = {a.data(): a.isChecked() for a in init.menu().actions()}
    assert checked["he"] and not checked["xavier"]


def test_an_unknown_initializer_is_reported_in_korean():
    from app import i18n
    from app.i18n import tr_message
    from app.panels.compare.form import INPUT_ERRORS
    from app.models.compare import State as S
    try:
        S().merged({"vary": ["init"], "levels": {"init": "std"}}).factors()
    except ValueError as exc:
        message = str(exc)
    assert message.startswith("init 'std' cannot be used here") or message.startswith("unknown initializer")
    try:
        i18n.set_language("ko")
        text = tr_message(message, INPUT_ERRORS)
    finally:
        i18n.set_language("en")
    assert "unknown" not in text and "cannot" not in text and "고르세요" in text
