"""Start-up: process start → first painted window, GradLab's ``main.py`` vs a bare window.

The reference is the least any PySide6 + pyqtgraph app can do: import both, build a
QMainWindow holding one PlotWidget with a line, show it. GradLab runs its real ``main.main``
(argument parsing, platform check, panel registry, MainWindow with the last panel). Both run as
fresh processes, alternately, ``--rounds`` times each; the ratio is the median of the
per-round ratios (each pair ran back to back, so a busy moment on the shared machine affects
both sides of a pair; target ≤ 1.5). "First paint" is the first Paint event of any widget of the window, seen
by an application-wide event filter; the time is measured from just before the process is
spawned, so interpreter start-up and imports are included in both. Both sides run with
compiled byte-code (a private ``PYTHONPYCACHEPREFIX`` filled by one warm-up run each), as an
installed GradLab would.

Results go to ``bench/results/bench_startup.json`` (``bench/record.py``).

Usage: ``python bench/bench_startup.py [--rounds 9] [--platform offscreen] [--no-record]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_FILTER = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

class FirstPaint(QObject):
    done = False
    def eventFilter(self, obj, event):
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            print("FIRST_PAINT", time.time(), flush=True)
            QTimer.singleShot(0, QApplication.instance().closeAllWindows)
            QTimer.singleShot(0, QApplication.instance().quit)
        return False

_first_paint = FirstPaint()
"""

BARE = _FILTER + r"""
import pyqtgraph as pg
from PySide6.QtWidgets import QMainWindow
app = QApplication(sys.argv[:1])
app.installEventFilter(_first_paint)
win = QMainWindow()
plot = pg.PlotWidget()
plot.plot([0, 1, 2, 3], [0, 1, 4, 9])
win.setCentralWidget(plot)
win.resize(1280, 800)
win.show()
app.exec()
"""

GRADLAB = _FILTER + r"""
sys.path.insert(0, {root!r})
from PySide6.QtWidgets import QApplication as _QA
_orig_init = _QA.__init__
def _init(self, *a, **k):  # install the filter as soon as main.py creates its QApplication
    _orig_init(self, *a, **k)
    self.installEventFilter(_first_paint)
_QA.__init__ = _init
import main
sys.exit(main.main([]))
"""


def first_paint_seconds(code: str, env: dict) -> float:
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    for line in out.stdout.splitlines():
        if line.startswith("FIRST_PAINT"):
            return float(line.split()[1]) - t0
    raise RuntimeError(f"no paint seen (exit {out.returncode}):\n{out.stderr[-2000:]}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--platform", default="offscreen", help="QT_QPA_PLATFORM for both (default offscreen)")
    parser.add_argument("--no-record", action="store_true", help="do not write bench/results/bench_startup.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as config, tempfile.TemporaryDirectory() as pycache:
        env = dict(os.environ, QT_QPA_PLATFORM=args.platform, XDG_CONFIG_HOME=config,
                   PYTHONPYCACHEPREFIX=pycache)
        # Byte-code as an installed app has it (pip compiles on install): the warm-up runs below
        # write GradLab's .pyc files to a private cache even where PYTHONDONTWRITEBYTECODE is set,
        # so the timed runs do not compile ~60 modules from source, which a bare window never does.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        gradlab_code = GRADLAB.format(root=str(ROOT))
        bare, ours = [], []
        first_paint_seconds(BARE, env)  # warm the file cache for both
        first_paint_seconds(gradlab_code, env)
        for _ in range(args.rounds):
            bare.append(first_paint_seconds(BARE, env))
            ours.append(first_paint_seconds(gradlab_code, env))
    b, g = statistics.median(bare), statistics.median(ours)
    print(f"bare PySide6+pyqtgraph window: median {b * 1000:.0f} ms  (min {min(bare) * 1000:.0f})")
    print(f"GradLab main.py window:        median {g * 1000:.0f} ms  (min {min(ours) * 1000:.0f})")
    ratios = sorted(o / r for o, r in zip(ours, bare))
    ratio = statistics.median(ratios)
    print(f"ratio {ratio:.2f} (median of {len(ratios)} paired rounds; range {ratios[0]:.2f}–{ratios[-1]:.2f}; "
          f"ratio of minima {min(ours) / min(bare):.2f})")
    print(f"target ≤ 1.5: {'met' if ratio <= 1.5 else 'NOT met'}")
    if not args.no_record:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import record

        path = record.write("bench_startup", {
            "settings": {"rounds": args.rounds, "platform": args.platform},
            "bare_ms": {"median": round(b * 1000), "min": round(min(bare) * 1000),
                        "all": [round(v * 1000) for v in bare]},
            "gradlab_ms": {"median": round(g * 1000), "min": round(min(ours) * 1000),
                           "all": [round(v * 1000) for v in ours]},
            "ratio_median_of_pairs": round(ratio, 3),
            "ratio_range": [round(ratios[0], 3), round(ratios[-1], 3)],
            "ratio_of_minima": round(min(ours) / min(bare), 3),
            "target": 1.5,
            "met": ratio <= 1.5,
        })
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
