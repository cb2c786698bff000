"""Batch normalization by hand: one N×D mini-batch through the forward and the backward pass.

``BatchNormSetup`` is a small mini-batch ``x`` (N samples × D features, 2–8 × 1–4), the learned
scale γ and shift β (one per feature), ε, the running statistics' momentum and ``batches``, the
number of training batches the running statistics have seen. The loss is fixed and simple so
that every number stays readable: **L = Σᵢⱼ w[i,j]·y[i,j]** with fixed upstream weights ``w``
(N×D) — as if the next layer passed down ∂L/∂y = w, which is exactly what a layer receives in
backprop.

``trace(setup)`` walks the computation the way Ioffe & Szegedy (2015) and DLFS §6.3 write it,
one named quantity at a time (the lecture's μ, x_c = x − μ, σ², x_n = x_c/σ), and returns ordered
``BNStep`` records: forward μ, x_c, σ² (biased,
as PyTorch's BatchNorm1d in training), x_n, y = γ·x_n + β, L; backward ∂L/∂y, ∂L/∂β, ∂L/∂γ, ∂L/∂x_n,
∂L/∂σ², ∂L/∂μ, ∂L/∂x. Each step carries its formula, a worked example with the numbers of
feature 1 (and sample 1) and the whole value. The vectorized formulas here are deliberately
*not* ``engine.layers.BatchNorm``'s compact backward, so the tests check one against the other
and both against central differences (``engine.gradcheck``), which ``BNTrace`` also carries.

Train vs eval: in training the batch is normalized with its own μ and σ², and the running
statistics are updated PyTorch's way, running = (1 − m)·running + m·batch statistic, with the
*unbiased* variance N/(N − 1)·σ² (starting from mean 0 and variance 1). Here they see this same
batch ``batches`` times; eval mode normalizes with them instead. As k grows the running mean
reaches μ, but the running variance reaches N/(N − 1)·σ², so a gap of √((σ² + ε)/(N/(N−1)·σ² + ε))
in x_n remains: the unbiased estimate, not a bug.

Every sentence shown to the user lives in ``TEXTS`` (static, translated by the view).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine import validate
from engine.gradcheck import numerical_gradient

MIN_N, MAX_N = 2, 8
MIN_D, MAX_D = 1, 4
MAX_BATCHES = 1000
PHASES = ("forward", "backward")
#: The lecture's symbol of each quantity, in trace order.
SYMBOLS = {
    "mu": "μ", "xc": "x_c", "var": "σ²", "xn": "x_n", "y": "y", "loss": "L",
    "dy": "∂L/∂y", "dbeta": "∂L/∂β", "dgamma": "∂L/∂γ", "dxn": "∂L/∂x_n", "dvar": "∂L/∂σ²",
    "dmu": "∂L/∂μ", "dx": "∂L/∂x",
}
#: The general formula of each step (i: sample/row, j: feature/column; sums over i).
FORMULAS = {
    "mu": "μ[j] = (1/N)·Σᵢ x[i,j]",
    "xc": "x_c[i,j] = x[i,j] − μ[j]",
    "var": "σ²[j] = (1/N)·Σᵢ x_c[i,j]²",
    "xn": "x_n[i,j] = x_c[i,j] / √(σ²[j] + ε)",
    "y": "y[i,j] = γ[j]·x_n[i,j] + β[j]",
    "loss": "L = Σᵢⱼ w[i,j]·y[i,j]",
    "dy": "∂L/∂y[i,j] = w[i,j]",
    "dbeta": "∂L/∂β[j] = Σᵢ ∂L/∂y[i,j]",
    "dgamma": "∂L/∂γ[j] = Σᵢ ∂L/∂y[i,j]·x_n[i,j]",
    "dxn": "∂L/∂x_n[i,j] = ∂L/∂y[i,j]·γ[j]",
    "dvar": "∂L/∂σ²[j] = Σᵢ ∂L/∂x_n[i,j]·x_c[i,j]·(−½)·(σ²[j] + ε)^(−3/2)",
    "dmu": "∂L/∂μ[j] = −Σᵢ ∂L/∂x_n[i,j] / √(σ²[j] + ε) + ∂L/∂σ²[j]·(−2/N)·Σᵢ x_c[i,j]",
    "dx": "∂L/∂x[i,j] = ∂L/∂x_n[i,j] / √(σ²[j] + ε) + ∂L/∂σ²[j]·2·x_c[i,j]/N + ∂L/∂μ[j]/N",
}
#: Every user-facing sentence, one per step (no fields: translated whole).
TEXTS = {
    "mu": "The mean of each feature over the mini-batch (down each column).",
    "xc": "Center: subtract each column's mean, so every column of x_c has mean 0.",
    "var": "The variance of each feature over the batch, dividing by N (biased, as in training).",
    "xn": "Normalize: divide by the standard deviation √(σ² + ε) (ε keeps it finite). "
          "Each column now has mean 0 and variance ≈ 1.",
    "y": "Scale and shift with the learned γ and β: the network can undo the normalization if that helps.",
    "loss": "A simple loss so every number stays readable: the next layer's fixed weights w times y.",
    "dy": "Backward starts at the loss: ∂L/∂y is the upstream weight w (what the next layer passes down).",
    "dbeta": "β is added to every sample, so its gradient sums ∂L/∂y over the batch.",
    "dgamma": "γ multiplies x_n, so its gradient sums ∂L/∂y·x_n over the batch.",
    "dxn": "Through the scale: ∂L/∂x_n = ∂L/∂y·γ.",
    "dvar": "σ² sits in every x_n of its column: sum their contributions (chain rule through 1/√(σ² + ε)).",
    "dmu": "μ also sits in every x_c of its column; its effect through σ² is zero because Σ x_c = 0.",
    "dx": "Each x reaches L three ways: directly through x_n, through σ² and through μ. "
          "The sum over the batch of ∂L/∂x is 0 in every column.",
}


def fmt(v: float) -> str:
    """A number as the step texts show it: 4 significant digits and a real minus sign."""
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    text = f"{v:.4g}"
    if text in ("-0", "0"):
        return "0"
    return text.replace("-", "−")


def _p(v: float) -> str:
    s = fmt(v)
    return f"({s})" if s.startswith("−") else s


def default_batch(n: int = 4, d: int = 3, seed: int = 0) -> tuple[tuple, tuple]:
    """Readable numbers (one decimal) for an n×d batch ``x`` and its upstream weights ``w``.

    The features get different centres and spreads (around 2, −1, 0.5, 4 with spreads 1, 3, 0.5,
    2), so normalization visibly changes each column; ``w`` is in [−1, 1], never 0, and no column
    of it sums to 0.
    """
    n = validate.integer(n, "the batch size N", MIN_N, MAX_N)
    d = validate.integer(d, "the number of features D", MIN_D, MAX_D)
    rng = np.random.default_rng(validate.seed(seed))
    centre = np.array([2.0, -1.0, 0.5, 4.0])[:d]
    spread = np.array([1.0, 3.0, 0.5, 2.0])[:d]
    x = np.round(centre + spread * rng.standard_normal((n, d)), 1)
    w = np.round(rng.uniform(-1, 1, size=(n, d)), 1)
    w[w == 0] = 0.1
    flat = np.abs(w.sum(axis=0)) < 1e-9  # a column summing to 0 would make ∂L/∂β 0 by accident
    last = w[-1, flat]
    w[-1, flat] = np.round(np.where((last + 0.1 > 1.0) | (np.abs(last + 0.1) < 1e-9), last - 0.1, last + 0.1), 1)
    return _tuples(x), _tuples(w)


def _tuples(a) -> tuple:
    a = np.asarray(a, dtype=np.float64)
    return tuple(tuple(float(v) for v in row) for row in a) if a.ndim == 2 else tuple(float(v) for v in a)


_X, _W = default_batch()


@dataclass(frozen=True)
class BatchNormSetup:
    """Everything the step-through depends on; invalid values raise ``ValueError`` on creation.

    ``x[i][j]``: feature j of sample i. ``w``: the loss's fixed upstream weights (same shape).
    ``gamma``, ``beta``: one per feature. ``batches``: training batches seen by the running stats.
    """

    x: tuple = _X
    w: tuple = _W
    gamma: tuple = (1.0, 2.0, 0.5)
    beta: tuple = (0.0, 1.0, -0.5)
    eps: float = 1e-5
    momentum: float = 0.1
    batches: int = 5

    def __post_init__(self):
        x = self._matrix(self.x, "the batch x")
        n, d = len(x), len(x[0])
        if not MIN_N <= n <= MAX_N:
            raise ValueError(f"the batch needs {MIN_N}–{MAX_N} samples, got {n}")
        if not MIN_D <= d <= MAX_D:
            raise ValueError(f"the batch needs {MIN_D}–{MAX_D} features, got {d}")
        w = self._matrix(self.w, "the upstream weights w")
        if (len(w), len(w[0])) != (n, d):
            raise ValueError(f"the upstream weights w must be {n}×{d} like the batch, got {len(w)}×{len(w[0])}")
        for name, values in (("gamma", self.gamma), ("beta", self.beta)):
            vec = tuple(validate.number(v, f"every {name}") for v in values)
            if len(vec) != d:
                raise ValueError(f"{name} needs {d} numbers (one per feature), got {len(vec)}")
            object.__setattr__(self, name, vec)
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "w", w)
        object.__setattr__(self, "eps", validate.number(self.eps, "eps", positive=True))
        object.__setattr__(self, "momentum", validate.number(self.momentum, "momentum", 0.0, 1.0))
        object.__setattr__(self, "batches", validate.integer(self.batches, "the training batches k", 0, MAX_BATCHES))

    @staticmethod
    def _matrix(rows, what: str) -> tuple:
        rows = tuple(tuple(r) for r in rows)
        if not rows or not rows[0] or len({len(r) for r in rows}) != 1:
            raise ValueError(f"{what} must be a table of rows of equal length")
        return tuple(tuple(validate.number(v, f"every entry of {what}") for v in r) for r in rows)

    @property
    def n(self) -> int:
        return len(self.x)

    @property
    def d(self) -> int:
        return len(self.x[0])

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Fresh float64 arrays x (N×D), w (N×D), γ (D), β (D)."""
        return (np.array(self.x, dtype=np.float64), np.array(self.w, dtype=np.float64),
                np.array(self.gamma, dtype=np.float64), np.array(self.beta, dtype=np.float64))


