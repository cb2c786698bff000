"""Exercises on the Initialization panel's scenes (part 3 and batch norm): read from its per-layer numbers."""

from __future__ import annotations

from app.lecture.exercise import Exercise


def _layers(m, key: str, name: str) -> list[float]:
    return [float(v) for v in m.column(key, name)]


def _small(m) -> dict:
    return {"mean": _layers(m, "A", "mean")[-1], "std": _layers(m, "A", "std")[-1],
            "saturated": 100 * _layers(m, "A", "share_saturated")[-1]}


def _small_answer(m) -> int:
    v = _small(m)
    if abs(v["mean"] - 0.5) < 0.05 and v["std"] < 0.05:
        return 3
    return 2 if v["saturated"] > 30 else 1


def _saturation(m, key: str) -> dict:
    shares = _layers(m, key, "share_saturated")
    return {"low": 100 * min(shares), "high": 100 * max(shares), "last": 100 * shares[-1]}


def _saturation_answer(percent: float) -> int:
    return 1 if percent < 5 else 2 if percent < 30 else 3


def _xavier(m) -> dict:
    ratio = m.gradient_ratio("B")
    return {"ratio": ratio, "factor": ratio ** (-1 / (len(m.column("B", "std")) - 1))}


def _xavier_answer(m) -> int:
    ratio = m.gradient_ratio("B")
    return 1 if ratio > 0.75 else 2 if ratio > 0.1 else 3


def _spread(m, key: str) -> float:
    std = _layers(m, key, "std")
    return std[-1] / std[0]


def _spread_answer(ratio: float) -> int:
    return 2 if ratio < 0.5 else 3 if ratio > 1.5 else 1


def _he(m) -> dict:
    return {"xavier": _spread(m, "A"), "he": _spread(m, "B"),
            "zeros": 100 * sum(_layers(m, "B", "share_zero")) / len(_layers(m, "B", "share_zero"))}


def _batchnorm(m) -> dict:
    a, b = _saturation(m, "A"), _saturation(m, "B")
    return {"without": a["low"], "with_bn": b["high"]}


_SPREAD_CHOICES = ("it stays about the same", "it shrinks to under half", "it grows by over half")

EXERCISES = (
    Exercise(
        "init-small-where", "init-std-0.01",
        "Weights with std 0.01 and sigmoid: where do layer 5's outputs end up?",
        _small_answer,
        "Layer 5's outputs have mean {mean:.3f} and std {std:.4f}: every weighted sum is nearly 0, so "
        "every sigmoid gives about σ(0) = 0.5 and the neurons all act alike.",
        _small,
        choices=("spread over (0, 1)", "piled up at 0 and 1", "piled up at 0.5"),
    ),
    Exercise(
        "init-std1-saturated", "init-std-1",
        "Weights with std 1 and sigmoid: what share of layer 5's outputs is saturated (near 0 or 1)?",
        lambda m: _saturation_answer(_saturation(m, "A")["last"]),
        "{last:.0f} % of layer 5's outputs are saturated ({low:.0f} … {high:.0f} % over the layers): large "
        "weighted sums push the sigmoids to 0 and 1, where σ′ ≈ 0.",
        lambda m: _saturation(m, "A"),
        choices=("under 5 %", "5 … 30 %", "over 30 %"),
    ),
    Exercise(
        "init-xavier-gradient", "init-xavier",
        "Xavier weights, 5 sigmoid layers: how much of layer 5's gradient reaches layer 1?",
        _xavier_answer,
        "Layer 1 receives {ratio:.4f} of layer 5's gradient, a factor of about {factor:.1f} less per layer: "
        "Xavier keeps the histograms spread, but σ′ ≤ 0.25 still shrinks the gradient.",
        _xavier,
        choices=("about all of it (over 75 %)", "between a tenth and 75 %", "less than a tenth"),
    ),
    Exercise(
        "init-he-xavier", "init-he",
        "ReLU with Xavier weights: what happens to the activations' std from layer 1 to layer 5?",
        lambda m: _spread_answer(_spread(m, "A")),
        "With Xavier, layer 5's std is {xavier:.2f} of layer 1's; with He it is {he:.2f}. ReLU zeroes about "
        "{zeros:.0f} % of the outputs, so the variance halves at each layer unless He doubles it.",
        _he,
        choices=_SPREAD_CHOICES,
    ),
    Exercise(
        "init-he-he", "init-he",
        "ReLU with He weights: what happens to the activations' std from layer 1 to layer 5?",
        lambda m: _spread_answer(_spread(m, "B")),
        "With He, layer 5's std is {he:.2f} of layer 1's (with Xavier {xavier:.2f}): the doubled variance "
        "makes up for the {zeros:.0f} % of outputs that ReLU zeroes.",
        _he,
        choices=_SPREAD_CHOICES,
    ),
    Exercise(
        "batchnorm-saturation", "batchnorm",
        "Std 1 weights again, now with batch norm before each sigmoid. What share of the outputs is saturated?",
        lambda m: _saturation_answer(_saturation(m, "B")["high"]),
        "With batch norm at most {with_bn:.1f} % are saturated in any layer; without it at least "
        "{without:.0f} %: the sums are normalized over the batch whatever the weight scale.",
        _batchnorm,
        choices=("under 5 %", "5 … 30 %", "over 30 %, as without it"),
    ),
)
