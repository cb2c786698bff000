"""The Optimizer panel, driven through its real widgets (pytest-qt, offscreen).

Every expected path comes from ``engine.trajectory`` run directly in the test, so "Step moves
each path by exactly one engine update" is checked number for number, not by eye.
"""

import gc

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from app.models.optimizers import KEYS, LANES, short_message
from app.panels.optimizers import OptimizersPanel
from app.widgets.surface_levels import contour_polyline, surface_image
from engine import surfaces, trajectory



@pytest.fixture
def panel(qtbot):
    p = OptimizersPanel(grid_size=120)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    yield p
    assert p.shutdown()
    # Drop the stepper's Python wrapper now: pytest keeps ``p`` alive after the test, and
    # app.workers.shutdown_all() (run when a later test closes a MainWindow) walks every
    # stepper wrapper still alive, even one whose C++ object Qt already deleted with the panel.
    p._steppers.clear()
    p.stepper = None
    gc.collect()


def engine_race(p):
    """The same race as the panel's, run by the engine directly."""
    m = p.model
    return trajectory.Race(m.surface, m.configs(), m.start, seed=m.seed)


def lanes_on(p):
    """Lane index of each runner of the panel's race."""
    return [KEYS.index(k) for k in p.model.active]


def track(p, lane):
    return p.model.tracks[KEYS[lane]]


def hyper(p, lane):
    return p.state().hyper(KEYS[lane])


def click_step(qtbot, p, n=1):
    for _ in range(n):
        before = p.step_count
        qtbot.mouseClick(p.step_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: p.step_count == before + 1, timeout=5000)


def drawn_path(p, lane):
    x, y = p.view.slots[lane].curve.getData()
    return np.column_stack([x, y])


def test_step_moves_each_path_by_exactly_one_engine_update(qtbot, panel):
    race = engine_race(panel)
    assert lanes_on(panel) == [KEYS.index(k) for k in ("sgd", "momentum", "adagrad", "adam")]
    for n in range(1, 4):
        click_step(qtbot, panel)
        race.step()
        for lane, runner in zip(lanes_on(panel), race.runners):
            np.testing.assert_array_equal(track(panel, lane).pos[: n + 1], runner.positions)
            np.testing.assert_array_equal(drawn_path(panel, lane), runner.positions)
            np.testing.assert_array_equal(track(panel, lane).loss[: n + 1], runner.losses)
    assert panel.step_count == 3
    assert "step 3" in panel.status_label.text()


def test_book_preset_reproduces_the_book(qtbot, panel):
    panel.set_surface("rosenbrock")
    panel.set_hyper(KEYS.index("adam"), {"lr": 0.01})
    panel.set_lane_enabled(KEYS.index("nag"), True)
    qtbot.mouseClick(panel.book_button, Qt.MouseButton.LeftButton)
    assert panel.state().surface == "book_quadratic"
    assert panel.model.start == (-7.0, 2.0)
    on = {k: panel.state().hyper(k) for k in panel.state().enabled()}
    assert set(on) == {"sgd", "momentum", "adagrad", "adam"}
    assert on["sgd"]["lr"] == 0.95
    assert on["momentum"] == {"lr": 0.1, "momentum": 0.9}
    assert on["adagrad"]["lr"] == 1.5
    assert on["adam"]["lr"] == 0.3 and on["adam"]["beta1"] == 0.9
    assert [c.batch_size for c in panel.model.configs()] == [None] * 4
    # the book's figure: 30 steps; SGD zig-zags (y flips sign every step: y ← (1 − 2·0.95)·y)
    race = trajectory.Race(surfaces.get("book_quadratic"), trajectory.BOOK_PRESET, (-7, 2))
    for _ in range(30):
        race.step()
    panel.stepper.step(30)
    qtbot.waitUntil(lambda: panel.step_count == 30, timeout=5000)
    sgd = track(panel, KEYS.index("sgd")).pos[:31]
    np.testing.assert_array_equal(sgd, race.runners[0].positions)
    assert np.all(np.sign(sgd[1:, 1]) == -np.sign(sgd[:-1, 1]))


