"""engine.optimizers: hand-computed first steps, step-for-step agreement with torch.optim."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from engine import optimizers

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "data" / "torch_optimizer_reference.npz"
# float64: torch fuses some multiply-adds, so allow a few ulps of the parameter scale per step
TOL64 = 1e-14


def _bench_module():
    spec = importlib.util.spec_from_file_location("make_ref", ROOT / "bench" / "make_torch_optimizer_reference.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _close(a, b, tol):
    scale = max(np.abs(b).max(), 1e-300)
    return np.abs(a - b).max() <= tol * scale


# -- hand-computed first steps ----------------------------------------------------------------
P0 = np.array([1.0, -2.0, 0.5])
G0 = np.array([0.5, 1.0, -4.0])
FIRST_STEPS = {
    ("sgd", ()): P0 - 0.1 * G0,
    ("momentum", (("momentum", 0.9),)): P0 - 0.1 * G0,  # the buffer starts as the gradient
    ("nag", (("momentum", 0.9),)): P0 - 0.1 * 1.9 * G0,  # g + m·b with b = g
    ("adagrad", (("eps", 0.0),)): P0 - 0.1 * np.sign(G0),  # g/√(g²)
    ("rmsprop", (("decay_rate", 0.99), ("eps", 0.0))): P0 - 0.1 * np.sign(G0) / 0.1,  # √(0.01 g²) = 0.1|g|
    ("adam", (("eps", 0.0),)): P0 - 0.1 * np.sign(G0),  # M̂ = g, V̂ = g²
}


@pytest.mark.parametrize("key", FIRST_STEPS, ids=[k[0] for k in FIRST_STEPS])
def test_first_step_by_hand(key):
    name, extra = key
    opt = optimizers.get(name, lr=0.1, **dict(extra))
    p = P0.copy()
    opt.step([p], [G0.copy()])
    np.testing.assert_allclose(p, FIRST_STEPS[key], rtol=1e-15, atol=1e-15)
    assert opt.step_count == 1


def test_momentum_second_step_by_hand():
    opt = optimizers.get("momentum", lr=0.1, momentum=0.5)
    p = P0.copy()
    g1 = np.array([1.0, 0.0, 2.0])
    opt.step([p], [G0.copy()])
    opt.step([p], [g1])
    buf = 0.5 * G0 + g1
    np.testing.assert_allclose(p, P0 - 0.1 * G0 - 0.1 * buf, rtol=1e-15)
    np.testing.assert_allclose(opt.state_snapshot()["velocity"], -0.1 * buf, rtol=1e-15)


def test_adam_second_step_by_hand():
    opt = optimizers.get("adam", lr=0.1, eps=0.0)
    p = P0.copy()
    g1 = np.array([1.0, -1.0, 2.0])
    opt.step([p], [G0.copy()])
    before = p.copy()
    opt.step([p], [g1])
    m = (0.9 * 0.1 * G0 + 0.1 * g1) / (1 - 0.9**2)
    v = (0.999 * 0.001 * G0**2 + 0.001 * g1**2) / (1 - 0.999**2)
    np.testing.assert_allclose(p, before - 0.1 * m / np.sqrt(v), rtol=1e-13)


def test_eps_goes_outside_the_root():
    """torch's ε goes outside the square root: for G ≪ ε the two conventions differ a lot."""
    opt = optimizers.get("adagrad", lr=1.0, eps=1e-2)
    p, g = np.zeros(1), np.array([1e-4])
    opt.step([p], [g])
    assert p[0] == pytest.approx(-1e-4 / (1e-4 + 1e-2), rel=1e-14)  # lecture's form: −1e-4/√(1e-8 + 1e-2)


# -- agreement with torch.optim -----------------------------------------------------------------
def _reference():
    data = np.load(REFERENCE, allow_pickle=False)
    configs = json.loads(str(data["configs"]))
    n = sum(1 for k in data.files if k.startswith("start"))
    start = [data[f"start{i}"] for i in range(n)]
    grads = [data[f"grads{i}"] for i in range(n)]
    return data, configs, start, grads


def test_reference_file_is_small_and_covers_every_optimizer():
    assert REFERENCE.stat().st_size < 200_000
    _, configs, _, _ = _reference()
    assert {c["name"] for c in configs} == set(optimizers.names())


