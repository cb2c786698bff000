"""Learning-rate schedules, each equal to a ``torch.optim.lr_scheduler`` value for value.

``get(name, lr=…, **params)`` returns a schedule; ``lr_at(t)`` is the rate used for update
t = 0, 1, 2, … — PyTorch's ``scheduler.get_last_lr()[0]`` after ``t`` calls of
``scheduler.step()`` (one call after every ``optimizer.step()``). ``t`` may be an int or an
integer array (the whole lr-vs-step curve in one call, for plotting).

Mapping (``lr`` is the optimizer's base rate in every row):

=====================  ======================================================================
GradLab                PyTorch
=====================  ======================================================================
constant               no scheduler (or ``ConstantLR(factor=1)``)
step                   ``StepLR(step_size, gamma)``: lr·γ^⌊t/step_size⌋
multistep              ``MultiStepLR(milestones, gamma)``: lr·γ^(number of milestones ≤ t)
exponential            ``ExponentialLR(gamma)``: lr·γ^t
cosine                 ``CosineAnnealingLR(T_max=t_max, eta_min)``:
                       η_min + (lr − η_min)·(1 + cos(π·t/t_max))/2 (it rises again after t_max,
                       as torch's does)
warm_restarts          ``CosineAnnealingWarmRestarts(T_0=t_0, T_mult=t_mult, eta_min)``: the
                       cosine over T_cur/T_i, T_i = t_0·t_mult^k for the k-th cycle
linear_warmup_cosine   ``SequentialLR([LinearLR(start_factor, 1.0, total_iters=warmup),
                       CosineAnnealingLR(T_max=t_max, eta_min)], milestones=[warmup])``: the
                       factor rises linearly from start_factor to 1 over ``warmup`` updates, then
                       the cosine starts at lr (cosine step t − warmup)
one_cycle              ``OneCycleLR(max_lr=lr, total_steps, pct_start, anneal_strategy="cos",
                       div_factor, final_div_factor, three_phase=False, cycle_momentum=False)``:
                       cosine from lr/div_factor up to lr over the first pct_start·total_steps − 1
                       updates, then down to lr/(div_factor·final_div_factor) at total_steps − 1;
                       torch raises past total_steps, GradLab holds the last value
inverse_time           ``LambdaLR(lambda t: 1 / (1 + k·t))``: lr·1/(1 + k·t)
=====================  ======================================================================

PyTorch computes some of these recursively (lr ← lr·γ at each step; the cosine as a ratio of
consecutive cosines); GradLab uses the closed forms torch documents, which agree with torch's
values to ~1e-15 relative over hundreds of steps (tests/test_schedules.py compares against
stored torch values, rtol 1e-12).
"""

from __future__ import annotations

import math

import numpy as np

from engine.registry import Registry

REGISTRY: Registry = Registry("schedule")


def _number(name: str, key: str, value, test, allowed: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if isinstance(value, bool) or not math.isfinite(v) or not test(v):
        raise ValueError(f"schedule {name} {key} must be {allowed}, got {value!r}")
    return v


def _count(name: str, key: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"schedule {name} {key} must be an integer ≥ {minimum}, got {value!r}")
    return int(value)


def _steps(t) -> np.ndarray:
    arr = np.asarray(t)
    if arr.dtype.kind not in "iu" or np.any(arr < 0):
        raise ValueError(f"update index t must be an integer ≥ 0 (or an array of them), got {t!r}")
    return arr.astype(np.int64)


class Schedule:
    """Base: ``lr_at(t)`` for an int returns a float, for an array an array of float64."""

    name = ""
    display_name = ""
    formula = ""

    def __init__(self, lr: float = 0.01):
        self.lr = _number(self.name, "lr", lr, lambda v: v > 0, "a finite number > 0")

    def lr_at(self, t):
        steps = _steps(t)
        out = np.asarray(self._rates(steps), dtype=np.float64)
        out = np.broadcast_to(out, steps.shape).copy() if out.shape != steps.shape else out
        return float(out) if np.ndim(t) == 0 else out

    def curve(self, n: int) -> np.ndarray:
        """The rates of updates 0 … n−1."""
        return self.lr_at(np.arange(int(n)))

    def _rates(self, t: np.ndarray):
        raise NotImplementedError

    def params(self) -> dict:
        """The constructor arguments (for repr and saving)."""
        return {"lr": self.lr}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.params().items())})"


def _register(cls):
    REGISTRY.register(cls.name, cls.display_name, cls.formula,
                      description=(cls.__doc__ or "").strip().split("\n")[0])(cls)
    return cls


@_register
class Constant(Schedule):
    """The same rate at every update (no scheduler)."""

    name, display_name, formula = "constant", "Constant", "α_t = α"

    def _rates(self, t):
        return np.full(t.shape, self.lr)


