"""Benchmark results as JSON under bench/results/, with the machine they were measured on.

The README's performance table quotes these files, so a number there can be traced to the
CPU, BLAS, library versions, date and machine load it came from.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE",
            "OPENBLAS_L2_SIZE", "OPENBLAS_VERBOSE", "GRADLAB_BLAS_WARMUP")


def cpu_model() -> str:
    """The CPU's model name, with family/model/stepping (a VM may only say "AMD EPYC")."""
    fields = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    except OSError:
        return platform.processor() or platform.machine()
    name = fields.get("model name", platform.machine())
    ids = [f"{k} {fields[k]}" for k in ("cpu family", "model", "stepping") if k in fields]
    return f"{name} ({', '.join(ids)})" if ids else name


def machine() -> dict:
    """CPU, core count, OS, Python, NumPy and its BLAS, BLAS environment, date and load."""
    import numpy as np

    try:
        from threadpoolctl import threadpool_info
        blas = [{k: i.get(k) for k in ("internal_api", "version", "architecture", "threading_layer",
                                        "num_threads", "filepath")}
                for i in threadpool_info() if i.get("user_api") == "blas"]
    except ImportError:
        blas = []
    try:
        load = list(os.getloadavg())
    except OSError:
        load = None
    return {
        "date_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "blas": blas,
        "blas_env": {k: os.environ[k] for k in BLAS_ENV if k in os.environ},
        "loadavg_1_5_15": load,
    }


def write(name: str, results: dict, path: str | Path | None = None) -> Path:
    """Write ``{"machine": machine(), **results}`` to ``path`` (default bench/results/NAME.json)."""
    out = Path(path) if path else RESULTS / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": name, "machine": machine(), **results}, indent=2) + "\n",
                   encoding="utf-8")
    return out
