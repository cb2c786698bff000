"""Lecture scenes of the Initialization panel (part 3, and batch norm of part 4), as data.

Each scene sets configurations A and B over the panel's defaults (the book's 1000 × 100 inputs
through 5 layers of 100, seed 0) and checks what the histograms show on the model's computed
per-layer numbers: collapse, saturation, a kept spread.
"""

from __future__ import annotations

from app.lecture.scene import Check, Scene
from app.models.init import PRESETS


def _pair(a: tuple, b: tuple | None = None) -> dict:
    """A partial State: A = ``(activation, init)``, B likewise, or compare off when None."""
    state = {"a": {"activation": a[0], "init": a[1]}, "compare": b is not None}
    if b is not None:
        state["b"] = {"activation": b[0], "init": b[1]}
    return state


def _preset(index: int) -> dict:
    """The partial State of the panel's preset button ``index`` (A, B, compare on)."""
    _text, _tip, a, b = PRESETS[index]
    return {"a": a.to_dict(), "b": b.to_dict(), "compare": True}


def _up_to_date(model) -> bool:
    return model.up_to_date()


def _last(model, key: str, name: str) -> float:
    """A per-layer number of the last layer of configuration ``key``."""
    return float(model.column(key, name)[-1])


def _every_layer(model, key: str, name: str) -> tuple[float, ...]:
    return tuple(float(v) for v in model.column(key, name))


def _saturated(key: str, claim: str, holds) -> Check:
    """A check on the share of saturated outputs of configuration ``key``, layer by layer."""
    return Check(claim, lambda m: _every_layer(m, key, "share_saturated"), holds)


def _spread_ratio(model, key: str) -> float:
    """std of the last layer's activations over the first's: 1 = the spread is kept."""
    std = model.column(key, "std")
    return float(std[-1] / std[0])


def _variance_ratio(model, key: str, name: str) -> float:
    """Layer 1's variance of ``name`` ("pre_std": the weighted sum, "std": the outputs) over its input's."""
    return float((model.column(key, name)[0] / model.column(key, "in_std")[0]) ** 2)


def _std_factor_per_layer(model, key: str) -> float:
    """The geometric mean of std(layer l+1)/std(layer l): √½ ≈ 0.71 when the variance halves."""
    std = model.column(key, "std")
    return float((std[-1] / std[0]) ** (1 / (len(std) - 1)))


