"""From the Training panel's settings to arrays and a ``Trainer``: one recipe for app, tests, bench.

The panel, its tests and the monitor benchmark must train *the same* run for the same settings
(same seed → same curves), so the recipe lives here, not in the widget code:

``make_data(spec, image_set=None) -> TrainingData``
    ``DataSpec(source, name, noise, size, test_ratio)`` with ``source`` one of ``SOURCES``:
    "toy" (``engine.datasets``, 2-D), "digits" (``engine.digits``, synthetic, 784 pixels) or
    "file" (an already loaded ``mnist_io.ImageDataset``: ``size`` samples are taken, the train
    part from its train set and the test part from its own test set). The data never depends on
    the run's seed (``DATA_SEED``), so changing the seed changes weights and batch order only.

``make_trainer(data, settings, **trainer_kw) -> Trainer``
    ``RunSettings`` holds the network (hidden sizes, activation, init, batch norm, dropout, L2,
    L1), the optimizer and its hyperparameters, batch size, epochs and the seed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np

from engine import activations, csv_data, datasets, digits, mnist_io, optimizers, schedules, uci_digits, validate
from engine.network import MLP
from engine.training import Trainer

SOURCES = ("toy", "digits", "uci", "file", "drawn")
#: Classes a drawn data set may have (the class picker's choices)
DRAWN_MAX_CLASSES = 5
#: The data's own seed: fixed, so a new run seed re-draws the network, not the points.
DATA_SEED = 0


@dataclass(frozen=True)
class DataSpec:
    """Which data: ``source`` in ``SOURCES``; ``name`` is the toy set's name or the file's path."""

    source: str = "toy"
    name: str = "spiral"
    noise: float = 0.1
    size: int = 400
    test_ratio: float = 0.2
    #: source "drawn": the points ``((x, y, class), ...)`` drawn with the mouse
    points: tuple = ()


@dataclass(frozen=True)
class TrainingData:
    """Split data plus what the views need to draw it."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str
    n_classes: int
    class_names: tuple[str, ...]
    bounds: tuple[float, float, float, float] | None = None  # 2-D sets only
    image_shape: tuple[int, int] | None = None  # image sets only
    synthetic: bool = True
    #: (centre, components (2, d)) for tables of more than 2 features: the boundary view shows
    #: this PCA plane (``csv_data.pca_2d``); None when the inputs themselves are 2-D
    plane: tuple | None = None

    def view_points(self, x):
        """``x`` in the boundary view's coordinates (its PCA plane for more than 2 features)."""
        if self.plane is None:
            return x
        centre, components = self.plane
        return (np.asarray(x) - centre) @ components.T

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def is_2d(self) -> bool:
        return self.bounds is not None


@dataclass(frozen=True)
class RunSettings:
    """Everything that defines a training run besides the data (defaults learn the spiral)."""

    hidden: tuple[int, ...] = (32, 32)
    activation: str = "relu"
    init: str = "he"
    batchnorm: bool = False
    dropout: float = 0.0
    weight_decay: float = 0.0
    l1: float = 0.0
    optimizer: str = "adam"
    hyper: dict = field(default_factory=lambda: {"lr": 0.01})
    batch_size: int = 16
    epochs: int | None = 300
    seed: int = 0
    l1_proximal: bool = False  # L1 as a soft-threshold after each step (exact zeros), see engine.network
    #: α of Leaky ReLU / PReLU (its starting slope) / ELU; None: GradLab's default for the
    #: activation (``engine.activations.alpha_default``: the lecture's 0.1 for Leaky ReLU).
    #: Ignored by activations without α.
    activation_alpha: float | None = None
    #: ``engine.schedules`` name and parameters (``{"name": "cosine", "t_max": 500}``; the base
    #: rate is ``hyper["lr"]``), None for a constant rate; advanced per "update" or per "epoch".
    schedule: dict | None = None
    schedule_per: str = "update"


def parse_hidden(text: str) -> tuple[int, ...]:
    """"32, 32" → (32, 32); raises ValueError for anything but 1–8 widths in 1…1024."""
    parts = [p for p in re.split(r"[,\s×x]+", str(text).strip()) if p]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"hidden layers must be widths separated by commas, e.g. 32, 32; got {text!r}") from None
    if not 1 <= len(sizes) <= 8 or not all(1 <= s <= 1024 for s in sizes):
        raise ValueError(f"give 1 to 8 hidden layers of width 1…1024, got {text!r}")
    return sizes


