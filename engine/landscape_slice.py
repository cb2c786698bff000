"""The loss on a 2-D slice L(c + α·d₁ + β·d₂) of a network's weights, evaluated vectorized.

Part of the landscape computation (``engine.landscape``); the plane comes from
``engine.landscape_directions``.

``slice_2d`` evaluates the grid vectorized (``BatchedLoss``): a chunk of G grid points becomes G
weight sets pushed through the network together with stacked matmuls ((G, N, h) @ (G, h, h')),
and the first Dense layer, affine in the plane coordinates, costs three matmuls for the whole grid.
It is a generator that yields progress after every chunk (a worker can report it and stop
between chunks) and returns a ``Slice``. Losses are the eval-mode loss on the given data in
float64 (running batch-norm statistics, no dropout) plus the model's L2/L1 penalties: exactly
``model.loss(x, labels, train=False)`` at the same weights.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from engine import validate
from engine.activations import ReLU
from engine.layers import ActivationLayer, BatchNorm, Dense, Dropout, PReLU

#: Bytes one chunk of the batched forward pass may hold in its largest activation array.
CHUNK_BYTES = 2 * 2**20


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
