"""The loss landscape of a real network around its trained weights (Li et al., 2018).

A network with P parameters has a loss surface in P + 1 dimensions; what can be drawn is a
2-D *slice* through it: L(c + α·d₁ + β·d₂) on an n×n grid of (α, β) around the centre c (the
trained weights), with the training trajectories projected onto the same plane.

Directions (flat vectors in ``model.get_flat_params()`` order):

``random_direction`` — filter-normalised Gaussian directions (Li et al., §4). A raw Gaussian
    direction is meaningless across layers of different scale (ReLU networks are invariant to
    scaling one layer up and the next down), so each *filter* of the direction is rescaled to
    the norm of the same filter of the weights. For a Dense layer a filter is one output unit's
    incoming weights: the column ``W[:, j]`` (PyTorch stores it as row j of ``weight``, which
    the paper's code iterates over). ``norm="layer"`` rescales the whole matrix instead.
    1-D parameters (biases, batch-norm γ/β, the PReLU slope) follow the paper's code
    (``normalize_directions_for_weights``): ``bias="zero"`` (its ``--xignore biasbn``, the
    default here) leaves them out of the slice; ``bias="weights"`` uses the weights themselves
    as their direction.
``pca_directions`` — the top two principal directions of the recorded trajectories relative to
    the centre (Li et al., §7: random directions in high dimension are nearly orthogonal to the
    path, so its projection looks like noise; PCA gives the plane the path actually moves in).
    The rows θᵢ − c are *not* mean-centred (the paper's code calls scikit-learn's PCA, which
    is): the uncentred SVD gives the plane that keeps the most of ‖θᵢ − c‖², i.e. the one whose
    least-squares projections, drawn here, lose the least.

``slice_2d`` evaluates the grid vectorized (``BatchedLoss``): a chunk of G grid points becomes G
weight sets pushed through the network together with stacked matmuls ((G, N, h) @ (G, h, h')),
and the first Dense layer, affine in the plane coordinates, costs three matmuls for the whole grid.
It is a generator that yields progress after every chunk (a worker can report it and stop
between chunks) and returns a ``Slice``. Losses are the eval-mode loss on the given data in
float64 (running batch-norm statistics, no dropout) plus the model's L2/L1 penalties: exactly
``model.loss(x, labels, train=False)`` at the same weights.

``train_paths`` trains several optimizers from the same initial weights on the same batches
(same seed) and records their flat parameters every k steps; ``compute_landscape`` chains
training, directions, projection and the slice for the Landscape panel. ``run(gen)`` drives any
of these generators to its result outside a worker.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field

import numpy as np

from engine import optimizers, validate
from engine.activations import ReLU
from engine.layers import ActivationLayer, BatchNorm, Dense, Dropout, PReLU
from engine.training import StopReason, Trainer
from engine.training_setup import DATA_SEED, DataSpec, RunSettings, build_network
from engine.trajectory import RunnerConfig

DIRECTIONS = ("random", "pca")
NORMS = ("filter", "layer")
BIAS_MODES = ("zero", "weights")
#: Bytes one chunk of the batched forward pass may hold in its largest activation array.
CHUNK_BYTES = 2 * 2**20
_EPS = 1e-10  # Li et al.'s guard against an all-zero filter of the random direction


def _choice(value, allowed, what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; choose one of: {', '.join(allowed)}")
    return value


def run(gen):
    """Drive a generator of this module to its end and return its result (no GUI needed)."""
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


# --------------------------------------------------------------------------------- directions
def random_direction(model, rng=None, norm: str = "filter", bias: str = "zero") -> np.ndarray:
    """One filter- (or layer-) normalised Gaussian direction; see the module docstring."""
    _choice(norm, NORMS, "normalisation")
    _choice(bias, BIAS_MODES, "bias mode")
    rng = np.random.default_rng(rng)
    parts = []
    for p in model.params:
        w = np.asarray(p, dtype=np.float64)
        d = rng.standard_normal(w.shape)  # drawn for every array: the bias mode never moves W's
        if w.ndim <= 1:
            d = np.zeros_like(w) if bias == "zero" else w.copy()
        elif norm == "filter":
            d *= np.linalg.norm(w, axis=0) / (np.linalg.norm(d, axis=0) + _EPS)
        else:
            d *= np.linalg.norm(w) / (np.linalg.norm(d) + _EPS)
        parts.append(d.ravel())
    return np.concatenate(parts)


def random_directions(model, seed=0, norm: str = "filter", bias: str = "zero"):
    """Two independent ``random_direction``s from one seed: ``(d1, d2)``."""
    rng = np.random.default_rng(seed)
    return (random_direction(model, rng, norm, bias), random_direction(model, rng, norm, bias))


def pca_directions(trajectories, center):
    """Top two principal directions of the points θᵢ − c of all ``trajectories``.

    Returns ``(d1, d2, explained)``: orthonormal rows, and the share of Σ‖θᵢ − c‖² each keeps.
    The sign of each direction is fixed (its largest entry is positive), so reruns agree.
    """
    c = np.asarray(center, dtype=np.float64)
    rows = [np.asarray(t, dtype=np.float64).reshape(-1, c.size) - c for t in trajectories]
    M = np.concatenate(rows) if rows else np.empty((0, c.size))
    if len(M) < 2 or c.size < 2:
        raise ValueError(f"PCA directions need at least 2 recorded points of ≥ 2 parameters, got {M.shape}")
    _u, s, vt = np.linalg.svd(M, full_matrices=False)
    total = float(np.sum(s**2))
    if not total > 0:
        raise ValueError("the trajectories never leave the centre: no direction to show")
    dirs = []
    for v in vt[:2]:
        dirs.append(v if v[np.argmax(np.abs(v))] > 0 else -v)
    explained = np.array([s[0] ** 2, s[1] ** 2 if len(s) > 1 else 0.0]) / total
    return dirs[0], dirs[1], explained


def project(points, center, d1, d2) -> np.ndarray:
    """Least-squares coordinates (α, β) of ``points`` (T, P) in the plane c + α·d₁ + β·d₂."""
    D = np.column_stack([d1, d2]).astype(np.float64)
    X = np.asarray(points, dtype=np.float64).reshape(-1, D.shape[0]) - np.asarray(center, dtype=np.float64)
    coef, *_ = np.linalg.lstsq(D, X.T, rcond=None)
    return coef.T


def plane_distance(points, center, d1, d2) -> np.ndarray:
    """How far each point lies off the plane (‖θ − c − α·d₁ − β·d₂‖ at its projection)."""
    D = np.column_stack([d1, d2]).astype(np.float64)
    X = np.asarray(points, dtype=np.float64).reshape(-1, D.shape[0]) - np.asarray(center, dtype=np.float64)
    return np.linalg.norm(X - project(points, center, d1, d2) @ D.T, axis=1)


# --------------------------------------------------------------------------------- the slice
class BatchedLoss:
    """The eval-mode loss of ``model`` at many points of one plane c + α·d₁ + β·d₂ at once.

    A chunk of G grid points is G weight sets, pushed through the network together: each
    hidden Dense layer is one stacked matmul (G, N, fan_in) @ (G, fan_in, fan_out). The first
    layer's weights are affine in the plane coordinates, so its output for *every* grid point is
    x·W_c + α·x·W₁ + β·x·W₂ from three products computed once. Every intermediate array is a
    reused buffer, and chunks stay small (``CHUNK_BYTES``): fresh megabyte arrays cost page
    faults and arrays beyond the cache slow each elementwise pass, each ~2× here. Supports the
    layers ``engine.network.MLP`` builds (Dense, activations, PReLU, eval-mode BatchNorm,
    Dropout = the identity in eval).
    """

    def __init__(self, model, x, labels, center, d1, d2):
        self.model = model
        self.x = np.asarray(x, dtype=np.float64)
        self.labels = np.asarray(labels)
        if self.x.ndim != 2 or self.labels.shape != (len(self.x),) or len(self.x) == 0:
            raise ValueError(f"need x of shape (n, d) and labels of shape (n,), got {self.x.shape} "
                             f"and {self.labels.shape}")
        n_params = sum(p.size for p in model.params)
        self.vectors = []
        for v, what in ((center, "center"), (d1, "d1"), (d2, "d2")):
            v = np.asarray(v, dtype=np.float64).ravel()
            if v.shape != (n_params,):
                raise ValueError(f"{what} must have {n_params} entries (the model's parameters), got {v.size}")
            self.vectors.append(v)
        self.n_params = n_params
        # per layer: {key: (c, d1, d2) parts of that parameter}
        self.layers, start = [], 0
        for layer in model.layers:
            if not isinstance(layer, (Dense, ActivationLayer, PReLU, BatchNorm, Dropout)):
                raise ValueError(f"the landscape cannot evaluate a {type(layer).__name__} layer")
            entry = {}
            for key, p in layer.params.items():
                entry[key] = tuple(v[start:start + p.size].reshape(p.shape) for v in self.vectors)
                start += p.size
            self.layers.append((layer, entry))
        if not isinstance(model.layers[0], Dense):
            raise ValueError("the landscape needs a network that starts with a Dense layer")
        W, b = self.layers[0][1]["W"], self.layers[0][1]["b"]
        # the first layer's three products (biases folded in), shared by every grid point
        self.first = [self.x @ Wk + bk for Wk, bk in zip(W, b)]
        self.widest = max([self.x.shape[1]] + [p.shape[-1] for p in model.params])
        self._buffers: dict[str, np.ndarray] = {}

    def chunk_size(self, max_bytes: float = CHUNK_BYTES) -> int:
        """Grid points per chunk so that one (G, N, widest) array stays under ``max_bytes``.

        Small on purpose: the work is a few passes over these arrays, fastest in cache.
        """
        per_point = 8 * max(len(self.x) * self.widest, self.n_params)
        return int(max(1, min(4096, max_bytes // per_point)))

    @staticmethod
    def _mix(parts, a, b):
        """c + a·d1 + b·d2 for each point: parts (c, d1, d2) of shape S → (G, *S)."""
        c, p1, p2 = parts
        shape = (-1,) + (1,) * c.ndim
        return c + a.reshape(shape) * p1 + b.reshape(shape) * p2

    def _buf(self, name, shape) -> np.ndarray:
        """A reusable float64 array (fresh ~1 MB arrays cost page faults: 5× the arithmetic)."""
        buf = self._buffers.get(name)
        if buf is None or buf.shape != shape:
            buf = self._buffers[name] = np.empty(shape)
        return buf

    def _combine(self, z, ag, bg, name):
        """z₀ + α·z₁ + β·z₂ per point, into buffer ``name`` (z₁, z₂ may be overwritten)."""
        z0, z1, z2 = z
        G, shape = len(ag), np.broadcast_shapes(z0.shape, (len(ag), 1, 1))
        h = self._buf(name, shape)
        t = self._buf(name + "t", shape)
        np.multiply(z1, ag, out=h)
        h += z0
        np.multiply(z2, bg, out=t)
        h += t
        return h

    def losses(self, a, b) -> np.ndarray:
        """Loss at c + aₖ·d₁ + bₖ·d₂ for each k (a, b of shape (G,))."""
        a = np.asarray(a, dtype=np.float64).ravel()
        b = np.asarray(b, dtype=np.float64).ravel()
        G, N = len(a), len(self.x)
        ag, bg = a[:, None, None], b[:, None, None]
        wd, l1 = float(getattr(self.model, "weight_decay", 0.0)), float(getattr(self.model, "l1", 0.0))
        penalty = np.zeros(G)
        h = None
        for i, (layer, p) in enumerate(self.layers):
            if isinstance(layer, Dense):
                W = None
                if wd or l1:
                    W = self._mix(p["W"], a, b)
                    if wd:
                        penalty += 0.5 * wd * np.einsum("gij,gij->g", W, W)
                    if l1:
                        penalty += l1 * np.abs(W).sum(axis=(1, 2))
                if h is None:
                    h = self._combine(self.first, ag, bg, f"h{i}")
                else:
                    W = self._mix(p["W"], a, b) if W is None else W
                    out = self._buf(f"h{i}", (G, N, W.shape[2]))
                    h = np.matmul(h, W, out=out)
                    h += self._mix(p["b"], a, b)[:, None, :]
            elif isinstance(layer, ActivationLayer):
                if type(layer.activation) is ReLU:
                    np.maximum(h, 0, out=h)
                else:
                    shape = h.shape
                    h = np.asarray(layer.activation.forward(h.reshape(-1, shape[-1])),
                                   dtype=np.float64).reshape(shape)
            elif isinstance(layer, PReLU):
                alpha = self._mix(p["alpha"], a, b)[:, :, None]  # (G, 1, 1)
                h = np.maximum(h, 0) + alpha * np.minimum(h, 0)
            elif isinstance(layer, BatchNorm):
                scale = 1.0 / np.sqrt(layer.running_var.astype(np.float64) + layer.eps)
                h = (h - layer.running_mean) * scale
                h *= self._mix(p["gamma"], a, b)[:, None, :]
                h += self._mix(p["beta"], a, b)[:, None, :]
            # Dropout: the identity in evaluation mode
        return _cross_entropy(h, self.labels) + penalty


def _cross_entropy(logits, labels) -> np.ndarray:
    """Mean softmax cross-entropy per row of ``logits`` (G, N, C), stable like the layer's.

    Loops over the C classes: NumPy reduces a short last axis row by row, 10× slower.
    """
    cols = [logits[..., c] for c in range(logits.shape[-1])]
    zmax = cols[0].copy()
    for col in cols[1:]:
        np.maximum(zmax, col, out=zmax)
    total = np.zeros_like(zmax)
    tmp = np.empty_like(zmax)
    for col in cols:
        np.subtract(col, zmax, out=tmp)
        np.exp(tmp, out=tmp)
        total += tmp
    picked = np.take_along_axis(logits, labels[None, :, None], axis=-1)[..., 0]
    np.log(total, out=total)
    total += zmax
    total -= picked
    return total.mean(axis=-1)


def grid_axes(extent, n: int):
    """(xs, ys) of an n×n grid: ``extent`` is e (±e), (ex, ey) or ((x0, x1), (y0, y1))."""
    n = validate.integer(n, "resolution", 2, 1001)
    try:
        e = np.asarray(extent, dtype=np.float64)
    except (TypeError, ValueError):
        e = np.array(np.nan)
    if e.shape == ():
        e = np.array([[-e, e], [-e, e]])
    elif e.shape == (2,):
        e = np.array([[-e[0], e[0]], [-e[1], e[1]]])
    if e.shape != (2, 2) or not np.all(np.isfinite(e)) or not np.all(e[:, 1] > e[:, 0]):
        raise ValueError(f"extent must be a number > 0, a pair (ex, ey) > 0 or ((x0, x1), (y0, y1)) "
                         f"with x0 < x1 and y0 < y1, got {extent!r}")
    return np.linspace(e[0, 0], e[0, 1], n), np.linspace(e[1, 0], e[1, 1], n)


@dataclass(frozen=True)
class Slice:
    """A computed 2-D slice: ``loss[iy, ix]`` at centre + xs[ix]·d1 + ys[iy]·d2."""

    xs: np.ndarray
    ys: np.ndarray
    loss: np.ndarray
    center: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    center_loss: float  # model.loss at the centre itself
    seconds: float = 0.0

    def interpolate(self, points) -> np.ndarray:
        """Bilinear loss of the grid at (α, β) ``points`` (K, 2); NaN outside the grid."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        out = np.full(len(pts), np.nan)
        xs, ys, Z = self.xs, self.ys, self.loss
        inside = ((pts[:, 0] >= xs[0]) & (pts[:, 0] <= xs[-1]) & (pts[:, 1] >= ys[0]) & (pts[:, 1] <= ys[-1]))
        p = pts[inside]
        i = np.clip(np.searchsorted(xs, p[:, 0]) - 1, 0, len(xs) - 2)
        j = np.clip(np.searchsorted(ys, p[:, 1]) - 1, 0, len(ys) - 2)
        tx = (p[:, 0] - xs[i]) / (xs[i + 1] - xs[i])
        ty = (p[:, 1] - ys[j]) / (ys[j + 1] - ys[j])
        out[inside] = ((1 - tx) * (1 - ty) * Z[j, i] + tx * (1 - ty) * Z[j, i + 1]
                       + (1 - tx) * ty * Z[j + 1, i] + tx * ty * Z[j + 1, i + 1])
        return out


