"""app.models.compare and engine.grid_worker: the Compare panel's State, legacy settings, and the
typed worker messages folded into the results table (no Qt, no processes: runs are in-process)."""

import json
import pickle

import pytest

from app.models import compare as cm
from engine import experiments as ex
from engine import grid_worker as msgs
from engine.training_setup import DataSpec, RunSettings

XOR = DataSpec("toy", "xor", 0.1, 80, 0.25)
TINY = RunSettings(hidden=(6,), epochs=3, batch_size=16, optimizer="adam", hyper={"lr": 0.05})


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def test_defaults_are_the_first_preset_and_presets_round_trip():
    assert cm.State() == cm.preset_state(cm.PRESET_NAMES[0])
    for name in cm.PRESET_NAMES:
        state = cm.preset_state(name)
        assert cm.State.from_dict(json.loads(json.dumps(state.to_dict()))) == state
        assert cm.preset_matches(state)
        preset = ex.PRESETS[name]
        # the same configurations (the form lists factors in FACTORS order, as the panel always did)
        assert sorted(map(sorted, (s.config for s in ex.expand_grid(*state.grid())))) == sorted(
            map(sorted, (s.config for s in preset.specs())))
        data = state.data_spec()  # the test share is shown with 2 decimals, as it always was
        assert (data.source, data.name, data.size) == (preset.data.source, preset.data.name, preset.data.size)
        assert data.test_ratio == pytest.approx(preset.data.test_ratio, abs=1e-4)
        assert state.run_settings().hidden == preset.base.hidden
    assert not cm.preset_matches(cm.State().replace(epochs=3))


def test_levels_has_one_field_per_factor():
    assert list(cm.Levels().to_dict()) == list(ex.FACTORS)
    for name in ex.FACTORS:  # the default text of every factor parses
        assert ex.parse_levels(name, getattr(cm.Levels(), name))


def test_vary_keeps_the_factor_order_and_rejects_twins():
    assert cm.State(vary=("batchnorm", "dropout")).vary == ("dropout", "batchnorm")
    with pytest.raises(ValueError, match="twice") as info:
        cm.State.from_dict({"vary": ["lr", "lr"]})
    assert info.value.key == "vary"
    with pytest.raises(ValueError) as info:
        cm.State.from_dict({"hidden": []})
    assert info.value.key == "hidden"


def test_migrate_legacy_reads_what_save_settings_wrote():
    old = {"form": {"data": ["toy", "xor"], "size": 80, "test_pct": 25.0, "hidden": "6, 4", "epochs": 3, "batch": 16,
                    "optimizer": "adam", "lr": 0.05, "seeds": 2, "factors": {"lr": "0.01, 0.1"},
                    "levels": {"dropout": "0, 0.5", "lr": "0.001", "activation": "relu, tanh", "init": "he",
                               "init_std": "0.1", "batchnorm": "off, on", "optimizer": "sgd", "weight_decay": "0"}},
           "preset": "Book 6.1: optimizers on digits", "metric": "test_loss", "color_by": "lr", "style_by": None,
           "bands": False}
    state = cm.State.from_dict(cm.migrate_legacy({"state": json.dumps(old)}))
    assert (state.data, state.size, state.hidden, state.seeds, state.vary) == ("xor", 80, (6, 4), 2, ("lr",))
    assert state.levels.lr == "0.01, 0.1" and state.levels.dropout == "0, 0.5"  # the ticked text wins
    assert (state.preset, state.metric, state.color_by, state.style_by, state.bands) == (
        "Book 6.1: optimizers on digits", "test_loss", "lr", "", False)
    garbage = {"form": {"data": ["toy", "nowhere"], "size": "many", "hidden": "a, b", "seeds": 99,
                        "factors": {"colour": "red"}}, "preset": "gone", "metric": 3}
    assert cm.migrate_legacy({"state": json.dumps(garbage)}) == {"vary": []}
    assert cm.migrate_legacy({"state": "{not json"}) == {} and cm.migrate_legacy({}) == {}


