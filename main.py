"""GradLab launcher: ``python main.py`` (or the installed ``gradlab`` command)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from app.i18n import ResourceError
    from app.launcher import main as launch

    try:
        return launch(sys.argv[1:] if argv is None else argv)
    except ResourceError as exc:  # a broken installation: say so plainly, no traceback
        print(f"gradlab: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
