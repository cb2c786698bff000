"""engine.landscape: directions, the vectorized slice, projections and the recorded paths."""

import numpy as np
import pytest

from engine import datasets, optimizers
from engine import landscape as L
from engine.network import MLP
from engine.trajectory import RunnerConfig
from engine.training import Trainer


@pytest.fixture(scope="module")
def data():
    return datasets.make("spiral", 120, 0.1, seed=0)


def trained(model, x, y, steps=30, optimizer="adam"):
    """A model moved away from its initialization (so batch-norm statistics are not trivial)."""
    t = Trainer(model, optimizer, x, y, batch_size=16, seed=1)
    for _ in t.run(steps):
        pass
    return model


MODELS = {
    "relu": dict(),
    "tanh+bn+dropout+l2+l1": dict(activation="tanh", batchnorm=True, dropout=0.3, weight_decay=0.01, l1=0.001),
    "prelu": dict(activation="prelu"),
    "sigmoid, 3 classes": dict(activation="sigmoid"),
}


@pytest.mark.parametrize("kind", list(MODELS))
def test_vectorized_slice_equals_a_loop_over_grid_points(data, kind):
    x, y = data
    n_out = 2
    if "3 classes" in kind:
        x, y = datasets.make("gaussians", 90, 0.1, seed=0)
        n_out = 3
    model = trained(MLP(2, [8, 6], n_out, seed=3, **MODELS[kind]), x, y)
    d1, d2 = L.random_directions(model, seed=5, bias="weights")
    sl = L.run(L.slice_2d(model, x, y, d1, d2, extent=(0.8, 0.5), n=7, chunk=5))
    picks = [(0, 0), (6, 6), (2, 5), (3, 3), (5, 1)]
    thetas = [sl.center + sl.xs[j] * d1 + sl.ys[i] * d2 for i, j in picks]
    slow = L.loop_losses(model, x, y, thetas)
    np.testing.assert_allclose([sl.loss[i, j] for i, j in picks], slow, rtol=1e-11)
    assert len(np.unique(slow)) == len(picks)  # the picks really differ


def test_centre_of_the_slice_is_the_networks_current_loss(data):
    x, y = data
    model = trained(MLP(2, [16, 16], 2, seed=0), x, y)
    d1, d2 = L.random_directions(model, seed=0)
    sl = L.run(L.slice_2d(model, x, y, d1, d2, extent=1.0, n=9))
    expected = model.loss(x, y, train=False)
    assert sl.xs[4] == 0 and sl.ys[4] == 0
    assert sl.loss[4, 4] == pytest.approx(expected, rel=1e-12)
    assert sl.center_loss == pytest.approx(expected, rel=1e-12)
    assert sl.loss.shape == (9, 9) and np.all(sl.loss >= sl.loss[4, 4] - 0.5)
    np.testing.assert_array_equal(model.get_flat_params(), sl.center)  # the model is untouched


def test_chunking_does_not_change_the_result(data):
    x, y = data
    model = MLP(2, [8], 2, seed=1)
    d1, d2 = L.random_directions(model, seed=2)
    a = L.run(L.slice_2d(model, x, y, d1, d2, extent=0.5, n=6, chunk=1))
    b = L.run(L.slice_2d(model, x, y, d1, d2, extent=0.5, n=6, chunk=36))
    np.testing.assert_allclose(a.loss, b.loss, rtol=1e-13)


def _split(model, flat):
    out, start = [], 0
    for p in model.params:
        out.append(flat[start:start + p.size].reshape(p.shape))
        start += p.size
    return out


def test_random_directions_are_filter_normalised(data):
    x, y = data
    model = trained(MLP(2, [16, 8], 2, batchnorm=True, seed=0), x, y)
    d = L.random_direction(model, rng=0)
    for name, w, dw in zip(model.param_names, model.params, _split(model, d)):
        if w.ndim == 2:  # Dense: each output unit's incoming weights (a column) has the weights' norm
            np.testing.assert_allclose(np.linalg.norm(dw, axis=0), np.linalg.norm(w, axis=0), rtol=1e-9)
            assert not np.allclose(dw, w)  # a random direction, not the weights
        else:  # biases and batch-norm γ, β: left out of the slice (the paper's --xignore biasbn)
            assert np.all(dw == 0), name
    d_w = L.random_direction(model, rng=0, bias="weights")
    for w, dw, dz in zip(model.params, _split(model, d_w), _split(model, d)):
        np.testing.assert_array_equal(dw, w if w.ndim == 1 else dz)  # same draw for the matrices
    d_layer = L.random_direction(model, rng=0, norm="layer")
    for w, dw in zip(model.params, _split(model, d_layer)):
        if w.ndim == 2:
            assert np.linalg.norm(dw) == pytest.approx(np.linalg.norm(w), rel=1e-9)
            assert not np.allclose(np.linalg.norm(dw, axis=0), np.linalg.norm(w, axis=0))
    d1, d2 = L.random_directions(model, seed=4)
    assert not np.allclose(d1, d2)
    np.testing.assert_array_equal(L.random_directions(model, seed=4)[1], d2)  # reproducible