def test_click_and_drag_on_the_map_set_the_start(qtbot, panel):
    click_step(qtbot, panel, 2)
    view = panel.view
    target = (3.0, -2.0)
    pos = view.widget_pos_of(*target)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    # one pixel of the map in data units bounds the error of a click
    (x0, x1), (y0, y1) = view.bounds
    tol = 2 * max((x1 - x0) / view.viewbox.width(), (y1 - y0) / view.viewbox.height())
    assert abs(panel.model.start[0] - target[0]) < tol and abs(panel.model.start[1] - target[1]) < tol
    np.testing.assert_allclose(view.start.getData()[0], [panel.model.start[0]])
    # the paths restart from the new point; a paused race is replayed to the same step count
    qtbot.waitUntil(lambda: panel.step_count == 2, timeout=5000)
    race = engine_race(panel)
    race.run(2)
    for lane, runner in zip(lanes_on(panel), race.runners):
        np.testing.assert_array_equal(track(panel, lane).pos[: track(panel, lane).n], runner.positions)
        np.testing.assert_array_equal(drawn_path(panel, lane), runner.positions)
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    assert panel.step_count == 0 and all(t.n == 1 for t in panel.model.tracks.values())
    assert track(panel, lanes_on(panel)[0]).pos[0] == pytest.approx(panel.model.start)

    # a drag moves the start continuously; the release sets it
    a, b = view.widget_pos_of(-5.0, 3.0), view.widget_pos_of(-2.0, 1.0)
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=a)
    for t in np.linspace(0, 1, 6)[1:]:
        qtbot.mouseMove(view.viewport(), QPoint(int(a.x() + t * (b.x() - a.x())), int(a.y() + t * (b.y() - a.y()))))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=b)
    assert abs(panel.model.start[0] + 2.0) < tol and abs(panel.model.start[1] - 1.0) < tol
    assert panel.step_count == 0 and all(t.n == 1 for t in panel.model.tracks.values())


def test_play_pause_reset(qtbot, panel):
    panel.speed.setValue(240)
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert panel.is_playing()
    assert "Pause" in panel.play_button.text()
    qtbot.waitUntil(lambda: panel.step_count >= 10, timeout=5000)
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert not panel.is_playing()
    qtbot.wait(60)  # a value still in flight may land; after that nothing moves
    count = panel.step_count
    qtbot.wait(100)
    assert panel.step_count == count
    lane = lanes_on(panel)[0]
    assert track(panel, lane).n == count + 1
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    assert panel.step_count == 0
    assert all(t.n == 1 for t in panel.model.tracks.values())
    np.testing.assert_array_equal(drawn_path(panel, lane), [panel.model.start])
    assert not panel.is_playing()


@pytest.mark.expect_error  # the banner shows an error on purpose
def test_changing_a_hyperparameter_restarts(qtbot, panel):
    click_step(qtbot, panel, 3)
    panel.select_lane(KEYS.index("momentum"))
    spin = panel.editor.spins["lr"]
    old_path = track(panel, KEYS.index("momentum")).pos[:4].copy()
    spin.setValue(0.05)
    assert hyper(panel, KEYS.index("momentum"))["lr"] == 0.05
    # restarted from the start with the new rate, replayed to the step count shown before
    qtbot.waitUntil(lambda: panel.step_count == 3, timeout=5000)
    race = engine_race(panel)
    race.run(3)
    i = lanes_on(panel).index(KEYS.index("momentum"))
    new_path = track(panel, KEYS.index("momentum")).pos[:4]
    np.testing.assert_array_equal(new_path, race.runners[i].positions)
    assert race.runners[i].optimizer.hyper["lr"] == 0.05
    assert not np.array_equal(new_path, old_path)
    # an invalid value is refused by the engine and shown, not raised
    panel.set_hyper(KEYS.index("momentum"), {"momentum": 1.5})
    assert hyper(panel, KEYS.index("momentum"))["momentum"] == 0.9
    assert "momentum" in panel.banner.label.text() and panel.banner.isVisible()


