"""The Compare panel's model: its settings, the experiment grid, and the grid's results.

``State`` holds every setting a user can change on the panel: the preset last chosen, the
data and network every run shares, the factors to vary (``vary``) with the levels typed for
each factor (``levels``, text such as "relu, tanh" or "logspace(0, -4, 16)"), the number of
seeds, and how the results are shown (metric, colour/style factor, bands, table sort); ``mode``
picks the grid or the hyperparameter search, whose settings are ``search``
(``app.models.hparam_search``).

``CompareModel`` turns a ``State`` into ``RunSpec`` s (``plan``), and folds the typed messages
of ``engine.grid_worker`` (``consume``, from ``app.models.runs.RunBook``) into what the views
draw: the finished runs, the per-configuration mean ± sd (``summaries``), the table's rows and
CSV, and the progress and ETA. ``CompareModel.search`` does the same for the search's trials.
It owns no process: the panel runs the specs in ``app.process_pool`` and forwards each message
to the model of the current mode.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import time
from dataclasses import dataclass

from app.models.base import StateBase, StateError, setting
from app.models.hparam_search import SearchModel, SearchState
from app.models import runs
from app.models.runs import DIGITS, Progress, RunBook, data_names  # noqa: F401 - re-exported for the views and tests
from engine import activations, experiments, optimizers
from engine.training_setup import DataSpec, RunSettings, parse_hidden

FACTOR_NAMES = tuple(experiments.FACTORS)
PRESET_NAMES = tuple(experiments.PRESETS)
#: The panel's two modes: the experiment grid, and the book's random hyperparameter search (§6.5).
MODES = ("grid", "search")
#: Curves the plot can show: key → axis label (English source text).
PLOT_METRICS = {
    "test_accuracy": "test accuracy", "train_accuracy": "train accuracy",
    "test_loss": "test loss", "train_loss": "train loss",
    "accuracy_gap": "accuracy gap (train − test)",
}
#: Table columns after the factor columns: (key, header, tooltip).
TABLE_METRICS = (
    ("seeds", "Seeds", "How many seeds (runs) this row averages"),
    ("train_accuracy", "Train acc", "Final accuracy on the training set, mean ± sd across seeds"),
    ("test_accuracy", "Test acc", "Final accuracy on the test set, mean ± sd across seeds"),
    ("train_loss", "Train loss", "Final training loss (with the weight penalty), mean ± sd"),
    ("test_loss", "Test loss", "Final test loss, mean ± sd"),
    ("accuracy_gap", "Gap", "Generalization gap: final train − test accuracy, in points (overfitting)"),
    ("small_weights", "|w| < 1e-3", "Share of the weights with |w| < 1e-3 at the end, mean ± sd (L1 pulls weights "
     "towards 0)"),
    ("zero_weights", "w = 0", "Share of the weights exactly 0 at the end, mean ± sd (only L1's proximal step "
     "sets weights to exactly 0)"),
    ("best_epoch", "Best epoch", "Epoch of the highest test accuracy (mean across seeds)"),
    ("wall_time", "Time (s)", "Wall time of one run, mean across seeds"),
    ("diverged", "Diverged", "How many of the seeds diverged (loss not finite or > 1e6)"),
)


@dataclass(frozen=True)
class Levels(StateBase):
    """The levels typed for each factor (kept while the factor is not ticked); one field per
    factor of ``engine.experiments.FACTORS``, in its order."""

    dropout: str = "0, 0.2"
    activation: str = "relu, sigmoid"
    init: str = "normal, xavier, he"
    init_std: str = "logspace(0, -4, 4)"
    batchnorm: str = "off, on"
    optimizer: str = "sgd:0.1, adam:0.01"
    lr: str = "0.001, 0.01, 0.1"
    weight_decay: str = "0, 0.1"
    l1: str = "0, 0.001"
    l1_proximal: str = "off, on"


@dataclass(frozen=True)
class State(StateBase):
    """Every user-settable setting of the Compare panel (defaults: the first preset)."""

    preset: str = setting(PRESET_NAMES[0], choices=PRESET_NAMES, doc="the preset last chosen")
    data: str = setting("spiral", choices=data_names, doc="a 2-D toy set, or the synthetic digits")
    size: int = setting(400, lo=20, hi=20000, doc="samples in total (train + test)")
    test_pct: float = setting(20.0, lo=5.0, hi=90.0, doc="share held out for testing, in %")
    hidden: tuple[int, ...] = setting((32,) * 5, lo=1, hi=1024, doc="hidden layer widths (1–8 layers)")
    epochs: int = setting(40, lo=1, hi=1000)
    batch: int = setting(32, lo=1, hi=4096)
    optimizer: str = setting("sgd", choices=optimizers.names, doc="when the optimizer is not a factor")
    lr: float = setting(0.1, lo=1e-6, hi=10.0, doc="when neither lr nor an optimizer level sets it")
    seeds: int = setting(2, lo=1, hi=10, doc="seeds per configuration: 0, 1, …")
    vary: tuple[str, ...] = setting(("activation", "batchnorm"), choices=FACTOR_NAMES,
                                    doc="the ticked factors (kept in the order of FACTORS)")
    levels: Levels = Levels()
    metric: str = setting("test_accuracy", choices=tuple(PLOT_METRICS))
    color_by: str = setting("activation", choices=("",) + FACTOR_NAMES)
    style_by: str = setting("batchnorm", choices=("",) + FACTOR_NAMES)
    bands: bool = True
    sort_column: str = setting("", choices=("",) + FACTOR_NAMES + tuple(k for k, _h, _t in TABLE_METRICS),
                               doc="the table's sort column; empty: grid order")
    sort_descending: bool = False
    mode: str = setting("grid", choices=MODES, doc="grid: the factors' grid; search: random lr × weight decay")
    search: SearchState = SearchState()
    activation: str = setting("relu", choices=activations.elementwise_names,
                              doc="every hidden layer's activation when it is not a factor")
    activation_alpha: float | None = setting(None, lo=0.001, hi=10.0,
                                             doc=activations.ALPHA_DOC + "; also for such activation levels")

    def __post_init__(self):
        if not 1 <= len(self.hidden) <= 8:
            raise StateError("hidden", f"give 1 to 8 hidden layers, got {len(self.hidden)}")
        if len(set(self.vary)) != len(self.vary):
            raise StateError("vary", f"a factor is ticked twice: {', '.join(self.vary)}")
        object.__setattr__(self, "vary", tuple(n for n in FACTOR_NAMES if n in self.vary))

    # ---- what the runs get -------------------------------------------------------------------
    def data_spec(self) -> DataSpec:
        return runs.data_spec(self.data, self.size, self.test_pct / 100)

    def run_settings(self) -> RunSettings:
        return RunSettings(hidden=self.hidden, activation=self.activation, optimizer=self.optimizer,
                           hyper={"lr": float(self.lr)}, batch_size=self.batch, epochs=self.epochs,
                           activation_alpha=self.activation_alpha)

    def factors(self) -> dict:
        """Ticked factors → parsed levels (ValueError names the factor and its bad level)."""
        return {n: experiments.parse_levels(n, getattr(self.levels, n)) for n in self.vary}

    def grid(self):
        """``(factors, seeds, DataSpec, RunSettings)`` for ``experiments.expand_grid``."""
        return self.factors(), tuple(range(self.seeds)), self.data_spec(), self.run_settings()


#: The fields a preset sets (the form); the rest only change how results are shown.
FORM_FIELDS = ("data", "size", "test_pct", "hidden", "epochs", "batch", "optimizer", "lr", "seeds", "vary")


def preset_state(name: str, base: State | None = None) -> State:
    """``base`` (default: defaults) with preset ``name`` loaded, as choosing it in the panel does."""
    preset = experiments.PRESETS.get(name)
    if preset is None:
        raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(experiments.PRESETS)}")
    base = base or State()
    levels = {k: ", ".join(experiments.format_level(v) for v in values) for k, values in preset.factors.items()}
    if len(preset.factors.get("init_std", ())) == 16:
        levels["init_std"] = "logspace(0, -4, 16)"  # the book's exact values
    names = [n for n in FACTOR_NAMES if n in preset.factors]
    color_by, style_by = plot_factors(names, preset.color_by or base.color_by, preset.style_by or base.style_by)
    return base.replace(
        preset=name, data=preset.data.name, size=preset.data.size, test_pct=round(preset.data.test_ratio * 100, 2),
        hidden=tuple(preset.base.hidden), epochs=preset.base.epochs, batch=preset.base.batch_size,
        optimizer=preset.base.optimizer, lr=float(preset.base.hyper.get("lr", 0.01)), seeds=len(preset.seeds),
        activation=preset.base.activation, activation_alpha=preset.base.activation_alpha,
        vary=tuple(names), levels=base.levels.replace(**levels), color_by=color_by, style_by=style_by)


def preset_matches(state: State) -> bool:
    """True while the form still holds ``state.preset`` as loaded (its note then applies)."""
    loaded = preset_state(state.preset, state)
    same_levels = all(getattr(loaded.levels, n) == getattr(state.levels, n) for n in state.vary)
    return same_levels and all(getattr(loaded, f) == getattr(state, f) for f in FORM_FIELDS)


def plot_factors(names, color_by: str, style_by: str) -> tuple[str, str]:
    """The colour and style factors for a grid of ``names``: kept if in it, else the first
    factor for colour and, for style, the second ("" keeps "none")."""
    names = list(names)
    color = color_by if color_by in names else (names[0] if names else "")
    style = style_by if (style_by == "" or style_by in names) else (names[1] if len(names) > 1 else "")
    return color, style


def migrate_legacy(values: dict) -> dict:
    """What ``save_settings`` wrote before models (``{"state": JSON text}``) → a ``State`` dict.

    Values that no longer fit (unknown preset, text where a number belongs, ...) are dropped.
    """
    raw = values.get("state", values)
    if isinstance(raw, str):
        try:
            raw = json.loads(raw or "{}")
        except ValueError:
            return {}
    if not isinstance(raw, dict):
        return {}
    form = raw.get("form") if isinstance(raw.get("form"), dict) else {}
    out: dict = {}
    data = form.get("data")
    if isinstance(data, (list, tuple)) and len(data) == 2:
        out["data"] = data[1]
    for key in ("size", "test_pct", "epochs", "batch", "optimizer", "lr", "seeds"):
        if key in form:
            out[key] = form[key]
    if isinstance(form.get("hidden"), str):
        try:
            out["hidden"] = list(parse_hidden(form["hidden"]))
        except ValueError:
            pass
    levels = {}
    for group in ("levels", "factors"):  # the ticked factors' text wins
        if isinstance(form.get(group), dict):
            levels.update({k: v for k, v in form[group].items() if k in FACTOR_NAMES and isinstance(v, str)})
    if levels:
        out["levels"] = levels
    if isinstance(form.get("factors"), dict):
        out["vary"] = [k for k in form["factors"] if k in FACTOR_NAMES]
    for key in ("preset", "metric", "bands"):
        if key in raw:
            out[key] = raw[key]
    for key in ("color_by", "style_by"):
        if key in raw:
            out[key] = raw[key] or ""
    kept: dict = {}
    for key, value in out.items():  # one by one: a bad value costs only itself
        try:
            State().merged({**kept, key: value})
        except ValueError:
            continue
        kept[key] = value
    return kept


class GridMismatch(ValueError):
    """The form's factors no longer describe the grid in the table (re-running a selection)."""


