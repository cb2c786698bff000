"""The Backprop panel's model: the network set-up, its trace and the step the student is on.

``State`` is everything the student sets (sizes, activation, loss, weights, biases, the sample,
η), the seed of the "New weights" draws and ``step``, the trace cursor. ``BackpropModel`` holds
the current state and the ``engine.backprop_trace.Trace`` computed from it (in the panel's
worker), moves the cursor (``go_to``, ``go_to_phase``, ``forward``, ``back``) and derives new
states from the student's edits (``edited``, ``resized``, ``apply_update``, ``new_weights``),
raising ``ValueError`` with the engine's message on a bad entry so the state in use stays.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from app.models.base import StateBase, StateError, setting
from app.models.legacy import keep_valid
from engine import backprop_loop
from engine import backprop_trace as bt

_DEFAULT = bt.BackpropSetup()

#: A setting's key for each of the engine's set-up errors (the first word that names it).
_ERROR_KEYS = (
    ("learning rate", "lr"), ("hidden activation", "activation"), ("cross-entropy target", "target"),
    ("softmax cross-entropy", "loss"), ("loss", "loss"), ("layer size", "sizes"), ("network needs", "sizes"),
    ("weight layers", "weights"), ("weights of layer", "weights"), ("w(", "weights"),
    ("biases of layer", "biases"), ("b(", "biases"), ("input", "x"), ("target", "target"),
)


@dataclass(frozen=True)
class State(StateBase):
    """Every setting of the Backprop panel; the set-up's fields are ``BackpropSetup``'s."""

    sizes: tuple[int, ...] = setting(_DEFAULT.sizes, lo=1, hi=bt.MAX_UNITS, doc="units per layer, inputs first")
    activation: str = setting(_DEFAULT.activation, choices=bt.HIDDEN_ACTIVATIONS, doc="the hidden units' f")
    loss: str = setting(_DEFAULT.loss, choices=tuple(bt.LOSSES), doc="the loss and its output activation")
    weights: tuple[tuple[tuple[float, ...], ...], ...] = setting(_DEFAULT.weights, doc="weights[l][i][j]: unit i of layer l → unit j of layer l+1")
    biases: tuple[tuple[float, ...], ...] = setting(_DEFAULT.biases, doc="biases[l][j]: of unit j of layer l+1")
    x: tuple[float, ...] = setting(_DEFAULT.x, doc="the one input sample")
    target: tuple[float, ...] = setting(_DEFAULT.target, doc="its target (one-hot for cross-entropy)")
    lr: float = setting(_DEFAULT.lr, lo=0.0, lo_open=True, doc="learning rate η of the update")
    seed: int = setting(0, lo=0, hi=2**31 - 1, doc="draw of the last 'New weights'")
    step: int = setting(0, lo=0, doc="the trace step shown (0 = the first)")
    show_all: bool = setting(False, doc="show every value at once (review), not only those of the steps reached")

    def __post_init__(self):
        try:
            self.setup()
        except ValueError as exc:
            message = str(exc)
            key = next((k for word, k in _ERROR_KEYS if word in message), "")
            raise StateError(key, message) from None

    def setup(self) -> bt.BackpropSetup:
        """The engine set-up of this state."""
        return bt.BackpropSetup(self.sizes, self.activation, self.loss, self.weights, self.biases, self.x,
                                self.target, self.lr)

    def with_setup(self, setup: bt.BackpropSetup, **changes) -> "State":
        """This state with ``setup``'s values (and ``changes``, e.g. ``step=0``)."""
        fields = {f.name: getattr(setup, f.name) for f in dataclasses.fields(setup)}
        return dataclasses.replace(self, **fields, **changes)


def scene_state(sizes=None, activation: str | None = None, phase: str | None = None, last: bool = False) -> dict:
    """A partial state for a lecture scene: the default set-up resized to ``sizes`` (as the
    Layers field does), ``activation``, and the cursor on the first step of ``phase`` or on the
    ``last`` step."""
    setup = _DEFAULT if sizes is None else _DEFAULT.with_sizes(tuple(sizes), 0)
    if activation is not None:
        setup = dataclasses.replace(setup, activation=activation)
    state = State().with_setup(setup)
    if phase is not None or last:
        trace = bt.trace(setup)
        state = dataclasses.replace(state, step=len(trace.steps) - 1 if last else trace.index_of(phase))
    return state.to_dict()


