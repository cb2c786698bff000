"""Handout: time to write the full handout (every lecture scene, one PDF page each).

Runs ``main.py --handout`` as a fresh process (so start-up, running every scene on its panel,
grabbing it and painting the PDF page are all counted), ``--rounds`` times; reports the
median wall time, the page count and the file size. Target: under 60 s on 2 cores.

Usage: ``python bench/bench_handout.py [--rounds 1] [--lang ko]``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import record  # noqa: E402

TARGET_S = 60.0


def one_round(lang: str, folder: str) -> dict:
    path = os.path.join(folder, "handout.pdf")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "main.py", "--lang", lang, "--handout", path],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"--handout failed ({result.returncode}): {result.stderr[-2000:]}")
    data = Path(path).read_bytes()
    return {"seconds": seconds, "pages": len(re.findall(rb"/Type\s*/Page(?![s\w])", data)),
            "bytes": len(data), "font_embedded": b"/FontFile2" in data or b"/FontFile3" in data,
            "warnings": [line for line in result.stderr.splitlines() if "propagateSizeHints" not in line]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--lang", default="ko", choices=("ko", "en"))
    args = parser.parse_args(argv)
    rounds = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.rounds):
            rounds.append(one_round(args.lang, folder))
            print(f"{rounds[-1]['seconds']:.1f} s, {rounds[-1]['pages']} pages", flush=True)
    median = statistics.median(r["seconds"] for r in rounds)
    results = {"median_seconds": median, "target_seconds": TARGET_S, "met": median < TARGET_S,
               "lang": args.lang, "rounds": rounds}
    path = record.write("bench_handout", results)
    print(f"median {median:.1f} s (target < {TARGET_S:g} s) → {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
