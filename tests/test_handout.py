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
    scenes = handout.select_scenes(catalogue.collect().values(), 1)
    assert len(scenes) > 1
    assert page_count(data) == len(scenes) + 1  # one page per scene, then the exercises' answers
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


def test_answers_pages_follow_the_scenes_with_what_the_model_measured(window, tmp_path):
    def ask(scene):
        return [f"How big is {scene.name}?\n   1) big\n   2) small"]

    def answer(scene, model):
        return [f"{scene.name}: measured {type(model).__name__}"]

    handout.add_question_provider(ask)
    handout.add_answer_provider(answer)
    try:
        scenes = [catalogue.get("fake-sum"), catalogue.get("fake-wrong"), catalogue.get("fake-sum")]
        path = tmp_path / "a.pdf"
        job = HandoutJob(window, scenes, str(path), keep=3).start()
        assert job.wait()
    finally:
        handout.remove_question_provider(ask)
        handout.remove_answer_provider(answer)
    assert job.pages[0].questions == ["How big is fake-sum?\n   1) big\n   2) small"]
    assert [(e.number, len(e.answers)) for e in job.answers] == [(1, 1), (2, 1), (3, 1)]
    assert job.answers[0].answers[0].startswith("fake-sum: measured")
    assert job.answer_pages == 1 and page_count(path.read_bytes()) == 3 + 1


def test_the_painter_writes_questions_and_answers(monkeypatch):
    drawn: list[str] = []
    real = handout._text

    def record(painter, rect, text, font, color="#000000"):
        drawn.append(text)
        return real(painter, rect, text, font, color)

    monkeypatch.setattr(handout, "_text", record)
    page = handout.HandoutPage("s", "Part", "Title", "Explained.", QImage(), questions=["Q?\n   1) a\n   2) b"])
    image = QImage(800, 1100, QImage.Format.Format_RGB32)
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPainter
    painter = QPainter(image)
    handout.paint_page(painter, QRectF(0, 0, 800, 1100), page)
    entries = [handout.AnswerEntry(i, f"Scene {i}", [f"answer {i} " + "word " * 80]) for i in range(1, 30)]
    first = handout.paint_answers(painter, QRectF(0, 0, 800, 1100), entries)
    rest = handout.paint_answers(painter, QRectF(0, 0, 800, 1100), entries, first)
    painter.end()
    assert "1. Q?\n   1) a\n   2) b" in drawn and "Explained." in drawn
    assert 1 <= first < len(entries) and rest > first  # a second answers page takes what did not fit
    assert "1. Scene 1" in drawn and f"{first + 1}. Scene {first + 1}" in drawn


def test_exercise_questions_and_computed_answers_for_a_real_scene(qtbot):
    from app.lecture import exercise_handout
    from app.lecture.runner import run_blocking
    from app.panels.backprop import BackpropPanel

    scene = catalogue.collect()["sigmoid-zigzag"]
    asked = exercise_handout.questions(scene)
    assert len(asked) == 1 and "1) " in asked[0] and "3) " in asked[0]
    panel = BackpropPanel()
    qtbot.addWidget(panel)
    panel.show()
    run = run_blocking(scene, panel)
    assert not run.message
    answered = exercise_handout.answers(scene, panel.model)
    assert len(answered) == 1 and "→ 1) " in answered[0]  # all one sign, measured
    assert exercise_handout.answers(scene, None) == []
