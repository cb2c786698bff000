"""The book's "activation histograms per layer" experiment (DLFS ch. 6), forward *and* backward.

Random inputs (``randn(1000, 100)``) go through ``n_layers`` bias-free affine layers of
``width`` units, each followed by the chosen activation (and, optionally, batch norm between the
affine map and the activation, the lecture's order). The histogram of every layer's output shows
what the initializer does: sigmoid with std 1 piles up at 0 and 1 (saturation), std 0.01
collapses everything onto 0.5, Xavier keeps a spread, He keeps ReLU layers alive.

The backward side answers *why that matters*. Its loss is a fixed random linear read-out of the
last layer, L = Σ r ⊙ a_L with r ~ N(0, 1) drawn from the seed: so dL/da_L = r is a unit-scale
gradient that does not depend on the configuration, and everything seen further down —
gradients shrinking layer by layer (vanishing) or growing (exploding) — is caused by the layers
themselves, not by the loss.

Randomness is split by ``SeedSequence(seed).spawn(3)`` into inputs, weights and read-out, so two
configurations with the same seed see the same inputs and read-out, and every normal-family
initializer (normal, lecun, xavier, he) draws the *same* standard-normal weights, only scaled:
side-by-side comparisons differ in exactly the setting that changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np

from engine import validate
from engine import activations, init, layers, stats

#: Output range of bounded activations: their histograms use it, like the book's (0, 1).
_BOUNDED = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "step": (0.0, 1.0)}

#: Activations for which "dead" makes sense: output 0 *and* gradient 0 for x ≤ 0 (their
#: histograms have a spike of exact zeros; views report its share instead of saturation).
CAN_DIE = ("relu", "step")

#: Below this derivative a unit passes back "almost no" gradient (σ′ < 0.01 ⟺ σ < 0.0101 or
#: > 0.9899, so for sigmoid it is nearly the 'saturated' share of the outputs).
FLAT_SLOPE = 0.01




@dataclass(frozen=True)
class LayerResult:
    """Everything about one layer (``index`` counts from 1, as the book's figure titles).

    ``pre`` is what enters the activation (after batch norm if on), ``out`` the activation's
    output, ``grad`` = dL/d``out`` and ``weight_grad`` = dL/dW. ``counts`` / ``grad_counts`` /
    ``weight_grad_counts`` use the shared edges of the ``ExperimentResult``. ``summary`` is
    ``stats.summary(out, activation)`` (mean, std, percentiles, share_zero, share_saturated).
    ``share_flat`` is the share of (sample, unit) entries whose derivative f′(pre) < ``FLAT_SLOPE``:
    those pass almost no gradient back *per unit*, whatever the weights do across the layer.
    ``in_std`` / ``pre_std`` are the std of what enters the layer and of its weighted sum, so the
    claim "Xavier keeps the variance" can be checked where it holds (the sum, not the output).
    """

    index: int
    weight: np.ndarray
    pre: np.ndarray
    out: np.ndarray
    grad: np.ndarray
    weight_grad: np.ndarray
    counts: np.ndarray
    grad_counts: np.ndarray
    weight_grad_counts: np.ndarray
    summary: dict
    dead_units: float
    grad_mean_abs: float
    grad_std: float
    weight_grad_mean_abs: float
    weight_grad_std: float
    share_flat: float = 0.0
    in_std: float = math.nan
    pre_std: float = math.nan

    @property
    def mean(self) -> float:
        return self.summary["mean"]

    @property
    def std(self) -> float:
        return self.summary["std"]

    @property
    def share_saturated(self) -> float:
        """Share of outputs in the flat tails (see ``engine.stats``); 0 for non-saturating ones."""
        return self.summary["share_saturated"] or 0.0

    @property
    def share_zero(self) -> float:
        return self.summary["share_zero"]


@dataclass(frozen=True)
class ExperimentResult:
    """Per-layer results plus the histogram edges every layer shares (so axes line up)."""

    config: "ActivationExperiment"
    x: np.ndarray
    layers: tuple[LayerResult, ...]
    edges: np.ndarray
    grad_edges: np.ndarray
    weight_grad_edges: np.ndarray

    _SCALARS = ("mean", "std", "share_saturated", "share_zero", "dead_units", "grad_mean_abs",
                "grad_std", "weight_grad_mean_abs", "weight_grad_std", "share_flat", "in_std", "pre_std")

    def column(self, name: str) -> np.ndarray:
        """One per-layer number as an array over layers, e.g. ``column("grad_mean_abs")``."""
        if name not in self._SCALARS:
            raise ValueError(f"unknown column {name!r}; choose one of: {', '.join(self._SCALARS)}")
        return np.array([getattr(layer, name) for layer in self.layers], dtype=np.float64)

    def table(self) -> list[dict]:
        """The per-layer numbers as rows (layer index first), for a table view or a report."""
        return [{"layer": layer.index, **{k: getattr(layer, k) for k in self._SCALARS}}
                for layer in self.layers]


@dataclass(frozen=True)
class ActivationExperiment:
    """Settings of one run; ``run()`` computes it (≈ 40 ms for the default 1000 × 100, 5 layers,
    half of it the per-layer statistics).

    ``init`` is an ``engine.init`` name with ``init_kwargs`` (None = the book's first figure for
    "normal", std 1, and no arguments for the others). ``hist_range`` overrides the shared
    activation range: bounded activations default to their output range (sigmoid (0, 1) like the
    book, tanh (−1, 1)), the others to the min…max over all layers. Gradient histograms share a
    symmetric range ±max|g| over all layers, so vanishing layers shrink to the central bins.
    ``bias=True`` adds bias vectors initialized to 0 (the book's convention): at initialization
    they change nothing, which is the point — the spread of the activations is the weights' doing.
    """

    n_samples: int = 1000
    n_features: int = 100
    n_layers: int = 5
    width: int = 100
    activation: str = "sigmoid"
    init: str = "normal"
    init_kwargs: dict | None = None
    batchnorm: bool = False
    bias: bool = False
    seed: int = 0
    dtype: type = np.float64
    bins: int = 30
    hist_range: tuple[float, float] | None = None
    activation_kwargs: dict = field(default_factory=dict)

    def __post_init__(self):
        validate.integer(self.n_samples, "n_samples", 2 if self.batchnorm else 1)
        validate.integer(self.n_features, "n_features")
        validate.integer(self.n_layers, "n_layers")
        validate.integer(self.width, "width")
        validate.integer(self.bins, "bins")
        if np.dtype(self.dtype) not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype!r}")
        act = self.make_activation()  # validates the name and its parameters
        if not act.elementwise:
            raise ValueError(f"activation {self.activation!r} is not elementwise; choose one of: "
                             f"{', '.join(activations.elementwise_names())}")
        self.make_initializer()
        if self.hist_range is not None:
            lo, hi = (float(v) for v in self.hist_range)
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise ValueError(f"hist_range must be two finite numbers lo < hi, got {self.hist_range!r}")

    @property
    def activation_name(self) -> str:
        return activations.REGISTRY.canonical(self.activation)

    def make_activation(self) -> activations.Activation:
        return activations.get(self.activation, **self.activation_kwargs)

    def make_initializer(self) -> init.Initializer:
        kwargs = self.init_kwargs
        if kwargs is None:
            kwargs = {"std": 1.0} if init.REGISTRY.canonical(self.init) == "normal" else {}
        return init.get(self.init, **kwargs)

    def replace(self, **changes) -> "ActivationExperiment":
        """A copy with some settings changed (validated again)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        unknown = set(changes) - set(values)
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; choose from: {', '.join(values)}")
        values.update(changes)
        return ActivationExperiment(**values)

    # -- the computation ------------------------------------------------------------------

    def draw(self):
        """``(x, weights, readout)`` for this seed: inputs, one weight matrix per layer, r."""
        x_seq, w_seq, r_seq = np.random.SeedSequence(self.seed).spawn(3)
        dtype = np.dtype(self.dtype)
        x = np.random.default_rng(x_seq).standard_normal((self.n_samples, self.n_features))
        w_rng = np.random.default_rng(w_seq)
        initializer = self.make_initializer()
        weights = []
        fan_in = self.n_features
        for _ in range(self.n_layers):
            weights.append(initializer(fan_in, self.width, w_rng, dtype=dtype))
            fan_in = self.width
        readout = np.random.default_rng(r_seq).standard_normal((self.n_samples, self.width))
        return x.astype(dtype, copy=False), weights, readout.astype(dtype, copy=False)

    def propagate(self, x, weights, readout, biases=None):
        """Forward then backward through the layers; returns per-layer
        ``(pre, out, grad_out, weight_grad)`` lists. The loss is ``Σ readout ⊙ out_L``."""
        pres, outs, grads, weight_grads = forward_backward(
            self.make_activation(), weights, x, readout, biases, batchnorm=self.batchnorm)
        return pres, outs, grads[1:], weight_grads

    def run(self) -> ExperimentResult:
        x, weights, readout = self.draw()
        biases = [np.zeros(self.width, dtype=x.dtype) for _ in weights] if self.bias else None
        pres, outs, grads, weight_grads = self.propagate(x, weights, readout, biases)
        kind = self.activation_name
        if self.hist_range is not None:
            act_range = tuple(float(v) for v in self.hist_range)
        elif kind in _BOUNDED:
            act_range = _BOUNDED[kind]
        else:
            act_range = _data_range(outs, symmetric=False)
        grad_range = _data_range(grads, symmetric=True)
        wgrad_range = _data_range(weight_grads, symmetric=True)
        layers = []
        edges = grad_edges = wgrad_edges = None
        act = self.make_activation()
        inputs = [x, *outs[:-1]]
        for i, (w, z, a, g, dw) in enumerate(zip(weights, pres, outs, grads, weight_grads)):
            counts, edges = stats.histogram(a, self.bins, act_range)
            grad_counts, grad_edges = stats.histogram(g, self.bins, grad_range)
            wgrad_counts, wgrad_edges = stats.histogram(dw, self.bins, wgrad_range)
            abs_g, abs_dw = np.abs(g), np.abs(dw)
            layers.append(LayerResult(
                index=i + 1, weight=w, pre=z, out=a, grad=g, weight_grad=dw,
                counts=counts, grad_counts=grad_counts, weight_grad_counts=wgrad_counts,
                summary=stats.summary(a, kind),
                dead_units=stats.dead_unit_share(z) if kind in CAN_DIE else 0.0,
                grad_mean_abs=float(abs_g.mean()), grad_std=float(g.std()),
                weight_grad_mean_abs=float(abs_dw.mean()), weight_grad_std=float(dw.std()),
                share_flat=_share_flat(act, z), in_std=float(inputs[i].std()), pre_std=float(z.std()),
            ))
        return ExperimentResult(self, x, tuple(layers), edges, grad_edges, wgrad_edges)


def forward_backward(act, weights, x, readout, biases=None, batchnorm: bool = False):
    """The one forward and backward pass of the depth experiments (this one and ``probes``).

    Layer l computes z_l = h_{l-1} W_l (+ b_l), optionally batch-normalizes it (γ = 1, β = 0,
    PyTorch's ε), and h_l = f(z_l); the loss is L = Σ readout ⊙ h_L. Returns
    ``(pre, outs, grads, weight_grads)``: ``pre[l-1]`` = z_l (after batch norm), ``outs[l-1]`` =
    h_l, ``grads[l]`` = ∂L/∂h_l for l = 0 … L (``grads[0]`` is the gradient at the input) and
    ``weight_grads[l-1]`` = ∂L/∂W_l. Overflow in a too-deep saturating stack gives inf/nan
    values (shown as such), not warnings.
    """
    biases = [None] * len(weights) if biases is None else biases
    inputs, pres, outs, norms = [], [], [], []
    h = x
    with np.errstate(over="ignore", invalid="ignore"):
        for w, b in zip(weights, biases):
            inputs.append(h)
            z = h @ w
            if b is not None:
                z += b
            if batchnorm:  # one layer each (they own buffers)
                norms.append(layers.BatchNorm(z.shape[1], dtype=z.dtype))
                z = norms[-1].forward(z, train=True)
            pres.append(z)
            h = act.forward(z)
            outs.append(h)
        grads, weight_grads = [None] * (len(weights) + 1), [None] * len(weights)
        g = readout
        for i in reversed(range(len(weights))):
            grads[i + 1] = g
            dz = act.backward(pres[i], outs[i], g)
            if batchnorm:
                dz = norms[i].backward(dz)
            weight_grads[i] = inputs[i].T @ dz
            g = dz @ weights[i].T
        grads[0] = g
    return pres, outs, grads, weight_grads


def _share_flat(act, z) -> float:
    """Share of the entries of ``z`` where |f′(z)| < ``FLAT_SLOPE`` (non-finite ones count as flat)."""
    with np.errstate(over="ignore", invalid="ignore"):
        slope = np.abs(act.derivative(z))
    return float(np.count_nonzero(~(slope >= FLAT_SLOPE))) / slope.size


def _data_range(arrays, symmetric: bool) -> tuple[float, float]:
    """Finite min…max over all arrays (±max|·| if ``symmetric``), never empty."""
    lo, hi = math.inf, -math.inf
    for a in arrays:
        finite = a if np.isfinite(a).all() else a[np.isfinite(a)]
        if finite.size:
            lo, hi = min(lo, float(finite.min())), max(hi, float(finite.max()))
    if lo > hi:  # nothing finite at all
        return (-1.0, 1.0) if symmetric else (0.0, 1.0)
    if symmetric:
        m = max(abs(lo), abs(hi))
        return (-m, m) if m > 0 else (-1.0, 1.0)
    if lo == hi:
        return (lo - 0.5, hi + 0.5)
    return (lo, hi)
