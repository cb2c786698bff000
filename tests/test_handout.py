"""Handouts: one PDF page per scene with the font embedded, the command line, cancel, previews."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QProgressDialog, QPushButton

from app import handout
from app.handout_job import HandoutJob, start_with_progress, write_handout
from app.lecture import catalogue
from app.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]


def page_count(pdf: bytes) -> int:
    """Page objects (``/Type /Page``, not ``/Pages``) in a PDF."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.fixture
def window(qtbot, fake_panels):
    w = MainWindow(panel="fake", persist=False)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def test_one_page_per_scene_and_the_font_is_embedded(window, tmp_path):
    scenes = [catalogue.get("fake-sum"), catalogue.get("fake-wrong")]
    path = tmp_path / "h.pdf"
    job = HandoutJob(window, scenes, str(path), keep=2).start()
    assert job.wait()
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and page_count(data) == 2
    assert b"/FontFile2" in data or b"/FontFile3" in data
    assert [p.name for p in job.pages] == ["fake-sum", "fake-wrong"]
    assert job.failures and job.failures[0][0] == "fake-wrong"  # its check fails; the page is there all the same
    assert not job.pages[0].image.isNull()
    png = tmp_path / "p.png"
    assert handout.render_png(job.pages[0], str(png))
    assert QImage(str(png)).width() > 800


def test_questions_come_from_registered_providers(window, tmp_path):
    def provider(scene):
        return [f"What does {scene.name} show?"]

    handout.add_question_provider(provider)
    try:
        job = HandoutJob(window, [catalogue.get("fake-sum")], str(tmp_path / "q.pdf"), keep=1).start()
        assert job.wait()
        assert job.pages[0].questions == ["What does fake-sum show?"]
    finally:
        handout.remove_question_provider(provider)
    assert handout.questions_for(catalogue.get("fake-sum")) == []


def test_cancel_stops_and_removes_the_partial_file(window, qtbot, tmp_path):
    scenes = [catalogue.get("fake-sum"), catalogue.get("fake-wrong")] * 3
    path = tmp_path / "c.pdf"
    job = start_with_progress(window, scenes, str(path))
    dialog = window.findChild(QProgressDialog, "handoutProgress")
    assert dialog is not None
    done = []
    job.progress.connect(lambda n, _total: done.append(n) or (n == 1 and dialog.findChild(QPushButton).click()))
    assert not job.wait()
    assert job.cancelled and done == [1] and not path.exists()
    qtbot.waitUntil(lambda: window.findChild(QProgressDialog, "handoutProgress") is None)


def test_part_selects_scenes_and_rejects_a_bad_number(fake_panels):
    everything = list(catalogue.scenes().values())
    part1 = handout.select_scenes(everything, 1)
    assert part1 and all(s.part == "activations" for s in part1)
    assert handout.select_scenes(everything) == everything
    with pytest.raises(ValueError, match="--part must be 1 to"):
        handout.select_scenes(everything, 99)


def test_write_handout_reports_a_bad_part(window, tmp_path, capsys):
    assert write_handout(window, str(tmp_path / "x.pdf"), part=99) == 2
    assert "--part" in capsys.readouterr().err


def test_command_line_writes_a_pdf(tmp_path):
    out = tmp_path / "part1.pdf"
    result = subprocess.run([sys.executable, "main.py", "--lang", "ko", "--handout", str(out), "--part", "1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert page_count(data) == len(handout.select_scenes(catalogue.collect().values(), 1)) > 1
    assert b"/FontFile2" in data or b"/FontFile3" in data


@pytest.mark.parametrize("args, message", [
    (["--handout", "out.png"], "must name a .pdf"),
    (["--handout", "/no/such/folder/out.pdf"], "does not exist"),
    (["--part", "1"], "--part goes with --handout"),
    (["--zoom", "7"], "--zoom"),
])
def test_bad_handout_and_zoom_arguments(args, message):
    result = subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and message in result.stderr