@pytest.mark.parametrize("k", range(12))
def test_matches_torch_reference_step_for_step(k):
    data, configs, start, grads = _reference()
    cfg = configs[k]
    opt = optimizers.get(cfg["name"], **cfg["hyper"])
    params = [p.copy() for p in start]
    n_steps = grads[0].shape[0]
    assert n_steps >= 50
    for t in range(n_steps):
        opt.step(params, [g[t] for g in grads])
        for i, p in enumerate(params):
            expected = data[f"config{k}_param{i}"][t]
            assert _close(p, expected, TOL64), (cfg, t, i, np.abs(p - expected).max())
    # and it really moved: a no-op optimizer would fail above, but check the scale anyway
    assert not np.allclose(params[0], start[0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", optimizers.names())
def test_matches_torch_live(name, dtype):
    torch = pytest.importorskip("torch")
    ref = _bench_module()
    torch.set_num_threads(1)
    shapes = [(5,), (3, 7), (1000,)]
    start, grads = ref.random_problem(seed=7, shapes=shapes, n_steps=50, dtype=dtype)
    hyper = optimizers.get(name, lr=0.05).hyper
    expected = ref.torch_trajectory(name, hyper, start, grads)
    opt = optimizers.get(name, **hyper)
    params = [p.copy() for p in start]
    tol = TOL64 if dtype == np.float64 else 2e-6
    for t, gs in enumerate(grads):
        opt.step(params, gs)
        for p, e in zip(params, expected):
            assert p.dtype == dtype
            assert _close(p, e[t], tol), (t, np.abs(p - e[t]).max())


# -- mechanics ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", optimizers.names())
def test_updates_in_place_including_views(name):
    opt = optimizers.get(name, lr=0.1)
    big = np.ones((4, 6))
    view = big[:, 1:3]  # a non-contiguous view: the owner must change
    flat = np.ones(5)
    ids = (id(view), id(flat))
    opt.step([view, flat], [np.full((4, 2), 0.5), np.full(5, -0.5)])
    assert (id(view), id(flat)) == ids
    assert np.all(big[:, 1:3] < 1) and np.all(big[:, 0] == 1) and np.all(big[:, 3:] == 1)
    assert np.all(flat > 1)


@pytest.mark.parametrize("name", optimizers.names())
def test_float32_stays_float32(name):
    opt = optimizers.get(name, lr=0.1)
    p = np.ones(10, dtype=np.float32)
    opt.step([p], [np.linspace(-1, 1, 10, dtype=np.float32)])
    assert p.dtype == np.float32
    snap = opt.state_snapshot()
    assert snap["step"].dtype == np.float32


BAD = [
    ("sgd", {"lr": 0}), ("sgd", {"lr": -0.1}), ("sgd", {"lr": float("nan")}), ("sgd", {"lr": float("inf")}),
    ("sgd", {"lr": "fast"}), ("momentum", {"momentum": 1.0}), ("nag", {"momentum": -0.1}),
    ("rmsprop", {"decay_rate": 1.5}), ("adam", {"beta1": 1.0}), ("adam", {"beta2": -0.5}),
    ("adagrad", {"eps": -1e-8}), ("adam", {"eps": float("nan")}), ("sgd", {"momentum": 0.9}),
    ("adam", {"betas": (0.9, 0.99)}),
]


@pytest.mark.parametrize("name,hyper", BAD)
def test_bad_hyperparameters_raise_with_allowed_values(name, hyper):
    with pytest.raises(ValueError) as err:
        optimizers.get(name, **hyper)
    msg = str(err.value)
    assert any(word in msg for word in ("must be", "allowed")), msg


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="adam"):
        optimizers.get("lbfgs")


def test_set_hyper_validates_and_applies_to_the_next_step():
    opt = optimizers.get("sgd", lr=0.1)
    with pytest.raises(ValueError):
        opt.set_hyper(lr=-1)
    opt.set_hyper(lr=0.5)
    p = np.zeros(1)
    opt.step([p], [np.ones(1)])
    assert p[0] == -0.5


def test_mismatched_params_and_grads_raise():
    opt = optimizers.get("adam")
    with pytest.raises(ValueError):
        opt.step([np.zeros(2)], [])
    with pytest.raises(ValueError):
        opt.step([np.zeros(2)], [np.zeros(3)])
    opt.step([np.zeros(2)], [np.ones(2)])
    with pytest.raises(ValueError, match="reset"):
        opt.step([np.zeros(2), np.zeros(2)], [np.ones(2), np.ones(2)])


def test_registry_entries_describe_each_optimizer():
    assert optimizers.names() == ["sgd", "momentum", "nag", "adagrad", "rmsprop", "adam"]
    expected_defaults = {
        "sgd": {"lr": 0.01}, "momentum": {"lr": 0.01, "momentum": 0.9}, "nag": {"lr": 0.01, "momentum": 0.9},
        "adagrad": {"lr": 0.01, "eps": 1e-10}, "rmsprop": {"lr": 0.01, "decay_rate": 0.99, "eps": 1e-8},
        "adam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    }
    for e in optimizers.entries():
        assert e.display_name and e.formula and e.extra["torch_formula"]
        assert e.extra["defaults"] == expected_defaults[e.name] == optimizers.get(e.name).hyper
        assert isinstance(e.extra["state_keys"], list)


@pytest.mark.parametrize("name", optimizers.names())
def test_state_snapshot_keys_values_and_copies(name):
    opt = optimizers.get(name, lr=0.1)
    empty = opt.state_snapshot()
    assert empty["step_count"] == 0 and empty["grad"] is None
    p, q = np.array([1.0, -1.0, 3.0]), np.zeros(2)
    g = np.array([0.2, -0.4, 1.0])
    for _ in range(3):
        before = p.copy()
        opt.step([p, q], [g.copy(), np.ones(2)])
    snap = opt.state_snapshot(0)
    keys = {"grad", "step", "effective_lr", "step_count", *optimizers.REGISTRY.entry(name).extra["state_keys"]}
    assert set(snap) == keys
    assert snap["step_count"] == 3
    np.testing.assert_array_equal(snap["grad"], g)
    np.testing.assert_allclose(snap["step"], p - before, rtol=1e-12, atol=1e-15)
    assert snap["effective_lr"].shape == p.shape and np.all(snap["effective_lr"] > 0)
    assert opt.state_snapshot(1)["grad"].shape == (2,)
    # copies: editing the snapshot changes nothing, and a later step does not change the snapshot
    kept = {k: v.copy() for k, v in snap.items() if isinstance(v, np.ndarray)}
    for v in snap.values():
        if isinstance(v, np.ndarray):
            v[...] = 1234.0
    fresh = opt.state_snapshot(0)
    for k, v in kept.items():
        np.testing.assert_array_equal(fresh[k], v)
    opt.step([p, q], [g * 3, np.ones(2)])
    np.testing.assert_array_equal(fresh["grad"], g)
    with pytest.raises(ValueError):
        opt.state_snapshot(2)


def test_snapshot_values_in_the_lecture_form():
    g = np.array([0.5, -2.0])
    m = optimizers.get("momentum", lr=0.1, momentum=0.9)
    p = np.zeros(2)
    m.step([p], [g])
    m.step([p], [g])
    snap = m.state_snapshot()
    np.testing.assert_allclose(snap["velocity"], -0.1 * (0.9 * g + g))  # V = −lr·buf
    np.testing.assert_allclose(snap["velocity"], snap["step"])  # W ← W + V
    a = optimizers.get("adagrad", lr=0.1)
    a.step([np.zeros(2)], [g])
    np.testing.assert_allclose(a.state_snapshot()["G"], g**2)
    np.testing.assert_allclose(a.state_snapshot()["effective_lr"], 0.1 / (np.abs(g) + 1e-10))
    adam = optimizers.get("adam", lr=0.1)
    for _ in range(2):
        adam.step([np.zeros(2)], [g])
    s = adam.state_snapshot()
    np.testing.assert_allclose(s["M_hat"], g, rtol=1e-14)  # constant gradient: bias-corrected M = g
    np.testing.assert_allclose(s["V_hat"], g**2, rtol=1e-13)
    np.testing.assert_allclose(s["step"], -s["effective_lr"] * s["M_hat"], rtol=1e-13)


@pytest.mark.parametrize("name", optimizers.names())
def test_reset_forgets_state(name):
    opt = optimizers.get(name, lr=0.1)
    g = np.array([0.3, -1.0])
    first = np.ones(2)
    opt.step([first], [g])
    for _ in range(4):
        opt.step([first], [g])
    opt.reset()
    assert opt.step_count == 0 and opt.state_snapshot()["grad"] is None
    again = np.ones(2)
    opt.step([again], [g])
    fresh = np.ones(2)
    optimizers.get(name, lr=0.1).step([fresh], [g])
    np.testing.assert_array_equal(again, fresh)
    opt.reset()
    opt.step([np.ones(3)], [np.ones(3)])  # other shapes are fine after reset


def test_adam_without_bias_correction_takes_a_larger_first_step():
    """The raw averages are biased toward 0, V far more than M: the first raw step is
    (1−β₁)/√(1−β₂) ≈ 3.16 times the corrected one (PyTorch's), not smaller."""
    g = np.array([-0.7, 4.0])
    steps = {}
    for corrected in (True, False):
        opt = optimizers.get("adam", lr=0.3, bias_correction=corrected)
        p = np.zeros(2)
        opt.step([p], [g])
        steps[corrected] = p.copy()
        snap = opt.state_snapshot()
        np.testing.assert_allclose(snap["step"], -snap["effective_lr"] * snap["M"] / (1 if not corrected else 0.1),
                                   rtol=1e-13)
        assert (snap["M_hat"] is None) == (not corrected)
    np.testing.assert_allclose(np.abs(steps[True]), 0.3, rtol=1e-7)  # lr·sign(g)
    np.testing.assert_allclose(steps[False] / steps[True], 0.1 / np.sqrt(0.001), rtol=1e-5)  # ε aside
    raw = optimizers.get("adam", lr=0.1, eps=0.0, bias_correction=False)
    p = np.zeros(2)
    for _ in range(3):  # by hand: W ← W − lr·M/√V with the raw averages
        raw.step([p], [g])
    t = np.arange(1, 4)
    m, v = (0.1 * 0.9 ** (3 - t)).sum() * g, (0.001 * 0.999 ** (3 - t)).sum() * g**2
    np.testing.assert_allclose(raw.state_snapshot()["step"], -0.1 * m / np.sqrt(v), rtol=1e-13)
    assert "M̂" not in raw.formula + raw.torch_formula and "M̂" in optimizers.get("adam").formula
    with pytest.raises(ValueError, match="bias_correction"):
        optimizers.get("adam", bias_correction="no")