def slice_2d(model, x, labels, d1, d2, center=None, extent=1.0, n: int = 41, chunk: int | None = None):
    """Generator: the loss on an n×n grid of the plane; yields ``(done, total)`` grid points.

    ``center`` defaults to the model's current weights; ``extent`` as in ``grid_axes``. Returns
    a ``Slice``. Chunks of ``chunk`` grid points (default: ``BatchedLoss.chunk_size()``) are
    evaluated at once; stopping the generator between chunks costs nothing.
    """
    t0 = time.perf_counter()
    center = model.get_flat_params() if center is None else center
    net = BatchedLoss(model, x, labels, center, d1, d2)
    center, d1, d2 = net.vectors
    xs, ys = grid_axes(extent, n)
    A, B = (g.ravel() for g in np.meshgrid(xs, ys))
    total = A.size
    g = validate.integer(chunk, "chunk", allow_none=True) or net.chunk_size()
    out = np.empty(total)
    with np.errstate(over="ignore", invalid="ignore"):
        for s in range(0, total, g):
            out[s:s + g] = net.losses(A[s:s + g], B[s:s + g])
            yield min(s + g, total), total
        center_loss = float(net.losses(np.zeros(1), np.zeros(1))[0])
    return Slice(xs, ys, out.reshape(len(ys), len(xs)), center, d1, d2, center_loss,
                 time.perf_counter() - t0)


