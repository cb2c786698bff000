"""Experiment grids (the lecture's assignment 1): vary factors, train every combination, compare.

A *factor* is one setting of the run (``FACTORS``: dropout, activation, init, init_std,
batchnorm, optimizer, lr, weight_decay, l1, l1_proximal); its *levels* are the values tried. ``expand_grid``
turns ``{factor: levels}`` into the full grid × seeds as ``RunSpec`` objects (frozen,
picklable: they travel to worker processes); ``run_one`` trains one spec with the engine and
returns a ``RunResult`` of per-epoch curves; ``summarize`` folds the seeds of each
configuration into mean ± standard deviation. Worker processes run ``run_one`` through
``engine.grid_worker`` (its loop and typed messages).

Data and network come from ``engine.training_setup`` (``DataSpec``, ``RunSettings``), so a
grid run equals the Training panel's run with the same settings. The data never depends on the
seed; the seed draws the weights, dropout masks and batch order. Same specs → same results,
bit for bit (wall time aside).

Optimizer levels may carry their own learning rate, ``"adam:0.001"`` (the book gives each
optimizer its own); an ``lr`` factor overrides it. ``init_std`` means init "normal" with that
standard deviation (the book's batch-norm experiment sweeps it).
"""

from __future__ import annotations

import itertools
import math
import re
import time
import warnings
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from engine import activations, init as _init, optimizers
from engine.network import MLP
from engine.training import Trainer
from engine.training_setup import BOOK_OVERFITTING, BOOK_OVERFITTING_DATA, DataSpec, RunSettings, make_data

#: Curves every result holds, one value per epoch (epoch 0 = before training).
CURVES = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
#: What summaries hold besides: the generalization gap, train − test accuracy (per seed, then
#: averaged, so its sd is the gap's own spread), the overfitting experiments' measure.
SUMMARY_CURVES = CURVES + ("accuracy_gap",)
#: Final shares of the weights (``RunResult.weight_zeros``) that summaries hold besides: exactly 0
#: (only L1's proximal step makes these) and |w| < 1e-3 (L1 pulls weights towards 0).
WEIGHT_SHARES = ("zero_weights", "small_weights")


@dataclass(frozen=True)
class Factor:
    """One thing a grid can vary: ``kind`` is "float", "bool" or "choice"."""

    name: str
    display_name: str
    kind: str
    description: str
    choices: tuple[str, ...] = ()


FACTORS: dict[str, Factor] = {f.name: f for f in (
    Factor("dropout", "Dropout", "float", "dropout ratio of every hidden layer, in [0, 1)"),
    Factor("activation", "Activation", "choice", "hidden-layer activation",
           tuple(activations.elementwise_names())),
    Factor("init", "Init", "choice", "weight initializer (\"normal\" = fixed std 0.01)",
           tuple(_init.names())),
    Factor("init_std", "Init std", "float", "init \"normal\" with this standard deviation (> 0)"),
    Factor("batchnorm", "Batch norm", "bool", "batch normalization after every hidden Dense layer"),
    Factor("optimizer", "Optimizer", "choice", "update rule; \"name:lr\" also sets its learning rate",
           tuple(optimizers.names())),
    Factor("lr", "Learning rate", "float", "learning rate (> 0), overrides an optimizer's own"),
    Factor("weight_decay", "Weight decay", "float", "L2 penalty λ (½λ‖W‖², ≥ 0)"),
    Factor("l1", "L1", "float", "L1 penalty λ₁ (λ₁·Σ|W|, ≥ 0)"),
    Factor("l1_proximal", "L1 proximal", "bool",
           "L1 as a soft-threshold after each step (exact zeros) instead of a subgradient term"),
)}

_TRUE, _FALSE = ("on", "true", "yes", "1", "bn"), ("off", "false", "no", "0", "none")
_SPACE = re.compile(r"^(logspace|linspace)\(([^)]*)\)$")


