"""The Activations panel's model: its settings and the numbers its plots draw, without Qt.

``State`` holds every setting of the panel (shown curves, the parameters of Leaky ReLU, PReLU
and ELU, the depth experiment, the lower tab, the stacking tab, the softmax logits, the hover
position). ``ActivationsModel`` keeps the current state and the latest depth-experiment results
(computed in a worker through ``probe_each``) and answers what the views draw and the lecture's
checks measure: curves, hover values, gradient ratios, dead units, stacks, softmax shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from app.models.base import StateBase, StateError, setting
from app.models.legacy import keep_valid
from engine import activations, init, probes

#: Activations with an f'(x) curve, in registry order (softmax has its own tab).
ELEMENTWISE = tuple(activations.elementwise_names())
#: Colour order: the lecture's main five get the strongest colours.
_COLOR_ORDER = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "prelu", "identity", "step")
ORDERED = tuple([n for n in _COLOR_ORDER if n in ELEMENTWISE] + [n for n in ELEMENTWISE if n not in _COLOR_ORDER])
DEFAULT_SHOWN = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")
#: (activation, label, min, max, default, tooltip) of each α; the defaults are the registry's
#: (``engine.activations.alpha_default``: Leaky slope 0.1 as in the lecture).
PARAMS = (
    ("leaky_relu", "Leaky ReLU α", 0.0, 0.5, activations.alpha_default("leaky_relu"),
     "Slope of Leaky ReLU for x < 0 (the lecture uses 0.1, PyTorch 0.01)"),
    ("prelu", "PReLU a", 0.0, 1.0, activations.alpha_default("prelu"),
     "PReLU's slope for x < 0; learned in training, 0.25 at start"),
    ("elu", "ELU α", 0.1, 3.0, activations.alpha_default("elu"), "ELU saturates at −α for very negative x"),
)
X_RANGE = (-5.0, 5.0)
N_POINTS = 401  # 0.025 apart: kinks stay sharp, and each repaint costs half as much
MAX_DEPTH = 60
TABS = ("depth", "dead", "stack", "softmax")
DEFAULT_LOGITS = (0.3, 2.9, 4.0)  # the book's softmax example
MAX_LOGITS = 10
STACK_X = np.linspace(-5.0, 5.0, 201)


@dataclass(frozen=True)
class Alphas(StateBase):
    """The negative-side parameter of the activations that have one."""

    leaky_relu: float = setting(activations.alpha_default("leaky_relu"), lo=0.0, hi=0.5, doc="Leaky ReLU's slope for x < 0")
    prelu: float = setting(activations.alpha_default("prelu"), lo=0.0, hi=1.0, doc="PReLU's slope a for x < 0")
    elu: float = setting(activations.alpha_default("elu"), lo=0.1, hi=3.0, doc="ELU's α: it saturates at −α")


@dataclass(frozen=True)
class Stack(StateBase):
    """The linear-stacking tab: layers h ↦ f(a·h)."""

    slope: float = setting(0.9, lo=-2.0, hi=2.0, doc="the weight a of each layer")
    depth: int = setting(3, lo=1, hi=6, doc="how many layers are stacked")
    activation: str = setting("identity", choices=ORDERED)


@dataclass(frozen=True)
class State(StateBase):
    """Every setting of the Activations panel."""

    shown: tuple[str, ...] = setting(DEFAULT_SHOWN, choices=ELEMENTWISE, doc="curves drawn (colour order)")
    alpha: Alphas = setting(default_factory=Alphas)
    depth: int = setting(10, lo=1, hi=MAX_DEPTH, doc="layers of the depth experiment")
    init: str = setting("xavier", choices=lambda: [e.name for e in init.REGISTRY.entries()])
    bias: float = setting(0.0, lo=-3.0, hi=1.0, doc="bias added to every unit of the depth experiment")
    tab: str = setting("depth", choices=TABS, doc="the lower tab shown")
    stack: Stack = setting(default_factory=Stack)
    logits: tuple[float, ...] = setting(DEFAULT_LOGITS, lo=-20.0, hi=20.0, doc="softmax logits (2 to 10)")
    hover: Optional[float] = setting(None, lo=X_RANGE[0], hi=X_RANGE[1], doc="x of the hover read-out")

    def __post_init__(self):
        if not 2 <= len(self.logits) <= MAX_LOGITS:
            raise StateError("logits", f"expected 2 to {MAX_LOGITS} logits, got {len(self.logits)}")
        # one order for the curves (the colour order): equal states compare equal
        object.__setattr__(self, "shown", tuple(n for n in ORDERED if n in set(self.shown)))


def probe_each(specs, depth: int, initializer: str, bias: float):
    """Worker job: one ``DepthProbe`` per (name, params); the yields let an abort stop it early."""
    for name, params in specs:
        yield probes.depth_probe(name, depth=depth, initializer=initializer, bias=bias, **params)


class ActivationsModel:
    """The current ``State`` and the depth experiment's latest results (see the module docstring)."""

    def __init__(self, state: State | None = None):
        self.state = state or State()
        self.x = np.linspace(*X_RANGE, N_POINTS)
        self.results: dict[str, probes.DepthProbe] = {}  # latest drawn run, per activation
        self.drawn_depth = self.state.depth
        self.drawn_job: tuple | None = None  # the ``depth_job`` the latest results came from

    # ---- settings ----------------------------------------------------------------------------
    def params_of(self, name: str) -> dict[str, float]:
        """The current parameters of activation ``name`` (e.g. ``{"alpha": 0.1}``)."""
        return {"alpha": getattr(self.state.alpha, name)} if name in Alphas.__dataclass_fields__ else {}

    def activation(self, name: str):
        """The engine activation ``name`` with the current parameters."""
        return activations.get(name, **self.params_of(name))

    # ---- curves and hover --------------------------------------------------------------------
    def curves(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """f(x) and f′(x) of ``name`` on the panel's x grid."""
        return probes.curves(self.x, name, **self.params_of(name))

    def hover_values(self) -> list[tuple[str, float, float]]:
        """(name, f(x), f′(x)) of every shown activation at the hover x (empty without one)."""
        x = self.state.hover
        if x is None:
            return []
        out = []
        for name in self.state.shown:
            act = self.activation(name)
            out.append((name, float(act.forward(np.float64(x))), float(act.derivative(np.float64(x)))))
        return out

    # ---- depth experiment ----------------------------------------------------------------------
    def depth_job(self) -> tuple:
        """The arguments of ``probe_each`` for the current settings."""
        s = self.state
        return [(name, self.params_of(name)) for name in s.shown], s.depth, s.init, s.bias

    def is_current(self) -> bool:
        """True when the depth results are those of the current settings (nothing pending)."""
        return self.drawn_job == self.depth_job()

    def drop_hidden(self) -> bool:
        """Forget results of activations no longer shown; True when any went."""
        gone = [name for name in self.results if name not in self.state.shown]
        for name in gone:
            del self.results[name]
        return bool(gone)

    def accept(self, run: list[probes.DepthProbe], job: tuple | None = None) -> None:
        """Keep a finished run's results (of the activations still shown); ``job`` made them."""
        self.drawn_job = job
        for result in run:
            if result.activation in self.state.shown:
                self.results[result.activation] = result
        if run:
            self.drawn_depth = run[0].depth

    def shown_results(self) -> dict[str, probes.DepthProbe]:
        """The latest results, in colour order."""
        return {name: self.results[name] for name in self.state.shown if name in self.results}

    def gradient_ratio(self, name: str, layer: int, reference: int | None = None) -> float:
        """RMS gradient reaching ``layer`` relative to layer ``reference`` (default: the output)."""
        g = self.results[name].grad_rms
        return float(g[layer] / g[len(g) - 1 if reference is None else reference])

    def dead_share(self, name: str) -> float:
        """The worst layer's share of dead units (derivative 0 for every sample)."""
        return float(self.results[name].dead_share.max())

    # ---- stacking and softmax (instant) --------------------------------------------------------
    def stack_outputs(self) -> list[np.ndarray]:
        """The output after 1 … depth stacked layers on ``STACK_X``."""
        st = self.state.stack
        return probes.linear_stack(STACK_X, depth=st.depth, slope=st.slope, activation=st.activation,
                                   **self.params_of(st.activation))

    def stack_as_one_layer(self) -> np.ndarray:
        """One linear layer with weight aᵈ: what a linear stack collapses to."""
        st = self.state.stack
        return probes.linear_stack(STACK_X, depth=1, slope=st.slope ** st.depth)[0]

    def probabilities(self) -> np.ndarray:
        """softmax of the logits."""
        return np.asarray(activations.get("softmax").forward(np.array(self.state.logits, dtype=float)))


def _number(value: Any, kind=float):
    """``value`` (a number, or its text as QSettings stores it) as ``kind``; None if it is none."""
    if isinstance(value, bool):
        return None
    try:
        return kind(float(value)) if kind is int else kind(value)
    except (TypeError, ValueError, OverflowError):
        return None


def migrate_legacy(values: dict[str, Any]) -> dict[str, Any]:
    """What the old ``save_settings`` stored (flat keys, often strings) as a ``State`` dict."""
    out: dict[str, Any] = {}
    shown = values.get("shown")
    if isinstance(shown, str):
        out["shown"] = [n for n in shown.split(",") if n in ELEMENTWISE]
    elif isinstance(shown, list):
        out["shown"] = [n for n in shown if n in ELEMENTWISE]
    alpha = {name: _number(values.get(f"{name}.alpha")) for name, *_rest in PARAMS}
    out["alpha"] = keep_valid(Alphas, {k: v for k, v in alpha.items() if v is not None})
    for key, kind in (("depth", int), ("bias", float)):
        v = _number(values.get(key), kind)
        if v is not None:
            out[key] = v
    if isinstance(values.get("init"), str):
        out["init"] = values["init"]
    logits = values.get("logits")
    if isinstance(logits, str) and logits:
        parsed = [_number(v) for v in logits.split(",")]
        if None not in parsed:
            out["logits"] = parsed
    stack = {"slope": _number(values.get("stack_slope")), "depth": _number(values.get("stack_depth"), int),
             "activation": values.get("stack_activation")}
    out["stack"] = keep_valid(Stack, {k: v for k, v in stack.items() if v is not None})
    view = _number(values.get("view"), int)
    if view is not None and 0 <= view < len(TABS):
        out["tab"] = TABS[view]
    return keep_valid(State, out)
