"""A lecture scene: one claim of the lecture, set up as data and checked on computed numbers.

A :class:`Scene` names its panel, a *partial* ``State`` (a dict merged over the panel model's
defaults with ``State.merged``), how many Steps to run once the first computation has settled,
its text, and :class:`Check` s. A check *measures* a number (or a few) from the panel's model
after the scene has run and says whether the scene's claim holds for it. A check that only
restates the scene's setup (e.g. "the depth is 10") checks nothing: measure a result instead
(e.g. "the gradient reaching layer 1 is < 1e-3 of layer 10's").

Texts are English source strings, translated with ``tr()`` where they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

#: Lecture parts in outline order: key → heading (English source text).
PARTS = {
    "activations": "1. Activation functions",
    "optimizers": "2. Optimizers",
    "init": "3. Weight initialization",
    "techniques": "4. Batch norm, weight decay, dropout",
    "assignments": "Assignments",
}


@dataclass(frozen=True)
class Check:
    """``claim`` holds when ``holds(measure(model))`` is true.

    ``claim`` is an English sentence of what is asserted (shown when it fails). ``measure``
    reads computed results from the panel's model (never a widget, never the setup itself).
    """

    claim: str
    measure: Callable[[Any], Any]
    holds: Callable[[Any], bool]

    def run(self, model: Any) -> str | None:
        """None when the claim holds, else a sentence saying what was measured."""
        try:
            value = self.measure(model)
        except Exception as exc:  # noqa: BLE001 - a failing measurement is a failed check
            return f"{self.claim}: could not measure ({type(exc).__name__}: {exc})"
        return None if self.holds(value) else f"{self.claim}: measured {value!r}"


@dataclass(frozen=True)
class Scene:
    """One lecture claim, set up in one click (see the module docstring).

    ``state``: partial panel State (dict). ``steps``: Steps run after the first computation.
    ``finished``: for long runs (training, grids), a predicate on the model that says the scene
    has finished (the runner waits for it before checking).
    """

    name: str
    part: str
    title: str
    panel_id: str
    explanation: str
    state: dict = field(default_factory=dict)
    steps: int = 0
    checks: tuple[Check, ...] = ()
    finished: Callable[[Any], bool] | None = None
    play: bool = False  # press Play once set up (e.g. a training run)

    def __post_init__(self):
        if self.part not in PARTS:
            raise ValueError(f"scene {self.name!r}: unknown part {self.part!r}; choose one of: {', '.join(PARTS)}")

    def check(self, model: Any) -> list[str]:
        """The failed checks' sentences (empty: every claim of the scene holds)."""
        return [problem for c in self.checks if (problem := c.run(model)) is not None]
