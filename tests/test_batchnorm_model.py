"""The Batch norm panel's Qt-free model: State validation and round trip, the cursor, the edits."""

import json

import pytest

from app.models.base import StateError
from app.models.batchnorm import BatchNormModel, State, scene_state
from engine import batchnorm_trace as bt


def traced(state=None):
    model = BatchNormModel(state)
    assert model.accept(bt.trace(model.setup()))
    return model


def test_state_round_trips_through_json():
    state = State().replace(batches=17, momentum=0.25, eps=1e-3, seed=4, step=3)
    assert State.from_dict(json.loads(json.dumps(state.to_dict()))) == state
    model = BatchNormModel()
    edited = model.cell_edited("x", 1, 2, "−3.5")
    assert State.from_dict(json.loads(json.dumps(edited.to_dict()))) == edited
    assert edited.x[1][2] == -3.5


@pytest.mark.parametrize("data, key", [
    ({"x": [[1.0, 2.0]]}, "x"),
    ({"w": [[1.0, 2.0, 3.0]]}, "w"),
    ({"gamma": [1.0]}, "gamma"),
    ({"beta": [1.0, 2.0, 3.0, 4.0]}, "beta"),
    ({"eps": 0.0}, "eps"),
    ({"momentum": 2.0}, "momentum"),
    ({"batches": 5000}, "batches"),
    ({"step": -1}, "step"),
    ({"colour": 1}, "colour"),
    ({"x": "many"}, "x"),
])
def test_from_dict_names_the_bad_key(data, key):
    with pytest.raises(StateError) as err:
        State.from_dict(data)
    assert err.value.key == key, str(err.value)


def test_cursor_moves_and_clamps():
    model = traced()
    assert model.n_steps == 13 and model.current().key == "mu"
    model.back()
    assert model.index == 0
    model.go_to_step("backward")
    assert model.current().key == "dy" and "xn" in model.known() and "dx" not in model.known()
    model.go_to(99)
    assert model.at_end() and model.current().key == "dx"
    model.forward()
    assert model.index == 12


def test_edits_new_states_and_bad_text():
    model = traced()
    assert model.vector_edited("gamma", 0, "3").gamma[0] == 3.0
    assert model.vector_edited("beta", 2, "-1").beta[2] == -1.0
    with pytest.raises(ValueError, match="x\\[2,1\\] must be a number"):
        model.cell_edited("x", 1, 0, "abc")
    assert model.state == State()  # the state in use stays
    bigger = model.resized(6, 2)
    assert (bigger.setup().n, bigger.setup().d) == (6, 2) and bigger.x[0] == State().x[0][:2]
    new = model.new_batch()
    assert new.seed == 1 and new.x != model.state.x and new.gamma == model.state.gamma


def test_measurements_and_scene_state():
    model = traced(State.from_dict(scene_state("dx", batches=1)))
    assert model.current().key == "dx"
    assert model.max_rel_error() < 1e-7
    assert model.eval_gap() == model.eval_gap(1) > model.eval_gap(50)
    assert min(model.eval_ratio(1000)) == pytest.approx(0.75 ** 0.5, abs=1e-3)
    assert State.from_dict(scene_state(last=True)).step == 12
