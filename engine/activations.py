"""Activation functions of the lecture (part 1), each with its derivative.

``get(name, **params)`` returns an object with elementwise, vectorized ``forward(x)`` and
``derivative(x)``. Conventions at kinks follow PyTorch's autograd: ReLU'(0) = 0,
LeakyReLU'(0) = PReLU'(0) = alpha, ELU'(0) = alpha (PyTorch takes the x <= 0 branch), and the
step function's derivative is 0 everywhere (undefined at 0, which is why it cannot be trained).

``backward(x, y, dout)`` is what layers call: it may use the cached output ``y`` to avoid
recomputing (sigmoid' = y(1-y), tanh' = 1-y²), which is both faster and the textbook form.
"""

from __future__ import annotations

import math

import numpy as np

from engine import validate
from engine.registry import Registry

REGISTRY: Registry = Registry("activation")




class Activation:
    """Base class: subclasses define ``forward`` and ``derivative`` elementwise."""

    name = ""
    display_name = ""
    formula = ""
    derivative_formula = ""
    elementwise = True
    learned = False  # True: a parameter of it is learned in training (PReLU's slope)
    #: GradLab's default for the parameter α of the activations that have one (None: no α). It
    #: is what the settings of Training, Compare and Landscape start from, and may differ from
    #: the class's own default (PyTorch's): Leaky ReLU uses the lecture's 0.1, not 0.01.
    alpha_default: float | None = None

    def __init__(self):
        self.params: dict[str, float] = {}

    def forward(self, x):
        raise NotImplementedError

    def derivative(self, x):
        raise NotImplementedError

    def backward(self, x, y, dout):
        """dL/dx given the input ``x``, the output ``y = forward(x)`` and ``dout = dL/dy``."""
        return dout * self.derivative(x)

    def __call__(self, x):
        return self.forward(x)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"


def _register(cls):
    REGISTRY.register(
        cls.name,
        cls.display_name,
        cls.formula,
        derivative_formula=cls.derivative_formula,
        elementwise=cls.elementwise,
        learned=cls.learned,
        alpha_default=cls.alpha_default,
    )(cls)
    return cls


@_register
class Identity(Activation):
    """Linear f(x) = x: stacking layers collapses to one linear map (f∘f∘f = a³x for f = ax)."""

    name, display_name = "identity", "Linear (identity)"
    formula, derivative_formula = "f(x) = x", "f'(x) = 1"

    def forward(self, x):
        return np.asarray(x) + 0  # a copy, never the caller's array

    def derivative(self, x):
        return np.ones_like(np.asarray(x, dtype=float))

    def backward(self, x, y, dout):
        return dout


@_register
class Step(Activation):
    """Heaviside step: the perceptron's activation, derivative 0 so nothing can be learned."""

    name, display_name = "step", "Step"
    formula, derivative_formula = "f(x) = 1 if x > 0 else 0", "f'(x) = 0 (undefined at 0)"

    def forward(self, x):
        x = np.asarray(x)
        return (x > 0).astype(np.result_type(x.dtype, np.float32))

    def derivative(self, x):
        return np.zeros_like(np.asarray(x, dtype=float))

    def backward(self, x, y, dout):
        return np.zeros_like(dout)


@_register
class Sigmoid(Activation):
    """σ(x) = 1/(1+e^-x); σ' = σ(1-σ) ≤ 0.25, the root of gradient vanishing."""

    name, display_name = "sigmoid", "Sigmoid"
    formula, derivative_formula = "σ(x) = 1 / (1 + e^(−x))", "σ'(x) = σ(x)(1 − σ(x))"

    def forward(self, x):
        # 0.5·(1 + tanh(x/2)) is σ exactly, never overflows, and is one ufunc pass.
        x = np.asarray(x)
        return 0.5 + 0.5 * np.tanh(0.5 * x)

    def derivative(self, x):
        s = self.forward(x)
        return s * (1.0 - s)

    def backward(self, x, y, dout):
        return dout * y * (1.0 - y)


@_register
class Tanh(Activation):
    """tanh: zero-centred sigmoid in (−1, 1); tanh' = 1 − tanh² ≤ 1, still vanishes when deep."""

    name, display_name = "tanh", "Tanh"
    formula, derivative_formula = "tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)", "tanh'(x) = 1 − tanh²(x)"

    def forward(self, x):
        return np.tanh(x)

    def derivative(self, x):
        t = np.tanh(x)
        return 1.0 - t * t

    def backward(self, x, y, dout):
        return dout * (1.0 - y * y)


@_register
class ReLU(Activation):
    """max(0, x): gradient 1 for x > 0 (no vanishing), 0 for x ≤ 0 (dying ReLU)."""

    name, display_name = "relu", "ReLU"
    formula, derivative_formula = "f(x) = max(0, x)", "f'(x) = 1 if x > 0 else 0"

    def forward(self, x):
        return np.maximum(x, 0)

    def derivative(self, x):
        x = np.asarray(x)
        return (x > 0).astype(np.result_type(x.dtype, np.float32))

    def backward(self, x, y, dout):
        return dout * (x > 0)


