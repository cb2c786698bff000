"""A second network trained beside the Training panel's own, for side-by-side boundaries.

Why: the lecture's XOR point ("a linear network cannot separate XOR, one non-linear hidden
layer can") needs two boundaries next to each other, trained on the *same* data and the *same*
mini-batches, differing only in the hidden activation. A ``Partner`` is that second network:
built from the run's data and settings with another activation, it shares the run's seed, so
its initial weights (drawn from the same stream) and its batch order (``Trainer``'s permutation
per epoch from the seed) are the main run's; ``train_frames`` steps it right after each step of
the main trainer and asks for its decision grid when the main one is computed.

``compare = ENSEMBLE`` instead shows dropout as an ensemble: an ``EnsemblePartner`` trains
nothing; it averages ``ENSEMBLE_MASKS`` thinned copies of the main network
(``engine.dropout_ensemble``) wherever the main network is evaluated.

No Qt here: the panel only draws the grids, and scene checks read ``final`` and ``readout``.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from engine import dropout_ensemble
from engine.training_setup import RunSettings, make_trainer

#: No comparison network (the ``State.compare`` default).
NONE = ""
#: The mean of ``ENSEMBLE_MASKS`` thinned networks instead of a second trained one.
ENSEMBLE = "dropout-ensemble"
ENSEMBLE_MASKS = 100
#: The ensemble's grid is coarser than the main one (``GRID_N`` 80): 100 networks on every point
#: of an 80 × 80 grid would cost the trainer more time than its training.
ENSEMBLE_GRID_N = 40


class Partner:
    """The comparison network: a ``Trainer`` with the main run's settings but ``activation``."""

    def __init__(self, data, settings: RunSettings, activation: str, main=None):
        self.activation = activation
        self.main = main  # the main run's Trainer: its numbers go into ``view`` at the same step
        self.settings = replace(settings, activation=activation)
        self.trainer = make_trainer(data, self.settings)

    def step(self) -> bool:
        """One mini-batch (the main run's next one); False once this network has stopped."""
        return self.trainer.step() is not None

    def grid(self, bounds, n: int, plane=None) -> dict | None:
        """Its decision grid over ``bounds`` (2-D data or a ``plane``), as ``Trainer.decision_grid``."""
        if self.trainer.x_train.shape[1] != 2 and plane is None:
            return None
        return self.trainer.decision_grid(bounds, n, plane)

    def final(self, key: str) -> float:
        """The last recorded value of its history ``key`` (e.g. "train_accuracy"); NaN before any."""
        values = self.trainer.history[key].values
        return float(values[-1]) if len(values) else math.nan

    def view(self, bounds, n: int, plane=None) -> dict:
        """Worker: what the panel shows of it (its grid, its last train/test accuracy)."""
        view = {"grid": self.grid(bounds, n, plane)}
        for key in ("train_accuracy", "test_accuracy"):
            view[key] = self.final(key)
            values = self.main.history[key].values if self.main is not None else ()
            view["main_" + key] = float(values[-1]) if len(values) else math.nan
        return view


class EnsemblePartner:
    """The main network seen as an ensemble: the mean of ``n_masks`` thinned copies of it.

    Nothing to train (``step`` is a no-op); its grid and accuracies are computed from the main
    trainer's current weights, with the same masks every time (``seed``), so they change only
    as the network learns.
    """

    activation = ENSEMBLE

    def __init__(self, data, trainer, n_masks: int = ENSEMBLE_MASKS, seed: int = 0):
        self.data, self.trainer = data, trainer
        self.n_masks, self.seed = int(n_masks), int(seed)

    def step(self) -> bool:
        return not self.trainer.done

    def grid(self, bounds, n: int, plane=None) -> dict | None:
        """The ensemble's class probabilities on an ``n`` × ``n`` grid (2-D data only)."""
        if self.data.x_train.shape[1] != 2 or plane is not None:
            return None
        grid = self.trainer.decision_grid(bounds, n)  # the grid's points (called in the training thread)
        gx, gy = np.meshgrid(grid["xs"], grid["ys"])
        points = np.column_stack([gx.ravel(), gy.ravel()])
        probs = dropout_ensemble.ensemble_probs(self.trainer.model, points, self.n_masks, self.seed)
        probs = probs.reshape(n, n, -1)
        return {**grid, "probs": probs, "classes": probs.argmax(axis=-1)}

    def readout(self, split: str = "test") -> dict:
        """``engine.dropout_ensemble.compare`` on the ``split`` ("train" or "test") data."""
        x, y = (self.data.x_train, self.data.y_train) if split == "train" else (self.data.x_test, self.data.y_test)
        return dropout_ensemble.compare(self.trainer.model, x, y, self.n_masks, self.seed)

    def final(self, key: str) -> float:
        """The ensemble's "train_accuracy" or "test_accuracy" now."""
        split = key.split("_")[0]
        if key not in ("train_accuracy", "test_accuracy"):
            return math.nan
        return self.readout(split)["ensemble_accuracy"]

    def view(self, bounds, n: int, plane=None) -> dict:
        """Worker (it runs the network, so never beside a training step): the ensemble's grid
        and the test-set read-out (full vs ensemble accuracy, mean |Δp|)."""
        return {"grid": self.grid(bounds, min(n, ENSEMBLE_GRID_N), plane), **self.readout("test")}


def make_partner(data, settings: RunSettings, compare: str, trainer=None):
    """The comparison for ``compare``: None for ``NONE``, an ``EnsemblePartner`` of ``trainer``
    for ``ENSEMBLE``, else a ``Partner`` with that hidden activation."""
    if compare == NONE:
        return None
    if compare == ENSEMBLE:
        return EnsemblePartner(data, trainer, seed=settings.seed)
    return Partner(data, settings, compare, trainer)
