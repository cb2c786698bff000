"""Exercises on the Activations panel's scenes (part 1): predictions read back from its model."""

from __future__ import annotations

import numpy as np

from app.lecture.exercise import Exercise
from app.models.activations import STACK_X


def _slope(m) -> float:
    return float(np.mean(np.gradient(m.stack_outputs()[-1], STACK_X)))


def _stack(m) -> dict:
    return {"diff": float(np.max(np.abs(m.stack_outputs()[-1] - m.stack_as_one_layer()))), "slope": _slope(m),
            "spread": float(np.ptp(np.gradient(m.stack_outputs()[-1], STACK_X)))}


def _stack_answer(m) -> int:
    v = _stack(m)
    if v["diff"] < 1e-9:
        return 2
    return 3 if np.ptp(m.stack_outputs()[-1]) < 1e-12 else 1


def _hover(m) -> dict[str, float]:
    return {name: d for name, _f, d in m.hover_values()}


def _bins(value: float, edges: tuple[float, ...]) -> int:
    """The 1-based number of the bin ``value`` falls in, bins split at the ascending ``edges``."""
    return int(np.searchsorted(np.asarray(edges), value, side="right")) + 1


def _vanishing(m) -> dict:
    r = m.gradient_ratio("sigmoid", 1)
    return {"ratio": r, "factor": m.gradient_ratio("sigmoid", 0) ** (-1 / 10)}


def _tanh(m) -> dict:
    t, s = m.gradient_ratio("tanh", 0), m.gradient_ratio("sigmoid", 0)
    return {"tanh": t, "sig": s, "times": t / s}


def _tanh_answer(m) -> int:
    times = _tanh(m)["times"]
    return 2 if times > 2 else 1 if times < 0.5 else 3


_DEAD_KEYS = ("relu", "leaky_relu", "elu")


def _dead(m) -> dict:
    return {k: 100 * m.dead_share(k) for k in _DEAD_KEYS}


def _dead_answer(m) -> int:
    dead = tuple(share > 0 for share in _dead(m).values())
    return {(True, False, False): 1, (True, True, False): 2, (True, True, True): 3}.get(dead, 4)


_VARIANTS = ("relu", "leaky_relu", "prelu", "elu")


def _variants(m) -> dict:
    return {k: _hover(m)[k] for k in _VARIANTS}


def _variants_answer(m) -> int:
    zero = [d == 0 for d in _variants(m).values()]
    if zero == [True, False, False, False]:
        return 1
    if all(zero):
        return 4
    return 3 if not any(zero) else 2


def _softmax(m) -> dict:
    p = m.probabilities()
    return {"p1": float(p[0]), "p2": float(p[1]), "p3": float(p[2]), "total": float(p.sum())}


EXERCISES = (
    Exercise(
        "linear-stacking-what", "linear-stacking",
        "Five linear layers f(x) = 0.9·x are stacked. What does the stack compute?",
        _stack_answer,
        "The stack's output differs from one layer 0.9⁵·x by at most {diff:.1e}, and its slope is "
        "{slope:.4f} at every x (spread {spread:.1e}): stacked linear layers are one linear layer.",
        _stack,
        choices=("a curve that bends, more with every layer", "one linear layer: 0.9⁵·x",
                 "0 for every input"),
    ),
    Exercise(
        "linear-stacking-slope", "linear-stacking",
        "Five linear layers f(x) = 0.9·x are stacked. What is the slope of the stack (a number)?",
        _slope,
        "The measured slope is {slope:.4f} at every x: 0.9 multiplied five times (0.9⁵ ≈ 0.5905).",
        _stack, tolerance=0.01,
    ),
    Exercise(
        "sigmoid-vanishing-share", "sigmoid-vanishing",
        "10 sigmoid layers with He weights: how much of the gradient at layer 10 reaches layer 1?",
        lambda m: 4 - _bins(_vanishing(m)["ratio"], (1e-3, 0.5)),
        "Layer 1 receives {ratio:.1e} of layer 10's gradient: it falls by a factor of about {factor:.1f} "
        "per sigmoid layer (σ′ ≤ 0.25).",
        _vanishing,
        choices=("most of it (over a half)", "some of it (0.1 % … 50 %)", "less than a thousandth"),
    ),
    Exercise(
        "tanh-vs-sigmoid", "tanh",
        "Through 10 layers, which passes more gradient back to the input: tanh or sigmoid?",
        _tanh_answer,
        "The input receives {tanh:.2e} of the output's gradient through tanh and {sig:.2e} through "
        "sigmoid: {times:.3g} times more with tanh (slope 1 at 0, not 0.25), though it still shrinks.",
        _tanh,
        choices=("sigmoid", "tanh", "about the same"),
    ),
    Exercise(
        "tanh-slope", "tanh",
        "What is the slope of tanh at x = 0 (a number)?",
        lambda m: _hover(m)["tanh"],
        "The read-out at x = 0 shows tanh′(0) = {tanh:.3f} and σ′(0) = {sig:.3f}: four times as steep.",
        lambda m: {"tanh": _hover(m)["tanh"], "sig": _hover(m)["sigmoid"]}, tolerance=0.05,
    ),
    Exercise(
        "dying-relu-which", "dying-relu",
        "A bias of −1.5 in every layer: which activations get dead units (0 for every sample)?",
        _dead_answer,
        "Dead units in the worst layer: ReLU {relu:.0f} %, Leaky ReLU {leaky_relu:.0f} %, ELU {elu:.0f} %. "
        "Only ReLU has a slope of exactly 0 for every negative input.",
        _dead,
        choices=("ReLU only", "ReLU and Leaky ReLU", "ReLU, Leaky ReLU and ELU", "none of them"),
    ),
    Exercise(
        "relu-variants-zero", "relu-variants",
        "At x = −2, which of ReLU, Leaky ReLU, PReLU and ELU passes no gradient (f′ = 0)?",
        _variants_answer,
        "The read-out at x = −2: ReLU f′ = {relu:.3g}, Leaky ReLU {leaky_relu:.3g}, PReLU {prelu:.3g}, "
        "ELU {elu:.3g}. Only ReLU is flat on the negative side.",
        _variants,
        choices=("ReLU only", "ReLU and ELU", "none of them", "all four"),
    ),
    Exercise(
        "softmax-largest", "softmax",
        "Logits 0.3, 2.9 and 4.0 go through softmax. What probability does the largest logit get (a number)?",
        lambda m: _softmax(m)["p3"],
        "Softmax gives {p1:.3f}, {p2:.3f} and {p3:.3f} (sum {total:.3f}): eᶻ over the sum of all three.",
        _softmax, tolerance=0.03,
    ),
)