def loop_losses(model, x, labels, thetas) -> np.ndarray:
    """The slow reference: ``model.loss(train=False)`` at each row of ``thetas``, one at a time.

    The model's weights are restored afterwards.
    """
    keep = model.get_flat_params()
    try:
        out = []
        for theta in np.asarray(thetas):
            model.set_flat_params(theta)
            out.append(float(model.loss(x, labels, train=False)))
        return np.array(out)
    finally:
        model.set_flat_params(keep)


# --------------------------------------------------------------------------------- trajectories
@dataclass
class PathRun:
    """One optimizer's recorded run: flat weights ``params[k]`` after ``steps[k]`` updates."""

    label: str
    optimizer: str
    hyper: dict
    steps: np.ndarray
    params: np.ndarray  # (T, P)
    losses: np.ndarray  # eval-mode loss on the training data at each recorded point
    status: str = "finished"
    stop_reason: StopReason | None = None  # why its training stopped (``engine.training``)

    @property
    def message(self) -> str:
        """The stop reason in English ("" if none)."""
        return self.stop_reason.sentence() if self.stop_reason is not None else ""

    @property
    def final(self) -> np.ndarray:
        return self.params[-1]


def _record_every(total_steps: int, max_points: int) -> int:
    return max(1, math.ceil(total_steps / max(1, max_points - 1)))


