"""Layers with hand-written backpropagation (DLFS ch. 5–6): affine, activation, PReLU, batch
norm, dropout and the softmax-with-cross-entropy loss.

Every layer has ``forward(x, train=True)``, ``backward(dout) -> dx`` and ``params``/``grads``
dicts of arrays; ``backward`` *overwrites* the arrays in ``grads`` (it never reallocates them),
so an optimizer can hold on to them like PyTorch's ``.grad``.

Speed: a training step must not lose to PyTorch, so layers never allocate in the hot path.
Each layer writes its outputs into its own buffers, reallocated only when the batch shape
changes. **Arrays returned by ``forward``/``backward`` belong to the layer and are overwritten
by its next call** — copy them to keep them. Layers never modify the arrays they are given.
float32 stays float32 throughout: scalars are Python floats (NumPy ≥ 2 keeps the array's
dtype) and masks are applied as float buffers or ufunc arguments, never via up-casting.
"""

from __future__ import annotations

import math

import numpy as np

from engine import activations as _activations
from engine import blas_warmup, validate

FLOAT_DTYPES = (np.float32, np.float64)


def float_dtype(dtype) -> np.dtype:
    """``dtype`` as a NumPy float32/float64 dtype, or ``ValueError``."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dt not in FLOAT_DTYPES:
        raise ValueError(f"dtype must be float32 or float64, got {dt}")
    return dt


def _check_2d(x, width: int, who: str) -> None:
    if x.ndim != 2 or x.shape[1] != width:
        raise ValueError(f"{who} expects input of shape (batch, {width}), got {x.shape}")


class Layer:
    """Base class: parameter/gradient dicts plus per-shape output buffers."""

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._buffers: dict[str, np.ndarray] = {}

    def buffer(self, name: str, shape, dtype) -> np.ndarray:
        """A reusable array ``name``; reallocated only when shape or dtype changes."""
        b = self._buffers.get(name)
        if b is None or b.shape != shape or b.dtype != dtype:
            b = self._buffers[name] = np.empty(shape, dtype)
        return b

    def ones(self, n: int, dtype) -> np.ndarray:
        """A cached vector of ones: ``ones @ a`` sums rows with BLAS, ~3× faster than sum(axis=0)."""
        b = self._buffers.get("ones")
        if b is None or b.shape != (n,) or b.dtype != dtype:
            b = self._buffers["ones"] = np.ones(n, dtype)
        return b

    def forward(self, x, train: bool = True):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k}{tuple(v.shape)}" for k, v in self.params.items())
        return f"{type(self).__name__}({shapes})"


class Dense(Layer):
    """Affine map ``x @ W + b`` with ``W`` of shape (fan_in, fan_out).

    ``input_grad = False`` skips computing dx (the network sets it on its first layer: nobody
    needs the gradient w.r.t. the data, and that matmul is the largest of the backward pass).
    """

    def __init__(self, W, b, input_grad: bool = True):
        super().__init__()
        W = np.asarray(W)
        if W.ndim != 2 or W.dtype not in FLOAT_DTYPES:
            raise ValueError(f"Dense W must be a 2-D float32/float64 array, got shape {W.shape} {W.dtype}")
        W = np.ascontiguousarray(W)
        b = np.ascontiguousarray(b, dtype=W.dtype)
        if b.shape != (W.shape[1],):
            raise ValueError(f"Dense b must have shape ({W.shape[1]},), got {b.shape}")
        self.params = {"W": W, "b": b}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros_like(b)}
        self.input_grad = bool(input_grad)
        self.x: np.ndarray | None = None
        blas_warmup.ensure_warm()  # before this process's first GEMM; see engine/blas_warmup.py

    @property
    def fan_in(self) -> int:
        return self.params["W"].shape[0]

    @property
    def fan_out(self) -> int:
        return self.params["W"].shape[1]

    def forward(self, x, train: bool = True):
        W = self.params["W"]
        x = np.asarray(x, dtype=W.dtype)
        _check_2d(x, W.shape[0], "Dense")
        out = self.buffer("out", (x.shape[0], W.shape[1]), W.dtype)
        np.matmul(x, W, out=out)
        out += self.params["b"]
        self.x = x
        return out

    def backward(self, dout):
        """Fills grads W = xᵀ·dout and b = Σ dout; returns dx = dout·Wᵀ (None if not input_grad)."""
        W, x = self.params["W"], self.x
        np.matmul(x.T, dout, out=self.grads["W"])
        np.matmul(self.ones(dout.shape[0], W.dtype), dout, out=self.grads["b"])
        if not self.input_grad:
            return None
        dx = self.buffer("dx", x.shape, W.dtype)
        np.matmul(dout, W.T, out=dx)
        return dx


# In-place kernels for the common activations: (forward(x, y), backward(x, y, dout, dx, layer)).
# They compute exactly what the activation's own forward/backward compute, without temporaries.
def _relu_forward(x, y):
    np.maximum(x, 0, out=y)


def _relu_backward(x, y, dout, dx, layer):
    mask = layer.buffer("mask", x.shape, np.bool_)
    np.greater(x, 0, out=mask)
    np.multiply(dout, mask, out=dx)


def _sigmoid_forward(x, y):
    np.multiply(x, 0.5, out=y)  # σ(x) = ½(1 + tanh(x/2)): one transcendental, never overflows
    np.tanh(y, out=y)
    y *= 0.5
    y += 0.5


def _sigmoid_backward(x, y, dout, dx, layer):
    np.subtract(1, y, out=dx)
    dx *= y
    dx *= dout


def _tanh_forward(x, y):
    np.tanh(x, out=y)


def _tanh_backward(x, y, dout, dx, layer):
    np.multiply(y, y, out=dx)
    np.subtract(1, dx, out=dx)
    dx *= dout


_INPLACE = {
    _activations.ReLU: (_relu_forward, _relu_backward),
    _activations.Sigmoid: (_sigmoid_forward, _sigmoid_backward),
    _activations.Tanh: (_tanh_forward, _tanh_backward),
}


class ActivationLayer(Layer):
    """An elementwise activation from ``engine.activations`` (an object, or a name + kwargs).

    The backward pass is the activation's ``backward(x, y, dout)``; ReLU, sigmoid and tanh use
    equivalent in-place kernels. ``x``, ``y``, ``dout`` and ``dx`` keep the last pre-activation,
    output, gradient into the output and gradient into the pre-activation (for histograms).
    """

    def __init__(self, activation, **activation_kwargs):
        super().__init__()
        if isinstance(activation, str):
            activation = _activations.get(activation, **activation_kwargs)
        elif activation_kwargs:
            raise ValueError("activation parameters go with an activation name, not an object")
        elif not isinstance(activation, _activations.Activation):
            raise ValueError(f"ActivationLayer needs an engine.activations object or name, got {activation!r}")
        if isinstance(activation, _activations.PReLU):
            raise ValueError("PReLU has a learned slope: use layers.PReLU, not ActivationLayer")
        self.activation = activation
        self._kernels = _INPLACE.get(type(activation))
        self.x = self.y = self.dout = self.dx = None

    def forward(self, x, train: bool = True):
        x = np.asarray(x)
        act = self.activation
        if type(act) is _activations.Identity:
            y = x  # layers never modify their inputs, so no copy is needed
        elif self._kernels is not None:
            y = self.buffer("out", x.shape, x.dtype)
            self._kernels[0](x, y)
        else:
            y = np.asarray(act.forward(x)).astype(x.dtype, copy=False)
        self.x, self.y = x, y
        return y

    def backward(self, dout):
        act, x, y = self.activation, self.x, self.y
        if type(act) is _activations.Identity:
            dx = dout
        elif self._kernels is not None:
            dx = self.buffer("dx", x.shape, x.dtype)
            self._kernels[1](x, y, dout, dx, self)
        else:
            dx = np.asarray(act.backward(x, y, dout)).astype(x.dtype, copy=False)
        self.dout, self.dx = dout, dx
        return dx

    def __repr__(self) -> str:
        return f"ActivationLayer({self.activation!r})"


class PReLU(Layer):
    """Leaky ReLU with one learned slope shared by all units (PyTorch's num_parameters=1).

    y = max(x, 0) + α·min(x, 0); ∂L/∂α = Σ dout·min(x, 0); ∂y/∂x = 1 if x > 0 else α.
    ``params["alpha"]`` has shape (1,) like ``torch.nn.PReLU().weight``.
    """

    def __init__(self, alpha: float = 0.25, dtype=np.float64):
        super().__init__()
        alpha = validate.number(alpha, "prelu alpha")
        dt = float_dtype(dtype)
        self.params = {"alpha": np.full(1, alpha, dt)}
        self.grads = {"alpha": np.zeros(1, dt)}
        self.x = self.y = self.dout = self.dx = None

    def forward(self, x, train: bool = True):
        alpha = self.params["alpha"]
        x = np.asarray(x, dtype=alpha.dtype)
        neg = self.buffer("neg", x.shape, x.dtype)
        y = self.buffer("out", x.shape, x.dtype)
        np.minimum(x, 0, out=neg)
        np.maximum(x, 0, out=y)
        scaled = self.buffer("tmp", x.shape, x.dtype)
        np.multiply(neg, alpha[0], out=scaled)
        y += scaled
        self.x, self.y = x, y
        return y

    def backward(self, dout):
        alpha, x = self.params["alpha"], self.x
        self.grads["alpha"][0] = np.vdot(dout, self._buffers["neg"])
        slope = self.buffer("tmp", x.shape, x.dtype)
        np.greater(x, 0, out=slope)  # 1.0 where x > 0, else 0.0
        a = float(alpha[0])
        slope *= 1.0 - a
        slope += a
        dx = self.buffer("dx", x.shape, x.dtype)
        np.multiply(dout, slope, out=dx)
        self.dout, self.dx = dout, dx
        return dx


class BatchNorm(Layer):
    """Batch normalization over the batch axis with PyTorch's ``BatchNorm1d`` semantics.

    Training: normalize with the batch mean and *biased* variance, and update
    running = (1 − momentum)·running + momentum·stat using the *unbiased* variance.
    Evaluation: normalize with the running statistics. ``params``: gamma (scale), beta (shift).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, dtype=np.float64):
        super().__init__()
        validate.integer(num_features, "BatchNorm num_features")
        self.eps = validate.number(eps, "BatchNorm eps", positive=True)
        self.momentum = validate.number(momentum, "BatchNorm momentum", 0.0, 1.0)
        n, dt = int(num_features), float_dtype(dtype)
        self.num_features = n
        self.params = {"gamma": np.ones(n, dt), "beta": np.zeros(n, dt)}
        self.grads = {"gamma": np.zeros(n, dt), "beta": np.zeros(n, dt)}
        self.running_mean = np.zeros(n, dt)
        self.running_var = np.ones(n, dt)
        self.inv_std: np.ndarray | None = None
        self.xhat: np.ndarray | None = None

    def forward(self, x, train: bool = True):
        gamma = self.params["gamma"]
        dt = gamma.dtype
        x = np.asarray(x, dtype=dt)
        _check_2d(x, self.num_features, "BatchNorm")
        n = x.shape[0]
        xhat = self.buffer("xhat", x.shape, dt)
        if train:
            if n < 2:
                raise ValueError(f"BatchNorm needs more than 1 sample per batch in training, got {n}")
            ones = self.ones(n, dt)
            mean = ones @ x
            mean *= 1.0 / n
            np.subtract(x, mean, out=xhat)
            sq = self.buffer("tmp", x.shape, dt)
            np.multiply(xhat, xhat, out=sq)
            var = ones @ sq
            var *= 1.0 / n
            m = self.momentum
            self.running_mean *= 1.0 - m
            self.running_mean += m * mean
            self.running_var *= 1.0 - m
            self.running_var += (m * n / (n - 1)) * var
        else:
            np.subtract(x, self.running_mean, out=xhat)
            var = self.running_var
        inv_std = np.sqrt(var + self.eps)
        np.divide(1, inv_std, out=inv_std)
        xhat *= inv_std
        out = self.buffer("out", x.shape, dt)
        np.multiply(xhat, gamma, out=out)
        out += self.params["beta"]
        self.inv_std, self.xhat, self.training = inv_std, xhat, bool(train)
        return out

    def backward(self, dout):
        """dx = γ/σ·(dout − mean(dout) − x̂·mean(dout·x̂)) in training; γ/σ·dout in eval."""
        xhat, dt = self.xhat, self.xhat.dtype
        n = dout.shape[0]
        ones = self.ones(n, dt)
        gg, gb = self.grads["gamma"], self.grads["beta"]
        tmp = self.buffer("tmp", xhat.shape, dt)
        np.multiply(dout, xhat, out=tmp)
        np.matmul(ones, tmp, out=gg)
        np.matmul(ones, dout, out=gb)
        dx = self.buffer("dx", xhat.shape, dt)
        scale = self.params["gamma"] * self.inv_std
        if self.training:
            np.multiply(xhat, gg * (1.0 / n), out=dx)
            np.subtract(dout, dx, out=dx)
            dx -= gb * (1.0 / n)
            dx *= scale
        else:
            np.multiply(dout, scale, out=dx)
        return dx


