"""Bounded curve storage: a million appends stay O(capacity) and still span the whole run."""

import threading

import numpy as np
import pytest

from engine.history import DecimatingSeries, RingBuffer


def test_a_million_appends_stay_bounded_and_cover_first_and_last():
    s = DecimatingSeries(capacity=2000)
    longest = 0
    for i in range(1_000_000):
        s.append(i, 0.5 * i)
        if i % 997 == 0:
            longest = max(longest, len(s))
    steps, values = s.snapshot()
    assert len(s) == len(steps) <= 2000 and longest <= 2000
    assert len(steps) > 1000  # halving leaves at least half the capacity in use
    assert steps[0] == 0 and steps[-1] == 999_999
    np.testing.assert_array_equal(values, 0.5 * steps)
    gaps = np.diff(steps[:-1])
    assert np.all(gaps == s.stride)  # stored points are evenly spaced over the run
    assert s.stride == 512


@pytest.mark.parametrize("capacity", [3, 4, 7, 10])
def test_small_capacities_never_overflow(capacity):
    s = DecimatingSeries(capacity)
    for i in range(5000):
        s.append(i, i)
        assert len(s) <= capacity
        steps = s.steps
        assert steps[0] == 0 and steps[-1] == i and np.all(np.diff(steps) > 0)


def test_short_series_keeps_everything():
    s = DecimatingSeries(10)
    for i in range(9):
        s.append(10 * i, i * i)
    np.testing.assert_array_equal(s.steps, 10 * np.arange(9))
    np.testing.assert_array_equal(s.values, np.arange(9) ** 2)
    assert s.stride == 1 and s.last == (80, 64.0)


def test_empty_and_clear():
    s = DecimatingSeries(5)
    assert len(s) == 0 and s.last is None and s.steps.size == 0
    for i in range(100):
        s.append(i, i)
    s.clear()
    assert len(s) == 0 and s.stride == 1 and s.values.size == 0


def test_snapshot_is_a_copy():
    s = DecimatingSeries(5)
    s.append(0, 1.0)
    steps, values = s.snapshot()
    values[0] = 99
    assert s.values[0] == 1.0


def test_concurrent_reader_always_sees_matching_lengths():
    s = DecimatingSeries(50)
    stop = threading.Event()
    bad = []

    def read():
        while not stop.is_set():
            steps, values = s.snapshot()
            if len(steps) != len(values) or (len(steps) and not np.array_equal(values, 2.0 * steps)):
                bad.append((steps, values))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(20_000):
            s.append(i, 2.0 * i)
    finally:
        stop.set()
        reader.join()
    assert not bad


@pytest.mark.parametrize("capacity", [0, 2, -1, 2.5, "big"])
def test_bad_capacity(capacity):
    with pytest.raises(ValueError, match="capacity"):
        DecimatingSeries(capacity)


def test_ring_buffer_keeps_the_last_n_in_order():
    r = RingBuffer(4)
    assert len(r) == 0 and r.values.size == 0 and not r.full
    for i in range(3):
        r.append(i)
    np.testing.assert_array_equal(r.values, [0, 1, 2])
    for i in range(3, 11):
        r.append(i)
    np.testing.assert_array_equal(r.values, [7, 8, 9, 10])
    assert len(r) == 4 and r.full and r.total == 11
    r.clear()
    assert len(r) == 0


def test_ring_buffer_of_vectors():
    r = RingBuffer(2, shape=(3,))
    for i in range(5):
        r.append(np.full(3, i))
    np.testing.assert_array_equal(r.values, [[3, 3, 3], [4, 4, 4]])


def test_ring_buffer_bad_capacity():
    with pytest.raises(ValueError):
        RingBuffer(0)
