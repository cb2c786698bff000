"""The set-up of the backpropagation step-through: a tiny network, one sample, and its names.

``BackpropSetup`` is a fully connected network of 2–4 layers of 1–4 units (e.g. 2-2-1 or
2-3-2), a hidden activation, a loss (½·squared error with a sigmoid or identity output, or
softmax cross-entropy), one input, its target and a learning rate; it validates itself on
creation. This module also names the nodes, weights and biases the way the lecture writes
them (``x₁``, ``w(x₁→h₂)``), formats numbers for the step texts (``fmt``) and parses what the
user types (``parse_sizes``, ``parse_numbers``). ``engine.backprop_trace`` walks the
computation of a set-up one scalar at a time.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass

import numpy as np

from engine import activations, validate

MAX_UNITS = 4
MIN_LAYERS, MAX_LAYERS = 2, 4  # counting the input layer: 2 = no hidden layer, 4 = two hidden
#: Hidden activations offered: the elementwise ones without a learned parameter.
HIDDEN_ACTIVATIONS = tuple(activations.elementwise_names(learned=False))
#: loss name → (display name, output activation). Softmax is the cross-entropy's output.
LOSSES = {
    "mse_sigmoid": ("½·squared error, sigmoid output", "sigmoid"),
    "mse_identity": ("½·squared error, linear output", "identity"),
    "cross_entropy": ("Softmax cross-entropy", "softmax"),
}
#: Letters of the node names per layer: inputs x, hidden h then g, outputs y.
_LETTERS = {2: "xy", 3: "xhy", 4: "xhgy"}
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def fmt(v: float) -> str:
    """A number as the step texts show it: 4 significant digits and a real minus sign."""
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    text = f"{v:.4g}"
    if text in ("-0", "0"):
        return "0"
    return text.replace("-", "−")


def parse_number(text: str, what: str) -> float:
    """A typed number (``−`` and ``,`` as decimal comma tolerated) or a ``ValueError`` naming ``what``."""
    cleaned = str(text).strip().replace("−", "-")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"{what} must be a number, got {text!r}") from None
    return validate.number(value, what)


def parse_numbers(text: str, what: str, count: int | None = None) -> tuple[float, ...]:
    """``"1, −0.5"`` → (1.0, −0.5); ``count`` fixes how many are needed."""
    parts = [p for p in re.split(r"[,;\s]+", str(text).strip()) if p]
    values = tuple(parse_number(p, what) for p in parts)
    if count is not None and len(values) != count:
        raise ValueError(f"{what} needs {count} number{'s' if count != 1 else ''}, got {len(values)} in {text!r}")
    return values


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"2-3-2"`` → (2, 3, 2): 2–4 layers of 1–4 units, or a ``ValueError`` saying so."""
    parts = [p for p in re.split(r"[-–,\s×x]+", str(text).strip()) if p]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        sizes = ()
    if not MIN_LAYERS <= len(sizes) <= MAX_LAYERS or not all(1 <= s <= MAX_UNITS for s in sizes):
        raise ValueError(f"layers must be {MIN_LAYERS}–{MAX_LAYERS} sizes of 1–{MAX_UNITS} units "
                         f"like 2-2-1 or 2-3-2, got {text!r}")
    return sizes


def node_name(sizes, layer: int, unit: int) -> str:
    """``x₁``, ``h₂``, ``y₁``: a letter per layer and the unit's number."""
    return f"{_LETTERS[len(sizes)][layer]}{str(unit + 1).translate(_SUB)}"


def weight_name(sizes, layer: int, i: int, j: int) -> str:
    """The weight on the edge from unit ``i`` of ``layer`` to unit ``j`` of ``layer + 1``."""
    return f"w({node_name(sizes, layer, i)}→{node_name(sizes, layer + 1, j)})"


def bias_name(sizes, layer: int, j: int) -> str:
    """The bias of unit ``j`` of ``layer + 1``."""
    return f"b({node_name(sizes, layer + 1, j)})"


def default_parameters(sizes, seed: int = 0) -> tuple[tuple, tuple]:
    """Readable starting weights (one decimal, in [−1, 1], never 0) and biases for ``sizes``."""
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = np.round(rng.uniform(-1, 1, size=(fan_in, fan_out)), 1)
        w[w == 0] = 0.1
        weights.append(tuple(tuple(float(v) for v in row) for row in w))
        biases.append(tuple(float(v) for v in np.round(rng.uniform(-0.5, 0.5, size=fan_out), 1)))
    return tuple(weights), tuple(biases)