def test_messages_are_frozen_and_pickle():
    result = ex.RunResult((("lr", 0.1),), 0, 0, {k: [0.5, 0.6] for k in ex.CURVES})
    spec = ex.expand_grid({"lr": [0.1]}, (0,), XOR, TINY)[0]
    for msg in (msgs.RunTask(0, spec), msgs.WorkerReady(), msgs.RunStarted(3), msgs.EpochDone(3, 1, 4),
                msgs.RunFinished(3, result), msgs.RunFailed(-1, "ValueError: x"), msgs.GridDone(True)):
        back = pickle.loads(pickle.dumps(msg))
        assert type(back) is type(msg) and back == msg
        if msg.__dataclass_fields__:
            with pytest.raises(AttributeError):
                setattr(msg, next(iter(msg.__dataclass_fields__)), 1)


class FakeConn:
    """One end of a pipe for ``serve``: hands out ``tasks`` and records what the worker sends."""

    def __init__(self, tasks):
        self.tasks, self.sent = list(tasks), []

    def send(self, msg):
        self.sent.append(pickle.loads(pickle.dumps(msg)))  # what crosses a real pipe

    def recv(self):
        return self.tasks.pop(0)


def test_serve_sends_the_protocol_in_order():
    good, bad = ex.expand_grid({"lr": [0.05]}, (0,), XOR, TINY)[0], ex.expand_grid(
        {"lr": [0.05]}, (0,), DataSpec("toy", "xor", 0.1, 1, 0.25), TINY)[0]
    conn = FakeConn([msgs.RunTask(0, good), msgs.RunTask(1, bad), None])
    msgs.serve(conn)
    kinds = [type(m).__name__ for m in conn.sent]
    assert kinds == ["WorkerReady", "RunStarted", "EpochDone", "EpochDone", "EpochDone", "RunFinished",
                     "WorkerReady", "RunStarted", "RunFailed", "WorkerReady"]
    assert [m.epoch for m in conn.sent if isinstance(m, msgs.EpochDone)] == [1, 2, 3]
    assert conn.sent[5].result.curves == ex.run_one(good).curves
    assert conn.sent[8].task_id == 1 and conn.sent[8].message.startswith("ValueError")


def test_the_model_folds_messages_into_the_table_and_progress():
    clock = Clock()
    model = cm.CompareModel(cm.State().merged({"vary": ["activation"], "seeds": 2, "color_by": "lr",
                                               "style_by": "dropout"}), clock=clock)
    specs = ex.expand_grid({"activation": ["relu", "tanh"]}, (0, 1), XOR, TINY)
    model.start(specs, ["activation"])
    assert model.running and (model.state.color_by, model.state.style_by) == ("activation", "")
    assert model.progress() == cm.Progress(0, 4, 0.0, -1.0)
    results = [ex.run_one(s) for s in specs]
    model.consume(msgs.RunStarted(0))
    model.consume(msgs.EpochDone(0, 1, 3))
    clock.t += 1.0
    p = model.progress()
    assert (p.done, p.total) == (0, 4) and p.fraction == pytest.approx(1 / 12) and p.eta == pytest.approx(11.0)
    for i in (3, 0, 2):  # any order
        model.consume(msgs.RunFinished(i, results[i]))
    model.consume(msgs.RunFailed(1, "ValueError: boom"))
    assert model.progress().done == 4 and model.progress().fraction == 1.0
    model.consume(msgs.GridDone(cancelled=False))
    assert model.finished and not model.running and model.failed == {1: "ValueError: boom"}
    expected = ex.summarize([results[0], results[2], results[3]])
    rows = model.rows()
    assert [r["config"] for r in rows] == [s.config for s in expected]
    assert rows[0]["seeds"] == (0,) and rows[1]["seeds"] == (0, 1)
    assert rows[1]["test_accuracy"] == expected[1].final["test_accuracy"]
    assert model.final("test_accuracy")[(("activation", "tanh"),)] == expected[1].final["test_accuracy"]
    with pytest.raises(TypeError, match="not a grid message"):
        model.consume(("result", 0, results[0]))
    model.consume(msgs.GridDone(cancelled=True))
    assert model.status == "cancelled" and not model.finished
    model.clear()
    assert model.rows() == [] and model.status == "idle"