class Dropout(Layer):
    """Inverted dropout: in training keep each unit with probability 1 − ratio and scale it by
    1/(1 − ratio), so evaluation is the identity and needs no rescaling (unlike DLFS's version).
    """

    def __init__(self, ratio: float, rng=None):
        super().__init__()
        ratio = validate.number(ratio, "dropout ratio", 0.0)
        if ratio >= 1.0:
            raise ValueError(f"dropout ratio must be in [0, 1), got {ratio!r}")
        self.ratio = ratio
        self.rng = np.random.default_rng(rng)
        self.mask: np.ndarray | None = None  # 0 or 1/(1 − ratio) per unit; None = identity

    def forward(self, x, train: bool = True):
        x = np.asarray(x)
        if x.dtype not in FLOAT_DTYPES:
            x = x.astype(np.float64)
        if not train or self.ratio == 0.0:
            self.mask = None
            return x
        mask = self.buffer("mask", x.shape, x.dtype)
        self.rng.random(dtype=x.dtype, out=mask)
        np.greater_equal(mask, self.ratio, out=mask)  # 1.0 = kept
        mask *= 1.0 / (1.0 - self.ratio)
        out = self.buffer("out", x.shape, x.dtype)
        np.multiply(x, mask, out=out)
        self.mask = mask
        return out

    def backward(self, dout):
        if self.mask is None:
            return dout
        dx = self.buffer("dx", dout.shape, self.mask.dtype)
        np.multiply(dout, self.mask, out=dx)
        return dx


