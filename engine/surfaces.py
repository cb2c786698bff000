"""2-D loss surfaces the optimizers race on: ``get(name)`` → ``Surface``.

Each surface has a vectorized, broadcasting ``value(x, y)`` and analytic ``grad(x, y)``, the view
rectangle it is drawn in (``bounds``), its known minima and a start point that makes the race
interesting. ``grid(n)`` evaluates the whole view in one broadcast NumPy expression (no Python
loops), so a 500×500 image costs a few milliseconds.

"book_quadratic" is chapter 6's f = x²/20 + y², curved 20 times more in y than in x (curvature ratio 20:1, width ratio √20) so SGD zig-zags across the
valley. "data" is a real (tiny) learning problem: the mean squared error of a line w·x + b fitted
to 200 generated points, drawn over (w, b); mini-batches give different gradients there, which is
what makes SGD stochastic.
"""

from __future__ import annotations

import math

import numpy as np

from engine.registry import Registry

REGISTRY: Registry = Registry("surface")

Bounds = tuple[tuple[float, float], tuple[float, float]]


def _as_xy(x, y):
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def _check_bounds(bounds) -> Bounds:
    try:
        (x0, x1), (y0, y1) = bounds
        x0, x1, y0, y1 = (float(v) for v in (x0, x1, y0, y1))
    except (TypeError, ValueError):
        raise ValueError(f"bounds must be ((xmin, xmax), (ymin, ymax)), got {bounds!r}") from None
    if not all(math.isfinite(v) for v in (x0, x1, y0, y1)) or not (x0 < x1 and y0 < y1):
        raise ValueError(f"bounds must be finite with xmin < xmax and ymin < ymax, got {bounds!r}")
    return (x0, x1), (y0, y1)


