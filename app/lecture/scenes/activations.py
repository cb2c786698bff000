"""The Activations panel's lecture scenes (part 1), as data over ``app.models.activations``.

Each check measures what the panel computed (the depth experiment's gradients and dead units,
the stack, softmax, the hover read-out), read from the model once the scene's results are in
(``finished``: the depth results belong to the scene's settings).
"""

from __future__ import annotations

import numpy as np

from app.lecture.scene import Check, Scene
from app.models.activations import STACK_X


def _current(model) -> bool:
    return model.is_current()


def _hover(model) -> dict[str, float]:
    """f′ at the hover x, per shown activation."""
    return {name: d for name, _f, d in model.hover_values()}


def _spread(model, name: str) -> float:
    """Largest over smallest gradient reaching any layer (1: the same everywhere)."""
    g = model.results[name].grad_rms
    return float(g.max() / g.min())


SCENES = (
    Scene(
        "linear-stacking", "activations", "Stacking linear layers gains nothing", "activations",
        "Five layers of f(x) = 0.9·x are one layer: the stacked curve is the straight line 0.9⁵·x. "
        "Its derivative is the constant a, whatever the input, so a deeper linear network can only "
        "rescale its input. Pick ReLU in the stacking tab to see a nonlinearity bend the result.",
        state={"shown": ["identity", "relu"], "tab": "stack",
               "stack": {"slope": 0.9, "depth": 5, "activation": "identity"}},
        checks=(
            Check("five stacked linear layers equal one linear layer with weight 0.9⁵ (max difference < 1e-12)",
                  lambda m: float(np.max(np.abs(m.stack_outputs()[-1] - m.stack_as_one_layer()))),
                  lambda diff: diff < 1e-12),
            Check("the stack's slope is the same at every x (spread < 1e-9)",
                  lambda m: float(np.ptp(np.gradient(m.stack_outputs()[-1], STACK_X))),
                  lambda spread: spread < 1e-9),
        ),
    ),
    Scene(
        "sigmoid-vanishing", "activations", "Sigmoid: the gradient vanishes layer by layer", "activations",
        "The right plot shows σ′(x) ≤ 0.25 (the read-out at x = 0). The lower plot shows the gradient "
        "reaching each of 10 layers on a log scale, both lines with He weights (std √(2/n), the "
        "initialization made for ReLU). ReLU (slope 1 for x > 0) keeps about the same gradient in every "
        "layer, while the sigmoid's falls by a factor of about 3 per layer; with Xavier weights it falls "
        "even faster, about 4 times. Press Step to add layers and watch the sigmoid line sink further.",
        state={"shown": ["sigmoid", "relu"], "tab": "depth", "depth": 10, "init": "he", "hover": 0.0},
        finished=_current,
        checks=(
            Check("the gradient reaching layer 1 through 10 sigmoid layers is < 1e-3 of layer 10's",
                  lambda m: m.gradient_ratio("sigmoid", 1), lambda r: r < 1e-3),
            Check("the sigmoid's gradient falls by a factor of 2.5 … 4 per layer",
                  lambda m: m.gradient_ratio("sigmoid", 0) ** (-1 / 10), lambda f: 2.5 < f < 4),
            Check("ReLU's gradient stays within a factor 2 across all layers",
                  lambda m: _spread(m, "relu"), lambda r: r < 2),
            Check("ReLU keeps > 100× more gradient at the input than sigmoid",
                  lambda m: m.gradient_ratio("relu", 0) / m.gradient_ratio("sigmoid", 0), lambda r: r > 100),
            Check("σ′(0) read out at x = 0 is at most 0.25",
                  lambda m: _hover(m)["sigmoid"], lambda d: 0 < d <= 0.25),
        ),
    ),
    Scene(
        "tanh", "activations", "Tanh: zero-centred, but it still vanishes", "activations",
        "Tanh runs from −1 to 1 through 0, so its outputs have both signs (no zig-zag), and its "
        "slope at 0 is 1 instead of 0.25. The lower plot shows that its gradient still shrinks with "
        "depth, only more slowly than the sigmoid's.",
        state={"shown": ["sigmoid", "tanh"], "tab": "depth", "depth": 10, "hover": 0.0},
        finished=_current,
        checks=(
            Check("tanh's gradient still shrinks through 10 layers (input receives < 0.5 of the output's)",
                  lambda m: m.gradient_ratio("tanh", 0), lambda r: r < 0.5),
            Check("but more slowly: > 100× more of it reaches the input than the sigmoid's",
                  lambda m: m.gradient_ratio("tanh", 0) / m.gradient_ratio("sigmoid", 0), lambda r: r > 100),
            Check("tanh′(0) = 1, four times σ′(0)",
                  lambda m: (_hover(m)["tanh"], _hover(m)["sigmoid"]),
                  lambda d: abs(d[0] - 1) < 1e-9 and abs(d[0] / d[1] - 4) < 1e-9),
        ),
    ),
    Scene(
        "dying-relu", "activations", "Dying ReLU", "activations",
        "A bias of −1.5 (as after one too-large update) pushes most inputs below 0, where ReLU outputs "
        "0 and passes a gradient of exactly 0: the plot counts units that are 0 for every sample, "
        "layer by layer. Leaky ReLU and ELU keep a small slope for x < 0, so none of their units die.",
        state={"shown": ["relu", "leaky_relu", "elu"], "tab": "dead", "depth": 10, "init": "he", "bias": -1.5},
        finished=_current,
        checks=(
            Check("more than half of some layer's ReLU units are dead", lambda m: m.dead_share("relu"),
                  lambda share: share > 0.5),
            Check("no Leaky ReLU or ELU unit dies", lambda m: (m.dead_share("leaky_relu"), m.dead_share("elu")),
                  lambda shares: shares == (0.0, 0.0)),
        ),
    ),
    Scene(
        "relu-variants", "activations", "Leaky ReLU, PReLU and ELU", "activations",
        "All three change only the negative side of ReLU. Leaky ReLU keeps the lecture's slope 0.1, "
        "PReLU's slope a (0.25 here) is learned in training, and ELU bends smoothly to −α. The read-out "
        "at x = −2 shows f′ = 0 for ReLU but not for the others: their units keep learning.",
        state={"shown": ["relu", "leaky_relu", "elu", "prelu"], "tab": "depth", "depth": 10, "init": "he",
               "alpha": {"leaky_relu": 0.1}, "hover": -2.0},
        finished=_current,
        checks=(
            Check("at x = −2 ReLU passes no gradient (f′ = 0)", lambda m: _hover(m)["relu"], lambda d: d == 0),
            Check("at x = −2 Leaky ReLU, PReLU and ELU still do (f′ > 0)",
                  lambda m: [_hover(m)[n] for n in ("leaky_relu", "prelu", "elu")],
                  lambda ds: all(d > 0 for d in ds)),
        ),
    ),
    Scene(
        "softmax", "activations", "Softmax: shares that sum to 1", "activations",
        "The book's logits 0.3, 2.9 and 4.0 become probabilities 0.018, 0.245 and 0.737: each in (0, 1), "
        "together exactly 1, and the order is kept. Edit a logit to see every share change, because "
        "each is eᶻ divided by the sum over all classes.",
        state={"shown": ["sigmoid", "tanh", "relu", "leaky_relu", "elu"], "tab": "softmax", "logits": [0.3, 2.9, 4.0]},
        checks=(
            Check("the probabilities are 0.018, 0.245 and 0.737",
                  lambda m: [round(float(p), 3) for p in m.probabilities()], lambda p: p == [0.018, 0.245, 0.737]),
            Check("they sum to 1", lambda m: float(m.probabilities().sum()), lambda total: abs(total - 1) < 1e-12),
        ),
    ),
)
