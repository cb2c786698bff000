"""The exercises on the command line: ``--list-exercises`` and ``--exercise ID --answer N``.

``run_exercise`` runs the exercise's scene headless on its panel alone (the lecture runner's
protocol, ``app.lecture.runner.run_blocking``), then compares the given answer with the one
computed from the panel's model. Exit codes: 0 right, 1 wrong (or the scene failed), 2 a bad id
or an answer that cannot be one (the launcher checks those before any Qt is loaded).
"""

from __future__ import annotations

import os
import sys

from app.i18n import tr

RIGHT, WRONG, BAD = 0, 1, 2


def question_lines(exercise) -> list[str]:
    """The question and its numbered choices (or the tolerance of a number answer), translated."""
    return exercise.question_lines()


def list_exercises(out=None) -> None:
    """``--list-exercises``: each exercise's id and question, with its choices (needs no display)."""
    from app.lecture import exercise_catalogue

    out = out or sys.stdout
    for exercise in exercise_catalogue.exercises().values():
        first, *rest = question_lines(exercise)
        out.write(f"{exercise.id:26s} {first}\n")
        for line in rest:
            out.write(f"{'':26s} {line}\n")
    out.flush()


def check_arguments(exercise_id: str, answer: str | None):
    """``(exercise, given)``, or raise ``ValueError`` saying what is wrong (exit code 2)."""
    from app.lecture import exercise_catalogue

    exercise = exercise_catalogue.get(exercise_id)
    if answer is None:
        raise ValueError(tr("--exercise needs --answer N (a choice's number, or a number)"))
    try:
        given = float(answer)
    except ValueError:
        raise ValueError(tr("--answer must be a number, got {answer!r}").format(answer=answer)) from None
    if not exercise.valid(given):
        raise ValueError(tr("--answer must be one of the choices 1 … {n}, got {answer}").format(
            n=len(exercise.choices), answer=answer))
    return exercise, given


def run_exercise(exercise, given: float, out=None, err=None) -> int:
    """Run ``exercise``'s scene headless, print right/wrong and the explanation; the exit code."""
    from app import panels
    from app.lecture import catalogue
    from app.lecture.runner import run_blocking
    from app.main_window import app_instance

    out, err = out or sys.stdout, err or sys.stderr
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app_instance(sys.argv[:1])
    scene = catalogue.get(exercise.scene)
    panel = panels.get(scene.panel_id).load()()
    try:
        panel.resize(1280, 800)
        panel.show()
        run = run_blocking(scene, panel)
        if run.message:
            err.write(run.message + "\n")
            return WRONG
        model = panel.model
        right = exercise.is_right(given, model)
        out.write((tr("Right!") if right else tr("Wrong.")) + "\n")
        out.write(tr("Answer: {key}").format(key=exercise.key_text(model)) + "\n")
        out.write(exercise.explain(model) + "\n")
        out.flush()
        return RIGHT if right else WRONG
    finally:
        panel.shutdown()
        panel.close()