class Surface:
    """A function of two variables with its gradient, drawn over ``bounds``.

    Subclasses implement ``_value(x, y)`` and ``_grad(x, y)`` on float64 arrays that broadcast.
    """

    name = ""
    display_name = ""
    formula = ""
    bounds: Bounds = ((-1.0, 1.0), (-1.0, 1.0))
    minima: list[tuple[float, float]] = []
    start: tuple[float, float] = (0.0, 0.0)
    log_colors = False  # values span orders of magnitude: colour them on a log scale
    stochastic = False  # mini-batch gradients differ from the full gradient

    def value(self, x, y) -> np.ndarray:
        x, y = _as_xy(x, y)
        return self._value(x, y)

    def grad(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        x, y = _as_xy(x, y)
        gx, gy = self._grad(x, y)
        shape = np.broadcast_shapes(x.shape, y.shape)
        return _full(gx, shape), _full(gy, shape)

    def grid(self, n: int = 300, bounds=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """xs (n,), ys (n,) and Z (n, n) with Z[iy, ix] = value(xs[ix], ys[iy])."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
            raise ValueError(f"grid size n must be an integer ≥ 2, got {n!r}")
        (x0, x1), (y0, y1) = _check_bounds(self.bounds if bounds is None else bounds)
        xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
        z = self.value(xs[None, :], ys[:, None])
        return xs, ys, _full(z, (n, n))

    def contains(self, x, y) -> bool:
        """True when (x, y) is inside the view (edges included)."""
        (x0, x1), (y0, y1) = self.bounds
        return bool(x0 <= x <= x1 and y0 <= y <= y1)

    def _value(self, x, y):
        raise NotImplementedError

    def _grad(self, x, y):
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _full(a, shape):
    """``a`` broadcast to ``shape`` as its own writable array (a constant gradient is a scalar)."""
    a = np.asarray(a, dtype=np.float64)
    return a if a.shape == shape else np.broadcast_to(a, shape).copy()


def _register(cls):
    REGISTRY.register(
        cls.name,
        cls.display_name,
        cls.formula,
        description=(cls.__doc__ or "").strip().split("\n")[0],
        bounds=cls.bounds,
        start=cls.start,
        stochastic=cls.stochastic,
    )(cls)
    return cls


@_register
class BookQuadratic(Surface):
    """The book's f = x²/20 + y² (DLFS ch. 6): a valley curved 20 times more in y than in x, where SGD zig-zags in y."""

    name, display_name = "book_quadratic", "Book: x²/20 + y²"
    formula = "f(x, y) = x²/20 + y²"
    bounds = ((-10.0, 10.0), (-5.0, 5.0))
    minima = [(0.0, 0.0)]
    start = (-7.0, 2.0)

    def _value(self, x, y):
        return x * x / 20.0 + y * y

    def _grad(self, x, y):
        return x / 10.0, 2.0 * y


@_register
class Rosenbrock(Surface):
    """Rosenbrock's banana: a curved, flat-bottomed valley; finding it is easy, following it is hard."""

    name, display_name = "rosenbrock", "Rosenbrock"
    formula = "f(x, y) = (1 − x)² + 100(y − x²)²"
    bounds = ((-2.0, 2.0), (-1.0, 3.0))
    minima = [(1.0, 1.0)]
    start = (-1.2, 1.0)
    log_colors = True

    def _value(self, x, y):
        return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2

    def _grad(self, x, y):
        r = y - x * x
        return -2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r


@_register
class Beale(Surface):
    """Beale's function: flat plateaus and steep walls, values from 0 to ~10⁵ over the view."""

    name, display_name = "beale", "Beale"
    formula = "f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²"
    bounds = ((-4.5, 4.5), (-4.5, 4.5))
    minima = [(3.0, 0.5)]
    start = (1.0, 1.4)
    log_colors = True

    @staticmethod
    def _terms(x, y):
        y2 = y * y
        y3 = y2 * y
        return y2, y3, 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3

    def _value(self, x, y):
        _, _, a, b, c = self._terms(x, y)
        return a * a + b * b + c * c

    def _grad(self, x, y):
        y2, y3, a, b, c = self._terms(x, y)
        gx = 2.0 * (a * (y - 1.0) + b * (y2 - 1.0) + c * (y3 - 1.0))
        gy = 2.0 * x * (a + 2.0 * y * b + 3.0 * y2 * c)
        return gx, gy


@_register
class Himmelblau(Surface):
    """Himmelblau's function: four equal minima, so the start decides where each optimizer lands."""

    name, display_name = "himmelblau", "Himmelblau"
    formula = "f(x, y) = (x² + y − 11)² + (x + y² − 7)²"
    bounds = ((-5.0, 5.0), (-5.0, 5.0))
    minima = [
        (3.0, 2.0),
        (-2.805118086952745, 3.131312518250573),
        (-3.779310253377747, -3.2831859912861696),
        (3.5844283403304917, -1.8481265269644034),
    ]
    start = (-0.3, -0.9)  # next to the local maximum (−0.2708, −0.9230): every minimum is downhill
    log_colors = True

    def _value(self, x, y):
        a = x * x + y - 11.0
        b = x + y * y - 7.0
        return a * a + b * b

    def _grad(self, x, y):
        a = x * x + y - 11.0
        b = x + y * y - 7.0
        return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


@_register
class Saddle(Surface):
    """A saddle at the origin with a floor: x² − y² + y⁴/4 has minima at (0, ±√2).

    Started almost on the ridge line y = 0, plain gradient descent crawls into the saddle and
    lingers (the y-gradient is tiny there); momentum methods leave it much sooner.
    """

    name, display_name = "saddle", "Saddle (x² − y² + y⁴/4)"
    formula = "f(x, y) = x² − y² + y⁴/4"
    bounds = ((-3.0, 3.0), (-3.0, 3.0))
    minima = [(0.0, math.sqrt(2.0)), (0.0, -math.sqrt(2.0))]
    start = (-2.5, 0.01)

    def _value(self, x, y):
        y2 = y * y
        return x * x - y2 + 0.25 * y2 * y2

    def _grad(self, x, y):
        return 2.0 * x, y * (y * y - 2.0)


@_register
class Rastrigin(Surface):
    """Rastrigin's function: a bowl covered in local minima at about every integer point."""

    name, display_name = "rastrigin", "Rastrigin"
    formula = "f(x, y) = 20 + x² − 10cos(2πx) + y² − 10cos(2πy)"
    bounds = ((-5.12, 5.12), (-5.12, 5.12))
    minima = [(0.0, 0.0)]
    start = (-3.3, 4.1)

    def _value(self, x, y):
        tau = 2.0 * math.pi
        return 20.0 + x * x - 10.0 * np.cos(tau * x) + y * y - 10.0 * np.cos(tau * y)

    def _grad(self, x, y):
        tau = 2.0 * math.pi
        return 2.0 * x + 10.0 * tau * np.sin(tau * x), 2.0 * y + 10.0 * tau * np.sin(tau * y)


@_register
class LinearRegressionData(Surface):
    """MSE of a line t ≈ w·x + b fitted to generated points, over (w, b) = (x, y) of the plot.

    The inputs x lie in [0, 4], not centred, so the loss valley is tilted and elongated (Hessian
    condition number ≈ 30): full-batch GD curves down it, mini-batch SGD zig-zags. The loss is a
    quadratic in (w, b), so it is evaluated from five data moments (mean x², x, x·t, t, t²) and a
    whole grid costs no more than a quadratic; a mini-batch uses the moments of its rows.
    """

    name, display_name = "data", "Data: linear-regression MSE"
    formula = "L(w, b) = (1/N) Σᵢ (w·xᵢ + b − tᵢ)²"
    bounds = ((-1.5, 4.5), (-6.0, 4.0))
    start = (-1.0, 3.0)
    stochastic = True
    TRUE_W, TRUE_B = 1.5, -1.0

    def __init__(self, n_samples: int = 200, noise: float = 0.5, seed: int = 0):
        if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 2:
            raise ValueError(f"data surface n_samples must be an integer ≥ 2, got {n_samples!r}")
        noise = float(noise)
        if not math.isfinite(noise) or noise < 0:
            raise ValueError(f"data surface noise must be a finite number ≥ 0, got {noise!r}")
        rng = np.random.default_rng(seed)
        self.n_samples = int(n_samples)
        self.data_x = rng.uniform(0.0, 4.0, self.n_samples)
        self.data_t = self.TRUE_W * self.data_x + self.TRUE_B + noise * rng.standard_normal(self.n_samples)
        self._moments = self._moments_of(self.data_x, self.data_t)
        design = np.column_stack([self.data_x, np.ones(self.n_samples)])
        w, b = np.linalg.lstsq(design, self.data_t, rcond=None)[0]
        self.minima = [(float(w), float(b))]

    @staticmethod
    def _moments_of(x, t):
        return np.mean(x * x), np.mean(x), np.mean(x * t), np.mean(t), np.mean(t * t)

    def _batch_moments(self, indices):
        idx = np.asarray(indices)
        if idx.ndim != 1 or idx.size == 0 or idx.dtype.kind not in "iu":
            raise ValueError("indices must be a non-empty 1-D array of sample indices")
        if idx.min() < 0 or idx.max() >= self.n_samples:
            raise ValueError(f"indices must be in 0..{self.n_samples - 1}")
        return self._moments_of(self.data_x[idx], self.data_t[idx])

    @staticmethod
    def _loss(w, b, m):
        sxx, sx, sxt, st, stt = m
        return w * (w * sxx + 2.0 * (b * sx - sxt)) + b * (b - 2.0 * st) + stt

    @staticmethod
    def _dloss(w, b, m):
        sxx, sx, sxt, st, _ = m
        return 2.0 * (w * sxx + b * sx - sxt), 2.0 * (w * sx + b - st)

    def _value(self, x, y):
        return self._loss(x, y, self._moments)

    def _grad(self, x, y):
        return self._dloss(x, y, self._moments)

    def batch_value(self, x, y, indices) -> np.ndarray:
        """The loss on the samples ``indices`` only (a mini-batch)."""
        x, y = _as_xy(x, y)
        return self._loss(x, y, self._batch_moments(indices))

    def batch_grad(self, x, y, indices) -> tuple[np.ndarray, np.ndarray]:
        """The gradient on the samples ``indices`` only: what SGD follows."""
        x, y = _as_xy(x, y)
        gx, gy = self._dloss(x, y, self._batch_moments(indices))
        shape = np.broadcast_shapes(x.shape, y.shape)
        return _full(gx, shape), _full(gy, shape)

    def __repr__(self) -> str:
        return f"LinearRegressionData(n_samples={self.n_samples})"


def get(name: str, **kw) -> Surface:
    """The surface ``name`` (see ``names()``); only "data" takes arguments (n_samples, noise, seed)."""
    return REGISTRY.get(name, **kw)


def names() -> list[str]:
    return REGISTRY.names()


def entries():
    return REGISTRY.entries()
