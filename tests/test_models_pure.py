"""app.models never imports Qt, pyqtgraph or the panels (the models are the Qt-free layer)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import app.models


def test_models_import_without_qt():
    names = ["app.models." + m.name for m in pkgutil.iter_modules(app.models.__path__)]
    code = (
        "import sys, importlib\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')"
        " or m.startswith('app.panels') or m.startswith('app.widgets'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"app.models pulled in: {out.stdout.strip()}"
