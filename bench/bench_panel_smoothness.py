"""Smoothness per panel while it runs: the GUI thread's timer gaps and busy share.

For every panel (or ``--panels a,b``) the real main window is shown at 1280×800 (offscreen by
default), the panel is opened and started as a student would: Play (Activations, Optimizers,
Initialization — a new random draw per tick, Training, Backprop), Landscape computing, Compare
while its grid runs in the worker processes. While it runs for ``--seconds``:

* a 10 ms ``PreciseTimer`` on the GUI thread records the gaps between its ticks; the p99 gap is
  what a user feels (goal < 33 ms: no dropped frame at 30 fps);
* the GUI thread's busy share is ``time.thread_time()`` of the GUI thread per wall second (the
  event loop sleeps in ``exec()``, so idle time costs nothing). It depends much less on other
  processes than the p99 gap does, so it is the number to optimise on a loaded machine.

``--profile PANEL`` runs that panel under ``cProfile`` (GUI thread only) and prints where its
time goes. Results go to ``bench/results/bench_panel_smoothness.json`` (``bench/record.py``).

Usage: ``python bench/bench_panel_smoothness.py [--seconds 6] [--panels PANELS] [--profile PANEL]
[--size 1280x800] [--no-record]`` (``PANELS``: comma-separated ids, default all seven).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from PySide6.QtCore import QEventLoop, Qt, QTimer  # noqa: E402

import record  # noqa: E402
from app.main_window import MainWindow, app_instance  # noqa: E402

PANELS = ("activations", "optimizers", "init", "training", "landscape", "compare", "backprop")
PROBE_MS = 10
GOAL_P99_MS = 33.0


def start(panel) -> None:
    """Start what the panel does while "running" (see the module docstring)."""
    if panel.panel_id == "compare":
        panel.run_grid()
    elif not panel.is_playing():
        panel.play_pause()


def keep_running(panel) -> None:
    """Restart a panel that finished early (a short grid, the last backprop step, …)."""
    if not panel.is_playing() and not panel.is_busy():
        start(panel)


def stop(panel) -> None:
    if panel.panel_id == "compare":
        panel.cancel()
    elif panel.is_playing():
        panel.play_pause()


def run_loop(app, seconds: float, panel, keep: bool = True) -> dict:
    """Spin the event loop for ``seconds`` with the probe timer; gaps and GUI thread time.

    ``keep``: restart the panel whenever it stopped by itself (see ``keep_running``)."""
    gaps: list[float] = []
    last = [None]

    def tick():
        now = time.perf_counter()
        if last[0] is not None:
            gaps.append((now - last[0]) * 1000.0)
        last[0] = now

    probe = QTimer()
    probe.setTimerType(Qt.TimerType.PreciseTimer)
    probe.setInterval(PROBE_MS)
    probe.timeout.connect(tick)
    keeper = QTimer()
    keeper.setInterval(200)
    keeper.timeout.connect(lambda: keep_running(panel))
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    cpu0, wall0 = time.thread_time(), time.perf_counter()
    probe.start()
    if keep:
        keeper.start()
    loop.exec()
    probe.stop()
    keeper.stop()
    cpu, wall = time.thread_time() - cpu0, time.perf_counter() - wall0
    g = np.array(gaps) if gaps else np.array([np.nan])
    return {
        "ticks": len(gaps),
        "ticks_expected": int(wall * 1000 / PROBE_MS),
        "p50_ms": round(float(np.percentile(g, 50)), 1),
        "p99_ms": round(float(np.percentile(g, 99)), 1),
        "max_ms": round(float(np.max(g)), 1),
        "gui_busy_share": round(cpu / wall, 3),
        "seconds": round(wall, 2),
    }


def measure_panel(app, window, panel_id: str, seconds: float, profile: bool = False) -> dict:
    panel = window.show_panel(panel_id)
    if not panel.wait_ready(timeout_ms=60000):
        return {"error": f"not ready: {panel.last_error or 'timeout'}"}
    stop(panel)  # a panel that starts playing by itself (Optimizers) is paused for the reference
    idle = run_loop(app, min(1.0, seconds), panel, keep=False)  # the same window, nothing running
    start(panel)
    prof = cProfile.Profile() if profile else None
    if prof:
        prof.enable()
    result = run_loop(app, seconds, panel)
    if prof:
        prof.disable()
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out).sort_stats("tottime")
        stats.print_stats(30)
        stats.print_callers(12)
        print(out.getvalue())
    stop(panel)
    result["idle_gui_busy_share"] = idle["gui_busy_share"]
    result["goal_met"] = result["p99_ms"] < GOAL_P99_MS
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--panels", default=",".join(PANELS))
    parser.add_argument("--profile", default="", help="profile this panel's GUI thread (cProfile)")
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--no-record", action="store_true", help="do not write bench/results JSON")
    args = parser.parse_args(argv)
    app = app_instance()
    window = MainWindow(persist=False)
    w, h = (int(v) for v in args.size.split("x"))
    window.resize(w, h)
    window.show()
    panels = [p for p in args.panels.split(",") if p]
    results = {}
    print(f"{'panel':<12} {'ticks':>11} {'p50':>6} {'p99':>6} {'max':>6}  GUI busy (idle)")
    for pid in panels:
        r = measure_panel(app, window, pid, args.seconds, profile=(pid == args.profile))
        results[pid] = r
        if "error" in r:
            print(f"{pid:<12} {r['error']}")
            continue
        print(f"{pid:<12} {r['ticks']:>5}/{r['ticks_expected']:<5} {r['p50_ms']:6.1f} {r['p99_ms']:6.1f} "
              f"{r['max_ms']:6.1f}  {r['gui_busy_share']:.2f} ({r['idle_gui_busy_share']:.2f})"
              f"{'' if r['goal_met'] else '  p99 ≥ 33 ms'}")
    window.shutdown()
    window.close()
    if not args.no_record and not args.profile:
        path = record.write("bench_panel_smoothness", {
            "settings": {"seconds": args.seconds, "size": args.size, "probe_ms": PROBE_MS,
                         "platform": os.environ.get("QT_QPA_PLATFORM", "")},
            "goal_p99_ms": GOAL_P99_MS,
            "panels": results,
        })
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
