"""Lecture scenes of the Batch norm panel, as data: the step-through and train vs eval.

The set-ups are the panel's defaults (a 4×3 batch, γ = (1, 2, 0.5), β = (0, 1, −0.5)); the
checks read the computed trace: x_n's column means and variances, the column sums of ∂L/∂x,
backprop against central differences, and the eval output against the train output as the
running statistics see more batches.
"""

from __future__ import annotations

import numpy as np

from app.lecture.scene import Check, Scene
from app.models.batchnorm import scene_state


def _up_to_date(model) -> bool:
    return model.up_to_date()


def _xn_moments(model) -> tuple[float, float]:
    """(largest |column mean| of x_n, largest |column variance − 1|)."""
    xn = model.value("xn")
    return float(np.max(np.abs(xn.mean(axis=0)))), float(np.max(np.abs(xn.var(axis=0) - 1.0)))


def _dx_column_sums(model) -> float:
    return float(np.max(np.abs(model.value("dx").sum(axis=0))))


def _gaps(model) -> tuple[float, float, float]:
    """max |y_eval − y_train| after 1, 10 and 200 training batches."""
    return tuple(model.eval_gap(k) for k in (1, 10, 200))


def _converged_ratio(model) -> tuple[float, float]:
    """(smallest, largest) over the features of the factor c with x_n_eval ≈ c·x_n_train after 1000 batches."""
    ratio = model.eval_ratio(1000)
    return min(ratio), max(ratio)


SCENES: tuple[Scene, ...] = (
    Scene(
        "batchnorm-steps", "techniques", "Batch norm step by step: forward, backward, train vs eval", "batchnorm",
        "A mini-batch of 4 samples × 3 features goes through batch normalization: μ per feature, x_c = x − μ, "
        "σ², x_n = x_c/√(σ² + ε), y = γ·x_n + β. Every column of x_n has mean 0 and variance ≈ 1. Press [Step] "
        "to walk the backward pass to ∂L/∂γ, ∂L/∂β and ∂L/∂x: each x reaches the loss through x_n, σ² and μ, "
        "and ∂L/∂x sums to 0 in every column; the gradient check compares them with numerical gradients. "
        "Eval mode normalizes with the running statistics instead: after one training batch its output is far "
        "from the training output, and the gap shrinks as batches add up, down to what the unbiased running "
        "variance N/(N − 1)·σ² leaves.",
        state=scene_state("y", batches=1),
        steps=1,
        checks=(
            Check("every column of x_n has mean 0 (< 1e-12) and variance 1 (within 1e-3)", _xn_moments,
                  lambda v: v[0] < 1e-12 and v[1] < 1e-3),
            Check("the column sums of ∂L/∂x are 0 (< 1e-12)", _dx_column_sums, lambda v: v < 1e-12),
            Check("∂L/∂x, ∂L/∂γ and ∂L/∂β equal the numerical gradients to 1e-7 (relative)",
                  lambda m: m.max_rel_error(), lambda v: v < 1e-7),
            Check("the eval output differs from the train output by more than 1 after one batch and the gap "
                  "shrinks after 10 and 200", _gaps, lambda v: v[0] > 1.0 and v[0] > v[1] > v[2]),
            Check("once converged, eval x_n is train x_n times √((σ² + ε)/(N/(N − 1)·σ² + ε)) ≈ √(3/4) for N = 4",
                  _converged_ratio, lambda v: abs(v[0] - 0.75 ** 0.5) < 1e-3 and abs(v[1] - 0.75 ** 0.5) < 1e-3),
        ),
        finished=_up_to_date,
    ),
)
