"""Exercises on the Batch norm panel's step-through: answers read from its computed trace."""

from __future__ import annotations

import numpy as np

from app.lecture.exercise import Exercise


def _dx_sums(m) -> dict:
    sums = m.value("dx").sum(axis=0)
    return {"sums": ", ".join(f"{float(s):+.1e}" for s in sums), "largest": float(np.max(np.abs(sums)))}


def _dx_answer(m) -> int:
    return 1 if _dx_sums(m)["largest"] < 1e-12 else 2


def _eval_ratio(m) -> dict:
    ratio = m.eval_ratio(1000)
    return {"ratio": float(np.mean(ratio)), "gap1": m.eval_gap(1), "gap200": m.eval_gap(200)}


EXERCISES = (
    Exercise(
        "batchnorm-dx-sum", "batchnorm-steps",
        "After the backward pass, what does each column of ∂L/∂x add up to?",
        _dx_answer,
        "The column sums of ∂L/∂x are {sums}: shifting every sample of a feature by the same amount "
        "changes nothing after normalization, so the gradients along that direction cancel.",
        _dx_sums,
        choices=("0", "something else (it depends on the loss)"),
    ),
    Exercise(
        "batchnorm-eval-ratio", "batchnorm-steps",
        "After 1000 training batches of N = 4, eval x_n ≈ c · train x_n. What is c (a number)?",
        lambda m: _eval_ratio(m)["ratio"],
        "c = {ratio:.4f} ≈ √(3/4): the running variance is the unbiased N/(N − 1)·σ². The eval output "
        "differs from the train output by {gap1:.2f} after one batch and by {gap200:.3f} after 200.",
        _eval_ratio, tolerance=0.02,
    ),
)
