"""The exercises on the handout: each scene's questions on its page, the computed answers at the end.

``register()`` hooks the exercises catalogue into ``app.handout`` (its question and answer
providers); ``app.handout_job`` calls it when a job starts. The answer is computed from the
panel's model after the scene ran (``Exercise.key_text``), with the explanation filled with the
numbers measured from the same model, so the answers pages can never disagree with the pictures.
"""

from __future__ import annotations

from app import handout
from app.i18n import tr
from app.lecture import exercise_catalogue


def scene_exercises(scene) -> list:
    """The exercises asked on ``scene``, in catalogue order."""
    return [e for e in exercise_catalogue.exercises().values() if e.scene == scene.name]


def questions(scene) -> list[str]:
    """One text per exercise: the question with its numbered choices on the following lines."""
    return ["\n".join(e.question_lines()) for e in scene_exercises(scene)]


def answers(scene, model) -> list[str]:
    """One text per exercise: the right answer measured in ``model`` and why (its numbers)."""
    if model is None:
        return []
    out = []
    for e in scene_exercises(scene):
        try:
            out.append(f"{tr(e.question)}\n→ {e.key_text(model)}. {e.explain(model)}")
        except Exception as exc:  # a scene that did not produce what the answer reads
            out.append(f"{tr(e.question)}\n→ " + tr("no answer: {problem}").format(problem=exc))
    return out


def register() -> None:
    """Make the handout ask the exercises and list their answers (idempotent)."""
    handout.add_question_provider(questions)
    handout.add_answer_provider(answers)