@pytest.mark.parametrize("lr, status", [(50.0, "left the view at step 1"), (1e13, "diverged at step 1")])
def test_a_divergent_lr_shows_the_marker_and_others_keep_going(qtbot, panel, lr, status):
    sgd = KEYS.index("sgd")
    panel.set_hyper(sgd, {"lr": lr})
    click_step(qtbot, panel, 3)
    slot = panel.view.slots[sgd]
    assert slot.text.isVisible() and slot.stop.isVisible()
    assert slot.text.textItem.toPlainText() == status
    assert short_message(track(panel, sgd).message) == status
    assert panel.table.item(sgd, 2).text() == status
    (x0, x1), (y0, y1) = panel.view.bounds
    mx, my = slot.stop.getData()[0][0], slot.stop.getData()[1][0]
    assert x0 <= mx <= x1 and y0 <= my <= y1  # the marker stays inside the view
    for lane in lanes_on(panel):
        if lane != sgd:
            assert track(panel, lane).n == 4 and not track(panel, lane).message
    assert not panel.banner.isVisible()


def test_data_surface_uses_full_batch_gd_and_minibatch_sgd(qtbot, panel):
    panel.set_surface("data")
    qtbot.waitUntil(lambda: panel.image_ready, timeout=5000)
    assert panel.state().lanes.gd.enabled  # the full-batch reference joins the race
    assert panel.batch.isEnabled()
    panel.batch.setValue(5)
    cfg = {c.label: c for c in panel.model.configs()}
    assert cfg["GD"].batch_size is None and cfg["SGD"].batch_size == 5
    for lane in (KEYS.index("gd"), KEYS.index("sgd")):
        panel.set_hyper(lane, {"lr": 0.05})
    click_step(qtbot, panel, 5)
    race = engine_race(panel)
    for _ in range(5):
        race.step()
    for lane, runner in zip(lanes_on(panel), race.runners):
        n = len(runner.positions)  # Momentum etc. at the book's rates leave this view early
        np.testing.assert_array_equal(track(panel, lane).pos[:n], runner.positions)
    assert len(race.runners[0].positions) == len(race.runners[1].positions) == 6
    gd, sgd = track(panel, KEYS.index("gd")), track(panel, KEYS.index("sgd"))
    assert not np.array_equal(gd.pos[:6], sgd.pos[:6])  # mini-batch noise, same rule and lr
    panel.select_lane(KEYS.index("sgd"))
    assert "mini-batch of 5 of 200" in panel.readout.toPlainText()
    panel.set_surface("book_quadratic")
    assert not panel.batch.isEnabled()
    assert all(c.batch_size is None for c in panel.model.configs())


def test_every_surface_draws(qtbot, panel):
    for name in surfaces.names():
        panel.set_surface(name)
        qtbot.waitUntil(lambda: panel.image_ready, timeout=5000)
        s = surfaces.get(name)
        assert panel.view.bounds == tuple(tuple(map(float, b)) for b in s.bounds)
        assert panel.view.image.image is not None and np.isfinite(panel.view.image.image).any()
        assert len(panel.view.contours.getData()[0]) > 100
        assert panel.model.start == tuple(float(v) for v in s.start)
    assert not panel.banner.isVisible()


def test_readout_shows_the_update_and_the_rule(qtbot, panel):
    adam = KEYS.index("adam")
    panel.table.setCurrentCell(adam, 0)
    assert panel.state().selected == "adam" and "β₁" in panel.editor.title.text() + "".join(
        w.text() for w in panel.editor.findChildren(type(panel.editor.title)))
    click_step(qtbot, panel, 2)
    text = panel.readout.toPlainText()
    snap = track(panel, adam).last.state
    assert "step t = 2" in text
    assert "M̂" in text and "V̂" in text and "α_eff" in text
    assert f"{snap['M_hat'][0]:.4g}".replace("-", "−") in text
    assert "√V̂ + ε" in text and "inside the root" in text  # the ε note
    assert panel.view.vel_line.isVisible() and panel.view.grad_line.isVisible()
    panel.arrows_box.setChecked(False)
    assert not panel.view.vel_line.isVisible()


