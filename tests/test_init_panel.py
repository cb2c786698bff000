"""The Initialization panel and its shared histogram row, driven through real widgets (offscreen)."""

import threading

import numpy as np
import pytest
import json

from PySide6.QtCore import QPoint, Qt

from app.models import init as panel_module
from app.models.base import StateError
from app.models.init import PRESETS, Config, State, migrate_legacy
from app.panels.init import InitPanel
from app.panels.init.config_editor import init_choices
from app.widgets.layer_histograms import LayerHistogramRow, share_y_range
from engine import activations

DEFAULT_A, DEFAULT_B = State().a, State().b
ACTIVATIONS = activations.elementwise_names()


def InitConfig(activation="sigmoid", init="std1", custom_std=0.05, batchnorm=False):  # noqa: N802
    return Config(activation, init, custom_std, batchnorm)


@pytest.fixture
def panel(qtbot):
    p = InitPanel()
    qtbot.addWidget(p)
    p.resize(1280, 760)
    p.show()
    with qtbot.waitSignal(p.ready, timeout=10000):
        pass
    yield p
    p.shutdown()


def _settle(panel, qtbot):
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=10000)
    qtbot.wait(10)


def _select(qtbot, combo, data):
    """Pick the entry whose data is ``data`` as a user would: keyboard on the focused combo."""
    index = combo.findData(data)
    assert index >= 0, data
    combo.setFocus()
    while combo.currentIndex() != index:
        key = Qt.Key.Key_Down if combo.currentIndex() < index else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


