"""One Korean word per concept: the catalogue against ``app.glossary``, and Help ▸ Glossary.

The catalogue scan globs ``resources/i18n/ko/*.json``, so a file another branch adds is
checked without touching this test; a failure names the file, the key, the avoided variant and
the glossary's word. The glossary's own terms must be quoted from the lecture or carry a
written decision; where the lecture file is reachable (a checkout beside ``shared/``, or
``GRADLAB_LECTURE_KO``) every quote is checked against it.
"""

import json
import os
import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QMenu, QTableWidget

from app import glossary, i18n
from app.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]
KO_DIR = ROOT / "resources" / "i18n" / "ko"
#: Button labels (English keys) that Korean text must cite as "[한 단계] 버튼을 눌러".
BUTTON_KEYS = ("&Step", "&Play", "&Reset", "Pause")


def catalogue_problems(folder: Path) -> list[str]:
    """``"file: key → 'variant' (use 'term': reason)"`` for every avoided variant in ``folder``."""
    problems = []
    for path in sorted(folder.glob("*.json")):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            for v in glossary.violations(value):
                problems.append(f"{path.name}: {key!r} → {v.variant!r} (use {v.use!r}: {v.reason})")
    return problems


def button_labels(folder: Path) -> list[str]:
    """The Korean labels of the run buttons, without the mnemonic: ``["한 단계", "재생", ...]``."""
    merged = i18n.load_catalogue("ko", folder.parent)
    return [re.sub(r"\(&\w\)|&", "", merged[k]).strip() for k in BUTTON_KEYS if k in merged]


def unbracketed_buttons(folder: Path) -> list[str]:
    """Sentences that press a button without naming it as "[label] 버튼"."""
    labels = "|".join(re.escape(label) for label in button_labels(folder))
    pattern = re.compile(rf"(?<!\[)(?:{labels})(?:을|를|이나|나)? ?(?:누르|눌러)")
    problems = []
    for path in sorted(folder.glob("*.json")):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            for match in pattern.finditer(value):
                problems.append(f"{path.name}: {key!r} → {match.group(0)!r} (write '[label] 버튼을 눌러')")
    return problems


def lecture_text() -> str | None:
    """The Korean lecture, if this checkout can reach it (it is not shipped with GradLab)."""
    candidates = [Path(os.environ["GRADLAB_LECTURE_KO"])] if os.environ.get("GRADLAB_LECTURE_KO") else []
    candidates += [parent / "shared" / "seed" / "lecture-ko.txt" for parent in ROOT.parents]
    for path in candidates:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# ---- the catalogue ------------------------------------------------------------------------------
def test_every_korean_file_uses_only_the_glossarys_terms():
    assert len(list(KO_DIR.glob("*.json"))) >= 10
    problems = catalogue_problems(KO_DIR)
    assert not problems, ("Korean catalogue uses avoided variants (python -m app.glossary FILE.json respells "
                          "the words and their particles; then read each changed sentence):\n" + "\n".join(problems))


def test_buttons_are_cited_in_brackets():
    assert {"한 단계", "재생"} <= set(button_labels(KO_DIR))
    problems = unbracketed_buttons(KO_DIR)
    assert not problems, "\n".join(problems)


def test_a_bad_file_is_named_with_its_key_and_variant(tmp_path):
    ko = tmp_path / "ko"
    ko.mkdir()
    (ko / "new-branch.json").write_text(json.dumps({
        "Overfitting": "과적합", "Press Step": "한 단계를 누르세요", "&Step": "한 단계(&S)",
        "Fine": "경사하강법으로 가중치를 갱신합니다"}, ensure_ascii=False), encoding="utf-8")
    problems = catalogue_problems(ko)
    assert problems == ["new-branch.json: 'Overfitting' → '과적합' (use '오버피팅': one Korean word for 'overfitting')"]
    assert unbracketed_buttons(ko) == ["new-branch.json: 'Press Step' → '한 단계를 누르' (write '[label] 버튼을 눌러')"]


@pytest.mark.parametrize("text, found", [
    ("경사하강법과 확률적 경사하강법, 네스테로프 가속 경사", []),
    ("경사 하강법", ["경사 하강법"]),
    ("경사가 가파릅니다", ["경사"]),
    ("torch.optim.SGD(lr, momentum=m)", []),
    ("momentum 항", ["momentum"]),
    ("폭이 20:1인 골짜기", ["폭이 20:1"]),
    ("L2 벌점과 패널티", ["벌점", "패널티"]),
    ("활성화 함수와 은닉층의 뉴런", []),
    ("sigmoid(x)와 softmax(z)", []),
    ("Sigmoid 출력과 작은 네트워크", ["Sigmoid", "네트워크"]),
])
def test_variants_are_found_and_fixed_names_are_not(text, found):
    assert sorted(v.variant for v in glossary.violations(text)) == sorted(found)


