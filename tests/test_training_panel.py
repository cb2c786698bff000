"""The Training panel through its real widgets (pytest-qt, offscreen).

Expected numbers come from ``engine.training_setup`` + ``Trainer`` run directly in the test with
the panel's settings, so "the curves hold the engine's values" is checked value for value.
"""

import dataclasses
import gc
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow
from app.panels.training import TrainingPanel
from engine.layers import BatchNorm, Dropout
from engine.training import HISTORY_KEYS
from engine.training_setup import DataSpec, RunSettings, make_data, make_trainer

COMPARED = [k for k in HISTORY_KEYS if k != "steps_per_sec"]  # timing differs, the rest must not


@pytest.fixture
def panel(qtbot):
    p = TrainingPanel(find_cached=False)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    yield p
    assert p.shutdown()
    p._steppers.clear()  # see test_optimizers_panel: no stepper wrapper may outlive the test
    p.stepper = None
    gc.collect()


def rebuilt(qtbot, p, change):
    """Apply ``change`` (a control edit) and wait until the new run is installed."""
    old = p.model.run
    change()
    qtbot.waitUntil(lambda: p.model.run is not old and not p.is_busy(), timeout=10000)
    return p.model.run


def click_step(qtbot, p, n=1):
    for _ in range(n):
        before = p.model.run.trainer.step_count
        qtbot.mouseClick(p.step_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: p.step_count == before + 1, timeout=5000)


def direct_trainer(p):
    """The panel's run rebuilt by the engine alone, from the panel's spec and settings."""
    return make_trainer(make_data(p.model.spec()), p.model.settings())


def drawn(p, key):
    """The data given to the curve (before pyqtgraph's downsampling or log transform)."""
    c = p.curves.curves[key]
    return (np.empty(0), np.empty(0)) if c.xData is None else (np.asarray(c.xData), np.asarray(c.yData))


def test_step_trains_exactly_one_minibatch(qtbot, panel):
    assert panel.model.run.trainer.step_count == 0
    reference = direct_trainer(panel)
    for n in range(1, 4):
        click_step(qtbot, panel)
        expected = reference.step()
        assert panel.model.run.trainer.step_count == n
        steps, losses = drawn(panel, "loss")
        assert steps[-1] == n and len(steps) == n
        assert losses[-1] == expected.loss  # the engine's value, bit for bit
        assert drawn(panel, "accuracy")[1][-1] == expected.accuracy
    assert "step 3" in panel.status_label.text()
    panel.log_loss.setChecked(True)  # a log axis shows the same values
    assert panel.curves.plots["loss"].getPlotItem().getAxis("left").logMode
    assert drawn(panel, "loss")[1][-1] == expected.loss
    assert panel.bands.series(0)[0][-1] == 3  # a Step refreshes the layer views too
    assert panel.histograms.histogram(0)[0].sum() > 0


def test_curves_hold_the_engine_values_and_same_seed_repeats(qtbot, panel):
    run = rebuilt(qtbot, panel, lambda: panel.set_settings(dataclasses.replace(panel.model.settings(), epochs=8)))
    panel.full_speed.setChecked(True)
    panel.play_pause()
    qtbot.waitUntil(lambda: run.trainer.status == "finished" and not panel.is_playing(), timeout=10000)
    reference = direct_trainer(panel)
    list(reference.run())
    assert run.trainer.step_count == reference.step_count == 8 * reference.steps_per_epoch
    for key in COMPARED:
        np.testing.assert_array_equal(run.trainer.history[key].snapshot()[1], reference.history[key].snapshot()[1])
    for key in ("loss", "train_loss", "test_accuracy"):
        steps, values = drawn(panel, key)
        ref_steps, ref_values = reference.history[key].snapshot()
        np.testing.assert_array_equal(steps, ref_steps)
        np.testing.assert_array_equal(values, ref_values)
    assert "finished" in panel.status_label.text()
    # Reset: step 0 again, and the same seed retraces the same curve
    panel.reset()
    qtbot.waitUntil(lambda: panel.model.run is not run and not panel.is_busy(), timeout=5000)
    assert panel.model.run.trainer.step_count == 0 and len(drawn(panel, "loss")[0]) == 0
    click_step(qtbot, panel, 2)
    np.testing.assert_array_equal(drawn(panel, "loss")[1], reference.history["loss"].values[:2])


