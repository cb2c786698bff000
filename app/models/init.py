"""The Initialization panel's model: two configurations A and B, the shared sizes, the results.

``State`` holds every setting (see the fields). ``InitModel`` turns a ``State`` into the engine
experiments (``engine.init_experiment``: A and B see the same inputs and the same standard-normal
weight draws, only scaled), keeps the results of the last computation and the state they were
computed from, and derives the per-layer numbers the table and the lecture scenes read. The
computation itself runs in the panel's worker: ``run_experiments`` is that job.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.models.base import StateBase, setting
from app.models.legacy import keep_valid
from engine import activations, init
from engine.init_experiment import CAN_DIE, ActivationExperiment, ExperimentResult

CONFIGS = ("A", "B")
#: The fixed-std weight choices (the book's two figures); the registry's initializers follow.
FIXED_STDS = {"std0.01": 0.01, "std1": 1.0}
CUSTOM = "custom"
DEFAULT_CUSTOM_STD = 0.05
CUSTOM_STD_RANGE = (1e-3, 10.0)
VIEWS = ("forward", "backward")
#: Activations whose histograms have a spike of exact zeros (the negative side): they report
#: the share of zeros and dead units. (Saturation is reported where ``engine.stats`` defines it.)
ZERO_SPIKE = CAN_DIE


def init_keys() -> list[str]:
    """Every weight choice, in menu order: the fixed stds, the registry's others, custom."""
    return [*FIXED_STDS, *(n for n in init.REGISTRY.names() if n != "normal"), CUSTOM]


@dataclass(frozen=True)
class Config(StateBase):
    """What one configuration (A or B) runs; ``init`` is one of ``init_keys()``."""

    activation: str = setting("sigmoid", choices=activations.elementwise_names,
                              doc="the activation after every layer")
    init: str = setting("std1", choices=init_keys, doc="how the weights are drawn")
    custom_std: float = setting(DEFAULT_CUSTOM_STD, lo=CUSTOM_STD_RANGE[0], hi=CUSTOM_STD_RANGE[1],
                                doc="the std of init 'custom'")
    batchnorm: bool = setting(False, doc="batch norm between the affine map and the activation")

    def experiment_kwargs(self) -> dict:
        """The ``ActivationExperiment`` arguments this configuration sets."""
        if self.init in FIXED_STDS:
            name, kwargs = "normal", {"std": FIXED_STDS[self.init]}
        elif self.init == CUSTOM:
            name, kwargs = "normal", {"std": float(self.custom_std)}
        else:
            name, kwargs = self.init, {}
        return {"activation": self.activation, "init": name, "init_kwargs": kwargs, "batchnorm": self.batchnorm}


def _config(activation: str, init_key: str, batchnorm: bool = False) -> Config:
    return Config(activation=activation, init=init_key, batchnorm=batchnorm)


@dataclass(frozen=True)
class State(StateBase):
    """Every setting of the Initialization panel. The defaults are the book's first figure
    (sigmoid with std 1) against Xavier, 1000 × 100 inputs through 5 layers of 100, seed 0.
    The maxima bound one run to ≈ 0.3 GB of arrays and about a second."""

    a: Config = setting(default_factory=lambda: _config("sigmoid", "std1"), doc="configuration A")
    b: Config = setting(default_factory=lambda: _config("sigmoid", "xavier"), doc="configuration B")
    compare: bool = setting(True, doc="run B next to A")
    samples: int = setting(1000, lo=2, hi=5000, doc="rows of the random input batch")
    features: int = setting(100, lo=1, hi=500, doc="columns of the input batch")
    layers: int = setting(5, lo=1, hi=10, doc="hidden layers, one histogram each")
    width: int = setting(100, lo=2, hi=200, doc="units per layer")
    seed: int = setting(0, lo=0, hi=2**31 - 1, doc="seed of inputs, weights and read-out")
    view: str = setting("forward", choices=VIEWS, doc="the histograms shown: forward or backward")

    def config(self, key: str) -> Config:
        return {"A": self.a, "B": self.b}[key]

    def active(self) -> tuple[str, ...]:
        return CONFIGS if self.compare else CONFIGS[:1]

    def experiment(self, key: str) -> ActivationExperiment:
        """The engine experiment configuration ``key`` runs."""
        return ActivationExperiment(
            n_samples=self.samples, n_features=self.features, n_layers=self.layers, width=self.width,
            seed=self.seed, **self.config(key).experiment_kwargs(),
        )

    def computed_part(self) -> dict:
        """What the results depend on (everything but the view)."""
        return {k: v for k, v in self.to_dict().items() if k != "view"}


#: The book's sizes (1000 × 100, 5 layers of 100): presets restore them.
BOOK_SIZES = {"samples": 1000, "features": 100, "layers": 5, "width": 100}

#: The book's cases, one click each: (button text, tooltip, A, B).
PRESETS = (
    ("Sigmoid: std 1 vs std 0.01", "Saturation at 0 and 1 against collapse onto 0.5 (book fig. 6-10, 6-11)",
     _config("sigmoid", "std1"), _config("sigmoid", "std0.01")),
    ("Sigmoid: std 1 vs Xavier", "Saturation against a healthy spread (book fig. 6-10, 6-13)",
     _config("sigmoid", "std1"), _config("sigmoid", "xavier")),
    ("Tanh: std 0.01 vs Xavier", "Tanh collapses onto 0 with tiny weights; Xavier keeps its spread",
     _config("tanh", "std0.01"), _config("tanh", "xavier")),
    ("ReLU: std 0.01 vs He", "Tiny weights shrink ReLU layers towards 0; He keeps them alive (book fig. 6-14)",
     _config("relu", "std0.01"), _config("relu", "he")),
    ("ReLU: Xavier vs He", "Xavier halves the variance at every ReLU layer (std × 0.71); He keeps it (book fig. 6-14)",
     _config("relu", "xavier"), _config("relu", "he")),
    ("Sigmoid std 1: without vs with BN", "Batch norm rescues even a bad init (book §6.3)",
     _config("sigmoid", "std1"), _config("sigmoid", "std1", batchnorm=True)),
)


