"""Sessions: a round trip restores the same state; bad files change nothing and say why."""

import json

import pytest
from PySide6.QtWidgets import QMenu, QMessageBox

from app import session
from app.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    w = MainWindow(panel="activations")
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    yield w
    w.close()


@pytest.fixture
def warnings(monkeypatch):
    """QMessageBox.warning recorded instead of shown (a modal box would block the test)."""
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append((title, text)))
    return shown


def _controls(w):
    act, ini, opt = w.panel("activations"), w.panel("init"), w.panel("optimizers")
    return {
        "depth": act.depth_spin.value(), "init": act.init_combo.currentData(), "bias": act.bias_slider.value(),
        "seed": ini.seed_spin.value(), "compare": ini.compare.isChecked(),
        "speed": opt.speed.value(), "arrows": opt.arrows_box.isChecked(),
    }


def _set(w, depth, init_name, bias, seed, compare, speed, arrows):
    act, ini, opt = w.panel("activations"), w.panel("init"), w.panel("optimizers")
    act.depth_spin.setValue(depth)
    act.init_combo.setCurrentIndex(act.init_combo.findData(init_name))
    act.bias_slider.setValue(bias)
    ini.seed_spin.setValue(seed)
    ini.compare.setChecked(compare)
    opt.speed.setValue(speed)
    opt.arrows_box.setChecked(arrows)


def _settle(w, qtbot):
    for p in w._panels.values():
        qtbot.waitUntil(lambda p=p: not p.is_busy(), timeout=15000)


@pytest.mark.skip(reason="the Activations/Optimizers panels persist through state()/apply_state(); session.py and the window switch to it in the shell part of issue #10")
def test_round_trip_restores_the_same_state(window, qtbot, tmp_path, warnings):
    _set(window, 7, "xavier", -1.25, 42, False, 60, False)
    window.show_panel("init")
    saved = _controls(window)
    path = tmp_path / "lesson.gradlab.json"
    assert session.save_path(window, str(path))

    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == "gradlab-session" and doc["version"] == 1
    assert doc["current_panel"] == "init" and doc["language"] in ("en", "ko") and doc["app_version"]
    assert doc["panels"]["activations"]["depth"] == 7
    assert isinstance(doc["panels"]["optimizers"]["state"], dict)  # expanded, not an escaped string
    assert doc["panels"]["optimizers"]["state"]["arrows"] is False

    _set(window, 3, "he", 0.5, 5, True, 10, True)
    window.show_panel("activations")
    assert _controls(window) != saved
    assert session.open_path(window, str(path))
    assert _controls(window) == saved
    assert window.current_panel().panel_id == "init"
    assert not warnings
    assert session.recent_sessions() == [str(path.resolve())]
    _settle(window, qtbot)


@pytest.mark.skip(reason="the Activations/Optimizers panels persist through state()/apply_state(); session.py and the window switch to it in the shell part of issue #10")
def test_a_session_can_be_opened_in_a_fresh_window(qtbot, tmp_path, window):
    _set(window, 9, "lecun", -0.5, 77, True, 30, False)
    path = tmp_path / "s.json"
    session.save(window, path)
    other = MainWindow(panel="optimizers", persist=False)
    qtbot.addWidget(other)
    session.open_session(other, path)
    assert _controls(other) == _controls(window)
    other.close()
    _settle(window, qtbot)


BAD_FILES = {
    "corrupt": b'{"format": "gradlab-session", "version": 1, "panels": {"activations": {"depth": 3',
    "binary": bytes(range(256)),
    "empty": b"",
    "foreign": json.dumps({"format": "something-else", "version": 1, "panels": {}}).encode(),
    "plain list": b"[1, 2, 3]",
    "newer": json.dumps({"format": "gradlab-session", "version": 99, "app_version": "9.0",
                         "panels": {"activations": {"depth": 2}}}).encode(),
    "no panels": json.dumps({"format": "gradlab-session", "version": 1}).encode(),
    "bad value": json.dumps({"format": "gradlab-session", "version": 1,
                             "panels": {"activations": {"depth": 2}, "init": ["not", "a", "dict"]}}).encode(),
}


def test_bad_files_change_nothing_and_say_why(window, qtbot, tmp_path, warnings):
    _set(window, 6, "xavier", -0.75, 11, False, 20, True)
    window.show_panel("optimizers")
    before = _controls(window)
    for kind, content in BAD_FILES.items():
        warnings.clear()
        path = tmp_path / f"{kind}.json"
        path.write_bytes(content)
        assert not session.open_path(window, str(path)), kind
        assert _controls(window) == before, kind
        assert window.current_panel().panel_id == "optimizers"
        assert len(warnings) == 1, kind
        title, text = warnings[0]
        assert title == "Could not open session" and path.name in text, (kind, text)
        if kind == "newer":
            assert "newer" in text
        if kind == "foreign":
            assert "not a GradLab session" in text
    missing = tmp_path / "missing.json"
    assert not session.open_path(window, str(missing)) and "missing.json" in warnings[-1][1]
    assert session.recent_sessions() == []
    _settle(window, qtbot)