def _click_box(qtbot, box):
    """Click a check box on its indicator (its centre may lie right of the text)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def _assert_rows_match_engine(panel, key, experiment):
    expected = experiment.run()
    res = panel.model.results[key]
    assert res.config == experiment
    act, grad = panel.views.act_rows[key], panel.views.grad_rows[key]
    assert act.layer_names() == [f"Layer {i}" for i in range(1, experiment.n_layers + 1)]
    for i, layer in enumerate(expected.layers):
        counts, edges = act.histogram(i)
        np.testing.assert_array_equal(counts, layer.counts)
        np.testing.assert_array_equal(edges, expected.edges)
        np.testing.assert_allclose(act.heights(i), layer.counts / layer.counts.sum())
        g_counts, g_edges = grad.histogram(i)
        np.testing.assert_array_equal(g_counts, layer.grad_counts)
        np.testing.assert_array_equal(g_edges, expected.grad_edges)
    x, y = panel.numbers.magnitude_curves[key].getOriginalDataset()  # getData() is log10 on a log axis
    np.testing.assert_array_equal(x, np.arange(1, experiment.n_layers + 1))
    np.testing.assert_allclose(y, expected.column("grad_mean_abs"))
    return expected


# ---- the shared widget ------------------------------------------------------------------------------
def test_histogram_row_shares_axes_and_keeps_curves(qtbot):
    row = LayerHistogramRow(title="t", x_label="x")
    qtbot.addWidget(row)
    row.set_layers(["L1", "L2", "L3"])
    edges = np.linspace(0, 1, 5)
    row.set_histograms([(np.array([1, 1, 1, 1]), edges), (np.array([4, 0, 0, 0]), edges), (np.zeros(4), edges)])
    assert row.heights(1).tolist() == [1.0, 0, 0, 0] and row.heights(2).tolist() == [0, 0, 0, 0]
    curve = row._curves[(0, 0)]
    row.set_histograms([(np.array([2, 2, 0, 0]), edges)] * 3)
    assert row._curves[(0, 0)] is curve  # setData only, no new items
    assert row.y_max() == pytest.approx(0.55)  # 0.5 rounded up with padding
    y_ranges = {tuple(np.round(row.plot(i).getViewBox().viewRange()[1], 9)) for i in range(3)}
    assert len(y_ranges) == 1  # one shared y range
    row.set_layers(["a", "b", "c"])  # same count: titles only
    assert row._curves[(0, 0)] is curve and row.layer_names() == ["a", "b", "c"]
    other = LayerHistogramRow()
    qtbot.addWidget(other)
    other.set_layers(["x"])
    other.set_histograms([(np.array([1, 0, 0, 0]), edges)])
    assert share_y_range([row, other]) == other.y_max()
    spike = LayerHistogramRow()
    qtbot.addWidget(spike)
    spike.set_layers(["relu"])
    spike.set_histograms([(np.array([8, 1, 1, 0]), np.linspace(0, 1, 5))])
    assert spike.y_max() == pytest.approx(0.9) and spike.y_max(skip_value=0.0) == pytest.approx(0.11)
    spike.set_histograms([(np.array([8, 0, 0, 0]), np.linspace(0, 1, 5))])
    assert spike.y_max(skip_value=0.0) == spike.y_max()  # nothing else to show: not clipped
    with pytest.raises(ValueError, match="edges"):
        row.set_histograms([(np.ones(3), edges)])
    row.set_texts(["a", "b", "c"], series=1)
    row.clear_series(1)
    assert row.texts(1) == []


# ---- the panel ----------------------------------------------------------------------------------------
def test_defaults_draw_both_configs_equal_to_engine(panel):
    assert panel.objectName() == "initPanel"
    assert panel.state().a == DEFAULT_A and panel.state().b == DEFAULT_B
    for key in ("A", "B"):
        _assert_rows_match_engine(panel, key, panel.state().experiment(key))
    assert panel.views.act_rows["B"].isVisible()
    assert panel.numbers.table.rowCount() == 10
    assert panel.numbers.table.item(0, 0).text() == "A" and panel.numbers.table.item(5, 0).text() == "B"


@pytest.mark.parametrize("control", ["activation", "init", "batchnorm"])
def test_changing_a_control_recomputes(panel, qtbot, control):
    editor = panel.editors["A"]
    with qtbot.waitSignal(panel.drawn, timeout=10000):
        if control == "activation":
            _select(qtbot, editor.activation, "tanh")
        elif control == "init":
            _select(qtbot, editor.init, "he")
        else:
            _click_box(qtbot, editor.batchnorm)
    _settle(panel, qtbot)
    exp = panel.state().experiment("A")
    expected = {"activation": ("tanh", "normal", False), "init": ("sigmoid", "he", False),
                "batchnorm": ("sigmoid", "normal", True)}[control]
    assert (exp.activation, exp.init, exp.batchnorm) == expected
    _assert_rows_match_engine(panel, "A", exp)


def test_every_activation_and_init_runs(panel, qtbot):
    """Every menu entry reaches the engine and draws without an error."""
    for name in ACTIVATIONS:
        panel.editors["A"].set_config(InitConfig(name, "he"))
    for key, _label, _tip in init_choices():
        panel.editors["B"].set_config(InitConfig("relu", key))
    _settle(panel, qtbot)
    assert not panel.last_error
    _assert_rows_match_engine(panel, "B", panel.state().experiment("B"))


def test_custom_std_slider_reaches_the_engine(panel, qtbot):
    editor = panel.editors["B"]
    assert not editor.custom_std.isVisible()
    _select(qtbot, editor.init, "custom")
    assert editor.custom_std.isVisible() and editor.custom_std.isEnabled()
    editor.custom_std.setValue(0.3)
    _settle(panel, qtbot)
    exp = panel.state().experiment("B")
    assert exp.init == "normal" and exp.init_kwargs == {"std": 0.3}
    _assert_rows_match_engine(panel, "B", exp)


def test_sizes_change_the_number_of_histograms(panel, qtbot):
    panel.size_spins["layers"].setValue(7)
    panel.size_spins["samples"].setValue(300)
    _settle(panel, qtbot)
    assert len(panel.views.act_rows["A"].layer_names()) == 7 == len(panel.views.grad_rows["B"].layer_names())
    assert panel.numbers.table.rowCount() == 14
    exp = _assert_rows_match_engine(panel, "A", panel.state().experiment("A"))
    assert exp.config.n_samples == 300 and int(exp.layers[0].counts.sum()) == 300 * 100


def test_compare_off_hides_b(panel, qtbot):
    _click_box(qtbot, panel.compare)
    _settle(panel, qtbot)
    assert set(panel.model.results) == {"A"}
    assert not panel.views.act_rows["B"].isVisible() and not panel.editors["B"].isEnabled()
    assert panel.numbers.table.rowCount() == 5
    assert len(panel.numbers.magnitude_curves["B"].getOriginalDataset()[0] or []) == 0
    _click_box(qtbot, panel.compare)
    _settle(panel, qtbot)
    assert set(panel.model.results) == {"A", "B"} and panel.views.act_rows["B"].isVisible()


def test_presets_set_the_controls(panel, qtbot):
    for index, (_text, _tip, a, b) in enumerate(PRESETS):
        panel.size_spins["width"].setValue(50)
        panel.compare.setChecked(False)
        qtbot.mouseClick(panel.preset_buttons[index], Qt.MouseButton.LeftButton)
        assert panel.state().a == a and panel.state().b == b, index
        assert panel.compare.isChecked() and panel.size_spins["width"].value() == 100
        assert panel.editors["A"].activation.currentData() == a.activation
        assert panel.editors["B"].init.currentData() == b.init
        assert panel.editors["B"].batchnorm.isChecked() == b.batchnorm
        _settle(panel, qtbot)
        _assert_rows_match_engine(panel, "B", panel.state().experiment("B"))


def test_book_cases_are_visible_in_the_table(panel, qtbot):
    """What the figures should show, read back from what the panel displays."""
    panel.apply_preset(0)  # sigmoid std 1 vs std 0.01
    _settle(panel, qtbot)
    a5, b5 = panel.model.results["A"].layers[-1], panel.model.results["B"].layers[-1]
    assert a5.share_saturated > 0.3 and b5.std < 0.02 and abs(b5.mean - 0.5) < 0.01
    assert panel.numbers.table.item(4, 4).text() == f"{a5.share_saturated:.0%}"
    assert panel.numbers.table.horizontalHeaderItem(5).text() == "f′ < 0.01"
    assert panel.numbers.table.item(4, 5).text() == f"{a5.share_flat:.0%}" and a5.share_flat > 0.3
    assert panel.numbers.table.item(9, 5).text() == "0%"  # std 0.01: every σ′ ≈ 0.25
    panel.apply_preset(4)  # ReLU Xavier vs He: He keeps the spread, Xavier halves it per layer
    _settle(panel, qtbot)
    std_a, std_b = panel.model.results["A"].column("std"), panel.model.results["B"].column("std")
    assert std_a[-1] < 0.5 * std_a[0] and std_b[-1] > 0.7 * std_b[0]
    assert "zeros" in panel.views.act_rows["B"].texts()[0]


def test_step_draws_the_next_seed_and_reset_restores_defaults(panel, qtbot):
    before = panel.views.act_rows["A"].histogram(0)[0].copy()
    with qtbot.waitSignal(panel.stepped, timeout=10000) as sig:
        panel.step()
    assert sig.args == [1] and panel.seed_spin.value() == 1
    assert panel.model.results["A"].config.seed == 1
    assert not np.array_equal(before, panel.views.act_rows["A"].histogram(0)[0])
    panel.play_pause()
    assert panel.is_playing()
    qtbot.waitUntil(lambda: panel.seed_spin.value() >= 3, timeout=10000)
    panel.play_pause()
    assert not panel.is_playing()
    panel.apply_preset(3)
    panel.size_spins["layers"].setValue(3)
    panel.reset()
    assert panel.seed_spin.value() == 0 and panel.size_spins["layers"].value() == 5
    assert panel.state().a == DEFAULT_A and panel.state().b == DEFAULT_B
    _settle(panel, qtbot)
    np.testing.assert_array_equal(before, panel.views.act_rows["A"].histogram(0)[0])


@pytest.mark.expect_error  # the banner shows an error on purpose
def test_engine_error_shows_in_banner_and_clears(panel, qtbot, monkeypatch):
    real = panel_module.run_experiments

    def broken(experiments):
        raise FloatingPointError("engine exploded")

    monkeypatch.setattr(panel_module, "run_experiments", broken)
    with qtbot.waitSignal(panel.errorOccurred, timeout=10000) as err:
        panel.seed_spin.setValue(5)
    assert "engine exploded" in err.args[0] and panel.banner.isVisible()
    monkeypatch.setattr(panel_module, "run_experiments", real)
    panel.seed_spin.setValue(6)
    _settle(panel, qtbot)
    assert not panel.banner.isVisible()


def test_newest_settings_win_over_a_slow_computation(panel, qtbot, monkeypatch):
    real = panel_module.run_experiments
    gate = threading.Event()

    def slow(experiments):
        if experiments["A"].seed == 10:
            gate.wait(3)
        return real(experiments)

    monkeypatch.setattr(panel_module, "run_experiments", slow)
    panel.seed_spin.setValue(10)
    qtbot.wait(20)
    for seed in range(11, 40):  # a drag while seed 10 is still computing
        panel.seed_spin.setValue(seed)
    gate.set()
    _settle(panel, qtbot)
    assert panel.model.results["A"].config.seed == 39
    assert panel.channel("experiment").started_count <= 5  # never a backlog


def test_closing_mid_computation_leaves_no_thread(qtbot, monkeypatch):
    """The conftest guard fails this test if the worker thread outlives the panel."""
    started, gate = threading.Event(), threading.Event()
    real = panel_module.run_experiments

    def slow(experiments):
        started.set()
        gate.wait()  # held until the test lets go: however slow the construction, it is still running
        return real(experiments)

    monkeypatch.setattr(panel_module, "run_experiments", slow)
    p = InitPanel()
    qtbot.addWidget(p)
    p.show()
    qtbot.waitUntil(started.is_set, timeout=10000)
    assert p.is_busy() and p.channel("experiment").current is not None
    gate.set()  # the job computes now; its finish cannot be delivered before shutdown (no event loop)
    assert p.shutdown()
    assert not p.is_busy() or p.channel("experiment").current is None


def test_closing_the_window_mid_computation_stops_the_worker(qtbot, monkeypatch):
    from app.main_window import MainWindow

    real = panel_module.run_experiments
    monkeypatch.setattr(panel_module, "run_experiments", lambda e: (threading.Event().wait(0.3), real(e))[1])
    win = MainWindow(panel="init", persist=False)
    qtbot.addWidget(win)
    win.show()
    p = win.current_panel()
    assert isinstance(p, InitPanel)
    p.seed_spin.setValue(3)  # a second request waits behind the running one
    assert p.is_busy()
    win.close()
    assert not p.is_busy()


def test_relu_zero_spike_is_clipped_but_reported(panel, qtbot):
    panel.apply_preset(4)  # ReLU: Xavier vs He
    _settle(panel, qtbot)
    row = panel.views.act_rows["B"]
    top = row.plot(0).getViewBox().viewRange()[1][1]
    zero_bin = row.heights(0)[0]  # ≈ 50 % of the values are exactly 0
    assert zero_bin > 0.4 and top < 0.5 * zero_bin
    assert top >= row.heights(0)[1:].max()  # every other bar fits
    assert "zeros 50%" in row.texts()[0] and "cut off" in row._header_html()
    panel.editors["A"].set_config(InitConfig("sigmoid", "std1"))  # sigmoid's end spikes are the message: not clipped
    _settle(panel, qtbot)
    a = panel.views.act_rows["A"]
    assert a.plot(0).getViewBox().viewRange()[1][1] >= max(a.heights(i).max() for i in range(5))


def test_state_round_trip_through_json(panel, qtbot):
    panel.editors["A"].set_config(InitConfig("relu", "custom", 0.2, True))
    panel.editors["B"].set_config(InitConfig("tanh", "lecun"))
    panel.size_spins["width"].setValue(64)
    panel.seed_spin.setValue(7)
    panel.compare.setChecked(False)
    panel.views.setCurrentIndex(1)
    state = panel.state()
    assert state == State(a=InitConfig("relu", "custom", 0.2, True), b=InitConfig("tanh", "lecun"), width=64, seed=7,
                          compare=False, view="backward")
    other = InitPanel()
    qtbot.addWidget(other)
    other.apply_state(State.from_dict(json.loads(json.dumps(state.to_dict()))))
    assert other.state() == state
    assert other.editors["A"].init.currentData() == "custom" and other.editors["A"].batchnorm.isChecked()
    assert other.size_spins["width"].value() == 64 and not other.compare.isChecked() and other.views.currentIndex() == 1
    _settle(other, qtbot)
    assert other.model.up_to_date() and other.model.results["A"].config == state.experiment("A")
    other.shutdown()


@pytest.mark.parametrize("bad, key", [
    ({"a": {"activation": "softmax"}}, "a.activation"),
    ({"b": {"init": "nope"}}, "b.init"),
    ({"a": {"custom_std": 50.0}}, "a.custom_std"),
    ({"layers": 11}, "layers"),
    ({"samples": "many"}, "samples"),
    ({"compare": 1}, "compare"),
    ({"view": "sideways"}, "view"),
    ({"colour": "red"}, "colour"),
])
def test_from_dict_names_the_bad_key(bad, key):
    with pytest.raises(StateError) as err:
        State.from_dict(bad)
    assert err.value.key == key and key in str(err.value)


def test_legacy_settings_migrate(panel):
    old = {"A/activation": "relu", "A/init": "custom", "A/custom_std": "0.2", "A/batchnorm": "1",
           "B/activation": "softmax", "B/init": "lecun", "sizes/Width": "64", "sizes/Layers": 99, "seed": 7,
           "compare": 0, "view": "1"}
    state = State.from_dict(migrate_legacy(old))
    assert state.a == InitConfig("relu", "custom", 0.2, True)
    assert state.b == InitConfig("sigmoid", "lecun")  # softmax is not offered: the default stays
    assert (state.width, state.layers, state.seed, state.compare, state.view) == (64, 5, 7, False, "backward")
    assert State.from_dict(migrate_legacy({"seed": "x", "view": 9})) == State()
    panel.apply_state(state)
    assert panel.state() == state


@pytest.mark.parametrize("control", ["activation", "init", "batchnorm", "compare", "layers", "view"])
def test_changing_a_control_changes_the_state(panel, qtbot, control):
    before = panel.state()
    if control == "activation":
        _select(qtbot, panel.editors["B"].activation, "relu")
        expected = before.replace(b=before.b.replace(activation="relu"))
    elif control == "init":
        _select(qtbot, panel.editors["A"].init, "std0.01")
        expected = before.replace(a=before.a.replace(init="std0.01"))
    elif control == "batchnorm":
        _click_box(qtbot, panel.editors["A"].batchnorm)
        expected = before.replace(a=before.a.replace(batchnorm=True))
    elif control == "compare":
        _click_box(qtbot, panel.compare)
        expected = before.replace(compare=False)
    elif control == "layers":
        panel.size_spins["layers"].setFocus()
        qtbot.keyClick(panel.size_spins["layers"], Qt.Key.Key_Up)
        expected = before.replace(layers=6)
    else:
        panel.views.tabBar().setCurrentIndex(1)
        expected = before.replace(view="backward")
    assert panel.state() == expected


def test_tooltips_on_every_control(panel):
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QSlider

    from PySide6.QtWidgets import QScrollArea

    column = panel.findChild(QScrollArea, "initControls").widget()
    controls = [w for cls in (QComboBox, QAbstractSpinBox, QSlider, QAbstractButton)
                for w in column.findChildren(cls)]
    assert len(controls) > 15
    missing = [w.objectName() for w in controls if not w.toolTip()]
    assert not missing


def test_table_numbers_use_the_palette_text_colour(panel):
    """Only the configuration cell is coloured (its series hue): the numbers follow the theme."""
    from PySide6.QtCore import Qt as QtCore_Qt

    table = panel.numbers.table
    for r in range(table.rowCount()):
        assert table.item(r, 0).foreground().color().name() in ("#0072b2", "#d55e00")
        assert all(table.item(r, c).data(QtCore_Qt.ItemDataRole.ForegroundRole) is None
                   for c in range(1, table.columnCount()))


def test_settings_captured_by_the_old_panel_migrate():
    """tests/data: what the old save_settings wrote for a changed panel, read back as a State."""
    from pathlib import Path

    old = json.loads((Path(__file__).parent / "data/legacy_settings_init_backprop.json").read_text("utf-8"))["init"]
    state = State.from_dict(migrate_legacy(old))
    assert state == State(a=InitConfig("relu", "custom", 0.3, True), width=64, compare=False, view="backward")