@dataclass(frozen=True)
class BackpropSetup:
    """Everything the step-through depends on; invalid values raise ``ValueError`` on creation.

    ``weights[l][i][j]`` joins unit ``i`` of layer ``l`` to unit ``j`` of layer ``l + 1``;
    ``biases[l][j]`` belongs to unit ``j`` of layer ``l + 1``. For cross-entropy ``target`` is
    one-hot (the class), for squared error any numbers (one per output).
    """

    sizes: tuple = (2, 2, 1)
    activation: str = "sigmoid"
    loss: str = "mse_sigmoid"
    weights: tuple = (((0.5, -0.3), (0.8, 0.2)), ((0.7,), (-0.4,)))
    biases: tuple = ((0.1, -0.1), (0.2,))
    x: tuple = (1.0, 0.5)
    target: tuple = (1.0,)
    lr: float = 0.5

    def __post_init__(self):
        sizes = tuple(validate.integer(s, "every layer size", 1, MAX_UNITS) for s in self.sizes)
        if not MIN_LAYERS <= len(sizes) <= MAX_LAYERS:
            raise ValueError(f"the network needs {MIN_LAYERS}–{MAX_LAYERS} layers, got {len(sizes)}")
        object.__setattr__(self, "sizes", sizes)
        act = activations.REGISTRY.canonical(self.activation)
        if act not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"hidden activation must be one of: {', '.join(HIDDEN_ACTIVATIONS)}; got {self.activation!r}")
        object.__setattr__(self, "activation", act)
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; choose one of: {', '.join(LOSSES)}")
        n_out = sizes[-1]
        if self.loss == "cross_entropy" and n_out < 2:
            raise ValueError("softmax cross-entropy needs at least 2 outputs (e.g. 2-2-2)")
        weights, biases = [], []
        for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            w = np.asarray(self.weights[layer] if layer < len(self.weights) else (), dtype=object)
            if w.shape != (fan_in, fan_out):
                raise ValueError(f"weights of layer {layer + 1} must be {fan_in}×{fan_out}, got shape {w.shape}")
            weights.append(tuple(tuple(validate.number(v, weight_name(sizes, layer, i, j)) for j, v in enumerate(row))
                                 for i, row in enumerate(w)))
            b = tuple(self.biases[layer]) if layer < len(self.biases) else ()
            if len(b) != fan_out:
                raise ValueError(f"biases of layer {layer + 1} must be {fan_out} numbers, got {len(b)}")
            biases.append(tuple(validate.number(v, bias_name(sizes, layer, j)) for j, v in enumerate(b)))
        if len(self.weights) != len(sizes) - 1 or len(self.biases) != len(sizes) - 1:
            raise ValueError(f"a {'-'.join(map(str, sizes))} network has {len(sizes) - 1} weight layers, "
                             f"got {len(self.weights)} weight and {len(self.biases)} bias layers")
        object.__setattr__(self, "weights", tuple(weights))
        object.__setattr__(self, "biases", tuple(biases))
        if len(self.x) != sizes[0]:
            raise ValueError(f"the input needs {sizes[0]} numbers, got {len(self.x)}")
        object.__setattr__(self, "x", tuple(validate.number(v, "every input") for v in self.x))
        if len(self.target) != n_out:
            raise ValueError(f"the target needs {n_out} numbers (one per output), got {len(self.target)}")
        target = tuple(validate.number(v, "every target") for v in self.target)
        if self.loss == "cross_entropy" and sorted(target) != [0.0] * (n_out - 1) + [1.0]:
            raise ValueError(f"the cross-entropy target must be one-hot (one 1, the rest 0), got {target}")
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "lr", validate.number(self.lr, "learning rate η", positive=True))

    @property
    def output_activation(self) -> str:
        return LOSSES[self.loss][1]

    @property
    def label(self) -> int:
        """The class index of a one-hot target (cross-entropy)."""
        return int(np.argmax(self.target))

    def arrays(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Fresh float64 arrays (W of shape fan_in × fan_out, b) per layer."""
        return ([np.array(w, dtype=np.float64) for w in self.weights],
                [np.array(b, dtype=np.float64) for b in self.biases])

    def with_sizes(self, sizes, seed: int = 0) -> "BackpropSetup":
        """The same set-up resized: entries that still exist keep their values, new ones get
        ``default_parameters(sizes, seed)``; a different number of layers starts afresh."""
        sizes = tuple(sizes)
        weights, biases = default_parameters(sizes, seed)
        if len(sizes) == len(self.sizes):
            def keep(old, new):  # old values where they fit, new ones elsewhere (nested tuples)
                if not isinstance(new, tuple):
                    return old
                return tuple(keep(old[k], n) if k < len(old) else n for k, n in enumerate(new))

            weights, biases = keep(self.weights, weights), keep(self.biases, biases)
        x = tuple(self.x[i] if i < len(self.x) else 0.5 for i in range(sizes[0]))
        loss = "mse_sigmoid" if self.loss == "cross_entropy" and sizes[-1] < 2 else self.loss
        return BackpropSetup(sizes, self.activation, loss, weights, biases, x,
                             _fit_target(self.target, sizes[-1], loss), self.lr)

    def with_loss(self, loss: str) -> "BackpropSetup":
        """The same set-up with another loss (the target adapted: one-hot for cross-entropy)."""
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of: {', '.join(LOSSES)}")
        return dataclasses.replace(self, loss=loss, target=_fit_target(self.target, self.sizes[-1], loss))


def _fit_target(target, n_out: int, loss: str) -> tuple:
    if loss == "cross_entropy":
        label = int(np.argmax(target[:n_out])) if target else 0
        return tuple(1.0 if k == label else 0.0 for k in range(n_out))
    return tuple(float(target[k]) if k < len(target) else 0.0 for k in range(n_out))


def with_parameter(setup: BackpropSetup, key: tuple, value: float) -> BackpropSetup:
    """``setup`` with the weight ``("W", l, i, j)`` or bias ``("b", l, j)`` set to ``value``."""
    value = validate.number(value, "a weight or bias")
    weights = [[list(row) for row in w] for w in setup.weights]
    biases = [list(v) for v in setup.biases]
    try:
        if key[0] == "W":
            weights[key[1]][key[2]][key[3]] = value
        elif key[0] == "b":
            biases[key[1]][key[2]] = value
        else:
            raise IndexError
    except (IndexError, TypeError):
        raise ValueError(f"no parameter {key!r} in a {'-'.join(map(str, setup.sizes))} network") from None
    return dataclasses.replace(setup, weights=tuple(tuple(map(tuple, w)) for w in weights),
                               biases=tuple(map(tuple, biases)))