def factor(name: str) -> Factor:
    key = str(name).strip().lower().replace(" ", "_").replace("-", "_")
    if key not in FACTORS:
        raise ValueError(f"unknown factor {name!r}; choose one of: {', '.join(FACTORS)}")
    return FACTORS[key]


def check_level(name: str, value):
    """``value`` as the canonical level of factor ``name`` (ValueError with the allowed values)."""
    f = factor(name)
    if f.kind == "bool":
        if isinstance(value, str):
            text = value.strip().lower()
            if text not in _TRUE + _FALSE:
                raise ValueError(f"{f.name} levels must be on or off, got {value!r}")
            return text in _TRUE
        return bool(value)
    if f.kind == "float":
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{f.name} levels must be numbers, got {value!r}") from None
        ok = {"dropout": 0 <= v < 1, "init_std": v > 0, "lr": v > 0, "weight_decay": v >= 0, "l1": v >= 0}[f.name]
        if not (math.isfinite(v) and ok):
            raise ValueError(f"bad {f.name} level {value!r}: {f.description}")
        return v
    text = str(value).strip()
    if f.name == "optimizer":
        opt, _, lr = text.partition(":")
        opt = optimizers.REGISTRY.canonical(opt)
        return f"{opt}:{check_level('lr', lr):g}" if lr.strip() else opt
    registry = activations.REGISTRY if f.name == "activation" else _init.REGISTRY
    canonical = registry.canonical(text)
    if canonical not in f.choices:
        raise ValueError(f"{f.name} {value!r} cannot be used here; choose one of: {', '.join(f.choices)}")
    return canonical


def parse_levels(name: str, text: str) -> list:
    """Levels typed as text: "relu, tanh"; "0, 0.2"; "off, on"; "logspace(0, -4, 16)"."""
    f = factor(name)
    text = str(text).strip()
    match = _SPACE.match(text.replace(" ", ""))
    if match and f.kind == "float":
        try:
            a, b, n = (float(p) for p in match.group(2).split(","))
        except ValueError:
            raise ValueError(f"write {match.group(1)}(start, stop, count), got {text!r}") from None
        values = getattr(np, match.group(1))(a, b, int(n))
        return [check_level(name, float(v)) for v in values]
    parts = [p for p in re.split(r"[,;\s]+", text) if p]
    if not parts:
        raise ValueError(f"give at least one {f.name} level")
    levels = [check_level(name, p) for p in parts]
    return list(dict.fromkeys(levels))  # duplicates would be the same configuration twice


def format_level(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


@dataclass(frozen=True)
class RunSpec:
    """One run: a configuration (factor levels) of the base settings, on the data, with a seed."""

    config: tuple  # ((factor, level), ...) in the grid's factor order
    config_id: int
    seed: int
    data: DataSpec
    base: RunSettings

    @property
    def label(self) -> str:
        return config_label(self.config)

    def settings(self) -> tuple[RunSettings, dict]:
        """``(RunSettings, init_kwargs)`` of this run."""
        levels = dict(self.config)
        s = self.base
        hyper = dict(s.hyper)
        changes: dict = {"seed": int(self.seed)}
        init_kwargs: dict = {}
        for key in ("dropout", "activation", "init", "batchnorm", "weight_decay", "l1", "l1_proximal"):
            if key in levels:
                changes[key] = levels[key]
        if "optimizer" in levels:
            opt, _, lr = str(levels["optimizer"]).partition(":")
            changes["optimizer"] = opt
            hyper = {"lr": float(lr) if lr else float(s.hyper.get("lr", 0.01))}
        if "lr" in levels:
            hyper["lr"] = float(levels["lr"])
        if "init_std" in levels:
            changes["init"] = "normal"
            init_kwargs["std"] = float(levels["init_std"])
        return replace(s, hyper=hyper, **changes), init_kwargs


def config_label(config) -> str:
    return " · ".join(f"{k} {format_level(v)}" for k, v in config) or "base settings"


def expand_grid(factors: dict, seeds=(0,), data: DataSpec = DataSpec(), base: RunSettings = RunSettings(),
                select=None) -> list[RunSpec]:
    """Every combination of the factors' levels × every seed (configuration-major order).

    ``factors`` maps factor names to level lists (or level text, see ``parse_levels``); an empty
    mapping is one configuration, the base settings. ``select`` keeps only those configuration
    indices (a subset of the grid). Count: Π len(levels) (or len(select)) × len(seeds).
    """
    names, level_lists = [], []
    for name, levels in dict(factors).items():
        f = factor(name)
        if f.name in names:
            raise ValueError(f"factor {f.name!r} given twice")
        if isinstance(levels, str):
            levels = parse_levels(f.name, levels)
        levels = list(dict.fromkeys(check_level(f.name, v) for v in levels))
        if not levels:
            raise ValueError(f"factor {f.name!r} needs at least one level")
        names.append(f.name)
        level_lists.append(levels)
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"give one or more distinct seeds, got {seeds!r}")
    configs = [tuple(zip(names, combo)) for combo in itertools.product(*level_lists)]
    keep = range(len(configs)) if select is None else sorted(set(int(i) for i in select))
    if any(not 0 <= i < len(configs) for i in keep):
        raise ValueError(f"select must hold configuration indices in 0…{len(configs) - 1}")
    return [RunSpec(configs[i], i, seed, data, base) for i in keep for seed in seeds]


