"""The Landscape panel, driven through its widgets (pytest-qt, offscreen), on small grids."""

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from app.models.base import StateError
from app.models.landscape import OPTIMIZERS, REVEAL_STEPS, State, migrate_legacy
from app.panels.landscape import LandscapePanel
from engine import landscape as L

ROOT = Path(__file__).resolve().parents[1]
SMALL = State(samples=80, hidden=(6, 6), epochs=3, resolution=9)


def make_panel(qtbot, state=SMALL):
    p = LandscapePanel(state=state)
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
    assert panel.model.reveal == 1 and len(drawn(panel, "sgd")) == int(np.ceil(full / REVEAL_STEPS))
    for _ in range(REVEAL_STEPS - 1):
        panel.step()
    assert panel.model.reveal == REVEAL_STEPS and len(drawn(panel, "sgd")) == full
    assert panel.step_count == REVEAL_STEPS


def test_play_cancels_a_running_computation(qtbot, panel):
    before = panel.result
    panel.controls.epochs_spin.setValue(2000)
    qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
    assert panel.computing and panel.is_playing() and panel.compute_button.text() == "&Cancel"
    qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=10000)
    panel.play_pause()  # Play while computing = Cancel
    qtbot.waitUntil(lambda: not panel.computing, timeout=5000)
    assert panel.result is before  # the old landscape stays; nothing late arrives
    assert panel.compute_button.text() == "&Compute" and "cancel" in panel.progress_label.text()
    assert not panel.channel("landscape").busy


def test_random_directions_and_a_fixed_extent(qtbot, panel):
    panel.controls.directions_combo.setCurrentIndex(panel.controls.directions_combo.findData("random"))
    panel.controls.fit_check.setChecked(False)
    panel.controls.extent_spin.setValue(0.5)
    panel.controls.reference_combo.setCurrentIndex(panel.controls.reference_combo.findData("momentum"))
    panel.play_pause()
    qtbot.waitUntil(lambda: not panel.computing and panel.result.directions == "random", timeout=20000)
    res = panel.result
    assert res.slice.xs[0] == -0.5 and res.slice.ys[-1] == 0.5
    assert res.runs[res.reference].optimizer == "momentum"
    np.testing.assert_allclose(drawn(panel, "momentum")[-1], (0, 0), atol=1e-12)
    assert "random" in panel.view.plot.titleLabel.text


def test_reset_restores_defaults(qtbot, panel):
    panel.controls.epochs_spin.setValue(7)
    panel.controls.opt_checks["rmsprop"].setChecked(True)
    panel.reset()
    assert panel.controls.epochs_spin.value() == State().epochs
    assert not panel.controls.opt_checks["rmsprop"].isChecked()
    assert panel.state() == State() and panel.state().settings() == L.Settings()
    panel.cancel()
    qtbot.waitUntil(lambda: not panel.computing, timeout=5000)


def test_3d_view_falls_back_cleanly_without_opengl(qtbot, panel):
    panel.controls.view3d_check.setChecked(True)
    assert panel.stack.currentIndex() == 1
    if not panel.view3d.available:  # offscreen: a message, no GL widget, no crash
        assert "OpenGL" in panel.view3d.message and panel.view3d.view is None
    panel.step()  # redraws with the 3-D page shown
    panel.controls.view3d_check.setChecked(False)
    assert panel.stack.currentIndex() == 0


@pytest.mark.expect_error  # the banner shows an error on purpose
def test_bad_hidden_sizes_show_an_error(qtbot, panel):
    panel.controls.hidden_edit.setText("16, banana")
    panel.play_pause()
    assert "hidden layers" in panel.last_error and not panel.computing