def preset_state(state: State, index: int) -> State:
    """``state`` with ``PRESETS[index]``'s A and B, compare on and the book's sizes."""
    _text, _tip, a, b = PRESETS[index]
    return dataclasses.replace(state, a=a, b=b, compare=True, **BOOK_SIZES)


def _slim(result: ExperimentResult) -> ExperimentResult:
    """The result without its big arrays (histograms and numbers only), to keep the model small."""
    empty = np.empty((0, 0))
    layers = tuple(dataclasses.replace(layer, weight=empty, pre=empty, out=empty, grad=empty, weight_grad=empty)
                   for layer in result.layers)
    return dataclasses.replace(result, x=empty, layers=layers)


def run_experiments(experiments: dict[str, ActivationExperiment]) -> dict[str, ExperimentResult]:
    """Worker job: run every experiment (A, then B) and return their slim results."""
    return {key: _slim(exp.run()) for key, exp in experiments.items()}


@dataclass(frozen=True)
class LayerRow:
    """One row of the per-layer table; ``None`` where a number is not defined for the activation."""

    config: str
    layer: int
    mean: float
    std: float
    saturated: float | None
    flat: float  # share of entries with f′ < 0.01 (engine.init_experiment.FLAT_SLOPE)
    zeros: float | None
    dead: float | None
    grad_mean_abs: float


class InitModel:
    """The current ``State`` and the results computed from it; see the module docstring."""

    def __init__(self, state: State | None = None):
        self.state = state or State()
        self.results: dict[str, ExperimentResult] = {}
        self.results_state: State | None = None  # the state ``results`` were computed from

    def experiments(self) -> dict[str, ActivationExperiment]:
        """The experiments of the active configurations (ValueError on a setting the engine rejects)."""
        return {key: self.state.experiment(key) for key in self.state.active()}

    def accept(self, results: dict[str, ExperimentResult], state: State) -> None:
        """Store ``results``, computed from ``state``."""
        self.results, self.results_state = dict(results), state

    def up_to_date(self) -> bool:
        """True when the results shown are those of the current state (its view aside)."""
        return self.results_state is not None and self.results_state.computed_part() == self.state.computed_part()

    # ---- per-layer numbers (the table, the summary and the scene checks read these) -----------
    def kind(self, key: str) -> str:
        return self.results[key].config.activation_name

    def rows(self) -> list[LayerRow]:
        """The per-layer numbers of every shown configuration, A first."""
        out = []
        for key in CONFIGS:
            if key not in self.results:
                continue
            kind = self.kind(key)
            for layer in self.results[key].layers:
                out.append(LayerRow(
                    key, layer.index, layer.mean, layer.std,
                    layer.summary["share_saturated"],  # None where saturation is not defined
                    layer.share_flat,
                    layer.share_zero if kind in ZERO_SPIKE else None,
                    layer.dead_units if kind in ZERO_SPIKE else None,
                    layer.grad_mean_abs,
                ))
        return out

    def column(self, key: str, name: str) -> np.ndarray:
        """A per-layer number of configuration ``key`` over the layers, e.g. ``column("A", "std")``."""
        return self.results[key].column(name)

    def gradient_ratio(self, key: str) -> float:
        """mean |∂L/∂a| reaching layer 1 over that reaching the last layer (< 0.1: vanishing)."""
        g = self.column(key, "grad_mean_abs")
        return float(g[0] / g[-1]) if g[-1] > 0 else float("nan")


# ---- settings written before models existed (format 1) ------------------------------------------
_OLD_SIZES = {"Samples": "samples", "Features": "features", "Layers": "layers", "Width": "width"}


def _whole(value: Any) -> int:
    """An int from an int, a float or a QSettings string ("5", "5.0"); ValueError otherwise."""
    if isinstance(value, bool):
        return int(value)
    return int(float(value))


def _converted(values: dict, conversions: dict) -> dict:
    """``{new key: convert(values[old key])}`` for the old keys present that convert."""
    out = {}
    for old, (new, convert) in conversions.items():
        if old in values:
            try:
                out[new] = convert(values[old])
            except (TypeError, ValueError, IndexError):
                pass
    return out


def migrate_legacy(values: dict) -> dict:
    """What the old ``InitPanel.save_settings`` wrote (``A/activation``, ``sizes/Width``, ``view``
    as a tab index, ints for booleans, maybe all strings) → a dict for ``State.from_dict``.
    Values that do not fit are dropped (their defaults stay)."""
    parts: dict[str, Any] = {}
    for key in CONFIGS:
        cfg = _converted(values, {
            f"{key}/activation": ("activation", str), f"{key}/init": ("init", str),
            f"{key}/custom_std": ("custom_std", float), f"{key}/batchnorm": ("batchnorm", lambda v: bool(_whole(v))),
        })
        if cfg:
            parts[key.lower()] = keep_valid(Config, cfg)
    parts.update(_converted(values, {f"sizes/{old}": (new, _whole) for old, new in _OLD_SIZES.items()}))
    parts.update(_converted(values, {
        "seed": ("seed", _whole), "compare": ("compare", lambda v: bool(_whole(v))),
        "view": ("view", lambda v: VIEWS[_whole(v)]),
    }))
    return keep_valid(State, parts)
