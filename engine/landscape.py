"""The loss landscape of a real network around its trained weights (Li et al., 2018).

A network with P parameters has a loss surface in P + 1 dimensions; what can be drawn is a
2-D *slice* through it: L(c + α·d₁ + β·d₂) on an n×n grid of (α, β) around the centre c (the
trained weights), with the training trajectories projected onto the same plane.

The parts, one module each (all re-exported here, so ``from engine import landscape as L``
keeps reaching them):

``engine.landscape_directions`` — the plane: random (filter-normalised) or PCA directions,
    projection of weights onto it;
``engine.landscape_slice`` — the loss on an n×n grid of the plane (``slice_2d``, ``BatchedLoss``);
``engine.landscape_paths`` — the optimizers' recorded training paths (``train_paths``).

This module chains them: ``compute_landscape`` trains the paths, picks the plane and slices it;
``Settings``/``compute_from_settings`` are the Landscape panel's recipe. ``run(gen)`` drives any
of these generators to its result outside a worker.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from engine import optimizers, validate
from engine.landscape_directions import (  # noqa: F401 - re-exported: part of this module's API
    BIAS_MODES, NORMS, pca_directions, plane_distance, project, random_direction, random_directions)
from engine.landscape_paths import PathRun, train_paths  # noqa: F401 - re-exported
from engine.landscape_slice import (  # noqa: F401 - re-exported
    CHUNK_BYTES, BatchedLoss, Slice, grid_axes, loop_losses, slice_2d)
from engine.training_setup import DATA_SEED, DataSpec, RunSettings, build_network
from engine.trajectory import RunnerConfig

DIRECTIONS = ("random", "pca")


def run(gen):
    """Drive a generator of this module to its end and return its result (no GUI needed)."""
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


# --------------------------------------------------------------------------------- all together
@dataclass(frozen=True)
class Progress:
    """What a long computation reports: overall ``fraction`` in [0, 1] and a message."""

    fraction: float
    message: str


@dataclass
class Landscape:
    """Everything the Landscape panel draws."""

    slice: Slice
    runs: list  # [PathRun]
    coords: list  # [(T, 2)] projected paths, one per run
    off_plane: list  # [(T,)] distances of each recorded point from the plane
    reference: int  # index of the run whose final weights are the centre
    directions: str  # "random" or "pca"
    explained: np.ndarray | None = None  # PCA: share of Σ‖θ − c‖² per direction
    start: np.ndarray = field(default_factory=lambda: np.zeros(2))  # projected initial weights
    captured: float = 1.0  # share of Σ‖θ − c‖² over all recorded points that lies in the plane


def fit_extent(coords, margin: float = 0.25, minimum: float = 1e-3):
    """Symmetric (ex, ey) holding every projected point with ``margin`` to spare."""
    pts = np.concatenate([np.asarray(c).reshape(-1, 2) for c in coords])
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    m = np.abs(pts).max(axis=0) if len(pts) else np.zeros(2)
    return tuple(float(max(v * (1 + margin), minimum)) for v in m)


def compute_landscape(model, configs, x, labels, epochs: int = 50, batch_size: int = 16, seed: int = 0,
                      directions: str = "pca", n: int = 41, extent=None, reference: int = 0,
                      norm: str = "filter", bias: str = "zero", max_points: int = 300,
                      train_share: float = 0.4):
    """Generator of ``Progress``: train the paths, pick the plane, slice it; returns a ``Landscape``.

    The centre is the final weights of ``configs[reference]``. ``extent=None`` fits the grid to
    the projected paths (``fit_extent``); otherwise as in ``grid_axes``. ``train_share`` is the
    part of the progress bar given to training.
    """
    validate.choice(directions, DIRECTIONS, "direction type")
    n = validate.integer(n, "resolution", 3, 401)
    gen = train_paths(model, configs, x, labels, epochs, batch_size, seed, max_points=max_points)
    n_runs = len(configs)
    while True:
        try:
            index, label, done, total = next(gen)
        except StopIteration as stop:
            runs = stop.value
            break
        yield Progress(train_share * (index + done / max(total, 1)) / n_runs,
                       f"training {label}: step {done} of {total}")
    reference = validate.integer(reference, "reference", 0, len(runs) - 1)
    center = runs[reference].final
    probe = copy.deepcopy(model)  # the network at the centre: random directions scale to it
    probe.set_flat_params(center)
    if directions == "pca":
        d1, d2, explained = pca_directions([r.params for r in runs], center)
    else:
        d1, d2 = random_directions(probe, seed, norm, bias)
        explained = None
    coords = [project(r.params, center, d1, d2) for r in runs]
    off = [plane_distance(r.params, center, d1, d2) for r in runs]
    moved = sum(float(np.sum((r.params - center) ** 2)) for r in runs)
    captured = 1.0 - sum(float(np.sum(o**2)) for o in off) / moved if moved > 0 else 1.0
    grid_extent = fit_extent(coords) if extent is None else extent
    slicer = slice_2d(probe, x, labels, d1, d2, center, grid_extent, n)
    while True:
        try:
            done, total = next(slicer)
        except StopIteration as stop:
            sl = stop.value
            break
        yield Progress(train_share + (1 - train_share) * done / total, f"loss on the grid: {done} of {total} points")
    start = project(model.get_flat_params()[None], center, d1, d2)[0]
    return Landscape(sl, runs, coords, off, reference, directions, explained, start, captured)


# --------------------------------------------------------------------------------- the panel's recipe
#: Learning rates that move the small default network visibly within the default epochs.
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.05, "nag": 0.05, "adagrad": 0.05, "rmsprop": 0.005, "adam": 0.01}


#: The default network and run of the panel: small enough to train 3 optimizers in seconds.
#: Only its network fields and batch size, epochs and seed are used (the optimizers come from
#: ``Settings.optimizers``).
DEFAULT_NETWORK = RunSettings(hidden=(16, 16), activation="relu", batch_size=16, epochs=60, seed=0)


@dataclass(frozen=True)
class Settings:
    """One landscape computation, as the panel and the benchmark describe it.

    ``data`` and ``network`` are the Training panel's recipe (``engine.training_setup``): a
    toy set (used whole: the landscape is the training loss) and the network with its batch
    size, epochs and seed (its ``optimizer``/``hyper`` are not used). ``optimizers``: (registry
    name, learning rate) pairs, trained in that order; ``reference`` names the one whose final
    weights are the centre. ``extent=None`` fits the paths.
    """

    data: DataSpec = DataSpec("toy", "spiral", 0.1, 400)
    network: RunSettings = DEFAULT_NETWORK
    optimizers: tuple = (("sgd", 0.1), ("momentum", 0.05), ("adam", 0.01))
    reference: str = "adam"
    directions: str = "pca"
    resolution: int = 41
    extent: float | None = None
    max_points: int = 100  # recorded weights per path

    def configs(self) -> list:
        return [RunnerConfig(name, {"lr": float(lr)}, None, optimizers.REGISTRY.entry(name).display_name)
                for name, lr in self.optimizers]

    def reference_index(self) -> int:
        names = [name for name, _lr in self.optimizers]
        if self.reference not in names:
            raise ValueError(f"the centre's optimizer {self.reference!r} is not among the trained ones: "
                             f"{', '.join(names)}")
        return names.index(self.reference)


def compute_from_settings(s: Settings):
    """Generator of ``Progress`` for ``s`` (data, network, paths, slice); returns a ``Landscape``.

    The data set is drawn with the data's own seed (the run's ``seed`` changes the weights and
    batches only) and used whole as training data: the landscape is the training loss.
    """
    from engine import datasets

    if s.data.source != "toy":
        raise ValueError(f"the landscape needs a 2-D toy data set, got source {s.data.source!r}")
    x, y = datasets.make(s.data.name, s.data.size, s.data.noise, seed=DATA_SEED)
    net = s.network
    model = build_network(2, datasets.n_classes(s.data.name), net)
    return (yield from compute_landscape(model, s.configs(), x, y, net.epochs, net.batch_size, net.seed,
                                         s.directions, s.resolution, s.extent, s.reference_index(),
                                         max_points=s.max_points))

