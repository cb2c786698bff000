"""Random hyperparameter search with a validation set (the book's §6.5), pure NumPy.

Why random and on a log scale: a good learning rate or weight decay is known only to within a
factor of ten or so, so the book draws each as ``10 ** U(lo, hi)`` (learning rate 10^U(−6, −2),
weight decay 10^U(−8, −4)) and keeps the ranges where the best trials fall. Why a validation
set: choosing settings by their *test* accuracy fits them to the test data, which then no longer
measures generalization. The search therefore never makes a test set at all: it takes a pool of
``size`` training samples and holds out ``val_fraction`` of them (book: 20 %) for validation.

A trial is an ordinary ``engine.experiments.RunSpec`` whose configuration is
``(("lr", lr), ("weight_decay", wd))`` and whose ``DataSpec`` is the pool with the validation
share as its held-out part: the worker processes (``engine.grid_worker``) train it like any
grid run, and its "test" curves *are* the validation curves. ``split`` gives the same arrays
for checks (disjoint, sized). Same seed → same trials, bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import validate
from engine.experiments import RunSpec
from engine.training_setup import DataSpec, RunSettings, TrainingData, make_data

#: The book's ranges, as exponents of ten: lr 10^U(−6, −2), weight decay 10^U(−8, −4).
BOOK_LR_RANGE = (-6.0, -2.0)
BOOK_WD_RANGE = (-8.0, -4.0)
#: The book's network and training: 6 × 100 ReLU, SGD, batches of 100, 50 epochs.
BOOK_SETTINGS = RunSettings(hidden=(100,) * 6, activation="relu", init="he", optimizer="sgd",
                            hyper={"lr": 0.01}, batch_size=100, epochs=50, seed=0)


def log_uniform(rng: np.random.Generator, exponents: tuple[float, float], n: int) -> np.ndarray:
    """``n`` values ``10 ** U(lo, hi)``: every decade of the range is equally likely."""
    lo, hi = (float(e) for e in exponents)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo <= hi):
        raise ValueError(f"a log range needs finite exponents lo ≤ hi, got ({lo}, {hi})")
    return 10.0 ** rng.uniform(lo, hi, size=int(n))


def sample_trials(n: int, lr_range=BOOK_LR_RANGE, wd_range=BOOK_WD_RANGE, seed: int = 0):
    """``(lr, weight_decay)``: two arrays of ``n`` log-uniform draws, deterministic per seed.

    The weight decay is drawn first, then the learning rate, as the book's loop does.
    """
    n = validate.integer(n, "n_trials", 1)
    rng = np.random.default_rng(validate.seed(seed))
    wd = log_uniform(rng, wd_range, n)
    lr = log_uniform(rng, lr_range, n)
    return lr, wd


def pool_spec(data: DataSpec, val_fraction: float) -> DataSpec:
    """The search's data: ``data`` 's samples as a training pool, ``val_fraction`` held out."""
    fraction = validate.number(val_fraction, "val_fraction", 0.05, 0.5)
    return DataSpec(data.source, data.name, data.noise, data.size, fraction)


def split(data: DataSpec, val_fraction: float) -> TrainingData:
    """The arrays every trial trains on: ``x_train``/``y_train`` and, as the held-out part, the
    validation set (``x_test``/``y_test`` hold the validation samples; no test set exists)."""
    return make_data(pool_spec(data, val_fraction))


def shared_rows(a: np.ndarray, b: np.ndarray) -> int:
    """How many rows of ``a`` also occur in ``b`` (exact equality; vectorized)."""
    a = np.ascontiguousarray(a, dtype=np.float64).reshape(len(a), -1)
    b = np.ascontiguousarray(b, dtype=np.float64).reshape(len(b), -1)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"rows of different width: {a.shape[1]} and {b.shape[1]}")
    row = np.dtype((np.void, a.dtype.itemsize * a.shape[1]))
    return int(np.isin(a.view(row).ravel(), b.view(row).ravel()).sum())


@dataclass(frozen=True)
class SearchSpec:
    """One search: how many trials, the exponent ranges, the pool and validation share, the run."""

    n_trials: int = 100
    lr_range: tuple[float, float] = BOOK_LR_RANGE
    wd_range: tuple[float, float] = BOOK_WD_RANGE
    data: DataSpec = DataSpec("digits", "digits", 0.0, 500, 0.2)
    val_fraction: float = 0.2
    base: RunSettings = BOOK_SETTINGS
    seed: int = 0  # draws the trials; every trial's network starts from ``base.seed``

    def trials(self) -> list[RunSpec]:
        """One ``RunSpec`` per trial, configuration ``(("lr", lr), ("weight_decay", wd))``."""
        lr, wd = sample_trials(self.n_trials, self.lr_range, self.wd_range, self.seed)
        data = pool_spec(self.data, self.val_fraction)
        return [RunSpec((("lr", float(a)), ("weight_decay", float(w))), i, self.base.seed, data, self.base)
                for i, (a, w) in enumerate(zip(lr, wd))]


def ranked(val_accuracy) -> np.ndarray:
    """Trial indices from the best validation accuracy to the worst (NaN last, ties by index)."""
    acc = np.asarray(val_accuracy, dtype=float)
    key = np.where(np.isfinite(acc), -acc, np.inf)
    return np.argsort(key, kind="stable")
