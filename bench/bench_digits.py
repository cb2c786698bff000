"""How long the synthetic digits take to make: 10 000 samples (the Training panel's largest set).

Was a test with a 2 s threshold (≈ 0.5 s on an idle core); timing belongs here, not in tests.
The first call builds the cached distance fields (≈ 0.2 s once per process) and is reported
apart. Usage: ``python bench/bench_digits.py [--n 10000] [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import digits  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    t = time.perf_counter()
    digits.make_digits(10)
    print(f"first call (builds the distance fields): {time.perf_counter() - t:.3f} s")
    times = []
    for seed in range(args.rounds):
        t = time.perf_counter()
        digits.make_digits(args.n, seed=seed)
        times.append(time.perf_counter() - t)
    print(f"{args.n} digits: best {min(times):.3f} s, median {sorted(times)[len(times) // 2]:.3f} s")


if __name__ == "__main__":
    main()
