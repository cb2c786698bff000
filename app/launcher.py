"""Command line and start-up: checks the platform before Qt can abort, then opens the window."""

from __future__ import annotations

import argparse
import ctypes.util
import os
import sys

from app.i18n import tr

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
        return tr(
            "GradLab needs a display, but DISPLAY is not set.\n"
            "Run it from a desktop session, or render without a screen, e.g.:\n"
            "  QT_QPA_PLATFORM=offscreen python main.py --screenshot out.png"
        )
    missing = [pkg for lib, pkg in XCB_LIBS.items() if ctypes.util.find_library(lib) is None]
    if missing:
        return tr(
            "Qt cannot open a window: system libraries for its X11 (xcb) plugin are missing.\n"
            "Install them with:\n  sudo apt-get install {packages}\n"
            "(or run with QT_QPA_PLATFORM=offscreen to render screenshots without a window)"
        ).format(packages=" ".join(missing))
    return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradlab",
        description="GradLab: watch a neural network learn.",
        epilog="Example: gradlab --panel activations --screenshot docs/activations.png --size 1280x800",
    )
    parser.add_argument("--panel", metavar="NAME", help="panel to show first (e.g. activations, optimizers)")
    parser.add_argument(
        "--screenshot", metavar="FILE.png",
        help="render the window once the panel's first computation is drawn, save it to FILE.png and exit",
    )
    parser.add_argument("--size", metavar="WxH", default=None, help="window size, e.g. 1280x800")
    parser.add_argument(
        "--steps", metavar="N", type=_non_negative_int, default=0,
        help="advance the panel N steps (as the Step action) before the screenshot",
    )
    parser.add_argument(
        "--scene", metavar="NAME",
        help="open a lecture scene (see --list-scenes); with --screenshot, render it once it has finished",
    )
    parser.add_argument("--list-scenes", action="store_true",
                        help="print every lecture scene's name and title, then exit")
    # -- exercises (issue #12) --
    parser.add_argument("--list-exercises", action="store_true",
                        help="print every exercise's id, question and choices, then exit")
    parser.add_argument("--exercise", metavar="ID",
                        help="run exercise ID headless with --answer N; exit code 0 right, 1 wrong, 2 bad id")
    parser.add_argument("--answer", metavar="N", help="your answer to --exercise: a choice's number, or a number")
    parser.add_argument(
        "--lang", metavar="LANG", type=_language_code, default=None,
        help="user-interface language: en or ko (default: the last one chosen, else the system's)",
    )
    # ---- presentation mode and handouts (issue #12; app.presentation, app.handout_job) ----
    parser.add_argument("--present", action="store_true",
                        help="start in presentation mode (full screen unless --size is given; Esc leaves)")
    parser.add_argument("--zoom", metavar="Z", type=_zoom_factor, default=None,
                        help="type size factor, 1.0 to 2.5 (default: the last one chosen)")
    parser.add_argument("--handout", metavar="FILE.pdf",
                        help="write a handout, one page per lecture scene, to FILE.pdf and exit")
    parser.add_argument("--part", metavar="N", type=_non_negative_int, default=None,
                        help="with --handout: only the scenes of lecture part N (1 = activations …)")
    return parser


