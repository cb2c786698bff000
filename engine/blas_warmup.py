"""Fault in OpenBLAS's level-3 work buffer once per process, before the engine's first GEMM.

Why (issue 14; NumPy 2.4's OpenBLAS 0.3.31, DYNAMIC_ARCH, Haswell kernels). Checked here with
/proc/self/pagemap: every GEMM packs its operands into one 32 MiB buffer shared by all threads
(packed A block first, packed B panel after it: sgemm at 0 and 400 KiB, dgemm at 0 and
1 MiB). NumPy's build does not pre-touch it (none of it is resident after import, so
OpenBLAS's start-up ``_touch_memory`` does not run), so its pages appear only as far as earlier
GEMMs have *written*. The issue's nets have no output wider than GEMM_P (320 for sgemm), and for
such shapes OpenBLAS packs B into just the first 16 KiB of its panel (single-block path); a
GEMM wider than GEMM_P takes the multi-block path and writes the whole panel. That is exactly
the issue's threshold: a (256×784)·(784×330) warm-up lifted later (256×784)·(784×256) GEMMs
from ~10 to ~29 GFLOPS, ·(784×300) did not (321 columns already switch paths), and a warm-up
in another thread helped because the buffer is shared. The slow state never page-faults, so
what costs time is an access that does not fault: the kernels' prefetches beyond the written
panel, into non-present pages, each paying an uncached page walk (nested on a VM) — inferred,
not measured: this VM exposes no PMU and did not show the slow state while this was written.

The fix does once what OpenBLAS's start-up warm-up would: one float64 GEMM wider than 2·GEMM_P
with a full k panel writes the whole packed-A block and a 1 MiB B panel, the first 2 MiB of
the buffer — more than any layer of the engine's sizes (dgemm batches up to 512, sgemm up to
~1280) packs into. It costs ~10–15 ms of CPU, once, on its own arrays, under whatever BLAS thread
limit is in force (it never changes it), so no result changes. ``GRADLAB_BLAS_WARMUP=0``
turns it off (the MLP benchmark uses that to measure the cold state).
"""

from __future__ import annotations

import os
import threading

import numpy as np

ENV_VAR = "GRADLAB_BLAS_WARMUP"
# (m, k, n) of a float64 a·b. NumPy calls OpenBLAS row-major, i.e. computes bᵀ·aᵀ, so n is
# OpenBLAS's m: 1024 ≥ 2·GEMM_P fills the packed-A block; k = 256 is one full dgemm k panel
# (GEMM_Q) on Haswell/Zen kernels; m = 512 packs a 1 MiB B panel after the 1 MiB A block.
SHAPE = (512, 256, 1024)

_lock = threading.Lock()
_runs = 0
_last_threads: list[int] | None = None


def enabled() -> bool:
    """False when the environment sets ``GRADLAB_BLAS_WARMUP=0``."""
    return os.environ.get(ENV_VAR, "1").strip() != "0"


def ensure_warm() -> bool:
    """Run the warm-up GEMM if this process has not yet; True if this call ran it.

    Thread-safe: concurrent first callers wait for the one that runs it.
    """
    global _runs, _last_threads
    if _runs or not enabled():
        return False
    with _lock:
        if _runs:
            return False
        m, k, n = SHAPE
        # zeros: calloc'd pages that reading does not fault in; the values do not matter
        np.matmul(np.zeros((m, k)), np.zeros((k, n)))
        _last_threads = _blas_threads()
        _runs += 1
        return True


def runs() -> int:
    """How many times the warm-up ran in this process (0 or 1)."""
    return _runs


def last_threads() -> list[int] | None:
    """The BLAS thread counts in force when the warm-up ran (None if it has not)."""
    return None if _last_threads is None else list(_last_threads)


def _blas_threads() -> list[int]:
    from engine.threads import blas_info

    return [int(i["num_threads"]) for i in blas_info()]
