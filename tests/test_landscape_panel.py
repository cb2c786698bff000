"""The Landscape panel, driven through its widgets (pytest-qt, offscreen), on small grids."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage

from app.panels.landscape import OPTIMIZERS, REVEAL_STEPS, LandscapePanel
from engine import landscape as L

ROOT = Path(__file__).resolve().parents[1]
SMALL = L.Settings(n_samples=80, hidden=(6, 6), epochs=3, resolution=9)


def make_panel(qtbot, settings=SMALL):
    p = LandscapePanel(settings=settings)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    return p


@pytest.fixture
def panel(qtbot):
    p = make_panel(qtbot)
    qtbot.waitUntil(lambda: p.is_ready and not p.computing, timeout=20000)
    yield p
    assert p.shutdown()


def drawn(p, name):
    x, y = p.view.slots[OPTIMIZERS.index(name)].curve.getData()
    return np.column_stack([x, y])


def test_computes_a_small_landscape_and_draws_every_path(panel):
    res = panel.result
    assert [r.optimizer for r in res.runs] == ["sgd", "momentum", "adam"]
    assert res.runs[res.reference].optimizer == "adam"  # the default centre
    assert panel.view.image.image.shape == (9, 9)
    for run, coords in zip(res.runs, res.coords):
        np.testing.assert_array_equal(drawn(panel, run.optimizer), coords)
        np.testing.assert_allclose(coords[0], res.start, atol=1e-12)  # one common start
    np.testing.assert_allclose(drawn(panel, "adam")[-1], (0, 0), atol=1e-12)  # ends at the centre
    assert not panel.view.slots[OPTIMIZERS.index("nag")].curve.isVisible()
    assert len(panel.legend.items) == 3
    assert "Adam" in panel.info.text() and "ends at the centre" in panel.info.text()
    assert "PCA plane" in panel.view.plot.titleLabel.text
    assert panel.progress.value() == 1000


def test_step_reveals_the_paths_a_tenth_at_a_time(qtbot, panel):
    full = len(panel.result.coords[0])
    panel.step()
    assert panel.reveal == 1 and len(drawn(panel, "sgd")) == int(np.ceil(full / REVEAL_STEPS))
    for _ in range(REVEAL_STEPS - 1):
        panel.step()
    assert panel.reveal == REVEAL_STEPS and len(drawn(panel, "sgd")) == full
    assert panel.step_count == REVEAL_STEPS


def test_play_cancels_a_running_computation(qtbot, panel):
    before = panel.result
    panel.epochs_spin.setValue(2000)
    qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
    assert panel.computing and panel.is_playing() and panel.compute_button.text() == "&Cancel"
    qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=10000)
    panel.play_pause()  # Play while computing = Cancel
    qtbot.waitUntil(lambda: not panel.computing, timeout=5000)
    assert panel.result is before  # the old landscape stays; nothing late arrives
    assert panel.compute_button.text() == "&Compute" and "cancel" in panel.progress_label.text()
    assert not panel.channel("landscape").busy


def test_random_directions_and_a_fixed_extent(qtbot, panel):
    panel.directions_combo.setCurrentIndex(panel.directions_combo.findData("random"))
    panel.fit_check.setChecked(False)
    panel.extent_spin.setValue(0.5)
    panel.reference_combo.setCurrentIndex(panel.reference_combo.findData("momentum"))
    panel.play_pause()
    qtbot.waitUntil(lambda: not panel.computing and panel.result.directions == "random", timeout=20000)
    res = panel.result
    assert res.slice.xs[0] == -0.5 and res.slice.ys[-1] == 0.5
    assert res.runs[res.reference].optimizer == "momentum"
    np.testing.assert_allclose(drawn(panel, "momentum")[-1], (0, 0), atol=1e-12)
    assert "random" in panel.view.plot.titleLabel.text


def test_reset_restores_defaults(qtbot, panel):
    panel.epochs_spin.setValue(7)
    panel.opt_checks["rmsprop"].setChecked(True)
    panel.reset()
    assert panel.epochs_spin.value() == L.Settings().epochs
    assert not panel.opt_checks["rmsprop"].isChecked()
    assert panel.settings() == L.Settings()
    panel.cancel()
    qtbot.waitUntil(lambda: not panel.computing, timeout=5000)


def test_3d_view_falls_back_cleanly_without_opengl(qtbot, panel):
    panel.view3d_check.setChecked(True)
    assert panel.stack.currentIndex() == 1
    if not panel.view3d.available:  # offscreen: a message, no GL widget, no crash
        assert "OpenGL" in panel.view3d.message and panel.view3d.view is None
    panel.step()  # redraws with the 3-D page shown
    panel.view3d_check.setChecked(False)
    assert panel.stack.currentIndex() == 0


@pytest.mark.expect_error  # the banner shows an error on purpose
def test_bad_hidden_sizes_show_an_error(qtbot, panel):
    panel.hidden_edit.setText("16, banana")
    panel.play_pause()
    assert "hidden layers" in panel.last_error and not panel.computing


def test_settings_round_trip(qtbot, panel, tmp_path):
    panel.seed_spin.setValue(3)
    panel.opt_checks["nag"].setChecked(True)
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    panel.save_settings(store)
    other = make_panel(qtbot)
    other.restore_settings(store)
    assert other.settings() == panel.settings()
    assert other.shutdown()


def test_screenshot_from_the_command_line(tmp_path):
    out = tmp_path / "landscape.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "main.py", "--panel", "landscape", "--screenshot", str(out),
                           "--size", "900x600"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    assert QImage(str(out)).width() == 900
