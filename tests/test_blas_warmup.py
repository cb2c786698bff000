"""The one-time BLAS warm-up (engine/blas_warmup.py): once per process, before the first GEMM,
under the BLAS thread limit in force, and never changing a result.

The warm-up is process-wide state, and this test process has long run it, so each check runs
in a fresh interpreter (``subprocess.run`` waits for it: no child is left behind).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_fresh(code: str, warmup: str = "1", openblas_threads: str | None = "1") -> dict:
    """Run ``code`` in a fresh interpreter from the worktree; it prints one JSON object."""
    env = dict(os.environ, GRADLAB_BLAS_WARMUP=warmup)
    if openblas_threads is None:
        env.pop("OPENBLAS_NUM_THREADS", None)
    else:
        env["OPENBLAS_NUM_THREADS"] = openblas_threads
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_runs_once_per_process_even_from_concurrent_threads():
    out = run_fresh(
        "import json, threading\n"
        "from engine import blas_warmup\n"
        "from engine.network import MLP\n"
        "before = blas_warmup.runs()\n"
        "ran = []\n"
        "ts = [threading.Thread(target=lambda: ran.append(blas_warmup.ensure_warm())) for _ in range(4)]\n"
        "[t.start() for t in ts]; [t.join() for t in ts]\n"
        "MLP(4, [3], 2); MLP(4, [3, 3], 2, dtype='float32')\n"
        "print(json.dumps({'before': before, 'ran': sorted(ran), 'runs': blas_warmup.runs(),\n"
        "                  'again': blas_warmup.ensure_warm()}))\n")
    assert out == {"before": 0, "ran": [False, False, False, True], "runs": 1, "again": False}


def test_first_dense_layer_triggers_it_and_the_switch_turns_it_off():
    code = ("import json\n"
            "from engine import blas_warmup\n"
            "from engine.layers import Dense\n"
            "import numpy as np\n"
            "Dense(np.ones((3, 2)), np.zeros(2))\n"
            "print(json.dumps({'runs': blas_warmup.runs()}))\n")
    assert run_fresh(code)["runs"] == 1
    assert run_fresh(code, warmup="0")["runs"] == 0


def test_runs_under_the_pinned_thread_limit_and_leaves_limits_alone():
    code = ("import json\n"
            "from threadpoolctl import threadpool_limits\n"
            "from engine import blas_warmup\n"
            "from engine.threads import blas_info\n"
            "with threadpool_limits(limits=1, user_api='blas'):\n"
            "    blas_warmup.ensure_warm()\n"
            "    inside = [i['num_threads'] for i in blas_info()]\n"
            "after = [i['num_threads'] for i in blas_info()]\n"
            "print(json.dumps({'during': blas_warmup.last_threads(), 'inside': inside, 'after': after}))\n")
    # OpenBLAS started with 2 threads, pinned to 1 by the caller: the warm-up runs on 1 thread,
    # and neither narrows nor widens the limit (the caller's context restores 2 afterwards)
    out = run_fresh(code, openblas_threads="2")
    assert out["during"] and set(out["during"]) == {1}
    assert set(out["inside"]) == {1}
    assert set(out["after"]) == {2}


def test_results_are_bitwise_identical_with_and_without_the_warm_up():
    code = ("import json, hashlib\n"
            "import numpy as np\n"
            "from engine.network import MLP\n"
            "digest = {}\n"
            "for dtype in ('float32', 'float64'):\n"
            "    for sizes, batch in (((784, 256, 256, 10), 256), ((784, 100, 100, 10), 100)):\n"
            "        net = MLP(sizes[0], list(sizes[1:-1]), sizes[-1], seed=1, dtype=dtype)\n"
            "        rng = np.random.default_rng(2)\n"
            "        x = rng.standard_normal((batch, sizes[0])).astype(dtype)\n"
            "        y = rng.integers(0, sizes[-1], batch)\n"
            "        h = hashlib.sha256()\n"
            "        for _ in range(3):\n"
            "            loss, grads = net.loss_and_gradient(x, y)\n"
            "            h.update(np.float64(loss).tobytes())\n"
            "            for p, g in zip(net.params, grads):\n"
            "                h.update(g.tobytes()); p -= 0.1 * g\n"
            "        digest[f'{dtype} {sizes}'] = h.hexdigest()\n"
            "from engine import blas_warmup\n"
            "print(json.dumps({'runs': blas_warmup.runs(), 'digest': digest}))\n")
    warm, cold = run_fresh(code, warmup="1"), run_fresh(code, warmup="0")
    assert (warm["runs"], cold["runs"]) == (1, 0)
    assert warm["digest"] == cold["digest"]
