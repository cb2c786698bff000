"""Benchmark: a 12-run grid on the machine's cores (worker processes) vs serially in one process.

Target: ≥ 1.7× speed-up on 2 cores. Both sides run the same specs; the parallel time includes
starting the spawned workers (the panel pays it too on its first grid). Results must agree bit
for bit (wall time aside), which the script checks. Run: ``python bench/bench_compare_grid.py``
(writes bench/results/bench_compare_grid.json).
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from engine.threads import pin_env  # noqa: E402

pin_env(1)  # before NumPy loads: the serial side gets one BLAS thread, like each worker

from app.process_pool import ProcessGrid, default_workers  # noqa: E402
from bench import record  # noqa: E402
from engine import experiments  # noqa: E402
from engine.training_setup import DataSpec, RunSettings  # noqa: E402

#: 3 activations × 2 batch-norm × 2 seeds = 12 runs of ~1 s each on the spiral.
FACTORS = {"activation": ["relu", "tanh", "elu"], "batchnorm": [False, True]}
DATA = DataSpec("toy", "spiral", 0.1, 400, 0.2)
BASE = RunSettings(hidden=(64, 64), epochs=60, batch_size=16)


def main() -> None:
    specs = experiments.expand_grid(FACTORS, (0, 1), DATA, BASE)
    assert len(specs) == 12
    experiments.run_one(specs[0])  # warm caches (data) so the serial side is not penalised
    t0 = time.perf_counter()
    serial = [experiments.run_one(s) for s in specs]
    t_serial = time.perf_counter() - t0

    grid = ProcessGrid(default_workers())
    try:
        t0 = time.perf_counter()
        parallel = grid.run_all(specs)
        t_parallel = time.perf_counter() - t0
    finally:
        grid.shutdown()
    same = all(a.curves == b.curves and a.status == b.status for a, b in zip(serial, parallel))
    print(f"12-run grid, {default_workers()} worker processes (cpu_count {os.cpu_count()})")
    print(f"serial (one process): {t_serial:7.2f} s")
    print(f"parallel (processes): {t_parallel:7.2f} s  (includes spawning the workers)")
    print(f"speed-up:             {t_serial / t_parallel:7.2f}x  (target >= 1.7x)")
    print(f"identical results:    {same}")
    per_serial = sum(r.wall_time for r in serial) / len(serial)
    per_parallel = sum(r.wall_time for r in parallel) / len(parallel)
    # a run taking longer inside a worker than alone means the cores were not free
    print(f"one run: {per_serial:.3f} s alone, {per_parallel:.3f} s in a worker "
          f"({per_parallel / per_serial:.2f}x; 1.0 = cores free); load average {os.getloadavg()[0]:.2f}")
    out = record.write("bench_compare_grid", {
        "runs": len(specs), "workers": default_workers(), "serial_s": t_serial,
        "parallel_s": t_parallel, "speedup": t_serial / t_parallel, "identical": same,
        "run_alone_s": per_serial, "run_in_worker_s": per_parallel})
    print(f"written {out}")


if __name__ == "__main__":
    main()
