"""The Compare panel's hyperparameter-search mode (the book's §6.5): its settings and its trials.

``SearchState`` holds what the search form sets: the data pool and its validation share, how
many trials, the exponent ranges of the learning rate and the weight decay (drawn as
``10 ** U(lo, hi)``), the network and training of every trial, the seed of the draws, and how
many of the best trials the curves show. ``SearchModel`` turns it into the trials' ``RunSpec`` s
(``engine.hparam_search``), folds the worker messages (``RunBook``) and gives the views the
points (lr, weight decay, validation accuracy), the trials ranked best first, and the CSV.

Every trial's "test" curves are validation curves: the search never makes a test set.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass

import numpy as np

from app.models.base import StateBase, StateError, setting
from app.models.runs import DIGITS, RunBook, data_names, data_spec
from engine import hparam_search as hs, optimizers
from engine.training_setup import RunSettings

#: Where the Compare panel's State keeps a ``SearchState`` (errors name their key under it).
STATE_KEY = "search"
#: Table columns: (key, header, tooltip), English source text.
COLUMNS = (
    ("rank", "Rank", "Place by validation accuracy (1 = best)"),
    ("trial", "Trial", "The trial's number in the order it was drawn"),
    ("lr", "Learning rate", "Drawn as 10^U(lo, hi)"),
    ("weight_decay", "Weight decay", "Drawn as 10^U(lo, hi)"),
    ("val_accuracy", "Val acc", "Final accuracy on the validation set (held out from the training data)"),
    ("train_accuracy", "Train acc", "Final accuracy on the training part"),
    ("val_loss", "Val loss", "Final loss on the validation set"),
    ("best_epoch", "Best epoch", "Epoch of the highest validation accuracy"),
    ("status", "Status", "finished, or diverged (loss not finite or > 1e6)"),
)


@dataclass(frozen=True)
class SearchState(StateBase):
    """Every setting of the search form (defaults: the book's §6.5)."""

    data: str = setting(DIGITS, choices=data_names, doc="a 2-D toy set, or the synthetic digits")
    size: int = setting(500, lo=20, hi=20000, doc="samples in the pool (training + validation)")
    val_pct: float = setting(20.0, lo=5.0, hi=50.0, doc="share of the pool held out for validation, in %")
    n_trials: int = setting(100, lo=1, hi=1000, doc="random draws of (learning rate, weight decay)")
    lr_range: tuple[float, float] = setting((-6.0, -2.0), lo=-10.0, hi=1.0,
                                            doc="learning rate = 10^U(lo, hi): the exponents")
    wd_range: tuple[float, float] = setting((-8.0, -4.0), lo=-12.0, hi=0.0,
                                            doc="weight decay = 10^U(lo, hi): the exponents")
    epochs: int = setting(50, lo=1, hi=1000)
    hidden: tuple[int, ...] = setting((100,) * 6, lo=1, hi=1024, doc="hidden layer widths (1–8 layers)")
    batch: int = setting(100, lo=1, hi=4096)
    optimizer: str = setting("sgd", choices=optimizers.names)
    seed: int = setting(0, lo=0, hi=2**31 - 1, doc="draws the trials")
    top_n: int = setting(20, lo=1, hi=100, doc="the best trials whose curves are drawn")

    def __post_init__(self):
        for key in ("lr_range", "wd_range"):
            lo, hi = getattr(self, key)
            if not lo < hi:
                raise StateError(f"{STATE_KEY}.{key}",
                                 f"the lower exponent must be below the upper one, got {lo:g} … {hi:g}")
        if not 1 <= len(self.hidden) <= 8:
            raise StateError(f"{STATE_KEY}.hidden", f"give 1 to 8 hidden layers, got {len(self.hidden)}")

    def spec(self) -> hs.SearchSpec:
        """The engine's description of this search."""
        base = RunSettings(hidden=self.hidden, activation="relu", init="he", optimizer=self.optimizer,
                           hyper={"lr": 0.01}, batch_size=self.batch, epochs=self.epochs, seed=0)
        val = self.val_pct / 100
        return hs.SearchSpec(self.n_trials, tuple(self.lr_range), tuple(self.wd_range),
                             data_spec(self.data, self.size, val), val, base, self.seed)


class SearchModel(RunBook):
    """The trials of the last search and what the views draw from them (module docstring)."""

    def __init__(self, clock=time.perf_counter):
        super().__init__(clock)
        self.search: hs.SearchSpec | None = None

    def start(self, state: SearchState) -> list:
        """A new search of ``state``: its trials (forgets the last search's results)."""
        self.search = state.spec()
        self.start_runs(self.search.trials())
        return self.specs

    def clear(self) -> None:
        self.clear_runs()
        self.search = None

    # ---- what the views show -------------------------------------------------------------------
    def points(self) -> dict:
        """The finished trials as arrays: ``trial``, ``lr``, ``weight_decay``, ``val_accuracy``."""
        ids = np.array(sorted(self.results), dtype=int)
        configs = [dict(self.specs[i].config) for i in ids]
        return {"trial": ids,
                "lr": np.array([c["lr"] for c in configs], dtype=float),
                "weight_decay": np.array([c["weight_decay"] for c in configs], dtype=float),
                "val_accuracy": np.array([self.results[i].final("test_accuracy") for i in ids], dtype=float)}

    def ranking(self) -> list[int]:
        """Finished trials' ids, best validation accuracy first."""
        p = self.points()
        return [int(p["trial"][k]) for k in hs.ranked(p["val_accuracy"])]

    def rows(self) -> list[dict]:
        """One dict per finished trial (keys of ``COLUMNS``), best first."""
        out = []
        for rank, i in enumerate(self.ranking(), 1):
            r, config = self.results[i], dict(self.specs[i].config)
            out.append({"rank": rank, "trial": i, "lr": config["lr"], "weight_decay": config["weight_decay"],
                        "val_accuracy": r.final("test_accuracy"), "train_accuracy": r.final("train_accuracy"),
                        "val_loss": r.final("test_loss"), "best_epoch": r.best_epoch, "status": r.status})
        return out

    def best_curves(self, n: int) -> list[tuple[int, list, list]]:
        """``(trial, validation accuracy per epoch, train accuracy per epoch)`` of the ``n`` best."""
        return [(i, list(self.results[i].curves["test_accuracy"]), list(self.results[i].curves["train_accuracy"]))
                for i in self.ranking()[:n]]

    def split(self):
        """The search's training and validation arrays (``engine.hparam_search.split``)."""
        if self.search is None:
            raise ValueError("no search has run yet")
        return hs.split(self.search.data, self.search.val_fraction)

    def write_csv(self, path: str) -> None:
        """Every finished trial, best first, unrounded."""
        keys = [k for k, _h, _t in COLUMNS]
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(keys)
            for row in self.rows():
                w.writerow([repr(v) if isinstance(v, float) else v for v in (row[k] for k in keys)])
