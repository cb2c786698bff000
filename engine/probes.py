"""Small experiments behind the Activation panel: depth, dying units and linear stacking.

``depth_probe`` sends a random batch through ``depth`` bias-shifted affine layers of one
activation and backpropagates a fixed random read-out gradient: the Initialization panel's
experiment (``engine.init_experiment``: same draws, same forward and backward pass) with square
layers and a bias shift. It reports, per layer, the RMS
of the gradient that reaches that layer's input (relative to the one at the output, so 1 means
"nothing lost"), the share of (sample, unit) pairs whose activation derivative is exactly 0 and
the share of *dead* units (derivative 0 for every sample of the batch). The weights, inputs and
read-out depend only on ``seed``, never on the activation: curves of different activations
differ in the activation alone.

``linear_stack`` applies the layer h ↦ f(a·h) ``depth`` times: for the identity the result is
exactly aᵈ·x, the lecture's argument that stacking linear layers adds nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine import activations, init_experiment
from engine.init_experiment import ActivationExperiment


@dataclass(frozen=True)
class DepthProbe:
    """Result of :func:`depth_probe`; arrays are indexed by layer.

    ``grad_rms[l]`` (l = 0 … depth) is RMS(∂L/∂h_l) / RMS(∂L/∂h_depth), where h_0 is the input
    and h_l the output of layer l. ``zero_grad_share[l-1]`` and ``dead_share[l-1]`` describe
    layer l (l = 1 … depth).
    """

    activation: str
    grad_rms: np.ndarray
    zero_grad_share: np.ndarray
    dead_share: np.ndarray

    @property
    def depth(self) -> int:
        return len(self.dead_share)


def _check_int(value, what: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ValueError(f"{what} must be an integer in [{lo}, {hi}], got {value!r}")
    return int(value)


def _check_float(value, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return v


def depth_probe(
    activation: str,
    depth: int = 10,
    width: int = 64,
    batch: int = 256,
    initializer: str = "xavier",
    bias: float = 0.0,
    seed: int = 0,
    **params,
) -> DepthProbe:
    """Gradient magnitude and zero-gradient shares through ``depth`` layers (see module doc).

    ``params`` go to the activation (e.g. ``alpha``); ``bias`` is added to every pre-activation,
    which is how a too-large update kills ReLU units (a negative bias shift).
    """
    act = activations.get(activation, **params)
    if not act.elementwise:
        raise ValueError(f"depth_probe needs an elementwise activation, got {activation!r}")
    depth = _check_int(depth, "depth", 1, 500)
    width = _check_int(width, "width", 1, 4096)
    batch = _check_int(batch, "batch", 1, 100_000)
    bias = _check_float(bias, "bias")
    experiment = ActivationExperiment(
        n_samples=batch, n_features=width, n_layers=depth, width=width, activation=activation,
        activation_kwargs=params, init=initializer, init_kwargs={}, seed=seed,
    )
    x, weights, readout = experiment.draw()
    pre, grads = forward_backward(act, weights, x, readout, bias)
    rms = np.array([_rms(g) for g in grads])
    with np.errstate(invalid="ignore"):
        derivs = [act.derivative(z) == 0 for z in pre]
    zero_share = np.array([z.mean() for z in derivs])
    dead = np.array([z.all(axis=0).mean() for z in derivs])
    return DepthProbe(act.name, rms / rms[-1], zero_share, dead)


def forward_backward(act, weights, x, readout, bias: float = 0.0):
    """Pre-activations z_l and gradients ∂L/∂h_l (l = 0 … depth) for L = Σ readout ⊙ h_depth.

    Layer l computes z_l = h_{l-1} W_l + bias, h_l = f(z_l) (``init_experiment.forward_backward``
    with the same bias for every unit). Returns ``(pre, grads)`` where ``pre[l-1]`` = z_l and
    ``grads[l]`` = ∂L/∂h_l (``grads[0]`` is the gradient at the input).
    """
    x = np.asarray(x, dtype=float)
    biases = [np.full(w.shape[1], bias) for w in weights] if bias else None
    pre, _outs, grads, _weight_grads = init_experiment.forward_backward(
        act, weights, x, np.asarray(readout, dtype=float), biases)
    return pre, grads


def _rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(a))))


def linear_stack(x, depth: int = 3, slope: float = 1.0, activation: str = "identity", **params) -> list[np.ndarray]:
    """Outputs after 1 … ``depth`` layers h ↦ f(slope·h), starting from h = x.

    For ``identity`` the k-th output equals slopeᵏ·x: a stack of linear layers is one linear layer.
    """
    act = activations.get(activation, **params)
    depth = _check_int(depth, "depth", 1, 100)
    slope = _check_float(slope, "slope")
    h = np.asarray(x, dtype=float)
    outs = []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(depth):
            h = act.forward(slope * h)
            outs.append(h)
    return outs


def curves(x, activation: str, **params) -> tuple[np.ndarray, np.ndarray]:
    """(f(x), f'(x)) of an elementwise activation, as float arrays for plotting."""
    act = activations.get(activation, **params)
    if not act.elementwise:
        raise ValueError(f"{activation!r} is not elementwise; it has no f'(x) curve")
    x = np.asarray(x, dtype=float)
    return np.asarray(act.forward(x), dtype=float), np.asarray(act.derivative(x), dtype=float)