def _zoom_factor(text: str) -> float:
    from app.models.presentation import parse_zoom

    try:
        return parse_zoom(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _check_handout(parser: argparse.ArgumentParser, args) -> None:
    """``--handout``: a .pdf in an existing folder; rendered offscreen, settings untouched."""
    if args.handout is None:
        if args.part is not None:
            parser.error("--part goes with --handout")
        return
    if not args.handout.lower().endswith(".pdf"):
        parser.error(f"--handout must name a .pdf file, got {args.handout!r}")
    folder = os.path.dirname(os.path.abspath(args.handout))
    if not os.path.isdir(folder):
        parser.error(f"--handout: folder {folder} does not exist")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _present(window, args, size) -> None:
    """``--zoom`` and ``--present`` on the window just shown."""
    if args.zoom is not None:
        window.presenter.set_zoom(args.zoom)
    if args.present:
        window.presenter.enter(full_screen=size is None)


def _language_code(text: str) -> str:
    from app.i18n import check_language

    try:
        return check_language(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def list_scenes(lang: str | None = None, out=None) -> None:
    """``--list-scenes``: one line per scene, name and title (needs no display)."""
    from app import i18n
    from app.lecture import catalogue

    if lang:
        i18n.set_language(lang)
    out = out or sys.stdout
    for scene in catalogue.scenes().values():
        out.write(f"{scene.name:22s} {i18n.tr(scene.title)}\n")
    out.flush()


def exercise_command(args) -> int:
    """``--list-exercises`` / ``--exercise ID --answer N`` (see app.exercise_cli), exit code 0/1/2."""
    from app import i18n

    if args.lang:
        i18n.set_language(args.lang)
    from engine.threads import pin_env

    pin_env(1)
    from app import exercise_cli

    if args.exercise is None:
        exercise_cli.list_exercises()
        return 0
    try:
        exercise, given = exercise_cli.check_arguments(args.exercise, args.answer)
    except ValueError as exc:
        print(f"gradlab: {exc}", file=sys.stderr)
        return exercise_cli.BAD
    _quiet_offscreen_warning()
    return exercise_cli.run_exercise(exercise, given)


def _scene_argument(parser: argparse.ArgumentParser, args):
    """``--scene NAME`` → the Scene, or None; its panel is the one opened first."""
    from app.lecture import catalogue

    if args.scene is None:
        return None
    try:
        scene = catalogue.get(args.scene)
    except ValueError as exc:
        parser.error(f"--scene: {exc}")
    if args.panel is not None and args.panel.strip().lower() != scene.panel_id:
        parser.error(f"--scene {scene.name} opens the {scene.panel_id} panel; leave out --panel {args.panel}")
    args.panel = scene.panel_id
    return scene


def _non_negative_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if not 0 <= n <= 100_000:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100000, got {n}")
    return n


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


def _settings_store():
    """The app's QSettings, before the QApplication exists."""
    from app.settings_store import settings

    return settings()


def _quiet_offscreen_warning() -> None:
    """Drop the offscreen plugin's harmless "does not support propagateSizeHints()" line.

    Every screenshot run printed it; other Qt messages go to stderr as before.
    """
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode, _context, message):
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def main(argv: list[str]) -> int:
    """``run(argv)``, but output into a closed pipe (``gradlab --list-scenes | head``) ends quietly."""
    try:
        return run(argv)
    except BrokenPipeError:
        # Python's documented recipe: point stdout at devnull so the exit flush cannot fail again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_scenes:
        list_scenes(args.lang)
        return 0
    if args.list_exercises or args.exercise is not None:
        return exercise_command(args)
    if args.answer is not None:
        parser.error("--answer goes with --exercise ID")
    try:
        size = parse_size(args.size)
    except ValueError as exc:
        parser.error(str(exc))
    if args.screenshot:
        if not args.screenshot.lower().endswith(".png"):
            parser.error(f"--screenshot must name a .png file, got {args.screenshot!r}")
        folder = os.path.dirname(os.path.abspath(args.screenshot))
        if not os.path.isdir(folder):
            parser.error(f"--screenshot: folder {folder} does not exist")
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _check_handout(parser, args)
    from app import i18n  # Qt's core only: NumPy must not load before pin_env below

    persist = not (args.screenshot or args.handout)
    i18n.set_language(i18n.startup_language(args.lang, _settings_store() if persist else None))
    if persist and args.lang:
        _settings_store().setValue(i18n.SETTINGS_KEY, args.lang)
    problem = platform_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2

    from engine.threads import pin_env

    pin_env(1)  # before NumPy loads: one BLAS thread leaves a core for the GUI
    from app import panels

    if args.panel is not None:
        try:
            panels.get(args.panel)
        except ValueError as exc:
            parser.error(f"--panel: {exc}")
    scene = _scene_argument(parser, args)

    from app.main_window import MainWindow, app_instance

    _quiet_offscreen_warning()
    app = app_instance(sys.argv[:1])
    window = MainWindow(panel=args.panel and args.panel.strip().lower(), persist=persist)
    if size:
        window.resize(*size)
    window.show()
    _present(window, args, size)
    if args.handout:
        from app.handout_job import write_handout

        code = write_handout(window, args.handout, args.part)
        window.close()
        return code
    panel = window.current_panel()
    if panel is None:
        print(tr("no panels are installed"), file=sys.stderr)
        return 1
    if scene is not None:
        render = bool(args.screenshot or args.steps)  # then wait for the end (e.g. training)
        run_scene = window.lecture.open(scene.name, timeout_ms=120_000 if render else 0)
        if render and not run_scene.wait():
            if run_scene.message:  # the run failed: there is nothing to render
                print(run_scene.message, file=sys.stderr)
                window.close()
                return 1
            for problem in run_scene.problems:  # rendered all the same: the picture shows why
                print(tr("scene {name}: a check failed: {problem}").format(name=scene.name, problem=problem),
                      file=sys.stderr)
    if args.screenshot or args.steps:
        if not panel.wait_ready(args.steps, timeout_ms=60_000):
            if panel.last_error:
                reason = tr("the {panel} panel failed: {error}").format(panel=panel.panel_id, error=panel.last_error)
            else:
                reason = tr("the {panel} panel did not finish its computation in 60 s").format(panel=panel.panel_id)
            print(reason, file=sys.stderr)
            window.close()
            return 1
    if args.screenshot:
        app.processEvents()
        ok = window.save_image(args.screenshot, whole_window=True)
        window.close()
        if not ok:
            print(tr("could not write {path}").format(path=args.screenshot), file=sys.stderr)
            return 1
        return 0
    return app.exec()
