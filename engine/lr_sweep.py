"""Learning-rate sweeps and per-axis step sizes on a 2-D surface ("Why Adam?", issue #15).

On the book's x²/20 + y² with the book's rates, SGD (lr 0.95) ends *lower* than Adam (lr 0.3)
after 30 steps. What Adam buys is not a lower loss at one hand-tuned rate but (1) a step size
per coordinate (``effective_lr_history``: α_eff in x and in y over time) and (2) robustness: the
range of learning rates over which it gets below a loss threshold (``sweep`` + ``working_range``).

``sweep`` runs one optimizer at many learning rates at once: the parameters are an (n, 2) array,
one row per learning rate, and the optimizer's ``lr`` is an (n, 1) column. Every rule in
``engine.optimizers`` is elementwise, so each row follows exactly the path a scalar run at that
rate would (the tests compare against ``engine.trajectory`` runs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import optimizers, surfaces
from engine.trajectory import DIVERGE_LIMIT

#: The book's rates on x²/20 + y² (DLFS fig. 6-8), and its start and step count.
BOOK_RATES = {"sgd": 0.95, "momentum": 0.1, "adagrad": 1.5, "adam": 0.3}
BOOK_START = (-7.0, 2.0)


@dataclass(frozen=True)
class Sweep:
    """Final losses of one optimizer after ``steps`` steps at each of ``lrs`` (inf: diverged)."""

    optimizer: str
    lrs: np.ndarray
    final_loss: np.ndarray
    steps: int

    def working_range(self, threshold: float) -> tuple[float, float] | None:
        """The smallest and largest lr whose final loss is below ``threshold`` (None if none)."""
        return working_range(self.lrs, self.final_loss, threshold)


def default_lrs(n: int = 61, lo: float = 1e-3, hi: float = 10.0) -> np.ndarray:
    """``n`` learning rates spaced evenly on a log axis from ``lo`` to ``hi``."""
    if n < 2 or not 0 < lo < hi:
        raise ValueError(f"need n ≥ 2 and 0 < lo < hi, got n={n}, lo={lo}, hi={hi}")
    return np.logspace(np.log10(lo), np.log10(hi), int(n))


def sweep(surface: str, optimizer: str, lrs, steps: int, start=BOOK_START, hyper: dict | None = None) -> Sweep:
    """Run ``optimizer`` (its other hyperparameters ``hyper``, else its defaults) from ``start``
    for ``steps`` full-batch steps at every rate of ``lrs`` at once; a run that blows up (a
    coordinate or the loss beyond ``engine.trajectory.DIVERGE_LIMIT`` or not finite) ends with an
    infinite loss and stops moving."""
    surf = surfaces.get(surface)
    lrs = np.asarray(lrs, dtype=np.float64).reshape(-1)
    if lrs.size == 0 or not np.all(np.isfinite(lrs)) or np.any(lrs <= 0):
        raise ValueError("learning rates must be finite numbers > 0")
    steps = int(steps)
    if steps < 0:
        raise ValueError(f"steps must be ≥ 0, got {steps}")
    opt = optimizers.get(optimizer, **{**(hyper or {}), "lr": float(lrs[0])})
    # A column of rates: every rule multiplies elementwise by lr, so row k runs at lrs[k].
    opt.hyper = {**opt.hyper, "lr": lrs[:, None]}
    p = np.tile(np.asarray(surf.start if start is None else start, dtype=np.float64), (lrs.size, 1))
    alive = np.ones(lrs.size, dtype=bool)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            gx, gy = surf.grad(p[:, 0], p[:, 1])
            g = np.stack([gx, gy], axis=1) * alive[:, None]  # a dead row gets no gradient
            before = p.copy()
            opt.step([p], [g])
            loss = surf.value(p[:, 0], p[:, 1])
            blown = ~(np.all(np.isfinite(p), axis=1) & np.isfinite(loss)) | (np.abs(p).max(axis=1) > DIVERGE_LIMIT) \
                | (np.abs(loss) > DIVERGE_LIMIT)
            newly = blown & alive
            p[newly] = before[newly]  # frozen where it was; its loss is reported as inf
            alive &= ~blown
            p[~alive] = before[~alive]
        final = surf.value(p[:, 0], p[:, 1])
    final = np.where(alive, final, np.inf)
    return Sweep(optimizer, lrs, final, steps)


def sweep_all(surface: str, lrs, steps: int, names=None, start=BOOK_START) -> dict[str, Sweep]:
    """``sweep`` for each optimizer of ``names`` (default: every registered one)."""
    return {name: sweep(surface, name, lrs, steps, start) for name in (names or optimizers.names())}


def working_range(lrs, final_loss, threshold: float) -> tuple[float, float] | None:
    """(smallest, largest) lr whose final loss is below ``threshold``, None if there is none."""
    lrs, final_loss = np.asarray(lrs), np.asarray(final_loss)
    ok = final_loss < threshold
    if not ok.any():
        return None
    return float(lrs[ok].min()), float(lrs[ok].max())


def range_width(rng: tuple[float, float] | None) -> float:
    """How many times larger the range's top rate is than its bottom (1 for one rate, 0 for none)."""
    return 0.0 if rng is None else rng[1] / rng[0]


def effective_lr_history(surface: str, optimizer: str, steps: int, start=BOOK_START, **hyper) -> np.ndarray:
    """(steps, 2) α_eff in x and in y after each step: the per-coordinate factor the optimizer
    multiplied its direction by (``Optimizer.state_snapshot``'s "effective_lr"; lr for the
    plain rules, lr/(√V̂ + ε) for Adam, lr/(√G + ε) for AdaGrad and RMSProp)."""
    surf = surfaces.get(surface)
    opt = optimizers.get(optimizer, **hyper)
    p = np.array(surf.start if start is None else start, dtype=np.float64)
    out = np.empty((int(steps), 2))
    with np.errstate(all="ignore"):
        for t in range(int(steps)):
            g = np.array(surf.grad(p[0], p[1]), dtype=np.float64)
            opt.step([p], [g])
            out[t] = opt.state_snapshot(0)["effective_lr"]
    return out


def final_loss(surface: str, optimizer: str, steps: int, start=BOOK_START, **hyper) -> float:
    """The loss after ``steps`` steps of one run (``sweep`` with a single rate)."""
    return float(sweep(surface, optimizer, [hyper.pop("lr")], steps, start, hyper).final_loss[0])