def test_each_rule_appears_once_and_the_numbers_fit_beside_it(qtbot, panel):
    """Regression: AdaGrad's rule was shown twice (code and lecture forms), pushing the numbers
    below the rule and under a scrollbar. Each statement of every optimizer's rule appears once."""
    panel.resize(975, 720)  # the panel beside the Lecture dock in a 1280×800 window
    click_step(qtbot, panel, 2)
    for lane, (key, _label, opt, _mb, _tip) in enumerate(LANES):
        panel.table.setCurrentCell(lane, 0)
        qtbot.waitUntil(lambda: panel.state().selected == key, timeout=2000)
        text = panel.readout.toPlainText()
        formula, _code = panel.model.rule(key)  # with the lane's options (Adam without bias correction)
        updates = [t.strip() for t in formula.split(";") if "←" in t]
        assert updates
        for statement in updates:  # (M̂ = … also labels a row of numbers: only the updates count)
            assert text.count(statement) == 1, (opt, statement, text)
    panel.table.setCurrentCell(KEYS.index("adagrad"), 0)
    qtbot.waitUntil(lambda: "AdaGrad" in panel.readout.toPlainText(), timeout=2000)
    assert panel.readout.toPlainText().count("G ← G + g²") == 1
    assert "<td valign=top width=" in panel.readout.last_html  # numbers beside the rule
    assert panel.readout.verticalScrollBar().maximum() == 0


def test_lane_toggle_and_keyboard(qtbot, panel):
    nag = KEYS.index("nag")
    panel.table.setCurrentCell(nag, 0)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert panel.state().lanes.nag.enabled and nag in lanes_on(panel)
    for w in (panel.play_button, panel.step_button, panel.reset_button, panel.surface_combo,
              panel.book_button, panel.arrows_box, panel.table, panel.view, panel.readout,
              panel.loss_plot, panel.speed, panel.batch, *panel.editor.spins.values()):
        assert w.toolTip(), w.objectName()


def test_main_window_actions_and_close_mid_animation(qtbot):
    from app.main_window import MainWindow

    win = MainWindow(panel="optimizers", persist=False)
    qtbot.addWidget(win)
    win.show()
    p = win.current_panel()
    assert isinstance(p, OptimizersPanel) and p.objectName() == "optimizersPanel"
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    win.actionStep.trigger()
    qtbot.waitUntil(lambda: p.step_count == 1, timeout=5000)
    # the shortcuts reach the panel; with the map focused, → moves the start instead of stepping
    p.view.setFocus()
    qtbot.keyClick(p.view, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: p.step_count == 2, timeout=5000)
    x = p.model.start[0]
    qtbot.keyClick(p.view, Qt.Key.Key_Right)
    assert p.model.start[0] > x
    qtbot.wait(100)
    assert p.step_count == 2  # replayed to step 2 from the new start; no extra step
    p.table.setFocus()
    qtbot.keyClick(p.table, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: p.step_count == 3, timeout=5000)
    p.speed.setValue(240)
    win.actionPlayPause.trigger()
    qtbot.waitUntil(lambda: p.step_count >= 5, timeout=5000)
    assert p.is_playing()
    win.close()  # mid-animation: the conftest guard fails the test if a thread survives
    assert not p.is_playing()


def test_contour_lines_lie_on_their_levels():
    s = surfaces.get("book_quadratic")
    xs, ys, Z = s.grid(200)
    x, y = contour_polyline(xs, ys, Z, [1.0, 4.0])
    assert np.isnan(x).any()  # pieces separated for connect="finite"
    v = s.value(x[np.isfinite(x)], y[np.isfinite(y)])
    assert np.all((np.abs(v - 1.0) < 0.02) | (np.abs(v - 4.0) < 0.05))
    img = surface_image(*surfaces.get("rosenbrock").grid(100), log_colors=True)
    assert img.log and img.levels[0] < img.levels[1] and np.isfinite(img.image).all()


