"""Backpropagation by hand (the lecture's assignment 2): one sample through a tiny network.

``BackpropSetup`` (``engine.backprop_setup``, re-exported here with its names and parsers) is
a tiny network, one input, its target and a learning rate. ``trace(setup)`` walks the
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

from dataclasses import dataclass, field

import numpy as np

from engine import activations as _activations
from engine.backprop_setup import (  # noqa: F401 - re-exported: part of this module's API
    HIDDEN_ACTIVATIONS, LOSSES, MAX_LAYERS, MAX_UNITS, MIN_LAYERS, BackpropSetup, bias_name,
    default_parameters, fmt, node_name, parse_number, parse_numbers, parse_sizes, weight_name,
    with_parameter)
from engine.gradcheck import numerical_gradient

PHASES = ("forward", "loss", "backward", "update")

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


def _paren(v: float) -> str:
    s = fmt(v)
    return f"({s})" if s.startswith("−") else s


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
