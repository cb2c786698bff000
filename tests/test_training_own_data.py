"""The Training panel on the student's own data: a CSV table (2-D and higher), the UCI digits."""

import gc

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.panels.training import TrainingPanel
from engine import uci_digits
from engine.training_setup import DataSpec, make_data


@pytest.fixture
def panel(qtbot):
    p = TrainingPanel(find_cached=False)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitUntil(lambda: p.is_ready, timeout=10000)
    yield p
    assert p.shutdown()
    p._steppers.clear()  # see test_training_panel: no stepper wrapper may outlive the test
    p.stepper = None
    gc.collect()


def _opened(qtbot, p, path):
    old = p.model.run
    p.open_dataset(path)
    qtbot.waitUntil(lambda: p.model.run is not old and not p.is_busy(), timeout=10000)
    return p.model.run


def _table(tmp_path, d=2, n=60, name="fruit.csv"):
    rng = np.random.default_rng(3)
    y = np.arange(n) % 2
    x = rng.normal(size=(n, d)) * 10.0 + 50.0 + 30.0 * y[:, None]  # large raw scale, separable
    labels = np.where(y == 1, "pear", "apple")
    lines = [";".join([*(f"f{j}" for j in range(d)), "fruit"])]
    lines += [";".join([*(f"{v:.3f}" for v in row), lab]) for row, lab in zip(x, labels)]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_csv_with_string_labels_trains_with_a_boundary(qtbot, panel, tmp_path):
    run = _opened(qtbot, panel, _table(tmp_path))
    data = run.data
    assert data.class_names == ("apple", "pear") and data.is_2d and data.plane is None
    np.testing.assert_allclose(data.x_train.mean(axis=0), 0.0, atol=1e-12)  # standardised
    np.testing.assert_allclose(data.x_train.std(axis=0), 1.0, rtol=1e-12)
    assert panel.model.state.data.source == "file" and panel.model.state.data.name.endswith("fruit.csv")
    assert "standardised" in panel.data_label.text()
    qtbot.mouseClick(panel.step_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.step_count == 1, timeout=5000)
    grid = run.trainer.decision_grid(data.bounds, 20)
    assert grid["probs"].shape == (20, 20, 2)


def test_higher_dimensional_csv_shows_the_pca_plane(qtbot, panel, tmp_path):
    run = _opened(qtbot, panel, _table(tmp_path, d=5, name="five.csv"))
    data = run.data
    assert data.n_features == 5 and data.plane is not None and data.is_2d
    assert run.grid is not None and run.grid["probs"].shape[-1] == 2  # the boundary in the PCA plane
    assert "principal components" in panel.data_label.text()
    # a grid point p is the input centre + p @ components
    centre, components = data.plane
    p = np.array([[0.3, -0.2]])
    direct = run.trainer.model.predict(centre + p @ components)
    x0, x1, y0, y1 = data.bounds
    assert x0 < 0.0 < x1 and y0 < 0.0 < y1 and direct.shape == (1, 2)


@pytest.mark.expect_error  # the banner shows an error on purpose
def test_bad_csv_leaves_the_panel_unchanged(qtbot, panel, tmp_path):
    before, state = panel.model.run, panel.state()
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n1,2,x\n3,oops,y\n4,5,x\n6,7,y\n", encoding="utf-8")
    panel.open_dataset(bad)
    qtbot.waitUntil(lambda: panel.banner.isVisible() and not panel.is_busy(), timeout=5000)
    assert "line 3" in panel.banner.message and "column 2" in panel.banner.message
    assert panel.model.run is before and panel.state() == state
    assert panel.chooser.spec() == panel.model.spec()


def test_uci_digits_source(qtbot, panel):
    x, y = uci_digits.load()
    assert x.shape == (1797, 64) and x.min() == 0.0 and x.max() == 1.0
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    index = next(i for i in range(panel.chooser.combo.count()) if panel.chooser.combo.itemData(i)[0] == "uci")
    old = panel.model.run
    panel.chooser.combo.setCurrentIndex(index)
    qtbot.waitUntil(lambda: panel.model.run is not old and not panel.is_busy(), timeout=10000)
    data = panel.model.run.data
    assert data.image_shape == (8, 8) and not data.synthetic and data.n_features == 64
    assert len(data.y_train) + len(data.y_test) == 1797
    small = make_data(DataSpec("uci", "uci_digits", 0.0, 500, 0.2))
    assert len(small.y_train) + len(small.y_test) == 500
    assert set(np.unique(small.y_test)) == set(range(10))  # stratified: every digit in the test part


def test_csv_path_persists_and_reloads(qtbot, panel, tmp_path):
    from app.models.training import State

    path = _table(tmp_path, name="saved.csv")
    _opened(qtbot, panel, path)
    saved = panel.state().to_dict()
    assert saved["data"]["source"] == "file" and saved["data"]["name"] == str(path)
    other = TrainingPanel(find_cached=False)
    qtbot.addWidget(other)
    try:
        qtbot.waitUntil(lambda: other.is_ready, timeout=10000)
        old = other.model.run
        other.apply_state(State.from_dict(saved))  # a session opened later: the file is read again
        qtbot.waitUntil(lambda: other.model.run is not old and not other.is_busy(), timeout=10000)
        assert other.model.run.data.class_names == ("apple", "pear")
        np.testing.assert_array_equal(other.model.run.data.x_train, panel.model.run.data.x_train)
    finally:
        assert other.shutdown()
        other._steppers.clear()
        other.stepper = None
