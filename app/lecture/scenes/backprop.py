"""Lecture scenes of the Backprop panel, as data: the zig-zag of sigmoid and assignment 2.

The set-ups are the panel's defaults (2-2-1, or resized to 2-3-1 as the Layers field does),
with the trace cursor where the scene starts. The checks read the computed trace: the signs of
the output unit's gradients, backprop against central differences, the loss after the update.
"""

from __future__ import annotations

import math

from app.lecture.scene import Check, Scene
from app.models.backprop import scene_state


def _up_to_date(model) -> bool:
    return model.up_to_date()


def _output_grad_signs(model) -> tuple[int, ...]:
    """Signs of ∂L/∂w of the output unit's incoming weights (one per hidden unit)."""
    return tuple(int(math.copysign(1, float(row[0]))) for row in model.trace.grad_W[-1])


def _hidden_outputs(model) -> tuple[float, ...]:
    return tuple(float(v) for v in model.trace.a[1])


SCENES: tuple[Scene, ...] = (
    Scene(
        "sigmoid-zigzag", "activations", "Sigmoid is not zero-centred: one sign for all updates", "backprop",
        "The hidden sigmoids output only positive values, so the output unit's gradients "
        "∂L/∂w = δ·h all share the sign of δ (the shaded rows of the table). Its weights can only "
        "all grow or all shrink together, so reaching weights of mixed signs takes a zig-zag path. "
        "Set Hidden f to Tanh: its outputs have both signs and so do the gradients.",
        state=scene_state((2, 3, 1), "sigmoid", last=True),
        checks=(
            Check("every hidden sigmoid output is positive", _hidden_outputs, lambda v: len(v) == 3 and min(v) > 0),
            Check("the output unit's three ∂L/∂w share one sign", _output_grad_signs,
                  lambda v: len(v) == 3 and len(set(v)) == 1),
        ),
        finished=_up_to_date,
    ),
    Scene(
        "assignment-2", "assignments", "Assignment 2: follow backprop to the update", "backprop",
        "The second assignment: follow one sample through the network. The forward pass and the loss "
        "are done; press Step to walk the backward pass, where every ∂L/∂w is a product of local "
        "derivatives (the chain rule), and on to the update w ← w − η·∂L/∂w. The table checks each "
        "gradient against a numerical one.",
        state=scene_state(phase="backward"),
        checks=(
            Check("every backprop ∂L/∂w equals the numerical gradient to 1e-7 (relative)",
                  lambda m: m.max_rel_error(), lambda v: v < 1e-7),
            Check("the update w ← w − η·∂L/∂w lowers the loss on this sample",
                  lambda m: (m.trace.loss, m.loss_after()), lambda v: v[1] < v[0]),
        ),
        finished=_up_to_date,
    ),
)
