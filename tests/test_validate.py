import numpy as np
import pytest

from engine import validate


@pytest.mark.parametrize("value", [1, 5, np.int64(3), 4.0])
def test_integer_accepts_whole_numbers(value):
    assert validate.integer(value, "n") == int(value)


@pytest.mark.parametrize("value", [0, -1, 2.5, True, "3", None, float("nan"), float("inf")])
def test_integer_rejects_with_the_allowed_range(value):
    with pytest.raises(ValueError, match=r"n must be an integer ≥ 1"):
        validate.integer(value, "n")


def test_integer_bounds_and_none():
    assert validate.integer(None, "k", allow_none=True) is None
    with pytest.raises(ValueError, match=r"in \[1, 3\]"):
        validate.integer(4, "k", maximum=3)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "x", None, True, -0.5])
def test_number_rejects(value):
    with pytest.raises(ValueError, match="noise must be a finite number ≥ 0"):
        validate.number(value, "noise", minimum=0)


def test_number_positive():
    assert validate.number(np.float32(0.5), "lr", positive=True) == 0.5
    with pytest.raises(ValueError, match="> 0"):
        validate.number(0, "lr", positive=True)
