"""Training steps/s of engine.network.MLP vs PyTorch CPU, measured in the same run.

One step = forward + softmax cross-entropy loss + backward + SGD update (lr 0.01), on the same
shapes, dtype, weights and data, both pinned to 1 thread (threadpoolctl for NumPy's BLAS,
``torch.set_num_threads(1)``). Also the engine's *matmul floor*: the time of only the matrix
products a step needs (forward x·W per layer, xᵀ·dout per layer, dout·Wᵀ for all but the
first), so "floor %" says how much of a step is unavoidable BLAS work.

Timings on a shared machine are noisy: engine, torch and floor run in short interleaved blocks
(≥ 1 step each) and the best block of each is kept. Usage:
``python bench/bench_mlp.py [--seconds 1.5] [--block 0.02]`` (about 30 s in all).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from engine.network import MLP  # noqa: E402

LR = 0.01
CONFIGS = [  # (layer sizes, batch)
    ([784, 100, 100, 100, 100, 10], 100),
    ([2, 8, 8, 2], 10),
    ([784, 256, 256, 10], 256),
]
TORCH_DTYPES = {np.float32: torch.float32, np.float64: torch.float64}


def engine_optimizer():
    """engine.optimizers' SGD if that module exists, else an inline in-place update."""
    try:
        from engine import optimizers
    except ImportError:
        class Inline:
            def step(self, params, grads):
                for p, g in zip(params, grads):
                    p -= LR * g

        return Inline(), "inline p -= lr*g"
    return optimizers.get("sgd", lr=LR), "engine.optimizers sgd"


def make_data(sizes, batch, dtype, n_batches=4, seed=0):
    rng = np.random.default_rng(seed)
    xs = [rng.standard_normal((batch, sizes[0])).astype(dtype) for _ in range(n_batches)]
    ys = [rng.integers(0, sizes[-1], batch) for _ in range(n_batches)]
    return xs, ys


def torch_model(net: MLP, sizes, dtype):
    mods = []
    for i, dense in enumerate(net.dense_layers):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1], dtype=TORCH_DTYPES[dtype])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(dense.params["W"].T.copy()))
            lin.bias.copy_(torch.from_numpy(dense.params["b"]))
        mods.append(lin)
        if i < len(net.dense_layers) - 1:
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods)


def best_per_call(fn, seconds, best):
    """Run ``fn`` for ~``seconds`` (at least once); return min(best, seconds per call)."""
    n, t0 = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        t = time.perf_counter() - t0
        if t >= seconds:
            return min(best, t / n)


def bench_config(sizes, batch, dtype, budget, block):
    net = MLP(sizes[0], sizes[1:-1], sizes[-1], activation="relu", init="he", seed=0, dtype=dtype)
    opt, opt_name = engine_optimizer()
    model = torch_model(net, sizes, dtype)
    topt = torch.optim.SGD(model.parameters(), lr=LR)
    xs, ys = make_data(sizes, batch, dtype)
    txs = [torch.from_numpy(x) for x in xs]
    tys = [torch.from_numpy(y) for y in ys]

    # same weights, same data: the first losses must agree (checks we time the same computation)
    with torch.no_grad():
        tl = float(torch.nn.functional.cross_entropy(model(txs[0]), tys[0]))
    el = net.loss(xs[0], ys[0])
    assert abs(el - tl) < (1e-4 if dtype == np.float32 else 1e-10) * max(1, abs(tl)), (el, tl)

    state = {"i": 0}
    params = net.params

    def engine_step():
        i = state["i"] = (state["i"] + 1) % len(xs)
        _, grads = net.loss_and_gradient(xs[i], ys[i])
        opt.step(params, grads)

    def torch_step():
        i = state["i"] = (state["i"] + 1) % len(xs)
        topt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(txs[i]), tys[i])
        loss.backward()
        topt.step()

    # the matmuls a step needs, into preallocated outputs
    Ws = [d.params["W"] for d in net.dense_layers]
    acts = [xs[0]] + [np.ones((batch, n), dtype) for n in sizes[1:]]
    gWs = [np.empty_like(W) for W in Ws]
    dxs = [np.empty((batch, n), dtype) for n in sizes[:-1]]

    def matmul_floor():
        for k, W in enumerate(Ws):
            np.matmul(acts[k], W, out=acts[k + 1])
        for k in range(len(Ws) - 1, -1, -1):
            np.matmul(acts[k].T, acts[k + 1], out=gWs[k])
            if k:
                np.matmul(acts[k + 1], Ws[k].T, out=dxs[k])

    for fn in (engine_step, torch_step, matmul_floor):  # warm up
        for _ in range(20):
            fn()
    # short interleaved blocks: each contender gets many chances at a quiet moment of the machine
    e = t = f = float("inf")
    t_end = time.perf_counter() + 3 * budget
    while time.perf_counter() < t_end:
        e = best_per_call(engine_step, block, e)
        t = best_per_call(torch_step, block, t)
        f = best_per_call(matmul_floor, block, f)
    return {"engine": 1 / e, "torch": 1 / t, "floor": 1 / f, "opt": opt_name}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=1.5, help="timing budget per contender and config")
    ap.add_argument("--block", type=float, default=0.02, help="length of one timed block (best kept)")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    print(f"numpy {np.__version__}, torch {torch.__version__}, 1 thread each, "
          f"best {args.block:g} s block of {args.seconds:g} s interleaved per contender")
    header = (f"{'config':<32}{'dtype':<9}{'engine st/s':>12}{'torch st/s':>12}{'ratio':>8}"
              f"{'floor st/s':>12}{'% of floor':>12}")
    print(header)
    print("-" * len(header))
    ratios = []
    with threadpool_limits(limits=1):
        for dtype in (np.float32, np.float64):
            for sizes, batch in CONFIGS:
                r = bench_config(sizes, batch, dtype, args.seconds, args.block)
                ratio = r["engine"] / r["torch"]
                ratios.append(ratio)
                name = f"{'-'.join(map(str, sizes))} b{batch}"
                print(f"{name:<32}{np.dtype(dtype).name:<9}{r['engine']:>12.0f}{r['torch']:>12.0f}"
                      f"{ratio:>8.2f}{r['floor']:>12.0f}{100 * r['engine'] / r['floor']:>11.0f}%",
                      flush=True)
    print(f"engine optimizer: {r['opt']}; min ratio engine/torch = {min(ratios):.2f} (target ≥ 1.0)")


if __name__ == "__main__":
    main()
