"""Exercises on the Backprop panel's scenes: predictions read back from its computed trace."""

from __future__ import annotations

import math

from app.lecture.exercise import Exercise


def _signs(m) -> tuple[int, ...]:
    return tuple(int(math.copysign(1, float(row[0]))) for row in m.trace.grad_W[-1])


def _zigzag(m) -> dict:
    grads = [float(row[0]) for row in m.trace.grad_W[-1]]
    return {"h": ", ".join(f"{float(v):.3f}" for v in m.trace.a[1]), "g": ", ".join(f"{g:+.2e}" for g in grads)}


def _zigzag_answer(m) -> int:
    grads = [float(row[0]) for row in m.trace.grad_W[-1]]
    if all(g == 0 for g in grads):
        return 3
    return 1 if len(set(_signs(m))) == 1 else 2


EXERCISES = (
    Exercise(
        "sigmoid-zigzag-signs", "sigmoid-zigzag",
        "With sigmoid hidden units, what signs do the output unit's three gradients ∂L/∂w have?",
        _zigzag_answer,
        "The hidden outputs are {h} (all positive), so ∂L/∂w = δ·h are {g}: one sign, the sign of δ.",
        _zigzag,
        choices=("all the same sign", "mixed signs", "all exactly 0"),
    ),
)
