"""The optimizers' family tree as data, and the measurements that make each edge true.

Why: the lecture presents the optimizers as one family — from plain gradient descent, one line
adds a velocity (Momentum, then NAG's look-ahead), another divides by the size of past gradients
(AdaGrad's sum of g², then RMSProp's moving average), and Adam joins both. ``NODES`` and
``EDGES`` are that diagram (positions on a small grid, what each edge adds, the scene each node
opens); ``app.lecture.family_view`` draws it. Each ``measure_*`` function runs
``engine.optimizers`` and returns numbers that show an edge's claim holds (the
``optimizer-family`` scene checks them), so the diagram cannot say something the code does not do.

No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import optimizers


@dataclass(frozen=True)
class Node:
    """One optimizer: ``key`` (``engine.optimizers`` name), its label, what it does in a line,
    its place (column, row) and the lecture scene that shows it."""

    key: str
    label: str
    rule: str
    column: float
    row: int
    scene: str


@dataclass(frozen=True)
class Edge:
    """``parent`` → ``child``: what the child adds; ``side`` where its label goes (−1 left, 1 right)."""

    parent: str
    child: str
    adds: str
    side: int = 1


NODES = (
    Node("sgd", "GD / SGD", "W ← W − α·g", 1.5, 0, "gd-vs-sgd"),
    Node("momentum", "Momentum", "+ velocity V ← m·V − α·g", 0.5, 1, "momentum-overshoot"),
    Node("nag", "NAG", "+ gradient at the look-ahead point", 0.0, 2, "nag-vs-momentum"),
    Node("adagrad", "AdaGrad", "÷ √(sum of g²) per parameter", 2.5, 1, "adagrad-decay"),
    Node("rmsprop", "RMSProp", "÷ √(moving average of g²)", 3.0, 2, "rmsprop"),
    Node("adam", "Adam", "moving averages of g and g², bias-corrected", 1.5, 3, "adam"),
)
EDGES = (
    Edge("sgd", "momentum", "adds momentum (a decaying sum of gradients)", -1),
    Edge("momentum", "nag", "looks ahead", -1),
    Edge("sgd", "adagrad", "adds gradient² (a per-parameter step size)", 1),
    Edge("adagrad", "rmsprop", "sum → moving average", 1),
    Edge("momentum", "adam", "first moment M", 1),
    Edge("rmsprop", "adam", "second moment V", -1),
)


def node(key: str) -> Node:
    for n in NODES:
        if n.key == key:
            return n
    raise ValueError(f"no optimizer {key!r} in the family tree; choose one of: {', '.join(n.key for n in NODES)}")


# ---- measurements (each returns numbers; the scene's checks say what they must be) ---------------------
def _valley_gradient(p: np.ndarray) -> np.ndarray:
    """∇ of x²/20 + y² (the lecture's valley)."""
    return np.array([p[0] / 10.0, 2.0 * p[1]])


def _path(name: str, steps: int = 50, start=(-7.0, 2.0), **hyper) -> np.ndarray:
    """(steps + 1, 2): the points ``name`` visits on the valley from ``start``."""
    opt = optimizers.get(name, **hyper)
    p = np.array(start, dtype=float)
    out = [p.copy()]
    for _ in range(steps):
        opt.step([p], [_valley_gradient(p)])
        out.append(p.copy())
    return np.array(out)


def _steps_on_a_slope(name: str, steps: int, **hyper) -> np.ndarray:
    """|Δw| of each update on the constant slope L = w (gradient 1 everywhere)."""
    opt = optimizers.get(name, **hyper)
    p = np.zeros(1)
    g = np.ones(1)
    out = np.empty(steps)
    for t in range(steps):
        before = p[0]
        opt.step([p], [g])
        out[t] = abs(p[0] - before)
    return out


def measure_momentum_edges() -> dict:
    """Max distance between paths on the valley: Momentum and NAG with m = 0 vs GD (0: the edge
    only *adds*), and with m = 0.9 vs GD and vs each other (> 0: what is added changes the path)."""
    lr = 0.1
    gd = _path("sgd", lr=lr)
    mom0, nag0 = _path("momentum", lr=lr, momentum=0.0), _path("nag", lr=lr, momentum=0.0)
    mom, nag = _path("momentum", lr=lr, momentum=0.9), _path("nag", lr=lr, momentum=0.9)

    def gap(a, b):
        return float(np.max(np.abs(a - b)))

    return {"momentum0_vs_gd": gap(mom0, gd), "nag0_vs_gd": gap(nag0, gd),
            "momentum_vs_gd": gap(mom, gd), "nag_vs_momentum": gap(nag, mom)}


def measure_adaptive_edges(steps: int = 1000, lr: float = 0.1) -> dict:
    """On a constant slope, each update's size relative to ``lr``: AdaGrad's sum of g² makes its
    t-th step lr/√t (it dies), RMSProp's moving average keeps it near lr."""
    ada = _steps_on_a_slope("adagrad", steps, lr=lr)
    rms = _steps_on_a_slope("rmsprop", steps, lr=lr, decay_rate=0.99)
    return {"adagrad_first": float(ada[0] / lr), "adagrad_last": float(ada[-1] / lr),
            "rmsprop_last": float(rms[-1] / lr), "steps": steps}


def measure_adam_edges(steps: int = 30, seed: int = 0) -> dict:
    """Adam's moments on one random gradient sequence vs its parents' state on the same one:
    max relative error of M against (1 − β₁)·Momentum's buffer and of V against RMSProp's G."""
    rng = np.random.default_rng(seed)
    grads = rng.normal(size=(steps, 5))
    beta1, beta2, lr = 0.9, 0.999, 0.01
    adam = optimizers.get("adam", lr=lr, beta1=beta1, beta2=beta2)
    mom = optimizers.get("momentum", lr=lr, momentum=beta1)
    rms = optimizers.get("rmsprop", lr=lr, decay_rate=beta2)
    params = [np.zeros(5) for _ in range(3)]
    worst_m = worst_v = 0.0
    for g in grads:
        for opt, p in zip((adam, mom, rms), params):
            opt.step([p], [g.copy()])
        a, m, r = adam.state_snapshot(0), mom.state_snapshot(0), rms.state_snapshot(0)
        buffer = -m["velocity"] / lr  # the lecture's V = −lr·b
        worst_m = max(worst_m, float(np.max(np.abs(a["M"] - (1 - beta1) * buffer) / np.abs(a["M"]))))
        worst_v = max(worst_v, float(np.max(np.abs(a["V"] - r["G"]) / np.abs(a["V"]))))
    return {"m_vs_momentum": worst_m, "v_vs_rmsprop": worst_v}


def measure_adam_rmsprop_steps(steps: int = 20, beta2: float = 0.999) -> dict:
    """Adam with β₁ = 0 is RMSProp plus bias correction: on a constant slope RMSProp's t-th step
    is Adam's divided by √(1 − β₂ᵗ). Max relative error of that identity, the largest |Adam's step / lr − 1|
    and RMSProp's first step / lr (its uncorrected bias: 1/√(1 − β₂) = 31.6)."""
    lr = 0.01
    adam = _steps_on_a_slope("adam", steps, lr=lr, beta1=0.0, beta2=beta2, eps=0.0)
    rms = _steps_on_a_slope("rmsprop", steps, lr=lr, decay_rate=beta2, eps=0.0)
    t = np.arange(1, steps + 1)
    predicted = adam / np.sqrt(1 - beta2 ** t)
    return {"relative_error": float(np.max(np.abs(rms - predicted) / rms)),
            "adam_step_vs_lr": float(np.max(np.abs(adam / lr - 1))), "rmsprop_first": float(rms[0] / lr)}
