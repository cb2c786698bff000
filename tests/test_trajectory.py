"""engine.trajectory: the book's race, manual equivalence, stopping rules, mini-batch sampling."""

import numpy as np
import pytest

from engine import optimizers, surfaces, trajectory
from engine.trajectory import BOOK_PRESET, Race, RunnerConfig, TrajectoryRunner


@pytest.fixture
def book():
    return surfaces.get("book_quadratic")


def test_book_preset_is_the_books_race(book):
    got = [(c.optimizer, c.hyper) for c in BOOK_PRESET]
    assert got == [
        ("sgd", {"lr": 0.95}),
        ("momentum", {"lr": 0.1, "momentum": 0.9}),
        ("adagrad", {"lr": 1.5}),
        ("adam", {"lr": 0.3}),
    ]
    assert trajectory.BOOK_SURFACE == "book_quadratic" and trajectory.BOOK_START == (-7.0, 2.0)
    race = Race(book, BOOK_PRESET, trajectory.BOOK_START)
    for _ in range(trajectory.BOOK_STEPS):
        race.step()
    start_loss = float(book.value(-7.0, 2.0))
    for r in race.runners:
        assert r.status == "running" and r.positions.shape == (31, 2)
        np.testing.assert_array_equal(r.positions[0], [-7.0, 2.0])
        assert np.hypot(*r.positions[-1]) < 1.0, r.label  # ends near the minimum (0, 0)
        assert r.losses[-1] < 0.03 * start_loss, r.label
    sgd_y = race.runners[0].positions[:, 1]
    assert np.all(np.sign(sgd_y[1:]) != np.sign(sgd_y[:-1]))  # SGD zig-zags in y at every step
    assert np.all(np.diff(race.runners[0].positions[:, 0]) > 0)  # while creeping along x
    assert np.sum(np.diff(np.sign(race.runners[1].positions[:, 1])) != 0) < 10  # momentum much less


@pytest.mark.parametrize("name", optimizers.names())
def test_runner_step_equals_a_manual_optimizer_step(book, name):
    runner = TrajectoryRunner(book, RunnerConfig(name, {"lr": 0.2}), (3.0, -1.5))
    opt = optimizers.get(name, lr=0.2)
    p = np.array([3.0, -1.5])
    for k in range(1, 21):
        before = p.copy()
        g = np.array([float(v) for v in book.grad(p[0], p[1])])
        opt.step([p], [g])
        point = runner.step()
        assert point.step == k
        np.testing.assert_array_equal(point.position, p)
        np.testing.assert_array_equal(point.grad, g)
        np.testing.assert_allclose(point.update, p - before, rtol=0, atol=1e-15)
        assert point.loss == float(book.value(p[0], p[1]))
        assert point.state["step_count"] == k and "effective_lr" in point.state
        assert runner.last is point
    np.testing.assert_array_equal(runner.positions[-1], p)
    assert runner.losses.shape == (21,)


def test_too_large_learning_rate_stops_without_exception(book):
    runner = TrajectoryRunner(book, RunnerConfig("sgd", {"lr": 10.0}), book.start)
    assert runner.step() is None
    assert runner.status in ("diverged", "left_view")
    assert runner.stopped_at == 1 and "step 1" in runner.message
    assert runner.step() is None and runner.positions.shape == (1, 2)  # stays stopped
    assert runner.last is None
    assert not book.contains(*runner.exit_position)


def test_left_view_keeps_only_in_bounds_positions(book):
    runner = TrajectoryRunner(book, RunnerConfig("sgd", {"lr": 0.999}), (-9.0, 0.5))  # y ← −0.998·y: stays
    runner.run(5)
    assert runner.status == "running" and runner.exit_position is None
    runner = TrajectoryRunner(book, RunnerConfig("sgd", {"lr": 1.05}), (-7.0, 2.0))  # y ← −1.1·y: leaves slowly
    runner.run(200)
    assert runner.status == "left_view" and "left the view" in runner.message
    assert all(book.contains(x, y) for x, y in runner.positions)
    assert runner.positions.shape[0] == runner.stopped_at  # start + the steps before the one that left


class _Unbounded(surfaces.BookQuadratic):
    bounds = ((-1e300, 1e300), (-1e300, 1e300))


def test_diverged_when_the_position_blows_up():
    s = _Unbounded()
    runner = TrajectoryRunner(s, RunnerConfig("sgd", {"lr": 10.0}), (1.0, 1.0))
    runner.run(1000)
    assert runner.status == "diverged" and "diverged at step" in runner.message
    assert np.all(np.isfinite(runner.positions)) and np.all(np.abs(runner.losses) <= trajectory.DIVERGE_LIMIT)
    assert runner.n_steps < 20