def _split_sizes(size: int, test_ratio: float) -> tuple[int, int]:
    n_test = min(max(int(round(size * test_ratio)), 1), size - 1)
    return size - n_test, n_test


def make_data(spec: DataSpec, image_set=None) -> TrainingData:
    """The arrays for ``spec`` (``image_set``: the loaded ``ImageDataset`` for source "file")."""
    if spec.source not in SOURCES:
        raise ValueError(f"unknown data source {spec.source!r}; choose one of: {', '.join(SOURCES)}")
    size = validate.integer(spec.size, "size", 2)
    ratio = validate.number(spec.test_ratio, "test_ratio", 0.01, 0.9)
    if spec.source == "toy":
        x, y = datasets.make(spec.name, size, spec.noise, seed=DATA_SEED)
        split = datasets.train_test_split(x, y, ratio, seed=DATA_SEED, stratify=True)
        entry = datasets.entry(spec.name)
        k = entry.extra["n_classes"]
        return TrainingData(*split, entry.display_name, k, tuple(str(c) for c in range(k)),
                            bounds=tuple(entry.extra["bounds"]))
    if spec.source == "digits":
        x, y = digits.make_digits(size, seed=DATA_SEED, noise=spec.noise)
        split = datasets.train_test_split(x, y, ratio, seed=DATA_SEED, stratify=True)
        return TrainingData(*split, digits.NAME, digits.N_CLASSES, digits.CLASS_NAMES,
                            image_shape=digits.IMAGE_SHAPE)
    if spec.source == "drawn":
        return drawn_data(spec.points)
    if spec.source == "uci":
        x, y = uci_digits.load()
        if size < len(y):  # a stratified subset, so every digit keeps its share
            x, y, _x, _y = datasets.train_test_split(x, y, 1 - size / len(y), seed=DATA_SEED, stratify=True)
        split = datasets.train_test_split(x, y, ratio, seed=DATA_SEED, stratify=True)
        return TrainingData(*split, uci_digits.NAME, uci_digits.N_CLASSES, uci_digits.CLASS_NAMES,
                            image_shape=uci_digits.IMAGE_SHAPE, synthetic=False)
    if image_set is None:
        raise ValueError(f"data source 'file' needs the loaded data set of {spec.name!r}")
    if isinstance(image_set, csv_data.CsvData):
        return _table_data(image_set, ratio)
    n_train, n_test = _split_sizes(size, ratio)
    rng = np.random.default_rng(DATA_SEED)
    train = rng.permutation(len(image_set.y_train))[:n_train]
    test = rng.permutation(len(image_set.y_test))[:n_test]
    return TrainingData(image_set.x_train[train], image_set.y_train[train], image_set.x_test[test],
                        image_set.y_test[test], image_set.name, image_set.n_classes,
                        tuple(image_set.class_names), image_shape=tuple(image_set.image_shape),
                        synthetic=False)


def _table_data(table, ratio: float) -> TrainingData:
    """A CSV table, split stratified and standardised (mean 0, std 1 from the training part)."""
    x_train, y_train, x_test, y_test = datasets.train_test_split(table.x, table.y, ratio, seed=DATA_SEED,
                                                                 stratify=True)
    _mean, _std, x_train, x_test = csv_data.standardize(x_train, x_test)
    plane = csv_data.pca_2d(x_train) if table.n_features > 2 else None
    both = np.vstack([x_train, x_test])
    if plane is not None:
        both = (both - plane[0]) @ plane[1].T
    lo, hi = both.min(axis=0), both.max(axis=0)
    pad = 0.1 * np.maximum(hi - lo, 1e-9)
    bounds = (float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1]))
    return TrainingData(x_train, y_train, x_test, y_test, table.name, table.n_classes, table.class_names,
                        bounds=bounds, synthetic=False, plane=plane)


