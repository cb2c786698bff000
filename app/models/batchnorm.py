"""The Batch norm panel's model: the mini-batch, γ, β, ε, momentum, and the step being shown.

``State`` is everything the student sets — the N×D batch ``x`` and the loss's upstream weights
``w`` (drawn from ``seed`` by "New batch", editable cell by cell), γ, β, ε, the running
statistics' momentum and the number of training batches ``batches`` they have seen — and
``step``, the trace cursor. ``BatchNormModel`` holds the state and the
``engine.batchnorm_trace.BNTrace`` computed from it (in the panel's worker), moves the cursor
and derives new states from the student's edits, raising ``ValueError`` with the engine's
message on a bad entry so that the state in use stays.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from app.models.base import StateBase, StateError, setting
from engine import batchnorm_trace as bt
from engine.backprop_trace import parse_number

_DEFAULT = bt.BatchNormSetup()

#: A setting's key for each of the engine's set-up errors (the first words that name it).
_ERROR_KEYS = (
    ("upstream weights", "w"), ("batch", "x"), ("gamma", "gamma"), ("beta", "beta"), ("eps", "eps"),
    ("momentum", "momentum"), ("training batches", "batches"),
)


@dataclass(frozen=True)
class State(StateBase):
    """Every setting of the Batch norm panel; the set-up's fields are ``BatchNormSetup``'s."""

    x: tuple[tuple[float, ...], ...] = setting(_DEFAULT.x, doc="the mini-batch: x[i][j] is feature j of sample i")
    w: tuple[tuple[float, ...], ...] = setting(_DEFAULT.w, doc="the loss's fixed upstream weights, L = Σ w·y")
    gamma: tuple[float, ...] = setting(_DEFAULT.gamma, doc="the learned scale γ, one per feature")
    beta: tuple[float, ...] = setting(_DEFAULT.beta, doc="the learned shift β, one per feature")
    eps: float = setting(_DEFAULT.eps, lo=0.0, lo_open=True, hi=1.0, doc="ε in √(σ² + ε)")
    momentum: float = setting(_DEFAULT.momentum, lo=0.0, hi=1.0, doc="running = (1 − m)·running + m·batch")
    batches: int = setting(_DEFAULT.batches, lo=0, hi=bt.MAX_BATCHES, doc="training batches seen by the running stats")
    seed: int = setting(0, lo=0, hi=2**31 - 1, doc="draw of the last 'New batch'")
    step: int = setting(0, lo=0, doc="the trace step shown (0 = the first)")

    def __post_init__(self):
        try:
            self.setup()
        except ValueError as exc:
            message = str(exc)
            key = next((k for word, k in _ERROR_KEYS if word in message), "")
            raise StateError(key, message) from None

    def setup(self) -> bt.BatchNormSetup:
        """The engine set-up of this state."""
        return bt.BatchNormSetup(self.x, self.w, self.gamma, self.beta, self.eps, self.momentum, self.batches)

    def with_setup(self, setup: bt.BatchNormSetup, **changes) -> "State":
        """This state with ``setup``'s values (and ``changes``, e.g. ``step=0``)."""
        fields = {f.name: getattr(setup, f.name) for f in dataclasses.fields(setup)}
        return dataclasses.replace(self, **fields, **changes)


def scene_state(step: str | None = None, last: bool = False, **changes) -> dict:
    """A partial state for a lecture scene: the defaults with ``changes`` (e.g. ``batches=1``)
    and the cursor on the step computing ``step`` (a key like ``"dx"`` or a phase), or the last."""
    state = State().replace(**changes) if changes else State()
    if step is not None or last:
        trace = bt.trace(state.setup())
        state = dataclasses.replace(state, step=len(trace.steps) - 1 if last else trace.index_of(step))
    return state.to_dict()


