"""Backpropagation by hand (the lecture's assignment 2): one sample through a tiny network.

``BackpropSetup`` is a fully connected network of 2–4 layers of 1–4 units (e.g. 2-2-1 or
2-3-2), a hidden activation, a loss (½·squared error with a sigmoid or identity output, or
softmax cross-entropy), one input, its target and a learning rate. ``trace(setup)`` walks the
computation the way the lecture does on the blackboard, one scalar at a time, and returns an
ordered list of ``TraceStep``: forward (each node's z = Σ w·a + b, then a = f(z)), the loss,
backward (every local derivative and ∂L/∂a, ∂L/∂z, ∂L/∂w, ∂L/∂b by the chain rule) and the
update w ← w − η·∂L/∂w. Each step carries a one-line explanation, its formula with the numbers,
the nodes and edges to highlight and the quantities it makes known.

The scalar loops are deliberately *not* the engine's matrix code, so the tests can check one
against the other (``engine.layers`` / ``engine.network``) and both against central differences
(``engine.gradcheck``), which ``Trace`` also carries for the numerical-gradient column.

Every sentence shown to the user lives in ``TEXTS`` (one place for a later translation pass).
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field

import numpy as np

from engine import activations as _activations
from engine import validate
from engine.gradcheck import numerical_gradient

MAX_UNITS = 4
MIN_LAYERS, MAX_LAYERS = 2, 4  # counting the input layer: 2 = no hidden layer, 4 = two hidden
#: Hidden activations offered: the elementwise ones without a learned parameter.
HIDDEN_ACTIVATIONS = tuple(_activations.elementwise_names(learned=False))
#: loss name → (display name, output activation). Softmax is the cross-entropy's output.
LOSSES = {
    "mse_sigmoid": ("½·squared error, sigmoid output", "sigmoid"),
    "mse_identity": ("½·squared error, linear output", "identity"),
    "cross_entropy": ("Softmax cross-entropy", "softmax"),
}
PHASES = ("forward", "loss", "backward", "update")
#: Letters of the node names per layer: inputs x, hidden h then g, outputs y.
_LETTERS = {2: "xy", 3: "xhy", 4: "xhgy"}
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

#: Every user-facing sentence, keyed by step kind (``{...}`` fields are filled per step).
TEXTS = {
    "input": "The sample enters the network: {node} = {value}.",
    "weighted_sum": "{node} adds up its inputs, each times its weight, plus its bias: the weighted sum z.",
    "activation": "{node} passes z through {act}: this is the node's output a.",
    "softmax": "Softmax turns the output sums into probabilities: {node} is e^z over the sum of e^z.",
    "loss_mse": "The loss compares the output with the target: L = ½·Σ(y − t)².",
    "loss_ce": "The loss is the cross-entropy: L = −Σ t·log y, small when the right class is likely.",
    "dloss_mse": "Backward starts at the loss: ∂L/∂{node} = {node} − t, how the loss changes with this output.",
    "dz_output": "Chain rule through {act}: ∂L/∂z = ∂L/∂a · ∂a/∂z at {node}.",
    "dz_softmax": "Softmax and cross-entropy together have a simple local gradient at {node}: ∂L/∂z = y − t.",
    "dweight": "∂z/∂w is the input on this edge, so ∂L/∂w = ∂L/∂z of {dst} · {src}.",
    "dbias": "∂z/∂b = 1, so the bias of {node} gets ∂L/∂b = ∂L/∂z.",
    "dact": "∂L/∂a of {node} collects ∂L/∂z · w from every edge leaving it (∂z/∂a = w).",
    "dz_hidden": "Chain rule through {act} at {node}: ∂L/∂z = ∂L/∂a · f′(z).",
    "update": "Gradient descent on the parameters into {node}: each w ← w − η·∂L/∂w (η = {lr}).",
}


def fmt(v: float) -> str:
    """A number as the step texts show it: 4 significant digits and a real minus sign."""
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    text = f"{v:.4g}"
    if text in ("-0", "0"):
        return "0"
    return text.replace("-", "−")


def _paren(v: float) -> str:
    s = fmt(v)
    return f"({s})" if s.startswith("−") else s


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
        act = _activations.REGISTRY.canonical(self.activation)
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


# ---- the computation (scalar loops, the way it is done by hand) ---------------------------------
def _act(name: str):
    return _activations.get(name)


def forward(setup: BackpropSetup, weights=None, biases=None) -> tuple[list[np.ndarray], list[np.ndarray], float]:
    """(z per layer, a per layer, loss); layer 0's z is None and a is the input.

    ``weights``/``biases`` override the set-up's (the numerical gradient perturbs them).
    """
    if weights is None:
        weights, biases = setup.arrays()
    a = [np.array(setup.x, dtype=np.float64)]
    z: list = [None]
    n_layers = len(setup.sizes)
    hidden = _act(setup.activation)
    for l in range(n_layers - 1):
        zl = a[l] @ weights[l] + biases[l]
        z.append(zl)
        if l == n_layers - 2:
            if setup.output_activation == "softmax":
                a.append(_activations.get("softmax").forward(zl))
            else:
                a.append(np.asarray(_act(setup.output_activation).forward(zl), dtype=np.float64))
        else:
            a.append(np.asarray(hidden.forward(zl), dtype=np.float64))
    return z, a, _loss(setup, a[-1])


def _loss(setup: BackpropSetup, y: np.ndarray) -> float:
    t = np.array(setup.target)
    if setup.loss == "cross_entropy":
        return float(-np.sum(t * np.log(np.maximum(y, 1e-300))))
    return float(0.5 * np.sum((y - t) ** 2))


@dataclass(frozen=True)
class TraceStep:
    """One highlighted step. ``nodes``: (layer, unit); ``edges``: (layer, i, j) as in ``weights``.

    ``reveals`` maps quantity keys to the values this step computes: ("z"|"a"|"dz"|"da", layer,
    unit), ("dW"|"W_new", layer, i, j), ("db"|"b_new", layer, j) and ("loss",).
    """

    phase: str
    kind: str
    text: str
    formula: str
    nodes: tuple = ()
    edges: tuple = ()
    params: tuple = ()  # ("W", l, i, j) / ("b", l, j) of the parameter rows involved
    reveals: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ParamRow:
    """One row of the weights table: a weight or bias with its gradients and updated value."""

    key: tuple  # ("W", l, i, j) or ("b", l, j)
    name: str
    value: float
    grad: float  # backprop
    numerical: float
    rel_error: float
    updated: float


@dataclass(frozen=True)
class Trace:
    """The result of ``trace``: the steps, the forward values, the gradients and the table rows."""

    setup: BackpropSetup
    steps: tuple
    z: list
    a: list
    loss: float
    grad_W: list
    grad_b: list
    num_W: list
    num_b: list
    new_W: list
    new_b: list
    rows: tuple

    def index_of(self, phase: str) -> int:
        """The first step of ``phase`` (``ValueError`` for unknown phases)."""
        if phase not in PHASES:
            raise ValueError(f"unknown phase {phase!r}; choose one of: {', '.join(PHASES)}")
        return next(i for i, s in enumerate(self.steps) if s.phase == phase)

    def known(self, index: int) -> dict:
        """Every quantity revealed by steps 0…``index`` (the graph draws these)."""
        out: dict = {}
        for step in self.steps[: max(0, index + 1)]:
            out.update(step.reveals)
        return out


def _text(kind: str, **fields) -> str:
    return TEXTS[kind].format(**fields)


def trace(setup: BackpropSetup, eps: float = 1e-6) -> Trace:
    """Forward, loss, backward and update of ``setup``'s sample as a list of steps; see module doc."""
    sizes = setup.sizes
    last = len(sizes) - 1
    W, b = setup.arrays()
    z, a, loss = forward(setup, W, b)
    name = lambda l, u: node_name(sizes, l, u)  # noqa: E731
    hidden = _act(setup.activation)
    hidden_label = hidden.display_name
    out_act = setup.output_activation
    steps: list[TraceStep] = []

    # forward ---------------------------------------------------------------------------------
    for i, v in enumerate(setup.x):
        steps.append(TraceStep("forward", "input", _text("input", node=name(0, i), value=fmt(v)),
                               f"a({name(0, i)}) = {fmt(v)}", nodes=((0, i),), reveals={("a", 0, i): v}))
    for l in range(1, last + 1):
        act_name = out_act if l == last else setup.activation
        softmax = act_name == "softmax"
        order = ([("z", j) for j in range(sizes[l])] + [("a", j) for j in range(sizes[l])] if softmax
                 else [(q, j) for j in range(sizes[l]) for q in ("z", "a")])
        for q, j in order:
            node = name(l, j)
            if q == "z":
                terms = " + ".join(f"{_paren(W[l - 1][i, j])}·{_paren(a[l - 1][i])}" for i in range(sizes[l - 1]))
                steps.append(TraceStep(
                    "forward", "weighted_sum", _text("weighted_sum", node=node),
                    f"z({node}) = {terms} + {_paren(b[l - 1][j])} = {fmt(z[l][j])}",
                    nodes=((l, j),) + tuple((l - 1, i) for i in range(sizes[l - 1])),
                    edges=tuple((l - 1, i, j) for i in range(sizes[l - 1])),
                    params=tuple(("W", l - 1, i, j) for i in range(sizes[l - 1])) + (("b", l - 1, j),),
                    reveals={("z", l, j): float(z[l][j])}))
            elif softmax:
                steps.append(TraceStep(
                    "forward", "softmax", _text("softmax", node=node),
                    f"a({node}) = e^{_paren(z[l][j])} / Σ e^z = {fmt(a[l][j])}",
                    nodes=tuple((l, k) for k in range(sizes[l])), reveals={("a", l, j): float(a[l][j])}))
            else:
                label = _act(act_name).display_name
                steps.append(TraceStep(
                    "forward", "activation", _text("activation", node=node, act=label),
                    f"a({node}) = {label}({fmt(z[l][j])}) = {fmt(a[l][j])}",
                    nodes=((l, j),), reveals={("a", l, j): float(a[l][j])}))

    # loss ------------------------------------------------------------------------------------
    t = setup.target
    outs = tuple((last, k) for k in range(sizes[last]))
    if setup.loss == "cross_entropy":
        terms = " − ".join(f"{fmt(t[k])}·log {fmt(a[last][k])}" for k in range(sizes[last]) if t[k])
        formula = f"L = −{terms} = {fmt(loss)}"
        kind = "loss_ce"
    else:
        terms = " + ".join(f"({fmt(a[last][k])} − {_paren(t[k])})²" for k in range(sizes[last]))
        formula = f"L = ½·[{terms}] = {fmt(loss)}"
        kind = "loss_mse"
    steps.append(TraceStep("loss", kind, _text(kind), formula, nodes=outs, reveals={("loss",): loss}))

    # backward --------------------------------------------------------------------------------
    dz = [None] * (last + 1)
    da = [None] * (last + 1)
    gW = [np.zeros_like(w) for w in W]
    gb = [np.zeros_like(v) for v in b]
    dz[last] = np.zeros(sizes[last])
    da[last] = np.zeros(sizes[last])
    for k in range(sizes[last]):
        node = name(last, k)
        if setup.loss == "cross_entropy":
            dz[last][k] = a[last][k] - t[k]
            steps.append(TraceStep(
                "backward", "dz_softmax", _text("dz_softmax", node=node),
                f"∂L/∂z({node}) = {fmt(a[last][k])} − {fmt(t[k])} = {fmt(dz[last][k])}",
                nodes=((last, k),), reveals={("dz", last, k): float(dz[last][k])}))
            continue
        da[last][k] = a[last][k] - t[k]
        steps.append(TraceStep(
            "backward", "dloss_mse", _text("dloss_mse", node=node),
            f"∂L/∂a({node}) = {fmt(a[last][k])} − {_paren(t[k])} = {fmt(da[last][k])}",
            nodes=((last, k),), reveals={("da", last, k): float(da[last][k])}))
        local = float(_act(out_act).derivative(z[last][k]))
        dz[last][k] = da[last][k] * local
        label = _act(out_act).display_name
        steps.append(TraceStep(
            "backward", "dz_output", _text("dz_output", node=node, act=label),
            f"∂L/∂z({node}) = {fmt(da[last][k])} · {label}′({fmt(z[last][k])}) = {fmt(da[last][k])} · {fmt(local)}"
            f" = {fmt(dz[last][k])}",
            nodes=((last, k),), reveals={("dz", last, k): float(dz[last][k])}))
    for l in range(last, 0, -1):
        for j in range(sizes[l]):
            dst = name(l, j)
            for i in range(sizes[l - 1]):
                gW[l - 1][i, j] = dz[l][j] * a[l - 1][i]
                src = name(l - 1, i)
                steps.append(TraceStep(
                    "backward", "dweight", _text("dweight", dst=dst, src=src),
                    f"∂L/∂{weight_name(sizes, l - 1, i, j)} = {fmt(dz[l][j])} · {_paren(a[l - 1][i])}"
                    f" = {fmt(gW[l - 1][i, j])}",
                    nodes=((l, j), (l - 1, i)), edges=((l - 1, i, j),), params=(("W", l - 1, i, j),),
                    reveals={("dW", l - 1, i, j): float(gW[l - 1][i, j])}))
            gb[l - 1][j] = dz[l][j]
            steps.append(TraceStep(
                "backward", "dbias", _text("dbias", node=dst),
                f"∂L/∂{bias_name(sizes, l - 1, j)} = {fmt(dz[l][j])} · 1 = {fmt(gb[l - 1][j])}",
                nodes=((l, j),), params=(("b", l - 1, j),), reveals={("db", l - 1, j): float(gb[l - 1][j])}))
        if l == 1:
            break
        da[l - 1] = np.zeros(sizes[l - 1])
        dz[l - 1] = np.zeros(sizes[l - 1])
        for i in range(sizes[l - 1]):
            node = name(l - 1, i)
            da[l - 1][i] = sum(dz[l][j] * W[l - 1][i, j] for j in range(sizes[l]))
            terms = " + ".join(f"{_paren(dz[l][j])}·{_paren(W[l - 1][i, j])}" for j in range(sizes[l]))
            steps.append(TraceStep(
                "backward", "dact", _text("dact", node=node),
                f"∂L/∂a({node}) = {terms} = {fmt(da[l - 1][i])}",
                nodes=((l - 1, i),) + tuple((l, j) for j in range(sizes[l])),
                edges=tuple((l - 1, i, j) for j in range(sizes[l])),
                reveals={("da", l - 1, i): float(da[l - 1][i])}))
            local = float(hidden.derivative(z[l - 1][i]))
            dz[l - 1][i] = da[l - 1][i] * local
            steps.append(TraceStep(
                "backward", "dz_hidden", _text("dz_hidden", node=node, act=hidden_label),
                f"∂L/∂z({node}) = {fmt(da[l - 1][i])} · {hidden_label}′({fmt(z[l - 1][i])}) = {fmt(da[l - 1][i])} · {fmt(local)}"
                f" = {fmt(dz[l - 1][i])}",
                nodes=((l - 1, i),), reveals={("dz", l - 1, i): float(dz[l - 1][i])}))

    # update ----------------------------------------------------------------------------------
    new_W = [w - setup.lr * g for w, g in zip(W, gW)]
    new_b = [v - setup.lr * g for v, g in zip(b, gb)]
    for l in range(1, last + 1):
        for j in range(sizes[l]):
            node = name(l, j)
            parts = [f"{weight_name(sizes, l - 1, i, j)} = {fmt(W[l - 1][i, j])} − {fmt(setup.lr)}·"
                     f"{_paren(gW[l - 1][i, j])} = {fmt(new_W[l - 1][i, j])}" for i in range(sizes[l - 1])]
            parts.append(f"{bias_name(sizes, l - 1, j)} = {fmt(b[l - 1][j])} − {fmt(setup.lr)}·{_paren(gb[l - 1][j])} = {fmt(new_b[l - 1][j])}")
            reveals = {("W_new", l - 1, i, j): float(new_W[l - 1][i, j]) for i in range(sizes[l - 1])}
            reveals[("b_new", l - 1, j)] = float(new_b[l - 1][j])
            steps.append(TraceStep(
                "update", "update", _text("update", node=node, lr=fmt(setup.lr)), ";  ".join(parts),
                nodes=((l, j),), edges=tuple((l - 1, i, j) for i in range(sizes[l - 1])),
                params=tuple(("W", l - 1, i, j) for i in range(sizes[l - 1])) + (("b", l - 1, j),),
                reveals=reveals))

    # numerical gradients (central differences on copies of the parameters) --------------------
    Wn, bn = setup.arrays()
    f = lambda: forward(setup, Wn, bn)[2]  # noqa: E731
    num = numerical_gradient(f, [*Wn, *bn], eps=eps)
    num_W, num_b = num[: len(Wn)], num[len(Wn):]
    rows = []
    for l in range(last):
        scale = max(float(np.max(np.abs(gW[l]))), float(np.max(np.abs(num_W[l]))),
                    float(np.max(np.abs(gb[l]))), float(np.max(np.abs(num_b[l]))), 1e-12)
        for i in range(sizes[l]):
            for j in range(sizes[l + 1]):
                rows.append(ParamRow(("W", l, i, j), weight_name(sizes, l, i, j), float(W[l][i, j]),
                                     float(gW[l][i, j]), float(num_W[l][i, j]),
                                     float(abs(gW[l][i, j] - num_W[l][i, j]) / scale), float(new_W[l][i, j])))
        for j in range(sizes[l + 1]):
            rows.append(ParamRow(("b", l, j), bias_name(sizes, l, j), float(b[l][j]), float(gb[l][j]),
                                 float(num_b[l][j]), float(abs(gb[l][j] - num_b[l][j]) / scale), float(new_b[l][j])))
    return Trace(setup, tuple(steps), z, a, loss, gW, gb, num_W, num_b, new_W, new_b, tuple(rows))


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