@dataclass
class RunResult:
    """Per-epoch curves (index = epoch, 0 = before training) and what the table shows."""

    config: tuple
    config_id: int
    seed: int
    curves: dict = field(default_factory=dict)  # CURVES key → list of floats
    best_epoch: int = 0  # highest test accuracy (first such epoch)
    wall_time: float = 0.0
    status: str = "finished"  # finished, diverged or cancelled
    message: str = ""
    weight_zeros: tuple = (0, 0, 0)  # Trainer.weight_zeros() at the end: (exactly 0, |w| < 1e-3, all)

    @property
    def label(self) -> str:
        return config_label(self.config)

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"

    def final(self, key: str) -> float:
        values = self.curves.get(key) or [math.nan]
        return float(values[-1])


@lru_cache(maxsize=4)
def _data(spec: DataSpec):
    return make_data(spec)


def build_trainer(spec: RunSpec) -> Trainer:
    """The engine objects of ``spec``: the same network, optimizer and data as the Training panel."""
    data = _data(spec.data)
    s, init_kwargs = spec.settings()
    model = MLP(data.n_features, list(s.hidden), data.n_classes, activation=s.activation,
                activation_kwargs=activations.alpha_kwargs(s.activation, s.activation_alpha), init=s.init,
                batchnorm=s.batchnorm, dropout=s.dropout, weight_decay=s.weight_decay, l1=s.l1,
                seed=s.seed, init_kwargs=init_kwargs, l1_proximal=s.l1_proximal)
    return Trainer(model, optimizers.get(s.optimizer, **s.hyper), data.x_train, data.y_train,
                   data.x_test, data.y_test, batch_size=s.batch_size, epochs=s.epochs, seed=s.seed)


def run_one(spec: RunSpec, progress=None, should_stop=None) -> RunResult:
    """Train ``spec`` to the end; ``progress(epoch, epochs)`` after each epoch, ``should_stop()``
    polled every step (True → status "cancelled"). Deterministic per spec (wall time aside)."""
    t0 = time.perf_counter()
    trainer = build_trainer(spec)
    first = trainer.evaluate()
    curves = {k: [first[k]] for k in CURVES}
    for m in trainer.run():
        if should_stop is not None and should_stop():
            trainer.cancel()
        if m.epoch_end:
            for k in CURVES:
                curves[k].append(getattr(m, k))
            if progress is not None:
                progress(m.epoch, trainer.epochs)
    if should_stop is not None and should_stop() and trainer.status != "finished":
        trainer.status = "cancelled"
    acc = np.asarray(curves["test_accuracy"], dtype=float)
    best = int(np.nanargmax(acc)) if np.isfinite(acc).any() else 0
    return RunResult(spec.config, spec.config_id, spec.seed, curves, best,
                     time.perf_counter() - t0, trainer.status, trainer.message, trainer.weight_zeros())