def test_play_pause_and_reset(qtbot, panel):
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert panel.is_playing() and "Pause" in panel.play_button.text()
    qtbot.waitUntil(lambda: panel.model.run.trainer.step_count >= 20, timeout=5000)
    panel.play_pause()
    assert not panel.is_playing()
    qtbot.waitUntil(lambda: panel.stepper.in_flight == 0, timeout=10000)  # a frame in flight lands
    paused_at = panel.model.run.trainer.step_count
    for _ in range(5):  # pull-based: with nothing requested the trainer cannot advance
        QApplication.processEvents()
    assert not panel.stepper.in_flight and panel.model.run.trainer.step_count == paused_at
    click_step(qtbot, panel)  # Step after Pause: exactly one more
    assert panel.model.run.trainer.step_count == paused_at + 1
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.model.run.trainer.step_count == 0 and not panel.is_busy(), timeout=5000)
    assert panel.step_count == 0 and not panel.is_playing()
    assert len(drawn(panel, "loss")[0]) == 0
    # the speed limit holds: at 100 steps/s, never more than 100 per second played (+ one frame's
    # batch). A busy machine only lowers the count, so this holds under load; without the limit
    # the 20 steps arrive within a few milliseconds and it fails.
    panel.speed.setValue(100)
    t0 = time.perf_counter()
    panel.play_pause()
    qtbot.waitUntil(lambda: panel.model.run.trainer.step_count >= 20, timeout=20000)
    panel.play_pause()
    elapsed = time.perf_counter() - t0
    assert panel.model.run.trainer.step_count <= 100 * elapsed + 10


def test_toggles_reach_the_network(qtbot, panel):
    form = panel.form
    rebuilt(qtbot, panel, lambda: form.batchnorm.setChecked(True))
    rebuilt(qtbot, panel, lambda: form.dropout.setValue(0.3))
    rebuilt(qtbot, panel, lambda: form.l2.setValue(0.01))
    rebuilt(qtbot, panel, lambda: form.l1.setValue(0.001))
    form.hidden_edit.setText("8, 8, 8")

    def finish():
        form.hidden_edit.setFocus()
        form.hidden_edit.editingFinished.emit()

    run = rebuilt(qtbot, panel, finish)
    model = run.trainer.model
    assert model.batchnorm and len([l for l in model.layers if isinstance(l, BatchNorm)]) == 3
    assert model.dropout == 0.3 and [l.ratio for l in model.layers if isinstance(l, Dropout)] == [0.3] * 3
    assert model.weight_decay == 0.01 and model.l1 == 0.001
    assert model.hidden_sizes == [8, 8, 8]
    assert panel.bands.names == ["Layer 1 (8)", "Layer 2 (8)", "Layer 3 (8)"]
    assert "restart" in form.batchnorm.toolTip() or "starts the run over" in form.batchnorm.toolTip()
    # the penalties are in the loss: the trainer's first loss matches a run built directly
    click_step(qtbot, panel)
    assert drawn(panel, "loss")[1][-1] == direct_trainer(panel).step().loss
    # optimizer and its learning rate reach the trainer
    form.optimizer.setCurrentIndex(form.optimizer.findData("momentum"))
    qtbot.waitUntil(lambda: panel.model.run.trainer.optimizer.name == "momentum" and not panel.is_busy(), timeout=5000)
    rebuilt(qtbot, panel, lambda: form.editor.spins["lr"].setValue(0.02))
    assert panel.model.run.trainer.optimizer.hyper["lr"] == 0.02


def test_divergence_is_reported_with_the_last_finite_values(qtbot, panel):
    settings = dataclasses.replace(panel.model.settings(), optimizer="sgd", hyper={"lr": 1e6})
    run = rebuilt(qtbot, panel, lambda: panel.set_settings(settings))
    panel.full_speed.setChecked(True)
    panel.play_pause()
    qtbot.waitUntil(lambda: run.trainer.status == "diverged" and not panel.is_playing(), timeout=5000)
    n = run.trainer.diverged_at
    assert panel.status_label.text().startswith(f"diverged at step {n}")
    assert not panel.banner.isVisible() and panel.last_error == ""
    steps, losses = drawn(panel, "loss")
    assert steps[-1] == n - 1 and np.isfinite(losses).all()
    assert panel.curves.divergence["loss"].isVisible()
    # Step on a diverged run does nothing; Play starts over
    panel.step()
    assert run.trainer.step_count == n - 1
    panel.play_pause()
    qtbot.waitUntil(lambda: panel.model.run is not run, timeout=5000)