@pytest.mark.skip(reason="the Activations/Optimizers panels persist through state()/apply_state(); session.py and the window switch to it in the shell part of issue #10")
def test_a_panel_that_refuses_its_settings_rolls_everything_back(window, qtbot, tmp_path, warnings):
    _set(window, 6, "xavier", -0.75, 11, False, 20, True)
    before = _controls(window)
    good = session.capture(window)
    good["panels"]["activations"]["depth"] = 2  # applied first ...
    good["panels"]["optimizers"]["state"] = {"hyper": "garbage", "speed": "fast"}  # ... then this fails
    path = tmp_path / "half.json"
    path.write_text(json.dumps(good), encoding="utf-8")
    assert not session.open_path(window, str(path))
    assert _controls(window) == before
    assert "Optimizers" in warnings[0][1]
    assert window.panel("optimizers").last_error == ""
    _settle(window, qtbot)


@pytest.mark.skip(reason="the Activations/Optimizers panels persist through state()/apply_state(); session.py and the window switch to it in the shell part of issue #10")
def test_unknown_panels_are_skipped(window, qtbot, tmp_path, warnings):
    doc = session.capture(window)
    doc["panels"]["from_the_future"] = {"x": 1}
    doc["panels"]["activations"]["depth"] = 4
    path = tmp_path / "future.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert session.open_path(window, str(path))
    assert window.panel("activations").depth_spin.value() == 4
    assert "from_the_future" in window.statusBar().currentMessage()
    _settle(window, qtbot)


def test_recent_list_is_newest_first_capped_and_pruned(window, tmp_path, warnings):
    paths = []
    for i in range(session.MAX_RECENT + 2):
        p = tmp_path / f"s{i}.json"
        session.save(window, p)
        session.add_recent(p)
        paths.append(str(p.resolve()))
    assert session.recent_sessions() == paths[::-1][: session.MAX_RECENT]
    (tmp_path / f"s{session.MAX_RECENT + 1}.json").unlink()
    assert session.recent_sessions() == paths[::-1][1: session.MAX_RECENT]
    session.add_recent(paths[3])
    assert session.recent_sessions()[0] == paths[3]
    assert len(session.recent_sessions()) == len(set(session.recent_sessions()))

    menu = window.findChild(QMenu, "recentSessionsMenu")
    menu.aboutToShow.emit()
    labels = [a.text() for a in menu.actions() if a.objectName().startswith("actionRecentSession_")]
    assert labels[0].endswith("s3.json") and len(labels) == session.MAX_RECENT - 1
    first = next(a for a in menu.actions() if a.objectName() == "actionRecentSession_0")
    first.trigger()  # opens it
    assert "s3.json" in window.statusBar().currentMessage() and window.current_session == paths[3]
    session.clear_recent()
    assert session.recent_sessions() == []


def test_menu_actions_and_shortcuts(window):
    assert window.actionOpenSession.shortcuts()[0].toString() == "Ctrl+O"
    assert window.actionSaveSession.shortcuts()[0].toString() == "Ctrl+S"
    texts = [a.text() for a in session.find_menu(window, window.actionQuit).actions()]
    assert window.actionOpenSession.text() in texts and window.actionSaveSession.text() in texts
    shortcuts = [s.toString() for a in window.actions() for s in a.shortcuts()]
    assert len(shortcuts) == len(set(shortcuts)), "two actions share a shortcut"


def test_dict_settings_behaves_like_qsettings_for_panels():
    s = session.DictSettings()
    s.beginGroup("a")
    s.setValue("x", 3)
    s.setValue("b/y", "z")
    assert s.value("x") == 3 and s.value("missing", 7) == 7 and s.value("x", type=str) == "3"
    assert sorted(s.allKeys()) == ["b/y", "x"] and s.contains("b/y")
    s.endGroup()
    assert s.data == {"a/x": 3, "a/b/y": "z"}


def test_panels_not_opened_yet_are_saved_from_the_settings_without_building_them(window):
    from app.main_window import settings

    store = settings()
    store.setValue("backprop/seed", 5)
    store.setValue("backprop/lr", "0.25")
    store.sync()
    assert "backprop" not in window._panels
    doc = session.capture(window)
    assert "backprop" not in window._panels
    assert int(doc["panels"]["backprop"]["seed"]) == 5 and doc["panels"]["backprop"]["lr"] == "0.25"