class SoftmaxCrossEntropy(Layer):
    """Softmax and mean cross-entropy fused: stable for logits like ±1000 and the gradient is
    simply (p − onehot)/N. ``forward(logits, labels)`` takes int class indices."""

    def __init__(self):
        super().__init__()
        self.probs: np.ndarray | None = None
        self.labels: np.ndarray | None = None

    @staticmethod
    def check_labels(labels, n: int, n_classes: int) -> np.ndarray:
        """``labels`` as an int array of shape (n,) with values in [0, n_classes), or ValueError."""
        labels = np.asarray(labels)
        if labels.shape != (n,) or not (np.issubdtype(labels.dtype, np.integer) or labels.size == 0):
            raise ValueError(f"labels must be {n} integer class indices, got shape {labels.shape} {labels.dtype}")
        if n and (labels.min() < 0 or labels.max() >= n_classes):
            raise ValueError(f"labels must be in [0, {n_classes}), got values in "
                             f"[{labels.min()}, {labels.max()}]")
        return labels

    def forward(self, logits, labels, train: bool = True) -> float:
        z = np.asarray(logits)
        if z.ndim != 2 or z.dtype not in FLOAT_DTYPES or z.shape[0] == 0:
            raise ValueError(f"logits must be a non-empty float (batch, classes) array, got {z.shape} {z.dtype}")
        n, c = z.shape
        labels = self.check_labels(labels, n, c)
        rows = self._buffers.get("rows")
        if rows is None or rows.shape[0] != n:
            rows = self._buffers["rows"] = np.arange(n)
        zmax = np.max(z, axis=1, keepdims=True)
        p = self.buffer("probs", z.shape, z.dtype)
        np.subtract(z, zmax, out=p)
        picked = p[rows, labels]  # z_label − max: the log-numerator
        np.exp(p, out=p)
        total = np.sum(p, axis=1, keepdims=True)
        p /= total
        self.probs, self.labels = p, labels
        # −log p_label = log Σ e^(z − max) − (z_label − max); both terms are finite for any logits
        return float(np.mean(np.log(total[:, 0]) - picked))

    def backward(self, dout: float = 1.0):
        """d(mean loss · dout)/dlogits = dout·(p − onehot)/N."""
        p, labels = self.probs, self.labels
        n = p.shape[0]
        scale = float(dout) / n
        dz = self.buffer("dx", p.shape, p.dtype)
        np.multiply(p, scale, out=dz)
        dz[self._buffers["rows"], labels] -= scale
        return dz