class BackpropModel:
    """The current ``State`` and its ``Trace``; see the module docstring."""

    def __init__(self, state: State | None = None):
        self.state = state or State()
        self.trace: bt.Trace | None = None
        #: Every "Apply update" and training loop so far: (label, loss before, loss after,
        #: {parameter name: (before, after)}), oldest first — nothing is replaced.
        self.updates: list[tuple[str, float, float, dict]] = []
        self.loop: backprop_loop.LoopHistory | None = None

    # ---- the trace -----------------------------------------------------------------------------
    def setup(self) -> bt.BackpropSetup:
        return self.state.setup()

    def accept(self, trace: bt.Trace) -> bool:
        """Take ``trace`` if it is the current set-up's (else an older request: False). The
        cursor stays where it was, or on the last step if the new trace is shorter."""
        if trace.setup != self.setup():
            return False
        self.trace = trace
        if self.state.step >= len(trace.steps):
            self.state = dataclasses.replace(self.state, step=len(trace.steps) - 1)
        return True

    def up_to_date(self) -> bool:
        return self.trace is not None and self.trace.setup == self.setup()

    @property
    def index(self) -> int:
        return self.state.step

    @property
    def n_steps(self) -> int:
        return len(self.trace.steps) if self.trace is not None else 0

    def current(self) -> bt.TraceStep | None:
        return self.trace.steps[self.index] if self.trace is not None else None

    # ---- what the student may see: values appear as their step is reached -----------------------
    def known(self) -> dict:
        """Every quantity revealed up to the cursor (all of them with ``show_all``)."""
        if self.trace is None:
            return {}
        return self.trace.known(self.n_steps - 1 if self.state.show_all else self.index)

    def row_cells(self, row: bt.ParamRow, known: dict | None = None) -> tuple[bool, bool]:
        """(gradient columns shown, updated value shown) for a table row: ∂L/∂w, its numerical
        check and their error appear with the backward step that computes ∂L/∂w; the updated
        value with the update step."""
        known = self.known() if known is None else known
        grad_key, new_key = ("dW", "W_new") if row.key[0] == "W" else ("db", "b_new")
        rest = tuple(row.key[1:])
        return (grad_key,) + rest in known, (new_key,) + rest in known

    def loss_after_known(self) -> bool:
        """The loss after the update is shown once the update phase is reached (or with show_all)."""
        return self.trace is not None and (self.state.show_all or self.trace.steps[self.index].phase == "update")

    def loss_after(self) -> float:
        """The loss on the same sample after the update w ← w − η·∂L/∂w."""
        return bt.forward(self.setup(), list(self.trace.new_W), list(self.trace.new_b))[2]

    def max_rel_error(self) -> float:
        """The largest relative error between backprop's and the numerical gradient."""
        return max(r.rel_error for r in self.trace.rows)

    # ---- the cursor ------------------------------------------------------------------------------
    def go_to(self, index: int) -> None:
        """Move the cursor to ``index`` (clamped to the trace's steps)."""
        hi = max(0, self.n_steps - 1) if self.trace is not None else max(0, int(index))
        self.state = dataclasses.replace(self.state, step=max(0, min(int(index), hi)))

    def go_to_phase(self, phase: str) -> None:
        if self.trace is not None:
            self.go_to(self.trace.index_of(phase))

    def forward(self) -> None:
        """One step forward (stays on the last step)."""
        self.go_to(self.index + 1)

    def back(self) -> None:
        self.go_to(self.index - 1)

    def at_end(self) -> bool:
        return self.trace is not None and self.index >= self.n_steps - 1

    # ---- edits: new states (ValueError with the engine's message; the state in use stays) -----
    def edited(self, field: str, text: str) -> State:
        """The state with the typed ``text`` in ``field`` (sizes, x, target or lr)."""
        s = self.setup()
        if field == "sizes":
            sizes = bt.parse_sizes(text)
            if sizes == s.sizes:
                return self.state
            return self.state.with_setup(s.with_sizes(sizes, self.state.seed))
        if field == "x":
            new = dataclasses.replace(s, x=bt.parse_numbers(text, "the input", s.sizes[0]))
        elif field == "target":
            new = dataclasses.replace(s, target=bt.parse_numbers(text, "the target", s.sizes[-1]))
        elif field == "lr":
            new = dataclasses.replace(s, lr=bt.parse_number(text, "learning rate η"))
        else:
            raise ValueError(f"unknown field {field!r}")
        return self.state.with_setup(new)

    def chosen(self, activation: str, loss: str) -> State:
        """The state with another hidden activation and loss (the target adapted to the loss)."""
        new = dataclasses.replace(self.setup(), activation=activation).with_loss(loss)
        return self.state.with_setup(new)

    def parameter_edited(self, key: tuple, text: str) -> State:
        """The state with weight ``("W", l, i, j)`` or bias ``("b", l, j)`` set to the typed ``text``."""
        s = self.setup()
        name = bt.weight_name(s.sizes, *key[1:]) if key[0] == "W" else bt.bias_name(s.sizes, *key[1:])
        return self.state.with_setup(bt.with_parameter(s, key, bt.parse_number(text, name)))

    def new_weights(self) -> State:
        """The next seed's readable starting weights and biases."""
        seed = self.state.seed + 1
        w, b = bt.default_parameters(self.state.sizes, seed)
        return dataclasses.replace(self.state, weights=w, biases=b, seed=seed)

    def apply_update(self) -> State | None:
        """The state with the updated weights as the current ones, back on the first step."""
        if self.trace is None:
            return None
        w = tuple(tuple(tuple(float(v) for v in row) for row in m) for m in self.trace.new_W)
        b = tuple(tuple(float(v) for v in vec) for vec in self.trace.new_b)
        changes = {r.name: (r.value, r.updated) for r in self.trace.rows}
        self.updates.append(("update", self.trace.loss, self.loss_after(), changes))
        return dataclasses.replace(self.state, weights=w, biases=b, step=0)

    def run_loop(self, n: int) -> State:
        """Forward → backward → update ``n`` times from the current weights: ``self.loop``
        keeps the loss and every parameter after each update; the state has the final weights."""
        history = backprop_loop.train_loop(self.setup(), n)
        self.loop = history
        changes = {history.names[k]: (float(v[0]), float(v[-1])) for k, v in history.params.items()}
        self.updates.append((f"loop {history.n}", float(history.losses[0]), float(history.losses[-1]), changes))
        return self.state.with_setup(history.final, step=0)