@pytest.mark.expect_error  # the banner shows an error on purpose
def test_corrupt_file_shows_an_error_and_keeps_the_data(qtbot, panel, tmp_path):
    before = panel.model.run
    bad = tmp_path / "train-images-idx3-ubyte"
    bad.write_bytes(b"\x00\x00\x08\x03" + b"\x00" * 7)  # header cut short
    panel.open_dataset(bad)
    qtbot.waitUntil(lambda: panel.banner.isVisible(), timeout=5000)
    assert str(tmp_path) in panel.banner.message and "DatasetError" in panel.banner.message
    assert panel.model.run is before and panel.model.spec().source == "toy"
    assert panel.chooser.spec() == panel.model.spec()
    click_step(qtbot, panel)  # still trains the old data
    assert panel.model.run.trainer.step_count == 1


def test_real_image_file_and_synthetic_digits(qtbot, panel, tmp_path):
    rng = np.random.default_rng(0)
    parts = {k: rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8) for k, n in (("x_train", 80), ("x_test", 40))}
    parts.update(y_train=rng.integers(0, 10, 80).astype(np.uint8), y_test=rng.integers(0, 10, 40).astype(np.uint8))
    path = tmp_path / "mnist.npz"
    np.savez(path, **parts)
    old = panel.model.run
    panel.open_dataset(path)
    qtbot.waitUntil(lambda: panel.model.run is not old and not panel.is_busy(), timeout=10000)
    data = panel.model.run.data
    assert not data.synthetic and data.n_features == 784 and data.name == "MNIST"
    # 120 samples at a test share of 0.2: 24 test images, and the 96 train ones capped at the 80 there are
    assert (len(data.y_train), len(data.y_test)) == (80, 24)
    assert panel.view_stack.currentWidget() is panel.mosaic and len(panel.mosaic.texts) == 24
    assert panel.chooser.combo.currentData() == ("file", str(path))
    click_step(qtbot, panel)
    assert panel.mosaic.predictions is not None and len(panel.mosaic.predictions) == 24

    run = rebuilt(qtbot, panel, lambda: panel.chooser.select("digits", "digits"))
    assert run.data.synthetic and "not MNIST" in run.data.name and run.data.n_classes == 10
    assert "synthetic" in panel.data_label.text()
    rebuilt(qtbot, panel, lambda: panel.chooser.select("toy", "xor"))
    assert panel.view_stack.currentWidget() is panel.boundary_pair and panel.boundary is panel.boundary_pair.main
    assert panel.boundary.grid is not None and panel.boundary.grid["probs"].shape == (80, 80, 2)


def test_closing_mid_training_stops_the_worker_at_once(qtbot):
    window = MainWindow(panel="training", persist=False)
    qtbot.addWidget(window)
    window.show()
    p = window.current_panel()
    assert isinstance(p, TrainingPanel)
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    p.full_speed.setChecked(True)
    window.actionPlayPause.trigger()
    qtbot.waitUntil(lambda: p.model.run.trainer.step_count > 50, timeout=5000)
    assert p.is_playing()
    window.close()
    assert not p.stepper._worker  # joined (the conftest guard checks no thread is left)


def test_state_round_trip_through_json(qtbot, panel):
    import json

    from app.models.training import State

    settings = RunSettings(hidden=(12, 6), activation="tanh", init="xavier", dropout=0.1, optimizer="rmsprop",
                           hyper={"lr": 0.003, "decay_rate": 0.9, "eps": 1e-8}, batch_size=20, epochs=7, seed=3)
    rebuilt(qtbot, panel, lambda: panel.set_settings(settings))
    rebuilt(qtbot, panel, lambda: panel.set_spec(DataSpec("toy", "moons", 0.2, 300, 0.3)))
    panel.smoothing.setValue(0.3)
    panel.x_unit.setCurrentIndex(panel.x_unit.findData("epoch"))
    panel.quantity.setCurrentIndex(panel.quantity.findData("gradient"))
    state = panel.state()
    assert state.smoothing == 0.3 and state.x_unit == "epoch" and state.quantity == "gradient"
    assert state.network.settings() == panel.form.settings() and state.data.spec() == panel.chooser.spec()
    other = TrainingPanel(find_cached=False)
    qtbot.addWidget(other)
    try:
        restored = State.from_dict(json.loads(json.dumps(state.to_dict())))
        other.apply_state(restored)
        assert other.state() == state
        qtbot.waitUntil(lambda: other.model.run is not None and other.model.run.spec == panel.model.spec()
                        and not other.is_busy(), timeout=5000)
        assert other.model.run.settings == panel.model.settings() and other.form.settings() == settings
        assert other.chooser.spec() == panel.model.spec() and other.smoothing.value() == 0.3
        assert other.x_unit.currentData() == "epoch" and other.quantity.currentData() == "gradient"
    finally:
        assert other.shutdown()
        other._steppers.clear()