@_register
class LeakyReLU(Activation):
    """max(αx, x) with a small fixed slope α (default 0.01 as in PyTorch; the lecture uses 0.1)."""

    name, display_name = "leaky_relu", "Leaky ReLU"
    alpha_default = 0.1  # the lecture's slope; the constructor keeps PyTorch's 0.01
    formula, derivative_formula = "f(x) = x if x > 0 else αx", "f'(x) = 1 if x > 0 else α"

    def __init__(self, alpha: float = 0.01):
        super().__init__()
        self.params["alpha"] = validate.number(alpha, "leaky_relu alpha")

    @property
    def alpha(self) -> float:
        return self.params["alpha"]

    def forward(self, x):
        x = np.asarray(x)
        return np.where(x > 0, x, self.alpha * x)

    def derivative(self, x):
        x = np.asarray(x)
        return np.where(x > 0, 1.0, self.alpha).astype(np.result_type(x.dtype, np.float32))

    def backward(self, x, y, dout):
        return np.where(x > 0, dout, self.alpha * dout)


@_register
class PReLU(LeakyReLU):
    """Leaky ReLU whose slope α is learned (default 0.25, as PyTorch); layers.PReLU learns it.

    ``alpha_gradient(x, dout)`` is ∂L/∂α = Σ dout·min(x, 0)·[x ≤ 0], summed over all elements.
    """

    name, display_name = "prelu", "PReLU"
    learned = True
    alpha_default = 0.25  # the slope it starts from (PyTorch's), then learned
    formula, derivative_formula = "f(x) = x if x > 0 else a·x  (a learned)", "f'(x) = 1 if x > 0 else a;  ∂f/∂a = min(x, 0)"

    def __init__(self, alpha: float = 0.25):
        super().__init__(alpha)

    def alpha_gradient(self, x, dout):
        return np.sum(dout * np.minimum(x, 0))


@_register
class ELU(Activation):
    """x for x > 0, α(eˣ − 1) otherwise: smooth, negative outputs push the mean toward 0."""

    name, display_name = "elu", "ELU"
    alpha_default = 1.0
    formula, derivative_formula = "f(x) = x if x > 0 else α(eˣ − 1)", "f'(x) = 1 if x > 0 else αeˣ"

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.params["alpha"] = validate.number(alpha, "elu alpha", positive=True)

    @property
    def alpha(self) -> float:
        return self.params["alpha"]

    def forward(self, x):
        x = np.asarray(x)
        return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0)))

    def derivative(self, x):
        x = np.asarray(x)
        return np.where(x > 0, 1.0, self.alpha * np.exp(np.minimum(x, 0)))

    def backward(self, x, y, dout):
        # for x ≤ 0: f' = αeˣ = y + α
        return np.where(x > 0, dout, dout * (y + self.alpha))


@_register
class Softmax(Activation):
    """p_j = e^{z_j} / Σ_k e^{z_k} along the last axis; stable for logits like ±1000.

    Not elementwise, so ``derivative`` is not defined; ``jacobian(z)`` gives ∂p_i/∂z_j =
    p_i(δ_ij − p_j) and ``backward`` the vector-Jacobian product used by backprop.
    """

    name, display_name = "softmax", "Softmax"
    formula = "p_j = e^(z_j) / Σ_k e^(z_k)"
    derivative_formula = "∂p_i/∂z_j = p_i(δ_ij − p_j)"
    elementwise = False

    def forward(self, x):
        z = np.asarray(x, dtype=np.result_type(np.asarray(x).dtype, np.float32))
        shifted = z - np.max(z, axis=-1, keepdims=True)
        e = np.exp(shifted)
        return e / np.sum(e, axis=-1, keepdims=True)

    def derivative(self, x):
        raise ValueError("softmax is not elementwise: use jacobian(z) or backward(z, p, dout)")

    def jacobian(self, x):
        p = self.forward(x)
        return p[..., :, None] * (np.eye(p.shape[-1]) - p[..., None, :])

    def backward(self, x, y, dout):
        return y * (dout - np.sum(dout * y, axis=-1, keepdims=True))


def get(name: str, **params) -> Activation:
    """The activation ``name`` (see ``names()``), built with its parameters (e.g. ``alpha``)."""
    return REGISTRY.get(name, **params)


def names() -> list[str]:
    return REGISTRY.names()


def entries():
    return REGISTRY.entries()


#: What a settings field ``activation_alpha`` means (Training, Compare, Landscape, RunSettings).
ALPHA_DOC = ("α of Leaky ReLU / PReLU (starting slope) / ELU; None = GradLab's default for the "
             "activation: the lecture's 0.1 for Leaky ReLU (PyTorch: 0.01), 0.25 for PReLU, 1 for ELU")


def alpha_default(name: str) -> float | None:
    """GradLab's default α of activation ``name``, or None when it has no parameter α."""
    return REGISTRY.entry(name).extra.get("alpha_default")


def alpha_kwargs(name: str, alpha: float | None) -> dict:
    """The constructor arguments for ``name`` with slope/scale ``alpha`` (None: GradLab's default);
    {} for an activation without α, so callers can pass any activation through."""
    default = alpha_default(name)
    if default is None:
        return {}
    return {"alpha": float(default if alpha is None else alpha)}


def elementwise_names(learned: bool = True) -> list[str]:
    """Names of the elementwise activations (softmax normalizes across units: not one of them).

    ``learned=False`` leaves out those with a learned parameter (PReLU's slope), for places
    that have no parameter to learn it with. The one list every panel and experiment offers.
    """
    return [e.name for e in REGISTRY.entries()
            if e.extra.get("elementwise", True) and (learned or not e.extra.get("learned", False))]
