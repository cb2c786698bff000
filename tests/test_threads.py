"""BLAS thread pinning, checked in a fresh process: the conftest already pins this one to one
thread, so here a do-nothing ``blas_threads`` would pass unnoticed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine import threads

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json
import numpy  # loads BLAS
from engine import threads
def counts():
    return [i["num_threads"] for i in threads.blas_info()]
before = counts()
with threads.blas_threads(1):
    inside = counts()
after = counts()
print(json.dumps({"before": before, "inside": inside, "after": after}))
"""


def _probe(env_threads: str) -> dict:
    """Run PROBE in a new process whose BLAS starts with ``env_threads`` threads."""
    env = dict(os.environ)
    threads.pin_env(int(env_threads), env)  # overrides every BLAS variable the conftest set
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_blas_threads_context_limits_and_restores():
    seen = _probe("2")
    if not seen["before"]:
        pytest.skip("this NumPy has no BLAS that threadpoolctl can see")
    if max(seen["before"]) < 2:
        pytest.skip("one CPU: BLAS cannot run two threads here, so there is nothing to limit")
    assert seen["inside"] == [1] * len(seen["before"])
    assert seen["after"] == seen["before"]


def test_pin_env_reaches_a_new_process():
    seen = _probe("1")
    if not seen["before"]:
        pytest.skip("this NumPy has no BLAS that threadpoolctl can see")
    assert seen["before"] == [1] * len(seen["before"])


def test_pin_env_sets_every_variable():
    env = {}
    threads.pin_env(1, env)
    assert env["OPENBLAS_NUM_THREADS"] == "1" and env["OMP_NUM_THREADS"] == "1"
