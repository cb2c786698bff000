"""engine.backprop_loop: N updates = N times 'Apply update'; the loss falls; parameters recorded."""

import numpy as np
import pytest

from engine import backprop_loop, backprop_trace as bt


def test_loop_equals_repeated_single_updates():
    setup = bt.BackpropSetup()
    h = backprop_loop.train_loop(setup, 6)
    assert h.n == 6 and h.losses.shape == (7,)
    s = setup
    for k in range(6):
        tr = bt.trace(s)
        assert h.losses[k] == tr.loss
        for r in tr.rows:
            assert h.params[r.key][k] == r.value and h.params[r.key][k + 1] == pytest.approx(r.updated, rel=1e-15)
        s = s.__class__(**{**s.__dict__, "weights": tuple(tuple(tuple(map(float, row)) for row in m) for m in tr.new_W),
                           "biases": tuple(tuple(map(float, v)) for v in tr.new_b)})
    assert np.all(np.diff(h.losses) < 0)  # small η on one sample: every update lowers the loss
    assert h.final == s


def test_bad_counts_are_refused():
    with pytest.raises(ValueError):
        backprop_loop.train_loop(bt.BackpropSetup(), 0)
