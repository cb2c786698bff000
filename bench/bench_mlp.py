"""Training steps/s of engine.network.MLP vs PyTorch CPU, each measured in its own fresh process.

One step = forward + softmax cross-entropy loss + backward + SGD update (lr 0.01), on the same
shapes, dtype, initial weights and data (the first losses must agree). Every measurement runs
in a fresh Python process pinned to 1 BLAS thread (``OPENBLAS/OMP/MKL_NUM_THREADS=1``,
threadpoolctl, ``torch.set_num_threads(1)``): a process that has already run other work
carries process-wide state (e.g. OpenBLAS's work buffer, see engine/blas_warmup.py) and can
hide what a user's fresh process sees. Per config and dtype, each repeat runs three processes
in turn: the engine, the engine with its BLAS warm-up off (``GRADLAB_BLAS_WARMUP=0``, the
"cold" column) and torch. Inside one, 20 untimed steps, then blocks of ``--block`` s of CPU
time for ``--seconds`` s, best block kept (CPU time: waiting for a core on a shared machine
does not count; the JSON also has wall-clock rates); the table shows the median over
``--repeats`` processes and the ratio of the medians. "floor" is the engine's matmul-only
time for the same step (forward x·W, backward xᵀ·dout and dout·Wᵀ), measured in the engine's
process after its steps.

Results go to bench/results/bench_mlp.json (with CPU, BLAS, versions, date and load).
Usage: ``python bench/bench_mlp.py [--seconds 1] [--block 0.02] [--repeats 5] [--out PATH]``
(about 8 minutes; needs torch: ``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LR = 0.01
WARM_STEPS = 20
CONFIGS = [  # (layer sizes, batch)
    ([784, 100, 100, 100, 100, 10], 100),
    ([2, 8, 8, 2], 10),
    ([784, 256, 256, 10], 256),
]
DTYPES = ("float32", "float64")
SIDES = ("engine", "cold", "torch")


# --- child: one side, one config, in a fresh process ---------------------------------------
def make_problem(sizes, batch, dtype, n_batches=4, seed=0):
    """The engine network (its weights seed torch's too) and a few fixed batches."""
    import numpy as np

    from engine.network import MLP

    net = MLP(sizes[0], sizes[1:-1], sizes[-1], activation="relu", init="he", seed=0, dtype=dtype)
    rng = np.random.default_rng(seed)
    xs = [rng.standard_normal((batch, sizes[0])).astype(dtype) for _ in range(n_batches)]
    ys = [rng.integers(0, sizes[-1], batch) for _ in range(n_batches)]
    return net, xs, ys


def best_rate(step, seconds, block) -> tuple[float, float]:
    """Steps/s of the fastest ``block``-second run of ``step`` within ``seconds``: (by the
    process's CPU time, by wall-clock time). CPU time leaves out the time the process waits
    for a core on a shared machine; both sides run on one thread, so it is the step's cost."""
    best_cpu = best_wall = float("inf")
    t_end = time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        n, c0, t0 = 0, time.process_time(), time.perf_counter()
        while True:
            step()
            n += 1
            c = time.process_time() - c0
            if c >= block:
                break
        best_cpu = min(best_cpu, c / n)
        best_wall = min(best_wall, (time.perf_counter() - t0) / n)
    return 1.0 / best_cpu, 1.0 / best_wall


def engine_side(sizes, batch, dtype, seconds, block) -> dict:
    import numpy as np
    from threadpoolctl import threadpool_limits

    from engine import blas_warmup, optimizers

    threadpool_limits(limits=1, user_api="blas")
    net, xs, ys = make_problem(sizes, batch, dtype)
    opt = optimizers.get("sgd", lr=LR)
    params, state = net.params, {"i": 0}
    first_loss = net.loss(xs[0], ys[0])

    def step():
        i = state["i"] = (state["i"] + 1) % len(xs)
        _, grads = net.loss_and_gradient(xs[i], ys[i])
        opt.step(params, grads)

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

    for _ in range(WARM_STEPS):
        step()
    rate, wall = best_rate(step, seconds, block)
    for _ in range(WARM_STEPS):
        matmul_floor()
    floor, _ = best_rate(matmul_floor, seconds / 2, block)
    return {"steps_per_s": rate, "wall_steps_per_s": wall, "floor_per_s": floor, "first_loss": first_loss,
            "warmup_runs": blas_warmup.runs()}


def torch_side(sizes, batch, dtype, seconds, block) -> dict:
    import torch

    torch.set_num_threads(1)
    net, xs, ys = make_problem(sizes, batch, dtype)
    tdtype = getattr(torch, dtype)
    mods = []
    for i, dense in enumerate(net.dense_layers):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1], dtype=tdtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(dense.params["W"].T.copy()))
            lin.bias.copy_(torch.from_numpy(dense.params["b"]))
        mods.append(lin)
        if i < len(net.dense_layers) - 1:
            mods.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*mods)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    txs = [torch.from_numpy(x) for x in xs]
    tys = [torch.from_numpy(y) for y in ys]
    with torch.no_grad():
        first_loss = float(torch.nn.functional.cross_entropy(model(txs[0]), tys[0]))
    state = {"i": 0}

    def step():
        i = state["i"] = (state["i"] + 1) % len(txs)
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(txs[i]), tys[i])
        loss.backward()
        opt.step()

    for _ in range(WARM_STEPS):
        step()
    rate, wall = best_rate(step, seconds, block)
    return {"steps_per_s": rate, "wall_steps_per_s": wall, "first_loss": first_loss,
            "torch": torch.__version__}