def train_paths(model, configs, x, labels, epochs: int = 50, batch_size: int = 16, seed: int = 0,
                record_every: int | None = None, max_points: int = 300):
    """Generator: train every config from ``model``'s current weights; returns ``[PathRun]``.

    Each run trains a deep copy of ``model`` (same initial weights, same dropout stream) with a
    ``Trainer`` of the same ``seed`` — hence the same mini-batches. ``configs`` are
    ``trajectory.RunnerConfig`` (optimizer, hyper, label; a config's own ``batch_size``
    overrides the shared one). Weights are recorded at step 0, every ``record_every`` steps
    (default: at most ``max_points`` per run) and at the last step. Yields
    ``(run index, label, steps done, steps total)`` at each record, so a worker can stop there.
    A diverged run keeps its last finite weights and its ``status``/``message``.
    """
    configs = [c if isinstance(c, RunnerConfig) else RunnerConfig(*c) for c in configs]
    if not configs:
        raise ValueError("choose at least one optimizer")
    epochs = validate.integer(epochs, "epochs", 1, 100_000)
    runs = []
    for index, cfg in enumerate(configs):
        label = cfg.display_label()
        net = copy.deepcopy(model)
        opt = optimizers.get(cfg.optimizer, **dict(cfg.hyper))
        trainer = Trainer(net, opt, x, labels, batch_size=cfg.batch_size or batch_size, epochs=epochs,
                          seed=seed)
        total = epochs * trainer.steps_per_epoch
        k = validate.integer(record_every, "record_every", allow_none=True) or _record_every(total, max_points)
        steps, params, losses = [], [], []

        def record():
            steps.append(trainer.step_count)
            params.append(net.get_flat_params().astype(np.float64))
            with np.errstate(all="ignore"):
                losses.append(float(net.loss(x, labels, train=False)))

        record()
        for _metrics in trainer.run():
            if trainer.step_count % k == 0:
                record()
                yield index, label, trainer.step_count, total
        if steps[-1] != trainer.step_count:
            record()
        yield index, label, trainer.step_count, total
        runs.append(PathRun(label, cfg.optimizer, dict(opt.hyper), np.array(steps), np.array(params),
                            np.array(losses), trainer.status, trainer.stop_reason))
    return runs


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
    _choice(directions, DIRECTIONS, "direction type")
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
