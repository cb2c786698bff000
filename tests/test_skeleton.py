"""The project's shape: a Qt-free engine and a PySide6 that does not crash."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_engine_imports_no_qt():
    """`import engine` and all its submodules pull in no Qt module (checked in a fresh process)."""
    code = (
        "import sys, pkgutil, importlib, engine\n"
        "for m in pkgutil.iter_modules(engine.__path__):\n"
        "    importlib.import_module('engine.' + m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in "
        "{'PySide6','PyQt5','PyQt6','shiboken6','pyqtgraph','qtpy','superqt'})\n"
        "print(len([n for n in sys.modules if n.startswith('engine.')]))\n"
        "assert not bad, bad\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) >= 3  # the submodules really were imported


def test_pyside_pinned_below_6_12():
    """The pin is what protects Python 3.11 users; the installed PySide6 must honour it."""
    import PySide6

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pyside = [d for d in deps if d.startswith("PySide6-Essentials")]
    assert pyside and "<6.12" in pyside[0]
    installed = tuple(int(p) for p in PySide6.__version__.split(".")[:2])
    assert installed < (6, 12), f"PySide6 {PySide6.__version__} is installed despite the pin"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 (PEP 683): its "
                    "reference count is a constant, so the leak can neither be seen nor free None")
def test_void_qt_calls_do_not_leak_none_references(qapp):
    """PySide6 6.12.0 on Python 3.11 dropped a reference to None per void call, then aborted."""
    from PySide6.QtWidgets import QWidget

    w = QWidget()
    before = sys.getrefcount(None)
    for _ in range(20_000):
        w.update()
    after = sys.getrefcount(None)
    w.deleteLater()
    assert after >= before - 100, f"None lost {before - after} references in 20,000 update() calls"


def test_top_level_layout():
    for name in ("pyproject.toml", "app", "engine", "resources", "tests", "main.py", "README.md", "bench", ".ci/run"):
        assert (ROOT / name).exists(), name