def test_plan_selected_needs_the_grid_in_the_table():
    model = cm.CompareModel(cm.State().merged({"vary": ["lr"], "levels": {"lr": "0.1, 0.01"}, "seeds": 1}))
    model.start(model.plan(), ["lr"])
    assert model.plan_selected([1])[0].config == (("lr", 0.01),)
    model.update(levels=model.state.levels.replace(lr="0.5, 0.01"))
    with pytest.raises(cm.GridMismatch):
        model.plan_selected([0])
    model.update(levels=model.state.levels.replace(lr="0.5, oops"))
    with pytest.raises(ValueError, match="lr"):
        model.count()


def test_csv_has_unrounded_means_and_sds(tmp_path):
    model = cm.CompareModel()
    specs = ex.expand_grid({"lr": [0.05, 0.01]}, (0, 1), XOR, TINY)
    model.start(specs, ["lr"])
    for i, s in enumerate(specs):
        model.consume(msgs.RunFinished(i, ex.run_one(s)))
    model.write_csv(str(tmp_path / "t.csv"))
    lines = (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("lr,seeds,train_loss_mean,train_loss_sd") and len(lines) == 3
    assert float(lines[1].split(",")[2]) == model.summaries()[0].final["train_loss"][0]


def test_migrate_legacy_reads_a_session_captured_by_the_last_release():
    """``app.session.capture_panel`` of the old panel after choosing Book 6.3 (its JSON parsed)."""
    captured = {"state": {
        "form": {"data": ["digits", "digits"], "size": 1250, "test_pct": 20.0, "hidden": "100, 100, 100, 100, 100",
                 "epochs": 20, "batch": 100, "optimizer": "sgd", "lr": 0.01, "seeds": 1,
                 "factors": {"init_std": "logspace(0, -4, 16)", "batchnorm": "off, on"},
                 "levels": {"dropout": "0, 0.2", "activation": "relu, tanh", "init": "normal, xavier, he",
                            "init_std": "logspace(0, -4, 16)", "batchnorm": "off, on", "optimizer": "sgd:0.1, adam:0.01",
                            "lr": "0.001, 0.01, 0.1", "weight_decay": "0, 0.1"}},
        "preset": "Book 6.3: batch norm vs none × 16 init scales", "metric": "test_accuracy",
        "color_by": "init_std", "style_by": "batchnorm", "bands": True}}
    state = cm.State.from_dict(cm.migrate_legacy(captured))
    expected = cm.preset_state("Book 6.3: batch norm vs none × 16 init scales")
    # the session kept the activation levels of its day ("relu, tanh"; the default is now "relu, sigmoid")
    assert state == expected.replace(levels=expected.levels.replace(activation="relu, tanh"))


def test_l1_is_a_compare_factor_that_reaches_the_network():
    from engine import experiments as ex

    state = cm.State(vary=("l1", "l1_proximal"), levels=cm.Levels(l1="0, 0.003", l1_proximal="off, on"))
    factors, seeds, data, base = state.grid()
    assert factors == {"l1": [0.0, 0.003], "l1_proximal": [False, True]}
    specs = ex.expand_grid(factors, seeds, data, base)
    settings = {spec.config: spec.settings()[0] for spec in specs}
    s = settings[(("l1", 0.003), ("l1_proximal", True))]
    assert (s.l1, s.l1_proximal) == (0.003, True)
    net = ex.build_trainer(specs[-1]).model
    assert (net.l1, net.l1_proximal) == (0.003, True)
    with pytest.raises(ValueError, match="l1"):
        ex.parse_levels("l1", "-0.1")