def test_changing_a_control_changes_the_state(qtbot, panel):
    before = panel.state()
    rebuilt(qtbot, panel, lambda: panel.form.dropout.setValue(0.25))
    assert panel.state().network.dropout == 0.25 and panel.model.run.settings.dropout == 0.25
    rebuilt(qtbot, panel, lambda: panel.chooser.select("toy", "xor"))
    assert panel.state().data.name == "xor"
    qtbot.mouseClick(panel.full_speed, Qt.MouseButton.LeftButton)
    panel.log_loss.setChecked(True)
    assert panel.state().max_speed and panel.state().log_loss and panel.model.rate() is None
    assert panel.state() != before


def test_from_dict_rejects_bad_values_naming_the_key():
    from app.models.base import StateError
    from app.models.training import State

    for bad, key in (({"network": {"dropout": 2.0}}, "network.dropout"), ({"speed": "fast"}, "speed"),
                     ({"x_unit": "hours"}, "x_unit"), ({"nope": 1}, "nope"),
                     ({"network": {"activation": "softmax"}}, "network.activation"),
                     ({"data": {"source": "toy", "name": "nope"}}, "data")):
        with pytest.raises(StateError) as info:
            State.from_dict(bad)
        assert info.value.key == key, (bad, info.value.key)


def test_migrates_what_save_settings_wrote():
    import json

    from app.models.training import State, migrate_legacy

    old = {"spec": {"source": "toy", "name": "moons", "noise": 0.2, "size": 300, "test_ratio": 0.3},
           "settings": {"hidden": [12, 6], "activation": "tanh", "init": "xavier", "batchnorm": False,
                        "dropout": 0.1, "weight_decay": 0.0, "l1": 0.0, "optimizer": "rmsprop",
                        "hyper": {"lr": 0.003, "decay_rate": 0.9, "eps": 1e-8}, "batch_size": 20, "epochs": 7,
                        "seed": 3},
           "speed": 500.0, "max": True, "smoothing": 0.4, "x_epoch": 1, "log_loss": True, "quantity": "weight"}
    state = State.from_dict(migrate_legacy({"state": json.dumps(old)}))
    assert state.data.spec() == DataSpec("toy", "moons", 0.2, 300, 0.3)
    assert state.network.settings() == RunSettings(hidden=(12, 6), activation="tanh", init="xavier", dropout=0.1,
                                                   optimizer="rmsprop", hyper={"lr": 0.003, "decay_rate": 0.9,
                                                                               "eps": 1e-8},
                                                   batch_size=20, epochs=7, seed=3)
    assert (state.speed, state.max_speed, state.smoothing, state.x_unit, state.log_loss, state.quantity) == (
        500.0, True, 0.4, "epoch", True, "weight")
    garbage = dict(old, speed="fast", spec={"source": "toy", "name": "nope"})
    state = State.from_dict(migrate_legacy({"state": json.dumps(garbage)}))
    assert state.speed == State().speed and state.data == State().data and state.smoothing == 0.4
    assert migrate_legacy({"state": "{not json"}) == migrate_legacy({}) == State().to_dict()


def write_npz(path, n_train=60, n_test=30):
    rng = np.random.default_rng(0)
    np.savez(path, x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
             y_train=rng.integers(0, 10, n_train).astype(np.uint8),
             x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
             y_test=rng.integers(0, 10, n_test).astype(np.uint8))
    return path