def test_pca_directions_are_orthonormal_and_find_a_planar_path():
    rng = np.random.default_rng(0)
    P = 50
    u, v = np.linalg.qr(rng.standard_normal((P, 2)))[0].T
    c = rng.standard_normal(P)
    t = np.linspace(0, 1, 40)[:, None]
    path = c + (1 - t) * (3 * u) + np.sin(6 * t) * (1 - t) * v  # ends at c, lies in span(u, v)
    d1, d2, explained = L.pca_directions([path], c)
    G = np.array([[d1 @ d1, d1 @ d2], [d2 @ d1, d2 @ d2]])
    np.testing.assert_allclose(G, np.eye(2), atol=1e-12)
    assert explained.sum() == pytest.approx(1.0) and explained[0] > explained[1] > 0
    coords = L.project(path, c, d1, d2)
    np.testing.assert_allclose(coords[-1], 0, atol=1e-12)
    np.testing.assert_allclose(L.plane_distance(path, c, d1, d2), 0, atol=1e-10)
    noisy = path + 0.01 * rng.standard_normal(path.shape)
    assert L.pca_directions([noisy], c)[2].sum() < 1
    with pytest.raises(ValueError, match="at least 2"):
        L.pca_directions([c[None]], c)


def test_projection_is_least_squares_on_non_orthogonal_directions():
    rng = np.random.default_rng(1)
    d1, d2, c = rng.standard_normal((3, 30))
    d2 = d2 + 0.8 * d1  # far from orthogonal
    off = rng.standard_normal(30)
    off -= np.column_stack([d1, d2]) @ np.linalg.lstsq(np.column_stack([d1, d2]), off, rcond=None)[0]
    pts = np.array([c + 0.3 * d1 - 0.7 * d2, c + 2 * d2 + off, c])
    np.testing.assert_allclose(L.project(pts, c, d1, d2), [[0.3, -0.7], [0, 2], [0, 0]], atol=1e-12)
    np.testing.assert_allclose(L.plane_distance(pts, c, d1, d2), [0, np.linalg.norm(off), 0], atol=1e-12)


def test_train_paths_share_weights_and_batches(data):
    x, y = data
    model = MLP(2, [8], 2, seed=2)
    cfgs = [RunnerConfig("sgd", {"lr": 0.1}, None, "SGD"), RunnerConfig("adam", {"lr": 0.01}, None, "Adam"),
            RunnerConfig("sgd", {"lr": 0.1}, None, "SGD again")]
    runs = L.run(L.train_paths(model, cfgs, x, y, epochs=3, batch_size=16, seed=7, max_points=5))
    steps_total = 3 * 8  # 3 epochs of ceil(120 / 16) batches
    assert [r.label for r in runs] == ["SGD", "Adam", "SGD again"]
    for r in runs:
        np.testing.assert_array_equal(r.params[0], model.get_flat_params())  # same start
        assert r.steps[0] == 0 and len(r.steps) <= 6 and np.all(np.diff(r.steps) > 0)
        assert r.params.shape == (len(r.steps), model.n_params)
        assert r.status == "finished"
    assert runs[0].steps[-1] == runs[1].steps[-1] == steps_total
    np.testing.assert_array_equal(runs[0].params, runs[2].params)  # same batches, same result
    assert not np.allclose(runs[0].final, runs[1].final)
    # the same as a Trainer run by hand with the same seed
    ref = MLP(2, [8], 2, seed=2)
    t = Trainer(ref, optimizers.get("adam", lr=0.01), x, y, batch_size=16, epochs=3, seed=7)
    for _ in t.run():
        pass
    np.testing.assert_array_equal(runs[1].final, ref.get_flat_params())
    assert runs[1].losses[-1] == pytest.approx(ref.loss(x, y, train=False), rel=1e-12)
    np.testing.assert_array_equal(model.get_flat_params(), runs[0].params[0])  # model untouched