class BatchNormModel:
    """The current ``State`` and its ``BNTrace``; see the module docstring."""

    def __init__(self, state: State | None = None):
        self.state = state or State()
        self.trace: bt.BNTrace | None = None

    # ---- the trace -----------------------------------------------------------------------------
    def setup(self) -> bt.BatchNormSetup:
        return self.state.setup()

    def accept(self, trace: bt.BNTrace) -> bool:
        """Take ``trace`` if it is the current set-up's (else an older request: False)."""
        if trace.setup != self.setup():
            return False
        self.trace = trace
        self.go_to(self.state.step)
        return True

    def up_to_date(self) -> bool:
        return self.trace is not None and self.trace.setup == self.setup()

    @property
    def index(self) -> int:
        return self.state.step

    @property
    def n_steps(self) -> int:
        return len(self.trace.steps) if self.trace is not None else 0

    def current(self) -> bt.BNStep | None:
        return self.trace.steps[self.index] if self.trace is not None else None

    def known(self) -> set[str]:
        """The keys computed by the steps up to the current one (plus the inputs)."""
        done = {s.key for s in self.trace.steps[: self.index + 1]} if self.trace is not None else set()
        return done | {"x", "w", "gamma", "beta"}

    # ---- measurements (the scene checks read these) ----------------------------------------------
    def value(self, key: str):
        return self.trace.values[key]

    def max_rel_error(self, quantity: str | None = None) -> float:
        return self.trace.max_rel_error(quantity)

    def eval_gap(self, batches: int | None = None) -> float:
        """max |y_eval − y_train| after ``batches`` training batches (default: the state's)."""
        k = self.state.batches if batches is None else int(batches)
        return float(bt.eval_gap(self.setup(), [k])[0])

    def eval_ratio(self, batches: int) -> tuple[float, ...]:
        """Per feature, the factor c with x_n_eval ≈ c·x_n_train after ``batches`` training batches."""
        return tuple(float(v) for v in bt.eval_xn_ratio(self.setup(), batches))

    # ---- the cursor ------------------------------------------------------------------------------
    def go_to(self, index: int) -> None:
        """Move the cursor to ``index`` (clamped to the trace's steps)."""
        hi = max(0, self.n_steps - 1) if self.trace is not None else max(0, int(index))
        self.state = dataclasses.replace(self.state, step=max(0, min(int(index), hi)))

    def go_to_step(self, key_or_phase: str) -> None:
        if self.trace is not None:
            self.go_to(self.trace.index_of(key_or_phase))

    def forward(self) -> None:
        self.go_to(self.index + 1)

    def back(self) -> None:
        self.go_to(self.index - 1)

    def at_end(self) -> bool:
        return self.trace is not None and self.index >= self.n_steps - 1

    # ---- edits: new states (ValueError with the engine's message; the state in use stays) -----
    def cell_edited(self, which: str, i: int, j: int, text: str) -> State:
        """The state with ``x[i][j]`` or ``w[i][j]`` (``which``) set to the typed ``text``."""
        if which not in ("x", "w"):
            raise ValueError(f"unknown table {which!r}")
        value = parse_number(text, f"x[{i + 1},{j + 1}]" if which == "x" else f"w[{i + 1},{j + 1}]")
        rows = [list(r) for r in getattr(self.state, which)]
        rows[i][j] = value
        return self.state.with_setup(dataclasses.replace(self.setup(), **{which: tuple(map(tuple, rows))}))

    def vector_edited(self, which: str, j: int, text: str) -> State:
        """The state with ``gamma[j]`` or ``beta[j]`` set to the typed ``text``."""
        if which not in ("gamma", "beta"):
            raise ValueError(f"unknown vector {which!r}")
        value = parse_number(text, f"{'γ' if which == 'gamma' else 'β'}[{j + 1}]")
        vec = list(getattr(self.state, which))
        vec[j] = value
        return self.state.with_setup(dataclasses.replace(self.setup(), **{which: tuple(vec)}))

    def resized(self, n: int, d: int) -> State:
        """The batch as n×d: values that still fit stay, new ones come from the current seed."""
        s = self.setup()
        if (n, d) == (s.n, s.d):
            return self.state
        return self.state.with_setup(bt.resized(s, n, d, self.state.seed))

    def new_batch(self) -> State:
        """The next seed's readable batch and upstream weights (same N×D; γ, β stay)."""
        seed = self.state.seed + 1
        x, w = bt.default_batch(self.setup().n, self.setup().d, seed)
        return dataclasses.replace(self.state, x=x, w=w, seed=seed)
