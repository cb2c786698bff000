"""The engine against PyTorch's own numbers, stored so CI needs no torch.

tests/data/torch_release_reference.npz is written by bench/make_torch_release_reference.py
(float32 optimizer trajectories, activation outputs and gradients, initializer scales).
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from engine import activations, init, optimizers

REFERENCE = Path(__file__).parent / "data" / "torch_release_reference.npz"
DATA = np.load(REFERENCE, allow_pickle=False)
TOL32 = 2e-6  # relative to the parameter scale: a few float32 roundings over 50 steps


def test_reference_covers_every_optimizer_activation_and_initializer():
    assert REFERENCE.stat().st_size < 500_000
    assert set(json.loads(str(DATA["opt_hypers"]))) == set(optimizers.names())
    assert {k[4:-2] for k in DATA.files if k.startswith("act_") and k.endswith("_y")} == set(activations.names())
    assert set(json.loads(str(DATA["init_names"]))) == set(init.names()) - {"normal"}


@pytest.mark.parametrize("name", optimizers.names())
def test_float32_optimizer_matches_torch_step_for_step(name):
    hyper = json.loads(str(DATA["opt_hypers"]))[name]
    n = sum(1 for k in DATA.files if k.startswith("opt_start"))
    params = [DATA[f"opt_start{i}"].copy() for i in range(n)]
    grads = [DATA[f"opt_grads{i}"] for i in range(n)]
    assert all(p.dtype == np.float32 for p in params)
    opt = optimizers.get(name, **hyper)
    for t in range(grads[0].shape[0]):
        opt.step(params, [g[t] for g in grads])
        for i, p in enumerate(params):
            expected = DATA[f"opt_{name}_param{i}"][t]
            assert p.dtype == np.float32
            scale = max(1.0, float(np.abs(expected).max()))
            assert np.abs(p - expected).max() <= TOL32 * scale, (name, t, i, np.abs(p - expected).max())


@pytest.mark.parametrize("name", activations.names())
def test_activation_values_and_gradients_match_torch(name):
    params = json.loads(str(DATA["act_params"])).get(name, {})
    f = activations.get(name, **params)
    x, dout = DATA[f"act_{name}_x"], DATA[f"act_{name}_dout"]
    y = f.forward(x)
    np.testing.assert_allclose(y, DATA[f"act_{name}_y"], rtol=1e-12, atol=1e-15)
    dx = f.backward(x, y, dout)
    np.testing.assert_allclose(dx, DATA[f"act_{name}_dx"], rtol=1e-10, atol=1e-15)  # tails: y(1−y) rounds
    if f.elementwise and name != "step":  # f'(x)·dout, away from the kink at 0
        away = x != 0
        np.testing.assert_allclose((f.derivative(x) * dout)[away], DATA[f"act_{name}_dx"][away], rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("name", json.loads(str(DATA["init_names"])))
def test_initializer_scale_matches_torch(name):
    initializer = init.get(name)
    for (fan_in, fan_out), torch_scale in zip(DATA["init_fans"], DATA[f"init_{name}"]):
        fan_in, fan_out = int(fan_in), int(fan_out)
        std = initializer.std(fan_in, fan_out)
        scale = std * math.sqrt(3.0) if initializer.uniform else std  # uniform: torch stores the bound
        assert scale == pytest.approx(torch_scale, rel=1e-12), (name, fan_in, fan_out)
        w = initializer(fan_in, fan_out, rng=0)
        assert w.shape == (fan_in, fan_out)
        if initializer.uniform:
            assert np.abs(w).max() <= torch_scale
            assert np.abs(w).max() > torch_scale * (1 - 50 / w.size)  # the draws reach the bound
        if w.size >= 10_000:  # the draws have that std (sampling error ≈ 1/√(2n))
            assert np.std(w) == pytest.approx(std, rel=5 / math.sqrt(2 * w.size))
