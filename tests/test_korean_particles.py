"""app.korean_particles: the particle after a symbol follows how the symbol is read."""

import pytest

from app import i18n
from app.korean_particles import fix, particle


@pytest.mark.parametrize("word, both, want", [
    ("h₁", "은(는)", "은"), ("h₂", "은(는)", "는"), ("x₃", "은(는)", "은"), ("y₄", "이(가)", "가"),
    ("h₁", "(으)로", "로"), ("x₃", "(으)로", "으로"), ("g₂", "(으)로", "로"), ("y₆", "을(를)", "을"),
    ("L", "은(는)", "은"), ("w", "과(와)", "와"), ("편향", "이(가)", "이"), ("가중치", "을(를)", "를"),
    ("길", "(으)로", "로"),
])
def test_particle_by_reading(word, both, want):
    assert particle(word, both) == want


def test_fix_resolves_every_pair():
    assert fix("h₁은(는) z를 통과시킵니다. h₂은(는) 다음.") == "h₁은 z를 통과시킵니다. h₂는 다음."
    assert fix("x₃(으)로 들어가는 w") == "x₃으로 들어가는 w"
    assert fix("변화 없음") == "변화 없음"


def test_backprop_step_texts_read_naturally():
    """Issue #15: "h₁는" was shown; the templates now say 은(는) and the right one is chosen."""
    from engine import backprop_trace as bt

    old = i18n.language()
    try:
        i18n.set_language("ko")
        text = i18n.tr_message(bt.TEXTS["activation"].format(node="h₁", act="Sigmoid"), bt.TEXTS.values())
        assert text.startswith("h₁은 ") and "(는)" not in text
        text = i18n.tr_message(bt.TEXTS["activation"].format(node="h₂", act="Sigmoid"), bt.TEXTS.values())
        assert text.startswith("h₂는 ")
        text = i18n.tr_message(bt.TEXTS["update"].format(node="y₁", lr="0.5"), bt.TEXTS.values())
        assert text.startswith("y₁로 ")
    finally:
        i18n.set_language(old)


def test_step_list_update_label(qtbot):
    from app.panels.backprop.steps import StepList
    from engine import backprop_trace as bt

    old = i18n.language()
    try:
        i18n.set_language("ko")
        trace = bt.trace(bt.BackpropSetup().with_sizes((2, 3, 2), 0))
        steps = StepList()
        qtbot.addWidget(steps)
        steps.set_steps(trace.steps, trace.setup.sizes)
        steps.reveal(len(trace.steps))
        texts = [steps.row_text(r) for r in range(steps.count())]
        assert any("h₃으로 들어가는" in t for t in texts) and any("y₂로 들어가는" in t for t in texts)
        assert not any("(으)" in t or "(는)" in t for t in texts)
    finally:
        i18n.set_language(old)
