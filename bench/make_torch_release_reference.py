"""Write tests/data/torch_release_reference.npz: PyTorch's numbers for CI, which has no torch.

Run once in a venv that has torch (never needed by the app or the tests):
``python bench/make_torch_release_reference.py``. tests/test_torch_reference.py compares the
engine with what is stored:

- float32 optimizer trajectories: every optimizer at lr 0.05 (engine defaults for the rest),
  50 steps of torch.optim on float32 parameters with random gradients (the float64 ones are in
  torch_optimizer_reference.npz);
- activation outputs and input gradients (autograd of Σ dout·f(x)) of every engine activation
  on a grid that crosses 0 and reaches the saturated tails, float64;
- initializer scales: the exact std (normal) or bound (uniform) ``torch.nn.init`` uses for
  several fan pairs, read off by drawing the same seed once through the initializer and once
  as N(0, 1) / U(−1, 1) and dividing, so no formula is copied from the engine.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "torch_release_reference.npz"
SEED = 20261204
FANS = [(784, 256), (256, 256), (100, 100), (3, 500), (500, 3)]
# engine constructor parameters per activation (the engine's defaults, stored with the data)
ACTIVATION_PARAMS = {"leaky_relu": {"alpha": 0.01}, "prelu": {"alpha": 0.25}, "elu": {"alpha": 1.0}}


def _optimizer_module():
    spec = importlib.util.spec_from_file_location("make_ref", ROOT / "bench" / "make_torch_optimizer_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def torch_activation(name: str, x, params: dict):
    """The torch function equal to engine.activations.get(name, **params)."""
    import torch
    import torch.nn.functional as F

    if name == "identity":
        return x * 1.0
    if name == "step":
        return torch.heaviside(x.detach(), torch.zeros_like(x)) + 0 * x  # no autograd rule: gradient 0
    if name == "sigmoid":
        return torch.sigmoid(x)
    if name == "tanh":
        return torch.tanh(x)
    if name == "relu":
        return F.relu(x)
    if name == "leaky_relu":
        return F.leaky_relu(x, params["alpha"])
    if name == "prelu":
        return F.prelu(x, torch.tensor([params["alpha"]], dtype=x.dtype))
    if name == "elu":
        return F.elu(x, params["alpha"])
    if name == "softmax":
        return torch.softmax(x, dim=-1)
    raise ValueError(f"no torch equivalent for {name!r}")


def torch_init_scale(name: str, fan_in: int, fan_out: int) -> float:
    """The std (normal) or bound (uniform) torch.nn.init uses for a (fan_out, fan_in) weight."""
    import torch
    from torch.nn import init

    draw = {
        "xavier": lambda w: init.xavier_normal_(w),
        "xavier_uniform": lambda w: init.xavier_uniform_(w),
        "he": lambda w: init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu"),
        "he_uniform": lambda w: init.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu"),
        "lecun": lambda w: init.kaiming_normal_(w, mode="fan_in", nonlinearity="linear"),
    }[name]
    shape = (fan_out, fan_in)  # torch.nn.Linear's weight layout
    torch.manual_seed(SEED)
    w = draw(torch.empty(shape, dtype=torch.float64))
    torch.manual_seed(SEED)
    unit = torch.empty(shape, dtype=torch.float64)
    unit = unit.uniform_(-1, 1) if name.endswith("uniform") else unit.normal_(0, 1)
    ratio = (w / unit).numpy()
    assert np.allclose(ratio, ratio.flat[0], rtol=1e-12), name  # one scale for every element
    return float(ratio.flat[0])


def main() -> None:
    import torch

    sys.path.insert(0, str(ROOT))
    from engine import activations, init, optimizers

    torch.set_num_threads(1)
    arrays: dict[str, np.ndarray] = {"torch_version": np.array(torch.__version__)}

    # float32 optimizers
    ref = _optimizer_module()
    start, grads = ref.random_problem(seed=SEED, shapes=[(5,), (3, 7), (200,)], n_steps=50, dtype=np.float32)
    for i in range(len(start)):
        arrays[f"opt_start{i}"] = start[i]
        arrays[f"opt_grads{i}"] = np.stack([gs[i] for gs in grads])
    hypers = {}
    for name in optimizers.names():
        hypers[name] = optimizers.get(name, lr=0.05).hyper
        for i, traj in enumerate(ref.torch_trajectory(name, hypers[name], start, grads)):
            assert traj.dtype == np.float32
            arrays[f"opt_{name}_param{i}"] = traj
    arrays["opt_hypers"] = np.array(json.dumps(hypers))

    # activations
    rng = np.random.default_rng(SEED)
    grid = np.concatenate([np.linspace(-8, 8, 161) + 0.013, [0.0, 1e-9, -1e-9, 30.0, -30.0, 700.0, -700.0]])
    x_rows = rng.standard_normal((7, 5)) * 4  # softmax works on rows
    for name in activations.names():
        params = ACTIVATION_PARAMS.get(name, {})
        x = x_rows if name == "softmax" else grid
        dout = rng.standard_normal(x.shape)
        xt = torch.tensor(x, requires_grad=True)
        y = torch_activation(name, xt, params)
        (y * torch.tensor(dout)).sum().backward()
        arrays[f"act_{name}_x"] = x
        arrays[f"act_{name}_dout"] = dout
        arrays[f"act_{name}_y"] = y.detach().numpy().copy()
        arrays[f"act_{name}_dx"] = xt.grad.numpy().copy()
    arrays["act_params"] = np.array(json.dumps(ACTIVATION_PARAMS))

    # initializers
    names = [n for n in init.names() if n != "normal"]  # normal has a fixed std, no torch rule
    arrays["init_fans"] = np.array(FANS)
    for name in names:
        arrays[f"init_{name}"] = np.array([torch_init_scale(name, a, b) for a, b in FANS])
    arrays["init_names"] = np.array(json.dumps(names))

    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, torch {torch.__version__})")


if __name__ == "__main__":
    main()