@dataclass
class ConfigSummary:
    """One configuration across its seeds: mean and standard deviation (0 for one seed)."""

    config: tuple
    config_id: int
    seeds: tuple
    mean: dict  # SUMMARY_CURVES key → (epochs + 1,) mean curve (NaN where no seed reached that epoch)
    std: dict
    final: dict  # SUMMARY_CURVES key → (mean, std) of the final values; also WEIGHT_SHARES keys
    best_epoch: float
    wall_time: float  # mean per run
    diverged: int  # how many seeds diverged

    @property
    def label(self) -> str:
        return config_label(self.config)


def _mean_std(stack: np.ndarray):
    """Mean and sample sd over axis 0, ignoring NaN (epochs a diverged seed never reached)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "mean of empty slice" for such epochs
        mean = np.nanmean(stack, axis=0)
        n = np.sum(np.isfinite(stack), axis=0)
        std = np.nanstd(stack, axis=0, ddof=1) if len(stack) > 1 else np.zeros_like(mean)
    return mean, np.where(n > 1, std, 0.0)


def summarize(results) -> list[ConfigSummary]:
    """Group ``results`` by configuration (in configuration order) and fold the seeds."""
    groups: dict[int, list[RunResult]] = {}
    for r in results:
        groups.setdefault(r.config_id, []).append(r)
    out = []
    for cid in sorted(groups):
        runs = sorted(groups[cid], key=lambda r: r.seed)
        n = max(len(r.curves.get(CURVES[0], [])) for r in runs)
        mean, std, final = {}, {}, {}
        stacks, finals = {}, {}
        for k in CURVES:
            stacks[k] = np.full((len(runs), n), np.nan)
            for i, r in enumerate(runs):
                values = r.curves.get(k, [])
                stacks[k][i, :len(values)] = values
            finals[k] = np.array([r.final(k) for r in runs])
        stacks["accuracy_gap"] = stacks["train_accuracy"] - stacks["test_accuracy"]
        finals["accuracy_gap"] = finals["train_accuracy"] - finals["test_accuracy"]
        for k in SUMMARY_CURVES:
            mean[k], std[k] = _mean_std(stacks[k])
            m, s = _mean_std(finals[k][:, None])
            final[k] = (float(m[0]), float(s[0]))
        zeros = np.array([r.weight_zeros for r in runs], dtype=float).reshape(len(runs), 3)
        with np.errstate(all="ignore"):
            shares = zeros[:, :2] / zeros[:, 2:]  # NaN for a result without weights
        for i, k in enumerate(WEIGHT_SHARES):
            m, s = _mean_std(shares[:, i:i + 1])
            final[k] = (float(m[0]), float(s[0]))
        out.append(ConfigSummary(runs[0].config, cid, tuple(r.seed for r in runs), mean, std, final,
                                 float(np.mean([r.best_epoch for r in runs])),
                                 float(np.mean([r.wall_time for r in runs])),
                                 sum(r.diverged for r in runs)))
    return out


# ------------------------------------------------------------------------------------ book presets
@dataclass(frozen=True)
class Preset:
    """A ready-made comparison: data, base settings, factors and seeds, plus how it was scaled."""

    name: str
    data: DataSpec
    base: RunSettings
    factors: dict
    seeds: tuple = (0,)
    note: str = ""
    color_by: str = ""
    style_by: str = ""

    def specs(self) -> list[RunSpec]:
        return expand_grid(self.factors, self.seeds, self.data, self.base)


_BOOK_MNIST = RunSettings(hidden=(100,) * 4, activation="relu", init="he", optimizer="sgd",
                          hyper={"lr": 0.01}, batch_size=128, epochs=100, seed=0)
_DIGITS_1000 = DataSpec("digits", "digits", 0.0, 1250, 0.2)

PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("Assignment 1: activation × batch norm (spiral)", DataSpec("toy", "spiral", 0.1, 400, 0.2),
           RunSettings(hidden=(32,) * 5, optimizer="sgd", hyper={"lr": 0.1}, batch_size=32, epochs=40),
           {"activation": ["relu", "sigmoid"], "batchnorm": [False, True]}, (0, 1),
           "The lecture's assignment: change one thing at a time and compare; 2 seeds each. A deep net "
           "(5×32, plain SGD 0.1, 40 epochs), where the lecture's points show: batch norm lets ReLU learn "
           "(≈ 60 % → ≈ 90 % test accuracy), and sigmoid's gradients vanish (chance, 50 %, without batch norm).",
           "activation", "batchnorm"),
    Preset("Book 6.1: optimizers on digits", _DIGITS_1000, _BOOK_MNIST,
           {"optimizer": ["sgd:0.01", "momentum:0.01", "adagrad:0.01", "adam:0.001"]}, (0,),
           "Book: MNIST, 4×100 ReLU, batch 128, 2000 iterations. Here: 1000 synthetic digits, "
           "100 epochs = 800 iterations; the order of the curves is the book's.",
           "optimizer"),
    Preset("Book 6.2: init std 0.01 vs Xavier vs He", _DIGITS_1000, _BOOK_MNIST,
           {"init": ["normal", "xavier", "he"]}, (0,),
           "Book: MNIST, 4×100 ReLU, SGD 0.01, batch 128, 2000 iterations. Here: 1000 synthetic "
           "digits, 100 epochs = 800 iterations. Xavier is the lecture's √(2/(n_in+n_out)).",
           "init"),
    Preset("Book 6.3: batch norm vs none × 16 init scales", _DIGITS_1000,
           RunSettings(hidden=(100,) * 5, activation="relu", init="normal", optimizer="sgd",
                       hyper={"lr": 0.01}, batch_size=100, epochs=20, seed=0),
           {"init_std": list(np.logspace(0, -4, 16)), "batchnorm": [False, True]}, (0,),
           "As the book: 1000 training samples (synthetic digits), 5×100, batch 100, SGD 0.01, "
           "20 epochs, init std logspace(0, −4, 16); 32 runs. Colour: init std; dashed: with batch norm.",
           "init_std", "batchnorm"),
    Preset("Book 6.4: weight decay and dropout vs overfitting", BOOK_OVERFITTING_DATA,
           replace(BOOK_OVERFITTING, epochs=150),
           {"weight_decay": [0.0, 0.1], "dropout": [0.0, 0.2]}, (0,),
           "As the book: 300 training samples, 6×100, SGD 0.01, batch 100; λ = 0.1 and dropout 0.2. "
           "150 epochs instead of 201/301 (the gap is open by then); compare train vs test accuracy.",
           "weight_decay", "dropout"),
    Preset("Book 6.4 + batch norm: does it reduce overfitting?", BOOK_OVERFITTING_DATA,
           replace(BOOK_OVERFITTING, epochs=50), {"batchnorm": [False, True]}, (0, 1, 2),
           "The book's overfitting set-up (300 training samples, 6×100, SGD 0.01, batch 100) with and "
           "without batch norm, 3 seeds, 50 epochs. Plot the gap (train − test), then train accuracy.",
           "batchnorm"),
    Preset("L1 vs L2: sparse weights (moons)", DataSpec("toy", "moons", 0.1, 400, 0.2),
           RunSettings(hidden=(32, 32), optimizer="sgd", hyper={"lr": 0.1}, batch_size=16, epochs=40),
           {"weight_decay": [0.0, 0.003], "l1": [0.0, 0.001], "l1_proximal": [False, True]}, (0, 1),
           "L2 λ = 0.003 and L1 λ₁ = 0.001, each alone and both, with L1 as a subgradient term or as a "
           "proximal step; SGD 0.1, 40 epochs, 2 seeds. Compare the table's |w| < 1e-3 and w = 0 columns.",
           "l1", "l1_proximal"),
)}
