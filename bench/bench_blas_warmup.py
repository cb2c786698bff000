"""GFLOPS of the engine's GEMM shapes in a fresh process, before and after engine.blas_warmup.

Issue 14 saw a (256×784)·(784×256) float32 GEMM at ~10 GFLOPS in a fresh process and ~29
after one larger GEMM (the cause and the fix: engine/blas_warmup.py). Each repeat starts a
fresh Python process pinned to 1 BLAS thread (``GRADLAB_BLAS_WARMUP=0``, so nothing warms up
by itself), times every shape, runs ``blas_warmup.ensure_warm()`` and times them again. Times
are the best ``--block``-second block of CPU time over ``--seconds`` s per shape; the table
shows medians over ``--repeats`` processes. On a machine without the slow cold state both
columns agree. Writes bench/results/bench_blas_warmup.json.

Usage: ``python bench/bench_blas_warmup.py [--repeats 5] [--seconds 0.5] [--block 0.02]``.
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

SHAPES = [  # (m, k, n, dtype): the layers of the nets in bench_mlp.py
    (256, 784, 256, "float32"), (256, 784, 256, "float64"),
    (100, 784, 100, "float32"), (100, 784, 100, "float64"),
    (784, 256, 256, "float32"),
]


def gflops(m, k, n, dtype, seconds, block) -> float:
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    c = np.empty((m, n), dtype)
    np.matmul(a, b, out=c)
    best = float("inf")
    t_end = time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        n_calls, c0 = 0, time.process_time()
        while True:
            np.matmul(a, b, out=c)
            n_calls += 1
            t = time.process_time() - c0
            if t >= block:
                break
        best = min(best, t / n_calls)
    return 2 * m * k * n / best / 1e9


def child(seconds, block) -> None:
    from threadpoolctl import threadpool_limits

    from engine import blas_warmup

    threadpool_limits(limits=1, user_api="blas")
    before = [gflops(*s, seconds, block) for s in SHAPES]
    ran = blas_warmup.ensure_warm()
    after = [gflops(*s, seconds, block) for s in SHAPES]
    print(json.dumps({"before": before, "after": after, "warmup_ran": ran}))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="fresh processes")
    ap.add_argument("--seconds", type=float, default=0.5, help="timing budget per shape")
    ap.add_argument("--block", type=float, default=0.02, help="length of one timed block (best kept)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.seconds, args.block)
        return
    from bench import record

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               GRADLAB_BLAS_WARMUP="0")
    runs = []
    for _ in range(args.repeats):
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child",
                               "--seconds", str(args.seconds), "--block", str(args.block)],
                              env=env, capture_output=True, text=True, timeout=600)
        if proc.returncode:
            raise SystemExit(proc.stderr)
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(f"GFLOPS per CPU-second, median of {args.repeats} fresh processes, 1 BLAS thread")
    print(f"{'shape':<28}{'fresh':>8}{'warmed':>8}")
    rows = []
    for i, (m, k, n, dtype) in enumerate(SHAPES):
        before = statistics.median(r["before"][i] for r in runs)
        after = statistics.median(r["after"][i] for r in runs)
        rows.append({"m": m, "k": k, "n": n, "dtype": dtype, "fresh_gflops": before,
                     "warmed_gflops": after, "runs_fresh": [r["before"][i] for r in runs],
                     "runs_warmed": [r["after"][i] for r in runs]})
        print(f"{f'({m}×{k})·({k}×{n}) {dtype}':<28}{before:>8.1f}{after:>8.1f}")
    out = record.write("bench_blas_warmup", {
        "settings": {"repeats": args.repeats, "seconds": args.seconds, "block": args.block,
                     "child_env": {k: env[k] for k in ("OPENBLAS_NUM_THREADS", "GRADLAB_BLAS_WARMUP")}},
        "rows": rows})
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