def test_cached_datasets_are_listed_and_the_dialog_opens_files(qtbot, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.mkdir()
    found = write_npz(cache / "mnist.npz")
    monkeypatch.setenv("GRADLAB_DATASETS", str(cache))
    p = TrainingPanel()
    qtbot.addWidget(p)
    try:
        qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
        items = [p.chooser.combo.itemData(i) for i in range(p.chooser.combo.count())]
        assert ("file", str(found)) in items, items
        old = p.model.run
        p.chooser.select("file", str(found))  # listed but not loaded: selecting loads it
        qtbot.waitUntil(lambda: p.model.run is not old and not p.is_busy(), timeout=10000)
        assert p.model.run.spec.name == str(found) and p.model.run.data.name == "MNIST"

        picked = write_npz(tmp_path / "fashion-mnist.npz")
        monkeypatch.setattr("app.panels.training.panel.QFileDialog.getOpenFileName",
                            lambda *a, **k: (str(picked), ""))
        old = p.model.run
        qtbot.mouseClick(p.chooser.open_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: p.model.run is not old and not p.is_busy(), timeout=10000)
        assert p.model.run.data.name == "Fashion-MNIST" and p.model.run.data.class_names[0] == "T-shirt/top"
    finally:
        assert p.shutdown()
        p._steppers.clear()


@pytest.mark.expect_error  # the banner shows an error on purpose
def test_a_run_that_cannot_be_built_keeps_the_previous_one(qtbot, panel, monkeypatch):
    click_step(qtbot, panel, 2)
    before, settings, state = panel.model.run, panel.model.settings(), panel.state()

    def fail(data, settings):
        raise ValueError("the engine cannot build this run")

    monkeypatch.setattr("app.models.training_run.make_trainer", fail)
    panel.form.dropout.setValue(0.5)
    qtbot.waitUntil(lambda: panel.banner.isVisible() and not panel.is_busy(), timeout=5000)
    assert "cannot build this run" in panel.banner.message
    assert panel.model.run is before and panel.state() == state and panel.form.settings() == settings
    assert panel.form.dropout.value() == 0.0
    click_step(qtbot, panel)  # the old run goes on where it was
    assert before.trainer.step_count == 3
    with pytest.raises(ValueError, match="network.init"):  # a bad setting never reaches a run
        panel.set_settings(dataclasses.replace(settings, init="nope"))


def test_book_overfitting_preset(qtbot, panel):
    from engine.training_setup import PRESETS

    name = list(PRESETS)[1]
    run = rebuilt(qtbot, panel, lambda: panel.preset.activated.emit(panel.preset.findData(name)))
    assert (len(run.data.y_train), len(run.data.y_test)) == (300, 1000) and run.data.synthetic
    model = run.trainer.model
    assert model.hidden_sizes == [100] * 6 and model.weight_decay == 0.1
    assert run.trainer.optimizer.name == "sgd" and run.trainer.epochs == 201  # the book's
    assert panel.form.settings() == panel.model.settings() and panel.preset.currentIndex() == 0


def test_views_follow_the_theme(qtbot, panel):
    from app.widgets import palette

    def background(view):
        return view.backgroundBrush().color().name()

    try:
        palette.set_dark(True)
        assert background(panel.bands) == background(panel.boundary) == palette.DARK["BACKGROUND"].lower()
        assert background(panel.curves.plots["loss"]) == palette.DARK["BACKGROUND"].lower()
        assert palette.DARK["MUTED"] in panel.data_label.styleSheet()
        assert palette.DARK["MUTED"] in panel.curves.gap_label.styleSheet()
    finally:
        palette.set_dark(False)
    assert background(panel.bands) == palette.LIGHT["BACKGROUND"].lower()
    assert palette.LIGHT["MUTED"] in panel.layer_note.styleSheet()


def test_l1_proximal_step_gives_exact_zeros_in_the_read_out(qtbot, panel):
    form = panel.form
    rebuilt(qtbot, panel, lambda: form.l1.setValue(5.0))  # Adam lr 0.01: a threshold of 0.05 per step
    run = rebuilt(qtbot, panel, lambda: form.l1_proximal.setChecked(True))
    assert run.trainer.model.l1_proximal and panel.model.state.network.l1_proximal
    click_step(qtbot, panel, 5)
    exact, small, total = panel.model.weight_zeros()
    assert total == run.trainer.model.n_params - sum(d.params["b"].size for d in run.trainer.model.dense_layers)
    assert exact > total // 4 and small >= exact
    assert f"{exact} of {total} exactly 0" in panel.weights_label.text()
    rebuilt(qtbot, panel, lambda: form.l1_proximal.setChecked(False))  # the subgradient: towards 0, not onto it
    click_step(qtbot, panel, 5)
    assert panel.model.weight_zeros()[0] == 0
    assert f"0 of {total} exactly 0" in panel.weights_label.text()
    rebuilt(qtbot, panel, lambda: form.l1.setValue(0.0))
