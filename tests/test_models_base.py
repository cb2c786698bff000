"""app.models.base: the one persistence path (typed, validated State dicts) and scenes as data."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from app.lecture.scene import Check, Scene
from app.models.base import StateBase, StateError, setting


@dataclass(frozen=True)
class Lane(StateBase):
    lr: float = setting(0.1, lo=0.0, lo_open=True)
    enabled: bool = True


@dataclass(frozen=True)
class Demo(StateBase):
    depth: int = setting(10, lo=1, hi=50)
    init: str = setting("xavier", choices=lambda: ("xavier", "he"))
    lanes: tuple[Lane, ...] = (Lane(), Lane(0.2, False))
    start: tuple[float, float] = (1.0, -2.0)
    note: str | None = None


def test_round_trip_through_json():
    state = Demo(depth=3, lanes=(Lane(0.5),), note="hi")
    assert Demo.from_dict(json.loads(json.dumps(state.to_dict()))) == state


def test_missing_keys_keep_defaults_and_ints_widen_to_floats():
    assert Demo.from_dict({}) == Demo()
    assert Demo.from_dict({"start": [1, 2]}).start == (1.0, 2.0)


@pytest.mark.parametrize(
    "bad, key",
    [
        ({"depth": 0}, "depth"),
        ({"depth": 51}, "depth"),
        ({"depth": True}, "depth"),
        ({"depth": 2.5}, "depth"),
        ({"init": "zeros"}, "init"),
        ({"lanes": [{"lr": 0.0}]}, "lanes[0].lr"),
        ({"lanes": [{"speed": 1}]}, "lanes[0].speed"),
        ({"lanes": "fast"}, "lanes"),
        ({"start": [1.0]}, "start"),
        ({"start": [1.0, float("nan")]}, "start[1]"),
        ({"colour": "red"}, "colour"),
        ({"note": 3}, "note"),
    ],
)
def test_bad_values_name_their_key(bad, key):
    with pytest.raises(StateError) as info:
        Demo.from_dict(bad)
    assert info.value.key == key
    assert key in str(info.value)


def test_not_a_mapping_is_rejected():
    with pytest.raises(StateError):
        Demo.from_dict(["depth", 3])


def test_merged_applies_a_partial_dict_with_validation():
    state = Demo().merged({"depth": 4, "lanes": [{"lr": 0.3}]})
    assert state.depth == 4 and state.lanes == (Lane(0.3),)
    assert state.init == "xavier"
    with pytest.raises(StateError):
        Demo().merged({"depth": -1})
    assert Demo().replace(depth=7).depth == 7
    with pytest.raises(StateError):
        Demo().replace(init="nope")


def test_check_reports_the_measured_value_when_the_claim_fails():
    small = Check("the value is small", lambda m: m["value"], lambda v: v < 1)
    assert small.run({"value": 0.5}) is None
    assert "measured 2" in small.run({"value": 2})
    assert "could not measure" in small.run({})


def test_scene_runs_every_check_and_rejects_an_unknown_part():
    scene = Scene(
        "demo", "optimizers", "Demo", "optimizers", "text",
        checks=(Check("a", lambda m: m, lambda v: v > 0), Check("b", lambda m: m, lambda v: v > 5)),
    )
    assert scene.check(10) == []
    assert len(scene.check(1)) == 1
    with pytest.raises(ValueError):
        Scene("bad", "nowhere", "Bad", "optimizers", "text")
