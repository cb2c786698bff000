"""The Batch norm panel, driven through its real widgets (pytest-qt, offscreen)."""

import json

import numpy as np
import pytest

from app.models.batchnorm import State
from app.panels.batchnorm import BatchNormPanel
from app.widgets import palette
from engine import batchnorm_trace as bt
from engine.layers import BatchNorm


@pytest.fixture
def panel(qtbot):
    p = BatchNormPanel()
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    yield p
    assert p.shutdown()


def recomputed(qtbot, p, check):
    qtbot.waitUntil(lambda: p.model.up_to_date() and check(), timeout=5000)


def test_tables_show_the_engine_layers_numbers(panel):
    setup = panel.model.setup()
    x, w, gamma, beta = setup.arrays()
    bn = BatchNorm(setup.d, eps=setup.eps)
    bn.params["gamma"][:], bn.params["beta"][:] = gamma, beta
    bn.forward(x)
    dx = bn.backward(w)
    rows = panel.model.trace.rows
    assert panel.grad_table.rowCount() == len(rows) == 2 * 3 + 4 * 3
    for k, r in enumerate(rows):
        if r.key[0] == "dx":
            assert r.grad == pytest.approx(dx[r.key[1], r.key[2]], rel=1e-12, abs=1e-14)
        assert panel.grad_table.item(k, 0).text() == bt.fmt(r.grad) and r.rel_error < 1e-7
    assert panel.batch_table.item(0, 0).text() == bt.fmt(x[0, 0])
    assert panel.batch_table.item(0, 3).text() == bt.fmt(w[0, 0])  # w beside x
    trace = panel.model.trace
    assert panel.train_eval.table.item(0, 1).text() == bt.fmt(trace.y_eval[0, 0])


def test_step_back_reset_and_the_current_quantity(qtbot, panel):
    assert panel.model.index == 0 and panel.current_table.rowCount() == 1  # μ: one row of D
    assert not panel.back_button.isEnabled()
    assert panel.batch_table.item(4, 0).text() == bt.fmt(panel.model.value("mu")[0])
    assert panel.batch_table.item(5, 0).text() == "·"  # σ² is not known yet
    for _ in range(3):
        panel.step()
    assert panel.model.current().key == "xn" and panel.step_count == 3
    assert panel.current_table.rowCount() == 4 + 2  # N rows, then mean and var
    assert panel.current_table.item(4, 0).text() == "0" and panel.current_table.item(5, 0).text() == "1"
    assert "x_n[1,1]" in panel.explanation.example.text()
    panel.phase_buttons["backward"].click()
    assert panel.model.current().key == "dy"
    panel.steps_list.setCurrentRow(12)
    assert panel.model.current().key == "dx" and not panel.forward_button.isEnabled()
    assert panel.current_table.item(4, 1).text() == "0"  # Σᵢ ∂L/∂x = 0
    panel.back()
    assert panel.model.current().key == "dmu"
    panel.reset()
    assert panel.model.index == 0 and panel.steps_list.currentRow() == 0


def test_edits_recompute_and_round_trip(qtbot, panel):
    panel.batch_table.type_into(0, 0, "5")
    recomputed(qtbot, panel, lambda: panel.model.setup().x[0][0] == 5.0)
    assert panel.model.value("mu")[0] == pytest.approx((5 + 2.1 + 3.3 + 0.7) / 4)
    panel.batch_table.type_into(6, 1, "−3")  # γ[2]
    recomputed(qtbot, panel, lambda: panel.model.setup().gamma[1] == -3.0)
    panel.n_spin.setValue(6)
    panel.d_spin.setValue(2)
    recomputed(qtbot, panel, lambda: (panel.model.setup().n, panel.model.setup().d) == (6, 2))
    assert panel.grad_table.rowCount() == 2 * 2 + 6 * 2 and panel.model.max_rel_error() < 1e-7
    panel.batches_spin.setValue(40)
    recomputed(qtbot, panel, lambda: panel.model.setup().batches == 40)
    assert "k = 40" in panel.train_eval.label.text()
    panel.new_batch.click()
    recomputed(qtbot, panel, lambda: panel.state().seed == 1)
    state = panel.state()
    other = BatchNormPanel()
    qtbot.addWidget(other)
    try:
        other.apply_state(State.from_dict(json.loads(json.dumps(state.to_dict()))))
        qtbot.waitUntil(lambda: other.is_ready, timeout=10000)
        assert other.state() == state
        assert np.array_equal(other.model.value("dx"), panel.model.value("dx"))
    finally:
        assert other.shutdown()


@pytest.mark.expect_error  # the banner shows an error on purpose
def test_bad_input_shows_an_error_and_keeps_the_previous_value(qtbot, panel):
    setup = panel.model.setup()
    panel.batch_table.type_into(1, 2, "abc")
    assert "x[2,3] must be a number" in panel.last_error and panel.banner.isVisible()
    assert panel.batch_table.item(1, 2).text() == bt.fmt(setup.x[1][2]) and panel.model.setup() == setup
    panel.eps_edit.setText("-1")
    panel.eps_edit.editingFinished.emit()
    assert "ε must be a finite number > 0" in panel.last_error and panel.model.setup().eps == setup.eps
    assert "2px solid" in panel.eps_edit.styleSheet()


def test_theme_switch_redraws(qtbot, panel):
    try:
        palette.set_dark(True)
        assert panel.steps_list.item(8).foreground().color().name().lower() == palette.OKABE_ITO["sky_blue"].lower()
    finally:
        palette.set_dark(False)
    assert panel.steps_list.item(8).foreground().color().name().lower() == palette.OKABE_ITO["blue"].lower()


def test_help_lists_the_forward_and_backward_formulas():
    from app import help as app_help

    (section, _header, rows), = app_help.formulas("batchnorm")
    assert section == "layers" and [r[0] for r in rows][0] == "Batch normalization"
    backward = rows[1][1]
    for step in ("dbeta", "dgamma", "dvar", "dx"):  # the engine's steps, in the same notation
        assert bt.FORMULAS[step].split(" = ")[0].split("[")[0] in backward, step


def test_play_walks_the_steps_and_stops(qtbot, panel):
    panel.play_pause()
    assert panel.is_playing()
    qtbot.waitUntil(lambda: panel.model.index >= 1, timeout=10000)
    panel.play_pause()
    assert not panel.is_playing()
    index = panel.model.index
    panel.reset()
    assert panel.model.index == 0 and index >= 1
