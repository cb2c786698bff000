import numpy as np  # noqa: F401  (loads BLAS)

from engine import threads


def test_blas_threads_context_limits_and_restores():
    infos = threads.blas_info()
    if not infos:
        return  # a NumPy without a threaded BLAS: nothing to limit
    before = [i["num_threads"] for i in infos]
    with threads.blas_threads(1):
        assert all(i["num_threads"] == 1 for i in threads.blas_info())
    assert [i["num_threads"] for i in threads.blas_info()] == before


def test_pin_env_sets_every_variable():
    env = {}
    threads.pin_env(1, env)
    assert env["OPENBLAS_NUM_THREADS"] == "1" and env["OMP_NUM_THREADS"] == "1"
