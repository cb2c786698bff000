"""Write tests/data/torch_optimizer_reference.npz: torch.optim trajectories the tests compare to.

Run once (needs torch, the bench extra): ``python bench/make_torch_optimizer_reference.py``.
For each optimizer and two hyperparameter sets it steps torch.optim (float64, single-tensor
path) 50 times on a few parameter shapes with random gradients of varying size, and stores the
start, the gradients and the parameters after every step. ``torch_optimizer`` is also used by
the live test and by bench/bench_surfaces.py, so the engine-name → torch mapping lives here once.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "torch_optimizer_reference.npz"
SHAPES = [(3,), (2, 4)]
N_STEPS = 50
SEED = 20261126
# (engine name, hyperparameters): the defaults, and a set that exercises other branches
CONFIGS = [
    ("sgd", {}), ("sgd", {"lr": 0.1}),
    ("momentum", {}), ("momentum", {"lr": 0.05, "momentum": 0.5}),
    ("nag", {}), ("nag", {"lr": 0.05, "momentum": 0.5}),
    ("adagrad", {}), ("adagrad", {"lr": 0.5, "eps": 1e-6}),
    ("rmsprop", {}), ("rmsprop", {"lr": 0.05, "decay_rate": 0.9, "eps": 1e-6}),
    ("adam", {}), ("adam", {"lr": 0.05, "beta1": 0.3, "beta2": 0.9, "eps": 1e-6}),
]


def torch_optimizer(name: str, params, hyper: dict):
    """The torch.optim optimizer equal to engine.optimizers.get(name, **hyper) (full hyper dict)."""
    import torch

    h = hyper
    if name == "sgd":
        return torch.optim.SGD(params, lr=h["lr"], foreach=False)
    if name in ("momentum", "nag"):
        return torch.optim.SGD(params, lr=h["lr"], momentum=h["momentum"], nesterov=name == "nag", foreach=False)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=h["lr"], eps=h["eps"], foreach=False)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=h["lr"], alpha=h["decay_rate"], eps=h["eps"], foreach=False)
    if name == "adam":
        return torch.optim.Adam(params, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"], foreach=False)
    raise ValueError(f"no torch equivalent for {name!r}")


def random_problem(seed: int = SEED, shapes=SHAPES, n_steps: int = N_STEPS, dtype=np.float64):
    """Start params and ``n_steps`` gradient lists (magnitudes 1e-3 … 10, so ε matters sometimes)."""
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal(s).astype(dtype) for s in shapes]
    grads = [
        [(rng.standard_normal(s) * 10 ** rng.uniform(-3, 1)).astype(dtype) for s in shapes]
        for _ in range(n_steps)
    ]
    return start, grads


def torch_trajectory(name: str, hyper: dict, start, grads):
    """Params after every torch step: a list (per param) of arrays (n_steps, *shape)."""
    import torch

    params = [torch.nn.Parameter(torch.tensor(p.copy())) for p in start]
    opt = torch_optimizer(name, params, hyper)
    out = [[] for _ in params]
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = torch.tensor(g)
        opt.step()
        for i, p in enumerate(params):
            out[i].append(p.detach().numpy().copy())
    return [np.stack(o) for o in out]


def main() -> None:
    import torch

    from engine import optimizers

    torch.set_num_threads(1)
    start, grads = random_problem()
    arrays = {f"start{i}": p for i, p in enumerate(start)}
    for i in range(len(SHAPES)):
        arrays[f"grads{i}"] = np.stack([gs[i] for gs in grads])
    configs = []
    for k, (name, hyper) in enumerate(CONFIGS):
        full = optimizers.get(name, **hyper).hyper  # defaults filled in
        configs.append({"name": name, "hyper": full})
        for i, traj in enumerate(torch_trajectory(name, full, start, grads)):
            arrays[f"config{k}_param{i}"] = traj
    arrays["configs"] = np.array(json.dumps(configs))
    arrays["torch_version"] = np.array(torch.__version__)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, torch {torch.__version__})")


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
