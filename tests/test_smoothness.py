"""Structural guarantees behind a smooth GUI (issue #14), without any wall-clock threshold.

The timings themselves live in ``bench/bench_panel_smoothness.py``. These tests pin the
properties that make those timings possible: redraws re-use their plot items, bursts of
requests coalesce into one draw, the loss plot's axes stay put while the curves still fit,
expensive draws are split over event-loop passes, workers shorten the GIL switch interval
and grid worker processes run at a lower priority than the GUI.
"""

from __future__ import annotations

import inspect
import os
import sys
import threading

import numpy as np
import pytest
from PySide6.QtWidgets import QGraphicsItem

from app import workers
from app.pacing import Coalescer, Throttle, Ticker
from engine.experiments import ConfigSummary


# ---- one pacing helper ------------------------------------------------------------------------
def test_coalescer_folds_a_burst_into_one_call(qtbot):
    calls = []
    c = Coalescer(lambda: calls.append(1), 5)
    for _ in range(50):
        c.request()
    assert c.pending and calls == []
    qtbot.waitUntil(lambda: not c.pending, timeout=5000)
    assert calls == [1] and c.requests == 50 and c.calls == 1
    c.request()
    c.cancel()
    assert not c.pending
    qtbot.wait(20)  # a cancelled request never fires (asserting an absence needs some time)
    assert calls == [1]


def test_throttle_cancel_drops_the_trailing_call(qtbot):
    calls = []
    t = Throttle(lambda: calls.append(1), interval_ms=30)
    t.request()  # runs at once
    t.request()  # folded into a trailing call ...
    assert calls == [1] and t.pending
    t.cancel()  # ... which cancel() drops
    assert not t.pending
    t.flush()
    assert calls == [1]


def test_ticker_starts_stops_and_panels_cancel_their_pacers(qtbot):
    ticks = []
    t = Ticker(lambda: ticks.append(1), 1)
    assert t.toggle() and t.active
    qtbot.waitUntil(lambda: len(ticks) >= 3, timeout=5000)
    assert not t.toggle() and not t.active


def test_panel_shutdown_cancels_every_pacer(qtbot):
    from app.panels.backprop import BackpropPanel

    p = BackpropPanel()
    qtbot.addWidget(p)
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    p.play_pause()
    assert p.player.active
    assert p.shutdown()
    assert not p.player.active and not p.is_playing()


# ---- Optimizers: setData only, steady axes ------------------------------------------------------
@pytest.fixture
def optimizers(qtbot):
    import gc

    from app.panels.optimizers import OptimizersPanel

    p = OptimizersPanel(grid_size=60)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    yield p
    assert p.shutdown()
    p._steppers.clear()  # see tests/test_optimizers_panel.py's fixture
    p.stepper = None
    gc.collect()


def _item_ids(plot_item):
    return [id(i) for i in plot_item.items]


def test_race_frames_reuse_the_loss_plots_items_and_keep_its_axes(qtbot, optimizers, monkeypatch):
    p = optimizers
    item = p.loss_plot.getPlotItem()
    assert p.loss_plot.legend.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache
    p.stepper.step(40)
    qtbot.waitUntil(lambda: p.model.steps >= 40, timeout=10000)
    p.drawing.render()
    ids, view = _item_ids(item), item.getViewBox().viewRange()
    ranges_set = []
    vb = item.getViewBox()
    real_set_range = vb.setRange
    monkeypatch.setattr(vb, "setRange", lambda *a, **k: (ranges_set.append(k), real_set_range(*a, **k))[1])
    for _ in range(2):  # one more step each: the step axis grew ahead, the curves still fit
        before = p.model.steps
        p.step()
        qtbot.waitUntil(lambda: p.model.steps > before, timeout=5000)
        p.drawing.render()
    assert _item_ids(item) == ids  # no item made or removed per frame: setData only
    assert ranges_set == [] and item.getViewBox().viewRange() == view


def test_steady_range_keeps_a_range_that_still_fits():
    from app.panels.optimizers.loss_plot import steady_range

    y = steady_range(None, -2.0, 2.0)
    assert y == (-3.0, 3.0)  # a quarter of the span as headroom on both sides
    assert steady_range(y, -2.5, 1.5) is y  # fits and fills 67 %: kept
    assert steady_range(y, -1.0, 1.0) == (-1.5, 1.5)  # fills too little: refit
    assert steady_range(y, -3.5, 0.5) == (-4.5, 1.5)  # outside: refit


def test_a_burst_of_race_updates_draws_once(qtbot, optimizers):
    p = optimizers
    frame = p.drawing.frame
    calls = frame.calls
    for _ in range(20):
        p.drawing.schedule()
    qtbot.waitUntil(lambda: not frame.pending, timeout=5000)
    assert frame.calls == calls + 1


