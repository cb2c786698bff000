"""Command line and start-up: checks the platform before Qt can abort, then opens the window."""

from __future__ import annotations

import argparse
import ctypes.util
import os
import sys

# Debian packages a real X11 (xcb) window needs; without them Qt aborts the process with
# "could not load the Qt platform plugin", which Python cannot catch.
XCB_LIBS = {"xcb-cursor": "libxcb-cursor0", "xcb-icccm": "libxcb-icccm4", "xcb-keysyms": "libxcb-keysyms1"}


def platform_problem(environ=os.environ) -> str | None:
    """Plain advice if Qt would abort on this machine's display set-up, else None."""
    if not sys.platform.startswith("linux"):
        return None
    platform = environ.get("QT_QPA_PLATFORM", "")
    if platform.startswith(("offscreen", "minimal", "vnc", "wayland", "eglfs", "linuxfb")):
        return None
    if not platform and environ.get("WAYLAND_DISPLAY"):
        return None
    if not environ.get("DISPLAY"):
        return (
            "GradLab needs a display, but DISPLAY is not set.\n"
            "Run it from a desktop session, or render without a screen, e.g.:\n"
            "  QT_QPA_PLATFORM=offscreen python main.py --screenshot out.png"
        )
    missing = [pkg for lib, pkg in XCB_LIBS.items() if ctypes.util.find_library(lib) is None]
    if missing:
        return (
            "Qt cannot open a window: system libraries for its X11 (xcb) plugin are missing.\n"
            f"Install them with:\n  sudo apt-get install {' '.join(missing)}\n"
            "(or run with QT_QPA_PLATFORM=offscreen to render screenshots without a window)"
        )
    return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gradlab", description="GradLab: watch a neural network learn.")
    parser.add_argument("--screenshot", metavar="FILE.png", help="render the window to FILE.png and exit")
    parser.add_argument("--size", metavar="WxH", default=None, help="window size, e.g. 1280x800")
    return parser


def parse_size(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"--size must look like 1280x800, got {text!r}") from None
    if not (200 <= w <= 10000 and 200 <= h <= 10000):
        raise ValueError(f"--size must be between 200x200 and 10000x10000, got {text!r}")
    return w, h


def run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        size = parse_size(args.size)
    except ValueError as exc:
        parser.error(str(exc))
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    problem = platform_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2

    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = QLabel("GradLab — the panels arrive with the next issues.")
    window.setWindowTitle("GradLab")
    window.resize(*(size or (1280, 800)))
    window.show()
    if args.screenshot:
        app.processEvents()
        if not window.grab().save(args.screenshot):
            print(f"could not write {args.screenshot}", file=sys.stderr)
            return 1
        return 0
    return app.exec()