def drawn_data(points) -> TrainingData:
    """Points ``(x, y, class)`` drawn with the mouse → data over ``datasets.BOUNDS``.

    Every point trains; the test set is the same points (the curves then show how well the
    network fits what was drawn). The classes are 0 … the largest drawn, at least 2.
    """
    table = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    if len(table) < 2:
        raise ValueError(f"draw at least 2 points (of 2 classes) to train on, got {len(table)}")
    x = np.ascontiguousarray(table[:, :2])
    y = table[:, 2].astype(np.int64)
    if not (np.isfinite(x).all() and (table[:, 2] == y).all() and y.min() >= 0 and y.max() < DRAWN_MAX_CLASSES):
        raise ValueError(f"drawn points must be finite (x, y, class) with class 0…{DRAWN_MAX_CLASSES - 1}")
    if len(np.unique(y)) < 2:
        raise ValueError("draw points of at least 2 classes to train on")
    k = max(2, int(y.max()) + 1)
    return TrainingData(x, y, x.copy(), y.copy(), "Drawn points", k, tuple(str(c) for c in range(k)),
                        bounds=datasets.BOUNDS, synthetic=False)


def load_data_file(path):
    """A data file the user opened: a CSV table (``csv_data.load_csv``) or MNIST files."""
    if csv_data.is_csv(path):
        return csv_data.load_csv(path)
    return mnist_io.load_dataset(path)


def build_network(n_in: int, n_out: int, settings: RunSettings) -> MLP:
    """The network of ``settings`` (its layers, regularizers and seed) for ``n_in`` → ``n_out``."""
    return MLP(n_in, list(settings.hidden), n_out, activation=settings.activation,
               activation_kwargs=activations.alpha_kwargs(settings.activation, settings.activation_alpha),
               init=settings.init, batchnorm=settings.batchnorm, dropout=settings.dropout,
               weight_decay=settings.weight_decay, l1=settings.l1, seed=settings.seed,
               l1_proximal=settings.l1_proximal)


def make_model(data: TrainingData, settings: RunSettings) -> MLP:
    return build_network(data.n_features, data.n_classes, settings)


def make_trainer(data: TrainingData, settings: RunSettings, **trainer_kw) -> Trainer:
    """A fresh ``Trainer`` (new model and optimizer) for ``data`` and ``settings``."""
    model = make_model(data, settings)
    optimizer = optimizers.get(settings.optimizer, **settings.hyper)
    schedule = None
    if settings.schedule:
        params = {k: v for k, v in settings.schedule.items() if k != "name"}
        schedule = schedules.get(settings.schedule["name"], lr=optimizer.hyper["lr"], **params)
    return Trainer(model, optimizer, data.x_train, data.y_train, data.x_test, data.y_test,
                   batch_size=settings.batch_size, epochs=settings.epochs, seed=settings.seed,
                   schedule=schedule, schedule_per=settings.schedule_per, **trainer_kw)


#: The book's overfitting experiment (DLFS §6.4): 300 training images, 6 hidden layers of 100,
#: SGD lr 0.01, batches of 100, 200 epochs; then the same with weight decay λ = 0.1 (§6.4.2, the
#: book's 201 epochs) and with dropout 0.2 (§6.4.3, the book's 301 epochs: dropout fits the
#: training set far more slowly, and cut short at 200 epochs it would look like it closes the gap
#: when it has only not finished fitting yet). The data: synthetic digits (offline), 1000 of them
#: held out as the test set.
BOOK_OVERFITTING_DATA = DataSpec("digits", "digits", 0.0, 1300, 1000 / 1300)
BOOK_OVERFITTING = RunSettings(hidden=(100,) * 6, activation="relu", init="he", optimizer="sgd",
                               hyper={"lr": 0.01}, batch_size=100, epochs=200, seed=0)
PRESETS = {
    "Book 6.4: overfitting (300 samples, 6×100)": (BOOK_OVERFITTING_DATA, BOOK_OVERFITTING),
    "Book 6.4.2: + weight decay λ = 0.1": (BOOK_OVERFITTING_DATA,
                                           replace(BOOK_OVERFITTING, weight_decay=0.1, epochs=201)),
    "Book 6.4.3: + dropout 0.2": (BOOK_OVERFITTING_DATA, replace(BOOK_OVERFITTING, dropout=0.2, epochs=301)),
}