def test_state_round_trip_and_controls(qtbot, panel):
    import json

    panel.controls.seed_spin.setValue(3)
    panel.controls.opt_checks["nag"].setChecked(True)
    panel.controls.lr_spins["nag"].setValue(0.02)
    panel.controls.directions_combo.setCurrentIndex(panel.controls.directions_combo.findData("random"))
    state = panel.state()  # each control changed the state
    assert state.seed == 3 and state.optimizers == ("sgd", "momentum", "nag", "adam")
    assert state.lr.nag == 0.02 and state.directions == "random"
    panel.controls.opt_checks["adam"].setChecked(False)  # the centre's optimizer stays traced
    assert "adam" in panel.state().optimizers and panel.controls.opt_checks["adam"].isChecked()
    other = make_panel(qtbot)
    other.apply_state(State.from_dict(json.loads(json.dumps(state.to_dict()))))
    assert other.state() == state and other.controls.lr_spins["nag"].value() == 0.02
    assert other.controls.read(other.state()) == state
    other.cancel()
    qtbot.waitUntil(lambda: not other.computing, timeout=10000)
    assert other.shutdown()


def test_from_dict_names_the_bad_key_and_old_settings_migrate():
    for bad, key in (({"epochs": 0}, "epochs"), ({"lr": {"adam": -1}}, "lr.adam"), ({"directions": "up"}, "directions"),
                     ({"optimizers": ["sgd", "lion"]}, "optimizers[1]"), ({"size": 3}, "size")):
        with pytest.raises(StateError) as info:
            State.from_dict(bad)
        assert info.value.key == key
    old = {"dataset": "moons", "noise": 0.1, "n_samples": 300, "hidden": [8, 8], "activation": "tanh",
           "optimizers": [["sgd", 0.2], ["nag", 0.03]], "reference": "nag", "epochs": 20, "batch_size": 8,
           "seed": 2, "directions": "random", "resolution": 21, "extent": 0.5, "max_points": 100}
    state = State.from_dict(migrate_legacy({"state": json.dumps(old)}))
    assert state.settings() == L.Settings(
        data=L.DataSpec("toy", "moons", 0.1, 300), network=dataclasses.replace(L.DEFAULT_NETWORK, hidden=(8, 8),
                                                                    activation="tanh", epochs=20, batch_size=8,
                                                                    seed=2),
        optimizers=(("sgd", 0.2), ("nag", 0.03)), reference="nag", directions="random", resolution=21, extent=0.5)
    garbage = dict(old, epochs="many", directions="up", optimizers="x")
    state = State.from_dict(migrate_legacy({"state": json.dumps(garbage)}))
    assert state.epochs == State().epochs and state.directions == State().directions and state.seed == 2


def test_screenshot_from_the_command_line(tmp_path):
    out = tmp_path / "landscape.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "main.py", "--panel", "landscape", "--screenshot", str(out),
                           "--size", "900x600"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    assert QImage(str(out)).width() == 900


@pytest.mark.parametrize("pixels", [650, 300, 120, 40])
def test_log_colour_bar_labels_never_overlap(pixels):
    """Issue #14: at 1920×1080 the minor labels of the log colour bar piled up."""
    from app.widgets.log_ticks import log_ticks

    label_px = 14
    major, minor = log_ticks(-1.6, 1.75, pixels, label_px)
    positions = sorted(v for v, _text in major + minor)
    assert len(positions) >= 2 and [t for _v, t in major] in (["0.1", "1", "10"], ["1"], ["0.1", "10"])
    gaps = np.diff(positions) * pixels / (1.75 + 1.6)
    assert gaps.min() >= label_px * 0.999 or pixels < 2 * label_px
    if pixels >= 600:
        assert {"0.2", "0.5", "2", "5"} <= {t for _v, t in minor}  # room for minor labels: shown


def test_landscape_follows_the_theme(qtbot, panel):
    from app.widgets import palette

    try:
        palette.set_dark(True)
        assert palette.DARK["MUTED"] in panel.progress_label.styleSheet()
        assert palette.DARK["MUTED"] in panel.info.text()
    finally:
        palette.set_dark(False)
    assert palette.LIGHT["MUTED"] in panel.info.text()
