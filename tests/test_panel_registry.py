"""The panel registry lists panels without importing them; a panel loads when its tab first opens."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app import panels as registry

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("info", registry.KNOWN, ids=lambda info: info.panel_id)
def test_the_registry_agrees_with_the_panel_classes(info):
    if info.panel_id not in registry.PANELS:
        pytest.skip(f"{info.module} is not installed")
    cls = info.load()
    assert (cls.panel_id, cls.title, cls.description) == (info.panel_id, info.title, info.description)


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="choose one of: activations"):
        registry.get("nope")
    assert registry.get(" Optimizers ").panel_id == "optimizers"


def _modules_after(code: str, tmp_path) -> set[str]:
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_start_up_imports_only_the_panel_shown(tmp_path):
    """The window imports one panel, and neither the lecture dock, help nor the exporters."""
    loaded = _modules_after(
        "from app.main_window import MainWindow, app_instance\n"
        "app = app_instance(['t'])\n"
        "w = MainWindow(panel='backprop', persist=False)\n"
        "w.close()", tmp_path)
    panels = {m for m in loaded if m.startswith("app.panels.") and m != "app.panels.base"}
    assert panels and all(m.startswith("app.panels.backprop") for m in panels), panels
    lazy = {"app.lecture.dock", "app.lecture.catalogue", "app.help", "app.export", "pyqtgraph.exporters"}
    assert not lazy & loaded