SCENES: tuple[Scene, ...] = (
    Scene(
        "init-std-0.01", "init", "Init std 0.01: every neuron the same", "init",
        "With weights from N(0, 0.01²) every weighted sum is nearly 0, so all sigmoid outputs pile up at "
        "0.5 (A) and tanh outputs collapse onto 0 (B). Neurons that all output the same value also "
        "receive the same update: the layer acts like a single neuron and cannot express much.",
        state=_pair(("sigmoid", "std0.01"), ("tanh", "std0.01")),
        checks=(
            Check("sigmoid outputs of layer 5 sit at 0.5 with std < 0.02",
                  lambda m: (_last(m, "A", "mean"), _last(m, "A", "std")),
                  lambda v: abs(v[0] - 0.5) < 0.01 and v[1] < 0.02),
            Check("tanh outputs of layer 5 collapse onto 0 (std < 1e-3)",
                  lambda m: _last(m, "B", "std"), lambda v: v < 1e-3),
        ),
        finished=_up_to_date,
    ),
    Scene(
        "init-std-1", "init", "Init std 1: saturated sigmoids", "init",
        "With weights from N(0, 1) the weighted sums are large, so the sigmoid outputs pile up at 0 and "
        "1 in every layer. There σ′ ≈ 0: the 'f′ < 0.01' column counts about half of all units, and each "
        "of them passes back less than 1 % of the gradient it receives. Yet the Backward tab shows mean "
        "|∂L/∂a| about flat from layer 5 to layer 1: the weights are 10 times Xavier's, and across a "
        "layer they make up for the units that pass little. So this is not the vanishing gradient; what "
        "suffers is learning in the saturated units (their ∂L/∂W is ≈ 0). Vanishing appears where the "
        "weights do not make up for σ′ ≤ 0.25: with Xavier the gradient falls about 4 times per sigmoid "
        "layer (the Xavier scene; 'Sigmoid: the gradient vanishes layer by layer' for 10 layers).",
        state=_pair(("sigmoid", "std1")),
        checks=(
            _saturated("A", "over 30 % of the sigmoid outputs are saturated in every layer", lambda v: min(v) > 0.3),
            Check("over 30 % of the units have σ′ < 0.01 in every layer",
                  lambda m: _every_layer(m, "A", "share_flat"), lambda v: min(v) > 0.3),
            Check("yet mean |∂L/∂a| at layer 1 is within a factor 2 of layer 5's (no vanishing)",
                  lambda m: m.gradient_ratio("A"), lambda r: 0.5 < r < 2),
        ),
        finished=_up_to_date,
    ),
    Scene(
        "init-xavier", "init", "Xavier keeps sigmoid layers spread", "init",
        "Xavier draws weights with std √(2/(n_in + n_out)) (0.1 for these 100-unit layers), so a "
        "layer's weighted sum has about the variance of its input when that input has mean 0, as in "
        "layer 1. That holds for the sum, not for the sigmoid outputs: σ squeezes it into (0, 1) with "
        "slope ≤ 0.25, so their variance is far smaller. B's histograms stay spread over (0, 1) in every "
        "layer and no unit has σ′ < 0.01, while A (std 1) is saturated at 0 and 1. Xavier suits sigmoid "
        "and tanh; the log plot shows that the gradient still shrinks through sigmoid layers (σ′ ≤ 0.25): "
        "this is where vanishing appears.",
        state=_preset(1),
        checks=(
            _saturated("A", "std 1 saturates over 30 % of the outputs in every layer", lambda v: min(v) > 0.3),
            _saturated("B", "Xavier saturates under 1 % in every layer", lambda v: max(v) < 0.01),
            Check("with Xavier under 1 % of the units have σ′ < 0.01 in every layer, with std 1 over 30 %",
                  lambda m: (max(_every_layer(m, "B", "share_flat")), min(_every_layer(m, "A", "share_flat"))),
                  lambda v: v[0] < 0.01 and v[1] > 0.3),
            Check("layer 1's weighted sum keeps its input's variance (ratio 0.8 … 1.25) with Xavier",
                  lambda m: _variance_ratio(m, "B", "pre_std"), lambda r: 0.8 < r < 1.25),
            Check("but its sigmoid outputs have < 1/10 of that variance",
                  lambda m: _variance_ratio(m, "B", "std"), lambda r: r < 0.1),
            Check("with Xavier the gradient reaching layer 1 is < 1/10 of layer 5's (σ′ ≤ 0.25)",
                  lambda m: m.gradient_ratio("B"), lambda v: v < 0.1),
            Check("it falls by a factor of about 4 per layer (3 … 5)",
                  lambda m: m.gradient_ratio("B") ** (-1 / (len(m.column("B", "std")) - 1)), lambda v: 3 < v < 5),
        ),
        finished=_up_to_date,
    ),
    Scene(
        "init-he", "init", "He for ReLU", "init",
        "ReLU zeroes half of its inputs, so with Xavier (A) the variance of the outputs halves at every "
        "layer: the std shrinks by √½ ≈ 0.71 per layer and the activations sink towards 0. He uses std "
        "√(2/n_in), twice Xavier's variance, which makes up for the lost half and keeps every layer's "
        "distribution the same (B). The spike of zeros is cut off; the 'zeros' column counts it.",
        state=_preset(4),
        checks=(
            Check("with Xavier the std shrinks by about √½ per layer (mean factor 0.62 … 0.8)",
                  lambda m: _std_factor_per_layer(m, "A"), lambda v: 0.62 < v < 0.8),
            Check("with Xavier, layer 5's std is under half of layer 1's",
                  lambda m: _spread_ratio(m, "A"), lambda v: v < 0.5),
            Check("with He, layer 5's std stays within a factor 1.5 of layer 1's",
                  lambda m: _spread_ratio(m, "B"), lambda v: 1 / 1.5 < v < 1.5),
            Check("about half of the ReLU outputs are exactly 0 in every layer",
                  lambda m: _every_layer(m, "B", "share_zero"), lambda v: all(0.4 < s < 0.6 for s in v)),
        ),
        finished=_up_to_date,
    ),
    Scene(
        "batchnorm", "techniques", "Batch norm vs none", "init",
        "Both use the bad std 1 weights. Without batch norm (A) the sigmoids saturate; with it (B) "
        "every unit's sum is normalized over the batch (x̂ = (x − μ)/σ, then γx̂ + β) before the "
        "activation, so "
        "the histograms stay spread whatever the weight scale. That is why it makes training less "
        "dependent on the initialization.",
        state=_preset(5),
        checks=(
            _saturated("A", "without batch norm over 30 % of the outputs are saturated in every layer",
                       lambda v: min(v) > 0.3),
            _saturated("B", "with batch norm under 5 % are saturated in every layer", lambda v: max(v) < 0.05),
        ),
        finished=_up_to_date,
    ),
)
