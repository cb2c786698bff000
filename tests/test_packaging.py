"""The wheel is complete: translations and the font travel as package data (gradlab_resources).

A wheel is a zip, and Python imports pure packages straight from one, so running the built
wheel from ``sys.path`` (outside the checkout) checks both "the files are in the wheel" and
"they are found with importlib.resources from a zip". .ci/run also installs it into a venv.
"""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app import i18n

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "setup.py", "README.md", "main.py", "app", "engine", "resources")


def _shipped_resources() -> set[str]:
    """Every data file under resources/ as it must appear in the wheel."""
    return {
        "gradlab_resources/" + p.relative_to(ROOT / "resources").as_posix()
        for p in (ROOT / "resources").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".pyc")
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the sources (the checkout gets no build/ folder)."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(src)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0 and "pip" in done.stderr and "No module named pip" in done.stderr:
        pytest.skip("this Python has no pip to build a wheel with")
    assert done.returncode == 0, done.stderr
    (found,) = out.glob("gradlab-*.whl")
    return found


def test_wheel_holds_every_resource(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = _shipped_resources() - names
    assert not missing, f"not in the wheel: {sorted(missing)}"
    assert "gradlab_resources/i18n/ko/shell.json" in names
    assert "gradlab_resources/fonts/NanumGothic.ttf" in names
    assert "gradlab_resources/data/uci_digits.npz" in names  # the bundled UCI digits (engine.uci_digits)


def _run_from_wheel(wheel: Path, cwd: Path, code: str) -> subprocess.CompletedProcess:
    """``code`` run with only the wheel (a zip) and the shared packages on sys.path."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(wheel)!r}); {code}"],
                          cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_korean_scene_titles_come_from_the_zipped_wheel(wheel, tmp_path):
    done = _run_from_wheel(wheel, tmp_path, "from main import main; main(['--list-scenes', '--lang', 'ko'])")
    assert done.returncode == 0, done.stderr
    assert "선형" in done.stdout or any("\uac00" <= ch <= "\ud7a3" for ch in done.stdout), done.stdout[:500]
    where = _run_from_wheel(wheel, tmp_path, "import app.i18n as i; print(i.resource_root())")
    assert where.returncode == 0 and str(wheel) in where.stdout, where.stdout + where.stderr


def test_font_loads_from_the_zipped_wheel(wheel, tmp_path):
    code = ("from PySide6.QtWidgets import QApplication; a = QApplication([]); "
            "from app import fonts; print(fonts.register_fonts())")
    done = _run_from_wheel(wheel, tmp_path, code)
    assert done.returncode == 0 and "NanumGothic" in done.stdout, done.stderr


def test_uci_digits_load_from_the_zipped_wheel(wheel, tmp_path):
    code = ("from engine import uci_digits; x, y = uci_digits.load(); "
            "print(x.shape, int(y.sum()), uci_digits.default_file())")
    done = _run_from_wheel(wheel, tmp_path, code)
    assert done.returncode == 0, done.stderr
    assert "(1797, 64)" in done.stdout and str(wheel) in done.stdout, done.stdout


def test_checkout_finds_its_resources_without_install():
    root = i18n.resource_root()
    assert root.joinpath("i18n", "ko", "shell.json").is_file()
    assert root.joinpath("fonts", "NanumGothic.ttf").is_file()


def test_missing_catalogue_is_a_clear_error_not_english(tmp_path):
    (tmp_path / "ko").mkdir()
    with pytest.raises(i18n.ResourceError, match="reinstall"):
        i18n.load_catalogue("ko", tmp_path)
    with pytest.raises(i18n.ResourceError, match=r"resources/i18n/xx"):
        i18n.load_catalogue("xx", tmp_path)


def test_missing_resource_folder_names_it():
    with pytest.raises(i18n.ResourceError, match=r"resources/nothing-here"):
        i18n.resource_dir("nothing-here")


def test_missing_translations_stop_the_command_line_with_a_plain_message(tmp_path, monkeypatch, capsys):
    from main import main

    (tmp_path / "i18n" / "ko").mkdir(parents=True)  # an installation whose catalogue went missing
    monkeypatch.setattr(i18n, "resource_root", lambda: tmp_path)
    i18n.reload()
    try:
        assert main(["--list-scenes", "--lang", "ko"]) == 2
    finally:
        monkeypatch.undo()
        i18n.reload()
        i18n.set_language("en")
    err = capsys.readouterr().err
    assert err.startswith("gradlab: no 한국어 translations (resources/i18n/ko/*.json)") and "Traceback" not in err
