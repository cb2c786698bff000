"""Benchmark: surface grids and optimizer steps, against torch.optim measured in the same run.

    python bench/bench_surfaces.py [--repeat N]

1. ``grid(500)`` of every surface (250,000 values; should take a few ms).
2. One optimizer step on a 78,400-element float32 and float64 parameter (784×100, the MLP's first
   layer) for GradLab and for torch.optim on the same tensor, one thread each; ratio = ours/torch.
Medians of several repeats, since the machine is shared and timings are noisy. Writes
bench/results/bench_surfaces.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench import record  # noqa: E402
from engine import optimizers, surfaces  # noqa: E402

N_PARAM = 78_400


def median_time(fn, repeat: int, inner: int) -> float:
    """Median seconds per call over ``repeat`` batches of ``inner`` calls."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t) / inner)
    return statistics.median(times)


def bench_grids(repeat: int) -> dict:
    print("grid(500) per surface")
    out = {}
    for name in surfaces.names():
        s = surfaces.get(name)
        dt = median_time(lambda: s.grid(500), repeat, 5)
        out[name] = dt
        print(f"  {name:15s} {dt * 1e3:7.2f} ms")
    return out


def bench_optimizers(repeat: int) -> list[dict]:
    try:
        import torch
    except ImportError:
        torch = None
        print("torch not installed (pip install -e '.[bench]'): GradLab timings only")
    from make_torch_optimizer_reference import torch_optimizer

    if torch is not None:
        torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    rows = []
    for dtype in (np.float32, np.float64):
        print(f"optimizer step, {N_PARAM:,} {np.dtype(dtype).name} elements (µs; ratio = GradLab / torch)")
        for name in optimizers.names():
            opt = optimizers.get(name)
            p = rng.standard_normal(N_PARAM).astype(dtype)
            g = (rng.standard_normal(N_PARAM) * 1e-3).astype(dtype)
            ours = median_time(lambda: opt.step([p], [g]), repeat, 50)
            line = f"  {name:9s} GradLab {ours * 1e6:8.1f}"
            row = {"optimizer": name, "dtype": np.dtype(dtype).name, "gradlab_s": ours}
            if torch is not None:
                tp = torch.nn.Parameter(torch.from_numpy(p.copy()))
                tp.grad = torch.from_numpy(g.copy())
                topt = torch_optimizer(name, [tp], opt.hyper)
                ref = median_time(topt.step, repeat, 50)
                line += f"   torch {ref * 1e6:8.1f}   ratio {ours / ref:5.2f}"
                row.update(torch_s=ref, ratio=ours / ref)
            rows.append(row)
            print(line)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        grids = bench_grids(args.repeat)
        steps = bench_optimizers(args.repeat)
    try:
        import torch
        version = torch.__version__
    except ImportError:
        version = None
    out = record.write("bench_surfaces", {"repeat": args.repeat, "torch": version,
                                          "grid500_s": grids, "optimizer_step": steps})
    print(f"written {out}")


if __name__ == "__main__":
    main()
