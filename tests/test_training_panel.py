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
    old = p.run
    change()
    qtbot.waitUntil(lambda: p.run is not old and not p.is_busy(), timeout=10000)
    return p.run


def click_step(qtbot, p, n=1):
    for _ in range(n):
        before = p.run.trainer.step_count
        qtbot.mouseClick(p.step_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: p.step_count == before + 1, timeout=5000)


def direct_trainer(p):
    """The panel's run rebuilt by the engine alone, from the panel's spec and settings."""
    return make_trainer(make_data(p.spec), p.settings)


def drawn(p, key):
    """The data given to the curve (before pyqtgraph's downsampling or log transform)."""
    c = p.curves.curves[key]
    return (np.empty(0), np.empty(0)) if c.xData is None else (np.asarray(c.xData), np.asarray(c.yData))


def test_step_trains_exactly_one_minibatch(qtbot, panel):
    assert panel.run.trainer.step_count == 0
    reference = direct_trainer(panel)
    for n in range(1, 4):
        click_step(qtbot, panel)
        expected = reference.step()
        assert panel.run.trainer.step_count == n
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
    run = rebuilt(qtbot, panel, lambda: panel.set_settings(dataclasses.replace(panel.settings, epochs=8)))
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
    qtbot.waitUntil(lambda: panel.run is not run and not panel.is_busy(), timeout=5000)
    assert panel.run.trainer.step_count == 0 and len(drawn(panel, "loss")[0]) == 0
    click_step(qtbot, panel, 2)
    np.testing.assert_array_equal(drawn(panel, "loss")[1], reference.history["loss"].values[:2])


def test_play_pause_and_reset(qtbot, panel):
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert panel.is_playing() and "Pause" in panel.play_button.text()
    qtbot.waitUntil(lambda: panel.run.trainer.step_count >= 20, timeout=5000)
    panel.play_pause()
    assert not panel.is_playing()
    qtbot.wait(150)  # a frame in flight may still land
    paused_at = panel.run.trainer.step_count
    qtbot.wait(200)
    assert panel.run.trainer.step_count == paused_at  # paused means paused
    click_step(qtbot, panel)  # Step after Pause: exactly one more
    assert panel.run.trainer.step_count == paused_at + 1
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.run.trainer.step_count == 0 and not panel.is_busy(), timeout=5000)
    assert panel.step_count == 0 and not panel.is_playing()
    assert len(drawn(panel, "loss")[0]) == 0
    # the speed limit holds: 100 steps/s for ~0.5 s
    panel.speed.setValue(100)
    panel.play_pause()
    qtbot.wait(500)
    panel.play_pause()
    assert 20 <= panel.run.trainer.step_count <= 90


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
    qtbot.waitUntil(lambda: panel.run.trainer.optimizer.name == "momentum" and not panel.is_busy(), timeout=5000)
    rebuilt(qtbot, panel, lambda: form.editor.spins["lr"].setValue(0.02))
    assert panel.run.trainer.optimizer.hyper["lr"] == 0.02


def test_divergence_is_reported_with_the_last_finite_values(qtbot, panel):
    settings = dataclasses.replace(panel.settings, optimizer="sgd", hyper={"lr": 1e6})
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
    qtbot.waitUntil(lambda: panel.run is not run, timeout=5000)


@pytest.mark.expect_error  # the banner shows an error on purpose
def test_corrupt_file_shows_an_error_and_keeps_the_data(qtbot, panel, tmp_path):
    before = panel.run
    bad = tmp_path / "train-images-idx3-ubyte"
    bad.write_bytes(b"\x00\x00\x08\x03" + b"\x00" * 7)  # header cut short
    panel.open_dataset(bad)
    qtbot.waitUntil(lambda: panel.banner.isVisible(), timeout=5000)
    assert str(tmp_path) in panel.banner.message and "DatasetError" in panel.banner.message
    assert panel.run is before and panel.spec.source == "toy"
    assert panel.chooser.spec() == panel.spec
    click_step(qtbot, panel)  # still trains the old data
    assert panel.run.trainer.step_count == 1


