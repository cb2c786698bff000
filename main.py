"""GradLab launcher: ``python main.py`` (or the installed ``gradlab`` command)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from app.launcher import main as launch

    return launch(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