@_register
class Step(Schedule):
    """StepLR: multiply by γ every ``step_size`` updates."""

    name, display_name, formula = "step", "Step decay", "α_t = α·γ^⌊t/s⌋"

    def __init__(self, lr: float = 0.01, step_size: int = 100, gamma: float = 0.1):
        super().__init__(lr)
        self.step_size = _count(self.name, "step_size", step_size)
        self.gamma = _number(self.name, "gamma", gamma, lambda v: 0 < v <= 1, "a number in (0, 1]")

    def _rates(self, t):
        return self.lr * self.gamma ** (t // self.step_size)

    def params(self):
        return {"lr": self.lr, "step_size": self.step_size, "gamma": self.gamma}


@_register
class MultiStep(Schedule):
    """MultiStepLR: multiply by γ at each milestone."""

    name, display_name, formula = "multistep", "Multi-step decay", "α_t = α·γ^#{milestones ≤ t}"

    def __init__(self, lr: float = 0.01, milestones=(100, 200), gamma: float = 0.1):
        super().__init__(lr)
        try:
            ms = [_count(self.name, "milestone", m) for m in milestones]
        except TypeError:
            raise ValueError(f"schedule multistep milestones must be a list of integers ≥ 1, "
                             f"got {milestones!r}") from None
        if not ms or ms != sorted(set(ms)):
            raise ValueError(f"schedule multistep milestones must be increasing, got {milestones!r}")
        self.milestones = tuple(ms)
        self.gamma = _number(self.name, "gamma", gamma, lambda v: 0 < v <= 1, "a number in (0, 1]")

    def _rates(self, t):
        return self.lr * self.gamma ** np.searchsorted(self.milestones, t, side="right")

    def params(self):
        return {"lr": self.lr, "milestones": list(self.milestones), "gamma": self.gamma}


@_register
class Exponential(Schedule):
    """ExponentialLR: multiply by γ after every update."""

    name, display_name, formula = "exponential", "Exponential decay", "α_t = α·γ^t"

    def __init__(self, lr: float = 0.01, gamma: float = 0.99):
        super().__init__(lr)
        self.gamma = _number(self.name, "gamma", gamma, lambda v: 0 < v <= 1, "a number in (0, 1]")

    def _rates(self, t):
        return self.lr * self.gamma ** t.astype(np.float64)

    def params(self):
        return {"lr": self.lr, "gamma": self.gamma}


def _cosine(lr, eta_min, t_cur, t_i):
    return eta_min + (lr - eta_min) * (1 + np.cos(math.pi * t_cur / t_i)) / 2


def _eta_min(name, value, lr):
    return _number(name, "eta_min", value, lambda v: 0 <= v <= lr, f"a number in [0, lr={lr:g}]")


@_register
class Cosine(Schedule):
    """CosineAnnealingLR: half a cosine from α down to η_min over t_max updates."""

    name, display_name = "cosine", "Cosine annealing"
    formula = "α_t = η_min + (α − η_min)·(1 + cos(π·t/T))/2"

    def __init__(self, lr: float = 0.01, t_max: int = 500, eta_min: float = 0.0):
        super().__init__(lr)
        self.t_max = _count(self.name, "t_max", t_max)
        self.eta_min = _eta_min(self.name, eta_min, self.lr)

    def _rates(self, t):
        return _cosine(self.lr, self.eta_min, t, self.t_max)

    def params(self):
        return {"lr": self.lr, "t_max": self.t_max, "eta_min": self.eta_min}


@_register
class WarmRestarts(Schedule):
    """CosineAnnealingWarmRestarts: the cosine restarts at α; each cycle t_mult times longer."""

    name, display_name = "warm_restarts", "Cosine with warm restarts"
    formula = "α_t = η_min + (α − η_min)·(1 + cos(π·T_cur/T_i))/2"

    def __init__(self, lr: float = 0.01, t_0: int = 100, t_mult: int = 1, eta_min: float = 0.0):
        super().__init__(lr)
        self.t_0 = _count(self.name, "t_0", t_0)
        self.t_mult = _count(self.name, "t_mult", t_mult)
        self.eta_min = _eta_min(self.name, eta_min, self.lr)

    def _rates(self, t):
        if self.t_mult == 1:
            return _cosine(self.lr, self.eta_min, t % self.t_0, self.t_0)
        # cycle starts 0, t_0, t_0 + t_0·m, … in exact integers, enough to cover max(t)
        top = int(t.max()) if t.size else 0
        lengths, starts = [self.t_0], [0]
        while starts[-1] + lengths[-1] <= top:
            starts.append(starts[-1] + lengths[-1])
            lengths.append(lengths[-1] * self.t_mult)
        k = np.searchsorted(starts, t, side="right") - 1
        return _cosine(self.lr, self.eta_min, t - np.asarray(starts)[k], np.asarray(lengths)[k])

    def params(self):
        return {"lr": self.lr, "t_0": self.t_0, "t_mult": self.t_mult, "eta_min": self.eta_min}


@_register
class LinearWarmupCosine(Schedule):
    """LinearLR warm-up, then CosineAnnealingLR (SequentialLR with one milestone)."""

    name, display_name = "linear_warmup_cosine", "Linear warm-up + cosine"
    formula = "t < W: α·(f + (1 − f)·t/W);  then cosine over t − W"

    def __init__(self, lr: float = 0.01, warmup: int = 50, t_max: int = 500,
                 eta_min: float = 0.0, start_factor: float = 0.1):
        super().__init__(lr)
        self.warmup = _count(self.name, "warmup", warmup)
        self.t_max = _count(self.name, "t_max", t_max)
        self.eta_min = _eta_min(self.name, eta_min, self.lr)
        self.start_factor = _number(self.name, "start_factor", start_factor,
                                    lambda v: 0 < v <= 1, "a number in (0, 1]")

    def _rates(self, t):
        f = self.start_factor
        warm = self.lr * (f + (1.0 - f) * np.minimum(t, self.warmup) / self.warmup)
        cos = _cosine(self.lr, self.eta_min, np.maximum(t - self.warmup, 0), self.t_max)
        return np.where(t < self.warmup, warm, cos)

    def params(self):
        return {"lr": self.lr, "warmup": self.warmup, "t_max": self.t_max,
                "eta_min": self.eta_min, "start_factor": self.start_factor}


@_register
class OneCycle(Schedule):
    """OneCycleLR (cosine, two phases, no momentum cycling): up to α, then far below it."""

    name, display_name = "one_cycle", "One-cycle"
    formula = "cosine α/d → α over p·N, then α → α/(d·f) at N − 1"

    def __init__(self, lr: float = 0.01, total_steps: int = 500, pct_start: float = 0.3,
                 div_factor: float = 25.0, final_div_factor: float = 1e4):
        super().__init__(lr)
        self.total_steps = _count(self.name, "total_steps", total_steps, minimum=2)
        self.pct_start = _number(self.name, "pct_start", pct_start, lambda v: 0 < v < 1,
                                 "a number in (0, 1)")
        self.div_factor = _number(self.name, "div_factor", div_factor, lambda v: v >= 1, "a number ≥ 1")
        self.final_div_factor = _number(self.name, "final_div_factor", final_div_factor,
                                        lambda v: v >= 1, "a number ≥ 1")
        self.peak = float(self.pct_start * self.total_steps) - 1  # torch's phase-1 end_step
        if not 0 < self.peak < self.total_steps - 1:
            raise ValueError(f"schedule one_cycle: pct_start·total_steps − 1 = {self.peak:g} must "
                             f"lie strictly between 0 and total_steps − 1 = {self.total_steps - 1}")

    @staticmethod
    def _anneal(start, end, pct):  # torch's _annealing_cos, same order of operations
        return end + (start - end) / 2.0 * (np.cos(math.pi * pct) + 1)

    def _rates(self, t):
        initial = self.lr / self.div_factor
        final = initial / self.final_div_factor
        t = np.minimum(t, self.total_steps - 1).astype(np.float64)
        end = float(self.total_steps - 1)
        up = self._anneal(initial, self.lr, t / self.peak)
        down = self._anneal(self.lr, final, (t - self.peak) / (end - self.peak))
        return np.where(t <= self.peak, up, down)

    def params(self):
        return {"lr": self.lr, "total_steps": self.total_steps, "pct_start": self.pct_start,
                "div_factor": self.div_factor, "final_div_factor": self.final_div_factor}


@_register
class InverseTime(Schedule):
    """Inverse-time decay lr/(1 + k·t) (torch: LambdaLR)."""

    name, display_name, formula = "inverse_time", "Inverse-time decay", "α_t = α/(1 + k·t)"

    def __init__(self, lr: float = 0.01, k: float = 0.01):
        super().__init__(lr)
        self.k = _number(self.name, "k", k, lambda v: v >= 0, "a finite number ≥ 0")

    def _rates(self, t):
        return self.lr * (1.0 / (1.0 + self.k * t))

    def params(self):
        return {"lr": self.lr, "k": self.k}


def get(name: str, lr: float = 0.01, **params) -> Schedule:
    """The schedule ``name`` (see ``names()``) for base rate ``lr``; bad input → ``ValueError``."""
    return REGISTRY.get(name, lr=lr, **params)


def names() -> list[str]:
    return REGISTRY.names()


def entries():
    return REGISTRY.entries()
