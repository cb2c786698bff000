"""Benchmark: the loss-landscape slice, batched over grid points vs one grid point at a time.

    python bench/bench_landscape.py [--repeat N]

1. Grid points per second of ``engine.landscape.slice_2d`` on the default network (2-16-16-2,
   the 400-point spiral) for several chunk sizes (grid points pushed through the network at
   once), and of the one-at-a-time loop (``loop_losses``: set the weights, ``model.loss``);
   speed-up = batched / loop, measured in the same run.
2. The panel's whole default computation (``Settings()``: 3 optimizers × 60 epochs, then the
   41×41 slice), which must be ready in a few seconds: training, slice and total.
One BLAS thread (as the app's workers); medians of several repeats, since the machine is shared.
Writes bench/results/bench_landscape.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import record  # noqa: E402
from engine import datasets  # noqa: E402
from engine import landscape as L  # noqa: E402
from engine.network import MLP  # noqa: E402
from engine.threads import limit_blas_threads  # noqa: E402


def median(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_slice(repeat: int, n: int) -> dict:
    s = L.Settings()
    x, y = datasets.make(s.data.name, s.data.size, s.data.noise, seed=0)
    model = MLP(2, list(s.network.hidden), 2, seed=0)
    d1, d2 = L.random_directions(model, seed=0)
    points = n * n
    centre = model.get_flat_params()
    loop_n = 300
    thetas = [centre + 0.01 * k * d1 for k in range(loop_n)]
    loop = median(lambda: L.loop_losses(model, x, y, thetas), repeat) / loop_n
    print(f"{n}×{n} slice of a {model.n_params}-parameter MLP on {len(x)} points (one BLAS thread)")
    print(f"  one at a time (model.loss per point): {1 / loop:9.0f} points/s")
    default = L.BatchedLoss(model, x, y, centre, d1, d2).chunk_size()
    out = {"n": n, "loop_points_per_s": 1 / loop, "default_chunk": default, "batched": {}}
    for chunk in sorted({1, 8, default, 128, 512}):
        dt = median(lambda: L.run(L.slice_2d(model, x, y, d1, d2, extent=1.0, n=n, chunk=chunk)), repeat)
        tag = "  (default)" if chunk == default else ""
        out["batched"][chunk] = {"points_per_s": points / dt, "speedup": loop * points / dt}
        print(f"  batched, {chunk:4d} points at once:     {points / dt:9.0f} points/s  "
              f"speed-up ×{loop * points / dt:5.1f}  ({dt * 1e3:6.1f} ms){tag}")
    return out


def bench_default(repeat: int) -> dict:
    s = L.Settings()
    times = []
    for _ in range(max(1, repeat // 2)):
        t = time.perf_counter()
        res = L.run(L.compute_from_settings(s))
        times.append((time.perf_counter() - t, res.slice.seconds))
    total = statistics.median(t for t, _ in times)
    sl = statistics.median(t for _, t in times)
    steps = sum(int(r.steps[-1]) for r in res.runs)
    print(f"panel default ({len(s.optimizers)} optimizers × {s.network.epochs} epochs = {steps} steps, "
          f"{s.resolution}×{s.resolution} slice)")
    print(f"  training {total - sl:5.2f} s   slice {sl:5.2f} s   total {total:5.2f} s")
    return {"training_s": total - sl, "slice_s": sl, "total_s": total, "steps": steps}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--n", type=int, default=41, help="grid points per side")
    args = parser.parse_args(argv)
    limit_blas_threads(1)
    out = record.write("bench_landscape", {"repeat": args.repeat,
                                           "slice": bench_slice(args.repeat, args.n),
                                           "panel_default": bench_default(args.repeat)})
    print(f"written {out}")


if __name__ == "__main__":
    main()
