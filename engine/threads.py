"""BLAS thread control: GradLab's layers are small, so one BLAS thread is as fast as two.

Measured on the 2-core target machine: two processes each running 2-thread OpenBLAS slow *both*
about 100×, and OpenBLAS threads spinning after use slow other work in the same process. So the
app, its worker threads and its worker processes run BLAS on one thread, leaving a core for the
GUI. ``threadpoolctl`` changes the limit of already-loaded BLAS libraries; ``pin_env`` sets the
environment variables a *new* process reads before NumPy loads.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

_ENV_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")


def pin_env(n: int = 1, environ=os.environ) -> None:
    """Set the BLAS thread variables (for a process about to start, or before NumPy loads)."""
    for var in _ENV_VARS:
        environ[var] = str(int(n))


def limit_blas_threads(n: int = 1):
    """Limit every loaded BLAS to ``n`` threads for the rest of the process; returns the limiter."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=int(n), user_api="blas")


@contextmanager
def blas_threads(n: int = 1):
    """Context manager form of :func:`limit_blas_threads` (restores the previous limits)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=int(n), user_api="blas"):
        yield


def blas_info() -> list[dict]:
    """What BLAS libraries are loaded and with how many threads (for the About box and benches)."""
    from threadpoolctl import threadpool_info

    return [i for i in threadpool_info() if i.get("user_api") == "blas"]
