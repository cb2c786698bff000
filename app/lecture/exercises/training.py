"""Exercises on the Training panel's scenes: predictions read back from the trained run's curves.

These scenes train to the end (a minute or so each), so their tests are marked slow.
"""

from __future__ import annotations

from app.lecture.exercise import Exercise
from app.lecture.scenes.training import gap_at_epoch


def _run(m) -> dict:
    train, test = m.final("train_accuracy"), m.final("test_accuracy")
    return {"train": 100 * train, "test": 100 * test, "gap": 100 * (train - test)}


def _xor(m) -> dict:
    return {"relu": 100 * m.final("train_accuracy"), "linear": 100 * m.run.partner.final("train_accuracy")}


def _xor_answer(m) -> int:
    v = _xor(m)
    return 1 if v["linear"] >= 90 else 2 if v["relu"] >= 90 else 3


def _overfit_answer(m) -> int:
    v = _run(m)
    if v["gap"] < 0:
        return 3
    return 2 if v["gap"] >= 10 and v["train"] >= 98 else 1


def _narrower_answer(m) -> int:
    gap = _run(m)["gap"]
    return 3 if gap < 2 else 2 if gap < 15 else 1


def _dropout_run(m) -> dict:
    return {**_run(m), "gap200": 100 * gap_at_epoch(200)(m)}


def _dropout_answer(m) -> int:
    gap = _run(m)["gap"]
    return 3 if gap < 2 else 2 if gap < 14 else 1


#: Dropout's scene checks that the gap opens again to over 0.14 by the end, so the line sits there.
_DROPOUT_CHOICES = ("about as wide as without dropout (over 14 points)", "narrower (2 … 14 points)",
                    "gone (under 2 points)")

_GAP_CHOICES = ("as wide as without it, or wider (15 points or more)", "narrower (2 … 15 points)",
                "gone (under 2 points)")

EXERCISES = (
    Exercise(
        "xor-linear", "xor",
        "XOR, one hidden layer of 8 units: ReLU against the identity (a linear network). Will the linear "
        "network separate XOR?",
        _xor_answer,
        "Train accuracy at the end: ReLU {relu:.0f} %, linear {linear:.0f} %. Without a non-linearity the "
        "layers are one linear map, and one straight line gets at most about three of the four quadrants.",
        _xor,
        choices=("yes, as well as the ReLU network (≥ 90 %)", "no: only the ReLU network does (≥ 90 %)",
                 "neither network learns it"),
    ),
    Exercise(
        "overfitting-end", "overfitting",
        "300 training images, 6 layers: how do the train and test accuracies end?",
        _overfit_answer,
        "Train {train:.0f} %, test {test:.0f} %: a gap of {gap:.0f} points. The network memorizes its 300 "
        "images instead of learning what generalizes.",
        _run,
        choices=("within 10 points of each other", "train near 100 %, test over 10 points lower",
                 "test above train"),
    ),
    Exercise(
        "weight-decay-gap", "weight-decay",
        "The same run with weight decay λ = 0.1 (without it the gap is about 16 points). How wide is the "
        "train–test gap now?",
        _narrower_answer,
        "Train {train:.0f} %, test {test:.0f} %: a gap of {gap:.1f} points. Large weights cost a penalty, "
        "so the network cannot fit its 300 images as closely.",
        _run,
        choices=_GAP_CHOICES,
    ),
    Exercise(
        "dropout-gap", "dropout",
        "The same run with dropout 0.2 for the book's 301 epochs (without dropout the gap ends at about 16 "
        "points). How wide is the train–test gap at the end?",
        _dropout_answer,
        "At epoch 200 the gap was {gap200:.1f} points; at the end train {train:.0f} %, test {test:.0f} %: a gap "
        "of {gap:.1f} points. Dropout slowed the fit, but on 300 images it delays overfitting rather than "
        "preventing it.",
        _dropout_run,
        choices=_DROPOUT_CHOICES,
    ),
)