def test_arrow_keys_on_the_focused_map_move_the_start(qtbot, panel):
    panel.view.setFocus()
    x, y = panel.model.start
    (x0, x1), (y0, y1) = panel.view.bounds
    qtbot.keyClick(panel.view, Qt.Key.Key_Right)
    assert panel.model.start == pytest.approx((x + 0.02 * (x1 - x0), y))
    qtbot.keyClick(panel.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert panel.model.start == pytest.approx((x + 0.02 * (x1 - x0), y - 0.1 * (y1 - y0)))
    assert panel.step_count == 0  # → moved the start; it did not step


def test_no_optimizer_ticked_is_harmless(qtbot, panel):
    for lane in range(len(LANES)):
        panel.set_lane_enabled(lane, False)
    assert panel.model.active == []
    panel.play_pause()
    panel.step()
    qtbot.wait(50)
    assert not panel.is_playing() and panel.step_count == 0
    assert not panel.banner.isVisible()


def test_dragging_a_paused_race_reshapes_whole_paths(qtbot, panel):
    panel.stepper.step(10)
    qtbot.waitUntil(lambda: panel.step_count == 10, timeout=5000)
    view = panel.view
    a, b = view.widget_pos_of(-8.0, 4.0), view.widget_pos_of(-3.0, -3.0)
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=a)
    for t in np.linspace(0, 1, 8)[1:]:  # faster than a replay: aborted replays must not shrink it
        qtbot.mouseMove(view.viewport(), QPoint(int(a.x() + t * (b.x() - a.x())), int(a.y() + t * (b.y() - a.y()))))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=b)
    qtbot.waitUntil(lambda: panel.step_count == 10 and panel.replay_left == 0, timeout=5000)
    race = engine_race(panel)
    race.run(10)
    for lane, runner in zip(lanes_on(panel), race.runners):
        np.testing.assert_array_equal(drawn_path(panel, lane), runner.positions)


def test_hover_shows_the_value_under_the_pointer(qtbot, panel):
    pos = panel.view.widget_pos_of(4.0, -2.0)
    qtbot.mouseMove(panel.view.viewport(), pos)
    qtbot.waitUntil(lambda: panel.view.hover.isVisible(), timeout=2000)
    text = panel.view.hover.textItem.toPlainText()
    x, y = (float(v.split("=")[1].replace("−", "-")) for v in text.split("   ")[:2])
    f = float(text.split("f = ")[1])
    assert f == pytest.approx(float(panel.model.surface.value(x, y)), rel=0.02)  # x, y shown to 3 digits
    assert abs(x - 4.0) < 0.1 and abs(y + 2.0) < 0.1


def test_typing_a_learning_rate_and_stepping_it_by_factors(qtbot, panel):
    adam = KEYS.index("adam")
    panel.select_lane(adam)
    spin = panel.editor.spins["lr"]
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "0.05")
    assert hyper(panel, adam)["lr"] == 0.3  # no restart per keystroke
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert hyper(panel, adam)["lr"] == pytest.approx(0.05)
    qtbot.keyClick(spin, Qt.Key.Key_Up)  # log steps: ×1.25
    assert hyper(panel, adam)["lr"] == pytest.approx(0.0625)
    eps = panel.editor.spins["eps"]
    assert eps.text() == "1e-08"
    eps.lineEdit().selectAll()
    qtbot.keyClicks(eps.lineEdit(), "1e-6")
    qtbot.keyClick(eps.lineEdit(), Qt.Key.Key_Return)
    assert hyper(panel, adam)["eps"] == pytest.approx(1e-6)
    assert "ε 1e-06" in panel.table.item(adam, 1).text()


def test_flipping_surfaces_fast_keeps_only_the_latest_image(qtbot, panel):
    ch = panel.channel("surface")
    before = ch.started_count
    for name in ["rosenbrock", "beale", "himmelblau", "saddle", "rastrigin", "data", "beale"]:
        panel.surface_combo.setCurrentIndex(panel.surface_combo.findData(name))
    qtbot.waitUntil(lambda: panel.image_ready and not ch.busy, timeout=10000)
    assert ch.started_count - before < 7  # stale requests were coalesced away, not queued
    assert panel.view.bounds == ((-4.5, 4.5), (-4.5, 4.5))  # Beale's, the last one asked for
    assert panel.view.image.image.shape == (panel.grid_size, panel.grid_size)


