"""The training loop on the Backprop panel's one sample: forward → backward → update, N times.

``train_loop(setup, n)`` repeats what the trace walks once (``engine.backprop_trace.trace``:
its gradients are the chain rule's, checked against central differences by the tests) and
records the loss before every update and after the last, and every weight's and bias's value
along the way, so the student sees the loss fall and each parameter move, step by step.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from engine import backprop_trace as bt

MAX_LOOP = 500


@dataclass(frozen=True)
class LoopHistory:
    """``losses[k]``: the loss after k updates (k = 0…n); ``params[key][k]``: the parameter
    ``key`` (("W", l, i, j) / ("b", l, j)) after k updates; ``names[key]`` its name."""

    losses: np.ndarray
    params: dict
    names: dict
    final: bt.BackpropSetup

    @property
    def n(self) -> int:
        return len(self.losses) - 1


def _values(tr: bt.Trace) -> dict:
    return {r.key: r.value for r in tr.rows}


def train_loop(setup: bt.BackpropSetup, n: int) -> LoopHistory:
    """``n`` gradient-descent updates (η = the set-up's lr) on its one sample."""
    n = int(n)
    if not 1 <= n <= MAX_LOOP:
        raise ValueError(f"the number of updates must be 1–{MAX_LOOP}, got {n}")
    tr = bt.trace(setup)
    names = {r.key: r.name for r in tr.rows}
    losses, values = [tr.loss], [_values(tr)]
    for _ in range(n):
        w = tuple(tuple(tuple(float(v) for v in row) for row in m) for m in tr.new_W)
        b = tuple(tuple(float(v) for v in vec) for vec in tr.new_b)
        setup = dataclasses.replace(setup, weights=w, biases=b)
        tr = bt.trace(setup)
        losses.append(tr.loss)
        values.append(_values(tr))
    params = {k: np.array([v[k] for v in values]) for k in names}
    return LoopHistory(np.array(losses), params, names, setup)
