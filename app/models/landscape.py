"""The Landscape panel's model: its settings (``State``), the computation they ask for and its result.

``State`` holds the data set and network (the Training panel's recipe, ``engine.training_setup``),
the optimizers to trace with their learning rates, the optimizer at the centre, the slice
(directions, resolution, extent) and the view (3-D, how much of the paths is shown).
``LandscapeModel.settings()`` turns it into the ``engine.landscape.Settings`` a worker computes;
the ``engine.landscape.Landscape`` that comes back is kept here, where scene checks read it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from app.models.base import StateBase, setting
from app.models.legacy import json_blob, keep_valid
from engine import activations, datasets
from engine import landscape as L
from engine.training_setup import DataSpec

#: Optimizers offered, in lane order (same colours as the Optimizer panel's lanes).
OPTIMIZERS = ("sgd", "momentum", "nag", "adagrad", "rmsprop", "adam")
DIRECTIONS = ("pca", "random")
REVEAL_STEPS = 10


def landscape_activations() -> list[str]:
    """Hidden activations the landscape offers: the registry's elementwise ones without a learned
    parameter (a PReLU slope would be one more axis of the weights), and not the step function
    (no gradient: every optimizer would stand still)."""
    return [name for name in activations.elementwise_names(learned=False) if name != "step"]


@dataclass(frozen=True)
class LearningRates(StateBase):
    """Each optimizer's learning rate (kept while it is not traced)."""

    sgd: float = setting(L.DEFAULT_LR["sgd"], lo=1e-5, hi=10.0)
    momentum: float = setting(L.DEFAULT_LR["momentum"], lo=1e-5, hi=10.0)
    nag: float = setting(L.DEFAULT_LR["nag"], lo=1e-5, hi=10.0)
    adagrad: float = setting(L.DEFAULT_LR["adagrad"], lo=1e-5, hi=10.0)
    rmsprop: float = setting(L.DEFAULT_LR["rmsprop"], lo=1e-5, hi=10.0)
    adam: float = setting(L.DEFAULT_LR["adam"], lo=1e-5, hi=10.0)


_NET = L.DEFAULT_NETWORK
_DATA = L.Settings().data


@dataclass(frozen=True)
class State(StateBase):
    """Every setting of the Landscape panel.

    ``optimizers`` are traced in lane order; the centre's optimizer (``reference``) is always
    among them (it is added if missing). ``fit``: size the grid to the paths, else ± ``extent``.
    """

    dataset: str = setting(_DATA.name, choices=lambda: datasets.REGISTRY.names())
    noise: float = setting(_DATA.noise, lo=0.0, hi=0.5)
    samples: int = setting(_DATA.size, lo=20, hi=5000)
    hidden: tuple[int, ...] = setting(tuple(_NET.hidden), lo=1, hi=1024)
    activation: str = setting(_NET.activation, choices=landscape_activations)
    epochs: int = setting(_NET.epochs, lo=1, hi=2000)
    batch_size: int = setting(_NET.batch_size, lo=1, hi=1000)
    seed: int = setting(_NET.seed, lo=0, hi=99999)
    optimizers: tuple[str, ...] = setting(("sgd", "momentum", "adam"), choices=OPTIMIZERS)
    lr: LearningRates = setting(default_factory=LearningRates)
    reference: str = setting("adam", choices=OPTIMIZERS, doc="the map is centred on its final weights")
    directions: str = setting("pca", choices=DIRECTIONS)
    resolution: int = setting(41, lo=5, hi=201)
    fit: bool = setting(True, doc="size the grid to hold every projected path")
    extent: float = setting(1.0, lo=0.01, hi=100.0)
    view_3d: bool = setting(False)
    activation_alpha: float | None = setting(None, lo=0.001, hi=10.0, doc=activations.ALPHA_DOC)

    def __post_init__(self):
        if not 1 <= len(self.hidden) <= 8:
            raise ValueError(f"hidden: give 1 to 8 hidden layers, got {len(self.hidden)}")
        chosen = set(self.optimizers) | {self.reference}
        object.__setattr__(self, "optimizers", tuple(n for n in OPTIMIZERS if n in chosen))

    def settings(self) -> L.Settings:
        """The engine's description of the computation."""
        return L.Settings(
            data=DataSpec("toy", self.dataset, self.noise, self.samples),
            network=replace(_NET, hidden=tuple(self.hidden), activation=self.activation,
                            activation_alpha=self.activation_alpha, epochs=self.epochs,
                            batch_size=self.batch_size, seed=self.seed),
            optimizers=tuple((n, getattr(self.lr, n)) for n in self.optimizers), reference=self.reference,
            directions=self.directions, resolution=self.resolution, extent=None if self.fit else self.extent)


def migrate_legacy(values: dict) -> dict:
    """What ``save_settings`` wrote (``asdict(engine.landscape.Settings)`` as JSON under "state")
    → a ``State`` dict; values that do not validate keep their defaults."""
    old = json_blob(values)
    out = {key: old[key] for key in ("dataset", "noise", "hidden", "activation", "epochs", "batch_size", "seed",
                                     "reference", "directions", "resolution") if key in old}
    if "n_samples" in old:
        out["samples"] = old["n_samples"]
    if "extent" in old:
        out["fit"] = old["extent"] is None
        if old["extent"] is not None:
            out["extent"] = old["extent"]
    pairs = old.get("optimizers")
    if isinstance(pairs, (list, tuple)):
        try:
            out["optimizers"] = [str(name) for name, _lr in pairs]
            out["lr"] = {str(name): lr for name, lr in pairs}
        except (TypeError, ValueError):
            pass
    return keep_valid(State, out)


class LandscapeModel:
    """The state, the last computed landscape and how much of its paths is shown."""

    def __init__(self, state: State | None = None):
        self.state = state or State()
        self.result: L.Landscape | None = None
        self.computed: State | None = None  # the state the result was computed for
        self.computing = False
        self.reveal = REVEAL_STEPS  # tenths of each path shown

    def settings(self) -> L.Settings:
        return self.state.settings()

    def compute(self, settings: L.Settings):
        """Worker generator of ``Progress``; returns the ``Landscape``."""
        return (yield from L.compute_from_settings(settings))

    def receive(self, result: L.Landscape, state: State) -> None:
        self.result, self.computed = result, state
        self.reveal = REVEAL_STEPS

    def step_reveal(self) -> int:
        """One more tenth of every path (after the whole paths: the first tenth again)."""
        self.reveal = 1 if self.reveal >= REVEAL_STEPS else self.reveal + 1
        return self.reveal

    def shown(self, coords: np.ndarray) -> np.ndarray:
        """The part of a projected path shown at the current reveal."""
        k = max(1, int(np.ceil(len(coords) * self.reveal / REVEAL_STEPS)))
        return coords[:k]

    # ---- results (scene checks read these) -----------------------------------------------------------
    @property
    def ready(self) -> bool:
        """A landscape for the current state is there and nothing is computing."""
        return self.result is not None and self.computed == self.state and not self.computing

    def final_losses(self) -> dict[str, float]:
        """Optimizer → its training loss at the end of its path."""
        return {r.optimizer: float(r.losses[-1]) for r in self.result.runs} if self.result else {}

    def first_losses(self) -> dict[str, float]:
        """Optimizer → its training loss at the common start."""
        return {r.optimizer: float(r.losses[0]) for r in self.result.runs} if self.result else {}

