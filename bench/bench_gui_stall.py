"""GUI-thread stalls while the Activation panel recomputes without pause.

A 10 ms ``QTimer`` on the GUI thread records the gap between its ticks while another timer
moves the ELU α slider every 20 ms, as a fast drag does: every move redraws all curves (GUI
thread, instant engine calls) and restarts the depth experiment in the worker (all eight
activations × ``--depth`` layers, latest wins). The worker competes for the GIL, so this
measures what a user feels. Target: p99 gap < 50 ms. A quiet run (no recomputation) is
measured first as the reference of the same machine.

Usage: ``python bench/bench_gui_stall.py [--seconds 5] [--depth 60]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from PySide6.QtCore import QElapsedTimer, Qt, QTimer  # noqa: E402

from app.main_window import app_instance  # noqa: E402
from app.panels.activations import ActivationsPanel  # noqa: E402


def measure(app, seconds: float, work=None, work_ms: int = 20) -> np.ndarray:
    gaps: list[float] = []
    clock = QElapsedTimer()
    last = [None]

    def tick():
        now = time.perf_counter()
        if last[0] is not None:
            gaps.append((now - last[0]) * 1000)
        last[0] = now

    probe = QTimer()
    probe.setTimerType(Qt.TimerType.PreciseTimer)
    probe.setInterval(10)
    probe.timeout.connect(tick)
    driver = QTimer()
    driver.setInterval(work_ms)
    if work is not None:
        driver.timeout.connect(work)
    probe.start()
    driver.start()
    clock.start()
    while clock.elapsed() < seconds * 1000:
        app.processEvents()
        time.sleep(0.0005)
    probe.stop()
    driver.stop()
    return np.array(gaps)


def report(name: str, gaps: np.ndarray) -> float:
    p50, p99 = np.percentile(gaps, [50, 99])
    print(f"{name:<28} ticks {len(gaps):5d}  p50 {p50:5.1f} ms  p99 {p99:5.1f} ms  max {gaps.max():6.1f} ms")
    return float(p99)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--depth", type=int, default=60)
    args = parser.parse_args(argv)
    app = app_instance()
    panel = ActivationsPanel()
    panel.resize(1280, 800)
    panel.show()
    for check in panel.checks.values():
        check.setChecked(True)
    panel.depth_spin.setValue(args.depth)
    if not panel.wait_ready():
        print("panel never became ready", file=sys.stderr)
        return 1
    slider = panel.sliders["elu"].slider
    state = {"v": slider.value(), "dir": 7, "moves": 0}

    def drag():
        v = state["v"] + state["dir"]
        if not 0 <= v <= slider.maximum():
            state["dir"] *= -1
            v = state["v"] + state["dir"]
        state["v"] = v
        state["moves"] += 1
        slider.setValue(v)

    report("idle (reference)", measure(app, min(2.0, args.seconds)))
    ch = panel.channel("depth")
    started = ch.started_count
    p99 = report("recomputing continuously", measure(app, args.seconds, drag))
    print(f"slider moves {state['moves']}, depth computations run {ch.started_count - started} (the rest coalesced)")
    print(f"p99 gap {p99:.1f} ms (target < 50 ms: {'met' if p99 < 50 else 'NOT met'})")
    panel.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