def test_real_image_file_and_synthetic_digits(qtbot, panel, tmp_path):
    rng = np.random.default_rng(0)
    parts = {k: rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8) for k, n in (("x_train", 80), ("x_test", 40))}
    parts.update(y_train=rng.integers(0, 10, 80).astype(np.uint8), y_test=rng.integers(0, 10, 40).astype(np.uint8))
    path = tmp_path / "mnist.npz"
    np.savez(path, **parts)
    old = panel.run
    panel.open_dataset(path)
    qtbot.waitUntil(lambda: panel.run is not old and not panel.is_busy(), timeout=10000)
    data = panel.run.data
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
    assert panel.view_stack.currentWidget() is panel.boundary
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
    qtbot.waitUntil(lambda: p.run.trainer.step_count > 50, timeout=5000)
    assert p.is_playing()
    started = time.perf_counter()
    window.close()
    assert time.perf_counter() - started < 0.5
    assert not p.stepper._worker  # joined (the conftest guard checks no thread is left)


def test_settings_round_trip(qtbot, panel):
    from PySide6.QtCore import QSettings

    settings = RunSettings(hidden=(12, 6), activation="tanh", init="xavier", dropout=0.1, optimizer="rmsprop",
                           hyper={"lr": 0.003, "decay_rate": 0.9, "eps": 1e-8}, batch_size=20, epochs=7, seed=3)
    rebuilt(qtbot, panel, lambda: panel.set_settings(settings))
    rebuilt(qtbot, panel, lambda: panel.set_spec(DataSpec("toy", "moons", 0.2, 300, 0.3)))
    store = QSettings("GradLabTest", "training")
    panel.save_settings(store)
    other = TrainingPanel(find_cached=False)
    qtbot.addWidget(other)
    try:
        other.restore_settings(store)
        qtbot.waitUntil(lambda: other.run is not None and other.run.spec == panel.spec and not other.is_busy(),
                        timeout=5000)
        assert other.settings == panel.settings and other.form.settings() == settings
        assert other.chooser.spec() == panel.spec
    finally:
        assert other.shutdown()
        other._steppers.clear()


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
        old = p.run
        p.chooser.select("file", str(found))  # listed but not loaded: selecting loads it
        qtbot.waitUntil(lambda: p.run is not old and not p.is_busy(), timeout=10000)
        assert p.run.spec.name == str(found) and p.run.data.name == "MNIST"

        picked = write_npz(tmp_path / "fashion-mnist.npz")
        monkeypatch.setattr("app.panels.training.QFileDialog.getOpenFileName",
                            lambda *a, **k: (str(picked), ""))
        old = p.run
        qtbot.mouseClick(p.chooser.open_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: p.run is not old and not p.is_busy(), timeout=10000)
        assert p.run.data.name == "Fashion-MNIST" and p.run.data.class_names[0] == "T-shirt/top"
    finally:
        assert p.shutdown()
        p._steppers.clear()


@pytest.mark.expect_error  # the banner shows an error on purpose
def test_a_run_that_cannot_be_built_keeps_the_previous_one(qtbot, panel):
    click_step(qtbot, panel, 2)
    before, settings = panel.run, panel.settings
    panel.set_settings(dataclasses.replace(settings, init="nope"))
    qtbot.waitUntil(lambda: panel.banner.isVisible() and not panel.is_busy(), timeout=5000)
    assert "unknown initializer 'nope'" in panel.banner.message
    assert panel.run is before and panel.settings == settings and panel.form.settings() == settings
    click_step(qtbot, panel)  # the old run goes on where it was
    assert before.trainer.step_count == 3


def test_book_overfitting_preset(qtbot, panel):
    from engine.training_setup import PRESETS

    name = list(PRESETS)[1]
    run = rebuilt(qtbot, panel, lambda: panel.preset.activated.emit(panel.preset.findData(name)))
    assert (len(run.data.y_train), len(run.data.y_test)) == (300, 1000) and run.data.synthetic
    model = run.trainer.model
    assert model.hidden_sizes == [100] * 6 and model.weight_decay == 0.1
    assert run.trainer.optimizer.name == "sgd" and run.trainer.epochs == 200
    assert panel.form.settings() == panel.settings and panel.preset.currentIndex() == 0