def test_compute_landscape_paths_end_at_the_centre(data):
    x, y = data
    model = MLP(2, [8, 8], 2, seed=0)
    cfgs = [RunnerConfig("sgd", {"lr": 0.2}, None, "SGD"), RunnerConfig("adam", {"lr": 0.02}, None, "Adam")]
    for kind in L.DIRECTIONS:
        gen = L.compute_landscape(model, cfgs, x, y, epochs=4, batch_size=16, directions=kind, n=9,
                                  reference=1)
        fractions = []
        while True:
            try:
                fractions.append(next(gen).fraction)
            except StopIteration as stop:
                res = stop.value
                break
        assert fractions == sorted(fractions) and 0 <= fractions[0] and fractions[-1] == pytest.approx(1.0)
        assert res.reference == 1 and res.directions == kind
        np.testing.assert_array_equal(res.slice.center, res.runs[1].final)
        np.testing.assert_allclose(res.coords[1][-1], 0, atol=1e-12)  # the reference ends at the centre
        assert res.off_plane[1][-1] == pytest.approx(0, abs=1e-12)
        for c in res.coords:  # every optimizer starts from the same weights
            np.testing.assert_allclose(c[0], res.start, atol=1e-12)
        assert res.slice.loss[4, 4] == pytest.approx(res.runs[1].losses[-1], rel=1e-12)
        xs, ys = res.slice.xs, res.slice.ys
        for c in res.coords:  # the fitted grid holds every path
            assert np.all(np.abs(c[:, 0]) < xs[-1]) and np.all(np.abs(c[:, 1]) < ys[-1])
        assert 0 < res.captured <= 1
        if kind == "pca":
            assert res.captured == pytest.approx(res.explained.sum(), rel=1e-9)


def test_generators_stop_when_closed(data):
    x, y = data
    model = MLP(2, [8], 2, seed=0)
    d1, d2 = L.random_directions(model, seed=0)
    gen = L.slice_2d(model, x, y, d1, d2, extent=1.0, n=11, chunk=10)
    assert next(gen) == (10, 121)
    gen.close()
    with pytest.raises(StopIteration):
        next(gen)
    cfgs = [RunnerConfig("sgd", {"lr": 0.1}, None, "SGD")]
    gen = L.compute_landscape(model, cfgs, x, y, epochs=50)
    assert next(gen).fraction < 0.1
    gen.close()
    with pytest.raises(StopIteration):
        next(gen)


def test_bad_input_is_a_value_error(data):
    x, y = data
    model = MLP(2, [4], 2, seed=0)
    d1, d2 = L.random_directions(model)
    with pytest.raises(ValueError, match="choose one of: random, pca"):
        next(L.compute_landscape(model, [RunnerConfig("sgd")], x, y, directions="hessian"))
    with pytest.raises(ValueError, match="extent"):
        next(L.slice_2d(model, x, y, d1, d2, extent=-1))
    with pytest.raises(ValueError, match="d2 must have"):
        next(L.slice_2d(model, x, y, d1, d2[:-1]))
    with pytest.raises(ValueError, match="normalisation"):
        L.random_direction(model, norm="unit")
    with pytest.raises(ValueError, match="at least one optimizer"):
        next(L.train_paths(model, [], x, y))


def test_interpolation_hits_grid_values_and_is_nan_outside(data):
    x, y = data
    model = MLP(2, [4], 2, seed=0)
    d1, d2 = L.random_directions(model)
    sl = L.run(L.slice_2d(model, x, y, d1, d2, extent=(1.0, 2.0), n=5))
    pts = [(sl.xs[1], sl.ys[3]), (sl.xs[4], sl.ys[0]), ((sl.xs[1] + sl.xs[2]) / 2, sl.ys[2]), (1.5, 0)]
    v = sl.interpolate(pts)
    np.testing.assert_allclose(v[:3], [sl.loss[3, 1], sl.loss[0, 4], (sl.loss[2, 1] + sl.loss[2, 2]) / 2])
    assert np.isnan(v[3])


def test_the_panel_recipe_builds_the_training_panels_network():
    """``compute_from_settings`` starts from ``training_setup.build_network`` of its RunSettings."""
    import dataclasses

    from engine.training_setup import DataSpec, build_network

    net = dataclasses.replace(L.DEFAULT_NETWORK, hidden=(5,), activation="tanh", epochs=1, seed=4)
    s = L.Settings(data=DataSpec("toy", "moons", 0.1, 40), network=net, optimizers=(("sgd", 0.1),),
                   reference="sgd", resolution=5)
    res = L.run(L.compute_from_settings(s))
    expected = build_network(2, 2, net).get_flat_params()
    np.testing.assert_array_equal(res.runs[0].params[0], expected)
    assert res.runs[0].stop_reason.kind == "finished" and res.runs[0].message.startswith("finished 1 epochs")
    with pytest.raises(ValueError, match="2-D toy data set"):
        L.run(L.compute_from_settings(dataclasses.replace(s, data=DataSpec("digits", "digits"))))