def test_play_after_every_path_stopped_starts_over(qtbot, panel):
    for lane in lanes_on(panel):
        panel.set_hyper(lane, {"lr": 80.0})  # every path leaves the view at once
    panel.step()
    qtbot.waitUntil(lambda: panel.model.finished == "stopped", timeout=5000)
    assert all(panel.view.slots[lane].text.isVisible() for lane in lanes_on(panel))
    panel.step()  # nothing left to step: no error, no change
    qtbot.wait(30)
    assert panel.step_count == 1 and not panel.banner.isVisible()
    panel.play_pause()  # starts over from step 0; all leave again at step 1 and it pauses
    qtbot.waitUntil(lambda: panel.step_count == 1 and bool(panel.model.finished), timeout=5000)
    assert not panel.is_playing() and not panel.banner.isVisible()


def test_state_round_trip_through_json(qtbot, panel):
    import json

    from app.models.optimizers import State

    panel.set_surface("rosenbrock", start=(-1.5, 2.0))
    panel.set_lane_enabled(KEYS.index("rmsprop"), True)
    panel.set_hyper(KEYS.index("rmsprop"), {"lr": 0.003, "decay_rate": 0.9})
    panel.speed.setValue(42)
    panel.arrows_box.setChecked(False)
    state = panel.state()
    assert state.surface == "rosenbrock" and state.start == (-1.5, 2.0) and state.speed == 42
    assert state.lanes.rmsprop == state.lanes.rmsprop.replace(enabled=True, lr=0.003, decay_rate=0.9)
    restored = State.from_dict(json.loads(json.dumps(state.to_dict())))
    other = OptimizersPanel(grid_size=60)
    qtbot.addWidget(other)
    try:
        other.apply_state(restored)
        assert other.state() == state
        assert other.speed.value() == 42 and not other.arrows_box.isChecked()
        assert other.table.is_checked(KEYS.index("rmsprop")) and other.surface_combo.currentData() == "rosenbrock"
        qtbot.waitUntil(lambda: other.is_ready and other.image_ready, timeout=5000)
        assert other.view.bounds == tuple(tuple(map(float, b)) for b in surfaces.get("rosenbrock").bounds)
    finally:
        assert other.shutdown()
        other._steppers.clear()
        other.stepper = None
        gc.collect()


@pytest.mark.parametrize("bad, key", [
    ({"surface": "no-such-surface"}, "surface"), ({"start": [1.0]}, "start"),
    ({"lanes": {"adam": {"beta1": 1.0}}}, "lanes.adam.beta1"), ({"lanes": {"sgd": {"lr": 0}}}, "lanes.sgd.lr"),
    ({"lanes": {"gd": {"momentum": 0.9}}}, "lanes.gd.momentum"), ({"selected": "lbfgs"}, "selected"),
    ({"speed": "fast"}, "speed"), ({"arrows": 1}, "arrows"),
])
def test_from_dict_rejects_bad_values_naming_the_key(bad, key):
    from app.models.base import StateError
    from app.models.optimizers import State

    with pytest.raises(StateError) as err:
        State.from_dict(bad)
    assert err.value.key == key


def test_changing_controls_changes_state(qtbot, panel):
    panel.surface_combo.setCurrentIndex(panel.surface_combo.findData("saddle"))
    assert panel.state().surface == "saddle"
    panel.table.setCurrentCell(KEYS.index("nag"), 0)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert panel.state().selected == "nag" and panel.state().lanes.nag.enabled
    spin = panel.editor.spins["momentum"]
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "0.5")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert panel.state().lanes.nag.momentum == pytest.approx(0.5)
    qtbot.mouseClick(panel.arrows_box, Qt.MouseButton.LeftButton)
    assert panel.state().arrows is False
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Right)
    assert panel.state().start is not None and panel.state().start[0] > surfaces.get("saddle").start[0]