@pytest.mark.parametrize("text, fixed", [
    ("네트워크가 일반화되는 것을", "신경망이 일반화되는 것을"),
    ("솎아 낸 네트워크(은닉 뉴런의 20 %)를 학습", "솎아 낸 신경망(은닉 뉴런의 20 %)을 학습"),
    ("네트워크로 학습하고 업데이트를 적용", "신경망으로 학습하고 갱신을 적용"),
    ("과적합이 보이면 매개변수는 그대로", "오버피팅이 보이면 파라미터는 그대로"),
    ("sigmoid 출력과 손실함수, 경사하강법", "시그모이드 출력과 손실 함수, 경사하강법"),
    ("네트워크 가중치", "신경망 가중치"),
])
def test_respell_fixes_the_word_and_its_particle(text, fixed):
    assert glossary.respell(text) == fixed
    assert not glossary.violations(fixed)


def test_respell_file_rewrites_only_changed_values(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"a": "과적합을 줄입니다", "b": "그대로"}, ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8")
    assert glossary.respell_file(path) == [("a", "과적합을 줄입니다", "오버피팅을 줄입니다")]
    assert json.loads(path.read_text(encoding="utf-8")) == {"a": "오버피팅을 줄입니다", "b": "그대로"}
    assert glossary.respell_file(path) == []


# ---- the glossary itself ------------------------------------------------------------------------
def test_one_term_per_concept_and_the_glossary_obeys_itself():
    terms = glossary.terms()
    assert len(terms) >= 25
    for field in ("key", "en", "ko"):
        values = [getattr(t, field) for t in terms]
        assert len(values) == len(set(values)), f"duplicate {field}"
    for term in terms:
        assert term.definition_en and term.definition_ko, term.key
        for text in (term.ko, term.definition_ko):
            assert not glossary.violations(text), (term.key, text, glossary.violations(text))
    required = ("오버피팅", "갱신", "페널티", "경사하강법", "모멘텀", "기울기", "학습률", "초기값", "손실 함수",
                "이동평균", "파라미터", "뉴런", "극솟값")
    assert set(required) <= {t.ko for t in terms}


def test_every_term_is_the_lectures_word_or_a_written_decision():
    for term in glossary.terms():
        if term.lecture:
            assert term.ko in term.lecture, f"{term.key}: the quote does not use {term.ko!r}"
        else:
            assert len(term.decision) > 20, f"{term.key}: {term.ko!r} is not from the lecture and has no decision"


def test_the_quotes_are_in_the_lecture():
    lecture = lecture_text()
    if lecture is None:
        pytest.skip("the lecture (shared/seed/lecture-ko.txt) is not beside this checkout")
    text = squeeze(lecture)
    missing = [t.key for t in glossary.terms() if t.lecture and squeeze(t.lecture) not in text]
    assert not missing, f"quotes not found in the lecture: {missing}"
    # a term without a quote must really be absent from the lecture or explain why it differs
    for term in glossary.terms():
        if not term.lecture and term.ko in text:
            assert term.decision, term.key


# ---- Help ▸ Glossary ----------------------------------------------------------------------------
@pytest.fixture(params=["en", "ko"])
def window(qtbot, request):
    previous = i18n.language()
    i18n.set_language(request.param)
    w = MainWindow(panel="optimizers", persist=False)
    qtbot.addWidget(w)
    yield w
    w.close()
    i18n.set_language(previous)


def test_glossary_opens_from_the_help_menu_and_filters(window, qtbot):
    help_menu = window.menuBar().findChild(QMenu, "helpMenu")
    assert window.help.glossary_action in help_menu.actions()
    window.help.glossary_action.trigger()
    dialog = window.help.glossary_dialog
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.isVisible)
    table = dialog.findChild(QTableWidget, "glossaryTable")
    assert table.rowCount() == len(glossary.terms())
    korean = i18n.language() == "ko"
    overfitting = glossary.BY_KEY["overfitting"]
    row = [t.key for t in glossary.terms()].index("overfitting")
    assert table.item(row, 0).text() == overfitting.en and table.item(row, 1).text() == "오버피팅"
    assert table.item(row, 2).text() == (overfitting.definition_ko if korean else overfitting.definition_en)
    box = dialog.findChild(QLineEdit, "glossaryFilter")
    count = dialog.findChild(QLabel, "glossaryCount")
    qtbot.keyClicks(box, "epoch")
    assert dialog.visible_keys() == ["epoch"]
    box.setText("과적합")  # an avoided word finds the term to use (QTest types ASCII only)
    assert dialog.visible_keys() == ["overfitting"]
    assert all(table.isRowHidden(r) for r in range(table.rowCount()) if r != row)
    assert count.text() == i18n.tr("{shown} of {total} terms").format(shown=1, total=len(glossary.terms()))
    box.setText("GRADIENT")
    shown = dialog.visible_keys()
    assert {"gradient", "gradient_descent", "vanishing_gradient"} <= set(shown) and "dropout" not in shown
    box.setText("기울기")
    assert "gradient" in dialog.visible_keys() and "epoch" not in dialog.visible_keys()
    box.clear()
    assert len(dialog.visible_keys()) == len(glossary.terms())
    dialog.close()
