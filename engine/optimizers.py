"""Optimizers of the lecture (part 2), each equal to PyTorch's ``torch.optim`` step for step.

``get(name, **hyper)`` returns an object whose ``step(params, grads)`` updates NumPy arrays in
place. Every rule mirrors the order of PyTorch's float operations (its single-tensor CPU path), so
float64 trajectories agree with ``torch.optim`` to ~1e-14 relative; the only difference left is
that PyTorch's kernels fuse some multiply-adds (one rounding instead of two).

Where the lecture writes a rule differently, each class docstring says how the two map onto each
other. The main one: the slides put ε *inside* the square root (√(G + ε)); PyTorch, and so GradLab,
add it outside (√G + ε). ``Entry.formula`` is the lecture's form and
``Entry.extra["torch_formula"]`` the rule the code runs.

The hot path allocates nothing: every parameter gets a ``delta`` buffer (the update actually
added, which ``state_snapshot`` reports as "step") and, when needed, one scratch buffer. Display
values (velocity, effective learning rate, bias-corrected moments) are derived from the stored
state only when ``state_snapshot`` asks for them.
"""

from __future__ import annotations

import math

import numpy as np

from engine.registry import Registry

REGISTRY: Registry = Registry("optimizer")

# what each hyperparameter may be: (test, the allowed values in words)
_RULES = {
    "lr": (lambda v: v > 0, "a finite number > 0"),
    "momentum": (lambda v: 0 <= v < 1, "a number in [0, 1)"),
    "decay_rate": (lambda v: 0 <= v < 1, "a number in [0, 1)"),
    "beta1": (lambda v: 0 <= v < 1, "a number in [0, 1)"),
    "beta2": (lambda v: 0 <= v < 1, "a number in [0, 1)"),
    "eps": (lambda v: v >= 0, "a finite number ≥ 0"),
}


def _check_hyper(opt_name: str, key: str, value) -> float:
    test, allowed = _RULES[key]
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if isinstance(value, bool) or not math.isfinite(v) or not test(v):
        raise ValueError(f"{opt_name} {key} must be {allowed}, got {value!r}")
    return v