def child_main(args) -> None:
    sizes, batch = CONFIGS[args.config]
    side = torch_side if args.child == "torch" else engine_side
    print(json.dumps(side(sizes, batch, args.dtype, args.seconds, args.block)))


# --- parent: fresh processes, alternating, medians ------------------------------------------
CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run_child(side, config, dtype, seconds, block) -> dict:
    env = dict(os.environ, **CHILD_ENV)
    env["GRADLAB_BLAS_WARMUP"] = "0" if side == "cold" else "1"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", side, "--config", str(config),
           "--dtype", dtype, "--seconds", str(seconds), "--block", str(block)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode:
        raise SystemExit(f"{side} {CONFIGS[config]} {dtype} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=1.0, help="timing budget per process")
    ap.add_argument("--block", type=float, default=0.02, help="length of one timed block (best kept)")
    ap.add_argument("--repeats", type=int, default=5, help="fresh processes per side and config")
    ap.add_argument("--out", default=None, help="JSON path (default bench/results/bench_mlp.json)")
    ap.add_argument("--child", choices=SIDES, help=argparse.SUPPRESS)
    ap.add_argument("--config", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--dtype", choices=DTYPES, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child_main(args)
        return

    from bench import record

    cases = [(c, d) for d in DTYPES for c in range(len(CONFIGS))]
    runs = {(c, d): {s: [] for s in SIDES} for c, d in cases}
    torch_version = None
    for rep in range(args.repeats):
        for c, d in cases:
            order = SIDES if rep % 2 == 0 else SIDES[::-1]  # neither side always goes first
            for side in order:
                r = run_child(side, c, d, args.seconds, args.block)
                runs[(c, d)][side].append(r)
                torch_version = r.get("torch", torch_version)
        print(f"repeat {rep + 1}/{args.repeats} done", flush=True)

    header = (f"{'config':<28}{'dtype':<9}{'engine':>9}{'cold':>9}{'torch':>9}{'ratio':>7}"
              f"{'cold ratio':>11}{'% floor':>9}")
    print(f"steps per CPU-second, median of {args.repeats} fresh processes per side, 1 thread each")
    print(header + "\n" + "-" * len(header))
    rows = []
    for c, d in cases:
        sizes, batch = CONFIGS[c]
        sides = runs[(c, d)]
        med = {s: statistics.median(r["steps_per_s"] for r in sides[s]) for s in SIDES}
        floor = statistics.median(r["floor_per_s"] for r in sides["engine"])
        e_loss, t_loss = sides["engine"][0]["first_loss"], sides["torch"][0]["first_loss"]
        tol = (1e-4 if d == "float32" else 1e-10) * max(1.0, abs(t_loss))
        if abs(e_loss - t_loss) > tol:
            raise SystemExit(f"first losses differ for {sizes} {d}: engine {e_loss}, torch {t_loss}")
        row = {"sizes": sizes, "batch": batch, "dtype": d,
               "engine_steps_per_s": med["engine"], "cold_engine_steps_per_s": med["cold"],
               "torch_steps_per_s": med["torch"], "ratio": med["engine"] / med["torch"],
               "cold_ratio": med["cold"] / med["torch"], "floor_steps_per_s": floor,
               "percent_of_floor": 100 * med["engine"] / floor,
               "runs": {s: [r["steps_per_s"] for r in sides[s]] for s in SIDES},
               "wall_runs": {s: [r["wall_steps_per_s"] for r in sides[s]] for s in SIDES}}
        rows.append(row)
        name = f"{'-'.join(map(str, sizes))} b{batch}"
        print(f"{name:<28}{d:<9}{med['engine']:>9.0f}{med['cold']:>9.0f}{med['torch']:>9.0f}"
              f"{row['ratio']:>7.2f}{row['cold_ratio']:>11.2f}{row['percent_of_floor']:>8.0f}%")
    worst = min(r["ratio"] for r in rows)
    print(f"min ratio engine/torch = {worst:.2f} (target ≥ 1.0)")
    out = record.write("bench_mlp", {
        "settings": {"seconds": args.seconds, "block": args.block, "repeats": args.repeats,
                     "threads": 1, "child_env": CHILD_ENV, "lr": LR,
                     "warm_steps": WARM_STEPS},
        "torch": torch_version, "min_ratio": worst, "rows": rows}, args.out)
    print(f"written {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main()