class CompareModel(RunBook):
    """The panel's ``state`` and the current grid (see the module docstring); ``search``: the
    hyperparameter search mode's trials (``app.models.hparam_search``)."""

    def __init__(self, state: State | None = None, clock=time.perf_counter):
        super().__init__(clock)
        self.state = state or State()
        self.search = SearchModel(clock)
        self.factor_names: list[str] = []
        self._summaries: list[experiments.ConfigSummary] | None = []
        self.offset = 0  # the workers' task ids start here in ``specs`` (a re-run keeps the runs before)

    # ---- settings ------------------------------------------------------------------------------
    def set_state(self, state: State) -> None:
        self.state = state

    def update(self, **changes) -> State:
        """Change some settings (validated); returns the new state."""
        self.state = self.state.replace(**changes)
        return self.state

    def load_preset(self, name: str) -> State:
        self.state = preset_state(name, self.state)
        return self.state

    def plot_choices(self) -> list[str]:
        """The factors the colour/style choices offer: the grid's, else the ticked ones."""
        return list(self.factor_names) if self.specs else list(self.state.vary)

    # ---- the grid --------------------------------------------------------------------------------
    def plan(self, select=None) -> list[experiments.RunSpec]:
        """The state's grid as specs (``select``: only those configuration ids); ValueError on bad input."""
        factors, seeds, data, base = self.state.grid()
        return experiments.expand_grid(factors, seeds, data, base, select=select)

    def count(self) -> tuple[int, int, int]:
        """``(configurations, seeds, runs)`` of the state's grid (ValueError on bad levels)."""
        configs = 1
        for levels in self.state.factors().values():
            configs *= len(levels)
        return configs, self.state.seeds, configs * self.state.seeds

    def plan_selected(self, config_ids) -> list[experiments.RunSpec]:
        """Re-run these configurations of the current grid with the state's seeds.

        ``GridMismatch`` if the state's factors no longer describe the grid shown, ValueError on
        bad input.
        """
        specs = self.plan(select=config_ids)
        shown = {s.config_id: s.config for s in self.specs}
        if list(self.state.vary) != self.factor_names or any(shown.get(s.config_id) != s.config for s in specs):
            raise GridMismatch("The factors in the form no longer match the table: run the whole grid first")
        return specs

    def start(self, specs, factor_names) -> None:
        """A new grid of ``specs``: forget the last one's results; the runs report through ``consume``."""
        self.start_runs(specs)
        self.factor_names = list(factor_names)
        self._summaries = None
        self.offset = 0
        color, style = plot_factors(self.factor_names, self.state.color_by, self.state.style_by)
        if (color, style) != (self.state.color_by, self.state.style_by):
            self.state = self.state.replace(color_by=color, style_by=style)

    def start_rerun(self, specs) -> None:
        """Re-run ``specs`` (configurations of the grid shown): their old runs are replaced, every
        other configuration's finished runs stay. The workers number ``specs`` from 0; ``consume``
        shifts their task ids past the kept runs."""
        ids = {s.config_id for s in specs}
        kept = [(spec, self.results[i]) for i, spec in enumerate(self.specs)
                if spec.config_id not in ids and i in self.results]
        self.start(specs, self.factor_names)
        self.specs = [spec for spec, _r in kept] + list(specs)
        self.results = {i: r for i, (_spec, r) in enumerate(kept)}
        self.offset = len(kept)

    def consume(self, msg) -> None:
        if self.offset and isinstance(getattr(msg, "task_id", None), int):
            msg = dataclasses.replace(msg, task_id=msg.task_id + self.offset)
        super().consume(msg)

    def label(self, task_id: int) -> str:
        """The configuration of the workers' task ``task_id`` (shifted like ``consume``)."""
        return super().label(task_id + self.offset)

    def adopt(self, other: "CompareModel") -> None:
        """Take ``other``'s settings, grid and results (the window's rebuild on a language switch);
        runs ``other`` still had going were cancelled with its window."""
        self.state = other.state
        self.specs, self.results, self.failed = list(other.specs), dict(other.results), dict(other.failed)
        self.factor_names, self.offset = list(other.factor_names), other.offset
        self.status = "cancelled" if other.running else other.status
        self.search = other.search
        if self.search.running:
            self.search.status = "cancelled"
        self._summaries = None

    def clear(self) -> None:
        """Forget the grid and its results (the settings stay)."""
        self.clear_runs()
        self.factor_names = []
        self._summaries = []

    def results_changed(self) -> None:
        self._summaries = None

    # ---- what the views show ------------------------------------------------------------------------
    def summaries(self) -> list[experiments.ConfigSummary]:
        """One mean ± sd summary per configuration that has finished runs (configuration order)."""
        if self._summaries is None:
            self._summaries = experiments.summarize(self.results.values())
        return self._summaries

    def final(self, key: str) -> dict:
        """``{config: (mean, sd)}`` of one final metric (for scene checks and tests)."""
        return {s.config: s.final[key] for s in self.summaries()}

    def rows(self) -> list[dict]:
        """One dict per configuration: levels, seeds, (mean, sd) per final metric, best epoch, diverged."""
        out = []
        for s in self.summaries():
            row = {"config": tuple(s.config), "seeds": tuple(s.seeds), "best_epoch": s.best_epoch,
                   "diverged": s.diverged, "wall_time": s.wall_time}
            row.update({k: tuple(v) for k, v in s.final.items()})
            out.append(row)
        return out

    def write_csv(self, path: str) -> None:
        """Every configuration with means and standard deviations in separate columns (no rounding)."""
        finals = list(experiments.SUMMARY_CURVES)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow([*self.factor_names, "seeds", *(f"{k}_{p}" for k in finals for p in ("mean", "sd")),
                        "best_epoch", "time_s", "diverged"])
            for s in self.summaries():
                levels = dict(s.config)
                w.writerow([experiments.format_level(levels[n]) for n in self.factor_names]
                           + [len(s.seeds)] + [repr(v) for k in finals for v in s.final[k]]
                           + [s.best_epoch, f"{s.wall_time:.3f}", s.diverged])