# ---- Compare: redraw in place -------------------------------------------------------------------
def _summary(cid: int, level: float, n: int = 5, shift: float = 0.0) -> ConfigSummary:
    curve = np.linspace(0.1, 0.9, n) + shift
    curves = {k: curve for k in ("test_accuracy", "train_accuracy", "test_loss", "train_loss", "accuracy_gap")}
    return ConfigSummary(config=(("lr", level),), config_id=cid, seeds=(0,), mean=curves,
                         std={k: np.zeros(n) for k in curves}, final={k: (v[-1], 0.0) for k, v in curves.items()},
                         best_epoch=float(n - 1), wall_time=0.1, diverged=0)


def test_compare_redraw_reuses_curves_and_bands(qtbot):
    from app.panels.compare.plot import CompareCurves

    w = CompareCurves()
    qtbot.addWidget(w)
    w.show()
    w.show_summaries([_summary(0, 0.1), _summary(1, 0.01)], ["lr"])
    ids = {cid: (id(w.curves[cid]), id(w.bands[cid])) for cid in w.curves}
    items = _item_ids(w.plot)
    legend = list(w.legend.items)
    w.show_summaries([_summary(0, 0.1, shift=0.05), _summary(1, 0.01, shift=0.02)], ["lr"])
    assert {cid: (id(w.curves[cid]), id(w.bands[cid])) for cid in w.curves} == ids
    assert _item_ids(w.plot) == items and w.legend.items == legend  # legend entries untouched
    assert np.allclose(w.curves[0].getData()[1], np.linspace(0.1, 0.9, 5) + 0.05)  # the new data
    w.show_summaries([_summary(1, 0.01)], ["lr"])  # a configuration left: its items go
    assert set(w.curves) == {1} and id(w.curves[1]) == ids[1][0]
    assert len(_item_ids(w.plot)) == len(items) - 2


# ---- Init: two passes ---------------------------------------------------------------------------
def test_init_draws_numbers_first_and_histograms_in_the_next_pass(qtbot, monkeypatch):
    from app.panels.init import InitPanel

    p = InitPanel()
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    order = []

    def histograms(_model):  # drawn from a later event-loop pass, not inside the result handler
        order.append(("histograms", any(f.function == "_on_results" for f in inspect.stack())))

    monkeypatch.setattr(p.numbers, "draw", lambda m: order.append(("numbers", True)))
    monkeypatch.setattr(p.views, "draw", histograms)
    with qtbot.waitSignal(p.drawn, timeout=10000):
        p.step()
    assert order == [("numbers", True), ("histograms", False)]


# ---- workers: GIL and process priority ----------------------------------------------------------
def test_workers_shorten_the_gil_switch_interval_while_they_run(qtbot):
    default = sys.getswitchinterval()
    assert default > workers.RESPONSIVE_SWITCH_S
    gate = threading.Event()
    seen = []
    w = workers.create_worker(lambda: (seen.append(sys.getswitchinterval()), gate.wait(10)), _start=True)
    try:
        qtbot.waitUntil(lambda: bool(seen), timeout=5000)
        assert seen[0] == workers.RESPONSIVE_SWITCH_S
    finally:
        gate.set()
        with qtbot.waitSignal(w.finished, timeout=5000):
            pass
    assert sys.getswitchinterval() == default  # restored once the last worker was joined


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="POSIX process priorities")
def test_grid_worker_processes_run_nicer_than_the_gui():
    from app.process_pool import WORKER_NICENESS, ProcessGrid

    from app.models.compare import CompareModel

    grid = ProcessGrid(workers=1)
    try:
        grid.start(CompareModel().plan()[:1])  # one process, started synchronously
        (proc,) = grid.processes()
        own = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, proc.pid) == min(19, own + WORKER_NICENESS)
    finally:
        grid.shutdown()


def test_stepper_counts_what_it_delivered_and_what_is_in_flight(qtbot):
    from app.pacing import Stepper

    gate = threading.Event()

    def gen():
        i = 0
        while True:
            gate.wait(10)  # the first value waits for the test: it is in flight meanwhile
            yield i
            i += 1

    s = Stepper(gen, interval_ms=5)
    try:
        s.step(3)
        assert s.in_flight == 3 and s.count == 0
        gate.set()
        qtbot.waitUntil(lambda: s.count == 3, timeout=5000)
        assert s.in_flight == 0
    finally:
        gate.set()
        assert s.shutdown()


def test_rate_clock_owes_rate_times_elapsed_and_forgives_on_restart():
    from app.models.pacing import Pacer, RateClock

    c = RateClock(10.0)
    c.restart(now=100.0)
    assert c.owed(100.5) == pytest.approx(5.0)  # 10/s for 0.5 s
    c.took(3)
    assert c.owed(100.5) == pytest.approx(2.0)
    c.restart(now=200.0, owed=1.0)  # one step due at once
    assert c.owed(200.0) == pytest.approx(1.0) and c.n == 0
    p = Pacer(rate=60.0, interval_ms=16, max_batch=4)
    assert p.reset() == 1 and p.rate == 60.0
    p.rate = 120.0
    assert p.clock.rate == 120.0 and 1 <= p.tick() <= 4
