"""Assignment 2's worked answer: every step's formula and every parameter's numbers are in it."""

import html

import pytest

from app.panels.backprop import BackpropPanel
from app.panels.backprop.walkthrough import walkthrough_html, write_walkthrough
from engine import backprop_trace as bt


@pytest.fixture
def panel(qtbot):
    p = BackpropPanel()
    qtbot.addWidget(p)
    p.show()
    qtbot.waitUntil(lambda: p.model.up_to_date(), timeout=10000)
    yield p
    assert p.shutdown()


def test_every_step_and_number_is_in_the_walkthrough(panel):
    model = panel.model
    text = html.unescape(walkthrough_html(model))
    steps = model.trace.steps
    assert {s.phase for s in steps} == set(bt.PHASES)
    missing = [part for s in steps for part in s.formula.split(";  ") if part not in text]
    assert missing == []
    for row in model.trace.rows:
        for value in (row.value, row.grad, row.numerical, row.updated):
            assert bt.fmt(value) in text, (row.name, value)
    assert bt.fmt(model.trace.loss) in text and bt.fmt(model.loss_after()) in text
    assert text.count("<li>") == len(steps)


def test_writes_html_and_a_pdf_with_the_font_embedded(panel, tmp_path):
    page = tmp_path / "w.html"
    write_walkthrough(panel.model, str(page))
    assert panel.model.trace.steps[-1].formula.split(";  ")[-1] in html.unescape(page.read_text(encoding="utf-8"))
    pdf = tmp_path / "w.pdf"
    write_walkthrough(panel.model, str(pdf))
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and (b"/FontFile2" in data or b"/FontFile3" in data)