# ---- settings written before models existed (format 1) ------------------------------------------
def migrate_legacy(values: dict) -> dict:
    """What the old ``BackpropPanel.save_settings`` wrote (``sizes`` "2-2-1", ``weights``
    "w,w;w,w", ``x`` "1.0,0.5", ``index``, ...) → a dict for ``State.from_dict``. The set-up
    is taken whole or not at all (its parts must fit together); what does not fit is dropped."""
    cursor = {}
    for old, new in (("index", "step"), ("seed", "seed")):
        try:
            cursor[new] = int(float(values[old]))
        except (KeyError, TypeError, ValueError):
            pass
    out = keep_valid(State, cursor)
    if "sizes" not in values:
        return out
    try:
        sizes = bt.parse_sizes(str(values["sizes"]))
        flat_w = [bt.parse_numbers(part, "a weight") for part in str(values.get("weights", "")).split(";")]
        flat_b = [bt.parse_numbers(part, "a bias") for part in str(values.get("biases", "")).split(";")]
        weights = [[list(flat[i * m:(i + 1) * m]) for i in range(n)] for flat, n, m in zip(flat_w, sizes[:-1], sizes[1:])]
        setup = {
            "sizes": list(sizes), "activation": str(values.get("activation", _DEFAULT.activation)),
            "loss": str(values.get("loss", _DEFAULT.loss)), "weights": weights, "biases": [list(b) for b in flat_b],
            "x": list(bt.parse_numbers(str(values.get("x", "")), "x")),
            "target": list(bt.parse_numbers(str(values.get("target", "")), "t")),
            "lr": bt.parse_number(str(values.get("lr", _DEFAULT.lr)), "lr"),
        }
        State.from_dict({**out, **setup})
    except (ValueError, TypeError):
        return out
    return {**out, **setup}
