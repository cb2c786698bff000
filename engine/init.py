"""Weight initializers (lecture part 3): ``get(name, **kw)(fan_in, fan_out, rng)``.

The lecture's (and PyTorch's) conventions: Xavier/Glorot std = √(2/(fan_in+fan_out)),
He/Kaiming std = √(2/fan_in). The book (DLFS ch. 6) calls std = √(1/fan_in) "Xavier"; that one is
offered as ``lecun`` so the book's figures can be reproduced and the difference shown.
Uniform variants use the bound that gives the same std (a = std·√3).
"""

from __future__ import annotations

import math

import numpy as np

from engine.registry import Registry

REGISTRY: Registry = Registry("initializer")


def _check_fans(fan_in, fan_out):
    if int(fan_in) < 1 or int(fan_out) < 1:
        raise ValueError(f"fan_in and fan_out must be ≥ 1, got {fan_in}, {fan_out}")
    return int(fan_in), int(fan_out)


class Initializer:
    """A normal (or uniform) distribution whose std is a function of the fans."""

    uniform = False

    def std(self, fan_in: int, fan_out: int) -> float:
        raise NotImplementedError

    def __call__(self, fan_in, fan_out, rng=None, dtype=np.float64):
        fan_in, fan_out = _check_fans(fan_in, fan_out)
        rng = np.random.default_rng(rng)
        std = self.std(fan_in, fan_out)
        if self.uniform:
            a = std * math.sqrt(3.0)
            w = rng.uniform(-a, a, size=(fan_in, fan_out))
        else:
            w = rng.standard_normal((fan_in, fan_out)) * std
        return w.astype(dtype, copy=False)


@REGISTRY.register("normal", "Normal (fixed std)", "W ~ N(0, std²)", aliases=("gaussian",))
class Normal(Initializer):
    """Fixed std, independent of layer size: 0.01 collapses activations, 1 saturates them."""

    def __init__(self, std: float = 0.01):
        std = float(std)
        if not math.isfinite(std) or std < 0:
            raise ValueError(f"normal init std must be a finite number ≥ 0, got {std!r}")
        self._std = std

    def std(self, fan_in, fan_out):
        return self._std


@REGISTRY.register("xavier", "Xavier (Glorot)", "W ~ N(0, 2/(n_in+n_out))", aliases=("glorot", "xavier_normal"))
class Xavier(Initializer):
    """For sigmoid/tanh: keeps activation variance about constant through layers."""

    def std(self, fan_in, fan_out):
        return math.sqrt(2.0 / (fan_in + fan_out))


@REGISTRY.register("xavier_uniform", "Xavier uniform", "W ~ U(−a, a), a = √(6/(n_in+n_out))")
class XavierUniform(Xavier):
    uniform = True


@REGISTRY.register("he", "He (Kaiming)", "W ~ N(0, 2/n_in)", aliases=("kaiming", "he_normal"))
class He(Initializer):
    """For ReLU: the factor 2 makes up for ReLU zeroing half of its inputs."""

    def std(self, fan_in, fan_out):
        return math.sqrt(2.0 / fan_in)


@REGISTRY.register("he_uniform", "He uniform", "W ~ U(−a, a), a = √(6/n_in)")
class HeUniform(He):
    uniform = True


@REGISTRY.register("lecun", "LeCun (the book's \"Xavier\")", "W ~ N(0, 1/n_in)")
class LeCun(Initializer):
    """std = √(1/fan_in): what *Deep Learning from Scratch* ch. 6 labels Xavier."""

    def std(self, fan_in, fan_out):
        return math.sqrt(1.0 / fan_in)


def get(name: str, **kw) -> Initializer:
    """The initializer ``name``: a callable ``(fan_in, fan_out, rng) -> (fan_in, fan_out) array``."""
    return REGISTRY.get(name, **kw)


def names() -> list[str]:
    return REGISTRY.names()
