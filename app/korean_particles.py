"""Korean particles after symbols and numbers, chosen by how the symbol is read aloud.

A Korean template cannot know whether "{node}" will end in a consonant when read: "h₁" is read
"에이치 일" (ends in ㄹ: "h₁은", "h₁로"), "h₂" "에이치 이" (a vowel: "h₂는", "h₂로"), "x₃"
"엑스 삼" (ㅁ: "x₃은", "x₃으로"). Templates therefore write both forms — "은(는)", "이(가)",
"을(를)", "과(와)", "(으)로" — and ``fix`` picks one from the reading of the character before
it: a Hangul syllable's own final consonant, a digit's Sino-Korean reading, a Latin letter's
English name (as Korean lecturers say it). Pure Python, no Qt: ``app.i18n`` applies it to
Korean messages built from templates.
"""

from __future__ import annotations

import re

_NO_FINAL, _FINAL, _RIEUL = 0, 1, 2
#: digits read in Sino-Korean: 영 일 이 삼 사 오 육 칠 팔 구
_DIGITS = dict(zip("0123456789", (_FINAL, _RIEUL, _NO_FINAL, _FINAL, _NO_FINAL, _NO_FINAL, _FINAL, _RIEUL, _RIEUL,
                                  _NO_FINAL)))
_DIGITS.update(zip("₀₁₂₃₄₅₆₇₈₉", (_DIGITS[d] for d in "0123456789")))
#: Latin letters by their English names in Korean: 엘 (l), 엠 (m), 엔 (n), 알 (r) end in a consonant
_LETTERS = {"l": _RIEUL, "r": _RIEUL, "m": _FINAL, "n": _FINAL}
#: (both forms as written, after a final consonant, after a vowel, after ㄹ)
_PAIRS = (("은(는)", "은", "는", "은"), ("이(가)", "이", "가", "이"), ("을(를)", "을", "를", "을"),
          ("과(와)", "과", "와", "과"), ("(으)로", "으로", "로", "로"))
_PATTERN = re.compile("(.)(" + "|".join(re.escape(p[0]) for p in _PAIRS) + ")")


def final_sound(ch: str) -> int:
    """How ``ch`` ends when read: 0 a vowel, 1 a final consonant, 2 the consonant ㄹ."""
    code = ord(ch) - 0xAC00
    if 0 <= code < 11172:  # a Hangul syllable: its final consonant (jong) index, 8 = ㄹ
        jong = code % 28
        return _NO_FINAL if jong == 0 else _RIEUL if jong == 8 else _FINAL
    if ch in _DIGITS:
        return _DIGITS[ch]
    return _LETTERS.get(ch.lower(), _NO_FINAL)


def particle(word: str, both: str) -> str:
    """The form of ``both`` (e.g. "은(는)") that follows ``word`` when read aloud."""
    for written, after_final, after_vowel, after_rieul in _PAIRS:
        if written == both:
            sound = final_sound(word.rstrip(" )'\"")[-1:] or "가")
            return (after_vowel, after_final, after_rieul)[sound]
    raise ValueError(f"unknown particle pair {both!r}")


def fix(text: str) -> str:
    """Every "은(는)", "이(가)", "을(를)", "과(와)", "(으)로" in ``text`` resolved by the character before it."""
    return _PATTERN.sub(lambda m: m.group(1) + particle(m.group(1), m.group(2)), text)
