"""A predict-then-see exercise: a question asked before a scene runs, answered by the scene's model.

The key is never stored. ``answer(model)`` reads the result from the panel's model *after* the
scene has run (the number of the right choice, or the measured number), so a changed default can
never make the key wrong; the explanation is a template (English source, translated with
``tr()``) filled with numbers measured from the same model (``values(model)``), so it cannot
disagree with what the panel shows.

Choices are numbered from 1, as they are printed (``--list-exercises``) and shown. A number
exercise has no choices; the given number is right within ``tolerance`` of the measured one.
Qt-free: the Exercises view, the command line and the tests share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from app.i18n import tr


@dataclass(frozen=True)
class Exercise:
    """``Exercise(id, scene, question, answer, explanation, values, choices=(...) | tolerance=...)``.

    ``answer(model)``: the right choice's number (1…len(choices)) or, for a number exercise, the
    measured number. ``explanation``: an English template formatted with ``values(model)``.
    """

    id: str
    scene: str
    question: str
    answer: Callable[[Any], int | float]
    explanation: str
    values: Callable[[Any], dict]
    choices: tuple[str, ...] = ()
    tolerance: float | None = None

    def __post_init__(self):
        if self.choices and not 2 <= len(self.choices) <= 4:
            raise ValueError(f"exercise {self.id!r}: give 2 to 4 choices, not {len(self.choices)}")
        if not self.choices and (self.tolerance is None or self.tolerance <= 0):
            raise ValueError(f"exercise {self.id!r}: a number exercise needs a tolerance > 0")

    @property
    def is_number(self) -> bool:
        return not self.choices

    def texts(self) -> tuple[str, ...]:
        """Every English source text shown for this exercise (each needs a translation)."""
        return (self.question, *self.choices, self.explanation)

    def question_lines(self) -> list[str]:
        """The question and its numbered choices (or the tolerance of a number answer), translated."""
        lines = [tr(self.question)]
        if self.is_number:
            lines.append("   " + tr("answer with a number (± {tolerance:g} counts as right)").format(
                tolerance=self.tolerance))
        else:
            lines += [f"   {i}) {tr(choice)}" for i, choice in enumerate(self.choices, 1)]
        return lines

    def valid(self, given: float) -> bool:
        """Whether ``given`` can be an answer at all (a choice's number, or a finite number)."""
        if self.is_number:
            return given == given and abs(given) != float("inf")
        return float(given).is_integer() and 1 <= int(given) <= len(self.choices)

    def is_right(self, given: float, model: Any) -> bool:
        """Whether ``given`` is right for the results in ``model`` (the scene has run)."""
        key = self.answer(model)
        if self.is_number:
            return abs(float(given) - float(key)) <= self.tolerance
        return self.valid(given) and int(given) == int(key)

    def key_text(self, model: Any) -> str:
        """The right answer as shown: ``2) text`` or the measured number."""
        key = self.answer(model)
        if self.is_number:
            return f"{float(key):.4g} (± {self.tolerance:g})"
        return f"{int(key)}) {tr(self.choices[int(key) - 1])}"

    def explain(self, model: Any) -> str:
        """The explanation, translated, filled with the numbers measured from ``model``."""
        return tr(self.explanation).format(**self.values(model))