class Optimizer:
    """Base class: per-parameter state created lazily on the first ``step``.

    Subclasses set the class attributes and implement ``_update(p, g, s, h)`` (in place, on one
    parameter, its gradient, its state dict and the hyperparameters) and optionally
    ``_new_state``, ``_effective_lr`` and ``_snapshot_extra``.
    ``hyper`` is read at every step, so a panel may change it between steps (prefer
    ``set_hyper``, which validates).
    """

    name = ""
    display_name = ""
    formula = ""
    torch_formula = ""
    defaults: dict[str, float] = {}
    state_keys: tuple[str, ...] = ()
    needs_scratch = False

    def __init__(self, **hyper):
        self.hyper: dict[str, float] = {}
        self.set_hyper(**{**self.defaults, **hyper})
        self.schedule = None
        self.schedule_every = 1
        self.reset()

    def set_schedule(self, schedule, every: int = 1) -> None:
        """Use ``schedule.lr_at(t)`` (an ``engine.schedules`` object, or None for ``hyper["lr"]``)
        as the rate of update number ``step_count`` with t = ⌊step_count / every⌋.

        ``every=1`` is PyTorch's ``scheduler.step()`` after each ``optimizer.step()``; a Trainer
        passes its steps per epoch for a per-epoch schedule. The schedule carries its own base
        rate (``schedule.lr``), so ``hyper["lr"]`` is not used while one is set.
        """
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"schedule every must be an integer ≥ 1, got {every!r}")
        if schedule is not None and not callable(getattr(schedule, "lr_at", None)):
            raise ValueError(f"schedule must have lr_at(t), got {type(schedule).__name__}")
        self.schedule, self.schedule_every = schedule, int(every)

    def lr_for_update(self, index: int) -> float:
        """The rate update ``index`` (0-based) uses: the schedule's, else ``hyper["lr"]``."""
        if self.schedule is None:
            return self.hyper["lr"]
        return float(self.schedule.lr_at(index // self.schedule_every))

    def lr_for_updates(self, indices) -> np.ndarray:
        """``lr_for_update`` for an integer array of update indices, vectorized (for plots)."""
        idx = np.asarray(indices, dtype=np.int64)
        if self.schedule is None:
            return np.full(idx.shape, self.hyper["lr"])
        return np.asarray(self.schedule.lr_at(idx // self.schedule_every), dtype=np.float64)

    @property
    def current_lr(self) -> float:
        """The rate of the last update (before the first: of the first one)."""
        if self.step_count == 0:
            return self.lr_for_update(0)
        return self._last_hyper["lr"]

    def set_hyper(self, **hyper) -> None:
        """Change hyperparameters (validated); state is kept, so a run can continue."""
        unknown = sorted(set(hyper) - set(self.defaults))
        if unknown:
            allowed = ", ".join(f"{k}={v:g}" for k, v in self.defaults.items())
            raise ValueError(f"{self.name} has no hyperparameter {', '.join(unknown)}; allowed: {allowed}")
        checked = {k: _check_hyper(self.name, k, v) for k, v in hyper.items()}
        self.hyper = {**self.hyper, **checked}  # a new dict: the last step keeps the values it used

    def reset(self) -> None:
        """Forget all state (buffers, step count), as a fresh ``torch.optim`` optimizer."""
        self.step_count = 0
        self._state: list[dict] = []
        self._last_hyper = self.hyper

    # -- the update ---------------------------------------------------------------------------
    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update every array of ``params`` in place from the matching ``grads``."""
        if len(params) != len(grads):
            raise ValueError(f"got {len(params)} params but {len(grads)} grads")
        if not self._state:
            self._state = [self._init_state(p) for p in params]
        elif len(self._state) != len(params):
            raise ValueError(
                f"{self.name} was stepped with {len(self._state)} params before, now {len(params)}; "
                "call reset() to start over with other parameters"
            )
        h = self.hyper
        if self.schedule is not None:  # a new dict: hyper itself keeps the base rate
            h = {**h, "lr": self.lr_for_update(self.step_count)}
        self.step_count += 1
        for p, g, s in zip(params, grads, self._state):
            if g.shape != s["shape"] or p.shape != s["shape"]:
                raise ValueError(f"param/grad shapes {p.shape}/{g.shape} differ from {s['shape']}")
            self._update(p, g, s, h)
            s["grad"] = g  # a reference, not a copy: state_snapshot copies it when asked
        self._last_hyper = h

    def _init_state(self, p) -> dict:
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            raise ValueError(f"params must be floating-point NumPy arrays, got {type(p).__name__}")
        s = {"shape": p.shape, "delta": np.zeros_like(p), "grad": None}
        if self.needs_scratch:
            s["scratch"] = np.empty_like(p)
        s.update(self._new_state(p))
        return s

    def _new_state(self, p) -> dict:
        return {}

    def _update(self, p, g, s, h) -> None:
        raise NotImplementedError

    # -- display ------------------------------------------------------------------------------
    def _effective_lr(self, s, h):
        """Per-coordinate factor that multiplies the update direction (lr for the plain rules)."""
        return np.full(s["shape"], h["lr"], dtype=s["delta"].dtype)

    def _snapshot_extra(self, s, h) -> dict:
        return {}

    def state_snapshot(self, index: int = 0) -> dict:
        """Copies of param ``index``'s latest update, for display.

        Always "grad", "step" (the delta added to the parameter), "effective_lr" (the
        per-coordinate factor α_eff with step = −α_eff · direction) and "step_count"; plus the
        optimizer's ``state_keys``. Before the first step the array values are ``None``.
        """
        out = {"step_count": self.step_count}
        if not self._state:
            out.update({k: None for k in ("grad", "step", "effective_lr", *self.state_keys)})
            return out
        if not 0 <= index < len(self._state):
            raise ValueError(f"param index must be in 0..{len(self._state) - 1}, got {index}")
        s, h = self._state[index], self._last_hyper
        out["grad"] = np.array(s["grad"], copy=True)
        out["step"] = s["delta"].copy()
        out["effective_lr"] = self._effective_lr(s, h)
        out.update(self._snapshot_extra(s, h))
        return out

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in self.hyper.items())
        return f"{type(self).__name__}({args})"


def _register(cls):
    REGISTRY.register(
        cls.name,
        cls.display_name,
        cls.formula,
        description=(cls.__doc__ or "").strip().split("\n")[0],
        torch_formula=cls.torch_formula,
        defaults=dict(cls.defaults),
        state_keys=list(cls.state_keys),
    )(cls)
    return cls


@_register
class SGD(Optimizer):
    """Plain (stochastic) gradient descent: torch.optim.SGD(lr).

    Lecture: W(t+1) = W(t) − α·∂Cost/∂W, with α = lr; identical to PyTorch. Whether it is GD or
    SGD depends only on the gradient passed in (full batch or mini-batch).
    """

    name, display_name = "sgd", "SGD"
    formula = "W ← W − α·∂L/∂W"
    torch_formula = "W ← W − lr·g"
    defaults = {"lr": 0.01}

    def _update(self, p, g, s, h):
        d = s["delta"]
        np.multiply(g, -h["lr"], out=d)  # torch: param.add_(grad, alpha=-lr)
        p += d


class _HeavyBall(Optimizer):
    """Shared by Momentum and NAG: torch's buffer b ← m·b + g (b = g on the first step)."""

    defaults = {"lr": 0.01, "momentum": 0.9}
    state_keys = ("velocity",)

    def _momentum_buffer(self, g, s, m):
        buf = s.get("buf")
        if buf is None:  # torch clones the first gradient
            s["buf"] = buf = np.array(g, dtype=s["delta"].dtype, copy=True)
        else:
            buf *= m
            buf += g
        return buf

    def _snapshot_extra(self, s, h):
        return {"velocity": np.multiply(s["buf"], -h["lr"])}


@_register
class Momentum(_HeavyBall):
    """SGD with momentum: torch.optim.SGD(lr, momentum=m), dampening 0.

    Lecture: V ← m·V − α·∇L(W); W ← W + V. PyTorch keeps b = −V/lr instead:
    b ← m·b + g; W ← W − lr·b. Substituting V = −lr·b gives the lecture's rule exactly (for a
    constant lr), so "velocity" in the snapshot is −lr·b, in the lecture's sign.
    """

    name, display_name = "momentum", "Momentum"
    formula = "V ← m·V − α·∇L(W);  W ← W + V"
    torch_formula = "b ← m·b + g   (first step: b = g)\nW ← W − lr·b\nlecture: V = −lr·b"

    def _update(self, p, g, s, h):
        buf = self._momentum_buffer(g, s, h["momentum"])
        d = s["delta"]
        np.multiply(buf, -h["lr"], out=d)
        p += d


@_register
class NAG(_HeavyBall):
    """Nesterov accelerated gradient: torch.optim.SGD(lr, momentum=m, nesterov=True).

    Lecture (look-ahead form): V ← m·V − α·∇L(W + m·V); W ← W + V, which needs the gradient at a
    point other than W. PyTorch stores the look-ahead point itself, W̃ = W + m·V, so it needs only
    the gradient at the current parameters: b ← m·b + g; W̃ ← W̃ − lr·(g + m·b), with V = −lr·b.
    (From the lecture: W̃(t+1) = W̃ + m·V(t) − α·∇L(W̃).) The path drawn is the look-ahead point.
    """

    name, display_name = "nag", "NAG (Nesterov)"
    formula = "V ← m·V − α·∇L(W + m·V);  W ← W + V"
    torch_formula = (
        "b ← m·b + g   (first step: b = g)\nW ← W − lr·(g + m·b)\n"
        "W here is the look-ahead point W + m·V;  V = −lr·b"
    )

    def _update(self, p, g, s, h):
        m = h["momentum"]
        buf = self._momentum_buffer(g, s, m)
        d = s["delta"]
        np.multiply(buf, m, out=d)  # torch: grad = grad.add(buf, alpha=momentum)
        d += g
        d *= -h["lr"]
        p += d


class _Adaptive(Optimizer):
    """Shared by AdaGrad and RMSProp: W ← W − lr·g / (√G + ε), differing only in how G grows."""

    state_keys = ("G",)
    needs_scratch = True

    def _new_state(self, p):
        return {"G": np.zeros_like(p)}

    def _accumulate(self, G, g, sc, h):
        raise NotImplementedError

    def _update(self, p, g, s, h):
        G, sc, d = s["G"], s["scratch"], s["delta"]
        self._accumulate(G, g, sc, h)
        np.sqrt(G, out=sc)  # std = √G + ε: ε outside the root, as torch
        sc += h["eps"]
        np.multiply(g, -h["lr"], out=d)  # torch: param.addcdiv_(grad, std, value=-lr)
        d /= sc
        p += d

    def _effective_lr(self, s, h):
        return h["lr"] / (np.sqrt(s["G"]) + h["eps"])

    def _snapshot_extra(self, s, h):
        return {"G": s["G"].copy()}


@_register
class AdaGrad(_Adaptive):
    """AdaGrad: torch.optim.Adagrad(lr, eps), lr_decay 0, initial_accumulator_value 0.

    Lecture: G ← G + g²; W ← W − α·g/√(G + ε). PyTorch adds ε outside the root,
    W ← W − lr·g/(√G + ε); the two differ only when G is about as small as ε. The per-coordinate
    rate lr/(√G + ε) only shrinks, which is why AdaGrad stalls on long runs.
    """

    name, display_name = "adagrad", "AdaGrad"
    formula = "G ← G + g²;  W ← W − α·g / √(G + ε)"
    torch_formula = "G ← G + g²\nW ← W − lr·g / (√G + ε)"
    defaults = {"lr": 0.01, "eps": 1e-10}

    def _accumulate(self, G, g, sc, h):
        np.multiply(g, g, out=sc)  # torch: state_sum.addcmul_(grad, grad, value=1)
        G += sc


@_register
class RMSProp(_Adaptive):
    """RMSProp: torch.optim.RMSprop(lr, alpha=decay_rate, eps), not centred, no momentum.

    Lecture: G ← γ·G + (1 − γ)·g²; W ← W − α·g/√(G + ε). The lecture's decay rate γ is torch's
    ``alpha`` (called ``decay_rate`` here, as in the book, to avoid clashing with the learning
    rate α); ε is added outside the root as in torch.
    """

    name, display_name = "rmsprop", "RMSProp"
    formula = "G ← γ·G + (1 − γ)·g²;  W ← W − α·g / √(G + ε)"
    torch_formula = "G ← γ·G + (1 − γ)·g²   (γ = decay_rate = torch's alpha)\nW ← W − lr·g / (√G + ε)"
    defaults = {"lr": 0.01, "decay_rate": 0.99, "eps": 1e-8}

    def _accumulate(self, G, g, sc, h):
        gamma = h["decay_rate"]
        G *= gamma  # torch: square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        np.multiply(g, 1 - gamma, out=sc)
        sc *= g
        G += sc


@_register
class Adam(Optimizer):
    """Adam: torch.optim.Adam(lr, betas=(beta1, beta2), eps), not amsgrad.

    Lecture: M ← β₁M + (1−β₁)g; V ← β₂V + (1−β₂)g²; M̂ = M/(1−β₁ᵗ); V̂ = V/(1−β₂ᵗ);
    W ← W − α·M̂/√(V̂ + ε). PyTorch folds the bias corrections into the step:
    W ← W − (lr/(1−β₁ᵗ))·M / (√V/√(1−β₂ᵗ) + ε) = W − lr·M̂/(√V̂ + ε), i.e. the lecture's rule with
    ε outside the root. The snapshot's "M_hat" and "V_hat" are computed only for display.

    ``bias_correction=False`` (not a torch.optim option; a teaching switch) runs
    W ← W − lr·M/(√V + ε) with the raw averages. M and V start at 0, so early on they are biased
    toward 0 — V far more than M, as β₂ is closer to 1 — and the raw step is
    (1−β₁ᵗ)/√(1−β₂ᵗ) times the corrected one: 0.1/√0.001 ≈ 3.16 at t = 1 with the default
    betas, i.e. *larger*. The correction removes that bias; it does not enlarge small steps.
    The default (True) is torch.optim.Adam.
    """

    name, display_name = "adam", "Adam"
    formula = "M ← β₁M + (1−β₁)g;  V ← β₂V + (1−β₂)g²;  M̂ = M/(1−β₁ᵗ);  V̂ = V/(1−β₂ᵗ);  W ← W − α·M̂/√(V̂ + ε)"
    torch_formula = (
        "M ← β₁M + (1−β₁)g\nV ← β₂V + (1−β₂)g²\n"
        "W ← W − (lr/(1−β₁ᵗ))·M / (√V / √(1−β₂ᵗ) + ε)\n= W − lr·M̂ / (√V̂ + ε)"
    )
    defaults = {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    state_keys = ("M", "V", "M_hat", "V_hat")
    needs_scratch = True
    raw_formula = "M ← β₁M + (1−β₁)g;  V ← β₂V + (1−β₂)g²;  W ← W − α·M/√(V + ε)"
    raw_torch_formula = "M ← β₁M + (1−β₁)g\nV ← β₂V + (1−β₂)g²\nW ← W − lr·M / (√V + ε)"

    def __init__(self, bias_correction: bool = True, **hyper):
        if not isinstance(bias_correction, (bool, np.bool_)):
            raise ValueError(f"adam bias_correction must be True or False, got {bias_correction!r}")
        self.bias_correction = bool(bias_correction)
        if not self.bias_correction:  # the rule shown is the rule run
            self.formula, self.torch_formula = self.raw_formula, self.raw_torch_formula
        super().__init__(**hyper)

    def _new_state(self, p):
        return {"M": np.zeros_like(p), "V": np.zeros_like(p)}

    def _corrections(self, h, t) -> tuple[float, float]:
        """(1−β₁ᵗ, 1−β₂ᵗ), or (1, 1) without bias correction."""
        if not self.bias_correction:
            return 1.0, 1.0
        return 1 - h["beta1"] ** t, 1 - h["beta2"] ** t

    def _update(self, p, g, s, h):
        M, V, sc, d = s["M"], s["V"], s["scratch"], s["delta"]
        b1, b2 = h["beta1"], h["beta2"]
        w = 1 - b1  # torch: exp_avg.lerp_(grad, 1 - beta1), two branches for accuracy
        np.subtract(g, M, out=sc)
        if abs(w) < 0.5:
            sc *= w
            M += sc
        else:
            sc *= w - 1
            np.add(sc, g, out=M)
        V *= b2  # torch: exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        np.multiply(g, 1 - b2, out=sc)
        sc *= g
        V += sc
        t = float(self.step_count)
        c1, c2 = self._corrections(h, t)
        step_size = h["lr"] / c1
        self._denominator(V, h, c2, out=sc)
        np.multiply(M, -step_size, out=d)  # torch: param.addcdiv_(exp_avg, denom, value=-step_size)
        d /= sc
        p += d

    @staticmethod
    def _denominator(V, h, c2, out=None):
        """√V/√c2 + ε with c2 = 1−β₂ᵗ (1: uncorrected), in torch's order of operations."""
        out = np.sqrt(V, out=out)
        if c2 != 1.0:
            out /= c2 ** 0.5
        out += h["eps"]
        return out

    def _effective_lr(self, s, h):
        c1, c2 = self._corrections(h, float(self.step_count))
        return h["lr"] / self._denominator(s["V"], h, c2)

    def _snapshot_extra(self, s, h):
        out = {"M": s["M"].copy(), "V": s["V"].copy(), "M_hat": None, "V_hat": None}
        if self.bias_correction:
            c1, c2 = self._corrections(h, float(self.step_count))
            out["M_hat"], out["V_hat"] = s["M"] / c1, s["V"] / c2
        return out


def get(name: str, **hyper) -> Optimizer:
    """The optimizer ``name`` (see ``names()``) with its hyperparameters (PyTorch's defaults)."""
    return REGISTRY.get(name, **hyper)


def names() -> list[str]:
    return REGISTRY.names()


def entries():
    return REGISTRY.entries()