def test_migrate_legacy_reads_the_old_json_blob():
    import json

    from app.models.optimizers import State, migrate_legacy

    hyper = [{"lr": 0.01}, {"lr": 0.5}, {"lr": 0.1, "momentum": 0.8}, {"lr": 0.01, "momentum": 0.9},
             {"lr": 1.5, "eps": 1e-10}, {"lr": "bad", "decay_rate": 0.9, "eps": 1e-8},
             {"lr": 0.3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}]
    old = {"surface": "rosenbrock", "start": [-1.5, 2.0], "enabled": [True, True, False, False, False, True, False],
           "hyper": hyper, "selected": 5, "speed": 42, "batch": 20, "arrows": False}
    for stored in (json.dumps(old), old):  # QSettings holds the string, session files the object
        state = State.from_dict(migrate_legacy({"state": stored}))
        assert state.surface == "rosenbrock" and state.start == (-1.5, 2.0) and state.selected == "rmsprop"
        assert state.enabled() == ["gd", "sgd", "rmsprop"] and state.lanes.sgd.lr == 0.5
        assert state.lanes.momentum.momentum == 0.8 and state.lanes.rmsprop.decay_rate == 0.9
        assert state.lanes.rmsprop.lr == 0.01  # the bad value is dropped, the default kept
        assert (state.speed, state.batch, state.arrows) == (42, 20, False)
    assert State.from_dict(migrate_legacy({"state": '{"surface": "no-such-surface"'})) == State()
    assert State.from_dict(migrate_legacy({"state": '{"surface": "no-such-surface"}'})) == State()


def test_migrate_keeps_the_book_lanes_the_old_blob_leaves_out():
    from app.models.optimizers import State, migrate_legacy

    state = State.from_dict(migrate_legacy({"state": {"surface": "saddle", "enabled": "garbage"}}))
    assert state.surface == "saddle" and state.lanes == State().lanes


def test_theme_switch_recolours_readout_map_and_table(qtbot, panel):
    from app.panels.optimizers.readout import CARD
    from app.widgets import palette
    from app.widgets.surface_view import DARK_HEAT_MAP, HEAT_MAP

    click_step(qtbot, panel)
    adam = KEYS.index("adam")
    light_lut = panel.view.image.lut.copy() if panel.view.image.lut is not None else None
    try:
        palette.set_dark(True)
        assert CARD[True][0] in panel.readout.styleSheet()
        assert palette.DARK["FOREGROUND"] in panel.readout.last_html  # the rule's text, re-rendered
        assert panel.view.colorbar.colorMap().name == DARK_HEAT_MAP.name
        assert light_lut is None or not np.array_equal(panel.view.image.lut, light_lut)
        swatch = panel.table.item(adam, 0).icon().pixmap(12, 12).toImage()
        assert swatch.pixelColor(6, 6).name() == palette.DARK["black"].lower()  # Adam's lane
        assert panel.view.slots[adam].curve.opts["pen"].color().name() == palette.DARK["black"].lower()
    finally:
        palette.set_dark(False)
    assert CARD[False][0] in panel.readout.styleSheet() and panel.view.colorbar.colorMap().name == HEAT_MAP.name


def test_a_narrow_board_keeps_settings_and_formulas_readable(qtbot, panel):
    """Beside the Lecture dock (issue #14): the State column gives way, formulas never wrap."""
    table = panel.table
    wide_state = table.columnWidth(2)
    panel.resize(760, 800)
    qtbot.waitUntil(lambda: table.columnWidth(2) < wide_state, timeout=2000)
    fm = table.fontMetrics()
    assert table.columnWidth(1) >= fm.horizontalAdvance("α 0.1  m 0.9")
    assert table.columnWidth(2) >= fm.horizontalAdvance("step 8888")
    readout = panel.readout
    assert readout.viewport().width() < readout.side_by_side_width(*(readout.last_update[k] for k in ("formula", "torch_formula")))
    assert "<td valign=top width=" not in readout.last_html  # stacked: the numbers under the rule
    panel.resize(1600, 900)
    qtbot.waitUntil(lambda: "<td valign=top width=" in readout.last_html, timeout=2000)
