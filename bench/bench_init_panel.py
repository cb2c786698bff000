"""Latency of the Initialization panel: control change → histograms redrawn (default case).

The panel is shown offscreen at 1280×800 with the defaults (1000 × 100 inputs, 5 layers of
100, A and B both computed). Each round changes configuration A's activation (cycling sigmoid,
tanh, ReLU, as a user picking from the menu), waits in an idle event loop for the panel's
``drawn`` signal, then forces a synchronous repaint of the whole panel. The time from the
change to the end of that repaint is what the user waits for. The reference, measured in the
same run on the same machine, is the bare engine: both ``ActivationExperiment.run()`` calls on
the GUI thread with no Qt at all, so the ratio is the panel's own overhead (thread hop, slim
copies, drawing 20 histograms, the table and the magnitude plot, painting).

Target: median latency well under 1 s (the issue), here < 0.5 s. Measured on the 2-core dev
machine shared with other jobs: 181 ms median (engine 116 ms) at load average ≈ 2.3, 372 ms
(engine 241 ms) at ≈ 3.7; the panel costs ≈ 1.5× the bare engine either way.

Usage: ``python bench/bench_init_panel.py [--rounds 15] [--size 1280x800]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402

from app.main_window import app_instance  # noqa: E402
from app.panels.init import InitPanel  # noqa: E402

CYCLE = ("tanh", "relu", "sigmoid")


def wait_drawn(panel: InitPanel, activation: str, timeout_ms: int = 10000) -> bool:
    """Idle in an event loop until A's ``activation`` is drawn (no busy spinning: it would
    steal the GIL from the worker)."""
    loop = QEventLoop()
    done = []

    def on_drawn():
        if panel.model.results["A"].config.activation == activation:
            done.append(True)
            loop.quit()

    panel.drawn.connect(on_drawn)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    panel.drawn.disconnect(on_drawn)
    return bool(done)


def measure(panel: InitPanel, rounds: int) -> list[float]:
    times = []
    for i in range(rounds):
        cfg = panel.state().a
        activation = CYCLE[i % len(CYCLE)]
        t0 = time.perf_counter()
        panel.editors["A"].set_config(cfg.replace(activation=activation))  # as the combo does
        if not wait_drawn(panel, activation):
            raise RuntimeError(f"no redraw within 10 s (error: {panel.last_error!r})")
        panel.repaint()
        times.append(time.perf_counter() - t0)
    return times


def engine_reference(panel: InitPanel, rounds: int) -> list[float]:
    times = []
    for i in range(rounds):
        exps = [panel.state().experiment(k).replace(activation=CYCLE[i % len(CYCLE)]) for k in ("A", "B")]
        t0 = time.perf_counter()
        for exp in exps:
            exp.run()
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--size", default="1280x800")
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.lower().split("x"))
    app = app_instance()
    panel = InitPanel()
    panel.resize(w, h)
    panel.show()
    if not panel.wait_ready(timeout_ms=20000):
        raise SystemExit(f"panel not ready: {panel.last_error}")
    measure(panel, 2)  # warm-up: first paints build caches
    ref = engine_reference(panel, args.rounds)
    gui = measure(panel, args.rounds)
    panel.shutdown()
    med_ref, med_gui = statistics.median(ref), statistics.median(gui)
    p90 = sorted(gui)[int(0.9 * (len(gui) - 1))]
    print(f"engine only (A + B, GUI thread):     median {med_ref * 1e3:7.1f} ms")
    print(f"change → drawn + painted ({args.size}): median {med_gui * 1e3:7.1f} ms, p90 {p90 * 1e3:7.1f} ms, "
          f"max {max(gui) * 1e3:7.1f} ms")
    print(f"panel overhead: {med_gui / med_ref:.2f}× the bare engine; target median < 500 ms: "
          f"{'OK' if med_gui < 0.5 else 'MISSED'}")
    app.processEvents()


if __name__ == "__main__":
    main()
