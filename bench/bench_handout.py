"""Handout: time to write the full handout (every lecture scene, one PDF page each).

Builds the window offscreen in this process and runs ``app.handout_job.HandoutJob`` over every
scene (running each scene on its panel, grabbing it, painting its PDF page), ``--rounds`` times;
reports the median wall time, the seconds per scene (the slowest first, and every scene's), the
page count (the scenes' pages plus the exercises' answers pages) and the file size. Target: under 60 s on 2 cores.

Usage: ``python bench/bench_handout.py [--rounds 1] [--lang ko]``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench import record  # noqa: E402

TARGET_S = 60.0


def one_round(window, scenes, folder: str) -> dict:
    from app.handout_job import HandoutJob

    path = os.path.join(folder, "handout.pdf")
    start = time.perf_counter()
    job = HandoutJob(window, scenes, path).start()
    ok = job.wait()
    seconds = time.perf_counter() - start
    if not ok:
        raise SystemExit(f"the handout failed: {job.message}")
    data = Path(path).read_bytes()
    return {"seconds": seconds, "pages": len(re.findall(rb"/Type\s*/Page(?![s\w])", data)), "bytes": len(data),
            "font_embedded": b"/FontFile2" in data or b"/FontFile3" in data,
            "slowest_scenes": sorted(job.timings, key=lambda t: -t[1])[:8],
            "scene_seconds": {name: round(sec, 2) for name, sec in job.timings},
            "answer_pages": job.answer_pages, "answers": sum(len(e.answers) for e in job.answers),
            "failed_checks": [name for name, _problem in job.failures]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--lang", default="ko", choices=("ko", "en"))
    args = parser.parse_args(argv)
    from app import i18n

    i18n.set_language(args.lang)
    from engine.threads import pin_env

    pin_env(1)
    from app.lecture import catalogue
    from app.main_window import MainWindow, app_instance

    app_instance([sys.argv[0]])
    window = MainWindow(persist=False)
    window.show()
    scenes = list(catalogue.scenes().values())
    rounds = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for _ in range(args.rounds):
                rounds.append(one_round(window, scenes, folder))
                print(f"{rounds[-1]['seconds']:.1f} s, {rounds[-1]['pages']} pages; slowest: "
                      + ", ".join(f"{n} {s:.1f} s" for n, s in rounds[-1]["slowest_scenes"][:4]), flush=True)
    finally:
        window.close()
    median = statistics.median(r["seconds"] for r in rounds)
    results = {"median_seconds": median, "target_seconds": TARGET_S, "met": median < TARGET_S,
               "lang": args.lang, "scenes": len(scenes), "rounds": rounds}
    path = record.write("bench_handout", results)
    print(f"median {median:.1f} s (target < {TARGET_S:g} s) → {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