def test_growing_storage_and_step_cap(book, monkeypatch):
    runner = TrajectoryRunner(book, RunnerConfig("sgd", {"lr": 0.01}), (5.0, 1.0))
    runner.run(600)  # beyond the initial capacity
    p = np.array([5.0, 1.0])
    for _ in range(600):
        p -= 0.01 * np.array([p[0] / 10, 2 * p[1]])
    assert runner.positions.shape == (601, 2)
    np.testing.assert_allclose(runner.positions[-1], p, rtol=1e-12)
    monkeypatch.setattr(trajectory, "MAX_STEPS", 50)
    capped = TrajectoryRunner(book, RunnerConfig("sgd"), (5.0, 1.0))
    capped.run(80)
    assert capped.status == "finished" and capped.n_steps == 50 and capped.message


def _recording(surface):
    seen = []
    original = surface.batch_grad

    def batch_grad(x, y, indices):
        seen.append(np.array(indices))
        return original(x, y, indices)

    surface.batch_grad = batch_grad
    return seen


def test_minibatches_walk_a_permutation_per_epoch():
    s = surfaces.get("data")
    seen = _recording(s)
    runner = TrajectoryRunner(s, RunnerConfig("sgd", {"lr": 0.01}, batch_size=64), s.start, seed=3)
    runner.run(8)  # 200 samples: batches of 64, 64, 64, 8 per epoch
    assert [len(b) for b in seen] == [64, 64, 64, 8, 64, 64, 64, 8]
    for epoch in (seen[:4], seen[4:]):
        assert sorted(np.concatenate(epoch)) == list(range(200))
    assert not np.array_equal(np.concatenate(seen[:4]), np.concatenate(seen[4:]))


def test_gd_and_sgd_differ_on_data_and_sgd_is_deterministic_per_seed():
    s = surfaces.get("data")

    def path(batch_size, seed=0):
        r = TrajectoryRunner(s, RunnerConfig("sgd", {"lr": 0.05}, batch_size=batch_size), s.start, seed=seed)
        r.run(200)
        assert r.status == "running"
        return r.positions.copy()

    gd, sgd = path(None), path(10)
    assert np.abs(gd - sgd).max() > 0.05
    np.testing.assert_array_equal(sgd, path(10))
    assert not np.array_equal(sgd, path(10, seed=1))
    # both approach the least-squares fit; SGD's path is noisier (bigger turns)
    m = np.array(s.minima[0])
    assert np.hypot(*(gd[-1] - m)) < 0.5 and np.hypot(*(sgd[-1] - m)) < 0.7
    turn = lambda p: np.abs(np.diff(np.arctan2(*np.diff(p, axis=0).T))).mean()  # noqa: E731
    assert turn(sgd) > turn(gd)


def test_batch_size_is_ignored_on_deterministic_surfaces(book):
    a = TrajectoryRunner(book, RunnerConfig("adam", {"lr": 0.1}, batch_size=4), book.start)
    b = TrajectoryRunner(book, RunnerConfig("adam", {"lr": 0.1}), book.start)
    a.run(10)
    b.run(10)
    np.testing.assert_array_equal(a.positions, b.positions)


def test_race_steps_in_lock_step_and_stopped_runners_stay_stopped(book):
    configs = [RunnerConfig("sgd", {"lr": 10.0}), RunnerConfig("adam", {"lr": 0.1}), RunnerConfig("nag", {"lr": 0.05})]
    race = Race(book, configs, (-7, 2))
    first = race.step()
    assert first[0] is None and first[1] is not None and first[2] is not None
    for _ in range(9):
        points = race.step()
        assert points[0] is None
    assert [r.n_steps for r in race.runners] == [0, 10, 10]
    assert race.runners[0].status != "running" and race.running


def test_bad_runner_arguments(book):
    with pytest.raises(ValueError):
        TrajectoryRunner(book, RunnerConfig("sgd", batch_size=0), (0, 0))
    with pytest.raises(ValueError):
        TrajectoryRunner(book, RunnerConfig("sgd"), (0, float("nan")))
    with pytest.raises(ValueError):
        TrajectoryRunner(book, RunnerConfig("newton"), (0, 0))
    with pytest.raises(ValueError):
        Race(book, [], (0, 0))


def test_labels():
    assert RunnerConfig("momentum", {"lr": 0.1}).display_label() == "Momentum lr=0.1"
    assert BOOK_PRESET[3].display_label() == "Adam"