# ---- the computation ------------------------------------------------------------------------------
def forward(x: np.ndarray, w: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> dict:
    """The training-mode forward pass: μ, σ², x_n, y and L (a dict of arrays; L a float)."""
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    xn = (x - mu) / np.sqrt(var + eps)
    y = gamma * xn + beta
    return {"mu": mu, "xc": x - mu, "var": var, "xn": xn, "y": y, "loss": float(np.sum(w * y))}


def backward(x: np.ndarray, w: np.ndarray, gamma: np.ndarray, eps: float, fwd: dict) -> dict:
    """The paper's backward pass, one quantity at a time (see ``FORMULAS``)."""
    n = x.shape[0]
    var, xn, xc = fwd["var"], fwd["xn"], fwd["xc"]
    dy = w.copy()
    dbeta = dy.sum(axis=0)
    dgamma = (dy * xn).sum(axis=0)
    dxn = dy * gamma
    dvar = (dxn * xc).sum(axis=0) * -0.5 * (var + eps) ** -1.5
    dmu = (dxn * (-1.0 / np.sqrt(var + eps))).sum(axis=0) + dvar * (-2.0 / n) * xc.sum(axis=0)
    dx = dxn / np.sqrt(var + eps) + dvar * 2.0 * xc / n + dmu / n
    return {"dy": dy, "dbeta": dbeta, "dgamma": dgamma, "dxn": dxn, "dvar": dvar, "dmu": dmu, "dx": dx}


def running_stats(mu: np.ndarray, var: np.ndarray, n: int, momentum: float, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Running mean and variance after ``k`` training batches with statistics ``mu``, ``var``
    (biased), PyTorch's rule from mean 0 and variance 1: running = (1 − m)·running + m·stat,
    with the unbiased variance N/(N − 1)·σ²."""
    keep = (1.0 - momentum) ** int(k)
    return (1.0 - keep) * mu, keep * 1.0 + (1.0 - keep) * var * n / (n - 1)


def eval_output(x, gamma, beta, eps, running_mean, running_var) -> np.ndarray:
    """y in eval mode: normalized with the running statistics instead of the batch's."""
    return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta


@dataclass(frozen=True)
class BNStep:
    """One step: ``key`` names the quantity it computes (see ``SYMBOLS``); ``value`` is all of it
    (shape (D,), (N, D) or () for L); ``example`` the worked numbers of feature 1 (sample 1);
    ``uses`` the keys of the quantities it reads (the view highlights them)."""

    phase: str
    key: str
    symbol: str
    text: str
    formula: str
    example: str
    value: np.ndarray
    uses: tuple = ()


@dataclass(frozen=True)
class GradRow:
    """One row of the gradient check: ∂L/∂γ[j], ∂L/∂β[j] or ∂L/∂x[i,j], backprop vs numerical."""

    key: tuple  # ("dgamma", j), ("dbeta", j) or ("dx", i, j)
    name: str
    grad: float
    numerical: float
    rel_error: float


@dataclass(frozen=True)
class BNTrace:
    """The result of ``trace``: the steps, every value by key, the gradient check, train vs eval."""

    setup: BatchNormSetup
    steps: tuple
    values: dict
    num_dgamma: np.ndarray
    num_dbeta: np.ndarray
    num_dx: np.ndarray
    rows: tuple
    running_mean: np.ndarray
    running_var: np.ndarray
    y_eval: np.ndarray

    def index_of(self, key_or_phase: str) -> int:
        """The step computing ``key`` or the first step of a phase (``ValueError`` if unknown)."""
        for i, s in enumerate(self.steps):
            if key_or_phase in (s.key, s.phase):
                return i
        raise ValueError(f"unknown step {key_or_phase!r}; choose one of: {', '.join((*PHASES, *SYMBOLS))}")

    def max_rel_error(self, quantity: str | None = None) -> float:
        """The largest relative error of backprop vs central differences (of one quantity)."""
        return max(r.rel_error for r in self.rows if quantity is None or r.key[0] == quantity)

    @property
    def y_train(self) -> np.ndarray:
        return self.values["y"]


def _rel(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise |a − b| over the quantity's largest magnitude (scale-free; 0 when equal)."""
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), 1e-12)
    return np.abs(a - b) / scale


def _examples(setup: BatchNormSetup, v: dict) -> dict:
    """The worked numbers of feature 1 (sample 1) of each step."""
    x, w, g, b = setup.arrays()
    n, eps = setup.n, setup.eps
    c = x[:, 0]
    mu, var, sd = v["mu"][0], v["var"][0], math.sqrt(v["var"][0] + eps)
    xc0 = x[0, 0] - mu
    col = lambda a: " + ".join(_p(t) for t in a)  # noqa: E731
    return {
        "mu": f"μ[1] = ({col(c)}) / {n} = {fmt(mu)}",
        "xc": f"x_c[1,1] = {fmt(x[0, 0])} − {_p(mu)} = {fmt(v['xc'][0, 0])}",
        "var": f"σ²[1] = ({' + '.join(f'{_p(t)}²' for t in v['xc'][:, 0])}) / {n} = {fmt(var)}",
        "xn": f"x_n[1,1] = {_p(v['xc'][0, 0])} / √({fmt(var)} + {fmt(eps)}) = {fmt(v['xn'][0, 0])}",
        "y": f"y[1,1] = {fmt(g[0])}·{_p(v['xn'][0, 0])} + {_p(b[0])} = {fmt(v['y'][0, 0])}",
        "loss": f"L = {' + '.join(f'{_p(wi)}·{_p(yi)}' for wi, yi in zip(w[0], v['y'][0]))} + … = {fmt(v['loss'])}",
        "dy": f"∂L/∂y[1,1] = w[1,1] = {fmt(w[0, 0])}",
        "dbeta": f"∂L/∂β[1] = {col(v['dy'][:, 0])} = {fmt(v['dbeta'][0])}",
        "dgamma": f"∂L/∂γ[1] = {' + '.join(f'{_p(a)}·{_p(h)}' for a, h in zip(v['dy'][:, 0], v['xn'][:, 0]))}"
                  f" = {fmt(v['dgamma'][0])}",
        "dxn": f"∂L/∂x_n[1,1] = {_p(v['dy'][0, 0])}·{_p(g[0])} = {fmt(v['dxn'][0, 0])}",
        "dvar": f"∂L/∂σ²[1] = ({' + '.join(f'{_p(a)}·{_p(t - mu)}' for a, t in zip(v['dxn'][:, 0], c))})"
                f"·(−½)·({fmt(var)} + {fmt(eps)})^(−3/2) = {fmt(v['dvar'][0])}",
        "dmu": f"∂L/∂μ[1] = −({col(v['dxn'][:, 0])}) / {fmt(sd)} + {_p(v['dvar'][0])}·(−2/{n})·"
               f"{_p(round(float(np.sum(c - mu)), 12))} = {fmt(v['dmu'][0])}",
        "dx": f"∂L/∂x[1,1] = {_p(v['dxn'][0, 0])}/{fmt(sd)} + {_p(v['dvar'][0])}·2·{_p(xc0)}/{n}"
              f" + {_p(v['dmu'][0])}/{n} = {fmt(v['dx'][0, 0])}",
    }


#: What each step reads (the view highlights these quantities' rows).
_USES = {
    "mu": ("x",), "xc": ("x", "mu"), "var": ("xc",), "xn": ("xc", "var"), "y": ("xn", "gamma", "beta"),
    "loss": ("y", "w"), "dy": ("w",), "dbeta": ("dy",), "dgamma": ("dy", "xn"), "dxn": ("dy", "gamma"),
    "dvar": ("dxn", "xc", "var"), "dmu": ("dxn", "var", "dvar", "xc"), "dx": ("dxn", "xc", "var", "dvar", "dmu"),
}


def trace(setup: BatchNormSetup, eps_fd: float = 1e-6) -> BNTrace:
    """Forward and backward of ``setup``'s batch as steps, the numerical check, train vs eval."""
    x, w, gamma, beta = setup.arrays()
    fwd = forward(x, w, gamma, beta, setup.eps)
    values = {**fwd, **backward(x, w, gamma, setup.eps, fwd)}
    values["loss"] = np.array(fwd["loss"])
    examples = _examples(setup, {**values, "loss": fwd["loss"]})
    steps = tuple(
        BNStep("forward" if not key.startswith("d") else "backward", key, SYMBOLS[key], TEXTS[key], FORMULAS[key],
               examples[key], values[key], _USES[key])
        for key in SYMBOLS
    )

    # numerical gradients (central differences on copies of x, γ, β) ------------------------------
    xn, wn, gn, bn = setup.arrays()
    num_dx, num_dgamma, num_dbeta = numerical_gradient(
        lambda: forward(xn, wn, gn, bn, setup.eps)["loss"], [xn, gn, bn], eps=eps_fd)
    rows = []
    for key, grad, num in (("dgamma", values["dgamma"], num_dgamma), ("dbeta", values["dbeta"], num_dbeta)):
        rel = _rel(grad, num)
        rows += [GradRow((key, j), f"{SYMBOLS[key]}[{j + 1}]", float(grad[j]), float(num[j]), float(rel[j]))
                 for j in range(setup.d)]
    rel = _rel(values["dx"], num_dx)
    rows += [GradRow(("dx", i, j), f"∂L/∂x[{i + 1},{j + 1}]", float(values["dx"][i, j]), float(num_dx[i, j]),
                     float(rel[i, j])) for i in range(setup.n) for j in range(setup.d)]

    # train vs eval -------------------------------------------------------------------------------
    rm, rv = running_stats(fwd["mu"], fwd["var"], setup.n, setup.momentum, setup.batches)
    y_eval = eval_output(x, gamma, beta, setup.eps, rm, rv)
    return BNTrace(setup, steps, values, num_dgamma, num_dbeta, num_dx, tuple(rows), rm, rv, y_eval)


def eval_gap(setup: BatchNormSetup, ks) -> np.ndarray:
    """max |y_eval − y_train| after each number of training batches in ``ks`` (vectorized over k)."""
    x, w, gamma, beta = setup.arrays()
    fwd = forward(x, w, gamma, beta, setup.eps)
    ks = np.asarray(ks, dtype=np.float64)[:, None]
    keep = (1.0 - setup.momentum) ** ks
    rm = (1.0 - keep) * fwd["mu"]
    rv = keep + (1.0 - keep) * fwd["var"] * setup.n / (setup.n - 1)
    y_eval = gamma * (x[None] - rm[:, None]) / np.sqrt(rv[:, None] + setup.eps) + beta
    return np.max(np.abs(y_eval - fwd["y"][None]), axis=(1, 2))


def eval_xn_ratio(setup: BatchNormSetup, k: int) -> np.ndarray:
    """Per feature, the least-squares factor c with x_n_eval ≈ c·x_n_train after ``k`` training
    batches (exact once the running mean has reached μ): measured, to compare with ``unbiased_gap``."""
    x = np.array(setup.x, dtype=np.float64)
    fwd = forward(x, np.zeros_like(x), np.ones(setup.d), np.zeros(setup.d), setup.eps)
    rm, rv = running_stats(fwd["mu"], fwd["var"], setup.n, setup.momentum, k)
    xe = (x - rm) / np.sqrt(rv + setup.eps)
    xt = fwd["xn"]
    return np.sum(xe * xt, axis=0) / np.maximum(np.sum(xt * xt, axis=0), 1e-300)


def unbiased_gap(setup: BatchNormSetup) -> np.ndarray:
    """The ratio x_n_eval / x_n_train per feature once the running stats have converged:
    √((σ² + ε) / (N/(N − 1)·σ² + ε)) — what remains of the train/eval difference."""
    x = np.array(setup.x, dtype=np.float64)
    var = x.var(axis=0)
    return np.sqrt((var + setup.eps) / (var * setup.n / (setup.n - 1) + setup.eps))


def resized(setup: BatchNormSetup, n: int, d: int, seed: int = 0) -> BatchNormSetup:
    """The same set-up as an n×d batch: entries that still exist keep their values, new ones come
    from ``default_batch(n, d, seed)``; γ grows with 1s and β with 0s."""
    x_new, w_new = default_batch(n, d, seed)
    keep = lambda old, new: tuple(  # noqa: E731
        tuple(old[i][j] if i < len(old) and j < len(old[0]) else new[i][j] for j in range(d)) for i in range(n))
    gamma = tuple(setup.gamma[j] if j < setup.d else 1.0 for j in range(d))
    beta = tuple(setup.beta[j] if j < setup.d else 0.0 for j in range(d))
    return BatchNormSetup(keep(setup.x, x_new), keep(setup.w, w_new), gamma, beta, setup.eps, setup.momentum,
                          setup.batches)
